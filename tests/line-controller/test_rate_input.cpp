// ems-line-controller as a process, without its peers: POST /rate and the `rate` subcommand
// answer bad JSON - including a number beyond double, which nlohmann reports as out_of_range
// rather than parse_error - with a clear error, never a 500 or a crash.
#include <gtest/gtest.h>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ems/testing/process.hpp"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(LineControllerRateInput, NumberBeyondDoubleIsA400ProblemOverHttp) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ems_lc_rate_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const int port = ems::testing::free_loopback_port();
  const int closed = ems::testing::free_loopback_port();  // no device-api, no broker: not needed
  ems::testing::ChildProcess proc;
  proc.spawn({"env", "EMS_LINE_CONTROLLER_PORT=" + std::to_string(port),
              "EMS_LINE_CONTROLLER_HOST=127.0.0.1",
              "EMS_DEVICE_API_URL=http://127.0.0.1:" + std::to_string(closed),
              "EMS_MQTT_URL=tcp://127.0.0.1:" + std::to_string(closed), EMS_LINE_CONTROLLER_BINARY},
             (dir / "line-controller.log").string());
  ASSERT_TRUE(
      ems::testing::wait_for_http_ok("http://127.0.0.1:" + std::to_string(port) + "/healthz", 20s))
      << ems::testing::tail_file((dir / "line-controller.log").string());

  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(10, 0);
  for (const char* body : {R"({"method":"ieee738","wind_speed_m_s":1e999})", "-1e999", "{"}) {
    auto r = http.Post("/rate", body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, 400) << body << " -> " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << body;
    EXPECT_EQ(json::parse(r->body)["title"], "Invalid JSON") << body;
  }
  auto overflow = http.Post("/rate", "[1e999]", "application/json");
  ASSERT_TRUE(overflow);
  EXPECT_NE(json::parse(overflow->body)["detail"].get<std::string>().find("out of range"),
            std::string::npos)
      << overflow->body;
  EXPECT_TRUE(proc.running());  // still serving
  EXPECT_EQ(http.Get("/healthz")->status, 200);
  proc.terminate();
  EXPECT_EQ(proc.exit_code(), 0);
  std::filesystem::remove_all(dir);
}

TEST(LineControllerRateInput, NumberBeyondDoubleOnStdinExitsWithCode2) {
  const std::string out = ems::testing::shell_output(
      std::string("echo '{\"method\":\"ieee738\",\"wind_speed_m_s\":1e999}' | ") +
          EMS_LINE_CONTROLLER_BINARY + " rate; echo \"rc=$?\"",
      20s);
  EXPECT_NE(out.find("not JSON"), std::string::npos) << out;
  EXPECT_NE(out.find("out of range"), std::string::npos) << out;
  EXPECT_NE(out.find("rc=2"), std::string::npos) << out;
}

}  // namespace
