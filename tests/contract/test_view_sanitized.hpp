#pragma once
// Walks a whole /topology/view document for anything that says how a device is reached or
// read: forbidden keys anywhere, and any string value equal to a host, URI, OID or JSON pointer
// that the DTM's connections and bindings contain. Returns one line per leak.

#include <set>
#include <string>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::contract::testing {

inline void collect_binding_strings(const std::optional<Binding>& b, std::set<std::string>& out) {
  if (!b) return;
  for (const char* key : {"uri", "oid", "json_pointer", "hub_url"}) {
    auto it = b->fields.find(key);
    if (it != b->fields.end() && it->is_string()) out.insert(it->get<std::string>());
  }
}

inline std::set<std::string> gateway_strings(const Dtm& dtm) {
  std::set<std::string> out;
  for (const auto& [id, d] : dtm.devices) {
    if (d.connection && d.connection->host != kProvisionedAtCommissioning)
      out.insert(d.connection->host);
    if (d.extra_measurements)
      for (const auto& [n, m] : *d.extra_measurements) collect_binding_strings(m.binding, out);
  }
  for (const auto& [slug, t] : dtm.templates_used) {
    for (const auto& [n, m] : t.measurements) collect_binding_strings(m.binding, out);
    for (const auto& [n, c] : t.commands) collect_binding_strings(c.binding, out);
  }
  return out;
}

inline void walk_for_leaks(const Json& j, const std::set<std::string>& secrets,
                           const std::string& path, std::vector<std::string>& out) {
  static const std::set<std::string> kForbidden = {"connection",
                                                   "binding",
                                                   "publisher",
                                                   "fanout",
                                                   "host",
                                                   "hosts",
                                                   "port",
                                                   "ports",
                                                   "unit_id",
                                                   "address",
                                                   "register",
                                                   "registers",
                                                   "function_code",
                                                   "oid",
                                                   "oids",
                                                   "uri",
                                                   "uris",
                                                   "json_pointer",
                                                   "point_index",
                                                   "point_type",
                                                   "can_id",
                                                   "hub_url",
                                                   "device_vmac",
                                                   "condition_source",
                                                   "value_map",
                                                   "scale_factor_address",
                                                   "inputs",
                                                   "source_measurement",
                                                   "allocation_policy",
                                                   "child_commands"};
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (kForbidden.count(k)) out.push_back(path + "/" + k + " (forbidden key)");
      walk_for_leaks(v, secrets, path + "/" + k, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      walk_for_leaks(j[i], secrets, path + "/" + std::to_string(i), out);
  } else if (j.is_string() && secrets.count(j.get<std::string>())) {
    out.push_back(path + " = '" + j.get<std::string>() + "'");
  }
}

inline std::vector<std::string> sanitization_leaks(const Json& view, const Dtm& dtm) {
  std::vector<std::string> out;
  walk_for_leaks(view, gateway_strings(dtm), "", out);
  return out;
}

}  // namespace ems::contract::testing
