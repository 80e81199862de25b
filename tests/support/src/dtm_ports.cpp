#include "ems/testing/dtm_ports.hpp"

#include <set>

#include "ems/testing/process.hpp"

namespace ems::testing {

void move_devices_to_free_ports(nlohmann::json& dtm) {
  if (!dtm.contains("devices") || !dtm["devices"].is_object()) return;
  std::set<int> used;
  for (auto& [id, device] : dtm["devices"].items()) {
    if (!device.contains("connection")) continue;
    auto& c = device["connection"];
    if (!c.is_object() || !c.contains("port") || !c["port"].is_number()) continue;
    int port = free_loopback_port();
    for (int i = 0; i < 100 && used.count(port); ++i) port = free_loopback_port();
    used.insert(port);
    c["port"] = port;
  }
}

}  // namespace ems::testing
