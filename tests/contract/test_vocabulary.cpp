// Closed vocabularies (CONTRACT.md sections 1-3): slugs, units, verbs, value and payload types.
#include "ems/contract/vocabulary.hpp"

#include <string>

#include <gtest/gtest.h>

namespace ems::contract {
namespace {

TEST(Slug, AcceptsAndRejectsPerThePattern) {
  for (const char* ok : {"ab", "a1", "site_a", "bess_01", "a_b_c", "pcs1"}) {
    EXPECT_TRUE(is_slug(ok)) << ok;
  }
  for (const char* bad : {"", "a", "1a", "_a", "a_", "A1", "aB", "a-b", "a b", "a.b", "a/b", "a+",
                          "é1", "{site_id}"}) {
    EXPECT_FALSE(is_slug(bad)) << bad;
  }
  EXPECT_TRUE(is_slug(std::string(64, 'a')));
  EXPECT_FALSE(is_slug(std::string(65, 'a')));
  EXPECT_FALSE(is_slug(std::string("a\0b", 3)));
}

TEST(Units, ExactlyTheContractList) {
  const char* contract[] = {"volts",
                            "amps",
                            "watts",
                            "vars",
                            "voltamperes",
                            "watt_hours",
                            "hertz",
                            "celsius",
                            "percent",
                            "watts_per_m2",
                            "meters_per_second",
                            "bar",
                            "liters_per_minute",
                            "degrees",
                            "meters",
                            "seconds",
                            "none"};
  ASSERT_EQ(kUnitNames.size(), std::size(contract));
  for (const char* name : contract) {
    auto u = parse_unit(name);
    ASSERT_TRUE(u.has_value()) << name;
    EXPECT_EQ(to_string(*u), name);
  }
  for (const char* bad : {"", "kilowatts", "kilowatt_hours", "Watts", "W", "watt", "percent "}) {
    EXPECT_FALSE(parse_unit(bad).has_value()) << bad;
  }
}

TEST(Verbs, ExactlyTheContractList) {
  const char* contract[] = {"set", "reset", "clear", "start", "stop", "enable", "disable"};
  ASSERT_EQ(kVerbNames.size(), std::size(contract));
  for (const char* name : contract) {
    auto v = parse_verb(name);
    ASSERT_TRUE(v.has_value()) << name;
    EXPECT_EQ(to_string(*v), name);
  }
  for (const char* bad : {"", "toggle", "SET", "write", "sets"}) {
    EXPECT_FALSE(parse_verb(bad).has_value()) << bad;
  }
}

TEST(ValueAndPayloadTypes, RoundTrip) {
  EXPECT_EQ(parse_value_type("float"), ValueType::Float);
  EXPECT_EQ(parse_value_type("bool"), ValueType::Bool);
  EXPECT_EQ(parse_value_type("enum"), ValueType::Enum);
  EXPECT_FALSE(parse_value_type("trigger").has_value());
  EXPECT_FALSE(parse_value_type("boolean").has_value());
  for (auto t : {ValueType::Float, ValueType::Bool, ValueType::Enum}) {
    EXPECT_EQ(parse_value_type(to_string(t)), t);
  }
  EXPECT_EQ(parse_payload_type("trigger"), PayloadType::Trigger);
  EXPECT_FALSE(parse_payload_type("Float").has_value());
  for (auto t : {PayloadType::Float, PayloadType::Bool, PayloadType::Enum, PayloadType::Trigger}) {
    EXPECT_EQ(parse_payload_type(to_string(t)), t);
  }
}

}  // namespace
}  // namespace ems::contract
