// The PST state machine with a scripted clock: every transition, the timeout, the budget, the
// limits, hold on a lost current, and a restart that waits for the retained tap.
#include <gtest/gtest.h>

#include "pst_control.hpp"

namespace ems::line_controller {
namespace {

using namespace std::chrono_literals;
using S = ControllerState;
using contract::AckState;

PstControlConfig config() {
  PstControlConfig c;
  c.tap_min = -3;
  c.tap_max = 3;
  c.neutral = 0;
  c.step_timeout = 20s;
  c.settle = 4s;
  c.relax_dwell = 10s;
  c.max_operations_per_hour = 4;
  return c;
}

class PstControl : public ::testing::Test {
 protected:
  PstDecision at(std::chrono::milliseconds t, std::optional<double> loading, std::optional<int> tap,
                 bool automatic = true) {
    last_id_ = "id-" + std::to_string(++ids_);
    return pst_.update({t0_ + t, loading, tap, automatic, last_id_});
  }
  // Completes the step in flight: ack done, then the feedback at `tap`, at time t.
  PstDecision complete(std::chrono::milliseconds t, std::optional<double> loading, int tap) {
    EXPECT_TRUE(pst_.on_ack(pst_.in_flight_command_id(), AckState::done));
    return at(t, loading, tap);
  }

  PstController pst_{config()};
  SteadyClock::time_point t0_{};
  std::string last_id_;
  int ids_ = 0;
};

TEST_F(PstControl, ToStringLabelsFollowTheEnum) {
  EXPECT_EQ(to_label(S::init), "INIT");
  EXPECT_EQ(to_label(S::budget_exhausted), "BUDGET_EXHAUSTED");
  EXPECT_EQ(to_label(S::fault), "FAULT");
}

TEST_F(PstControl, RejectsUnusableConfig) {
  auto c = config();
  c.low_pct = 96;
  EXPECT_THROW(PstController{c}, std::invalid_argument);
  c = config();
  c.neutral = 5;
  EXPECT_THROW(PstController{c}, std::invalid_argument);
  c = config();
  c.reduce_direction = 0;
  EXPECT_THROW(PstController{c}, std::invalid_argument);
  c = config();
  c.max_operations_per_hour = 0;
  EXPECT_THROW(PstController{c}, std::invalid_argument);
}

TEST_F(PstControl, WaitsForTheTapBeforeActing) {
  auto d = at(0s, 120.0, std::nullopt);  // overloaded, but the tap was never read
  EXPECT_EQ(d.state, S::init);
  EXPECT_FALSE(d.command_tap);
  d = at(1s, 120.0, 0);
  EXPECT_EQ(d.state, S::stepping);
  ASSERT_TRUE(d.command_tap);
  EXPECT_EQ(*d.command_tap, -1);
  EXPECT_EQ(pst_.in_flight_command_id(), last_id_);
}

TEST_F(PstControl, DeadbandAndNeutralHoldStill) {
  EXPECT_EQ(at(0s, 90.0, 0).state, S::idle);  // between the bands
  EXPECT_EQ(at(1s, 50.0, 0).state, S::idle);  // low, but already at neutral
  EXPECT_EQ(at(2s, 95.0, 0).state, S::idle);  // exactly at the band is not above it
  EXPECT_FALSE(at(3s, 85.0, 1).command_tap);  // exactly at the low band is not below it
}

TEST_F(PstControl, OneStepInFlightNeedsBothAckAndFeedback) {
  auto d = at(0s, 100.0, 0);
  ASSERT_EQ(d.command_tap, -1);
  const std::string id = pst_.in_flight_command_id();
  // Still overloaded, nothing confirmed: no second command.
  d = at(1s, 100.0, 0);
  EXPECT_EQ(d.state, S::stepping);
  EXPECT_FALSE(d.command_tap);
  // The feedback alone does not complete it.
  d = at(2s, 100.0, -1);
  EXPECT_EQ(d.state, S::stepping);
  EXPECT_FALSE(d.command_tap);
  // Someone else's ack is ignored; received/accepted do not complete it.
  EXPECT_FALSE(pst_.on_ack("other", AckState::done));
  EXPECT_TRUE(pst_.on_ack(id, AckState::received));
  EXPECT_TRUE(pst_.on_ack(id, AckState::accepted));
  EXPECT_EQ(at(3s, 100.0, -1).state, S::stepping);
  // The ack done alone does not complete it either (feedback not there yet).
  EXPECT_TRUE(pst_.on_ack(id, AckState::done));
  EXPECT_EQ(at(4s, 100.0, 0).state, S::stepping);
  // Both: complete, then settle before the next decision.
  d = at(5s, 100.0, -1);
  EXPECT_EQ(d.state, S::idle);
  EXPECT_FALSE(d.command_tap);
  EXPECT_EQ(pst_.in_flight_command_id(), "");
  d = at(8s, 100.0, -1);
  EXPECT_EQ(d.state, S::idle);
  EXPECT_FALSE(d.command_tap) << d.reason;
  d = at(9s, 100.0, -1);  // settle (4 s) passed: next step
  EXPECT_EQ(d.command_tap, -2);
}

TEST_F(PstControl, TimeoutWithoutFeedbackFaultsAndStaysFaulted) {
  ASSERT_EQ(at(0s, 100.0, 0).command_tap, -1);
  EXPECT_TRUE(pst_.on_ack(pst_.in_flight_command_id(), AckState::done));
  EXPECT_EQ(at(19s, 100.0, 0).state, S::stepping);
  auto d = at(20s, 100.0, 0);
  EXPECT_EQ(d.state, S::fault);
  EXPECT_NE(d.reason.find("not completed"), std::string::npos) << d.reason;
  // Sticky: nothing is commanded whatever the loading.
  d = at(60s, 150.0, 0);
  EXPECT_EQ(d.state, S::fault);
  EXPECT_FALSE(d.command_tap);
  // The operator's reset starts over (once: a second reset has no FAULT to clear).
  EXPECT_TRUE(pst_.reset());
  EXPECT_FALSE(pst_.reset());
  d = at(61s, 150.0, 0);
  EXPECT_EQ(d.state, S::stepping);
  EXPECT_EQ(d.command_tap, -1);
}

TEST_F(PstControl, FailedRejectedOrTimedOutAckFaults) {
  for (AckState bad : {AckState::failed, AckState::rejected, AckState::timeout}) {
    PstController pst(config());
    auto d = pst.update({t0_, 100.0, 0, true, "c1"});
    ASSERT_EQ(d.command_tap, -1);
    EXPECT_TRUE(pst.on_ack("c1", bad, std::string("device said no")));
    d = pst.update({t0_ + 1s, 100.0, 0, true, "c2"});
    EXPECT_EQ(d.state, S::fault) << contract::to_string(bad);
    EXPECT_NE(d.reason.find("device said no"), std::string::npos) << d.reason;
    EXPECT_FALSE(d.command_tap);
  }
}

TEST_F(PstControl, LostCurrentHolds) {
  auto d = at(0s, std::nullopt, 0);
  EXPECT_EQ(d.state, S::hold);
  EXPECT_FALSE(d.command_tap);
  // A step already in flight is still followed to its end while the current is lost.
  ASSERT_EQ(at(1s, 100.0, 0).command_tap, -1);
  EXPECT_EQ(at(2s, std::nullopt, 0).state, S::stepping);
  d = complete(3s, std::nullopt, -1);
  EXPECT_EQ(d.state, S::idle);
  d = at(10s, std::nullopt, -1);
  EXPECT_EQ(d.state, S::hold);
  EXPECT_FALSE(d.command_tap);
  // Back: acts again.
  EXPECT_EQ(at(11s, 100.0, -1).command_tap, -2);
}

TEST_F(PstControl, TapLimitsAreNeverExceeded) {
  auto d = at(0s, 100.0, -3);  // at tap_min already, the reduce direction is -1
  EXPECT_EQ(d.state, S::at_limit);
  EXPECT_FALSE(d.command_tap);
  PstControlConfig c = config();
  c.reduce_direction = +1;
  PstController up(c);
  d = up.update({t0_, 100.0, 3, true, "x"});
  EXPECT_EQ(d.state, S::at_limit);
  EXPECT_FALSE(d.command_tap);
  d = up.update({t0_ + 1s, 100.0, 2, true, "y"});
  EXPECT_EQ(d.command_tap, 3);
}

TEST_F(PstControl, OperationsPerHourBudget) {
  std::chrono::milliseconds t = 0s;
  for (int k = 0; k < 3; ++k) {  // three down (-1, -2, -3 would hit the limit: reuse -1/0)
    auto d = at(t, 100.0, 0);
    ASSERT_EQ(d.command_tap, -1) << d.reason;
    complete(t + 1s, 100.0, -1);
    // Relax back to 0 (loading low for the dwell).
    t += 6s;
    at(t, 50.0, -1);
    t += 10s;
    d = at(t, 50.0, -1);
    ASSERT_EQ(d.command_tap, 0) << d.reason;
    complete(t + 1s, 50.0, 0);
    t += 6s;
    if (k == 1) break;
  }
  // Four operations in this hour: the fifth is refused.
  EXPECT_EQ(pst_.operations_in_last_hour(t0_ + t), 4);
  auto d = at(t, 100.0, 0);
  EXPECT_EQ(d.state, S::budget_exhausted);
  EXPECT_FALSE(d.command_tap);
  // An hour after the first operation, budget is back.
  d = at(1h + 1s, 100.0, 0);
  EXPECT_EQ(d.command_tap, -1) << d.reason;
}

// A restart seeds the budget with the previous run's count (retained, as of its sample time):
// no fresh budget; the seeded operations leave the window an hour after that time.
TEST_F(PstControl, ASeededBudgetSurvivesARestart) {
  // The previous run made 3 operations (of 4) in the hour before its last sample, 10 min ago.
  pst_.seed_operations(3, t0_ - 10min);
  EXPECT_EQ(pst_.operations_in_last_hour(t0_), 3);
  auto d = at(0s, 100.0, 0);  // the fourth is allowed
  ASSERT_EQ(d.command_tap, -1) << d.reason;
  complete(1s, 100.0, -1);
  d = at(10s, 100.0, -1);  // a fifth is not
  EXPECT_EQ(d.state, S::budget_exhausted) << d.reason;
  EXPECT_FALSE(d.command_tap);
  // 50 min later the seeded three have left the window; the one made since has not.
  EXPECT_EQ(pst_.operations_in_last_hour(t0_ + 50min), 1);
  d = at(50min, 100.0, -1);
  EXPECT_EQ(d.command_tap, -2) << d.reason;
  // A seed larger than the budget counts as the whole budget; a zero or negative one as none.
  PstController other{config()};
  other.seed_operations(99, t0_);
  EXPECT_EQ(other.operations_in_last_hour(t0_), 4);
  other.seed_operations(0, t0_);
  other.seed_operations(-2, t0_);
  EXPECT_EQ(other.operations_in_last_hour(t0_), 4);
}

TEST_F(PstControl, AFaultRestoredAfterARestartNeedsAReset) {
  pst_.restore_fault("FAULT before the restart");
  auto d = at(0s, 150.0, 0);
  EXPECT_EQ(d.state, S::fault);
  EXPECT_FALSE(d.command_tap);
  EXPECT_NE(d.reason.find("before the restart"), std::string::npos) << d.reason;
  EXPECT_TRUE(pst_.reset());
  d = at(1s, 150.0, 0);
  EXPECT_EQ(d.command_tap, -1) << d.reason;
}

TEST_F(PstControl, RelaxTowardNeutralOnlyAfterTheDwell) {
  EXPECT_EQ(at(0s, 60.0, -2).state, S::idle);  // dwell starts
  EXPECT_FALSE(at(9s, 60.0, -2).command_tap);
  EXPECT_FALSE(at(9500ms, 86.0, -2).command_tap);  // back above the low band: dwell restarts
  EXPECT_FALSE(at(10s, 60.0, -2).command_tap);
  EXPECT_FALSE(at(19s, 60.0, -2).command_tap);
  auto d = at(20s, 60.0, -2);
  EXPECT_EQ(d.command_tap, -1) << d.reason;  // toward neutral (0)
  complete(21s, 60.0, -1);
  // From above neutral the relax step goes down.
  PstController above(config());
  above.update({t0_, 60.0, 2, true, "a"});
  EXPECT_EQ(above.update({t0_ + 10s, 60.0, 2, true, "b"}).command_tap, 1);
}

TEST_F(PstControl, ManualMonitorsOnly) {
  auto d = at(0s, 150.0, 0, false);
  EXPECT_EQ(d.state, S::manual);
  EXPECT_FALSE(d.command_tap);
  EXPECT_EQ(at(1s, 150.0, 0, true).command_tap, -1);
}

TEST_F(PstControl, RestartReadsTheRetainedTapBeforeActing) {
  // A controller that stepped to -2 is replaced (a restart): the new one knows nothing.
  PstController restarted(config());
  auto d = restarted.update({t0_, 70.0, std::nullopt, true, "r1"});
  EXPECT_EQ(d.state, S::init);
  EXPECT_FALSE(d.command_tap);
  // The retained tap_position (-2) arrives: the relax step starts from it, not from neutral.
  restarted.update({t0_ + 1s, 70.0, -2, true, "r2"});
  d = restarted.update({t0_ + 11s, 70.0, -2, true, "r3"});
  EXPECT_EQ(d.command_tap, -1) << d.reason;
  // And overloaded at -3 (the limit) it does not step further.
  PstController at_limit(config());
  d = at_limit.update({t0_, 120.0, -3, true, "r4"});
  EXPECT_EQ(d.state, S::at_limit);
}

}  // namespace
}  // namespace ems::line_controller
