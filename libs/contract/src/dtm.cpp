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

}  // namespace ems::contract
