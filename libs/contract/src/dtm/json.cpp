// to_json: the normalized DTM we store and serve. Optional fields the configurator emits are
// written as explicit nulls so a stored DTM looks like the configurator's own output.
#include "dtm/internal.hpp"

namespace ems::contract {
namespace {

template <typename T>
Json or_null(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json to_json(const Binding& b) {
  Json out = b.fields;
  out["protocol"] = to_string(b.protocol);
  return out;
}

Json to_json(const Command& c) {
  return Json{{"verb", std::string(to_string(c.verb))},
              {"target", c.target},
              {"unit", std::string(to_string(c.unit))},
              {"payload", std::string(to_string(c.payload))},
              {"display_name_default", or_null(c.display_name_default)},
              {"binding", c.binding ? to_json(*c.binding) : Json(nullptr)},
              {"fanout", or_null(c.fanout)}};
}

Json to_json(const Connection& c) {
  Json j{{"host", c.host},
         {"port", c.port ? Json(*c.port) : Json(std::string(kProvisionedAtCommissioning))},
         {"unit_id", or_null(c.unit_id)}};
  if (c.credentials) j["credentials"] = *c.credentials;  // ext, absent in configurator DTMs
  return j;
}

Json to_json(const Bus& b) {
  Json members = Json::array();
  for (const auto& m : b.members)
    members.push_back(Json{{"device_id", m.device_id}, {"port", or_null(m.port)}});
  return Json{{"bus_id", b.bus_id},
              {"type", b.type == BusType::dc ? "dc" : "ac"},
              {"members", std::move(members)}};
}

Json measurements_json(const std::map<std::string, Measurement>& ms) {
  Json out = Json::object();
  for (const auto& [name, m] : ms) out[name] = to_json(m);
  return out;
}

}  // namespace

Json to_json(const Measurement& m) {
  Json values = nullptr;
  if (m.type == ValueType::Enum || !m.values.empty()) {
    values = Json::object();
    for (const auto& v : m.values) values[v.code] = v.label;
  }
  Json bounds = nullptr, thresholds = nullptr;
  if (m.bounds)
    bounds = Json{{"min", m.bounds->min}, {"max", m.bounds->max}, {"nominal", m.bounds->nominal}};
  if (m.thresholds)
    thresholds = Json{{"warn_min", m.thresholds->warn_min},
                      {"warn_max", m.thresholds->warn_max},
                      {"alarm_min", m.thresholds->alarm_min},
                      {"alarm_max", m.thresholds->alarm_max}};
  return Json{{"unit", std::string(to_string(m.unit))},
              {"type", std::string(to_string(m.type))},
              {"poll_rate_hz", or_null(m.poll_rate_hz)},
              {"display_name_default", or_null(m.display_name_default)},
              {"iec_61850_ref", or_null(m.iec_61850_ref)},
              {"values", std::move(values)},
              {"bounds", std::move(bounds)},
              {"thresholds", std::move(thresholds)},
              {"binding", m.binding ? to_json(*m.binding) : Json(nullptr)},
              {"publisher", or_null(m.publisher)}};
}

Json to_json(const Template& t) {
  Json contains = Json::array();
  for (const auto& c : t.contains)
    contains.push_back(Json{{"template", c.template_slug},
                            {"qty", c.qty ? Json(*c.qty) : Json("scalable")},
                            {"power_from", c.power_from}});
  Json commands = Json::object();
  for (const auto& [name, c] : t.commands) commands[name] = to_json(c);
  return Json{{"template", t.slug},
              {"kind", t.kind == TemplateKind::module ? "module" : "leaf"},
              {"vendor", or_null(t.vendor)},
              {"model", or_null(t.model)},
              {"equipment_id", or_null(t.equipment_id)},
              {"capacity_kwh", or_null(t.capacity_kwh)},
              {"description", t.description},
              {"contains", std::move(contains)},
              {"measurements", measurements_json(t.measurements)},
              {"commands", std::move(commands)},
              {"install_tasks", t.install_tasks},
              {"alarms", t.alarms}};
}

Json to_json(const Device& d) {
  Json out{{"device_id", d.device_id},
           {"template", d.template_slug},
           {"parent", or_null(d.parent)},
           {"display_name", or_null(d.display_name)},
           {"connection", d.connection ? to_json(*d.connection) : Json(nullptr)},
           {"extra_measurements",
            d.extra_measurements ? measurements_json(*d.extra_measurements) : Json(nullptr)}};
  for (const auto& [key, value] : d.carried.items()) out[key] = value;
  return out;
}

Json to_json(const Dtm& dtm) {
  Json devices = Json::object();
  for (const auto& [id, d] : dtm.devices) devices[id] = to_json(d);
  Json buses = Json::array();
  for (const auto& b : dtm.buses) buses.push_back(to_json(b));
  Json templates = Json::object();
  for (const auto& [slug, t] : dtm.templates_used) templates[slug] = to_json(t);
  Json out{{"deployment_uuid", dtm.deployment_uuid},
           {"sizing_ref", or_null(dtm.sizing_ref)},
           {"sizing_params", dtm.sizing_params},
           {"mode", or_null(dtm.mode)},
           {"version", or_null(dtm.version)},
           {"devices", std::move(devices)},
           {"buses", std::move(buses)},
           {"templates_used", std::move(templates)}};
  // Our extensions are written only when set, so a configurator DTM round-trips unchanged.
  if (dtm.site_id) out["site_id"] = *dtm.site_id;
  if (dtm.site_display_name) out["site_display_name"] = *dtm.site_display_name;
  if (dtm.pending_devices) out["pending_devices"] = *dtm.pending_devices;
  return out;
}

}  // namespace ems::contract
