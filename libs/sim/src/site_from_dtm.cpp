#include "ems/sim/site_from_dtm.hpp"

namespace ems::sim {
namespace {

std::optional<double> nominal(const contract::Template& t, const char* measurement) {
  auto it = t.measurements.find(measurement);
  if (it == t.measurements.end() || !it->second.bounds) return std::nullopt;
  return it->second.bounds->nominal;
}

}  // namespace

SiteBuild site_from_dtm(const contract::Dtm& dtm, SiteParams base) {
  SiteBuild out{base, {}};
  if (auto it = dtm.sizing_params.find("T_coolant_setpoint_C");
      it != dtm.sizing_params.end() && it->is_number())
    out.params.coolant_setpoint_c = it->get<double>();
  for (const auto& [id, device] : dtm.devices) {
    const contract::Template* t = dtm.template_of(device);
    if (!t || t->kind == contract::TemplateKind::module) continue;
    const Role role = template_role(device.template_slug);
    if (role == Role::none) continue;
    ComponentSpec spec{id, role, {}, device.parent};
    switch (role) {
      case Role::pv_inverter:
        if (auto n = nominal(*t, "active_power")) spec.ratings["rating"] = *n;
        if (auto n = nominal(*t, "ac_voltage_ab")) spec.ratings["ac_voltage"] = *n;
        break;
      case Role::bess_rack:
        if (t->capacity_kwh) spec.ratings["capacity"] = *t->capacity_kwh * 1000.0;
        if (auto n = nominal(*t, "max_charge_power")) spec.ratings["rated_power"] = *n;
        break;
      case Role::operating_envelope:
        if (auto n = nominal(*t, "import_limit")) out.params.import_limit_w = *n;
        if (auto n = nominal(*t, "export_limit")) out.params.export_limit_w = *n;
        break;
      default:
        break;
    }
    out.components.push_back(std::move(spec));
  }
  return out;
}

PointSource point_source(const SiteModel& model, const std::string& device_id,
                         const std::string& measurement, const contract::Measurement& spec) {
  PointSource src;
  if (auto c = model.find(device_id)) {
    if (auto slot = quantity_slot(model.components()[*c].role, measurement)) {
      src.component = c;
      src.slot = slot;
      return src;
    }
  }
  switch (spec.type) {
    case contract::ValueType::Float:
      src.constant = spec.bounds ? spec.bounds->nominal : 0.0;
      break;
    case contract::ValueType::Bool:
      src.constant = 0.0;
      break;
    case contract::ValueType::Enum:
      if (!spec.values.empty()) src.constant_label = spec.values.front().label;
      break;
  }
  return src;
}

PointValue read_point(const SiteModel& model, const PointSource& source) {
  if (!source.from_model()) {
    PointValue v{source.constant, std::nullopt};
    if (!source.constant_label.empty()) v.label = source.constant_label;
    return v;
  }
  return PointValue{model.value(*source.component, *source.slot),
                    model.label(*source.component, *source.slot)};
}

}  // namespace ems::sim
