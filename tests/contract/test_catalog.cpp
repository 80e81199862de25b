// The YAML template catalog: scalar typing, file-level errors with "<file>#<pointer>" paths, and
// the real catalogs (interop and the bundled one) with the demo DTM.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ems/contract/catalog.hpp"

namespace {
using namespace ems::contract;
namespace fs = std::filesystem;

// A fresh catalog root under the system temp dir, removed at the end of the test.
class TempCatalog {
 public:
  TempCatalog() {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("ems_catalog_test_" + std::to_string(rd()));
    fs::create_directories(root_ / "leaf");
    fs::create_directories(root_ / "module");
  }
  ~TempCatalog() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(root_ / rel) << text;
  }
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

const char* kRack = R"(template: rack
kind: leaf
vendor: Acme
model: R1
equipment_id: ACME-R1
description: a rack
measurements:
  state:
    unit: none
    type: enum
    values:
      0: STANDBY
      1: RUNNING
    binding: {protocol: modbus_tcp, function_code: 3, address: 40, data_type: uint16}
)";

const char* kModule = R"(template: bank
kind: module
description: racks
contains:
  - template: rack
measurements:
  total:
    unit: watts
    type: float
    publisher: line_controller
)";

std::vector<Issue> load_issues(const fs::path& root) {
  try {
    TemplateCatalog::load(root);
  } catch (const ContractError& e) {
    return e.issues();
  }
  return {};
}

bool has_issue(const std::vector<Issue>& issues, const std::string& path_end,
               const std::string& part) {
  for (const auto& i : issues)
    if (i.path.ends_with(path_end) && i.message.find(part) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<Issue>& issues) {
  std::string out;
  for (const auto& i : issues) out += i.path + ": " + i.message + "\n";
  return out;
}

TEST(YamlToJson, ScalarsAreTypedLikeYamlCore) {
  Json j = yaml_to_json(R"(
int: 42
neg: -7
float: 0.5
exp: 1e3
yes: true
no: False
nothing: null
tilde: ~
empty:
text: hello
version: 1.0.0
quoted_int: "42"
single_quoted: 'true'
hex_like: 0x10
dotted_oid: 1.3.6.1
inf_word: .inf
too_big: 1e400
0: STANDBY
10: OFFLINE
list: [1, "2", three]
)",
                        "t.yaml");
  EXPECT_EQ(j["int"], 42);
  EXPECT_TRUE(j["int"].is_number_integer());
  EXPECT_EQ(j["neg"], -7);
  EXPECT_EQ(j["float"], 0.5);
  EXPECT_TRUE(j["float"].is_number_float());
  EXPECT_EQ(j["exp"], 1000.0);
  EXPECT_EQ(j["yes"], true);
  EXPECT_EQ(j["no"], false);
  EXPECT_TRUE(j["nothing"].is_null());
  EXPECT_TRUE(j["tilde"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["text"], "hello");
  EXPECT_EQ(j["version"], "1.0.0");
  EXPECT_EQ(j["quoted_int"], "42");
  EXPECT_EQ(j["single_quoted"], "true");
  EXPECT_EQ(j["hex_like"], "0x10");
  EXPECT_EQ(j["dotted_oid"], "1.3.6.1");
  EXPECT_EQ(j["inf_word"], ".inf");
  EXPECT_EQ(j["too_big"], "1e400");
  EXPECT_EQ(j["0"], "STANDBY");
  EXPECT_EQ(j["10"], "OFFLINE");
  EXPECT_EQ(j["list"], Json::parse(R"([1, "2", "three"])"));
}

TEST(YamlToJson, InvalidYamlNamesTheSource) {
  try {
    yaml_to_json("a: [1, 2\nb: }", "bad.yaml");
    FAIL();
  } catch (const ContractError& e) {
    ASSERT_EQ(e.issues().size(), 1u);
    EXPECT_EQ(e.issues()[0].path, "bad.yaml");
    EXPECT_NE(e.issues()[0].message.find("invalid YAML"), std::string::npos);
  }
}

TEST(YamlToJson, DuplicateKeysAreRejected) {
  try {
    yaml_to_json("a:\n  b: 1\n  b: 2\n", "dup.yaml");
    FAIL();
  } catch (const ContractError& e) {
    EXPECT_EQ(e.issues()[0].path, "dup.yaml#/a/b");
  }
}

TEST(Catalog, LoadsLeafAndModuleTemplates) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  dir.write("module/bank.yaml", kModule);
  dir.write("leaf/README.md", "not a template");
  TemplateCatalog catalog = TemplateCatalog::load(dir.root());
  EXPECT_EQ(catalog.size(), 2u);
  ASSERT_TRUE(catalog.contains("rack"));
  EXPECT_EQ(catalog.find("bank")->kind, TemplateKind::module);
  EXPECT_EQ(catalog.find("missing"), nullptr);
  const auto& values = catalog.find("rack")->measurements.at("state").values;
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].code, "0");
  EXPECT_EQ(values[1].label, "RUNNING");
}

TEST(Catalog, MissingModuleDirIsSkippedButMissingRootIsAnError) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  fs::remove(dir.root() / "module");
  EXPECT_EQ(TemplateCatalog::load(dir.root()).size(), 1u);
  EXPECT_THROW(TemplateCatalog::load(dir.root() / "nope"), ContractError);
}

TEST(Catalog, InvalidYamlNamesTheFile) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  dir.write("leaf/broken.yaml", "template: [broken\n");
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "leaf/broken.yaml", "invalid YAML")) << dump(issues);
}

TEST(Catalog, InvalidTemplateNamesFileAndPointer) {
  TempCatalog dir;
  std::string bad = kRack;
  bad.replace(bad.find("unit: none"), 10, "unit: kelvin");
  dir.write("leaf/rack.yaml", bad);
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "leaf/rack.yaml#/measurements/state/unit", "not a contract unit"))
      << dump(issues);
}

TEST(Catalog, DuplicateSlugIsAnError) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  dir.write("leaf/rack_copy.yaml", kRack);
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "leaf/rack_copy.yaml#/template", "duplicate template slug"))
      << dump(issues);
  EXPECT_TRUE(has_issue(issues, "leaf/rack_copy.yaml#/template", "differs from the file name"));
}

TEST(Catalog, DanglingContainsIsAnError) {
  TempCatalog dir;
  dir.write("module/bank.yaml", kModule);
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "module/bank.yaml#/contains/0/template", "not in the catalog"))
      << dump(issues);
}

TEST(Catalog, RollUpsMustReadAMeasurementOfTheChildren) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  dir.write("module/bank.yaml", R"(template: bank
kind: module
description: racks
contains: [{template: rack}]
measurements:
  total:
    unit: watts
    type: float
    publisher: gateway
    binding: {protocol: synthetic, operation: sum, source_measurement: power, child_template: rack}
)");
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "module/bank.yaml#/measurements/total/binding/source_measurement",
                        "no child template"))
      << dump(issues);
}

TEST(Catalog, KindMustMatchItsFolder) {
  TempCatalog dir;
  dir.write("leaf/rack.yaml", kRack);
  dir.write("leaf/bank.yaml", kModule);
  auto issues = load_issues(dir.root());
  EXPECT_TRUE(has_issue(issues, "leaf/bank.yaml#/kind", "does not belong in leaf/"))
      << dump(issues);
}

TEST(Catalog, ValueMapCodesFromYamlBecomeLabels) {
  TempCatalog dir;
  dir.write("leaf/pump.yaml", R"(template: pump
kind: leaf
vendor: V
model: M
equipment_id: E
description: pump
measurements:
  state:
    unit: none
    type: enum
    values: {0: ENABLED, 1: DISABLED}
    binding:
      protocol: redfish
      uri: /Pumps/1
      json_pointer: /Status/State
      value_map: {Enabled: 0, Disabled: 1}
)");
  auto catalog = TemplateCatalog::load(dir.root());
  EXPECT_EQ(catalog.find("pump")->measurements.at("state").binding->fields["value_map"],
            Json::parse(R"({"Enabled":"ENABLED","Disabled":"DISABLED"})"));
}

TEST(Catalog, InteropTemplatesLoad) {
  const fs::path root = fs::path(EMS_INTEROP_DIR) / "templates";
  try {
    EXPECT_EQ(TemplateCatalog::load(root).size(), 18u);
  } catch (const ContractError& e) {
    FAIL() << e.what();
  }
}

TEST(Catalog, BundledCatalogLoadsAndAcceptsTheDemoDtm) {
  fs::path root = fs::path(EMS_SOURCE_ROOT) / "templates";
  fs::path demo = fs::path(EMS_SOURCE_ROOT) / "deploy" / "demo" / "dtm.json";
  if (!fs::is_directory(root)) GTEST_SKIP() << "no bundled catalog at " << root;
  TemplateCatalog catalog;
  try {
    catalog = TemplateCatalog::load(root);
  } catch (const ContractError& e) {
    FAIL() << e.what();
  }
  EXPECT_GT(catalog.size(), 0u);
  if (!fs::exists(demo)) GTEST_SKIP() << "no demo DTM at " << demo;
  std::ifstream in(demo);
  try {
    Dtm dtm = parse_dtm(Json::parse(in), &catalog);
    EXPECT_FALSE(dtm.devices.empty());
    // Every template the demo embeds must be the catalog's template.
    for (const auto& [slug, t] : dtm.templates_used)
      EXPECT_EQ(t, *catalog.find(slug)) << slug << " differs from the catalog body";
  } catch (const ContractError& e) {
    FAIL() << e.what();
  }
}

}  // namespace
