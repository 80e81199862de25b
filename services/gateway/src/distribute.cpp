#include "distribute.hpp"

#include <algorithm>
#include <stdexcept>

namespace ems::gateway {

std::vector<Share> split(const std::string& policy, double value,
                         const std::vector<ChildState>& children, double floor_percent) {
  if (policy != "equal_split" && policy != "soc_weighted")
    throw std::invalid_argument("unknown allocation_policy '" + policy + "'");
  const bool by_soc = policy == "soc_weighted";
  std::vector<const ChildState*> usable;
  std::vector<double> weight;
  for (const auto& c : children) {
    if (!c.available || (by_soc && !c.soc)) continue;
    double w = 1;
    if (by_soc)
      w = value >= 0 ? std::max(0.0, *c.soc - floor_percent) : std::max(0.0, 100.0 - *c.soc);
    usable.push_back(&c);
    weight.push_back(w);
  }
  if (usable.empty()) throw std::invalid_argument("no child available to take the setpoint");
  std::vector<double> share(usable.size(), 0.0);
  std::vector<bool> fixed(usable.size(), false);
  double left = value;
  for (int round = 0; round < 8 && std::abs(left) > 1e-9; ++round) {
    double wsum = 0;
    for (std::size_t i = 0; i < usable.size(); ++i)
      if (!fixed[i]) wsum += weight[i];
    if (wsum <= 0) break;
    double next_left = 0;
    for (std::size_t i = 0; i < usable.size(); ++i) {
      if (fixed[i]) continue;
      const double want = share[i] + left * weight[i] / wsum;
      const double got = std::clamp(want, usable[i]->power_min, usable[i]->power_max);
      if (got != want) fixed[i] = true;
      next_left += want - got;
      share[i] = got;
    }
    left = next_left;
  }
  std::vector<Share> out;
  for (std::size_t i = 0; i < usable.size(); ++i) out.push_back({usable[i]->device_id, share[i]});
  return out;
}

SetpointRange envelope_range(const Envelope& e) {
  SetpointRange r;
  const bool at_poi = e.poi_power && e.module_power;
  const double base = at_poi ? *e.module_power + *e.poi_power : 0.0;
  if (e.import_limit) r.min = base - *e.import_limit;
  if (e.export_limit) r.max = base + *e.export_limit;
  if (at_poi) {  // never refuse a move back toward the envelope (the POI may already be out)
    r.min = std::min(r.min, *e.module_power);
    r.max = std::max(r.max, *e.module_power);
  }
  return r;
}

}  // namespace ems::gateway
