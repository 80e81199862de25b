// to_yaml: the YAML form of the AsyncAPI document must read back as the same JSON.
// The reader below applies the YAML core schema to plain scalars only; quoted scalars are
// always strings - exactly the distinction the writer has to get right.
#include <cmath>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/json_yaml.hpp"
#include "test_asyncapi_fixture.hpp"

namespace ems::contract {
namespace {

Json plain_scalar(const std::string& s) {
  if (s == "null" || s == "~") return nullptr;
  if (s == "true") return true;
  if (s == "false") return false;
  try {
    std::size_t used = 0;
    const long long i = std::stoll(s, &used);
    if (used == s.size()) return i;
  } catch (...) {
  }
  try {
    std::size_t used = 0;
    const double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (...) {
  }
  return s;
}

Json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& item : n) a.push_back(to_json(item));
      return a;
    }
    case YAML::NodeType::Scalar:
      // "!" = a quoted scalar (non-specific tag): always a string.
      return n.Tag() == "!" ? Json(n.Scalar()) : plain_scalar(n.Scalar());
    default:
      return nullptr;
  }
}

Json round_trip(const Json& j) {
  return to_json(YAML::Load(to_yaml(j)));
}

TEST(ToYaml, AmbiguousStringsAreQuoted) {
  const Json doc = {
      {"numbers_as_text", {"1", "0.5", "-3", "1e5", "0x1F", ".5", "+1", "007"}},
      {"words", {"true", "False", "yes", "No", "on", "OFF", "null", "~", "y", "n", ".inf"}},
      {"indicators", {"",          " lead",  "trail ", "a: b",    "a #b", "#c", "-x",  "- x",
                      "{site_id}", "[x]",    "*alias", "&anchor", "!tag", "%d", "@at", "`tick",
                      "'q'",       "\"dq\"", "?",      "|",       ">",    "a,b"}},
      {"multi", "line one\nline two\ttab"},
      {"unicode", "caf\u00e9 \u2014 \u00b0C"},
      {"plain", {"sites/{site_id}/devices/x", "Bess Rack 1", "/PowerControl/0/W", "MMXU.W"}},
      {"1", "key that looks like a number"},
      {"true", "key that looks like a bool"},
      {"$ref", "#/components/schemas/X"},
  };
  EXPECT_EQ(round_trip(doc), doc);
}

TEST(ToYaml, NumbersBooleansNullsAndEmptyContainers) {
  const Json doc = {{"i", 42},
                    {"neg", -7},
                    {"big", 1927000},
                    {"f", 0.1},
                    {"whole_float", 3854.0},
                    {"tiny", 1e-9},
                    {"huge", 1e300},
                    {"t", true},
                    {"f2", false},
                    {"n", nullptr},
                    {"eo", Json::object()},
                    {"ea", Json::array()},
                    {"nested", Json::array({Json::array({1, 2}), Json::array(), Json::object(),
                                            Json{{"a", Json::array({Json{{"b", 1}}})}}})}};
  const Json back = round_trip(doc);
  EXPECT_EQ(back["whole_float"].get<double>(), 3854.0);
  EXPECT_EQ(back["f"].get<double>(), 0.1);
  EXPECT_EQ(back["tiny"].get<double>(), 1e-9);
  EXPECT_EQ(back["huge"].get<double>(), 1e300);
  EXPECT_TRUE(back["whole_float"].is_number_float());
  EXPECT_EQ(back, doc);
  EXPECT_EQ(to_yaml(Json::object()), "{}\n");
  EXPECT_EQ(to_yaml(Json{{"a", Json::array({1, "x"})}}), "a:\n  - 1\n  - x\n");
}

TEST(ToYaml, GeneratedDocumentRoundTrips) {
  const Json doc = generate_asyncapi(testing::site_dtm(), {"1.0.0", "plant_a"});
  const Json back = round_trip(doc);
  EXPECT_EQ(back, doc) << "differences: " << Json::diff(doc, back).dump();
}

}  // namespace
}  // namespace ems::contract
