// The closed loop on real parts: a private mosquitto, the shared real PostgreSQL, and the
// ems-device-api, ems-fixtures, ems-gateway and ems-line-controller binaries as processes on the
// demo DTM (every device on a free port). The line-controller finds the DLR devices in the DTM,
// the gateway reads the simulated line over DNP3/Modbus and executes the tap commands, and the
// fixtures' line flow and conductor temperature (libs/physics) answer the PST.
#include <gtest/gtest.h>

#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "ems/contract/payload.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/device_api.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"
#include "site_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kSite = "demo_site";
constexpr auto kCycle = 200ms;

std::string line_topic(const std::string& m, const std::string& unit) {
  return std::string("sites/") + kSite + "/devices/dlr_line_1/measurements/" + m + "/" + unit;
}
const std::string kLoading = line_topic("line_loading", "percent");
const std::string kRating = line_topic("effective_rating", "amps");
const std::string kRatingMode = line_topic("rating_mode", "none");
const std::string kState = line_topic("controller_state", "none");
const std::string kPredicted = line_topic("predicted_conductor_temperature", "celsius");
const std::string kMargin = line_topic("thermal_margin", "celsius");
const std::string kTapCommand =
    std::string("sites/") + kSite + "/devices/pst_1/commands/set/tap_position/none";
const std::string kTap =
    std::string("sites/") + kSite + "/devices/pst_1/measurements/tap_position/none";
const std::string kAmbient =
    std::string("sites/") + kSite +
    "/devices/dlr_weather_station_1/measurements/ambient_temperature/celsius";

// Every message under sites/demo_site/, with when it arrived.
class Bus {
 public:
  struct Seen {
    std::string payload;
    Clock::time_point at;
  };
  explicit Bus(const std::string& url) {
    ems::runtime::MqttOptions o;
    o.url = url;
    o.service_id = "closed-loop-test";
    o.min_reconnect_delay = 200ms;
    client_ = std::make_unique<ems::runtime::MqttClient>(o, registry_);
    client_->subscribe(std::string("sites/") + kSite + "/#", 1,
                       [this](const ems::runtime::MqttMessage& m) {
                         {
                           std::lock_guard lock(mutex_);
                           seen_[m.topic].push_back({m.payload, Clock::now()});
                         }
                         cv_.notify_all();
                       });
    client_->start();
  }
  ~Bus() { client_.reset(); }

  void publish(const std::string& topic, const std::string& payload) {
    client_->publish(topic, payload, 1, false);
  }

  std::vector<Seen> of(const std::string& topic) {
    std::lock_guard lock(mutex_);
    auto it = seen_.find(topic);
    return it == seen_.end() ? std::vector<Seen>{} : it->second;
  }
  std::optional<std::string> last(const std::string& topic) {
    auto v = of(topic);
    if (v.empty()) return std::nullopt;
    return v.back().payload;
  }
  std::optional<double> number(const std::string& topic) {
    auto p = last(topic);
    if (!p) return std::nullopt;
    return ems::contract::decode_float_sample(*p).value;
  }
  std::string label(const std::string& topic) {
    auto p = last(topic);
    return p ? ems::contract::decode_enum_sample(*p).value : "";
  }
  // Waits until pred() holds (checked on every message and every 100 ms) or `timeout`.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (pred()) return true;
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, 100ms);
    }
    return pred();
  }

 private:
  ems::runtime::metrics::Registry registry_;
  std::unique_ptr<ems::runtime::MqttClient> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<Seen>> seen_;
};

class ClosedLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("line-controller-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    const auto dtm_path = (dir_ / "dtm.json").string();
    std::ofstream(dtm_path) << ems::fixtures::testing::demo_json_with_free_ports().dump();
    secrets_ = (dir_ / "secrets.json").string();
    fs::copy_file(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/secrets.json", secrets_,
                  fs::copy_options::overwrite_existing);
    ::chmod(secrets_.c_str(), 0600);

    ems::testing::DeviceApiOptions o;
    o.binary = EMS_DEVICE_API_BINARY;
    o.mqtt_url = broker_.url();
    o.boot_dtm_path = dtm_path;
    api_ = std::make_unique<ems::testing::DeviceApiProcess>(o);
    api_->start();

    fixtures_port_ = ems::testing::free_loopback_port();
    spawn(fixtures_, "fixtures",
          {"EMS_FIXTURES_PORT=" + std::to_string(fixtures_port_), "EMS_FIXTURES_HOST=127.0.0.1",
           "EMS_FIXTURES_SEED=7", "EMS_FIXTURES_START_TIME=2026-06-20T20:00:00Z"},
          EMS_FIXTURES_BINARY, fixtures_port_);
    const int gateway_port = ems::testing::free_loopback_port();
    spawn(gateway_, "gateway",
          {"EMS_GATEWAY_PORT=" + std::to_string(gateway_port), "EMS_GATEWAY_HOST=127.0.0.1",
           "EMS_GATEWAY_COMMAND_TIMEOUT=10s"},
          EMS_GATEWAY_BINARY, gateway_port);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", fixtures_port_);
    http_->set_read_timeout(10, 0);
  }

  void TearDown() override {
    if (HasFailure()) {
      for (const char* name : {"line-controller", "gateway", "fixtures"})
        std::cerr << "---- " << name << " log tail\n"
                  << ems::testing::tail_file((dir_ / (std::string(name) + ".log")).string(), 6000)
                  << "\n";
    }
    controller_.terminate();
    gateway_.terminate();
    fixtures_.terminate();
    api_.reset();
    fs::remove_all(dir_);
  }

  void spawn(ems::testing::ChildProcess& p, const std::string& name, std::vector<std::string> env,
             const std::string& binary, int port) {
    std::vector<std::string> argv = {"env", "EMS_DEVICE_API_URL=" + api_->base_url(),
                                     "EMS_MQTT_URL=" + broker_.url(),
                                     "EMS_SECRETS_PATH=" + secrets_, "EMS_LOG_LEVEL=debug"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(binary);
    p.spawn(argv, (dir_ / (name + ".log")).string());
    ASSERT_TRUE(
        ems::testing::wait_for_http_ok("http://127.0.0.1:" + std::to_string(port) + "/readyz", 40s))
        << ems::testing::tail_file((dir_ / (name + ".log")).string());
  }

  // The line-controller with a static rating chosen so that the line starts near 70 % loading
  // (rating = cap 1.2 x static while the weather is fresh: the wind makes the physics rating far
  // larger).
  void start_controller(std::vector<std::string> extra = {}) {
    const double current = model("line_meter_1", "line_current");
    ASSERT_GT(current, 50.0);
    static_rating_ = current / 0.7 / 1.2;
    const int port = ems::testing::free_loopback_port();
    std::vector<std::string> env = {
        "EMS_LINE_CONTROLLER_PORT=" + std::to_string(port),
        "EMS_LINE_CONTROLLER_HOST=127.0.0.1",
        "EMS_LINE_CONTROLLER_CYCLE_MS=200ms",
        "EMS_LINE_CONTROLLER_STATIC_RATING_A=" + std::to_string(static_rating_),
        "EMS_LINE_CONTROLLER_CAP_FACTOR=1.2",
        "EMS_LINE_CONTROLLER_WEATHER_MAX_AGE=5s",
        "EMS_LINE_CONTROLLER_CURRENT_MAX_AGE=4s",
        "EMS_LINE_CONTROLLER_SETTLE=2s",
        "EMS_LINE_CONTROLLER_RELAX_DWELL=10m",
        "EMS_LINE_CONTROLLER_STEP_TIMEOUT=20s"};
    env.insert(env.end(), extra.begin(), extra.end());
    spawn(controller_, "line-controller", env, EMS_LINE_CONTROLLER_BINARY, port);
  }

  double model(const std::string& device, const std::string& q) {
    auto r = http_->Get("/state");
    EXPECT_TRUE(r && r->status == 200);
    if (!r) return NAN;
    return json::parse(r->body)["devices"][device]["model"][q].get<double>();
  }
  void put_extra_load(double watts) {
    auto r =
        http_->Put("/datacenter/extra_load", json{{"value", watts}}.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
  }
  void fault(const std::string& device) {
    auto r = http_->Post("/faults", json{{"device_id", device}, {"kind", "silent"}}.dump(),
                         "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 204) << r->body;
  }
  // Commands the controller sent to the PST, in order: (tap, command_id).
  std::vector<std::pair<double, std::string>> commands() {
    std::vector<std::pair<double, std::string>> out;
    for (const auto& s : bus_.of(kTapCommand)) {
      const auto c = ems::contract::decode_command(s.payload);
      out.emplace_back(std::get<double>(c.value), c.command_id);
    }
    return out;
  }
  // Waits for the controller to run with a known tap and fresh inputs.
  void wait_running() {
    ASSERT_TRUE(bus_.wait(
        [&] { return bus_.label(kState) == "IDLE" && bus_.number(kLoading).has_value(); }, 60s))
        << "state " << bus_.label(kState);
  }

  ems::testing::MosquittoServer broker_;
  Bus bus_{broker_.url()};
  fs::path dir_;
  std::string secrets_;
  std::unique_ptr<ems::testing::DeviceApiProcess> api_;
  ems::testing::ChildProcess fixtures_, gateway_, controller_;
  int fixtures_port_ = 0;
  std::unique_ptr<httplib::Client> http_;
  double static_rating_ = 0;
};

TEST_F(ClosedLoop, OverloadStepsThePstUntilLoadingIsBackUnder95Percent) {
  start_controller();
  wait_running();
  EXPECT_EQ(bus_.label(kRatingMode), "CAPPED");
  EXPECT_NEAR(*bus_.number(kRating), 1.2 * static_rating_, 0.01);
  EXPECT_LT(*bus_.number(kLoading), 90.0);
  // The measurements the controller publishes are in device-api's AsyncAPI document (one
  // message per template measurement, named Template_Measurement).
  const auto asyncapi = api_->get("/asyncapi");
  ASSERT_EQ(asyncapi.status, 200);
  for (const char* m :
       {"DlrLine_RatingMode", "DlrLine_ControllerState", "DlrLine_ThermalMargin",
        "DlrLine_PredictedConductorTemperature", "DlrLine_LineLoading", "DlrLine_EffectiveRating"})
    EXPECT_NE(asyncapi.body.find(std::string("\"") + m + "\""), std::string::npos) << m;
  EXPECT_NE(asyncapi.body.find("BUDGET_EXHAUSTED"), std::string::npos);
  ASSERT_TRUE(bus_.wait([&] { return bus_.number(kPredicted) && bus_.number(kMargin); }, 10s));
  // The prediction is coherent with the fixture's conductor (same physics, same weather).
  EXPECT_NEAR(*bus_.number(kPredicted), model("conductor_sensor_1", "conductor_temperature"), 15.0);
  const double tap0 = *bus_.number(kTap);
  ASSERT_TRUE(commands().empty());

  // Raise the datacenter load in 2 MW steps until the line is loaded above 95 %.
  bool over = false;
  double extra = 0;
  for (int k = 0; k < 40 && !over; ++k) {
    extra += 2e6;
    put_extra_load(extra);
    over = bus_.wait([&] { return bus_.number(kLoading).value_or(0) > 95.0; }, 1500ms);
  }
  ASSERT_TRUE(over) << "loading " << bus_.number(kLoading).value_or(-1) << " at +" << extra << " W";
  const auto overloaded_at = Clock::now();

  // The controller steps the PST (retard, one step at a time) and loading returns under 95 %.
  ASSERT_TRUE(bus_.wait([&] { return !commands().empty(); }, 5s)) << bus_.label(kState);
  EXPECT_EQ(commands().front().first, tap0 - 1);
  ASSERT_TRUE(bus_.wait(
      [&] {
        return bus_.number(kLoading).value_or(100) < 95.0 && bus_.label(kState) == "IDLE" &&
               bus_.number(kTap) == tap0 - double(commands().size());
      },
      60s))
      << "loading " << bus_.number(kLoading).value_or(-1) << " state " << bus_.label(kState)
      << " commands " << commands().size();
  const auto cmds = commands();
  EXPECT_LE(cmds.size(), 3u);  // a bounded number of steps (one tap moves ~65 A here)
  for (std::size_t i = 0; i < cmds.size(); ++i) EXPECT_EQ(cmds[i].first, tap0 - 1 - double(i));
  // Every command was acked done by the gateway.
  const std::string ack_topic =
      std::string("sites/") + kSite + "/devices/pst_1/acks/set/tap_position/none";
  for (const auto& [tap, id] : cmds) {
    bool done = false;
    for (const auto& s : bus_.of(ack_topic)) {
      const auto a = ems::contract::decode_ack(s.payload);
      done = done || (a.command_id == id && a.state == ems::contract::AckState::done);
    }
    EXPECT_TRUE(done) << id;
  }
  EXPECT_LT(Clock::now() - overloaded_at, 60s);
  std::cout
      << "overload at +" << extra / 1e6 << " MW: " << cmds.size() << " step(s), loading "
      << *bus_.number(kLoading) << " % after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - overloaded_at).count()
      << " ms\n";
  // And the model agrees: the fixture's tap moved and its line current is under 95 %.
  EXPECT_EQ(model("pst_1", "tap_position"), tap0 - double(cmds.size()));
  EXPECT_LT(model("line_meter_1", "line_current"), 0.95 * 1.2 * static_rating_ + 25.0);
}

TEST_F(ClosedLoop, StaleWeatherGivesTheStaticRatingWithinThreeCycles) {
  start_controller();
  wait_running();
  ASSERT_NE(bus_.label(kRatingMode), "STATIC");
  const auto faulted_at = Clock::now();
  fault("dlr_weather_station_1");
  ASSERT_TRUE(bus_.wait([&] { return bus_.label(kRatingMode) == "STATIC"; }, 20s))
      << bus_.label(kRatingMode);
  const auto static_seen = Clock::now();
  // The weather is stale from whichever comes first: the last sample's age passing the limit
  // (5 s; the arrival stands for its ts, same machine's clock) or the gateway's OFFLINE for the
  // station. The rating follows within 3 cycles (plus delivery slack).
  const auto ambient = bus_.of(kAmbient);
  ASSERT_FALSE(ambient.empty());
  auto stale_at = ambient.back().at + 5s;
  for (const auto& s : bus_.of(std::string("sites/") + kSite +
                               "/devices/dlr_weather_station_1/measurements/comm_status/none"))
    if (s.at > faulted_at && ems::contract::decode_enum_sample(s.payload).value == "OFFLINE")
      stale_at = std::min(stale_at, s.at);
  EXPECT_LE(static_seen - stale_at, 3 * kCycle + 300ms);
  std::cout << "weather stale -> STATIC after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(static_seen - stale_at).count()
            << " ms (cycle " << kCycle.count() << " ms)\n";
  // The same cycle publishes the rest of the picture.
  EXPECT_TRUE(bus_.wait(
      [&] {
        return bus_.label(line_topic("rating_source", "none")) == "SLR" &&
               bus_.label(line_topic("controller_mode", "none")) == "FALLBACK" &&
               std::abs(bus_.number(kRating).value_or(0) - static_rating_) < 0.01;
      },
      2s))
      << bus_.label(line_topic("rating_source", "none")) << " "
      << bus_.label(line_topic("controller_mode", "none")) << " " << *bus_.number(kRating);
}

TEST_F(ClosedLoop, LostCurrentHoldsTheTap) {
  start_controller();
  wait_running();
  fault("line_meter_1");
  ASSERT_TRUE(bus_.wait([&] { return bus_.label(kState) == "HOLD"; }, 20s)) << bus_.label(kState);
  // Overload the line while the current is not measured: the tap does not move.
  put_extra_load(40e6);
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(bus_.label(kState), "HOLD");
  EXPECT_TRUE(commands().empty());
  // The meter is back: the controller sees the overload and acts.
  ASSERT_EQ(http_->Delete("/faults")->status, 204);
  EXPECT_TRUE(bus_.wait([&] { return !commands().empty(); }, 20s)) << bus_.label(kState);
}

// The line's enable/disable commands reach the line-controller, not the gateway (the AsyncAPI
// document names line_controller their executor): each is acked exactly once, received ->
// accepted -> done, and the controller stops stepping while disabled.
TEST_F(ClosedLoop, AutoControlCommandsAreAckedOnceByTheLineController) {
  start_controller();
  wait_running();
  const std::string line = std::string("sites/") + kSite + "/devices/dlr_line_1/";
  auto send = [&](const std::string& verb, bool value) {
    const std::string id = ems::contract::random_uuid();
    bus_.publish(line + "commands/" + verb + "/auto_control_enabled/none",
                 ems::contract::encode(ems::contract::CommandPayload{
                     ems::contract::to_timestamp(std::chrono::system_clock::now()), id, value}));
    return id;
  };
  auto acks = [&](const std::string& verb, const std::string& id) {
    std::vector<std::string> out;
    for (const auto& s : bus_.of(line + "acks/" + verb + "/auto_control_enabled/none")) {
      const auto a = ems::contract::decode_ack(s.payload);
      if (a.command_id == id) out.emplace_back(ems::contract::to_string(a.state));
    }
    return out;
  };
  using States = std::vector<std::string>;
  const std::string off = send("disable", false);
  ASSERT_TRUE(bus_.wait([&] { return acks("disable", off).size() >= 3; }, 10s));
  ASSERT_TRUE(bus_.wait([&] { return bus_.label(kState) == "MANUAL"; }, 5s)) << bus_.label(kState);
  std::this_thread::sleep_for(1s);  // time for a second answer, if anyone gave one
  EXPECT_EQ(acks("disable", off), (States{"received", "accepted", "done"}));

  // Overloaded while disabled: no step.
  put_extra_load(40e6);
  ASSERT_TRUE(bus_.wait([&] { return bus_.number(kLoading).value_or(0) > 95.0; }, 20s))
      << bus_.number(kLoading).value_or(-1);
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(commands().empty());
  EXPECT_EQ(bus_.label(kState), "MANUAL");

  const std::string on = send("enable", true);
  EXPECT_TRUE(bus_.wait([&] { return !commands().empty(); }, 10s)) << bus_.label(kState);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(acks("enable", on), (States{"received", "accepted", "done"}));
}

}  // namespace
