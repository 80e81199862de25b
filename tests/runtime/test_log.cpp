#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ems/runtime/backoff.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/utc_time.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;

TEST(Log, LineIsOneJsonObjectWithFixedKeysFirst) {
  const auto line = log::format_line("2026-11-26T07:05:11.123Z", log::Level::warn, "device-api",
                                     "topology stored", {{"version", "1.2.0"}, {"devices", 42}});
  EXPECT_EQ(line, R"({"ts":"2026-11-26T07:05:11.123Z","level":"warn","service":"device-api",)"
                  R"("msg":"topology stored","version":"1.2.0","devices":42})");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Log, FieldsCannotOverwriteFixedKeysAndBadUtf8IsReplaced) {
  const auto line = log::format_line("t", log::Level::info, "svc", "m\nx",
                                     {{"msg", "spoof"}, {"raw", std::string("\xff", 1)}});
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "m\nx");
  EXPECT_EQ(j["field.msg"], "spoof");
  EXPECT_EQ(j["raw"], "\xEF\xBF\xBD");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Log, LevelsParseAndFilter) {
  EXPECT_EQ(log::parse_level("debug"), log::Level::debug);
  EXPECT_EQ(log::parse_level("warning"), log::Level::warn);
  EXPECT_THROW(log::parse_level("loud"), std::runtime_error);
  const auto saved = log::level();
  log::set_level(log::Level::warn);
  EXPECT_FALSE(log::enabled(log::Level::info));
  EXPECT_TRUE(log::enabled(log::Level::error));
  log::set_level(log::Level::off);
  EXPECT_FALSE(log::enabled(log::Level::critical));
  log::set_level(saved);
}

TEST(UtcTime, FormatsRfc3339MillisecondsZ) {
  using namespace std::chrono;
  const system_clock::time_point t{milliseconds(1795676711123)};
  EXPECT_EQ(format_utc_ms(t), "2026-11-26T07:05:11.123Z");
  EXPECT_EQ(format_utc_ms(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(system_clock::time_point{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(utc_now_ms().size(), 24u);
}

TEST(Backoff, DoublesUpToTheCapAndResets) {
  Backoff b(1000ms, 30000ms);
  std::vector<long> seen;
  for (int i = 0; i < 7; ++i) seen.push_back(static_cast<long>(b.next().count()));
  EXPECT_EQ(seen, (std::vector<long>{1000, 2000, 4000, 8000, 16000, 30000, 30000}));
  b.reset();
  EXPECT_EQ(b.next(), 1000ms);
  EXPECT_THROW(Backoff(10ms, 5ms), std::invalid_argument);
}

}  // namespace
}  // namespace ems::runtime
