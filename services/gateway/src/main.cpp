// gateway: every bound device of the AsyncAPI document on the bus. See README "gateway" and
// services/gateway/README.md for what it does and its EMS_* variables.

#include <cstdlib>
#include <exception>

#include "ems/follower/topology_follower.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/secrets.hpp"
#include "ems/runtime/shutdown.hpp"
#include "gateway.hpp"

namespace {

using namespace ems;

int run() {
  runtime::install_shutdown_handlers();
  const auto options = gateway::GatewayOptions::from_env();
  const std::string service_id = options.shard.service_id();
  runtime::log::init(service_id);
  auto& registry = runtime::metrics::Registry::global();

  runtime::MqttClient mqtt(runtime::MqttOptions::from_env(service_id), registry);
  gateway::Gateway gw(options, mqtt, runtime::Secrets::from_env(), registry);
  follower::TopologyFollower follower(
      follower::FollowerOptions::from_env("/asyncapi"), &mqtt,
      [&](follower::TopologyUpdate u) { gw.apply(u.document); }, registry);

  runtime::HttpServer server(runtime::http_options_from_env("EMS_GATEWAY", 8440), registry);
  server.set_readiness([&] {
    if (!follower.ready()) return runtime::Readiness::not_ready("no topology yet");
    if (!mqtt.is_connected()) return runtime::Readiness::not_ready("MQTT not connected");
    return runtime::Readiness::ok();
  });
  server.start();
  gw.start();
  follower.start();
  mqtt.start();
  runtime::log::info("gateway listening", {{"port", server.port()}, {"shard", service_id}});

  runtime::wait_for_shutdown();
  runtime::log::info("gateway shutting down");
  follower.stop();
  gw.stop();
  mqtt.stop();
  server.stop();
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    ems::runtime::log::critical("gateway failed to start", {{"error", e.what()}});
    return 1;
  }
}
