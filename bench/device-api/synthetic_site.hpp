#pragma once
// A generated DTM of any size for benchmarks: compute modules of 8 GPU nodes (Redfish) and 2
// PDUs (SNMP) each, plus BESS modules of 4 racks (Modbus), until `devices` is reached. Bodies
// come from the bundled catalog, so the document is what a large real site would POST.

#include <string>

#include <nlohmann/json.hpp>

#include "ems/contract/catalog.hpp"

namespace ems::bench {

inline nlohmann::json synthetic_site(const contract::TemplateCatalog& catalog, int devices) {
  using nlohmann::json;
  json dtm = {{"deployment_uuid", "00000000-0000-4000-8000-00000000b001"},
              {"site_id", "bench_site"},
              {"sizing_params",
               {{"P_compute_total_kW", 1000.0},
                {"E_BESS_total_kWh", 5000.0},
                {"T_coolant_setpoint_C", 30.0}}},
              {"mode", "sim"},
              {"devices", json::object()},
              {"buses", json::array()},
              {"templates_used", json::object()}};
  for (const char* slug : {"compute_module", "gpu_node", "pdu", "bess_module", "bess_rack"})
    dtm["templates_used"][slug] = contract::to_json(*catalog.find(slug));
  int port = 20000, made = 0, module = 0;
  auto add = [&](const std::string& id, const char* slug, const std::string& parent,
                 bool endpoint) {
    json d = {{"device_id", id}, {"template", slug}, {"parent", nullptr}};
    if (!parent.empty()) d["parent"] = parent;
    if (endpoint) d["connection"] = {{"host", "127.0.0.1"}, {"port", port++}, {"unit_id", "1"}};
    dtm["devices"][id] = d;
    ++made;
  };
  while (made < devices) {
    ++module;
    const bool bess = module % 4 == 0;
    const std::string mod = (bess ? "bess_module_" : "compute_module_") + std::to_string(module);
    add(mod, bess ? "bess_module" : "compute_module", "", false);
    if (bess) {
      for (int r = 1; r <= 4 && made < devices; ++r)
        add("bess_rack_" + std::to_string(module) + "_" + std::to_string(r), "bess_rack", mod,
            true);
    } else {
      for (int p = 1; p <= 2 && made < devices; ++p)
        add("pdu_" + std::to_string(module) + "_" + std::to_string(p), "pdu", mod, true);
      for (int g = 1; g <= 8 && made < devices; ++g)
        add("gpu_node_" + std::to_string(module) + "_" + std::to_string(g), "gpu_node", mod, true);
    }
  }
  return dtm;
}

}  // namespace ems::bench
