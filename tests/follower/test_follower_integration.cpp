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
  o.service_id = "follower-test-" + name;
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

TEST(FollowerIntegration, BootsWithBackoffBeforeDeviceApiIsUpAndDeliversEachVersionOnce) {
  const std::string broker = testing::MosquittoServer::shared().url();
  testing::DeviceApiProcess api(device_api_options());
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(mqtt_options(broker, "boot"), registry);
  mqtt.start();
  ASSERT_TRUE(mqtt.wait_connected(10s));
  Recorder recorder;
  TopologyFollower follower(follower_options(api.base_url(), "/asyncapi"), &mqtt,
                            recorder.callback(), registry);
  follower.start();

  // Nothing listens yet: the follower retries; nothing is delivered, not ready.
  std::this_thread::sleep_for(800ms);
  EXPECT_FALSE(follower.ready());
  EXPECT_EQ(follower.current_version(), "");
  EXPECT_TRUE(recorder.versions().empty());

  api.start();
  const auto up = Clock::now();
  const auto first = delivered(recorder, follower, "1.0.0", 20s);
  ASSERT_TRUE(first) << testing::tail_file(api.log_path());
  std::printf("[ figure ] first /asyncapi delivered %.0f ms after device-api answered\n",
              ms_since(up));
  EXPECT_EQ(first->previous, "");
  EXPECT_TRUE(first->triggers.has(Trigger::start)) << first->triggers.to_string();
  EXPECT_EQ(first->document["asyncapi"], "3.0.0");
  EXPECT_EQ(first->document["info"]["version"], "1.0.0");
  EXPECT_TRUE(follower.ready());
  EXPECT_EQ(follower.current_version(), "1.0.0");
  EXPECT_EQ(metric(registry, R"(ems_topology_version_info{version="1.0.0"})"), 1);
  EXPECT_GT(metric(registry, "ems_topology_last_success_timestamp_seconds"), 1.7e9);

  // The same version again - by refresh (a 304 on the ETag) or by a repeated event - is not
  // delivered again.
  const auto report = follower.refresh(10s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::unchanged);
  EXPECT_EQ(report->version, "1.0.0");
  runtime::MqttClient publisher(mqtt_options(broker, "boot-pub"), registry);
  publisher.start();
  ASSERT_TRUE(publisher.wait_connected(10s));
  for (int i = 0; i < 3; ++i) {
    publisher.publish("system/topology_changed",
                      R"({"ts":"2026-01-01T00:00:00.000Z","version":"1.0.0"})", 1, false);
  }
  EXPECT_TRUE(
      eventually([&] { return metric(registry, "ems_topology_change_events_total") >= 3; }, 10s));
  EXPECT_TRUE(eventually(
      [&] {
        return metric(registry, R"(ems_topology_fetch_triggers_total{trigger="event"})") >= 1;
      },
      10s));
  // The event's fetch is over once a refresh issued after it has been served.
  ASSERT_TRUE(follower.refresh(10s));
  EXPECT_EQ(recorder.versions(), std::vector<std::string>{"1.0.0"});
  EXPECT_EQ(metric(registry, R"(ems_topology_fetches_total{outcome="applied"})"), 1);
  EXPECT_GE(metric(registry, R"(ems_topology_fetches_total{outcome="unchanged"})"), 2);

  follower.stop();
  publisher.stop();
  mqtt.stop();
}

TEST(FollowerIntegration, APostedChangeArrivesThroughTheEvent) {
  const std::string broker = testing::MosquittoServer::shared().url();
  testing::DeviceApiProcess api(device_api_options());
  api.start();
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(mqtt_options(broker, "event"), registry);
  mqtt.start();
  ASSERT_TRUE(mqtt.wait_connected(10s));
  Recorder recorder;
  TopologyFollower follower(follower_options(api.base_url(), "/topology"), &mqtt,
                            recorder.callback(), registry);
  follower.start();
  ASSERT_TRUE(delivered(recorder, follower, "1.0.0", 20s));

  const auto posted = Clock::now();
  const auto answer = api.post("/topology", renamed_demo("Grid meter (renamed)"));
  ASSERT_EQ(answer.status, 201) << answer.body;
  ASSERT_EQ(json::parse(answer.body)["version"], "1.0.1");
  const auto next = delivered(recorder, follower, "1.0.1", 20s);
  ASSERT_TRUE(next) << testing::tail_file(api.log_path());
  std::printf("[ figure ] POST /topology -> new version delivered in %.0f ms\n", ms_since(posted));
  EXPECT_TRUE(next->triggers.has(Trigger::event)) << next->triggers.to_string();
  EXPECT_EQ(next->previous, "1.0.0");
  EXPECT_EQ(next->document["dtm"]["devices"]["poi_meter_1"]["display_name"],
            "Grid meter (renamed)");
  EXPECT_EQ(follower.current_version(), "1.0.1");
  EXPECT_EQ(metric(registry, R"(ems_topology_version_info{version="1.0.0"})"), 0);
  EXPECT_EQ(metric(registry, R"(ems_topology_version_info{version="1.0.1"})"), 1);
  follower.stop();
  mqtt.stop();
}

// The acceptance test of CONTRACT.md section 7: the broker goes away after device-api
// committed a version and before its event could go out. The follower must still reach the
// new version - through the re-fetch after its own reconnect, whether or not the event comes.
TEST(FollowerIntegration, ReachesAVersionCommittedWhileTheBrokerWasDown) {
  testing::MosquittoServer broker;  // private: this test stops and restarts it
  testing::DeviceApiProcess api(device_api_options(broker.url()));
  api.start();
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(mqtt_options(broker.url(), "outage"), registry);
  mqtt.start();
  ASSERT_TRUE(mqtt.wait_connected(10s));
  Recorder recorder;
  TopologyFollower follower(follower_options(api.base_url(), "/asyncapi"), &mqtt,
                            recorder.callback(), registry);
  follower.start();
  ASSERT_TRUE(delivered(recorder, follower, "1.0.0", 20s));

  broker.stop();
  ASSERT_TRUE(eventually([&] { return !mqtt.is_connected(); }, 10s));
  const auto answer = api.post("/topology", renamed_demo("Committed while the broker was down"));
  ASSERT_EQ(answer.status, 201) << answer.body;
  ASSERT_EQ(json::parse(answer.body)["version"], "1.0.1");
  // Committed, but no event can reach the follower and no recheck runs: it stays on 1.0.0.
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(follower.current_version(), "1.0.0");

  broker.start();  // same port
  const auto restarted = Clock::now();
  const auto next = delivered(recorder, follower, "1.0.1", 30s);
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
  EXPECT_EQ(recorder.versions(), (std::vector<std::string>{"1.0.0", "1.0.1"}));
  EXPECT_EQ(metric(registry, R"(ems_topology_version_info{version="1.0.1"})"), 1);
  follower.stop();
  mqtt.stop();
}

TEST(FollowerIntegration, ARejectedVersionIsDeliveredAgainOnTheNextTrigger) {
  const std::string broker = testing::MosquittoServer::shared().url();
  testing::DeviceApiProcess api(device_api_options());
  api.start();
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(mqtt_options(broker, "reject"), registry);
  mqtt.start();
  ASSERT_TRUE(mqtt.wait_connected(10s));
  Recorder recorder;
  recorder.fail_next();
  TopologyFollower follower(follower_options(api.base_url(), "/asyncapi"), &mqtt,
                            recorder.callback(), registry);
  follower.start();
  ASSERT_TRUE(eventually([&] { return recorder.failures() == 1; }, 20s));
  EXPECT_TRUE(eventually(
      [&] {
        return metric(registry, R"(ems_topology_fetches_total{outcome="callback_failed"})") == 1;
      },
      5s));
  EXPECT_FALSE(follower.ready());
  EXPECT_EQ(follower.current_version(), "");
  // Not retried on its own (no event, no recheck): a deterministic failure would only repeat.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(recorder.failures(), 1);
  EXPECT_TRUE(recorder.versions().empty());

  // The next trigger - here a (repeated) change event from the broker - delivers it again.
  runtime::MqttClient publisher(mqtt_options(broker, "reject-pub"), registry);
  publisher.start();
  ASSERT_TRUE(publisher.wait_connected(10s));
  publisher.publish("system/topology_changed",
                    R"({"ts":"2026-01-01T00:00:00.000Z","version":"1.0.0"})", 1, false);
  const auto seen = delivered(recorder, follower, "1.0.0", 20s);
  ASSERT_TRUE(seen);
  EXPECT_TRUE(seen->triggers.has(Trigger::event)) << seen->triggers.to_string();
  EXPECT_EQ(seen->previous, "");
  EXPECT_TRUE(follower.ready());

  // A new version the consumer refuses stays pending: the follower keeps running the old one,
  // refresh() reports what the callback threw, and a later trigger delivers it.
  recorder.fail_next();
  ASSERT_EQ(api.post("/topology", renamed_demo("Refused once")).status, 201);
  ASSERT_TRUE(eventually([&] { return recorder.failures() == 2; }, 20s));
  EXPECT_EQ(follower.current_version(), "1.0.0");
  recorder.fail_next();
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
  EXPECT_EQ(recorder.versions(), (std::vector<std::string>{"1.0.0", "1.0.1"}));
  follower.stop();
  publisher.stop();
  mqtt.stop();
}

TEST(FollowerIntegration, EventsDuringAFetchCoalesceAndTheCallbackNeverOverlaps) {
  const std::string broker = testing::MosquittoServer::shared().url();
  testing::DeviceApiProcess api(device_api_options());
  api.start();
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(mqtt_options(broker, "coalesce"), registry);
  mqtt.start();
  ASSERT_TRUE(mqtt.wait_connected(10s));  // connected before start(): no connect trigger
  Recorder recorder;
  recorder.hold(1500ms);  // a slow consumer
  TopologyFollower follower(follower_options(api.base_url(), "/topology"), &mqtt,
                            recorder.callback(), registry);
  follower.start();
  runtime::MqttClient publisher(mqtt_options(broker, "coalesce-pub"), registry);
  publisher.start();
  ASSERT_TRUE(publisher.wait_connected(10s));
  // Wait until the first callback is running, then send five events into it.
  ASSERT_TRUE(eventually(
      [&] {
        return metric(registry, R"(ems_topology_fetch_triggers_total{trigger="start"})") == 1;
      },
      20s));
  for (int i = 0; i < 5; ++i) {
    publisher.publish("system/topology_changed",
                      R"({"ts":"2026-01-01T00:00:00.000Z","version":"1.0.0"})", 1, false);
  }
  ASSERT_TRUE(delivered(recorder, follower, "1.0.0", 20s));
  ASSERT_TRUE(
      eventually([&] { return metric(registry, "ems_topology_change_events_total") == 5; }, 10s));
  // Five events while busy -> exactly one more fetch.
  const auto total = [&] {
    double sum = 0;
    for (const char* o : {"applied", "unchanged", "failed", "callback_failed"}) {
      sum += metric(registry, std::string("ems_topology_fetches_total{outcome=\"") + o + "\"}");
    }
    return sum;
  };
  EXPECT_TRUE(eventually([&] { return total() == 2; }, 10s));
  std::this_thread::sleep_for(1s);  // long enough for a third fetch to show
  EXPECT_EQ(total(), 2);
  EXPECT_EQ(metric(registry, R"(ems_topology_fetch_triggers_total{trigger="event"})"), 1);

  // Two versions posted back to back while the consumer is slow: each arrives once, in order,
  // and the callback never runs twice at the same time.
  ASSERT_EQ(api.post("/topology", renamed_demo("First rename")).status, 201);
  ASSERT_EQ(api.post("/topology", renamed_demo("Second rename")).status, 201);
  ASSERT_TRUE(delivered(recorder, follower, "1.0.2", 30s));
  const auto versions = recorder.versions();
  EXPECT_EQ(versions.front(), "1.0.0");
  EXPECT_EQ(versions.back(), "1.0.2");
  for (std::size_t i = 1; i < versions.size(); ++i) EXPECT_NE(versions[i], versions[i - 1]);
  EXPECT_EQ(recorder.max_concurrent(), 1);
  follower.stop();
  publisher.stop();
  mqtt.stop();
}

TEST(FollowerIntegration, StopEndsTheBackoffAtOnce) {
  runtime::metrics::Registry registry;
  Recorder recorder;
  // 1. Nothing listens: the follower sits in fetch_with_backoff's wait between attempts.
  const int closed_port = testing::free_loopback_port();
  auto slow = follower_options("http://127.0.0.1:" + std::to_string(closed_port), "/asyncapi");
  slow.initial_delay = 30s;
  slow.max_delay = 30s;
  {
    TopologyFollower follower(slow, nullptr, recorder.callback(), registry);
    follower.start();
    std::this_thread::sleep_for(300ms);
    const auto t0 = Clock::now();
    follower.stop();
    std::printf("[ figure ] stop() while waiting between connection attempts: %.1f ms\n",
                ms_since(t0));
    EXPECT_LT(ms_since(t0), 2000);
  }

  // 2. device-api with an empty store answers 404: the follower waits in its own retry
  // backoff. The failure is reported, and stop() again ends the wait at once.
  testing::DeviceApiProcess api(device_api_options("", /*boot_demo=*/false));
  api.start();
  auto empty = follower_options(api.base_url(), "/topology");
  empty.initial_delay = 30s;
  empty.max_delay = 30s;
  TopologyFollower follower(empty, nullptr, recorder.callback(), registry);
  follower.start();
  EXPECT_TRUE(eventually(
      [&] { return metric(registry, R"(ems_topology_fetches_total{outcome="failed"})") >= 1; },
      10s));
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
  const auto t0 = Clock::now();
  follower.stop();
  std::printf("[ figure ] stop() while waiting to retry an unusable answer: %.1f ms\n",
              ms_since(t0));
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_FALSE(follower.ready());
  EXPECT_TRUE(recorder.versions().empty());
  EXPECT_EQ(follower.refresh(100ms), std::nullopt);  // stopped
}

}  // namespace
}  // namespace ems::follower
