#include "pst_control.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace ems::line_controller {
namespace {

std::string pct(double v) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << v << " %";
  return s.str();
}

}  // namespace

std::string_view to_label(ControllerState state) {
  return kControllerStateLabels[static_cast<std::size_t>(state)];
}

std::string PstControlConfig::validate() const {
  if (!(tap_min <= neutral && neutral <= tap_max))
    return "tap_min <= neutral <= tap_max is required";
  if (reduce_direction != 1 && reduce_direction != -1) return "reduce_direction must be +1 or -1";
  if (!std::isfinite(high_pct) || !std::isfinite(low_pct) || !(0 < low_pct && low_pct < high_pct))
    return "0 < low_pct < high_pct is required";
  if (step_timeout.count() <= 0) return "step_timeout must be > 0";
  if (settle.count() < 0 || relax_dwell.count() < 0) return "settle and relax_dwell must be >= 0";
  if (max_operations_per_hour < 1) return "max_operations_per_hour must be >= 1";
  return "";
}

PstController::PstController(PstControlConfig config) : config_(config) {
  if (auto e = config_.validate(); !e.empty())
    throw std::invalid_argument("PST control configuration: " + e);
}

const std::string& PstController::in_flight_command_id() const {
  static const std::string kNone;
  return in_flight_ ? in_flight_->command_id : kNone;
}

int PstController::operations_in_last_hour(SteadyClock::time_point now) {
  while (!operations_.empty() && now - operations_.front() >= std::chrono::hours(1))
    operations_.pop_front();
  return int(operations_.size());
}

bool PstController::on_ack(std::string_view command_id, contract::AckState state,
                           const std::optional<std::string>& reason) {
  if (!in_flight_ || command_id != in_flight_->command_id) return false;
  switch (state) {
    case contract::AckState::received:
    case contract::AckState::accepted:
      break;
    case contract::AckState::done:
      in_flight_->ack_done = true;
      break;
    case contract::AckState::failed:
    case contract::AckState::rejected:
    case contract::AckState::timeout:
      fault_reason_ = "command to tap " + std::to_string(in_flight_->target) + " ended " +
                      std::string(contract::to_string(state)) +
                      (reason ? ": " + *reason : std::string());
      state_ = ControllerState::fault;
      in_flight_.reset();
      break;
  }
  return true;
}

bool PstController::reset() {
  if (state_ != ControllerState::fault) return false;
  state_ = ControllerState::init;
  fault_reason_.clear();
  in_flight_.reset();
  below_low_since_.reset();
  return true;
}

void PstController::seed_operations(int count, SteadyClock::time_point at) {
  // Kept in time order: the seeded operations go before any made since (a seed is older).
  const int n = std::min(count, config_.max_operations_per_hour);
  for (int i = 0; i < n; ++i) {
    const auto pos = std::upper_bound(operations_.begin(), operations_.end(), at);
    operations_.insert(pos, at);
  }
}

void PstController::restore_fault(std::string reason) {
  fault(std::move(reason));
}

PstDecision PstController::fault(std::string reason) {
  state_ = ControllerState::fault;
  fault_reason_ = std::move(reason);
  in_flight_.reset();
  return {state_, std::nullopt, fault_reason_};
}

PstDecision PstController::update(const PstInputs& in) {
  PstDecision d = decide(in);
  state_ = d.state;
  return d;
}

PstDecision PstController::decide(const PstInputs& in) {
  using S = ControllerState;
  if (state_ == S::fault)
    return {S::fault, std::nullopt, "FAULT (reset required): " + fault_reason_};

  // A step in flight is followed to its end whatever else happens (manual, lost current).
  if (in_flight_) {
    const InFlight& f = *in_flight_;
    const bool at_target = in.tap_position && *in.tap_position == f.target;
    if (f.ack_done && at_target) {
      const int target = f.target;
      in_flight_.reset();
      last_step_done_ = in.now;
      below_low_since_.reset();
      return {S::idle, std::nullopt,
              "step to tap " + std::to_string(target) + " confirmed (ack done, feedback)"};
    }
    if (in.now - f.sent >= config_.step_timeout) {
      return fault("step to tap " + std::to_string(f.target) + " not completed within " +
                   std::to_string(config_.step_timeout.count()) +
                   " ms (ack done: " + (f.ack_done ? "yes" : "no") + ", feedback: " +
                   (in.tap_position ? std::to_string(*in.tap_position) : "none") + ")");
    }
    return {S::stepping, std::nullopt,
            "waiting for tap " + std::to_string(f.target) +
                (f.ack_done ? " feedback" : (at_target ? " ack" : " ack and feedback"))};
  }

  if (!in.auto_enabled) return {S::manual, std::nullopt, "automatic control disabled"};
  if (!in.tap_position) return {S::init, std::nullopt, "waiting for the tap position feedback"};
  if (!in.loading_pct) return {S::hold, std::nullopt, "line current lost: holding the tap"};

  const int tap = *in.tap_position;
  const double loading = *in.loading_pct;
  if (loading < config_.low_pct) {
    if (!below_low_since_) below_low_since_ = in.now;
  } else {
    below_low_since_.reset();
  }
  if (last_step_done_ && in.now - *last_step_done_ < config_.settle)
    return {S::idle, std::nullopt, "settling after the last step"};

  int target = tap;
  std::string why;
  if (loading > config_.high_pct) {
    target = tap + config_.reduce_direction;
    why = "loading " + pct(loading) + " > " + pct(config_.high_pct);
  } else if (loading < config_.low_pct && tap != config_.neutral) {
    if (in.now - *below_low_since_ < config_.relax_dwell)
      return {S::idle, std::nullopt,
              "loading " + pct(loading) + " < " + pct(config_.low_pct) + ", relax dwell running"};
    target = tap + (config_.neutral > tap ? 1 : -1);
    why = "loading " + pct(loading) + " < " + pct(config_.low_pct) + ": relax toward neutral";
  } else {
    return {S::idle, std::nullopt,
            tap == config_.neutral && loading < config_.low_pct
                ? "loading " + pct(loading) + ", tap at neutral"
                : "loading " + pct(loading) + " inside the deadband"};
  }
  if (target < config_.tap_min || target > config_.tap_max)
    return {S::at_limit, std::nullopt,
            why + ", but tap " + std::to_string(target) + " is beyond the limits [" +
                std::to_string(config_.tap_min) + ", " + std::to_string(config_.tap_max) + "]"};
  if (operations_in_last_hour(in.now) >= config_.max_operations_per_hour)
    return {S::budget_exhausted, std::nullopt,
            why + ", but the budget of " + std::to_string(config_.max_operations_per_hour) +
                " operations per hour is used"};
  operations_.push_back(in.now);
  in_flight_ = InFlight{in.next_command_id, target, in.now, false};
  return {S::stepping, target,
          why + ": step tap " + std::to_string(tap) + " -> " + std::to_string(target)};
}

}  // namespace ems::line_controller
