// One cycle's rating (dynamic, capped, static fallback, loading, prediction) and the discovery of
// the DLR devices in the demo DTM.
#include <gtest/gtest.h>

#include <fstream>

#include "ems/contract/dtm.hpp"
#include "ems/physics/heat_balance.hpp"
#include "line_rating.hpp"
#include "line_topology.hpp"

namespace ems::line_controller {
namespace {

// The IEEE 738 worked example's weather (Drake, 40 C, 0.61 m/s perpendicular, 10 June 11:00,
// latitude 30, east-west line): 1025 A at 100 C.
LineRatingConfig drake_example() {
  LineRatingConfig c;
  c.site = {30.0, 0.0, 90.0};
  c.max_conductor_c = 100.0;
  c.static_rating_a = 800.0;
  c.cap_factor = 1.5;
  return c;
}
RatingInputs example_inputs() {
  RatingInputs in;
  in.weather = MeasuredWeather{40.0, 0.61, 0.0, std::nullopt};  // wind from the north: across
  in.time = {161, 11.0};
  return in;
}

TEST(LineRating, DynamicRatingIsThePhysicsRating) {
  auto in = example_inputs();
  in.current_a = 820.0;
  const auto r = rate_line(drake_example(), in);
  EXPECT_EQ(r.mode, RatingMode::dynamic);
  ASSERT_TRUE(r.dynamic_a);
  EXPECT_NEAR(*r.dynamic_a, 1025.0, 1025.0 * 0.005);
  EXPECT_DOUBLE_EQ(r.rating_a, *r.dynamic_a);
  ASSERT_TRUE(r.loading_pct);
  EXPECT_NEAR(*r.loading_pct, 100.0 * 820.0 / *r.dynamic_a, 1e-9);
}

TEST(LineRating, CappedAtAMultipleOfTheStaticRating) {
  auto c = drake_example();
  c.static_rating_a = 600.0;  // cap 900 A < 1025 A
  const auto r = rate_line(c, example_inputs());
  EXPECT_EQ(r.mode, RatingMode::capped);
  EXPECT_NEAR(*r.dynamic_a, 1025.0, 6.0);
  EXPECT_DOUBLE_EQ(r.rating_a, 900.0);
}

TEST(LineRating, StaleWeatherFallsBackToTheStaticRating) {
  RatingInputs in = example_inputs();
  in.weather.reset();
  in.current_a = 400.0;
  const auto r = rate_line(drake_example(), in);
  EXPECT_EQ(r.mode, RatingMode::fixed);
  EXPECT_EQ(to_label(r.mode), "STATIC");
  EXPECT_FALSE(r.dynamic_a);
  EXPECT_DOUBLE_EQ(r.rating_a, 800.0);
  EXPECT_DOUBLE_EQ(*r.loading_pct, 50.0);
  EXPECT_NE(r.note.find("stale"), std::string::npos);
}

TEST(LineRating, NoCurrentNoLoadingNoPrediction) {
  const auto r = rate_line(drake_example(), example_inputs());
  EXPECT_FALSE(r.loading_pct);
  EXPECT_FALSE(r.predicted_conductor_c);
}

TEST(LineRating, PredictionIsTheTransientFromTheMeasuredTemperature) {
  auto c = drake_example();
  c.horizon = std::chrono::seconds(1800);
  c.prediction_step_s = 1.0;
  auto in = example_inputs();
  in.current_a = 1200.0;
  // The standard's transient example: from the 1025 A steady state (100 C) to 1200 A, about
  // 118 C after 30 minutes.
  in.conductor_c = 100.0;
  const auto r = rate_line(c, in);
  ASSERT_TRUE(r.predicted_conductor_c) << r.note;
  EXPECT_NEAR(*r.predicted_conductor_c, 118.0, 1.5);
  EXPECT_NEAR(*r.thermal_margin_c, 100.0 - *r.predicted_conductor_c, 1e-9);
  // Without a measured temperature, the start is the steady state of the present current: at
  // the rating itself it stays at the maximum temperature.
  in.conductor_c.reset();
  in.current_a = *r.dynamic_a;
  const auto s = rate_line(c, in);
  EXPECT_NEAR(*s.predicted_conductor_c, 100.0, 0.1);
  EXPECT_NEAR(*s.thermal_margin_c, 0.0, 0.1);
}

TEST(LineRating, WindDirectionIsTakenAgainstTheLineAzimuth) {
  auto c = drake_example();
  auto across = example_inputs();
  auto along = example_inputs();
  along.weather->wind_direction_deg = 90.0;  // along an east-west line
  auto unknown = example_inputs();
  unknown.weather->wind_direction_deg.reset();  // assumed along (conservative)
  const double a = *rate_line(c, across).dynamic_a;
  const double b = *rate_line(c, along).dynamic_a;
  EXPECT_LT(b, a);
  EXPECT_DOUBLE_EQ(*rate_line(c, unknown).dynamic_a, b);
}

TEST(LineRating, ConfigValidation) {
  auto c = drake_example();
  EXPECT_EQ(c.validate(), "");
  c.cap_factor = 0.5;
  EXPECT_NE(c.validate(), "");
  c = drake_example();
  c.static_rating_a = 0;
  EXPECT_NE(c.validate(), "");
}

TEST(SolarTime, FromUtc) {
  // 2026-06-10T11:00:00Z at longitude 0: day 161, 11:00; at -120 degrees, 03:00.
  const double t = 1781089200.0;
  EXPECT_EQ(physics::solar_time_utc(t, 0.0).day_of_year, 161);
  EXPECT_NEAR(physics::solar_time_utc(t, 0.0).solar_hour, 11.0, 1e-9);
  EXPECT_NEAR(physics::solar_time_utc(t, -120.0).solar_hour, 3.0, 1e-9);
  EXPECT_NEAR(physics::solar_time_utc(t, 30.0).solar_hour, 13.0, 1e-9);
}

contract::Dtm demo_dtm() {
  std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
  return contract::parse_dtm(contract::Json::parse(in));
}

TEST(LineTopology, FindsTheDemoLineFromTheData) {
  const auto lines = find_lines(demo_dtm(), "fallback");
  ASSERT_EQ(lines.size(), 1u);
  const LinePlan& l = lines[0];
  EXPECT_EQ(l.site_id, "demo_site");
  EXPECT_EQ(l.line_device_id, "dlr_line_1");
  EXPECT_EQ(l.weather_stations, std::vector<std::string>{"dlr_weather_station_1"});
  EXPECT_EQ(l.conductor_sensors, std::vector<std::string>{"conductor_sensor_1"});
  ASSERT_TRUE(l.current);
  EXPECT_EQ(l.current->device_id, "line_meter_1");  // the meter, not the conductor sensor
  ASSERT_TRUE(l.pst);
  EXPECT_EQ(l.pst->device_id, "pst_1");
  EXPECT_EQ(l.pst->tap_min, -16);
  EXPECT_EQ(l.pst->tap_max, 16);
  EXPECT_EQ(l.pst->neutral, 0);
  for (const char* m : {"dynamic_line_rating", "effective_rating", "line_loading", "rating_mode",
                        "controller_state", "thermal_margin", "predicted_conductor_temperature"})
    EXPECT_TRUE(l.publishes.count(m)) << m;
  EXPECT_EQ(l.publishes.at("line_loading"), contract::Unit::percent);
  EXPECT_FALSE(l.publishes.count("max_conductor_temperature"));  // the gateway's roll-up
  EXPECT_TRUE(l.publishes.count("tap_operations_last_hour"));
  // The commands it executes: the template's fanout line_controller ones, in name order.
  using contract::Verb;
  const std::vector<LineCommand> commands = {
      {"disable_auto_control", Verb::disable, "auto_control_enabled", contract::Unit::none,
       contract::PayloadType::Bool},
      {"enable_auto_control", Verb::enable, "auto_control_enabled", contract::Unit::none,
       contract::PayloadType::Bool},
      {"reset_fault", Verb::reset, "controller_state", contract::Unit::none,
       contract::PayloadType::Trigger}};
  EXPECT_EQ(l.commands, commands);
}

TEST(LineTopology, FollowsRenamedDevicesAndMissingParts) {
  auto doc =
      contract::Json::parse(std::ifstream(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json"));
  // No PST on the line's buses: rating only.
  for (auto& bus : doc["buses"])
    if (bus["bus_id"] == "line_bus") {
      contract::Json kept = contract::Json::array();
      for (auto& m : bus["members"])
        if (m["device_id"] != "pst_1") kept.push_back(m);
      bus["members"] = kept;
    }
  // The line meter without a current measurement: the conductor sensor's current is used.
  doc["templates_used"]["line_meter"]["measurements"].erase("line_current");
  const auto lines = find_lines(contract::parse_dtm(doc), "x");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].pst);
  ASSERT_TRUE(lines[0].current);
  EXPECT_EQ(lines[0].current->device_id, "conductor_sensor_1");
}

}  // namespace
}  // namespace ems::line_controller
