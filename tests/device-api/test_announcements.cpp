// system/topology_changed at least once and in version order (CONTRACT.md section 7), against a
// real PostgreSQL and a private real mosquitto that the tests stop and start. The subscriber
// keeps a persistent session on a broker with persistence, so an event the broker accepted while
// the subscriber was still reconnecting is delivered to it all the same: what these tests
// observe is whether device-api got the event to the broker, not a race between two clients.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "service_fixture.hpp"

namespace ems::device_api::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AnnouncementTest : public ServiceFixture {
 protected:
  std::string broker_url() override {
    broker_ = std::make_unique<ems::testing::MosquittoServer>(
        ems::testing::MosquittoOptions{.persistence = true});
    return broker_->url();
  }
  bool subscriber_clean_session() override { return false; }

  void TearDown() override {
    ServiceFixture::TearDown();
    broker_.reset();
  }

  void stop_broker() {
    broker_->stop();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (mqtt_->is_connected() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    ASSERT_FALSE(mqtt_->is_connected()) << "device-api did not notice the broker stopped";
  }

  httplib::Result rename(const std::string& device, const std::string& name) {
    return client().Patch(("/devices/" + device).c_str(), auth(),
                          json{{"display_name", name}}.dump(), "application/json");
  }

  std::string metrics() { return client().Get("/metrics")->body; }

  std::unique_ptr<ems::testing::MosquittoServer> broker_;
};

TEST_F(AnnouncementTest, VersionsCommittedWhileTheBrokerIsDownAreAnnouncedInOrderOnceItIsBack) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  ASSERT_EQ(events_after(1), std::vector<std::string>{"1.0.0"});

  stop_broker();
  // The requests complete while the broker is down: nothing waits for it.
  auto first = rename("pdu_1", "PDU A");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(json::parse(first->body)["version"], "1.0.1");
  auto second = rename("pdu_2", "PDU B");
  ASSERT_EQ(second->status, 201) << second->body;
  EXPECT_EQ(json::parse(second->body)["version"], "1.0.2");
  std::this_thread::sleep_for(300ms);  // the announcer is waiting for the broker
  EXPECT_EQ(events_after(1, 0s), std::vector<std::string>{"1.0.0"});

  broker_->start();
  EXPECT_EQ(events_after(3, 30s), (std::vector<std::string>{"1.0.0", "1.0.1", "1.0.2"}));
  EXPECT_NE(metrics().find("ems_device_api_topology_events_owed 0"), std::string::npos)
      << metrics();
}

// The commit happened, the process went away before the broker acknowledged the event (here:
// the broker was down and device-api stopped): the next start announces it from the outbox, and
// a version once acknowledged is not announced again by later starts.
TEST_F(AnnouncementTest, AnEventOwedAtStopIsAnnouncedByTheNextStart) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  ASSERT_EQ(events_after(1), std::vector<std::string>{"1.0.0"});

  stop_broker();
  auto renamed = rename("pdu_1", "PDU A");
  ASSERT_EQ(renamed->status, 201) << renamed->body;
  stop_service();  // as a crash between commit and acknowledgment
  broker_->start();
  ASSERT_TRUE(mqtt_->wait_connected(20s));
  ASSERT_TRUE(subscriber_->wait_connected(20s));
  // Nobody owes the event in memory any more: without the outbox it would never come.
  EXPECT_EQ(events_after(2, 1s), std::vector<std::string>{"1.0.0"});

  start_service();
  EXPECT_EQ(events_after(2, 20s), (std::vector<std::string>{"1.0.0", "1.0.1"}));

  // Acknowledged and marked: a further restart announces nothing again.
  start_service();
  EXPECT_EQ(events_after(3, 2s), (std::vector<std::string>{"1.0.0", "1.0.1"}));
  EXPECT_EQ(json::parse(client().Get("/topology")->body)["version"], "1.0.1");
}

}  // namespace
}  // namespace ems::device_api::testing
