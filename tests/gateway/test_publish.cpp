// Every polled measurement of the demo site reaches MQTT through the gateway with the fixture's
// engineering value, typed, retained, with a millisecond Z timestamp; comm_status ONLINE for
// every polled device; roll-ups published from their inputs.
#include <regex>
#include <set>

#include "engineering_value.hpp"
#include "gateway_fixture.hpp"

namespace ems::gateway::testing {
namespace {

class GatewayPublish : public GatewayTest {};

TEST_F(GatewayPublish, EveryPolledMeasurementEqualsTheFixture) {
  const auto sources = contract::read_sources(asyncapi_);
  const Json state = site_->state();  // the model stands still (step(0))
  std::map<std::string, std::pair<std::string, const contract::SourcePoint*>> want;  // topic ->
  std::set<std::string> polled;
  for (const auto& [id, d] : sources)
    for (const auto& p : d.points) {
      want[topic(id, p.name, p.unit)] = {id, &p};
      polled.insert(id);
    }
  ASSERT_GT(want.size(), 50u);
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const auto& [t, w] : want)
          if (!seen.count(t)) return false;
        for (const auto& id : polled)
          if (!seen.count(comm_topic(id))) return false;
        return true;
      },
      20s))
      << "not every point was published";
  std::set<contract::Protocol> protocols;
  const std::regex z(R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","value":.*\})");
  for (const auto& [t, w] : want) {
    const auto& [id, p] = w;
    SCOPED_TRACE(t);
    const auto payload = rec.last(t);
    ASSERT_TRUE(payload);
    EXPECT_TRUE(std::regex_match(*payload, z)) << *payload;
    const auto sample = contract::decode_sample(*payload);
    drivers::Value got;
    if (const auto* d = std::get_if<double>(&sample.value))
      got = *d;
    else if (const auto* b = std::get_if<bool>(&sample.value))
      got = *b;
    else
      got = std::get<std::string>(sample.value);
    EXPECT_TRUE(fixtures::testing::same_value(got, state["devices"][id]["points"][p->name], *p));
    protocols.insert(p->binding.protocol);
  }
  EXPECT_EQ(protocols.size(), 5u);  // modbus, dnp3, snmp, redfish, can
  for (const auto& id : polled) EXPECT_EQ(comm_value(rec.last(comm_topic(id))), "ONLINE") << id;

  // Retained: a subscriber arriving now gets every value at once.
  Recorder late(broker_->url(), runtime::metrics::Registry::global(), "late");
  EXPECT_TRUE(late.wait(
      [&](const auto& seen) {
        for (const auto& [t, w] : want) {
          const auto it = seen.find(t);
          if (it == seen.end() || !it->second.front().retained) return false;
        }
        return true;
      },
      5s));
}

// DNP3 devices are read by one integrity poll, then class 1/2/3 event polls: after the model
// moved (events) and stood still again, every DNP3 value on MQTT still equals the fixture's,
// within the outstation's deadband (0.1 % of the point's range), and values did change.
TEST_F(GatewayPublish, Dnp3ValuesFollowTheFixtureThroughEventPolls) {
  std::map<std::string, std::pair<std::string, contract::SourcePoint>> dnp3;  // topic ->
  for (const auto& [id, d] : contract::read_sources(asyncapi_))
    for (const auto& p : d.points)
      if (p.binding.protocol == contract::Protocol::dnp3_tcp && p.poll_rate_hz >= 0.5)
        dnp3[topic(id, p.name, p.unit)] = {id, p};
  ASSERT_GT(dnp3.size(), 10u);
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const auto& [t, w] : dnp3)
          if (!seen.count(t)) return false;
        return true;
      },
      15s));
  std::map<std::string, std::string> first;
  for (const auto& [t, w] : dnp3) first[t] = *rec.last(t);
  advance_ = true;
  std::this_thread::sleep_for(8s);
  advance_ = false;
  std::this_thread::sleep_for(3s);  // more than a poll period of every point compared
  const Json state = site_->state();
  std::size_t changed = 0;
  for (const auto& [t, w] : dnp3) {
    const auto& [id, p] = w;
    SCOPED_TRACE(t);
    const auto payload = rec.last(t);
    ASSERT_TRUE(payload);
    changed += *payload != first[t] &&
               contract::decode_sample(*payload).value != contract::decode_sample(first[t]).value;
    const Json& want = state["devices"][id]["points"][p.name];
    const auto sample = contract::decode_sample(*payload);
    if (const auto* d = std::get_if<double>(&sample.value);
        d && p.value_type == contract::ValueType::Float) {
      const auto& b = *p.binding.as<contract::Dnp3Binding>();
      const auto spec = dtm_.measurements_of(dtm_.devices.at(id)).at(p.name);
      const double deadband =  // the fixture outstation's
          spec.bounds ? std::abs(spec.bounds->max - spec.bounds->min) * 0.001 : 0.0;
      const double w = want.get<double>();
      EXPECT_NEAR(*d, w,
                  std::max({std::abs(b.scale) * 1.0001, deadband * 1.0001, std::abs(w) * 1e-6}));
    } else {
      drivers::Value got;
      if (const auto* b = std::get_if<bool>(&sample.value))
        got = *b;
      else if (const auto* l = std::get_if<std::string>(&sample.value))
        got = *l;
      else
        got = std::get<double>(sample.value);
      EXPECT_TRUE(fixtures::testing::same_value(got, want, p));
    }
  }
  EXPECT_GT(changed, 3u) << "the model's moves never reached MQTT: no event carried data";
}

TEST_F(GatewayPublish, RollupsFollowTheirInputsAndStopWhenStale) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  // grid_module_1.pv_active_power = the sum of its PV inverters' active_power (Modbus).
  const std::string sum = topic("grid_module_1", "pv_active_power", contract::Unit::watts);
  const std::string input = topic("pv_inverter_1", "active_power", contract::Unit::watts);
  ASSERT_TRUE(
      rec.wait([&](const auto& seen) { return seen.count(sum) && seen.count(input); }, 15s));
  // The model stands still: the sum equals its one input.
  const double expected = contract::decode_float_sample(*rec.last(input)).value;
  const double got = contract::decode_float_sample(*rec.last(sum)).value;
  EXPECT_NEAR(got, expected, std::abs(expected) * 1e-9 + 1e-6);

  // The inverter stops answering: its input ages past 3 poll periods and the sum is no longer
  // published (rather than a total without the inverter).
  ASSERT_FALSE(site_->set_fault("pv_inverter_1", {protocols::FaultPlan::Kind::silent, {}}));
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("pv_inverter_1"))) == "OFFLINE";
      },
      15s));
  const auto stale_at = std::chrono::steady_clock::now() + 4s;  // > 3 periods of 1 Hz inputs
  std::this_thread::sleep_until(stale_at);
  const auto before = rec.of(sum).size();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(rec.of(sum).size(), before) << "a stale roll-up was published";
  site_->clear_faults();
  EXPECT_TRUE(
      rec.wait([&](const auto& seen) { return Recorder::count_in(seen, sum) > before; }, 15s));
}

TEST_F(GatewayPublish, ADeviceThatCannotBeServedIsOfflineAndTheOthersRun) {
  // Without the secrets file, pdu_2 (SNMPv3) and gpu_node_2 (Redfish auth) have no driver.
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_, fast_options(), runtime::Secrets::parse("{}"));
  EXPECT_TRUE(rec.wait(
      [&](const auto& seen) {
        return comm_value(Recorder::last_in(seen, comm_topic("pdu_2"))) == "OFFLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("gpu_node_2"))) == "OFFLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("pdu_1"))) == "ONLINE" &&
               comm_value(Recorder::last_in(seen, comm_topic("gpu_node_1"))) == "ONLINE";
      },
      15s));
}

}  // namespace
}  // namespace ems::gateway::testing
