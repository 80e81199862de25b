#pragma once
// LineControlLoop: the line-controller's control loop over MQTT (CONTRACT.md sections 2-4).
//
// Configured from the DTM (apply(), called by the topology follower on every new version):
// find_lines() names each line's weather stations, conductor sensors, current source and PST;
// the loop subscribes to their measurements (and to the PST's tap_position acks), keeping the
// latest sample of each with its timestamp. A topology change replaces the plans; a line whose
// PST (and its limits) is unchanged keeps its PstController, so a step in flight is followed
// to its end across the change.
//
// Every `cycle` (and for every line), one consistent snapshot:
//   weather   the first station (device-id order) whose ambient_temperature and wind_speed are
//             younger than weather_max_age and whose comm_status is not OFFLINE; wind_direction
//             and solar_irradiance are used when fresh too. None -> rate_line() uses the static
//             rating (rating_mode STATIC).
//   current   the plan's line_current if younger than current_max_age (and its device not
//             OFFLINE); else lost -> the PST controller holds.
//   conductor the hottest fresh conductor_temperature of the line's sensors (prediction start).
//   tap       the PST's latest tap_position, whatever its age: after a restart the retained one,
//             which the controller waits for (INIT) before acting.
// It publishes on the line device, for each measurement the line template declares with
// publisher line_controller: dynamic_line_rating, effective_rating (amps), line_loading
// (percent), predicted_conductor_temperature, thermal_margin (celsius), rating_mode,
// rating_source, rating_status, controller_state, controller_mode (enums), tap_target,
// auto_control_enabled - QoS 0, retained. A tap step is published as
// `set tap_position` on the PST with a fresh command_id, QoS 1, not retained; the gateway
// executes it and acks it. Every decision that changes something (a command, a state, a rating
// mode) is logged at info with its inputs; every cycle's decision at debug.
//
// Restart (per line, before it acts): the line's own retained auto_control_enabled (the mode an
// operator command left; the default `auto_control` only without one), tap_operations_last_hour
// (seeds the PST budget: a restart grants no fresh one) and controller_state (FAULT stays FAULT
// until reset) are read as delivered on subscription (MQTT retained flag), for up to
// restore_wait. Until then the line's state measurements are not published (they would
// overwrite what the next restart needs) and its commands wait.
//
// Commands (the line template's commands with fanout line_controller; the gateway leaves them
// to this service): `.../commands/{verb}/{target}/+` of the line device, QoS 1, handled in the
// next cycle, acked on the matching acks topic (QoS 1) per CONTRACT.md section 3:
//   no UUID command_id / a command_id already seen (last 1,000)  -> dropped (log, metric)
//   unit not the command's, payload not of its type             -> rejected
//   -> received; enable must carry true, disable false; reset only in FAULT -> else rejected
//   -> accepted -> applied (auto mode set / FAULT -> INIT) -> done; the same cycle's
//   controller_state and auto_control_enabled show it. Disabling during a step lets the step
//   finish (it is followed to its end), then MANUAL.
//
// Threads: one cycle thread of its own (start()/stop()); MQTT callbacks only store samples and
// acks under a mutex, in a store they share (the client may outlive the loop); MQTT publishes
// and subscribes happen outside the loop's locks. apply() may run on any thread. All public
// methods are thread-safe.
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/contract/dtm.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "line_rating.hpp"
#include "line_topology.hpp"
#include "pst_control.hpp"

namespace ems::line_controller {

struct LoopOptions {
  std::chrono::milliseconds cycle{1000};
  std::chrono::milliseconds weather_max_age{10000};
  std::chrono::milliseconds current_max_age{5000};
  double longitude_deg = -122.42;  // for the solar hour (the latitude is in rating.site)
  bool auto_control = true;        // automatic PST control when no retained mode exists
  // How long a newly planned line waits (from the first cycle with MQTT connected) for the
  // retained auto_control_enabled, tap_operations_last_hour and controller_state of the
  // previous run before it acts (INIT meanwhile); it ends early once all three arrived.
  std::chrono::milliseconds restore_wait{2000};
  std::string default_site_id = "site";
  LineRatingConfig rating;
  // Thresholds, timing and budget; tap_min/max/neutral come from the PST's tap_position bounds.
  PstControlConfig pst;

  // Every EMS_LINE_CONTROLLER_* variable of the README's table (and EMS_SITE_ID). Throws
  // std::runtime_error naming a malformed or out-of-range variable.
  static LoopOptions from_env();
};

class LineControlLoop {
 public:
  // Throws std::invalid_argument for an unusable rating or PST configuration.
  LineControlLoop(LoopOptions options, runtime::MqttClient& mqtt,
                  runtime::metrics::Registry& registry = runtime::metrics::Registry::global());
  ~LineControlLoop();  // stop()s
  LineControlLoop(const LineControlLoop&) = delete;
  LineControlLoop& operator=(const LineControlLoop&) = delete;

  // A new topology (from the follower's thread). Never throws for a DTM without lines: the
  // loop then has nothing to do and says so in the log.
  void apply(const contract::Dtm& dtm);

  void start();
  void stop();  // idempotent; ends the cycle thread

  // Runs one cycle now (tests and the cycle thread).
  void cycle_once();

  // The lines and, per line, the last cycle's result (GET /state).
  nlohmann::json state() const;
  bool configured() const;  // a topology was applied

 private:
  struct Latest {
    std::optional<double> number;
    std::string label;
    std::chrono::system_clock::time_point ts;
  };
  struct AckEvent {
    std::string device_id;
    std::string command_id;
    contract::AckState state;
    std::optional<std::string> reason;
  };
  struct CommandEvent {
    contract::CommandTopic topic;
    std::string payload;
  };
  struct Outgoing {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retain = false;
  };
  struct Line {
    LinePlan plan;
    std::unique_ptr<PstController> pst;
    std::optional<ControllerState> last_state;
    std::optional<RatingMode> last_mode;
    nlohmann::json last;  // the last cycle's inputs and outputs
    // Restart and commands (see the header comment).
    bool restored = false;
    std::optional<SteadyClock::time_point> restore_since;
    std::optional<bool> auto_enabled;  // known once restored
    std::vector<CommandEvent> pending;
    std::deque<std::string> seen_ids;
  };

  std::vector<std::string> new_filters(const LinePlan& plan);  // mutex_ held
  // What the MQTT callbacks write: shared with them, so the client may outlive the loop.
  struct Inbox {
    std::mutex mutex;
    std::map<std::string, Latest> latest;  // by "site/device/measurement"
    std::vector<AckEvent> acks;
    std::vector<CommandEvent> commands;
    std::map<std::string, Latest> retained;  // delivered with the retained flag, by key
  };
  static void on_message(Inbox& inbox, const runtime::MqttMessage& m);
  std::optional<Latest> fresh(const std::string& site, const std::string& device,
                              const std::string& name, std::chrono::system_clock::time_point now,
                              std::chrono::milliseconds max_age) const;  // inbox locked
  // mutex_ held; appends what to publish to `out` (published after the lock is released: a
  // publish may wait for Paho's lock, which its delivery thread may hold while it waits for
  // mutex_ in on_message).
  void run_line(Line& line, std::chrono::system_clock::time_point now_sys,
                SteadyClock::time_point now, std::vector<Outgoing>& out);
  // Reads the line's retained mode, budget and state (inbox locked).
  void restore(Line& line, std::chrono::system_clock::time_point now_sys,
               SteadyClock::time_point now);
  void execute(Line& line, const CommandEvent& c, std::vector<Outgoing>& out);
  static void measurement(std::vector<Outgoing>& out, const LinePlan& plan, const std::string& name,
                          const contract::Sample& sample);

  LoopOptions options_;
  runtime::MqttClient& mqtt_;
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
  bool configured_ = false;
  std::set<std::string> subscribed_;
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  std::jthread thread_;

  runtime::metrics::Counter& cycles_;
  runtime::metrics::CounterFamily& commands_;
  runtime::metrics::CounterFamily& decisions_;
  runtime::metrics::CounterFamily& line_commands_;  // {outcome}
};

}  // namespace ems::line_controller
