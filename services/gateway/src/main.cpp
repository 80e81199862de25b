// gateway: every bound device of the AsyncAPI document on the bus. See README "gateway" and
// services/gateway/README.md for what it does and its EMS_* variables.

#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>

#include "ems/follower/topology_follower.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/mqtt_batch.hpp"
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

  const auto mqtt_options = runtime::MqttOptions::from_env(service_id);
  runtime::MqttClient mqtt(mqtt_options, registry);
  // Samples go through the batch publisher (one write per batch, services/gateway/README.md
  // "Publishing cost"); a TLS or WebSocket broker URL keeps them on the main client.
  // EMS_GATEWAY_MQTT_BATCH=0 keeps them there too.
  std::unique_ptr<runtime::MqttBatchPublisher> samples;
  if (runtime::env_string("EMS_GATEWAY_MQTT_BATCH", "1") != "0") {
    try {
      samples = std::make_unique<runtime::MqttBatchPublisher>(
          runtime::MqttBatchOptions::from(mqtt_options), registry);
    } catch (const std::invalid_argument& e) {
      runtime::log::warn("samples published through the main MQTT client", {{"reason", e.what()}});
    }
  }
  gateway::Gateway gw(options, mqtt, runtime::Secrets::from_env(), registry, samples.get());
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
  if (samples) samples->start();
  runtime::log::info("gateway listening", {{"port", server.port()}, {"shard", service_id}});

  runtime::wait_for_shutdown();
  runtime::log::info("gateway shutting down");
  follower.stop();
  gw.stop();
  if (samples) samples->stop();
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
