// TopologyFollower against the real ems-device-api binary (real PostgreSQL) and real mosquitto
// brokers: boot with backoff, change events, the broker lost between commit and publish,
// callback failures, coalescing, stop during backoff. Every wait is bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ems/follower/topology_follower.hpp"
#include "ems/testing/device_api.hpp"
#include "ems/testing/servers.hpp"

namespace ems::follower {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kDemoPath = EMS_SOURCE_ROOT "/deploy/demo/dtm.json";

json demo_dtm() {
  std::ifstream in(kDemoPath);
  return json::parse(in);
}

// The demo site with one display name changed: a patch-level change (1.0.0 -> 1.0.1).
std::string renamed_demo(const std::string& name) {
  json dtm = demo_dtm();
  dtm["devices"]["poi_meter_1"]["display_name"] = name;
  return dtm.dump();
}

testing::DeviceApiOptions device_api_options(std::string mqtt_url = "", bool boot_demo = true) {
  testing::DeviceApiOptions o;
  o.binary = EMS_DEVICE_API_BINARY;
  o.mqtt_url = std::move(mqtt_url);
  if (boot_demo) o.boot_dtm_path = kDemoPath;
  return o;
}

runtime::MqttOptions mqtt_options(const std::string& url, const std::string& name) {
  static std::atomic<int> n{0};
  runtime::MqttOptions o;
  o.url = url;
  // A service id is lowercase letters, digits and '-' (CONTRACT.md section 2).
  o.service_id = "follower-test";
  for (char c : name) o.service_id += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  o.client_id = o.service_id + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  o.min_reconnect_delay = 100ms;
  o.max_reconnect_delay = 500ms;
  return o;
}

FollowerOptions follower_options(const std::string& base_url, const std::string& path) {
  FollowerOptions o;
  o.base_url = base_url;
  o.path = path;
  o.recheck_interval = 0ms;  // off: a test must see the trigger it is about, not a recheck
  o.initial_delay = 100ms;
  o.max_delay = 500ms;
  return o;
}

// The value of one series ("name{label=\"v\"}") in the registry's text output; NaN if absent.
double metric(const runtime::metrics::Registry& registry, const std::string& series) {
  std::istringstream lines(registry.render());
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return NAN;
}

// Every update the callback saw, in order, with a bounded wait for the next one.
class Recorder {
 public:
  struct Seen {
    std::string version;
    std::string previous;
    Triggers triggers;
    json document;
    Clock::time_point at;
  };

  UpdateCallback callback() {
    return [this](TopologyUpdate u) {
      const int now = ++inside_;
      int expected = max_inside_.load();
      while (now > expected && !max_inside_.compare_exchange_weak(expected, now)) {
      }
      std::this_thread::sleep_for(hold_);
      const bool fail = fail_next_.exchange(false);
      --inside_;
      if (fail) {
        ++failures_;
        throw std::runtime_error("refused by the test");
      }
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(
            {u.version, u.previous_version, u.triggers, std::move(u.document), Clock::now()});
      }
      changed_.notify_all();
    };
  }

  // Waits until an update with `version` arrived; returns it.
  std::optional<Seen> wait_for(const std::string& version, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<Seen> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const auto& s : seen_) {
        if (s.version == version) found = s;
      }
      return found.has_value();
    });
    return found;
  }

  std::vector<std::string> versions() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& s : seen_) out.push_back(s.version);
    return out;
  }

  void fail_next() { fail_next_ = true; }
  void hold(std::chrono::milliseconds d) { hold_ = d; }
  int failures() const { return failures_.load(); }
  int max_concurrent() const { return max_inside_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Seen> seen_;
  std::atomic<bool> fail_next_{false};
  std::atomic<int> failures_{0};
  std::atomic<int> inside_{0};
  std::atomic<int> max_inside_{0};
  std::chrono::milliseconds hold_{0};
};

// Polls `condition` every 20 ms for at most `timeout`.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// The recorder saw `version` and the follower took it as accepted (which happens just after
// the callback returned).
std::optional<Recorder::Seen> delivered(Recorder& recorder, const TopologyFollower& follower,
                                        const std::string& version,
                                        std::chrono::milliseconds timeout) {
  auto seen = recorder.wait_for(version, timeout);
  if (!seen || !eventually([&] { return follower.current_version() == version; }, 5s)) {
    return std::nullopt;
  }
  return seen;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// One device-api process, the follower's MQTT client, a publisher standing in for repeated
// events, the follower and what its callback saw; stopped in TearDown in reverse order.
class FollowerIntegration : public ::testing::Test {
 protected:
  // The device-api binary on a fresh database; `broker` "" is the shared one. Not started.
  testing::DeviceApiProcess& make_api(const std::string& broker = "", bool boot_demo = true) {
    api_ = std::make_unique<testing::DeviceApiProcess>(device_api_options(broker, boot_demo));
    return *api_;
  }

  // The follower's own MQTT client, connected (so its first connect is not a trigger).
  bool connect(const std::string& broker) {
    mqtt_ = std::make_unique<runtime::MqttClient>(
        mqtt_options(broker, ::testing::UnitTest::GetInstance()->current_test_info()->name()),
        registry_);
    mqtt_->start();
    return mqtt_->wait_connected(10s);
  }

  // Starts a follower of `path` on api_, with the MQTT client if there is one.
  TopologyFollower& follow(const std::string& path) {
    return follow(follower_options(api_->base_url(), path));
  }
  TopologyFollower& follow(const FollowerOptions& options) {
    follower_ =
        std::make_unique<TopologyFollower>(options, mqtt_.get(), recorder_.callback(), registry_);
    follower_->start();
    return *follower_;
  }

  // Another client on `broker`, connected, to send events as device-api would.
  bool start_publisher(const std::string& broker) {
    publisher_ =
        std::make_unique<runtime::MqttClient>(mqtt_options(broker, "publisher"), registry_);
    publisher_->start();
    return publisher_->wait_connected(10s);
  }
  // Starts api_ and waits until its announcement of the boot version has passed the broker, so
  // that a follower subscribing afterwards sees only the triggers a test sends (uses the
  // publisher's connection to listen).
  bool start_api_past_its_boot_event(testing::DeviceApiProcess& api, const std::string& broker) {
    if (!publisher_ && !start_publisher(broker)) return false;
    auto booted = std::make_shared<std::atomic<bool>>(false);  // outlives this call's callbacks
    publisher_->subscribe("system/topology_changed", 1, [booted](const runtime::MqttMessage& m) {
      if (m.payload.find("\"1.0.0\"") != std::string::npos) *booted = true;
    });
    api.start();
    return eventually([&] { return booted->load(); }, 20s);
  }

  bool publish_event(const std::string& version) {
    return publisher_->publish(
        "system/topology_changed",
        R"({"ts":"2026-01-01T00:00:00.000Z","version":")" + version + R"("})", 1, false);
  }

  std::optional<Recorder::Seen> delivered_version(const std::string& version,
                                                  std::chrono::milliseconds timeout) {
    return delivered(recorder_, *follower_, version, timeout);
  }

  double value(const std::string& series) const { return metric(registry_, series); }

  void TearDown() override {
    if (follower_) follower_->stop();
    if (publisher_) publisher_->stop();
    if (mqtt_) mqtt_->stop();
  }

  runtime::metrics::Registry registry_;
  Recorder recorder_;
  std::unique_ptr<testing::DeviceApiProcess> api_;
  std::unique_ptr<runtime::MqttClient> mqtt_;
  std::unique_ptr<runtime::MqttClient> publisher_;
  std::unique_ptr<TopologyFollower> follower_;
};

TEST_F(FollowerIntegration, BootsWithBackoffBeforeDeviceApiIsUpAndDeliversEachVersionOnce) {
  const std::string broker = testing::MosquittoServer::shared().url();
  auto& api = make_api();
  ASSERT_TRUE(connect(broker));
  auto& follower = follow("/asyncapi");

  // Nothing listens yet: the follower retries; nothing is delivered, not ready.
  std::this_thread::sleep_for(800ms);
  EXPECT_FALSE(follower.ready());
  EXPECT_EQ(follower.current_version(), "");
  EXPECT_TRUE(recorder_.versions().empty());

  api.start();
  const auto up = Clock::now();
  const auto first = delivered_version("1.0.0", 20s);
  ASSERT_TRUE(first) << testing::tail_file(api.log_path());
  std::printf("[ figure ] first /asyncapi delivered %.0f ms after device-api answered\n",
              ms_since(up));
  EXPECT_EQ(first->previous, "");
  EXPECT_TRUE(first->triggers.has(Trigger::start)) << first->triggers.to_string();
  EXPECT_EQ(first->document["asyncapi"], "3.0.0");
  EXPECT_EQ(first->document["info"]["version"], "1.0.0");
  EXPECT_TRUE(follower.ready());
  EXPECT_EQ(value(R"(ems_topology_version_info{version="1.0.0"})"), 1);
  EXPECT_GT(value("ems_topology_last_success_timestamp_seconds"), 1.7e9);

  // The same version again - by refresh (a 304 on the ETag) or by repeated events - is not
  // delivered again.
  const auto report = follower.refresh(10s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::unchanged);
  EXPECT_EQ(report->version, "1.0.0");
  ASSERT_TRUE(start_publisher(broker));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(publish_event("1.0.0"));
  EXPECT_TRUE(eventually([&] { return value("ems_topology_change_events_total") >= 3; }, 10s));
  EXPECT_TRUE(eventually(
      [&] { return value(R"(ems_topology_fetch_triggers_total{trigger="event"})") >= 1; }, 10s));
  // The event's fetch is over once a refresh issued after it has been served.
  ASSERT_TRUE(follower.refresh(10s));
  EXPECT_EQ(recorder_.versions(), std::vector<std::string>{"1.0.0"});
  EXPECT_EQ(value(R"(ems_topology_fetches_total{outcome="applied"})"), 1);
  EXPECT_GE(value(R"(ems_topology_fetches_total{outcome="unchanged"})"), 2);
}

TEST_F(FollowerIntegration, APostedChangeArrivesThroughTheEvent) {
  auto& api = make_api();
  api.start();
  ASSERT_TRUE(connect(testing::MosquittoServer::shared().url()));
  auto& follower = follow("/topology");
  ASSERT_TRUE(delivered_version("1.0.0", 20s));

  const auto posted = Clock::now();
  const auto answer = api.post("/topology", renamed_demo("Grid meter (renamed)"));
  ASSERT_EQ(answer.status, 201) << answer.body;
  ASSERT_EQ(json::parse(answer.body)["version"], "1.0.1");
  const auto next = delivered_version("1.0.1", 20s);
  ASSERT_TRUE(next) << testing::tail_file(api.log_path());
  std::printf("[ figure ] POST /topology -> new version delivered in %.0f ms\n", ms_since(posted));
  EXPECT_TRUE(next->triggers.has(Trigger::event)) << next->triggers.to_string();
  EXPECT_EQ(next->previous, "1.0.0");
  EXPECT_EQ(next->document["dtm"]["devices"]["poi_meter_1"]["display_name"],
            "Grid meter (renamed)");
  EXPECT_EQ(follower.current_version(), "1.0.1");
  EXPECT_EQ(value(R"(ems_topology_version_info{version="1.0.0"})"), 0);
  EXPECT_EQ(value(R"(ems_topology_version_info{version="1.0.1"})"), 1);
}

// The acceptance test of CONTRACT.md section 7: the broker goes away after device-api
// committed a version and before its event could go out. The follower must still reach the
// new version - through the re-fetch after its own reconnect, whether or not the event comes.
TEST_F(FollowerIntegration, ReachesAVersionCommittedWhileTheBrokerWasDown) {
  testing::MosquittoServer broker;  // private: this test stops and restarts it
  auto& api = make_api(broker.url());
  api.start();
  ASSERT_TRUE(connect(broker.url()));
  auto& follower = follow("/asyncapi");
  ASSERT_TRUE(delivered_version("1.0.0", 20s));

  broker.stop();
  ASSERT_TRUE(eventually([&] { return !mqtt_->is_connected(); }, 10s));
  const auto answer = api.post("/topology", renamed_demo("Committed while the broker was down"));
  ASSERT_EQ(answer.status, 201) << answer.body;
  ASSERT_EQ(json::parse(answer.body)["version"], "1.0.1");
  // Committed, but no event can reach the follower and no recheck runs: it stays on 1.0.0.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(follower.current_version(), "1.0.0");

  broker.start();  // same port
  const auto restarted = Clock::now();
  const auto next = delivered_version("1.0.1", 30s);
  ASSERT_TRUE(next) << "follower still on " << follower.current_version() << "\n"
                    << testing::tail_file(api.log_path());
  const double took_ms = std::chrono::duration<double, std::milli>(next->at - restarted).count();
  std::printf(
      "[ figure ] broker restart -> version committed during the outage delivered in "
      "%.0f ms (triggers: %s)\n",
      took_ms, next->triggers.to_string().c_str());
  // The fetch that delivered it was caused by the reconnect (an event may have been merged in).
  EXPECT_TRUE(next->triggers.has(Trigger::connect)) << next->triggers.to_string();
  EXPECT_LT(took_ms, 15000);
  EXPECT_EQ(next->document["info"]["version"], "1.0.1");
  EXPECT_EQ(recorder_.versions(), (std::vector<std::string>{"1.0.0", "1.0.1"}));
  EXPECT_EQ(value(R"(ems_topology_version_info{version="1.0.1"})"), 1);
  follower.stop();  // before the private broker goes
  mqtt_->stop();
}

TEST_F(FollowerIntegration, ARejectedVersionIsDeliveredAgainOnTheNextTrigger) {
  const std::string broker = testing::MosquittoServer::shared().url();
  // device-api announces its boot version too: that event passes before the follower
  // subscribes, so the only triggers below are the ones this test sends.
  auto& api = make_api();
  ASSERT_TRUE(start_api_past_its_boot_event(api, broker));
  ASSERT_TRUE(connect(broker));
  recorder_.fail_next();
  auto& follower = follow("/asyncapi");
  ASSERT_TRUE(eventually([&] { return recorder_.failures() == 1; }, 20s));
  EXPECT_TRUE(eventually(
      [&] { return value(R"(ems_topology_fetches_total{outcome="callback_failed"})") == 1; }, 5s));
  EXPECT_FALSE(follower.ready());
  EXPECT_EQ(follower.current_version(), "");
  // Not retried on its own (no event, no recheck): a deterministic failure would only repeat.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(recorder_.failures(), 1);
  EXPECT_TRUE(recorder_.versions().empty());

  // The next trigger - here a (repeated) change event from the broker - delivers it again.
  ASSERT_TRUE(publish_event("1.0.0"));
  const auto seen = delivered_version("1.0.0", 20s);
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->triggers.has(Trigger::event)) << seen->triggers.to_string();
  EXPECT_EQ(seen->previous, "");
  EXPECT_TRUE(follower.ready());

  // A new version the consumer refuses stays pending: the follower keeps running the old one,
  // refresh() reports what the callback threw, and a later trigger delivers it.
  recorder_.fail_next();
  ASSERT_EQ(api.post("/topology", renamed_demo("Refused once")).status, 201);
  ASSERT_TRUE(eventually([&] { return recorder_.failures() == 2; }, 20s));
  EXPECT_EQ(follower.current_version(), "1.0.0");
  recorder_.fail_next();
  auto report = follower.refresh(20s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::callback_failed);
  EXPECT_EQ(report->version, "1.0.1");
  ASSERT_TRUE(report->error);
  try {
    std::rethrow_exception(report->error);
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "refused by the test");
  }
  EXPECT_EQ(follower.current_version(), "1.0.0");
  report = follower.refresh(20s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::applied);
  EXPECT_EQ(follower.current_version(), "1.0.1");
  EXPECT_EQ(recorder_.versions(), (std::vector<std::string>{"1.0.0", "1.0.1"}));
}

TEST_F(FollowerIntegration, EventsDuringAFetchCoalesceAndTheCallbackNeverOverlaps) {
  const std::string broker = testing::MosquittoServer::shared().url();
  auto& api = make_api();
  ASSERT_TRUE(start_api_past_its_boot_event(api, broker));  // only this test's events count
  ASSERT_TRUE(connect(broker));  // connected before the follower starts: no connect trigger
  recorder_.hold(1500ms);        // a slow consumer
  follow("/topology");
  // Wait until the first fetch began, then send five events into the fetch and its callback.
  ASSERT_TRUE(eventually(
      [&] { return value(R"(ems_topology_fetch_triggers_total{trigger="start"})") == 1; }, 20s));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(publish_event("1.0.0"));
  ASSERT_TRUE(delivered_version("1.0.0", 20s));
  ASSERT_TRUE(eventually([&] { return value("ems_topology_change_events_total") == 5; }, 10s));
  // Five events while busy -> exactly one more fetch.
  const auto total = [&] {
    double sum = 0;
    for (const char* o : {"applied", "unchanged", "failed", "callback_failed"}) {
      sum += value(std::string("ems_topology_fetches_total{outcome=\"") + o + "\"}");
    }
    return sum;
  };
  EXPECT_TRUE(eventually([&] { return total() == 2; }, 10s));
  std::this_thread::sleep_for(1s);  // long enough for a third fetch to show
  EXPECT_EQ(total(), 2);
  EXPECT_EQ(value(R"(ems_topology_fetch_triggers_total{trigger="event"})"), 1);

  // Two versions posted back to back while the consumer is slow: each arrives once, in order,
  // and the callback never runs twice at the same time.
  ASSERT_EQ(api.post("/topology", renamed_demo("First rename")).status, 201);
  ASSERT_EQ(api.post("/topology", renamed_demo("Second rename")).status, 201);
  ASSERT_TRUE(delivered_version("1.0.2", 30s));
  const auto versions = recorder_.versions();
  EXPECT_EQ(versions.front(), "1.0.0");
  EXPECT_EQ(versions.back(), "1.0.2");
  for (std::size_t i = 1; i < versions.size(); ++i) EXPECT_NE(versions[i], versions[i - 1]);
  EXPECT_EQ(recorder_.max_concurrent(), 1);
}

TEST_F(FollowerIntegration, StopEndsTheBackoffAtOnce) {
  // 1. Nothing listens: the follower sits in fetch_with_backoff's wait between attempts.
  const int closed_port = testing::free_loopback_port();
  auto slow = follower_options("http://127.0.0.1:" + std::to_string(closed_port), "/asyncapi");
  slow.initial_delay = 30s;
  slow.max_delay = 30s;
  follow(slow);
  std::this_thread::sleep_for(300ms);
  auto t0 = Clock::now();
  follower_->stop();
  std::printf("[ figure ] stop() while waiting between connection attempts: %.1f ms\n",
              ms_since(t0));
  EXPECT_LT(ms_since(t0), 2000);

  // 2. device-api with an empty store answers 404: the follower waits in its own retry
  // backoff. The failure is reported, and stop() again ends the wait at once.
  auto& api = make_api("", /*boot_demo=*/false);
  api.start();
  auto empty = follower_options(api.base_url(), "/topology");
  empty.initial_delay = 30s;
  empty.max_delay = 30s;
  auto& follower = follow(empty);
  EXPECT_TRUE(eventually(
      [&] { return value(R"(ems_topology_fetches_total{outcome="failed"})") >= 1; }, 10s));
  const auto report = follower.refresh(10s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::failed);
  ASSERT_TRUE(report->error);
  try {
    std::rethrow_exception(report->error);
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("answered 404"), std::string::npos) << e.what();
  }
  std::this_thread::sleep_for(200ms);
  t0 = Clock::now();
  follower.stop();
  std::printf("[ figure ] stop() while waiting to retry an unusable answer: %.1f ms\n",
              ms_since(t0));
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_FALSE(follower.ready());
  EXPECT_TRUE(recorder_.versions().empty());
  EXPECT_EQ(follower.refresh(100ms), std::nullopt);  // stopped
}

}  // namespace
}  // namespace ems::follower
