#pragma once
// A small GPU-node-shaped service for the round-trip tests: the Chassis power / thermal resources
// and two GPUs' EnvironmentMetrics, the GPU power limits writable within 200..1000 W.

#include <atomic>
#include <string>

#include "ems/protocols/redfish/client.hpp"
#include "ems/protocols/redfish/service.hpp"

namespace redfish_test {

namespace rf = ems::protocols::redfish;

inline std::string gpu_metrics(int n) {
  return "/Systems/HGX_Baseboard_0/Processors/GPU_SXM_" + std::to_string(n) + "/EnvironmentMetrics";
}

// Builds the tree and a PATCH handler that accepts limits in [200, 1000] and counts calls.
inline void build_gpu_site(rf::RedfishService& service, std::atomic<int>* patch_calls = nullptr) {
  service.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 5400.0);
  service.add_binding("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts", 8000.0);
  service.add_binding("/Chassis/1/Thermal", "/Fans/0/Reading", 42.0);
  service.add_binding("/Chassis/1/Sensors/InletTemp", "/Reading", 24.5);
  service.set_writable("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts");
  for (int n = 1; n <= 2; ++n) {
    service.add_binding(gpu_metrics(n), "/PowerWatts/Reading", 600.0 + n);
    service.add_binding(gpu_metrics(n), "/PowerLimitWatts/SetPoint", 1000.0);
    service.set_writable(gpu_metrics(n), "/PowerLimitWatts/SetPoint");
  }
  service.on_patch([patch_calls](const std::string&, const std::string&,
                                 const rf::Json& value) -> std::optional<std::string> {
    if (patch_calls != nullptr) ++*patch_calls;
    if (!value.is_number()) return "a number of watts is required";
    const double watts = value.get<double>();
    if (watts < 200.0 || watts > 1000.0) return "limits are 200..1000 W";
    return std::nullopt;
  });
}

// A service configuration edited by `edit` (designated initializers would trip
// -Wmissing-field-initializers).
template <class Edit>
rf::RedfishServiceConfig service_config(Edit edit) {
  rf::RedfishServiceConfig config;
  edit(config);
  return config;
}

inline rf::RedfishClientConfig client_config(const rf::RedfishService& service) {
  rf::RedfishClientConfig config;
  config.base_url = service.base_url();
  config.connect_timeout = std::chrono::milliseconds(1000);
  config.read_timeout = std::chrono::milliseconds(1500);
  return config;
}

}  // namespace redfish_test
