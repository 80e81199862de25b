// No loss (issue acceptance): a publisher sends numbered samples at a steady rate while
// (a) PostgreSQL is stopped mid-stream and restarted, (b) the historian is SIGKILLed while it
// spools and restarted, (c) one of two historians in a shared-subscription group is killed.
// Outages are seconds, not the 30 s, to keep the suite fast: the paths are the same
// (memory buffer bounded to a few hundred records, so the spool takes the rest).
#include <gtest/gtest.h>

#include <iostream>

#include "publisher.hpp"

namespace ems::historian::testing {
namespace {

const std::string kTopic = "sites/site_n/devices/meter/measurements/active_power/watts";

HistorianConfig config(const std::string& db, const std::string& mqtt, const std::string& id) {
  HistorianConfig c;
  c.database_url = db;
  c.mqtt_url = mqtt;
  c.client_id = id;
  // The service's own partitions here; the query tests run with pg_partman.
  c.extra_env = {"EMS_HISTORIAN_BUFFER_RECORDS=300", "EMS_HISTORIAN_FLUSH_INTERVAL=100ms",
                 "EMS_HISTORIAN_PARTITIONING=native"};
  return c;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/ems-historian-spool-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

TEST(NoLoss, DatabaseStoppedMidStreamEverySampleStoredOnce) {
  ems::testing::PostgresServer pg;
  const auto db = pg.create_database();
  const auto& mqtt = ems::testing::MosquittoServer::shared().url();
  HistorianProcess historian(config(db, mqtt, "historian-outage"));
  historian.start();
  ASSERT_TRUE(historian.wait_ready());

  constexpr int kCount = 20000, kRate = 500;  // 40 s: the database is down 30 s of it
  NumberedPublisher pub(mqtt, kTopic, 0, kCount, kRate);
  pub.start();
  pub.wait_sent(1000);
  pg.stop();
  const auto down_at = pub.sent();
  std::this_thread::sleep_for(30s);
  // Meanwhile: the database is down, memory is full and the spool holds the rest.
  EXPECT_EQ(historian.metric("ems_historian_database_up"), 0);
  EXPECT_EQ(historian.metric("ems_historian_spilling"), 1);
  EXPECT_GT(historian.metric("ems_historian_spool_bytes"), 0);
  const auto during = historian.get("/latest?device=meter");
  EXPECT_EQ(during.status, 503) << during.body;
  EXPECT_FALSE(historian.wait_ready(100ms));
  pg.start();
  const auto up_at = pub.sent();
  pub.join();
  const auto n = wait_rows(db, "SELECT count(*) FROM ts.samples", kCount, 60s);
  const auto s = stored_numbers(db, kCount);
  std::cout << "database down from sample " << down_at << " to " << up_at << "; stored " << n
            << " of " << kCount << "\n";
  EXPECT_EQ(s.rows, kCount);
  EXPECT_EQ(s.distinct, kCount);
  EXPECT_EQ(s.in_range, kCount);
  EXPECT_GE(count_rows(db,
                       "SELECT count(*) FROM pg_tables WHERE schemaname = 'ts' AND "
                       "tablename ~ '^samples_p[0-9]{8}$'"),
            4);  // yesterday's data, today and 3 days ahead
  // The roll-ups saw every sample once too.
  EXPECT_EQ(count_rows(db, "SELECT sum(count)::bigint FROM ts.rollup_1m"), kCount);
  EXPECT_EQ(count_rows(db, "SELECT sum(count)::bigint FROM ts.rollup_1h"), kCount);
  // Once caught up the spool is released (only the segment being written remains).
  EXPECT_LT(historian.metric("ems_historian_spool_bytes"), 16 << 20);
}

// Kills the historian while PostgreSQL is down (it is spooling), restarts it on the same spool
// and session, then brings the database back. Returns what was stored of `count`.
Stored kill_while_spooling(int qos, int count, int* killed_at) {
  ems::testing::PostgresServer pg;
  const auto db = pg.create_database();
  const auto& mqtt = ems::testing::MosquittoServer::shared().url();
  const auto spool = temp_dir();
  auto c = config(db, mqtt, "historian-kill-qos" + std::to_string(qos));
  c.spool_dir = spool;
  Stored s;
  {
    auto historian = std::make_unique<HistorianProcess>(c);
    historian->start();
    EXPECT_TRUE(historian->wait_ready());
    NumberedPublisher pub(mqtt, kTopic, qos, count, 500);
    pub.start();
    pub.wait_sent(count / 5);
    pg.stop();
    pub.wait_sent(count / 2);
    EXPECT_EQ(historian->metric("ems_historian_spilling"), 1);
    historian->kill();
    *killed_at = pub.sent();
    std::this_thread::sleep_for(1500ms);  // the broker queues for the persistent session
    historian = std::make_unique<HistorianProcess>(c);
    historian->start();  // replays the spool (into a database still down: kept)
    std::this_thread::sleep_for(1500ms);
    pg.start();
    pub.join();
    wait_settled(db, "SELECT count(*) FROM ts.samples", count, count - 100, 3s, 60s);
    std::this_thread::sleep_for(1s);  // a duplicate arriving late would show now
    s = stored_numbers(db, count);
    // Replayed duplicates took the idempotent path: the roll-ups count each sample once.
    EXPECT_EQ(count_rows(db, "SELECT sum(count)::bigint FROM ts.rollup_1m"), s.rows);
    EXPECT_EQ(count_rows(db, "SELECT sum(count)::bigint FROM ts.rollup_1h"), s.rows);
  }
  std::error_code ec;
  std::filesystem::remove_all(spool, ec);
  return s;
}

TEST(NoLoss, KilledWhileSpoolingQos1EverySampleStoredOnce) {
  constexpr int kCount = 5000;
  int killed_at = 0;
  const auto s = kill_while_spooling(1, kCount, &killed_at);
  std::cout << "QoS 1: killed after sample " << killed_at << "; stored " << s.rows << " of "
            << kCount << "\n";
  EXPECT_EQ(s.rows, kCount);
  EXPECT_EQ(s.distinct, kCount);
  EXPECT_EQ(s.in_range, kCount);
}

TEST(NoLoss, KilledWhileSpoolingQos0LosesAtMostWhatWasInFlight) {
  constexpr int kCount = 5000;
  int killed_at = 0;
  const auto s = kill_while_spooling(0, kCount, &killed_at);
  const auto lost = kCount - s.rows;
  std::cout << "QoS 0: killed after sample " << killed_at << "; stored " << s.rows << " of "
            << kCount << ", lost " << lost << "\n";
  ::testing::Test::RecordProperty("qos0_lost", static_cast<int>(lost));
  EXPECT_EQ(s.distinct, s.rows);
  EXPECT_EQ(s.in_range, s.rows);
  // In flight at a SIGKILL: what the kernel and the MQTT library had received but the
  // historian had not spooled yet - a few messages at 500/s, never the broker's queue.
  EXPECT_LE(lost, 50);
}

TEST(NoLoss, SharedGroupOneInstanceKilledTheOtherKeepsStoring) {
  const auto db = ems::testing::PostgresServer::shared().create_database();
  const auto& mqtt = ems::testing::MosquittoServer::shared().url();
  auto ca = config(db, mqtt, "historian-group-a");
  auto cb = config(db, mqtt, "historian-group-b");
  ca.extra_env.push_back("EMS_HISTORIAN_GROUP=g1");
  cb.extra_env.push_back("EMS_HISTORIAN_GROUP=g1");
  HistorianProcess a(ca);
  auto b = std::make_unique<HistorianProcess>(cb);
  a.start();
  b->start();
  ASSERT_TRUE(a.wait_ready());
  ASSERT_TRUE(b->wait_ready());

  constexpr int kCount = 5000;
  NumberedPublisher pub(mqtt, kTopic, 1, kCount, 500);
  pub.start();
  pub.wait_sent(1500);
  // Both share the stream.
  EXPECT_GT(a.metric("ems_historian_messages_total{family=\"measurements\"}"), 0);
  EXPECT_GT(b->metric("ems_historian_messages_total{family=\"measurements\"}"), 0);
  b->kill();
  const auto killed_at = pub.sent();
  const auto a_before = a.metric("ems_historian_messages_total{family=\"measurements\"}");
  pub.join();
  std::this_thread::sleep_for(2s);
  const auto after_kill =
      count_rows(db, "SELECT count(*) FROM ts.samples WHERE value >= " + std::to_string(killed_at));
  const auto stored = count_rows(db, "SELECT count(*) FROM ts.samples");
  const auto a_after = a.metric("ems_historian_messages_total{family=\"measurements\"}");
  std::cout << "shared group: B killed after sample " << killed_at << "; stored " << stored
            << " of " << kCount << " while B was down (missing " << kCount - stored << "), "
            << after_kill << " of the " << kCount - killed_at << " published after the kill\n";
  ::testing::Test::RecordProperty("group_missing_while_down", static_cast<int>(kCount - stored));
  // A keeps storing after the kill.
  EXPECT_GT(a_after - a_before, 0.4 * (kCount - killed_at));
  EXPECT_GT(after_kill, (kCount - killed_at) * 4 / 10);
  // What the broker still held for B's session, and B's spool, arrive when B is back.
  b = std::make_unique<HistorianProcess>(cb);
  b->start();
  wait_settled(db, "SELECT count(*) FROM ts.samples", kCount, kCount - 200, 3s, 30s);
  const auto s = stored_numbers(db, kCount);
  std::cout << "shared group: after B restarted, stored " << s.rows << " of " << kCount << ", lost "
            << kCount - s.rows << "\n";
  ::testing::Test::RecordProperty("group_lost_after_restart", static_cast<int>(kCount - s.rows));
  EXPECT_EQ(s.distinct, s.rows);
  EXPECT_EQ(s.in_range, s.rows);
  // mosquitto keeps routing a share of the stream to the killed member's persistent session
  // (queued until it returns); what it had in flight to it at the kill (its in-flight window,
  // 20 by default) is not redelivered: the loss is bounded by that window, not by the outage.
  EXPECT_LE(kCount - s.rows, 100);
}

}  // namespace
}  // namespace ems::historian::testing
