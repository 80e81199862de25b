// Holds an MQTT session as service `argv[2]` on broker `argv[1]` until killed (at most 120 s),
// so a test can kill it abruptly and watch the broker publish its last will.
#include <chrono>
#include <cstdio>
#include <thread>

#include "ems/runtime/mqtt.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MQTT_URL SERVICE_ID\n", argv[0]);
    return 2;
  }
  ems::runtime::MqttOptions options;
  options.url = argv[1];
  options.service_id = argv[2];
  options.min_reconnect_delay = std::chrono::milliseconds(100);
  ems::runtime::MqttClient client(options);
  client.start();
  if (!client.wait_connected(std::chrono::seconds(20))) return 1;
  std::this_thread::sleep_for(std::chrono::seconds(120));
  return 0;
}
