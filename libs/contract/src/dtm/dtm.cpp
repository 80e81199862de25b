// Queries on a parsed DTM.
#include "ems/contract/dtm.hpp"

#include <algorithm>

namespace ems::contract {

const Template* Dtm::template_of(const Device& d) const {
  auto it = templates_used.find(d.template_slug);
  return it == templates_used.end() ? nullptr : &it->second;
}

std::map<std::string, Measurement> Dtm::measurements_of(const Device& d) const {
  std::map<std::string, Measurement> out;
  if (const Template* t = template_of(d)) out = t->measurements;
  if (d.extra_measurements)
    for (const auto& [name, m] : *d.extra_measurements) out.insert_or_assign(name, m);
  return out;
}

std::vector<const Device*> Dtm::children_of(const std::string& id) const {
  // devices is a std::map, so iteration order is already by device_id.
  std::vector<const Device*> out;
  for (const auto& [child_id, d] : devices)
    if (d.parent == id) out.push_back(&d);
  return out;
}

bool Dtm::is_polled(const Device& d) const {
  if (!d.connection || d.connection->provisioned_at_commissioning()) return false;
  auto bound = [](const Measurement& m) {
    return m.binding && is_device_protocol(m.binding->protocol);
  };
  if (d.extra_measurements)
    for (const auto& [name, m] : *d.extra_measurements)
      if (bound(m)) return true;
  const Template* t = template_of(d);
  if (!t) return false;
  for (const auto& [name, m] : t->measurements)
    if (bound(m) && !(d.extra_measurements && d.extra_measurements->count(name))) return true;
  return false;
}

}  // namespace ems::contract
