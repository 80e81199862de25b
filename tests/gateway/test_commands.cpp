// Commands: validated against x-command-source, written on the device's worker, acked
// received -> accepted -> done (read-back confirmed), the fixture's state changes; bad commands
// never reach the device; a duplicate command_id is answered once; distribute splits a module
// setpoint over its racks.
#include "gateway_fixture.hpp"

namespace ems::gateway::testing {
namespace {

class GatewayCommands : public GatewayTest {
 protected:
  std::string command(const std::string& device, contract::Verb verb, const std::string& target,
                      contract::Unit unit) {
    return contract::command_topic(kSite, device, verb, target, unit);
  }
  std::string ack_of(const std::string& command_topic) {
    auto t = std::get<contract::CommandTopic>(contract::parse_topic(command_topic));
    return contract::format_topic(contract::ack_for(t));
  }
  // Sends a command and waits for its final ack; returns the states seen.
  std::vector<std::string> send(Recorder& rec, const std::string& topic,
                                const contract::CommandValue& v) {
    const std::string id = contract::random_uuid();
    rec.client().publish(topic, command_payload(v, id), 1, false);
    EXPECT_TRUE(rec.wait_terminal(ack_of(topic), id, 10s)) << topic;
    return rec.ack_states(ack_of(topic), id);
  }
};

using States = std::vector<std::string>;

TEST_F(GatewayCommands, EveryWritableProtocolRoundTripsToDone) {
  advance_ = true;  // writes reach the model at the next step
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const char* d : {"bess_rack_1", "gpu_node_1", "pv_inverter_1", "pst_1"})
          if (comm_value(Recorder::last_in(seen, comm_topic(d))) != "ONLINE") return false;
        return true;
      },
      15s));
  const auto writes = site_->writes_applied();
  // Modbus, float with a read-back of the target.
  EXPECT_EQ(
      send(rec, command("bess_rack_1", contract::Verb::set, "active_power", contract::Unit::watts),
           -150000.0),
      (States{"received", "accepted", "done"}));
  // Redfish PATCH, confirmed by reading the limit back.
  EXPECT_EQ(
      send(rec,
           command("gpu_node_1", contract::Verb::set, "gpu_1_power_limit", contract::Unit::watts),
           500.0),
      (States{"received", "accepted", "done"}));
  // Modbus bool (enable) and a tap position.
  EXPECT_EQ(send(rec,
                 command("pv_inverter_1", contract::Verb::enable, "active_power_limit_enabled",
                         contract::Unit::none),
                 true),
            (States{"received", "accepted", "done"}));
  // The tap changer moves one step at a time: ask for the next step so the read-back confirms
  // it within the command timeout.
  const double tap_now =
      contract::decode_float_sample(*rec.last(topic("pst_1", "tap_position", contract::Unit::none)))
          .value;
  const double tap = tap_now < 16 ? tap_now + 1 : tap_now - 1;
  EXPECT_EQ(
      send(rec, command("pst_1", contract::Verb::set, "tap_position", contract::Unit::none), tap),
      (States{"received", "accepted", "done"}));
  EXPECT_GE(site_->writes_applied(), writes + 4);
  const Json state = site_->state();
  EXPECT_NEAR(state["devices"]["gpu_node_1"]["points"]["gpu_1_power_limit"].get<double>(), 500.0,
              1.0);
  // (the tap itself is the model's to move afterwards: its own regulator may step it back)
  EXPECT_EQ(state["devices"]["pv_inverter_1"]["points"]["active_power_limit_enabled"], true);
  EXPECT_GE(gw.metric("ems_gateway_commands_total{outcome=\"done\"}"), 4);
}

TEST_F(GatewayCommands, BadCommandsNeverReachTheDevice) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("pst_1"))) == "ONLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("gpu_node_1"))) == "ONLINE";
      },
      15s));
  const auto writes = site_->writes_applied();
  const std::string tap =
      command("pst_1", contract::Verb::set, "tap_position", contract::Unit::none);
  // Outside the target's bounds: received, then rejected.
  const auto oob = send(rec, tap, 1e6);
  ASSERT_EQ(oob.size(), 2u);
  EXPECT_EQ(oob.back(), "rejected");
  // Unknown target, unknown device, wrong unit, wrong payload type: rejected at once.
  EXPECT_EQ(
      send(rec, command("pst_1", contract::Verb::set, "no_such_point", contract::Unit::none), 1.0),
      States{"rejected"});
  EXPECT_EQ(
      send(rec,
           command("no_such_device", contract::Verb::set, "no_such_target", contract::Unit::none),
           1.0),
      States{"rejected"});
  EXPECT_EQ(
      send(rec, command("pst_1", contract::Verb::set, "tap_position", contract::Unit::watts), 1.0),
      States{"rejected"});
  EXPECT_EQ(send(rec, tap, std::string("HIGH")), States{"rejected"});
  // Without command_id, malformed JSON, a topic of the wrong depth: dropped, counted.
  rec.client().publish(tap, R"({"ts":"2026-12-04T10:00:00.000Z","value":2})", 1, false);
  rec.client().publish(tap, "{not json", 1, false);
  rec.client().publish("sites/demo_site/devices/pst_1/commands/set/tap_position", "{}", 1, false);
  // A duplicate command_id is answered once (and written once).
  const std::string limit =
      command("gpu_node_1", contract::Verb::set, "gpu_1_power_limit", contract::Unit::watts);
  const std::string id = contract::random_uuid();
  rec.client().publish(limit, command_payload(600.0, id), 1, false);
  rec.client().publish(limit, command_payload(600.0, id), 1, false);
  EXPECT_TRUE(rec.wait_terminal(ack_of(limit), id, 10s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(rec.ack_states(ack_of(limit), id), (States{"received", "accepted", "done"}));
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"missing_command_id\"}"), 2);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"duplicate\"}"), 1);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"topic\"}"), 1);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"out_of_bounds\"}"), 1);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"wrong_unit\"}"), 1);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"unknown_target\"}"), 2);
  // Only the one valid command was written.
  EXPECT_EQ(site_->writes_applied(), writes + 1);
}

TEST_F(GatewayCommands, DistributeSplitsTheModuleSetpointOverItsRacks) {
  advance_ = true;
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  const std::string soc1 = topic("bess_rack_1", "state_of_charge", contract::Unit::percent);
  const std::string soc2 = topic("bess_rack_2", "state_of_charge", contract::Unit::percent);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("bess_rack_1"))) == "ONLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("bess_rack_2"))) == "ONLINE";
      },
      15s));
  std::this_thread::sleep_for(1500ms);  // the gateway has seen both racks' state samples
  const std::string module =
      command("bess_module_1", contract::Verb::set, "active_power", contract::Unit::watts);
  const std::string r1 =
      command("bess_rack_1", contract::Verb::set, "active_power", contract::Unit::watts);
  const std::string r2 =
      command("bess_rack_2", contract::Verb::set, "active_power", contract::Unit::watts);
  const auto states = send(rec, module, 200000.0);
  EXPECT_EQ(states, (States{"received", "accepted", "done"}));
  // Each rack got its own command and reached done; the shares follow the state of charge.
  const auto c1 = rec.of(r1), c2 = rec.of(r2);
  ASSERT_EQ(c1.size(), 1u);
  ASSERT_EQ(c2.size(), 1u);
  const double p1 = std::get<double>(contract::decode_command(c1[0].payload).value);
  const double p2 = std::get<double>(contract::decode_command(c2[0].payload).value);
  EXPECT_NEAR(p1 + p2, 200000.0, 1.0);
  const double s1 = contract::decode_float_sample(*rec.last(soc1)).value;
  const double s2 = contract::decode_float_sample(*rec.last(soc2)).value;
  if (std::abs(s1 - s2) > 1.0) {
    EXPECT_EQ(p1 > p2, s1 > s2) << s1 << " " << s2;
  }
}

}  // namespace
}  // namespace ems::gateway::testing
