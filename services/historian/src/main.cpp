// historian: every measurement, command and ack of the bus in PostgreSQL, and the query API.
// See README "historian" and services/historian/README.md.

#include <cstdlib>
#include <exception>

#include "ems/follower/topology_follower.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/shutdown.hpp"
#include "historian.hpp"
#include "http_api.hpp"
#include "query.hpp"

namespace {

using namespace ems;

int run() {
  runtime::install_shutdown_handlers();
  runtime::log::init("historian");
  const auto options = historian::HistorianOptions::from_env();
  auto& registry = runtime::metrics::Registry::global();

  // A persistent session under a fixed client id: while the historian is down (or restarting)
  // the broker queues what its subscriptions match.
  auto mqtt_options = runtime::MqttOptions::from_env("historian");
  if (!runtime::env_optional("EMS_MQTT_CLIENT_ID")) mqtt_options.client_id = "ems-historian";
  mqtt_options.clean_session = false;
  runtime::MqttClient mqtt(mqtt_options, registry);

  historian::Historian ingest(options, registry);
  historian::QueryService queries(options.database_url, options.query_connections,
                                  options.max_points, options.raw_retention);
  follower::TopologyFollower follower(
      follower::FollowerOptions::from_env("/asyncapi"), &mqtt,
      [&](follower::TopologyUpdate u) { ingest.apply_topology(u.document); }, registry);

  auto http_options = runtime::http_options_from_env("EMS_HISTORIAN", 8410);
  if (http_options.cors_origins.empty()) http_options.cors_origins = {"*"};  // the HMI's charts
  runtime::HttpServer server(http_options, registry);
  historian::install_routes(server, queries);
  server.set_readiness([&] {
    if (!ingest.database_up()) return runtime::Readiness::not_ready("database not connected");
    if (!mqtt.is_connected()) return runtime::Readiness::not_ready("MQTT not connected");
    return runtime::Readiness::ok();
  });
  server.start();
  ingest.start(mqtt);
  follower.start();
  mqtt.start();
  runtime::log::info("historian listening", {{"port", server.port()},
                                             {"client_id", mqtt_options.client_id},
                                             {"group", options.group},
                                             {"spool", options.spool_dir}});

  runtime::wait_for_shutdown();
  runtime::log::info("historian shutting down");
  follower.stop();
  mqtt.stop();    // no message arrives after this; the session keeps queueing at the broker
  ingest.stop();  // writes what is buffered (bounded); the rest stays in the spool
  server.stop();
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    ems::runtime::log::critical("historian failed to start", {{"error", e.what()}});
    return 1;
  }
}
