// LineControlLoop in process on a real mosquitto, with the test playing the devices (samples on
// the demo DTM's topics) and the gateway (acks, tap feedback): the retained tap read before
// acting, the command's form on the bus, completion and FAULT by ack, and the weather's age
// turning the rating STATIC within 3 cycles without any comm_status help.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "control_loop.hpp"
#include "ems/contract/payload.hpp"
#include "ems/contract/topic.hpp"
#include "ems/testing/servers.hpp"

namespace ems::line_controller {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kCycle = 100ms;

std::string m_topic(const std::string& device, const std::string& m, const std::string& unit) {
  return "sites/demo_site/devices/" + device + "/measurements/" + m + "/" + unit;
}
const std::string kCommand = "sites/demo_site/devices/pst_1/commands/set/tap_position/none";
const std::string kAck = "sites/demo_site/devices/pst_1/acks/set/tap_position/none";
const std::string kState = m_topic("dlr_line_1", "controller_state", "none");
const std::string kMode = m_topic("dlr_line_1", "rating_mode", "none");
const std::string kLine = "sites/demo_site/devices/dlr_line_1/";
const std::string kDisable = "disable/auto_control_enabled/none";
const std::string kEnable = "enable/auto_control_enabled/none";
const std::string kReset = "reset/controller_state/none";
const std::string kAuto = m_topic("dlr_line_1", "auto_control_enabled", "none");
const std::string kOps = m_topic("dlr_line_1", "tap_operations_last_hour", "none");

runtime::MqttOptions client(const std::string& url, const std::string& id) {
  runtime::MqttOptions o;
  o.url = url;
  o.service_id = id;
  o.min_reconnect_delay = 200ms;
  return o;
}

class ControlLoop : public ::testing::Test {
 protected:
  struct Seen {
    std::string payload;
    bool retained;
    Clock::time_point at;
  };

  void SetUp() override {
    devices_ = std::make_unique<runtime::MqttClient>(client(broker_.url(), "devices"), registry_);
    devices_->subscribe("sites/#", 1, [this](const runtime::MqttMessage& m) {
      {
        std::lock_guard lock(mutex_);
        seen_[m.topic].push_back({m.payload, m.retained, Clock::now()});
      }
      cv_.notify_all();
    });
    devices_->start();
    ASSERT_TRUE(devices_->wait_connected(10s));
  }
  void TearDown() override {
    if (loop_) loop_->stop();
    loop_.reset();
    if (mqtt_) mqtt_->stop();
    mqtt_.reset();
    devices_.reset();
  }

  static contract::Json demo() {
    std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
    return contract::Json::parse(in);
  }
  void start_loop(LoopOptions o, const contract::Json& dtm = demo()) {
    o.cycle = kCycle;
    mqtt_ =
        std::make_unique<runtime::MqttClient>(client(broker_.url(), "line-controller"), registry_);
    loop_ = std::make_unique<LineControlLoop>(o, *mqtt_, registry_);
    loop_->apply(contract::parse_dtm(dtm));
    mqtt_->start();
    ASSERT_TRUE(mqtt_->wait_connected(10s));
    loop_->start();
  }
  static LoopOptions options() {
    LoopOptions o;
    o.weather_max_age = 1s;
    o.current_max_age = 1s;
    o.rating.static_rating_a = 500;
    o.rating.cap_factor = 1.2;  // 600 A while the weather is fresh (the wind makes DLR larger)
    o.pst.settle = 0ms;
    o.pst.relax_dwell = 0ms;
    o.pst.step_timeout = 2s;
    o.restore_wait = 300ms;
    return o;
  }

  void sample(const std::string& topic, double v) {
    devices_->publish(topic, contract::encode(contract::FloatSample{now(), v}), 0, true);
  }
  void weather() {
    sample(m_topic("dlr_weather_station_1", "ambient_temperature", "celsius"), 25);
    sample(m_topic("dlr_weather_station_1", "wind_speed", "meters_per_second"), 4);
    sample(m_topic("dlr_weather_station_1", "wind_direction", "degrees"), 0);
  }
  void current(double amps) { sample(m_topic("line_meter_1", "line_current", "amps"), amps); }
  void tap(double t) { sample(m_topic("pst_1", "tap_position", "none"), t); }
  void ack(const std::string& id, contract::AckState s) {
    devices_->publish(kAck, contract::encode(contract::Ack{now(), id, s, std::nullopt}), 1, false);
  }
  static contract::Timestamp now() {
    return contract::to_timestamp(std::chrono::system_clock::now());
  }

  std::vector<Seen> of(const std::string& topic) {
    std::lock_guard lock(mutex_);
    return seen_[topic];
  }
  std::optional<bool> flag(const std::string& topic) {
    auto v = of(topic);
    if (v.empty()) return std::nullopt;
    return contract::decode_boolean_sample(v.back().payload).value;
  }
  std::string label(const std::string& topic) {
    auto v = of(topic);
    return v.empty() ? "" : contract::decode_enum_sample(v.back().payload).value;
  }
  // Keeps the inputs fresh (every 200 ms) until pred() or timeout.
  bool feed_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout, double amps,
                  bool with_weather = true) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (with_weather) weather();
      current(amps);
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, 200ms);
      lock.unlock();
      if (pred()) return true;
    }
    return false;
  }

  // Waits until the loop has read back its retained state and publishes: its command
  // subscriptions are in place (a command is not retained: one sent earlier is lost).
  void wait_serving() {
    ASSERT_TRUE(feed_until([&] { return !label(kState).empty(); }, 5s, 0, false));
  }
  // A command on the line device; returns its command_id.
  std::string send(const std::string& verb_target_unit, const contract::CommandValue& v,
                   std::string id = contract::random_uuid()) {
    devices_->publish(kLine + "commands/" + verb_target_unit,
                      contract::encode(contract::CommandPayload{now(), id, v}), 1, false);
    return id;
  }
  std::vector<std::string> acks(const std::string& verb_target_unit, const std::string& id) {
    std::vector<std::string> out;
    for (const auto& s : of(kLine + "acks/" + verb_target_unit)) {
      const auto a = contract::decode_ack(s.payload);
      if (a.command_id == id)
        out.push_back(std::string(contract::to_string(a.state)) +
                      (a.reason ? ": " + *a.reason : std::string()));
    }
    return out;
  }
  // Waits (feeding `amps`) until the command has a final ack; returns every ack of it.
  std::vector<std::string> final_acks(const std::string& verb_target_unit, const std::string& id,
                                      double amps) {
    feed_until(
        [&] {
          for (const auto& a : acks(verb_target_unit, id))
            if (a.rfind("done", 0) == 0 || a.rfind("rejected", 0) == 0) return true;
          return false;
        },
        5s, amps);
    return acks(verb_target_unit, id);
  }
  void restart(LoopOptions o) {
    loop_->stop();
    loop_.reset();
    mqtt_->stop();
    mqtt_.reset();
    {
      std::lock_guard lock(mutex_);
      seen_.erase(kState);  // label(kState) is the new run's
    }
    start_loop(o);
  }

  testing::MosquittoServer broker_;
  runtime::metrics::Registry registry_;
  std::unique_ptr<runtime::MqttClient> devices_, mqtt_;
  std::unique_ptr<LineControlLoop> loop_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Seen>> seen_;
};

TEST_F(ControlLoop, ReadsTheRetainedTapThenStepsAndCompletesOnAckAndFeedback) {
  start_loop(options());
  // Overloaded (660 A of 600 A) but no tap position was ever published: INIT, no command.
  ASSERT_TRUE(feed_until([&] { return label(kState) == "INIT"; }, 5s, 660));
  std::this_thread::sleep_for(5 * kCycle);
  EXPECT_TRUE(of(kCommand).empty());
  EXPECT_EQ(label(kState), "INIT");

  // The PST's (retained) position: -3. The controller steps from there, to -4.
  tap(-3);
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 660));
  const auto cmd = of(kCommand).front();
  EXPECT_FALSE(cmd.retained);  // commands are never retained
  const auto c = contract::decode_command(cmd.payload, contract::PayloadType::Float);
  EXPECT_TRUE(contract::is_uuid(c.command_id));
  EXPECT_EQ(std::get<double>(c.value), -4.0);
  ASSERT_TRUE(feed_until([&] { return label(kState) == "STEPPING"; }, 2s, 660));
  // One step in flight: still overloaded, no second command.
  std::this_thread::sleep_for(5 * kCycle);
  EXPECT_EQ(of(kCommand).size(), 1u);

  // The gateway acks it done and the tap reports -4; the line is relieved (540 A = 90 %).
  ack(c.command_id, contract::AckState::received);
  ack(c.command_id, contract::AckState::accepted);
  ack(c.command_id, contract::AckState::done);
  tap(-4);
  ASSERT_TRUE(feed_until([&] { return label(kState) == "IDLE"; }, 5s, 540)) << label(kState);
  std::this_thread::sleep_for(5 * kCycle);
  EXPECT_EQ(of(kCommand).size(), 1u);
  EXPECT_EQ(contract::decode_float_sample(
                of(m_topic("dlr_line_1", "line_loading", "percent")).back().payload)
                .value,
            90.0);
}

TEST_F(ControlLoop, AFailedAckFaultsTheController) {
  tap(0);
  start_loop(options());
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700));
  const auto c = contract::decode_command(of(kCommand).front().payload);
  ack(c.command_id, contract::AckState::failed);
  // controller_state and controller_mode come from the same cycle.
  ASSERT_TRUE(feed_until(
      [&] {
        return label(kState) == "FAULT" &&
               label(m_topic("dlr_line_1", "controller_mode", "none")) == "FAULT";
      },
      5s, 700))
      << label(kState);
  std::this_thread::sleep_for(5 * kCycle);
  EXPECT_EQ(of(kCommand).size(), 1u);
}

TEST_F(ControlLoop, NoFeedbackWithinTheStepTimeoutFaults) {
  tap(0);
  start_loop(options());
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700));
  const auto c = contract::decode_command(of(kCommand).front().payload);
  ack(c.command_id, contract::AckState::done);  // acked, but the tap never moves
  const auto sent = of(kCommand).front().at;
  ASSERT_TRUE(feed_until([&] { return label(kState) == "FAULT"; }, 5s, 700)) << label(kState);
  // Not before the step timeout (2 s; `sent` is when the test saw the command, a few ms after
  // the controller sent it, so allow delivery jitter).
  EXPECT_GE(Clock::now() - sent, 2s - 150ms);
}

TEST_F(ControlLoop, WeatherOlderThanItsLimitGivesTheStaticRatingWithinThreeCycles) {
  tap(0);
  start_loop(options());
  ASSERT_TRUE(feed_until([&] { return label(kMode) == "CAPPED"; }, 5s, 300));
  // The weather stops (no comm_status: only its age tells); the current keeps coming.
  weather();
  const auto last_weather = Clock::now();
  ASSERT_TRUE(feed_until([&] { return label(kMode) == "STATIC"; }, 5s, 300, false));
  std::optional<Clock::time_point> static_at;
  for (const auto& s : of(kMode))
    if (!static_at && s.at > last_weather &&
        contract::decode_enum_sample(s.payload).value == "STATIC")
      static_at = s.at;
  ASSERT_TRUE(static_at);
  EXPECT_GE(*static_at - last_weather, 1s - 50ms);  // not before the age limit
  EXPECT_LE(*static_at - last_weather, 1s + 3 * kCycle + 100ms);
  std::cout
      << "last weather -> STATIC: "
      << std::chrono::duration_cast<std::chrono::milliseconds>(*static_at - last_weather).count()
      << " ms (age limit 1000 ms, cycle " << kCycle.count() << " ms)\n";
  // The same cycle publishes the static rating and the status (after rating_mode).
  const std::string rating = m_topic("dlr_line_1", "effective_rating", "amps");
  EXPECT_TRUE(feed_until(
      [&] {
        return label(m_topic("dlr_line_1", "rating_status", "none")) == "STALE" &&
               contract::decode_float_sample(of(rating).back().payload).value == 500.0;
      },
      2s, 300, false));
}

TEST_F(ControlLoop, FollowsATopologyChangeWithoutRestart) {
  // First topology: the PST is not on the line's bus (and the line meter is called meter_a):
  // the line is rated from the renamed meter, but not controlled.
  auto doc = demo();
  for (auto& bus : doc["buses"]) {
    contract::Json kept = contract::Json::array();
    for (auto& m : bus["members"])
      if (m["device_id"] != "pst_1") kept.push_back(m);
    bus["members"] = kept;
  }
  auto meter = doc["devices"]["line_meter_1"];
  doc["devices"].erase("line_meter_1");
  meter["device_id"] = "meter_a";
  doc["devices"]["meter_a"] = meter;
  for (auto& bus : doc["buses"])
    for (auto& m : bus["members"])
      if (m["device_id"] == "line_meter_1") m["device_id"] = "meter_a";
  tap(0);
  start_loop(options(), doc);
  const std::string loading = m_topic("dlr_line_1", "line_loading", "percent");
  ASSERT_TRUE(feed_until(
      [&] {
        sample(m_topic("meter_a", "line_current", "amps"), 700);
        return !of(loading).empty() &&
               contract::decode_float_sample(of(loading).back().payload).value > 110;
      },
      5s, 0));
  std::this_thread::sleep_for(5 * kCycle);
  EXPECT_TRUE(of(kCommand).empty());
  EXPECT_EQ(label(kState), "MANUAL");
  // The demo topology (PST on the line bus) is applied to the running loop: it controls.
  loop_->apply(contract::parse_dtm(demo()));
  EXPECT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700)) << label(kState);
}

// The line template's commands (fanout line_controller) are this service's: acked received ->
// accepted -> done, the same cycle's controller_state showing the effect.
TEST_F(ControlLoop, DisableStopsSteppingAndEnableResumes) {
  tap(0);
  start_loop(options());
  wait_serving();
  const std::string off = send(kDisable, false);
  EXPECT_EQ(final_acks(kDisable, off, 700),
            (std::vector<std::string>{"received", "accepted", "done"}));
  ASSERT_TRUE(feed_until([&] { return label(kState) == "MANUAL"; }, 5s, 700)) << label(kState);
  EXPECT_TRUE(feed_until([&] { return flag(kAuto) == false; }, 2s, 700));
  // Overloaded (700 A of 600 A), but automatic control is off: no step.
  feed_until([] { return false; }, 1s, 700);
  EXPECT_TRUE(of(kCommand).empty());
  EXPECT_EQ(label(kState), "MANUAL");

  const std::string on = send(kEnable, true);
  EXPECT_EQ(final_acks(kEnable, on, 700),
            (std::vector<std::string>{"received", "accepted", "done"}));
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700)) << label(kState);
  EXPECT_TRUE(feed_until([&] { return flag(kAuto) == true; }, 2s, 700));
  EXPECT_EQ(std::get<double>(contract::decode_command(of(kCommand).front().payload).value), -1.0);
}

TEST_F(ControlLoop, ResetClearsAFaultAndIsRejectedWithoutOne) {
  tap(0);
  start_loop(options());
  wait_serving();
  const std::string early = send(kReset, contract::Trigger{});
  const auto not_fault = final_acks(kReset, early, 700);
  ASSERT_EQ(not_fault.size(), 2u);
  EXPECT_EQ(not_fault[0], "received");
  EXPECT_EQ(not_fault[1].rfind("rejected: the PST control is not in FAULT", 0), 0u) << not_fault[1];
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700));
  ack(contract::decode_command(of(kCommand).front().payload).command_id,
      contract::AckState::failed);
  ASSERT_TRUE(feed_until([&] { return label(kState) == "FAULT"; }, 5s, 700)) << label(kState);
  feed_until([] { return false; }, 500ms, 700);
  EXPECT_EQ(of(kCommand).size(), 1u);  // sticky

  const std::string id = send(kReset, contract::Trigger{});
  EXPECT_EQ(final_acks(kReset, id, 700),
            (std::vector<std::string>{"received", "accepted", "done"}));
  // Out of FAULT: still overloaded, so it steps again from the reported tap.
  ASSERT_TRUE(feed_until([&] { return of(kCommand).size() == 2; }, 5s, 700)) << label(kState);
  // (the same cycle's controller_state follows its command on the bus)
  EXPECT_TRUE(feed_until([&] { return label(kState) == "STEPPING"; }, 2s, 700)) << label(kState);
}

TEST_F(ControlLoop, BadLineCommandsAreRejectedOrDropped) {
  tap(0);
  start_loop(options());
  wait_serving();
  // A wrong unit, a payload of the wrong type, a contradicting value: rejected with a reason.
  auto a = final_acks("disable/auto_control_enabled/percent",
                      send("disable/auto_control_enabled/percent", false), 300);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].rfind("rejected: unit 'percent'", 0), 0u) << a[0];
  a = final_acks(kDisable, send(kDisable, 3.0), 300);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].rfind("rejected: malformed payload", 0), 0u) << a[0];
  a = final_acks(kEnable, send(kEnable, false), 300);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.back().rfind("rejected: 'enable' must carry true, not false", 0), 0u) << a.back();
  // No command_id: nothing to ack. A duplicate: answered once.
  devices_->publish(kLine + "commands/" + kDisable,
                    R"({"ts":"2026-12-04T10:00:00.000Z","value":false})", 1, false);
  const std::string id = contract::random_uuid();
  send(kEnable, true, id);
  send(kEnable, true, id);
  EXPECT_EQ(final_acks(kEnable, id, 300).size(), 3u);
  feed_until([] { return false; }, 500ms, 300);
  EXPECT_EQ(acks(kEnable, id), (std::vector<std::string>{"received", "accepted", "done"}));
  EXPECT_EQ(flag(kAuto), true);  // never disabled
}

// A restart keeps what an operator and the budget left: the retained mode (over the start
// default), the operations of the last hour, and a FAULT.
TEST_F(ControlLoop, ARestartKeepsTheModeTheBudgetAndAFault) {
  auto o = options();
  o.pst.max_operations_per_hour = 1;
  tap(0);
  start_loop(o);
  // One step (the whole budget), completed; still overloaded -> BUDGET_EXHAUSTED.
  ASSERT_TRUE(feed_until([&] { return !of(kCommand).empty(); }, 5s, 700));
  ack(contract::decode_command(of(kCommand).front().payload).command_id, contract::AckState::done);
  tap(-1);
  ASSERT_TRUE(feed_until([&] { return label(kState) == "BUDGET_EXHAUSTED"; }, 5s, 700))
      << label(kState);
  ASSERT_TRUE(feed_until(
      [&] {
        const auto v = of(kOps);
        return !v.empty() && contract::decode_float_sample(v.back().payload).value == 1.0;
      },
      2s, 700));
  restart(o);
  // The new run reads the retained count: no fresh budget, no second step.
  ASSERT_TRUE(feed_until([&] { return label(kState) == "BUDGET_EXHAUSTED"; }, 5s, 700))
      << label(kState);
  feed_until([] { return false; }, 1s, 700);
  EXPECT_EQ(of(kCommand).size(), 1u);
  EXPECT_EQ(loop_->state()["lines"][0]["restored"], true);

  // Disabled by an operator, restarted with the start default "on": stays MANUAL.
  o.pst.max_operations_per_hour = 20;
  const std::string off = send(kDisable, false);
  EXPECT_EQ(final_acks(kDisable, off, 700).back(), "done");
  ASSERT_TRUE(feed_until([&] { return label(kState) == "MANUAL"; }, 5s, 700));
  o.auto_control = true;
  restart(o);
  feed_until([] { return false; }, 1s, 700);
  EXPECT_EQ(label(kState), "MANUAL");
  EXPECT_EQ(loop_->state()["lines"][0]["auto_control_enabled"], false);
  EXPECT_EQ(of(kCommand).size(), 1u);

  // Enabled again, a step fails -> FAULT; a restart keeps the FAULT until a reset.
  EXPECT_EQ(final_acks(kEnable, send(kEnable, true), 700).back(), "done");
  ASSERT_TRUE(feed_until([&] { return of(kCommand).size() == 2; }, 5s, 700)) << label(kState);
  ack(contract::decode_command(of(kCommand).back().payload).command_id, contract::AckState::failed);
  ASSERT_TRUE(feed_until([&] { return label(kState) == "FAULT"; }, 5s, 700));
  restart(o);
  feed_until([] { return false; }, 1s, 700);
  EXPECT_EQ(label(kState), "FAULT");
  EXPECT_EQ(of(kCommand).size(), 2u);
  EXPECT_EQ(final_acks(kReset, send(kReset, contract::Trigger{}), 700).back(), "done");
  EXPECT_TRUE(feed_until([&] { return of(kCommand).size() == 3; }, 5s, 700)) << label(kState);
}

}  // namespace
}  // namespace ems::line_controller
