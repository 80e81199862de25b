// device-api: owns the DTM. See README "device-api" for the routes and EMS_* variables.

#include <cstdlib>
#include <exception>

#include "ems/contract/catalog.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/shutdown.hpp"
#include "http_api.hpp"
#include "topology_announcer.hpp"
#include "topology_service.hpp"
#include "topology_store.hpp"

namespace {

using namespace ems;

int run() {
  runtime::install_shutdown_handlers();
  runtime::log::init("device-api");
  auto& registry = runtime::metrics::Registry::global();

  const std::string template_dir = runtime::env_string("EMS_TEMPLATE_DIR", EMS_TEMPLATE_DIR);
  const std::string database_url = runtime::require_string("EMS_DATABASE_URL");
  const std::string site_id = runtime::env_string("EMS_SITE_ID", "site");
  const auto boot_path = runtime::env_optional("BOOT_DTM_PATH");
  device_api::HttpApiOptions api_options;
  api_options.api_token = runtime::env_optional("EMS_API_TOKEN");
  if (!api_options.api_token)
    runtime::log::warn("EMS_API_TOKEN is not set: every mutation will be refused (403)");

  const contract::TemplateCatalog catalog = contract::TemplateCatalog::load(template_dir);
  runtime::log::info("template catalog loaded",
                     {{"dir", template_dir}, {"templates", catalog.size()}});

  runtime::MqttClient mqtt(runtime::MqttOptions::from_env("device-api"), registry);
  device_api::TopologyStore store(database_url);
  store.open();
  // Change events at least once, in version order, from the store's outbox (CONTRACT.md 7).
  device_api::TopologyAnnouncer announcer(mqtt, store, registry);
  device_api::TopologyService service(store, catalog, site_id,
                                      [&](const std::string&) { announcer.kick(); });
  service.load();
  mqtt.start();
  announcer.start();
  if (boot_path) service.boot_from_file(*boot_path);

  runtime::HttpServer server(runtime::http_options_from_env("EMS_DEVICE_API", 8400), registry);
  device_api::HttpApi api(service, store, api_options, registry);
  api.install(server);
  server.start();
  runtime::log::info("device-api listening", {{"port", server.port()}});

  runtime::wait_for_shutdown();
  runtime::log::info("device-api shutting down");
  server.stop();
  announcer.stop();  // what is still owed goes out after the next start
  mqtt.stop();
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    ems::runtime::log::critical("device-api failed to start", {{"error", e.what()}});
    return 1;
  }
}
