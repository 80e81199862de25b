// runtime::parse_json / parse_json_body: every json::exception of a parse is one clear error.
#include <gtest/gtest.h>

#include "ems/runtime/json_input.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::runtime {
namespace {

TEST(JsonInput, ParsesAnyValue) {
  EXPECT_EQ(parse_json(R"({"a":[1,2.5,"x"]})")["a"][1], 2.5);
  EXPECT_EQ(parse_json("1e308"), 1e308);
  EXPECT_TRUE(parse_json("null").is_null());
}

TEST(JsonInput, NumberBeyondDoubleIsAJsonInputError) {
  // nlohmann throws json::out_of_range (406) here, not json::parse_error.
  for (const char* text : {"1e999", R"({"value":1e999})", "[-1e999]"}) {
    try {
      (void)parse_json(text);
      FAIL() << text << " parsed";
    } catch (const JsonInputError& e) {
      EXPECT_NE(std::string(e.what()).find("number out of range"), std::string::npos) << e.what();
      EXPECT_FALSE(e.byte().has_value());
    }
  }
}

TEST(JsonInput, SyntaxErrorsCarryTheByte) {
  try {
    (void)parse_json(R"({"a":})");
    FAIL();
  } catch (const JsonInputError& e) {
    ASSERT_TRUE(e.byte().has_value());
    EXPECT_EQ(*e.byte(), 6u);
    EXPECT_NE(std::string(e.what()).find("invalid JSON at byte 6"), std::string::npos);
  }
  EXPECT_THROW((void)parse_json(""), JsonInputError);
  EXPECT_THROW((void)parse_json("{} trailing"), JsonInputError);
  EXPECT_THROW((void)parse_json(std::string("\"\xff\"")), JsonInputError);
}

TEST(JsonInput, BodyErrorsAreProblem400) {
  for (const char* text : {"1e999", "{", ""}) {
    try {
      (void)parse_json_body(text);
      FAIL() << text << " parsed";
    } catch (const ProblemException& e) {
      EXPECT_EQ(e.problem().status, 400) << text;
      EXPECT_EQ(e.problem().title, "Invalid JSON") << text;
      EXPECT_FALSE(e.problem().detail.empty()) << text;
    }
  }
}

}  // namespace
}  // namespace ems::runtime
