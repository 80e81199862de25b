// GET /topology/view: the sanitized projection of a DTM for the HMI, and label resolution.
// Built by listing what may go out (allow-list), never by deleting what must not, so a field
// added to the DTM later cannot leak into the view by accident.
#include "ems/contract/view.hpp"

#include <unordered_map>

namespace ems::contract {
namespace {

Json opt(const std::optional<std::string>& s) {
  return s ? Json(*s) : Json(nullptr);
}
Json opt(const std::optional<double>& d) {
  return d ? Json(*d) : Json(nullptr);
}

Json measurement_view(const std::string& name, const Measurement& m) {
  Json v = Json::object();
  v["unit"] = to_string(m.unit);
  v["type"] = to_string(m.type);
  v["poll_rate_hz"] = opt(m.poll_rate_hz);
  v["display_name"] = measurement_label(name, m);
  v["iec_61850_ref"] = opt(m.iec_61850_ref);
  v["bounds"] =
      m.bounds
          ? Json{{"min", m.bounds->min}, {"max", m.bounds->max}, {"nominal", m.bounds->nominal}}
          : Json(nullptr);
  v["thresholds"] = m.thresholds ? Json{{"warn_min", m.thresholds->warn_min},
                                        {"warn_max", m.thresholds->warn_max},
                                        {"alarm_min", m.thresholds->alarm_min},
                                        {"alarm_max", m.thresholds->alarm_max}}
                                 : Json(nullptr);
  if (m.type == ValueType::Enum) {
    Json labels = Json::array();
    for (const auto& e : m.values) labels.push_back(e.label);
    v["enum_values"] = std::move(labels);
  } else {
    v["enum_values"] = nullptr;
  }
  return v;
}

Json command_view(const std::string& name, const Command& c) {
  return {{"verb", to_string(c.verb)},
          {"target", c.target},
          {"unit", to_string(c.unit)},
          {"payload", to_string(c.payload)},
          {"display_name", command_label(name, c)}};
}

// An alarm as an operator reads it: what it means and what to do, not where it is read from.
Json alarm_view(const Json& alarm) {
  Json v = Json::object();
  if (!alarm.is_object()) return v;
  for (const char* key : {"id", "description", "priority", "operator_action", "on_delay_ms",
                          "off_delay_ms", "reset", "reference_doc"}) {
    auto it = alarm.find(key);
    if (it != alarm.end()) v[key] = *it;
  }
  return v;
}

Json template_view(const Template& t) {
  Json v = Json::object();
  v["template"] = t.slug;
  v["kind"] = t.kind == TemplateKind::leaf ? "leaf" : "module";
  v["vendor"] = opt(t.vendor);
  v["model"] = opt(t.model);
  v["equipment_id"] = opt(t.equipment_id);
  v["capacity_kwh"] = opt(t.capacity_kwh);
  v["description"] = t.description;
  Json ms = Json::object();
  for (const auto& [name, m] : t.measurements) ms[name] = measurement_view(name, m);
  v["measurements"] = std::move(ms);
  Json cs = Json::object();
  for (const auto& [name, c] : t.commands) cs[name] = command_view(name, c);
  v["commands"] = std::move(cs);
  Json alarms = Json::array();
  if (t.alarms.is_array())
    for (const auto& a : t.alarms) alarms.push_back(alarm_view(a));
  v["alarms"] = std::move(alarms);
  return v;
}

}  // namespace

std::string humanize_slug(const std::string& slug) {
  std::string out;
  out.reserve(slug.size());
  bool word_start = true;
  for (char c : slug) {
    if (c == '_') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      word_start = true;
      continue;
    }
    out += word_start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    word_start = false;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string device_label(const Device& device) {
  if (device.display_name && !device.display_name->empty()) return *device.display_name;
  return humanize_slug(device.device_id);
}

std::string measurement_label(const std::string& name, const Measurement& m) {
  if (m.display_name_default && !m.display_name_default->empty()) return *m.display_name_default;
  return humanize_slug(name);
}

std::string command_label(const std::string& name, const Command& c) {
  if (c.display_name_default && !c.display_name_default->empty()) return *c.display_name_default;
  return humanize_slug(name);
}

std::string site_label(const Dtm& dtm, const std::string& site_id) {
  if (dtm.site_display_name && !dtm.site_display_name->empty()) return *dtm.site_display_name;
  return humanize_slug(site_id);
}

std::string resolve_site_id(const Dtm& dtm, const std::string& fallback) {
  const std::string id = dtm.site_id && !dtm.site_id->empty() ? *dtm.site_id : fallback;
  if (id.empty())
    throw ContractError("/site_id", "no site_id: the DTM has none and no default was configured");
  if (!is_slug(id)) throw ContractError("/site_id", "site_id '" + id + "' is not a slug");
  return id;
}

Json topology_view(const Dtm& dtm, const ViewOptions& options) {
  const std::string site_id = resolve_site_id(dtm, options.default_site_id);
  Json v = Json::object();
  v["deployment_uuid"] = dtm.deployment_uuid;
  v["site_id"] = site_id;
  v["site_display_name"] = site_label(dtm, site_id);
  v["version"] = options.version;
  v["ems_mode"] = dtm.mode.value_or("sim");
  v["sizing_ref"] = opt(dtm.sizing_ref);
  v["sizing_params"] = dtm.sizing_params;

  std::unordered_map<std::string_view, Json> children;
  Json roots = Json::array();
  for (const auto& [id, d] : dtm.devices) {  // ordered by id: children lists come out sorted
    if (d.parent && dtm.devices.count(*d.parent))
      children[*d.parent].push_back(id);
    else
      roots.push_back(id);
  }
  Json devices = Json::object();
  for (const auto& [id, d] : dtm.devices) {
    Json dv = Json::object();
    dv["device_id"] = id;
    dv["template"] = d.template_slug;
    dv["parent"] = opt(d.parent);
    dv["display_name"] = device_label(d);
    auto it = children.find(id);
    dv["children"] = it == children.end() ? Json::array() : std::move(it->second);
    if (d.extra_measurements) {
      Json extra = Json::object();
      for (const auto& [name, m] : *d.extra_measurements) extra[name] = measurement_view(name, m);
      dv["extra_measurements"] = std::move(extra);
    } else {
      dv["extra_measurements"] = nullptr;
    }
    devices[id] = std::move(dv);
  }
  v["roots"] = std::move(roots);
  v["devices"] = std::move(devices);

  Json buses = Json::array();
  for (const auto& b : dtm.buses) {
    Json members = Json::array();
    for (const auto& m : b.members)
      members.push_back({{"device_id", m.device_id}, {"terminal", opt(m.port)}});
    buses.push_back({{"bus_id", b.bus_id},
                     {"type", b.type == BusType::ac ? "ac" : "dc"},
                     {"members", std::move(members)}});
  }
  v["buses"] = std::move(buses);

  Json templates = Json::object();
  for (const auto& [slug, t] : dtm.templates_used) templates[slug] = template_view(t);
  v["templates_used"] = std::move(templates);
  return v;
}

}  // namespace ems::contract
