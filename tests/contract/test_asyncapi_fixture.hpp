#pragma once
// A small but complete site built in code for the AsyncAPI and view tests: a BESS module with
// two racks (weighted_mean / sum roll-ups, distribute), a POI meter and an operating envelope
// (subtract inputs), a compute module with GPU nodes (power_cap, child_template filter), a
// switchgear with alarms and per-device extra measurements, and a provisioned-at-commissioning
// device. Also a generator of large DTMs for the size and speed tests.

#include <string>

#include "ems/contract/dtm.hpp"

namespace ems::contract::testing {

inline Binding modbus(int function_code, int address, const char* data_type, double scale = 1.0) {
  return parse_binding(Json{{"protocol", "modbus_tcp"},
                            {"function_code", function_code},
                            {"address", address},
                            {"data_type", data_type},
                            {"word_order", "high_low"},
                            {"scale", scale},
                            {"offset", 0.0},
                            {"scale_factor_address", nullptr},
                            {"value_map", nullptr}});
}

inline Binding synthetic_source(const char* op, const char* source,
                                const char* child_template = nullptr) {
  Json f{{"protocol", "synthetic"},
         {"operation", op},
         {"inputs", nullptr},
         {"source_measurement", source},
         {"child_template", child_template ? Json(child_template) : Json(nullptr)}};
  return parse_binding(f);
}

inline Binding synthetic_inputs(const char* op, std::vector<std::string> inputs) {
  return parse_binding(Json{{"protocol", "synthetic"},
                            {"operation", op},
                            {"inputs", inputs},
                            {"source_measurement", nullptr},
                            {"child_template", nullptr}});
}

inline Measurement float_m(Unit unit, std::optional<Binding> b, std::optional<Bounds> bounds = {},
                           const char* label = nullptr) {
  Measurement m;
  m.unit = unit;
  m.type = ValueType::Float;
  m.poll_rate_hz = 1.0;
  m.bounds = bounds;
  m.binding = std::move(b);
  if (m.binding && m.binding->protocol == Protocol::synthetic) m.publisher = "gateway";
  if (label) m.display_name_default = label;
  return m;
}

inline Measurement enum_m(std::vector<EnumValue> values, Binding b) {
  Measurement m;
  m.unit = Unit::none;
  m.type = ValueType::Enum;
  m.poll_rate_hz = 1.0;
  m.values = std::move(values);
  m.binding = std::move(b);
  return m;
}

inline Command command(Verb verb, const char* target, Unit unit, PayloadType payload,
                       std::optional<Binding> b) {
  Command c;
  c.verb = verb;
  c.target = target;
  c.unit = unit;
  c.payload = payload;
  c.binding = std::move(b);
  return c;
}

inline Template bess_rack() {
  Template t;
  t.slug = "bess_rack";
  t.kind = TemplateKind::leaf;
  t.vendor = "Tesla";
  t.model = "Megapack 2 XL";
  t.equipment_id = "EXT-BESS-001";
  t.capacity_kwh = 3854.0;
  t.description = "Megapack via Modbus TCP";
  t.measurements["state_of_charge"] =
      float_m(Unit::percent, modbus(3, 0, "uint16", 0.1), Bounds{0, 100, 50}, "State of Charge");
  t.measurements["state_of_charge"].thresholds = Thresholds{15, 100, 5, 100};
  t.measurements["state_of_charge"].iec_61850_ref = "ZBAT.BatChaSt";
  t.measurements["active_power"] =
      float_m(Unit::watts, modbus(3, 10, "int32"), Bounds{-1927000, 1927000, 0});
  // Codes deliberately not in text order: "10" sorts before "2" as text.
  t.measurements["operating_state"] =
      enum_m({{"0", "STANDBY"}, {"1", "CHARGING"}, {"2", "DISCHARGING"}, {"10", "FAULT"}},
             modbus(3, 40, "uint16"));
  t.commands["set_active_power"] =
      command(Verb::set, "active_power", Unit::watts, PayloadType::Float, modbus(16, 50, "int32"));
  return t;
}

inline Template bess_module() {
  Template t;
  t.slug = "bess_module";
  t.kind = TemplateKind::module;
  t.description = "BESS module aggregation";
  t.contains.push_back({"bess_rack", std::nullopt, {}});
  t.measurements["state_of_charge"] =
      float_m(Unit::percent, synthetic_source("weighted_mean", "state_of_charge"));
  t.measurements["active_power"] = float_m(Unit::watts, synthetic_source("sum", "active_power"));
  t.measurements["import_headroom"] = float_m(
      Unit::watts,
      synthetic_inputs(
          "subtract", {"sites/{site_id}/devices/operating_envelope/measurements/import_limit/watts",
                       "sites/{site_id}/devices/{poi_meter_device_id}/measurements/active_power/"
                       "watts"}));
  t.commands["set_active_power"] =
      command(Verb::set, "active_power", Unit::watts, PayloadType::Float,
              parse_binding(Json{{"protocol", "distribute"},
                                 {"allocation_policy", "soc_weighted"},
                                 {"ramp_rate_per_sec", nullptr},
                                 {"hysteresis_margin", nullptr},
                                 {"hysteresis_dwell_secs", nullptr}}));
  return t;
}

inline Template poi_meter() {
  Template t;
  t.slug = "poi_meter";
  t.vendor = "SEL";
  t.model = "735";
  t.equipment_id = "POI";
  t.description = "Revenue meter at the point of interconnection";
  t.measurements["active_power"] = float_m(Unit::watts, modbus(4, 0, "float32"));
  return t;
}

inline Template operating_envelope() {
  Template t;
  t.slug = "operating_envelope";
  t.vendor = "EMS";
  t.model = "envelope";
  t.equipment_id = "ENV";
  t.description = "Import/export limits from the DER control API";
  Measurement m = float_m(Unit::watts, std::nullopt);
  m.publisher = "der_control_api";
  t.measurements["import_limit"] = m;
  return t;
}

inline Binding redfish(const char* uri, const char* pointer) {
  return parse_binding(Json{{"protocol", "redfish"},
                            {"uri", uri},
                            {"json_pointer", pointer},
                            {"scale", 1.0},
                            {"value_map", nullptr}});
}

inline Template gpu_node() {
  Template t;
  t.slug = "gpu_node";
  t.vendor = "NVIDIA";
  t.model = "HGX";
  t.equipment_id = "GPU";
  t.description = "GPU server via Redfish";
  t.measurements["power_consumed"] =
      float_m(Unit::watts, redfish("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts"));
  t.measurements["gpu_1_power_limit"] =
      float_m(Unit::watts, redfish("/Systems/1/Processors/GPU_1", "/PowerLimitWatts/SetPoint"),
              Bounds{200, 1000, 1000});
  t.measurements["gpu_2_power_limit"] =
      float_m(Unit::watts, redfish("/Systems/1/Processors/GPU_2", "/PowerLimitWatts/SetPoint"),
              Bounds{250, 900, 900});
  t.measurements["gpu_power"] = float_m(
      Unit::watts,
      synthetic_inputs(
          "sum", {"sites/{site_id}/devices/{device_id}/measurements/gpu_1_power_limit/watts",
                  "sites/{site_id}/devices/{device_id}/measurements/gpu_2_power_limit/watts"}));
  t.commands["set_gpu_1_power_limit"] =
      command(Verb::set, "gpu_1_power_limit", Unit::watts, PayloadType::Float,
              redfish("/Systems/1/Processors/GPU_1", "/PowerLimitWatts/SetPoint"));
  t.commands["set_gpu_2_power_limit"] =
      command(Verb::set, "gpu_2_power_limit", Unit::watts, PayloadType::Float,
              redfish("/Systems/1/Processors/GPU_2", "/PowerLimitWatts/SetPoint"));
  return t;
}

inline Template cdu() {
  Template t;
  t.slug = "cdu";
  t.vendor = "Vertiv";
  t.model = "XDU";
  t.equipment_id = "CDU";
  t.description = "Coolant distribution unit";
  t.measurements["supply_temp"] =
      float_m(Unit::celsius, redfish("/ThermalEquipment/CDUs/1", "/SupplyTemperatureCelsius"));
  return t;
}

inline Template compute_module() {
  Template t;
  t.slug = "compute_module";
  t.kind = TemplateKind::module;
  t.description = "Compute container";
  t.measurements["total_power"] =
      float_m(Unit::watts, synthetic_source("sum", "power_consumed", "gpu_node"));
  t.commands["set_power_limit"] = command(
      Verb::set, "power_limit", Unit::percent, PayloadType::Float,
      parse_binding(Json{{"protocol", "power_cap"},
                         {"child_template", "gpu_node"},
                         {"child_commands", {"set_gpu_1_power_limit", "set_gpu_2_power_limit"}},
                         {"ramp_rate_per_sec", 0.1},
                         {"hysteresis_margin", 0.05},
                         {"hysteresis_dwell_secs", 30.0}}));
  return t;
}

inline Template switchgear() {
  Template t;
  t.slug = "switchgear";
  t.vendor = "SEL";
  t.model = "351";
  t.equipment_id = "SWG";
  t.description = "Main switchgear";
  t.measurements["breaker_state"] =
      enum_m({{"0", "OPEN"}, {"1", "CLOSED"}, {"2", "TRIPPED"}}, modbus(3, 0, "uint16"));
  Measurement closed;
  closed.type = ValueType::Bool;
  closed.binding = modbus(1, 5, "uint16");
  t.measurements["breaker_closed"] = closed;
  t.commands["reset_lockout"] = command(Verb::reset, "breaker_state", Unit::none,
                                        PayloadType::Trigger, modbus(5, 9, "uint16"));
  t.commands["close_breaker"] = command(Verb::start, "breaker_closed", Unit::none,
                                        PayloadType::Bool, modbus(5, 10, "uint16"));
  t.commands["set_breaker_state"] =
      command(Verb::set, "breaker_state", Unit::none, PayloadType::Enum, modbus(6, 11, "uint16"));
  t.alarms = Json::array(
      {{{"id", "overcurrent_trip"},
        {"description", "51 phase overcurrent"},
        {"condition_source",
         {{"type", "discrete_register"}, {"address", 7}, {"meaning_when_set", "alarm"}}},
        {"priority", "P1"},
        {"operator_action", "Investigate.\nLock out."},
        {"on_delay_ms", 0},
        {"off_delay_ms", 0},
        {"reset", "latched"},
        {"reference_doc", "SEL-351 manual"}}});
  return t;
}

inline Device device(const char* id, const char* tmpl, const char* parent = nullptr,
                     const char* host = nullptr, int port = 502, const char* unit_id = "1") {
  Device d;
  d.device_id = id;
  d.template_slug = tmpl;
  if (parent) d.parent = parent;
  if (host)
    d.connection = Connection{
        host, port, unit_id ? std::optional<std::string>(unit_id) : std::nullopt, std::nullopt};
  return d;
}

inline void add(Dtm& dtm, Device d) {
  const std::string id = d.device_id;
  dtm.devices[id] = std::move(d);
}

// x-protocol-source / x-command-source as {device: {name: entry}}, each device-protocol entry
// merged with the device's connection for its protocol: the view a reader builds.
inline Json flat_sources(const Json& doc, const char* section) {
  const Json& sec = doc.at(section);
  const char* own = std::string(section) == "x-protocol-source" ? "measurements" : "commands";
  Json out = Json::object();
  for (const auto& [id, d] : sec.at("devices").items()) {
    Json entries = Json::object();
    auto add = [&](const std::string& name, Json e) {
      const std::string protocol = e.value("protocol", "");
      if (d.contains("connections") && d["connections"].contains(protocol))
        e.update(d["connections"][protocol]);
      entries[name] = std::move(e);
    };
    if (d.contains("template"))
      for (const auto& [name, e] : sec.at("templates").at(d["template"].get<std::string>()).items())
        add(name, e);
    if (d.contains(own))
      for (const auto& [name, e] : d[own].items()) add(name, e);
    out[id] = std::move(entries);
  }
  return out;
}

inline Dtm site_dtm() {
  Dtm dtm;
  dtm.deployment_uuid = "11111111-1111-4111-8111-111111111111";
  dtm.sizing_params = Json{{"P_compute_total_kW", 62.6}, {"E_BESS_total_kWh", 7708.0}};
  for (Template t : {bess_rack(), bess_module(), poi_meter(), operating_envelope(), gpu_node(),
                     cdu(), compute_module(), switchgear()})
    dtm.templates_used[t.slug] = t;
  add(dtm, device("bess_module_1", "bess_module"));
  add(dtm, device("bess_rack_1", "bess_rack", "bess_module_1", "10.10.0.21", 502, "1"));
  add(dtm, device("bess_rack_2", "bess_rack", "bess_module_1", "10.10.0.22", 502, "2"));
  add(dtm, device("poi_meter_1", "poi_meter", nullptr, "10.10.0.30", 502, "7"));
  add(dtm, device("operating_envelope", "operating_envelope"));
  add(dtm, device("compute_module_1", "compute_module"));
  Device gpu1 = device("gpu_node_1", "gpu_node", "compute_module_1");
  gpu1.connection = Connection{std::string(kProvisionedAtCommissioning), std::nullopt, std::nullopt,
                               std::nullopt};
  add(dtm, gpu1);
  add(dtm, device("gpu_node_2", "gpu_node", "compute_module_1", "10.20.0.2", 443, nullptr));
  add(dtm, device("cdu_1", "cdu", "compute_module_1", "10.20.0.9", 443, nullptr));
  Device sw = device("switchgear_1", "switchgear", nullptr, "10.10.0.40", 502, "3");
  sw.display_name = "Main Switchgear";
  Measurement cabinet = float_m(Unit::celsius, parse_binding(Json{{"protocol", "snmp"},
                                                                  {"oid", "1.3.6.1.4.1.99.1"},
                                                                  {"scale", 1.0},
                                                                  {"value_map", nullptr}}));
  Measurement door = enum_m({{"0", "CLOSED"}, {"1", "OPEN"}}, modbus(3, 90, "uint16"));
  door.display_name_default = "Cabinet Door";
  sw.extra_measurements =
      std::map<std::string, Measurement>{{"cabinet_temp", cabinet}, {"door_state", door}};
  add(dtm, sw);
  dtm.buses.push_back(
      Bus{"ac_main",
          BusType::ac,
          {{"bess_module_1", "ac_out"}, {"poi_meter_1", std::nullopt}, {"switchgear_1", "line"}}});
  return dtm;
}

// `modules` BESS modules of `racks_per_module` racks each (every rack with its own endpoint).
inline Dtm big_dtm(int modules, int racks_per_module) {
  Dtm dtm;
  dtm.deployment_uuid = "22222222-2222-4222-8222-222222222222";
  dtm.site_id = "big_site";
  dtm.templates_used["bess_rack"] = bess_rack();
  dtm.templates_used["bess_module"] = bess_module();
  for (int m = 0; m < modules; ++m) {
    const std::string mid = "bess_module_" + std::to_string(m);
    add(dtm, device(mid.c_str(), "bess_module"));
    for (int r = 0; r < racks_per_module; ++r) {
      const std::string rid = mid + "_rack_" + std::to_string(r);
      const std::string host = "10." + std::to_string(m / 250) + "." + std::to_string(m % 250) +
                               "." + std::to_string(r + 1);
      add(dtm, device(rid.c_str(), "bess_rack", mid.c_str(), host.c_str(), 502,
                      std::to_string(r + 1).c_str()));
    }
  }
  return dtm;
}

}  // namespace ems::contract::testing
