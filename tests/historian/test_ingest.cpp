// Ingest: malformed messages are counted and never stop the stream, a sample of the wrong type
// is refused, the command/ack journal answers GET /commands, SIGTERM flushes what is buffered.
#include <gtest/gtest.h>

#include "publisher.hpp"

namespace ems::historian::testing {
namespace {

const std::string kBase = "sites/site_i/devices/";

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = ems::testing::PostgresServer::shared().create_database();
    mqtt_ = ems::testing::MosquittoServer::shared().url();
    HistorianConfig c;
    c.database_url = db_;
    c.mqtt_url = mqtt_;
    c.client_id = "historian-ingest-" + std::to_string(++instance_);
    c.extra_env = extra_env_;
    historian_ = std::make_unique<HistorianProcess>(c);
    historian_->start();
    ASSERT_TRUE(historian_->wait_ready());
    pub_ = std::make_unique<runtime::MqttClient>(publisher_options(mqtt_, "ingest-publisher"),
                                                 registry_);
    pub_->start();
    ASSERT_TRUE(pub_->wait_connected(10s));
  }
  void TearDown() override {
    if (pub_) pub_->stop();
    historian_.reset();
  }
  void send(const std::string& topic, const std::string& payload, int qos = 1) {
    ASSERT_TRUE(pub_->publish_confirmed(topic, payload, qos, false, 5s)) << topic;
  }

  static inline int instance_ = 0;
  std::vector<std::string> extra_env_;
  std::string db_, mqtt_;
  std::unique_ptr<HistorianProcess> historian_;
  runtime::metrics::Registry registry_;
  std::unique_ptr<runtime::MqttClient> pub_;
};

TEST_F(IngestTest, MalformedMessagesAreCountedAndTheStreamGoesOn) {
  const auto t = now_ms();
  const std::string good = kBase + "meter/measurements/active_power/watts";
  const std::vector<std::pair<std::string, std::string>> bad_topics = {
      {kBase + "meter/measurements/active_power", float_sample(t, 1)},            // 6 segments
      {kBase + "meter/measurements/active_power/kilowatts", float_sample(t, 1)},  // unit
      {kBase + "Meter/measurements/active_power/watts", float_sample(t, 1)},      // not a slug
      {kBase + "meter/commands/set/p/watts/extra", "{}"},                         // 9 segments
      {kBase + "meter/acks/push/p/watts", "{}"},                                  // verb
  };
  const std::vector<std::string> bad_payloads = {
      "not json",
      "{}",
      R"({"ts":"yesterday","value":1})",
      R"({"ts":"2026-11-26T07:05:11.123Z","value":1,"quality":"good"})",
      R"({"ts":"2026-11-26T07:05:11.123Z"})",
      R"({"ts":"2026-11-26T07:05:11.123+02:00","value":1})",
      R"([1,2,3])",
      std::string("\xff\xfe", 2),
      // Beyond double: nlohmann throws out_of_range, not parse_error, for this number.
      R"({"ts":"2026-11-26T07:05:11.123Z","value":1e999})",
  };
  int sent_good = 0;
  for (int round = 0; round < 3; ++round) {
    for (const auto& [topic, payload] : bad_topics) send(topic, payload);
    for (const auto& payload : bad_payloads) send(good, payload);
    for (int i = 0; i < 10; ++i) send(good, float_sample(t + 1000 * (sent_good++), i));
  }
  // A bad command and a bad ack payload too.
  send(kBase + "meter/commands/set/active_power/watts",
       R"({"ts":"2026-11-26T07:05:11.123Z","value":1})");
  send(kBase + "meter/acks/set/active_power/watts",
       R"({"ts":"2026-11-26T07:05:11.123Z","state":"done"})");
  EXPECT_EQ(wait_rows(db_, "SELECT count(*) FROM ts.samples", sent_good, 20s), sent_good);
  EXPECT_EQ(historian_->metric("ems_historian_rejected_total{reason=\"topic\"}"), 3 * 5);
  EXPECT_EQ(historian_->metric("ems_historian_rejected_total{reason=\"payload\"}"), 3 * 9 + 2);
  EXPECT_EQ(historian_->metric("ems_historian_messages_total{family=\"measurements\"}"), sent_good);

  // A bool on the float series is refused; the series keeps its type.
  send(good, contract::encode(contract::BooleanSample{
                 contract::Timestamp(std::chrono::milliseconds(t + 999999)), true}));
  send(good, float_sample(t + 1000000, 42));
  EXPECT_EQ(wait_rows(db_, "SELECT count(*) FROM ts.samples", sent_good + 1, 20s), sent_good + 1);
  EXPECT_EQ(historian_->metric("ems_historian_rejected_total{reason=\"type_mismatch\"}"), 1);
  // Duplicates (same series and ts) are stored once.
  send(good, float_sample(t + 1000000, 43));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (historian_->metric("ems_historian_duplicates_total") < 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(historian_->metric("ems_historian_duplicates_total"), 1);
  EXPECT_EQ(count_rows(db_, "SELECT count(*) FROM ts.samples"), sent_good + 1);
  EXPECT_EQ(count_rows(db_, "SELECT value::bigint FROM ts.samples ORDER BY ts DESC LIMIT 1"), 42);
}

TEST_F(IngestTest, CommandJournalAnswersWhoAskedWhatAndWhatHappened) {
  const auto t = now_ms() - 60000;
  auto at = [&](std::int64_t ms) { return contract::Timestamp(std::chrono::milliseconds(t + ms)); };
  const std::string cmd = kBase + "bess/commands/set/active_power_setpoint/watts";
  const std::string ack = kBase + "bess/acks/set/active_power_setpoint/watts";
  const std::string first = contract::random_uuid(), second = contract::random_uuid();
  const std::string third = contract::random_uuid();
  send(cmd, contract::encode(contract::CommandPayload{at(0), first, 5000.0}));
  send(cmd, contract::encode(contract::CommandPayload{at(0), first, 5000.0}));  // redelivered
  for (auto [state, ms] :
       {std::pair{contract::AckState::received, 10}, std::pair{contract::AckState::accepted, 20},
        std::pair{contract::AckState::done, 300}}) {
    send(ack, contract::encode(contract::Ack{at(ms), first, state, std::nullopt}));
  }
  send(cmd, contract::encode(contract::CommandPayload{at(1000), second, 9.9e9}));
  send(ack, contract::encode(
                contract::Ack{at(1010), second, contract::AckState::received, std::nullopt}));
  send(ack, contract::encode(contract::Ack{at(1020), second, contract::AckState::rejected,
                                           std::string("value above the maximum 5000000")}));
  send(kBase + "bess/commands/reset/faults/none",
       contract::encode(contract::CommandPayload{at(2000), third, contract::Trigger{}}));
  ASSERT_EQ(wait_rows(db_, "SELECT count(*) FROM ts.acks", 5, 20s), 5);
  ASSERT_EQ(wait_rows(db_, "SELECT count(*) FROM ts.commands", 3, 20s), 3);

  const auto a = historian_->get("/commands?device=bess");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto list = a.json()["commands"];
  ASSERT_EQ(list.size(), 3u) << a.body;
  EXPECT_EQ(list[0]["command_id"], third);  // newest first
  EXPECT_EQ(list[0]["verb"], "reset");
  EXPECT_TRUE(list[0]["value"].is_null());
  EXPECT_TRUE(list[0]["state"].is_null());
  EXPECT_EQ(list[1]["command_id"], second);
  EXPECT_EQ(list[1]["state"], "rejected");
  EXPECT_EQ(list[1]["acks"][1]["reason"], "value above the maximum 5000000");
  EXPECT_EQ(list[2]["command_id"], first);
  EXPECT_EQ(list[2]["device_id"], "bess");
  EXPECT_EQ(list[2]["target"], "active_power_setpoint");
  EXPECT_EQ(list[2]["unit"], "watts");
  EXPECT_EQ(list[2]["value"], 5000.0);
  EXPECT_EQ(list[2]["ts"], contract::format_timestamp(at(0)));
  EXPECT_EQ(list[2]["state"], "done");
  ASSERT_EQ(list[2]["acks"].size(), 3u);
  EXPECT_EQ(list[2]["acks"][0]["state"], "received");
  EXPECT_EQ(list[2]["acks"][2]["state"], "done");
  EXPECT_FALSE(list[2]["acks"][0].contains("reason"));
  // The range narrows it.
  const auto b =
      historian_->get("/commands?device=bess&from=" + contract::format_timestamp(at(500)) +
                      "&to=" + contract::format_timestamp(at(1500)));
  ASSERT_EQ(b.status, 200);
  ASSERT_EQ(b.json()["commands"].size(), 1u);
  EXPECT_EQ(b.json()["commands"][0]["command_id"], second);
}

class SigtermTest : public IngestTest {
 protected:
  void SetUp() override {
    // Nothing is written before SIGTERM on its own: a batch waits for 100000 records or 1 h.
    extra_env_ = {"EMS_HISTORIAN_FLUSH_INTERVAL=1h", "EMS_HISTORIAN_BATCH_RECORDS=100000"};
    IngestTest::SetUp();
  }
};

TEST_F(SigtermTest, SigtermWritesWhatIsBuffered) {
  const auto t = now_ms() - 10000;
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(
        pub_->publish(kBase + "meter/measurements/active_power/watts", float_sample(t + i, i), 1));
  }
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  const std::string received = "ems_historian_messages_total{family=\"measurements\"}";
  while (historian_->metric(received) < 500 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(historian_->metric(received), 500);
  EXPECT_EQ(count_rows(db_, "SELECT count(*) FROM ts.samples"), 0);
  historian_->terminate();
  EXPECT_EQ(historian_->exit_code(), 0);
  EXPECT_EQ(count_rows(db_, "SELECT count(*) FROM ts.samples"), 500);
}

}  // namespace
}  // namespace ems::historian::testing
