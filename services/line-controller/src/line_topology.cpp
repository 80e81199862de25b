#include "line_topology.hpp"

#include <cmath>

namespace ems::line_controller {
namespace {

std::optional<PstRef> pst_of(const contract::Dtm& dtm, const contract::Device& d) {
  const contract::Template* t = dtm.template_of(d);
  if (!t) return std::nullopt;
  bool has_command = false;
  for (const auto& [name, c] : t->commands)
    if (c.verb == contract::Verb::set && c.target == "tap_position") has_command = true;
  const auto ms = dtm.measurements_of(d);
  const auto tap = ms.find("tap_position");
  if (!has_command || tap == ms.end()) return std::nullopt;
  PstRef p{d.device_id};
  if (tap->second.bounds) {
    p.tap_min = int(std::ceil(tap->second.bounds->min));
    p.tap_max = int(std::floor(tap->second.bounds->max));
    p.neutral = int(std::lround(tap->second.bounds->nominal));
  }
  return p;
}

}  // namespace

std::vector<LinePlan> find_lines(const contract::Dtm& dtm, const std::string& default_site_id) {
  std::vector<LinePlan> lines;
  for (const auto& [id, device] : dtm.devices) {  // std::map: device-id order
    const auto ms = dtm.measurements_of(device);
    const auto loading = ms.find("line_loading");
    if (loading == ms.end() || loading->second.publisher != "line_controller") continue;
    LinePlan plan;
    plan.site_id = dtm.site_id.value_or(default_site_id);
    plan.line_device_id = id;
    for (const auto& [name, m] : ms)
      if (m.publisher == "line_controller" && !m.binding) plan.publishes[name] = m.unit;
    if (const contract::Template* t = dtm.template_of(device))
      for (const auto& [name, c] : t->commands)  // std::map: name order
        if (c.fanout == "line_controller")
          plan.commands.push_back({name, c.verb, c.target, c.unit, c.payload});

    std::set<std::string> members{id};
    std::optional<MeasurementRef> sensor_current;
    for (const contract::Device* child : dtm.children_of(id)) {
      members.insert(child->device_id);
      const auto cms = dtm.measurements_of(*child);
      const bool sensor = cms.count("conductor_temperature") > 0;
      if (cms.count("ambient_temperature") && cms.count("wind_speed"))
        plan.weather_stations.push_back(child->device_id);
      if (sensor) plan.conductor_sensors.push_back(child->device_id);
      const auto current = cms.find("line_current");
      if (current == cms.end()) continue;
      MeasurementRef ref{child->device_id, "line_current", current->second.unit};
      if (!sensor && !plan.current) plan.current = ref;
      if (sensor && !sensor_current) sensor_current = ref;
    }
    if (!plan.current) plan.current = sensor_current;

    for (const auto& bus : dtm.buses) {
      bool touches = false;
      for (const auto& m : bus.members) touches = touches || members.count(m.device_id);
      if (!touches) continue;
      for (const auto& m : bus.members) {
        const auto d = dtm.devices.find(m.device_id);
        if (d == dtm.devices.end() || members.count(m.device_id)) continue;
        if (auto p = pst_of(dtm, d->second)) {
          plan.pst = p;
          break;
        }
      }
      if (plan.pst) break;
    }
    lines.push_back(std::move(plan));
  }
  return lines;
}

}  // namespace ems::line_controller
