#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/runtime/config.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Sets a variable for the lifetime of the guard.
class EnvGuard {
 public:
  EnvGuard(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~EnvGuard() { ::unsetenv(name_); }

 private:
  const char* name_;
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, UnsetOrEmptyYieldsDefault) {
  ::unsetenv("EMS_TEST_UNSET");
  EXPECT_EQ(env_string("EMS_TEST_UNSET", "d"), "d");
  EXPECT_EQ(env_int("EMS_TEST_UNSET", 7), 7);
  EXPECT_EQ(env_double("EMS_TEST_UNSET", 0.5), 0.5);
  EXPECT_TRUE(env_bool("EMS_TEST_UNSET", true));
  EXPECT_EQ(env_duration_ms("EMS_TEST_UNSET", 3s), 3000ms);
  EnvGuard empty("EMS_TEST_EMPTY", "");
  EXPECT_EQ(env_int("EMS_TEST_EMPTY", 9), 9);
  EXPECT_FALSE(env_optional("EMS_TEST_EMPTY").has_value());
}

TEST(Config, ReadsTypedValues) {
  EnvGuard s("EMS_TEST_S", "hello");
  EnvGuard i("EMS_TEST_I", " -42 ");
  EnvGuard d("EMS_TEST_D", "1e-3");
  EnvGuard b("EMS_TEST_B", "Yes");
  EnvGuard t("EMS_TEST_T", "1.5s");
  EnvGuard l("EMS_TEST_L", "http://a, http://b,,");
  EXPECT_EQ(env_string("EMS_TEST_S", "x"), "hello");
  EXPECT_EQ(env_int("EMS_TEST_I", 0), -42);
  EXPECT_DOUBLE_EQ(env_double("EMS_TEST_D", 0), 0.001);
  EXPECT_TRUE(env_bool("EMS_TEST_B", false));
  EXPECT_EQ(env_duration_ms("EMS_TEST_T", 0ms), 1500ms);
  EXPECT_EQ(env_list("EMS_TEST_L", {}), (std::vector<std::string>{"http://a", "http://b"}));
}

TEST(Config, MalformedValueIsAnErrorNamingVariableAndForm) {
  EnvGuard i("EMS_TEST_PORT", "84x0");
  const auto msg = error_of([] { env_int("EMS_TEST_PORT", 1); });
  EXPECT_THAT(msg, HasSubstr("EMS_TEST_PORT"));
  EXPECT_THAT(msg, HasSubstr("84x0"));
  EXPECT_THAT(msg, HasSubstr("integer"));
  EnvGuard b("EMS_TEST_FLAG", "maybe");
  EXPECT_THAT(error_of([] { env_bool("EMS_TEST_FLAG", true); }), HasSubstr("true/false"));
  EnvGuard d("EMS_TEST_NAN", "nan");
  EXPECT_THAT(error_of([] { env_double("EMS_TEST_NAN", 1); }), HasSubstr("EMS_TEST_NAN"));
}

TEST(Config, RequiredVariantsThrowWhenMissing) {
  ::unsetenv("EMS_TEST_REQ");
  EXPECT_THAT(error_of([] { require_string("EMS_TEST_REQ"); }),
              HasSubstr("EMS_TEST_REQ is required"));
  EXPECT_THAT(error_of([] { require_int("EMS_TEST_REQ"); }), HasSubstr("integer"));
  EXPECT_THAT(error_of([] { require_duration_ms("EMS_TEST_REQ"); }), HasSubstr("duration"));
  EnvGuard g("EMS_TEST_REQ", "5m");
  EXPECT_EQ(require_duration_ms("EMS_TEST_REQ"), 300000ms);
  EXPECT_EQ(require_string("EMS_TEST_REQ"), "5m");
}

TEST(Config, ParseDuration) {
  EXPECT_EQ(parse_duration_ms("X", "250"), 250ms);
  EXPECT_EQ(parse_duration_ms("X", "250ms"), 250ms);
  EXPECT_EQ(parse_duration_ms("X", "2s"), 2000ms);
  EXPECT_EQ(parse_duration_ms("X", "1m"), 60000ms);
  EXPECT_EQ(parse_duration_ms("X", "1h"), 3600000ms);
  EXPECT_EQ(parse_duration_ms("X", "0.5S"), 500ms);
  EXPECT_THROW(parse_duration_ms("X", "-1s"), std::runtime_error);
  EXPECT_THROW(parse_duration_ms("X", "5 days"), std::runtime_error);
  EXPECT_THROW(parse_duration_ms("X", "s"), std::runtime_error);
  EXPECT_THROW(parse_duration_ms("X", ""), std::runtime_error);
}

TEST(Config, ParseBoolAndInt) {
  for (const char* t : {"true", "1", "yes", "on", "TRUE", "On"}) EXPECT_TRUE(parse_bool("X", t));
  for (const char* f : {"false", "0", "no", "off", "False"}) EXPECT_FALSE(parse_bool("X", f));
  EXPECT_THROW(parse_bool("X", "2"), std::runtime_error);
  EXPECT_EQ(parse_int("X", "+8400"), 8400);
  EXPECT_THROW(parse_int("X", "1.5"), std::runtime_error);
  EXPECT_THROW(parse_int("X", "99999999999999999999"), std::runtime_error);
}

}  // namespace
}  // namespace ems::runtime
