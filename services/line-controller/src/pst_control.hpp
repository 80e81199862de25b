#pragma once
// PstController: the phase-shifting transformer's tap control as a pure state machine. It is
// told the time, the line loading and the tap feedback once per cycle (update()) and the acks of
// its own commands (on_ack()); it answers with its state, at most one tap step to command, and
// the reason - no clock, no I/O, so every transition is unit-tested with a scripted clock
// (tests/line-controller/test_pst_control.cpp).
//
// Law (../README "line-controller"):
//   - loading > high_pct (95 %)            -> one step in `reduce_direction` (retard the flow);
//   - loading < low_pct (85 %) for at least relax_dwell, tap not at neutral
//                                          -> one step toward neutral;
//   - otherwise (deadband, or at neutral)  -> no step.
// Safety:
//   - one step in flight: after a command nothing else is decided until BOTH the command's ack
//     `done` and tap feedback equal to the commanded position arrived; a `failed`, `rejected` or
//     `timeout` ack, or no completion within step_timeout -> FAULT (sticky until reset(), and
//     across a restart through restore_fault());
//   - after a completed step, `settle` passes before the next decision (the line current must
//     show the new tap before it is judged again);
//   - a step beyond [tap_min, tap_max] is never commanded: AT_LIMIT;
//   - at most max_operations_per_hour commands in any sliding hour: BUDGET_EXHAUSTED (across a
//     restart through seed_operations());
//   - no loading (the line current is lost) -> HOLD; the tap is not moved blind;
//   - until the first tap feedback (after a restart, the retained tap_position) -> INIT: the
//     controller never acts on a position it has not read;
//   - automatic control disabled -> MANUAL (monitoring only).
//
// Threading: none of its own; not thread-safe (the line-controller's cycle thread owns it).
#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "ems/contract/payload.hpp"

namespace ems::line_controller {

using SteadyClock = std::chrono::steady_clock;

enum class ControllerState {
  init,
  idle,
  stepping,
  hold,
  at_limit,
  budget_exhausted,
  manual,
  fault
};

// The enum labels as published (`controller_state` measurement, unit none), in code order.
inline constexpr std::array<std::string_view, 8> kControllerStateLabels = {
    "INIT", "IDLE", "STEPPING", "HOLD", "AT_LIMIT", "BUDGET_EXHAUSTED", "MANUAL", "FAULT"};
std::string_view to_label(ControllerState state);

struct PstControlConfig {
  int tap_min = -16;
  int tap_max = 16;
  int neutral = 0;
  int reduce_direction = -1;  // the tap change that lowers the monitored line's flow (+1 or -1)
  double high_pct = 95.0;
  double low_pct = 85.0;
  std::chrono::milliseconds step_timeout{30000};
  std::chrono::milliseconds settle{5000};
  std::chrono::milliseconds relax_dwell{60000};
  int max_operations_per_hour = 20;

  // Empty when usable, else what is wrong ("tap_min must be <= neutral <= tap_max", ...).
  std::string validate() const;
};

struct PstInputs {
  SteadyClock::time_point now;
  std::optional<double> loading_pct;  // nullopt: no current measurement (or no rating)
  std::optional<int> tap_position;    // latest tap feedback; nullopt until the first one
  bool auto_enabled = true;
  // The id a command issued by this update() carries (a UUID from the caller, so the machine
  // stays pure and tests deterministic).
  std::string next_command_id;
};

struct PstDecision {
  ControllerState state = ControllerState::init;
  std::optional<int> command_tap;  // command `set tap_position` to this, with next_command_id
  std::string reason;              // why, for the decision log
};

class PstController {
 public:
  // Throws std::invalid_argument when config.validate() is not empty.
  explicit PstController(PstControlConfig config);

  PstDecision update(const PstInputs& inputs);

  // An ack seen on the PST's ack topic. Returns false (and changes nothing) when it is not the
  // in-flight command's. `done` completes the ack half of the step; failed/rejected/timeout
  // fault the controller with `reason`.
  bool on_ack(std::string_view command_id, contract::AckState state,
              const std::optional<std::string>& reason = std::nullopt);

  // Operator reset out of FAULT (back to INIT: the usual checks decide the next cycle; the
  // automatic-control mode is the caller's and unchanged); forgets the failed step. Returns
  // false (and changes nothing) when the controller is not in FAULT.
  bool reset();

  // After a restart: `count` operations counted in the sliding hour as of `at` (the retained
  // tap_operations_last_hour of the previous run) join the budget as if made at `at` - never
  // earlier than they were, so a restart cannot grant a fresh budget. They leave the window an
  // hour after `at`. count <= 0 adds nothing.
  void seed_operations(int count, SteadyClock::time_point at);
  // After a restart: the previous run ended in FAULT (retained controller_state); it stays
  // FAULT, with `reason`, until reset().
  void restore_fault(std::string reason);

  ControllerState state() const { return state_; }
  // Commands counted in the sliding hour ending at `now`.
  int operations_in_last_hour(SteadyClock::time_point now);
  const std::string& in_flight_command_id() const;  // "" when none
  const PstControlConfig& config() const { return config_; }

 private:
  struct InFlight {
    std::string command_id;
    int target = 0;
    SteadyClock::time_point sent;
    bool ack_done = false;
  };
  PstDecision decide(const PstInputs& in);
  PstDecision fault(std::string reason);

  PstControlConfig config_;
  ControllerState state_ = ControllerState::init;
  std::optional<InFlight> in_flight_;
  std::string fault_reason_;
  std::deque<SteadyClock::time_point> operations_;
  std::optional<SteadyClock::time_point> last_step_done_;
  std::optional<SteadyClock::time_point> below_low_since_;
};

}  // namespace ems::line_controller
