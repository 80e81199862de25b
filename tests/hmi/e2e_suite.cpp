// ems_hmi_e2e_suite: the suite the HMI's browser tests run against, started on free loopback
// ports with real servers: PostgreSQL and mosquitto (with a WebSockets listener) from
// tests/support, then the built binaries ems-device-api (demo DTM, devices moved to free ports,
// CORS open), ems-fixtures (the simulated site, following device-api), ems-gateway,
// ems-historian, ems-analyst (forecasts and the chat, no-LLM mode, reading device-api and the
// historian; CORS open) and ems-hmi (serving hmi/dist, its /config.json naming all of them).
//
// Prints one JSON line on stdout with every URL once all are healthy, then runs until stdin
// closes or SIGTERM/SIGINT arrives, and stops everything. Exit 1 with a message when a part does
// not come up. A missing historian or analyst binary is not an error here: the line says
// "historian_missing" / "analyst_missing" and the browser tests that need them fail on it,
// naming the path.
//
// usage: ems_hmi_e2e_suite   (paths come from the build: EMS_*_BINARY definitions;
//        EMS_HMI_E2E_HISTORIAN=<path> / EMS_HMI_E2E_ANALYST=<path> run other binaries)
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ems/runtime/config.hpp"
#include "ems/testing/device_api.hpp"
#include "ems/testing/dtm_ports.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The demo DTM with every device endpoint on its own free loopback port.
json demo_dtm_on_free_ports() {
  auto doc = json::parse(read_file(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json"));
  ems::testing::move_devices_to_free_ports(doc);
  return doc;
}

struct Service {
  std::string name;
  std::string url;
  std::string log;
  ems::testing::ChildProcess process;
};

void start_service(Service& s, const std::string& binary, const std::vector<std::string>& env,
                   const std::string& dir) {
  s.log = dir + "/" + s.name + ".log";
  std::vector<std::string> argv{"env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(binary);
  s.process.spawn(argv, s.log);
}

void wait_healthy(Service& s) {
  if (!ems::testing::wait_for_http_ok(s.url + "/healthz", 60s) || !s.process.running()) {
    throw std::runtime_error(s.name + " did not become healthy at " + s.url + ":\n" +
                             ems::testing::tail_file(s.log));
  }
}

std::string port_url(int port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace

int main() {
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGPIPE, SIG_IGN);
  try {
    char tmpl[] = "/tmp/ems-hmi-e2e-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    const std::string dir = tmpl;

    ems::testing::MosquittoServer broker(ems::testing::MosquittoOptions{.websockets = true});
    const std::string dtm_path = dir + "/dtm.json";
    std::ofstream(dtm_path) << demo_dtm_on_free_ports().dump(2);
    const std::string secrets = dir + "/secrets.json";
    fs::copy_file(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/secrets.json", secrets);
    ::chmod(secrets.c_str(), 0600);

    ems::testing::DeviceApiOptions api_options;
    api_options.binary = EMS_DEVICE_API_BINARY;
    api_options.mqtt_url = broker.url();
    api_options.boot_dtm_path = dtm_path;
    api_options.extra_env = {"EMS_CORS_ORIGINS=*"};
    ems::testing::DeviceApiProcess api(api_options);
    api.start(60s);

    const std::vector<std::string> common{"EMS_DEVICE_API_URL=" + api.base_url(),
                                          "EMS_MQTT_URL=" + broker.url(),
                                          "EMS_SECRETS_PATH=" + secrets, "EMS_LOG_LEVEL=info",
                                          // nothing a service keeps lands outside this run
                                          "EMS_STATE_DIR=" + dir};
    auto with = [&](std::vector<std::string> extra) {
      extra.insert(extra.begin(), common.begin(), common.end());
      return extra;
    };

    Service fixtures{"fixtures", port_url(ems::testing::free_loopback_port()), "", {}};
    start_service(fixtures, EMS_FIXTURES_BINARY,
                  with({"EMS_FIXTURES_HOST=127.0.0.1",
                        "EMS_FIXTURES_PORT=" + fixtures.url.substr(fixtures.url.rfind(':') + 1),
                        "EMS_FIXTURES_BIND_HOST=127.0.0.1",
                        // midday in California: the PV produces
                        "EMS_FIXTURES_START_TIME=2026-06-20T20:00:00Z"}),
                  dir);
    wait_healthy(fixtures);

    Service gateway{"gateway", port_url(ems::testing::free_loopback_port()), "", {}};
    start_service(gateway, EMS_GATEWAY_BINARY,
                  with({"EMS_GATEWAY_HOST=127.0.0.1",
                        "EMS_GATEWAY_PORT=" + gateway.url.substr(gateway.url.rfind(':') + 1),
                        "EMS_GATEWAY_TIMEOUT=500ms", "EMS_GATEWAY_MAX_BACKOFF=2s"}),
                  dir);
    wait_healthy(gateway);

    Service historian{"historian", port_url(ems::testing::free_loopback_port()), "", {}};
    const std::string historian_binary =
        ems::runtime::env_string("EMS_HMI_E2E_HISTORIAN", EMS_HISTORIAN_BINARY);
    const bool have_historian = fs::exists(historian_binary);
    if (have_historian) {
      const std::string db = ems::testing::PostgresServer::shared().create_database();
      start_service(
          historian, historian_binary,
          // its state (the spool of samples not yet stored) in this run's folder
          with({"EMS_DATABASE_URL=" + db, "EMS_HISTORIAN_HOST=127.0.0.1",
                "EMS_HISTORIAN_PORT=" + historian.url.substr(historian.url.rfind(':') + 1),
                "EMS_HISTORIAN_SPOOL_DIR=" + dir + "/historian-spool"}),
          dir);
      wait_healthy(historian);
    }

    // The analyst: no training schedule (the suite's history is minutes old, a site target
    // needs 22 days; the browser tests train an ERCOT target on demand with the suite's API
    // token), no language model (no-LLM chat), no MCP server (document questions fail and say
    // so).
    Service analyst{"analyst", port_url(ems::testing::free_loopback_port()), "", {}};
    const std::string analyst_binary =
        ems::runtime::env_string("EMS_HMI_E2E_ANALYST", EMS_ANALYST_BINARY);
    const bool have_analyst = have_historian && fs::exists(analyst_binary);
    if (have_analyst) {
      const std::string db = ems::testing::PostgresServer::shared().create_database();
      start_service(analyst, analyst_binary,
                    with({"EMS_DATABASE_URL=" + db, "EMS_ANALYST_HOST=127.0.0.1",
                          "EMS_ANALYST_PORT=" + analyst.url.substr(analyst.url.rfind(':') + 1),
                          "EMS_HISTORIAN_URL=" + historian.url, "EMS_CORS_ORIGINS=*",
                          "EMS_ANALYST_TRAIN_INTERVAL=0", "EMS_API_TOKEN=" + api_options.api_token,
                          "EMS_MCP_URL=" + port_url(ems::testing::free_loopback_port())}),
                    dir);
      wait_healthy(analyst);
    }

    Service hmi{"hmi", port_url(ems::testing::free_loopback_port()), "", {}};
    start_service(
        hmi, EMS_HMI_BINARY,
        with({"EMS_HMI_HOST=127.0.0.1", "EMS_HMI_PORT=" + hmi.url.substr(hmi.url.rfind(':') + 1),
              "EMS_HMI_DIST_DIR=" + std::string(EMS_SOURCE_ROOT) + "/hmi/dist",
              "EMS_HISTORIAN_URL=" + historian.url,
              // without an analyst, a port nothing listens on: the HMI says it is unreachable
              "EMS_ANALYST_URL=" + (have_analyst ? analyst.url : "http://127.0.0.1:9"),
              "EMS_MQTT_WS_URL=" + broker.websockets_url()}),
        dir);
    wait_healthy(hmi);

    json ready = {{"hmi_url", hmi.url},
                  {"device_api_url", api.base_url()},
                  {"api_token", api_options.api_token},
                  {"fixtures_url", fixtures.url},
                  {"gateway_url", gateway.url},
                  {"historian_url", historian.url},
                  {"historian_running", have_historian},
                  {"analyst_url", analyst.url},
                  {"analyst_running", have_analyst},
                  {"mqtt_url", broker.url()},
                  {"mqtt_ws_url", broker.websockets_url()},
                  {"logs",
                   {{"device_api", api.log_path()},
                    {"fixtures", fixtures.log},
                    {"gateway", gateway.log},
                    {"historian", historian.log},
                    {"analyst", analyst.log},
                    {"hmi", hmi.log}}}};
    if (!have_historian) ready["historian_missing"] = historian_binary;
    if (!have_analyst)
      ready["analyst_missing"] = have_historian ? analyst_binary : "the historian (it reads it)";
    std::cout << ready.dump() << std::endl;

    // Until stdin closes (the test runner ended) or a signal.
    while (!g_stop) {
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 200) > 0) {
        char buf[256];
        if (::read(0, buf, sizeof buf) <= 0) break;
      }
      for (Service* s : {&fixtures, &gateway, &hmi}) {
        if (!s->process.running()) {
          std::cerr << s->name << " exited:\n" << ems::testing::tail_file(s->log) << "\n";
          g_stop = true;
        }
      }
    }
    for (Service* s : {&hmi, &analyst, &historian, &gateway, &fixtures})
      s->process.terminate(3000ms);
    api.stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ems_hmi_e2e_suite: " << e.what() << "\n";
    return 1;
  }
}
