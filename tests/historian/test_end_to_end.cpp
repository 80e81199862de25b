// End to end (ARCHITECTURE.md flow 7): a test DTM POSTed to the real device-api, the simulated
// site serving it (FixtureSite on free ports), the gateway polling it and publishing, the real
// ems-historian following device-api's /asyncapi and storing: every polled measurement read back
// from PostgreSQL and through the API equals the fixture's value.
#include <gtest/gtest.h>

#include <set>

#include "ems/testing/device_api.hpp"
#include "engineering_value.hpp"
#include "gateway_fixture.hpp"
#include "historian_process.hpp"

namespace ems::historian::testing {
namespace {

class HistorianEndToEnd : public gateway::testing::GatewayTest {};

drivers::Value as_driver_value(const Json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) return v.get<std::string>();
  return v.get<double>();
}

TEST_F(HistorianEndToEnd, FixtureValuesReadBackFromPostgresAndTheApi) {
  ems::testing::DeviceApiOptions o;
  o.binary = EMS_DEVICE_API_BINARY;
  o.mqtt_url = broker_->url();
  o.extra_env = {std::string("EMS_SITE_ID=") + gateway::testing::kSite};
  ems::testing::DeviceApiProcess api(o);
  api.start();
  ASSERT_EQ(api.post("/topology", doc_.dump()).status, 201);
  const auto asyncapi = Json::parse(api.get("/asyncapi").body);

  const auto db = ems::testing::PostgresServer::shared().create_database();
  HistorianConfig c;
  c.database_url = db;
  c.mqtt_url = broker_->url();
  c.client_id = "historian-e2e";
  c.device_api_url = api.base_url();
  HistorianProcess historian(c);
  historian.start();
  ASSERT_TRUE(historian.wait_ready());

  const auto sources = contract::read_sources(asyncapi);
  std::size_t points = 0;
  for (const auto& [id, d] : sources) points += d.points.size();
  ASSERT_GT(points, 50u);
  // The series registry comes from the document before any sample arrives.
  ASSERT_GE(wait_rows(db, "SELECT count(*) FROM ts.series WHERE from_topology",
                      static_cast<std::int64_t>(points), 20s),
            static_cast<std::int64_t>(points));

  gateway::testing::RunningGateway gw(broker_->url(), asyncapi);
  const Json state = site_->state();  // the model stands still (step(0))
  // Every polled point and comm_status stored.
  std::size_t polled_devices = 0;
  for (const auto& [id, d] : sources) polled_devices += d.connections.empty() ? 0 : 1;
  const auto polled = static_cast<std::int64_t>(points + polled_devices);
  ASSERT_GE(wait_rows(db,
                      "SELECT count(DISTINCT series_id) FROM ts.samples s JOIN ts.series r ON "
                      "r.id = s.series_id",
                      polled, 40s),
            polled);

  pqxx::connection conn(db);
  pqxx::nontransaction tx(conn);
  std::set<contract::Protocol> protocols;
  std::size_t compared = 0;
  for (const auto& [id, d] : sources) {
    const auto latest = historian.get("/latest?device=" + id);
    ASSERT_EQ(latest.status, 200) << latest.body;
    std::map<std::string, Json> by_measurement;
    const auto latest_json = latest.json();
    for (const auto& v : latest_json["values"]) {
      by_measurement[v["measurement"].get<std::string>()] = v["value"];
    }
    if (!d.connections.empty()) {
      EXPECT_EQ(by_measurement["comm_status"], "ONLINE") << id;
    }
    for (const auto& p : d.points) {
      SCOPED_TRACE(id + "." + p.name);
      const Json want = state["devices"][id]["points"][p.name];
      // From PostgreSQL: the newest stored row of the series.
      const auto r = tx.exec_params(
          "SELECT r.value_type, s.value, l.label FROM ts.samples s JOIN ts.series r ON r.id = "
          "s.series_id LEFT JOIN ts.labels l ON r.value_type = 'enum' AND l.id = s.value::int "
          "WHERE r.device_id = $1 AND r.measurement = $2 ORDER BY s.ts DESC LIMIT 1",
          id, p.name);
      ASSERT_EQ(r.size(), 1u);
      const std::string type = r[0][0].c_str();
      EXPECT_EQ(type, contract::to_string(p.value_type));
      drivers::Value stored;
      if (type == "bool") {
        stored = r[0][1].as<double>() != 0;
      } else if (type == "enum") {
        stored = r[0][2].as<std::string>();
      } else {
        stored = r[0][1].as<double>();
      }
      EXPECT_TRUE(fixtures::testing::same_value(stored, want, p));
      // Through the API.
      ASSERT_TRUE(by_measurement.count(p.name));
      EXPECT_TRUE(fixtures::testing::same_value(as_driver_value(by_measurement[p.name]), want, p));
      const auto samples =
          historian.get("/samples?device=" + id + "&measurement=" + p.name + "&format=csv");
      ASSERT_EQ(samples.status, 200) << samples.body;
      EXPECT_GT(samples.body.size(), 10u);
      protocols.insert(p.binding.protocol);
      ++compared;
    }
  }
  EXPECT_EQ(compared, points);
  EXPECT_EQ(protocols.size(), 5u);  // modbus, dnp3, snmp, redfish, can
}

}  // namespace
}  // namespace ems::historian::testing
