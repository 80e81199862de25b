// hmi: serves the operator HMI (hmi/dist) and its run-time /config.json, with /healthz, /readyz
// and /metrics. See README "hmi" for the EMS_* variables.
#include <exception>
#include <string>

#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/shutdown.hpp"
#include "hmi_site.hpp"

int main() {
  using namespace ems;
  try {
    runtime::install_shutdown_handlers();
    runtime::log::init("hmi");
    const auto options = hmi::hmi_site_options_from_env();
    runtime::HttpServer server(runtime::http_options_from_env("EMS_HMI", 8480));
    hmi::mount_hmi_site(server, options);
    server.start();
    runtime::log::info("hmi listening", {{"port", server.port()},
                                         {"dist", options.dist_dir},
                                         {"config", hmi::hmi_config_json(options)}});
    runtime::wait_for_shutdown();
    runtime::log::info("hmi shutting down");
    server.stop();
    return 0;
  } catch (const std::exception& e) {
    runtime::log::critical("hmi failed to start", {{"error", e.what()}});
    return 1;
  }
}
