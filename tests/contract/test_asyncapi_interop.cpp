// AsyncAPI and view on real DTMs: the reference configurator's (tests/data/interop/dtm) and our
// demo site (deploy/demo/dtm.json), parsed with parse_dtm.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/json_yaml.hpp"
#include "ems/contract/view.hpp"
#include "test_asyncapi_fixture.hpp"
#include "test_view_sanitized.hpp"

namespace ems::contract {
namespace {

namespace fs = std::filesystem;
using testing::flat_sources;

Dtm load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return parse_dtm(Json::parse(s.str()));
}

fs::path interop(const char* name) {
  return fs::path(EMS_INTEROP_DIR) / "dtm" / name;
}
fs::path demo() {
  return fs::path(EMS_SOURCE_ROOT) / "deploy" / "demo" / "dtm.json";
}

std::vector<fs::path> real_dtms() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(EMS_INTEROP_DIR) / "dtm"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  if (fs::exists(demo())) out.push_back(demo());
  std::sort(out.begin(), out.end());
  return out;
}

const AsyncApiOptions kOptions{"1.0.0", "interop_site"};

TEST(AsyncApiInterop, EveryRealDtmGeneratesAndSanitizes) {
  const auto files = real_dtms();
  ASSERT_GE(files.size(), 2u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const Dtm dtm = load(file);
    const Json doc = generate_asyncapi(dtm, kOptions);
    EXPECT_EQ(doc["asyncapi"], "3.0.0");
    EXPECT_EQ(doc["x-display-name"].size(), dtm.devices.size());
    // Every enum measurement of every template is labelled in code order.
    for (const auto& [slug, t] : dtm.templates_used) {
      for (const auto& [name, m] : t.measurements) {
        if (m.type != ValueType::Enum) continue;
        Json labels = Json::array();
        for (const auto& v : m.values) labels.push_back(v.label);
        EXPECT_EQ(doc["x-enum-values"][slug + "." + name], labels);
      }
    }
    const Json view = topology_view(dtm, {"1.0.0", "interop_site"});
    EXPECT_THAT(testing::sanitization_leaks(view, dtm), ::testing::IsEmpty());
    EXPECT_EQ(view["devices"].size(), dtm.devices.size());
    // The YAML form carries the same document (parse back; numbers compare numerically).
    const YAML::Node yaml = YAML::Load(to_yaml(doc));
    EXPECT_EQ(yaml["info"]["version"].as<std::string>(), "1.0.0");
    EXPECT_EQ(yaml["x-display-name"].size(), dtm.devices.size());
  }
}

TEST(AsyncApiInterop, NoEnvelopeDtm) {
  const Dtm dtm = load(interop("dtm_no_envelope.json"));
  const Json doc = generate_asyncapi(dtm, kOptions);
  const Json src = flat_sources(doc, "x-protocol-source");
  // Every endpoint is PROVISIONED_AT_COMMISSIONING: only the gateway's own computations remain.
  EXPECT_THAT(src["gpu_node_1"].size(), 1u);
  EXPECT_EQ(src["gpu_node_1"]["gpu_power_watts"]["inputs"].size(), 8u);
  EXPECT_EQ(src["gpu_node_1"]["gpu_power_watts"]["inputs"][0],
            "sites/interop_site/devices/gpu_node_1/measurements/gpu_1_power/watts");
  EXPECT_FALSE(src.contains("pdu_1"));
  // No POI meter and no operating envelope: the headroom roll-ups are omitted.
  EXPECT_FALSE(src["bess_module_1"].contains("import_headroom"));
  EXPECT_FALSE(src["bess_module_1"].contains("export_headroom"));
  EXPECT_EQ(src["bess_module_1"]["state_of_charge"]["pairs"][0]["weight"], 3854.0);
  // total_power sums input_power over the pdu children only.
  const Json& total = src["compute_module_1"]["total_power"]["inputs"];
  ASSERT_EQ(total.size(), 6u);
  EXPECT_EQ(total[0], "sites/interop_site/devices/pdu_1/measurements/input_power/watts");
  // power_cap: 7 GPU nodes x 8 child commands, bounded by each target's bounds.
  const Json cap = flat_sources(doc, "x-command-source")["compute_module_1"]["set_power_limit"];
  ASSERT_EQ(cap["children"].size(), 56u);
  EXPECT_EQ(cap["children"][0]["target"], "gpu_1_power_limit");
  EXPECT_EQ(cap["children"][0]["min_w"], 200.0);
  const Json dist = flat_sources(doc, "x-command-source")["bess_module_1"]["set_active_power"];
  ASSERT_EQ(dist["children"].size(), 1u);
  EXPECT_EQ(dist["children"][0]["power_max"], 1927000.0);
  EXPECT_EQ(dist["ramp_rate_per_sec"], 0.1);
  EXPECT_EQ(doc["x-enum-values"]["gpu_node.gpu_1_throttle_reason"][1], "SW_POWER_CAP");
  EXPECT_FALSE(doc.contains("x-alarms"));
}

TEST(AsyncApiInterop, PilotAlarmsDtm) {
  const Dtm dtm = load(interop("dtm_with_pilot_alarms.json"));
  const Json doc = generate_asyncapi(dtm, kOptions);
  ASSERT_TRUE(doc.contains("x-alarms"));
  EXPECT_EQ(doc["x-alarms"].size(), 3u);
  for (const auto& [id, alarms] : doc["x-alarms"].items()) EXPECT_EQ(alarms.size(), 4u) << id;
  EXPECT_TRUE(flat_sources(doc, "x-protocol-source").empty());  // no device has a connection
  EXPECT_EQ(doc["x-enum-values"]["switchgear.breaker_state"],
            Json({"OPEN", "CLOSED", "TRIPPED", "UNKNOWN"}));
}

TEST(AsyncApiInterop, DemoDtm) {
  if (!fs::exists(demo())) GTEST_SKIP() << "no " << demo();
  const Dtm dtm = load(demo());
  const Json doc = generate_asyncapi(dtm, kOptions);
  ASSERT_TRUE(dtm.site_id.has_value());
  EXPECT_EQ(doc["x-site-id"], *dtm.site_id);
  // Every device with an endpoint and a real-protocol measurement is polled.
  for (const auto& [id, d] : dtm.devices) {
    if (!d.connection || d.connection->provisioned_at_commissioning()) continue;
    bool has_real = false;
    for (const auto& [name, m] : dtm.templates_used.at(d.template_slug).measurements)
      has_real = has_real || (m.binding && m.binding->protocol != Protocol::synthetic);
    if (has_real) {
      EXPECT_TRUE(flat_sources(doc, "x-protocol-source").contains(id)) << id;
    }
  }
  const Json view = topology_view(dtm, {"1.0.0", "interop_site"});
  EXPECT_EQ(view["site_id"], *dtm.site_id);
}

}  // namespace
}  // namespace ems::contract
