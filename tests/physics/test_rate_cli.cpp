// The `ems-line-controller rate` CLI as a real process: JSON on stdin, JSON on stdout, exit 0;
// bad input -> non-zero exit and a message naming the field. And the binary as a service:
// /healthz and POST /rate over HTTP.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ems/testing/process.hpp"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `ems-line-controller rate` with `input` on stdin (through a temporary file).
CliResult run_rate(const std::string& input) {
  char path[] = "/tmp/ems_rate_cli_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  {
    std::ofstream out(path);
    out << input;
  }
  close(fd);
  CliResult r;
  const std::string marker = "\n#exit=";
  r.output =
      ems::testing::shell_output(std::string("'") + EMS_LINE_CONTROLLER_BINARY + "' rate < '" +
                                     path + "' 2>&1; printf '" + "\\n#exit=%d' $?",
                                 30s);
  std::remove(path);
  const auto at = r.output.rfind(marker);
  if (at != std::string::npos) {
    r.exit_code = std::stoi(r.output.substr(at + marker.size()));
    r.output.resize(at);
  }
  return r;
}

json drake_request() {
  return json::parse(R"({
    "method": "ieee738",
    "conductor": {"name": "drake"},
    "weather": {"ambient_c": 40, "wind_speed_mps": 0.61, "wind_angle_deg": 90,
                "atmosphere": "clear"},
    "site": {"latitude_deg": 30, "elevation_m": 0, "line_azimuth_deg": 90},
    "time": {"day_of_year": 161, "solar_hour": 11},
    "max_conductor_c": 100
  })");
}

TEST(RateCli, DrakeExampleOnStdinGivesTheRatingOnStdout) {
  const CliResult r = run_rate(drake_request().dump());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json out = json::parse(r.output);
  EXPECT_NEAR(out.at("rating_amps").get<double>(), 1025.0, 5.0);
  EXPECT_NEAR(out.at("convection_w_per_m").get<double>(), 82.10, 0.41);
  EXPECT_EQ(out.at("convection_regime"), "forced_low_wind");
  EXPECT_NEAR(out.at("radiation_w_per_m").get<double>(), 39.11, 0.2);
  EXPECT_NEAR(out.at("solar_w_per_m").get<double>(), 22.45, 0.11);
  EXPECT_NEAR(out.at("resistance_ohm_per_m").get<double>(), 9.391e-5, 0.05e-5);
  EXPECT_NEAR(out.at("solar_altitude_deg").get<double>(), 74.89, 0.1);
  EXPECT_NEAR(out.at("solar_azimuth_deg").get<double>(), 113.95, 0.2);
  EXPECT_NEAR(out.at("air_density_kg_per_m3").get<double>(), 1.029, 0.005);
}

TEST(RateCli, ArrayWithExplicitConductorCigreAndTransient) {
  json explicit_drake = drake_request();
  explicit_drake["conductor"] = json::parse(R"({
    "diameter_m": 0.02814, "outer_strand_diameter_m": 0.00444,
    "resistance_ohm_per_m": [{"temperature_c": 25, "ohm_per_m": 7.283e-5},
                             {"temperature_c": 75, "ohm_per_m": 8.688e-5}],
    "emissivity": 0.8, "absorptivity": 0.8, "heat_capacity_j_per_m_c": 1309.78})");
  json cigre = explicit_drake;
  cigre["method"] = "cigre601";
  json step = drake_request();
  step["transient"] = {
      {"initial_current_a", 1025}, {"final_current_a", 1200}, {"duration_s", 1800}, {"step_s", 10}};
  const CliResult r = run_rate(json::array({explicit_drake, cigre, step}).dump());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json out = json::parse(r.output);
  ASSERT_TRUE(out.is_array());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NEAR(out[0].at("rating_amps").get<double>(), 1025.0, 5.0);
  EXPECT_EQ(out[1].at("method"), "cigre601");
  EXPECT_GT(out[1].at("rating_amps").get<double>(), 900.0);
  const json& temps = out[2].at("temperatures");
  ASSERT_GE(temps.size(), 31u);
  for (std::size_t i = 1; i < temps.size(); ++i)
    EXPECT_LE(temps[i].at("t_s").get<double>() - temps[i - 1].at("t_s").get<double>(), 60.0);
  EXPECT_NEAR(temps.front().at("conductor_c").get<double>(), 100.0, 0.3);
  EXPECT_NEAR(out[2].at("final_conductor_c").get<double>(), 118.0, 1.0);
}

// Each bad input exits non-zero and names its field.
TEST(RateCli, BadInputNamesTheField) {
  struct Case {
    std::string mutate;  // JSON Pointer to change
    json value;
    std::string field;
  };
  const Case cases[] = {
      {"/method", "ieee999", "method"},
      {"/conductor/name", "albatross", "conductor.name"},
      {"/weather/wind_speed_mps", "fast", "weather.wind_speed_mps"},
      {"/weather/wind_speed_mps", -1, "weather.wind_speed_mps"},
      {"/weather/atmosphere", "smoggy", "weather.atmosphere"},
      {"/weather/ambient_c", nullptr, "weather.ambient_c"},
      {"/site/latitude_deg", 123, "site.latitude_deg"},
      {"/time/day_of_year", 400, "time.day_of_year"},
      {"/time/day_of_year", 1.5, "time.day_of_year"},
      {"/max_conductor_c", 20, "max_conductor_c"},
      {"/weather/wind_sped", 3, "weather.wind_sped"},
      {"/transient",
       json{{"initial_current_a", 1025},
            {"final_current_a", 1200},
            {"duration_s", 600},
            {"step_s", 120}},
       "transient.step_s"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    json request = drake_request();
    request[json::json_pointer(c.mutate)] = c.value;
    const CliResult r = run_rate(request.dump());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find(c.field), std::string::npos) << r.output;
  }
  const CliResult not_json = run_rate("{\"method\":");
  EXPECT_NE(not_json.exit_code, 0);
  EXPECT_NE(not_json.output.find("not JSON"), std::string::npos);
  json array = json::array({drake_request(), drake_request()});
  array[1]["site"].erase("line_azimuth_deg");
  const CliResult second = run_rate(array.dump());
  EXPECT_NE(second.exit_code, 0);
  EXPECT_NE(second.output.find("[1].site.line_azimuth_deg"), std::string::npos) << second.output;
}

TEST(LineControllerService, ServesHealthAndRateOverHttp) {
  const int port = ems::testing::free_loopback_port();
  ems::testing::ChildProcess service;
  setenv("EMS_LINE_CONTROLLER_PORT", std::to_string(port).c_str(), 1);
  setenv("EMS_LINE_CONTROLLER_HOST", "127.0.0.1", 1);
  // Nothing listens at these (whatever may run at the default ports on this machine).
  const std::string nowhere = std::to_string(ems::testing::free_loopback_port());
  setenv("EMS_DEVICE_API_URL", ("http://127.0.0.1:" + nowhere).c_str(), 1);
  setenv("EMS_MQTT_URL", ("tcp://127.0.0.1:" + nowhere).c_str(), 1);
  const std::string log = "/tmp/ems_line_controller_test_" + std::to_string(port) + ".log";
  service.spawn({EMS_LINE_CONTROLLER_BINARY}, log);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(ems::testing::wait_for_http_ok(base + "/healthz", 20s))
      << ems::testing::tail_file(log);
  httplib::Client client("127.0.0.1", port);
  // Ready only once device-api's topology and the broker are there (none here); /rate does not
  // need them.
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("no topology yet"), std::string::npos) << ready->body;
  auto ok = client.Post("/rate", drake_request().dump(), "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_NEAR(json::parse(ok->body).at("rating_amps").get<double>(), 1025.0, 5.0);

  json bad = drake_request();
  bad["weather"]["wind_angle_deg"] = "north";
  auto rejected = client.Post("/rate", bad.dump(), "application/json");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 422);
  EXPECT_EQ(rejected->get_header_value("Content-Type"), "application/problem+json");
  const json problem = json::parse(rejected->body);
  EXPECT_EQ(problem.at("errors").at(0).at("path"), "/weather/wind_angle_deg");

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("ems_http_requests_total"), std::string::npos);

  service.terminate(5000ms);
  EXPECT_EQ(service.exit_code(), 0) << ems::testing::tail_file(log);
}

}  // namespace
