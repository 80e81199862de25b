// Isolation (a faulted device goes OFFLINE and back ONLINE while the others keep their rate),
// broker restart, reconciliation (add / remove / untouched devices without a gap) and sharding.
#include <set>

#include "ems/follower/topology_follower.hpp"
#include "ems/testing/device_api.hpp"
#include "gateway_fixture.hpp"

namespace ems::gateway::testing {
namespace {

class GatewayResilience : public GatewayTest {
 protected:
  // Samples of every device but `except` that arrived in [from, to).
  static std::size_t samples_between(Recorder& rec, const std::vector<std::string>& topics,
                                     std::chrono::steady_clock::time_point from,
                                     std::chrono::steady_clock::time_point to) {
    std::size_t n = 0;
    for (const auto& t : topics)
      for (const auto& s : rec.of(t)) n += s.at >= from && s.at < to;
    return n;
  }
  std::vector<std::string> topics_except(const std::string& device) const {
    std::vector<std::string> out;
    for (const auto& [id, d] : contract::read_sources(asyncapi_))
      if (id != device)
        for (const auto& p : d.points) out.push_back(topic(id, p.name, p.unit));
    return out;
  }
  // The demo DTM without one device (and its bus memberships).
  Json dtm_without(const std::string& device) const {
    Json dtm = doc_;
    const std::string slug = dtm["devices"][device]["template"].get<std::string>();
    dtm["devices"].erase(device);
    bool used = false;
    for (const auto& [id, d] : dtm["devices"].items()) used = used || d["template"] == slug;
    if (!used) dtm["templates_used"].erase(slug);
    for (auto& b : dtm["buses"]) {
      Json members = Json::array();
      for (const auto& m : b["members"])
        if (m["device_id"] != device) members.push_back(m);
      b["members"] = members;
    }
    return dtm;
  }
  Json document_without(const std::string& device, const std::string& version) const {
    return contract::generate_asyncapi(contract::parse_dtm(dtm_without(device)), {version, kSite});
  }
};

TEST_F(GatewayResilience, AFaultedDeviceGoesOfflineWhileTheOthersKeepTheirRate) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  const std::string inverter = comm_topic("pv_inverter_1");
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) { return comm_value(Recorder::last_in(seen, inverter)) == "ONLINE"; },
      15s));
  const auto others = topics_except("pv_inverter_1");
  std::this_thread::sleep_for(2s);  // past start-up
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(5s);
  const auto t1 = std::chrono::steady_clock::now();
  ASSERT_FALSE(site_->set_fault("pv_inverter_1", {protocols::FaultPlan::Kind::silent, {}}));
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) { return comm_value(Recorder::last_in(seen, inverter)) == "OFFLINE"; },
      15s));
  const auto t2 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(5s);
  const auto t3 = std::chrono::steady_clock::now();
  const double before =
      double(samples_between(rec, others, t0, t1)) / std::chrono::duration<double>(t1 - t0).count();
  const double during =
      double(samples_between(rec, others, t2, t3)) / std::chrono::duration<double>(t3 - t2).count();
  EXPECT_GT(before, 10.0);
  EXPECT_NEAR(during, before, before * 0.10)
      << "samples/s before " << before << ", faulted " << during;
  site_->clear_faults();
  EXPECT_TRUE(rec.wait(
      [&](const auto& seen) { return comm_value(Recorder::last_in(seen, inverter)) == "ONLINE"; },
      15s));
}

TEST_F(GatewayResilience, BrokerRestartResumesWithoutRestartingTheGateway) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  RunningGateway gw(broker_->url(), asyncapi_);
  const std::string power = topic("poi_meter_1", "active_power", contract::Unit::watts);
  ASSERT_TRUE(rec.wait([&](const auto& seen) { return seen.count(power) > 0; }, 15s));
  broker_->restart();
  ASSERT_TRUE(gw.mqtt.wait_connected(15s));
  ASSERT_TRUE(rec.client().wait_connected(15s));
  const auto after = std::chrono::steady_clock::now();
  EXPECT_TRUE(rec.wait(
      [&](const auto& seen) {
        const auto it = seen.find(power);
        return it != seen.end() && it->second.back().at > after;
      },
      10s));
  // Commands are subscribed again too. A command sent before the gateway's SUBSCRIBE reached the
  // new broker is lost by design (QoS 1, not retained, clean session): the sender retries with
  // a new command_id, as an operator tool does.
  const std::string limit = contract::command_topic(kSite, "gpu_node_1", contract::Verb::set,
                                                    "gpu_1_power_limit", contract::Unit::watts);
  const std::string ack = contract::ack_topic(kSite, "gpu_node_1", contract::Verb::set,
                                              "gpu_1_power_limit", contract::Unit::watts);
  std::vector<std::string> states;
  for (int attempt = 0; attempt < 10 && states.empty(); ++attempt) {
    const std::string id = contract::random_uuid();
    rec.client().publish(limit, command_payload(700.0, id), 1, false);
    if (rec.wait_terminal(ack, id, 2s)) states = rec.ack_states(ack, id);
  }
  ASSERT_FALSE(states.empty()) << "no command answered after the restart";
  EXPECT_EQ(states.back(), "done");
}

TEST_F(GatewayResilience, ReconcilesAddedRemovedAndUntouchedDevices) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  const Json without = document_without("pst_1", "1.0.0");
  RunningGateway gw(broker_->url(), without);
  const std::string steady = topic("poi_meter_1", "active_power", contract::Unit::watts);
  const std::string tap = topic("pst_1", "tap_position", contract::Unit::none);
  ASSERT_TRUE(rec.wait([&](const auto& seen) { return seen.count(steady) > 0; }, 15s));
  std::this_thread::sleep_for(2s);
  EXPECT_TRUE(rec.of(tap).empty());
  const std::size_t workers = gw.gateway.worker_count();

  // Added: publishes within 5 s; nobody else is restarted.
  auto added_at = std::chrono::steady_clock::now();
  gw.gateway.apply(contract::generate_asyncapi(dtm_, {"1.1.0", kSite}));
  EXPECT_EQ(gw.gateway.worker_count(), workers + 1);
  EXPECT_TRUE(rec.wait([&](const auto& seen) { return seen.count(tap) > 0; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - added_at, 5s);
  std::this_thread::sleep_for(2s);

  // Removed: stops, and its retained topics are cleared.
  gw.gateway.apply(document_without("pst_1", "2.0.0"));
  EXPECT_EQ(gw.gateway.worker_count(), workers);
  EXPECT_TRUE(rec.wait([&](const auto& seen) { return Recorder::last_in(seen, tap).empty(); }, 5s));
  std::this_thread::sleep_for(1500ms);
  const auto n = rec.of(tap).size();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(rec.of(tap).size(), n) << "a removed device still publishes";
  Recorder late(broker_->url(), runtime::metrics::Registry::global(), "late");
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(late.of(tap).empty()) << "a retained value of a removed device survived";
  EXPECT_TRUE(late.of(comm_topic("pst_1")).empty());

  // Untouched: no gap across both changes (poll rate 1 Hz or faster).
  const auto seen = rec.of(steady);
  ASSERT_GT(seen.size(), 5u);
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_LT(seen[i].at - seen[i - 1].at, 2500ms) << "gap at sample " << i;
}

// The real path: the ems-device-api binary (real PostgreSQL) owns the DTM, the gateway follows
// it with libs/follower as main() wires it; a device added by POST /devices publishes within
// 5 s of the answer, one removed by DELETE /devices/{id} stops and its retained topics are
// cleared, and an untouched device shows no gap.
TEST_F(GatewayResilience, DevicesAddedAndRemovedThroughDeviceApiReachTheGateway) {
  const std::string device = "operating_envelope";  // DNP3, no parent, on no bus
  ems::testing::DeviceApiOptions o;
  o.binary = EMS_DEVICE_API_BINARY;
  o.mqtt_url = broker_->url();
  o.extra_env = {std::string("EMS_SITE_ID=") + kSite};
  ems::testing::DeviceApiProcess api(o);
  api.start();
  const auto boot = api.post("/topology", dtm_without(device).dump());
  ASSERT_EQ(boot.status, 201) << boot.body;

  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  runtime::metrics::Registry registry;
  runtime::MqttClient mqtt(gateway_mqtt(broker_->url()), registry);
  Gateway gateway(fast_options(), mqtt, fixtures::testing::demo_secrets(), registry);
  follower::FollowerOptions fo;
  fo.base_url = api.base_url();
  fo.recheck_interval = 0ms;  // only the change events and reconnects trigger a fetch
  fo.initial_delay = 100ms;
  fo.max_delay = 500ms;
  follower::TopologyFollower follower(
      fo, &mqtt, [&](follower::TopologyUpdate u) { gateway.apply(u.document); }, registry);
  gateway.start();
  follower.start();
  mqtt.start();

  const std::string steady = topic("poi_meter_1", "active_power", contract::Unit::watts);
  std::vector<std::string> topics;  // every measurement of the device, comm_status included
  const auto sources = contract::read_sources(asyncapi_);
  for (const auto& p : sources.at(device).points) topics.push_back(topic(device, p.name, p.unit));
  topics.push_back(comm_topic(device));
  ASSERT_GT(topics.size(), 1u);
  ASSERT_TRUE(rec.wait([&](const auto& seen) { return seen.count(steady) > 0; }, 15s));
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(rec.of(topics[0]).empty()) << "a device not in the document was published";
  const std::string booted = gateway.version();
  const std::size_t workers = gateway.worker_count();

  // Added through device-api: published within 5 s.
  const auto added = api.post("/devices", doc_["devices"][device].dump());
  const auto added_at = std::chrono::steady_clock::now();
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const auto& t : topics)
          if (!seen.count(t)) return false;
        return true;
      },
      5s))
      << "the added device did not publish every point within 5 s";
  EXPECT_LT(std::chrono::steady_clock::now() - added_at, 5s);
  EXPECT_NE(gateway.version(), booted);
  EXPECT_EQ(gateway.worker_count(), workers + 1);
  EXPECT_EQ(comm_value(rec.last(comm_topic(device))), "ONLINE");
  std::this_thread::sleep_for(2s);

  // Removed through device-api: stops, and its retained topics are cleared.
  const auto removed = api.del("/devices/" + device);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const auto& t : topics)
          if (!Recorder::last_in(seen, t).empty()) return false;
        return true;
      },
      5s))
      << "the removed device's topics were not cleared";
  EXPECT_EQ(gateway.worker_count(), workers);
  std::this_thread::sleep_for(1500ms);
  const auto n = rec.of(topics[0]).size();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(rec.of(topics[0]).size(), n) << "a removed device still publishes";
  {
    Recorder late(broker_->url(), runtime::metrics::Registry::global(), "late");
    std::this_thread::sleep_for(1s);
    for (const auto& t : topics) EXPECT_TRUE(late.of(t).empty()) << "retained survived: " << t;
  }

  // Untouched: no gap across both versions.
  const auto seen = rec.of(steady);
  ASSERT_GT(seen.size(), 5u);
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_LT(seen[i].at - seen[i - 1].at, 2500ms) << "gap at sample " << i;

  follower.stop();
  gateway.stop();
  mqtt.stop();
}

TEST_F(GatewayResilience, TwoShardsCoverEveryDeviceExactlyOnce) {
  Recorder rec(broker_->url(), runtime::metrics::Registry::global());
  GatewayOptions a = fast_options(), b = fast_options();
  a.shard = parse_shard("1/2");
  b.shard = parse_shard("2/2");
  RunningGateway one(broker_->url(), asyncapi_, a);
  RunningGateway two(broker_->url(), asyncapi_, b);
  std::set<std::string> polled;
  for (const auto& [id, d] : contract::read_sources(asyncapi_))
    if (!d.connections.empty()) polled.insert(id);
  ASSERT_TRUE(rec.wait(
      [&](const auto& seen) {
        for (const auto& id : polled)
          if (!seen.count(comm_topic(id))) return false;
        return true;
      },
      20s));
  std::size_t first = 0;
  for (const auto& id : polled) {
    const bool in_one = one.gateway.comm_state(id).has_value();
    const bool in_two = two.gateway.comm_state(id).has_value();
    EXPECT_NE(in_one, in_two) << id;
    first += in_one;
    EXPECT_EQ(rec.of(comm_topic(id)).size(), 1u) << id << " published by both shards?";
  }
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, polled.size());
}

}  // namespace
}  // namespace ems::gateway::testing
