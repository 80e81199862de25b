// generate_asyncapi_text must write exactly generate_asyncapi(...).dump(): checked byte for byte
// on the fixture site (every entry shape), on the real DTMs (reference configurator's and our
// demo), on the generated site of the benchmark, on strings that need escaping, and on errors.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "../../bench/device-api/synthetic_site.hpp"
#include "ems/contract/asyncapi.hpp"
#include "ems/contract/catalog.hpp"
#include "test_asyncapi_fixture.hpp"

namespace ems::contract {
namespace {

namespace fs = std::filesystem;
using namespace ems::contract::testing;

const AsyncApiOptions kOptions{"1.2.3", "plant_a"};

// Same bytes, and (for a readable failure) the same document.
void expect_same(const Dtm& dtm, const std::string& what) {
  const Json doc = generate_asyncapi(dtm, kOptions);
  const std::string text = generate_asyncapi_text(dtm, kOptions);
  EXPECT_EQ(Json::parse(text), doc) << what;
  EXPECT_EQ(text, doc.dump()) << what;
}

Dtm load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return parse_dtm(Json::parse(s.str()));
}

TEST(AsyncApiText, FixtureSite) {
  expect_same(site_dtm(), "site_dtm");
  Dtm dtm = site_dtm();
  dtm.sizing_params["bess_reserve_floor_mwh"] = 1.0;  // distribute with the reserve floor
  expect_same(dtm, "reserve floor");
  dtm.devices.erase("operating_envelope");
  dtm.devices.erase("poi_meter_1");
  dtm.buses.clear();
  expect_same(dtm, "no envelope, no poi meter");
}

TEST(AsyncApiText, RealDtms) {
  std::vector<fs::path> dtms;
  for (const auto& e : fs::directory_iterator(fs::path(EMS_INTEROP_DIR) / "dtm"))
    if (e.path().extension() == ".json") dtms.push_back(e.path());
  const fs::path demo = fs::path(EMS_SOURCE_ROOT) / "deploy" / "demo" / "dtm.json";
  if (fs::exists(demo)) dtms.push_back(demo);
  ASSERT_GE(dtms.size(), 2u);
  for (const auto& p : dtms) expect_same(load(p), p.string());
}

TEST(AsyncApiText, GeneratedSite) {
  const auto catalog = TemplateCatalog::load(fs::path(EMS_SOURCE_ROOT) / "templates");
  // 230 devices: compute modules (GPU nodes, PDUs) and BESS modules (every 4th module).
  const Dtm dtm = parse_dtm(bench::synthetic_site(catalog, 230), &catalog);
  expect_same(dtm, "synthetic_site(230)");
  expect_same(big_dtm(5, 3), "big_dtm(5, 3)");
}

TEST(AsyncApiText, StringsThatNeedEscaping) {
  Dtm dtm = site_dtm();
  Device& sw = dtm.devices.at("switchgear_1");
  sw.display_name = "Schaltanlage \"Süd\" \\ Feld\t1";
  sw.connection->host = "host\"with\\quotes";
  sw.connection->host = "hôte-ü.example";
  sw.extra_measurements->at("cabinet_temp").display_name_default = "Temp\n°C";
  dtm.templates_used["bess_rack"].measurements.at("active_power").binding->fields["note"] =
      "tab\there \x01";
  expect_same(dtm, "escaping");
}

TEST(AsyncApiText, InvalidUtf8IsRefusedLikeDump) {
  Dtm dtm = site_dtm();
  dtm.devices.at("switchgear_1").display_name = std::string("bad \xff byte");
  EXPECT_THROW(generate_asyncapi(dtm, kOptions).dump(), Json::type_error);
  EXPECT_THROW(generate_asyncapi_text(dtm, kOptions), Json::type_error);
}

TEST(AsyncApiText, ErrorsAreTheSame) {
  auto error_of = [](auto generate) -> std::string {
    try {
      generate();
    } catch (const ContractError& e) {
      return e.issues().at(0).path;
    }
    return "<no error>";
  };
  Dtm dtm = site_dtm();
  dtm.templates_used["bess_rack"].capacity_kwh.reset();  // x-protocol-source (weighted_mean)
  dtm.templates_used["bess_rack"].commands.clear();      // x-command-source (distribute)
  const std::string json_error = error_of([&] { generate_asyncapi(dtm, kOptions); });
  EXPECT_NE(json_error, "<no error>");
  EXPECT_EQ(error_of([&] { generate_asyncapi_text(dtm, kOptions); }), json_error);
}

TEST(AsyncApiText, NoAlarmsNoSection) {
  const std::string text = generate_asyncapi_text(big_dtm(2, 2), kOptions);
  EXPECT_FALSE(Json::parse(text).contains("x-alarms"));
  EXPECT_TRUE(Json::parse(generate_asyncapi_text(site_dtm(), kOptions)).contains("x-alarms"));
}

TEST(AsyncApiText, TenThousandDevicesWriteQuickly) {
  const Dtm dtm = big_dtm(1000, 9);  // 10,000 devices
  const auto start = std::chrono::steady_clock::now();
  const std::string text = generate_asyncapi_text(dtm, kOptions);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  RecordProperty("generate_text_ms", static_cast<int>(ms));
  RecordProperty("bytes", static_cast<int>(text.size()));
  EXPECT_EQ(text.front(), '{');
  EXPECT_EQ(text.back(), '}');
  // ~0.3 s of CPU in a release build (the Json tree + dump: ~2.7 s); generous for unoptimized
  // and sanitizer builds on a shared machine - bench_asyncapi holds the real budget.
  EXPECT_LT(ms, 3000);
}

}  // namespace
}  // namespace ems::contract
