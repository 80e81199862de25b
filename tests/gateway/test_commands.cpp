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
  // The `set active_power` command topic of a BESS rack or module.
  std::string set_power(const std::string& device) {
    return command(device, contract::Verb::set, "active_power", contract::Unit::watts);
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
  // A write is queued by the protocol server and applied to the model at its next step (every
  // 50 ms): a read-back can confirm a value the device already held before that step ran.
  const auto applied_by = std::chrono::steady_clock::now() + 2s;
  while (site_->writes_applied() < writes + 4 && std::chrono::steady_clock::now() < applied_by)
    std::this_thread::sleep_for(20ms);
  EXPECT_GE(site_->writes_applied(), writes + 4);
  const Json state = site_->state();
  EXPECT_NEAR(state["devices"]["gpu_node_1"]["points"]["gpu_1_power_limit"].get<double>(), 500.0,
              1.0);
  // (the tap itself is the model's to move afterwards: its own regulator may step it back)
  EXPECT_EQ(state["devices"]["pv_inverter_1"]["points"]["active_power_limit_enabled"], true);
  // Outcomes per protocol: three Modbus writes and one Redfish PATCH done.
  EXPECT_EQ(gw.metric("ems_gateway_commands_total{protocol=\"modbus_tcp\",outcome=\"done\"}"), 3);
  EXPECT_EQ(gw.metric("ems_gateway_commands_total{protocol=\"redfish\",outcome=\"done\"}"), 1);
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

// dlr_line_1's enable/disable auto_control_enabled are the line-controller's (template fanout,
// an x-command-source "executor" entry): the gateway must not answer them, or the sender would
// see two acks. A verb/target the document lists nowhere on the same device stays rejected.
TEST_F(GatewayCommands, CommandsOfAnotherExecutorAreLeftToIt) {
  const auto& line = asyncapi_["x-command-source"]["devices"]["dlr_line_1"]["commands"];
  ASSERT_EQ(line["disable_auto_control"]["executor"], "line_controller") << line.dump();
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("pst_1"))) == "ONLINE";
      },
      15s));
  // An unknown target on the line first: the gateway is subscribed and answering.
  EXPECT_EQ(
      send(rec,
           command("dlr_line_1", contract::Verb::set, "auto_control_enabled", contract::Unit::none),
           true),
      States{"rejected"});
  const std::string disable =
      command("dlr_line_1", contract::Verb::disable, "auto_control_enabled", contract::Unit::none);
  const std::string enable =
      command("dlr_line_1", contract::Verb::enable, "auto_control_enabled", contract::Unit::none);
  const std::string id1 = contract::random_uuid(), id2 = contract::random_uuid();
  rec.client().publish(disable, command_payload(false, id1), 1, false);
  rec.client().publish(enable, command_payload(true, id2), 1, false);
  // A later command the gateway does answer: once it is acked, the two before it were seen.
  const std::string tap =
      command("pst_1", contract::Verb::set, "tap_position", contract::Unit::none);
  EXPECT_EQ(send(rec, tap, 1e6).back(), "rejected");
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(rec.of(ack_of(disable)).empty());
  EXPECT_TRUE(rec.of(ack_of(enable)).empty());
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"unknown_target\"}"), 1);
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
  const std::string module = set_power("bess_module_1"), r1 = set_power("bess_rack_1"),
                    r2 = set_power("bess_rack_2");
  // A charge: at midday the demo's PV makes the POI export while the operating envelope allows
  // no export, so a discharge would be rejected (see the next test).
  const auto states = send(rec, module, -200000.0);
  EXPECT_EQ(states, (States{"received", "accepted", "done"}));
  // Each rack got its own command and reached done; the shares follow the state of charge.
  const auto c1 = rec.of(r1), c2 = rec.of(r2);
  ASSERT_EQ(c1.size(), 1u);
  ASSERT_EQ(c2.size(), 1u);
  const double p1 = std::get<double>(contract::decode_command(c1[0].payload).value);
  const double p2 = std::get<double>(contract::decode_command(c2[0].payload).value);
  EXPECT_NEAR(p1 + p2, -200000.0, 1.0);
  const double s1 = contract::decode_float_sample(*rec.last(soc1)).value;
  const double s2 = contract::decode_float_sample(*rec.last(soc2)).value;
  if (std::abs(s1 - s2) > 1.0) {  // charge weighted by the room below 100 %
    EXPECT_EQ(p1 < p2, s1 < s2) << s1 << " " << s2;
  }
}

// The module command is held inside the operating envelope (no export allowed in the demo, the
// POI forced to export 2 MW: any discharge would export more), a charge inside it reaches done,
// and a rack that stops answering is left out of the next split.
TEST_F(GatewayCommands, DistributeHoldsTheEnvelopeAndLeavesOutAnOfflineRack) {
  advance_ = true;
  ASSERT_FALSE(site_->set_override("poi_meter_1", "active_power", -2e6));
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  const std::string poi = topic("poi_meter_1", "active_power", contract::Unit::watts);
  const std::string export_limit =
      topic("operating_envelope", "export_limit", contract::Unit::watts);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        const auto p = Recorder::last_in(seen, poi);
        return comm_value(Recorder::last_in(seen, comm_topic("bess_rack_1"))) == "ONLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("bess_rack_2"))) == "ONLINE" &&
               !p.empty() && contract::decode_float_sample(p).value < -1e6 &&
               !Recorder::last_in(seen, export_limit).empty();
      },
      15s));
  EXPECT_EQ(contract::decode_float_sample(*rec.last(export_limit)).value, 0.0);
  std::this_thread::sleep_for(1500ms);  // the gateway has seen the racks' and the POI's samples
  const std::string module = set_power("bess_module_1"), r1 = set_power("bess_rack_1"),
                    r2 = set_power("bess_rack_2");

  EXPECT_EQ(send(rec, module, 100000.0), (States{"received", "rejected"}));
  const auto last = contract::decode_ack(rec.of(ack_of(module)).back().payload);
  EXPECT_NE(last.reason.value_or("").find("export headroom"), std::string::npos)
      << last.reason.value_or("");
  EXPECT_TRUE(rec.of(r1).empty());
  EXPECT_TRUE(rec.of(r2).empty());

  EXPECT_EQ(send(rec, module, -100000.0), (States{"received", "accepted", "done"}));
  ASSERT_EQ(rec.of(r1).size(), 1u);
  ASSERT_EQ(rec.of(r2).size(), 1u);

  ASSERT_FALSE(site_->set_fault("bess_rack_2", {protocols::FaultPlan::Kind::silent, {}}));
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("bess_rack_2"))) == "OFFLINE";
      },
      15s));
  std::this_thread::sleep_for(300ms);  // the gateway's own subscription has it too
  // (less charge than now would export more: only a deeper charge is inside the envelope)
  EXPECT_EQ(send(rec, module, -150000.0), (States{"received", "accepted", "done"}));
  ASSERT_EQ(rec.of(r1).size(), 2u);
  EXPECT_EQ(rec.of(r2).size(), 1u) << "an OFFLINE rack got a share";
  EXPECT_NEAR(std::get<double>(contract::decode_command(rec.of(r1).back().payload).value),
              -150000.0, 1.0);
  EXPECT_EQ(gw.metric("ems_gateway_commands_total{protocol=\"distribute\",outcome=\"done\"}"), 2);
  EXPECT_EQ(gw.metric("ems_gateway_commands_total{protocol=\"distribute\",outcome=\"rejected\"}"),
            1);
  EXPECT_EQ(gw.metric("ems_gateway_bad_commands_total{reason=\"envelope\"}"), 1);
}

// The module's gateway owns neither rack (shards): the test answers for the racks' gateway. A
// child that fails fails the module command, naming it; children that stay silent time it out.
TEST_F(GatewayCommands, DistributeFailsWithAChildAndTimesOutWhenChildrenAreSilent) {
  // A shard count that puts the module apart from both racks.
  Shard shard;
  for (int n = 2; n <= 16 && shard.count == 1; ++n)
    for (int i = 1; i <= n; ++i) {
      const Shard s{i, n};
      if (s.owns("bess_module_1") && !s.owns("bess_rack_1") && !s.owns("bess_rack_2") &&
          !s.owns("poi_meter_1") && !s.owns("operating_envelope"))
        shard = s;
    }
  ASSERT_GT(shard.count, 1);
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  GatewayOptions o = fast_options();
  o.shard = shard;
  o.command_timeout = 1000ms;
  RunningGateway gw(broker_->url(), asyncapi_, o);
  // What the other shards would publish: the racks' state, the POI and the envelope (fresh
  // before every command: a rack's state is stale after 3 of its 1 s periods).
  auto publish_states = [&] {
    const auto now = contract::to_timestamp(std::chrono::system_clock::now());
    auto sample = [&](const std::string& t, const std::string& payload) {
      rec.client().publish(t, payload, 0, true);
    };
    for (const char* rack : {"bess_rack_1", "bess_rack_2"}) {
      sample(topic(rack, "operating_state", contract::Unit::none),
             contract::encode(contract::EnumSample{now, "STANDBY"}));
      sample(topic(rack, "state_of_charge", contract::Unit::percent),
             contract::encode(contract::FloatSample{now, 60.0}));
      sample(topic(rack, "active_power", contract::Unit::watts),
             contract::encode(contract::FloatSample{now, 0.0}));
    }
    sample(topic("poi_meter_1", "active_power", contract::Unit::watts),
           contract::encode(contract::FloatSample{now, 1e6}));
    for (const char* limit : {"import_limit", "export_limit"})
      sample(topic("operating_envelope", limit, contract::Unit::watts),
             contract::encode(contract::FloatSample{now, 5e6}));
    std::this_thread::sleep_for(500ms);
  };
  publish_states();
  const std::string module = set_power("bess_module_1"), r1 = set_power("bess_rack_1");

  // Rack 1's gateway answers `failed`: the module command fails, naming it.
  const std::string id = contract::random_uuid();
  rec.client().publish(module, command_payload(100000.0, id), 1, false);
  ASSERT_TRUE(rec.wait([&](const auto& seen) { return Recorder::count_in(seen, r1) > 0; }, 5s));
  const auto child = contract::decode_command(rec.of(r1).back().payload);
  rec.client().publish(
      ack_of(r1),
      contract::encode(contract::Ack{contract::to_timestamp(std::chrono::system_clock::now()),
                                     child.command_id, contract::AckState::failed,
                                     std::string("inverter tripped")}),
      1, false);
  ASSERT_TRUE(rec.wait_terminal(ack_of(module), id, 5s));
  EXPECT_EQ(rec.ack_states(ack_of(module), id), (States{"received", "accepted", "failed"}));
  auto last = contract::decode_ack(rec.of(ack_of(module)).back().payload);
  EXPECT_NE(last.reason.value_or("").find("bess_rack_1"), std::string::npos);
  EXPECT_NE(last.reason.value_or("").find("inverter tripped"), std::string::npos);

  // Nobody answers: timeout after command_timeout + 2 s, naming both racks.
  publish_states();
  const auto sent = std::chrono::steady_clock::now();
  const std::string silent = contract::random_uuid();
  rec.client().publish(module, command_payload(100000.0, silent), 1, false);
  std::this_thread::sleep_for(1000ms);  // the pending gauge follows every 200 ms
  EXPECT_EQ(gw.metric("\nems_gateway_distribute_pending"), 1);
  ASSERT_TRUE(rec.wait_terminal(ack_of(module), silent, 10s));
  EXPECT_EQ(rec.ack_states(ack_of(module), silent), (States{"received", "accepted", "timeout"}));
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 2900ms);
  last = contract::decode_ack(rec.of(ack_of(module)).back().payload);
  EXPECT_NE(last.reason.value_or("").find("bess_rack_1"), std::string::npos);
  EXPECT_NE(last.reason.value_or("").find("bess_rack_2"), std::string::npos);
  EXPECT_EQ(gw.metric("ems_gateway_commands_total{protocol=\"distribute\",outcome=\"timeout\"}"),
            1);
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(gw.metric("\nems_gateway_distribute_pending"), 0);
}

}  // namespace
}  // namespace ems::gateway::testing
