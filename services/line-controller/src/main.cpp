// line-controller: dynamic line rating. `ems-line-controller rate` rates spans from JSON on stdin;
// without a subcommand it serves /healthz, /readyz, /metrics and POST /rate. See README
// "line-controller" for the fields and the EMS_* variables.

#include <cstdlib>
#include <exception>
#include <iostream>
#include <iterator>
#include <string>

#include "control_loop.hpp"
#include "ems/contract/dtm.hpp"
#include "ems/follower/topology_follower.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/json_input.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/shutdown.hpp"
#include "rate_request.hpp"

namespace {

using namespace ems;
using nlohmann::json;

constexpr int kExitBadInput = 2;

const char* kUsage =
    "usage: ems-line-controller            serve HTTP (EMS_LINE_CONTROLLER_PORT, default 8450)\n"
    "       ems-line-controller rate       rate: one JSON object or an array on stdin,\n"
    "                                      JSON on stdout (fields: services/line-controller/"
    "README.md)\n";

int run_rate_cli() {
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  json request;
  try {
    request = runtime::parse_json(input);
  } catch (const runtime::JsonInputError& e) {
    std::cerr << "ems-line-controller rate: input: not JSON: " << e.what() << "\n";
    return kExitBadInput;
  }
  try {
    std::cout << line_controller::rate_json(request).dump(2) << "\n";
    return 0;
  } catch (const line_controller::RateInputError& e) {
    std::cerr << "ems-line-controller rate: " << e.what() << "\n";
    return kExitBadInput;
  }
}

int run_service() {
  runtime::install_shutdown_handlers();
  runtime::log::init("line-controller");
  auto& registry = runtime::metrics::Registry::global();
  const auto options = line_controller::LoopOptions::from_env();

  runtime::MqttClient mqtt(runtime::MqttOptions::from_env("line-controller"), registry);
  line_controller::LineControlLoop loop(options, mqtt, registry);
  // /topology: {"version", "site_id", "dtm": {...}} - the DTM itself, with device-api's site id
  // for a DTM that names none.
  follower::TopologyFollower follower(
      follower::FollowerOptions::from_env("/topology"), &mqtt,
      [&](follower::TopologyUpdate u) {
        const json& doc = u.document;
        const json& dtm = doc.contains("dtm") ? doc["dtm"] : doc;
        contract::Dtm parsed = contract::parse_dtm(dtm);
        if (!parsed.site_id && doc.contains("site_id") && doc["site_id"].is_string())
          parsed.site_id = doc["site_id"].get<std::string>();
        loop.apply(parsed);
      },
      registry);

  runtime::HttpServer server(runtime::http_options_from_env("EMS_LINE_CONTROLLER", 8450), registry);
  server.post("/rate", [](const httplib::Request& req, httplib::Response& res) {
    json body;
    try {
      body = runtime::parse_json(req.body);
    } catch (const runtime::JsonInputError& e) {
      runtime::problem(res, 400, "Invalid JSON", std::string("body is not JSON: ") + e.what());
      return;
    }
    try {
      res.set_content(line_controller::rate_json(body).dump(), "application/json");
    } catch (const line_controller::RateInputError& e) {
      runtime::problem(res, 422, "Invalid rating request", e.what(),
                       {{e.json_pointer(), e.what()}});
    }
  });
  server.get("/state", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(loop.state().dump(), "application/json");
  });
  server.set_readiness([&] {
    if (!follower.ready()) return runtime::Readiness::not_ready("no topology yet");
    if (!mqtt.is_connected()) return runtime::Readiness::not_ready("MQTT not connected");
    return runtime::Readiness::ok();
  });
  server.start();
  loop.start();
  follower.start();
  mqtt.start();
  runtime::log::info("line-controller listening",
                     {{"port", server.port()}, {"cycle_ms", options.cycle.count()}});

  runtime::wait_for_shutdown();
  runtime::log::info("line-controller shutting down");
  follower.stop();
  loop.stop();
  mqtt.stop();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "rate") return run_rate_cli();
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (!command.empty()) {
    std::cerr << "ems-line-controller: unknown command \"" << command << "\"\n" << kUsage;
    return kExitBadInput;
  }
  try {
    return run_service();
  } catch (const std::exception& e) {
    ems::runtime::log::critical("line-controller failed to start", {{"error", e.what()}});
    return 1;
  }
}
