// Device templates (device-api.md 1.5-1.9): kind rules, contained children, measurements,
// commands, install tasks and alarms. Shared by parse_dtm (templates_used) and the catalog.
#include <algorithm>
#include <set>

#include "dtm/internal.hpp"

namespace ems::contract::detail {
namespace {

Command read_command(const Json& j, const std::string& path, Issues& issues) {
  Command c;
  FieldReader r(j, path, issues);
  if (!r.ok()) return c;
  if (auto v = r.string("verb", true)) {
    if (auto verb = parse_verb(*v))
      c.verb = *verb;
    else
      issues.add(r.path("verb"),
                 "'" + *v + "' is not a verb (set reset clear start stop enable disable)");
  }
  if (auto t = r.slug("target", true)) c.target = *t;
  if (auto u = r.string("unit", true)) {
    if (auto unit = parse_unit(*u))
      c.unit = *unit;
    else
      issues.add(r.path("unit"), "'" + *u + "' is not a contract unit (volts amps watts ... none)");
  }
  if (auto p = r.one_of("payload", {"float", "bool", "enum", "trigger"}, true))
    c.payload = *parse_payload_type(*p);
  c.display_name_default = r.string("display_name_default", false);
  if (const Json* b = r.get("binding"))
    c.binding = read_binding(*b, r.path("binding"), BindingUse::command, issues);
  // Commands have no enum values to resolve codes against: labels only.
  if (c.binding) resolve_value_map_codes(*c.binding, {}, r.path("binding"), issues);
  if (auto f = r.string("fanout", false)) {
    if (is_known_service(*f))
      c.fanout = *f;
    else
      issues.add(r.path("fanout"),
                 "'" + *f + "' is not a known fanout service (" + std::string(kServiceList) + ")");
  }
  bool has_binding = r.has("binding"), has_fanout = r.has("fanout");
  if (has_binding == has_fanout)
    issues.add(r.path(has_binding ? "fanout" : "binding"),
               "exactly one of 'binding' or 'fanout' is required");
  return c;
}

// The verb fixes the payload (CONTRACT.md section 3: reset/clear are triggers, start/stop/
// enable/disable are booleans, set writes a value of the target's type) and the command shares
// the target measurement's unit, so its bounds apply to the written value.
void check_command_target(const Template& t, const Command& cmd, const std::string& path,
                          bool compare_with_target, Issues& issues) {
  const bool trigger_verb = cmd.verb == Verb::reset || cmd.verb == Verb::clear;
  const bool bool_verb = cmd.verb == Verb::start || cmd.verb == Verb::stop ||
                         cmd.verb == Verb::enable || cmd.verb == Verb::disable;
  const std::string payload_path = json_pointer_append(path, "payload");
  const std::string verb(to_string(cmd.verb));
  if (trigger_verb && cmd.payload != PayloadType::Trigger)
    issues.add(payload_path, "'" + verb + "' commands carry a trigger payload");
  if (bool_verb && cmd.payload != PayloadType::Bool)
    issues.add(payload_path, "'" + verb + "' commands carry a bool payload");
  if (cmd.verb == Verb::set && cmd.payload == PayloadType::Trigger)
    issues.add(payload_path, "'set' writes a value: payload float, bool or enum");

  if (cmd.binding && cmd.binding->protocol == Protocol::power_cap) return;  // targets the children
  if (cmd.target.empty()) return;                                           // already reported
  auto m = t.measurements.find(cmd.target);
  if (m == t.measurements.end()) {
    issues.add(json_pointer_append(path, "target"),
               "target '" + cmd.target + "' is not a measurement of template '" + t.slug + "'");
    return;
  }
  if (!compare_with_target) return;
  if (cmd.unit != m->second.unit)
    issues.add(json_pointer_append(path, "unit"),
               "unit '" + std::string(to_string(cmd.unit)) + "' differs from target '" +
                   cmd.target + "' (" + std::string(to_string(m->second.unit)) + ")");
  if (cmd.verb == Verb::set && cmd.payload != PayloadType::Trigger &&
      to_string(cmd.payload) != to_string(m->second.type))
    issues.add(payload_path, "'set' payload " + std::string(to_string(cmd.payload)) +
                                 " differs from target '" + cmd.target + "' type " +
                                 std::string(to_string(m->second.type)));
}

// Roll-ups and power caps act on the module's children: a binding's child_template must be one
// of the templates this module contains.
void check_child_templates(const Template& t, const std::string& path, Issues& issues) {
  auto check = [&](const std::optional<Binding>& b, const std::string& binding_path) {
    if (!b || !b->fields.contains("child_template")) return;
    const std::string child = b->fields["child_template"].get<std::string>();
    bool contained =
        std::any_of(t.contains.begin(), t.contains.end(),
                    [&](const ContainedTemplate& c) { return c.template_slug == child; });
    if (!contained)
      issues.add(json_pointer_append(binding_path, "child_template"),
                 "child_template '" + child + "' is not in this template's contains");
  };
  for (const auto& [name, m] : t.measurements)
    check(m.binding,
          json_pointer_append(json_pointer_append(json_pointer_append(path, "measurements"), name),
                              "binding"));
  for (const auto& [name, c] : t.commands)
    check(c.binding,
          json_pointer_append(json_pointer_append(json_pointer_append(path, "commands"), name),
                              "binding"));
}

std::vector<ContainedTemplate> read_contains(FieldReader& t) {
  std::vector<ContainedTemplate> out;
  const Json* j = t.get("contains");
  if (j == nullptr) return out;
  if (!j->is_array()) {
    t.issues().add(t.path("contains"), "expected an array, got " + type_name(*j));
    return out;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j->size(); ++i) {
    FieldReader r((*j)[i], json_pointer_append(t.path("contains"), std::to_string(i)), t.issues());
    if (!r.ok()) continue;
    ContainedTemplate c;
    if (auto s = r.slug("template", true)) {
      c.template_slug = *s;
      if (!seen.insert(*s).second)
        r.issues().add(r.path("template"), "template '" + *s + "' is listed twice in contains");
    }
    if (const Json* q = r.get("qty")) {
      if (q->is_string()) {
        if (q->get<std::string>() != "scalable")
          r.issues().add(r.path("qty"), "qty must be \"scalable\" or a positive integer");
      } else if (auto n = r.integer_in("qty", 1, 1000000, false)) {
        c.qty = static_cast<int>(*n);
      }
    }
    if (auto pf = r.strings("power_from", false)) c.power_from = *pf;
    out.push_back(std::move(c));
  }
  // power_from names a sibling template of the same module.
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (std::size_t k = 0; k < out[i].power_from.size(); ++k) {
      if (!seen.count(out[i].power_from[k]))
        t.issues().add(
            json_pointer_append(
                json_pointer_append(json_pointer_append(t.path("contains"), std::to_string(i)),
                                    "power_from"),
                std::to_string(k)),
            "power_from '" + out[i].power_from[k] +
                "' is not a template in this module's contains");
    }
  }
  return out;
}

Json read_install_tasks(FieldReader& t) {
  Json out = Json::array();
  const Json* j = t.get("install_tasks");
  if (j == nullptr) return out;
  if (!j->is_array()) {
    t.issues().add(t.path("install_tasks"), "expected an array, got " + type_name(*j));
    return out;
  }
  std::set<std::string> names;
  for (const auto& task : *j)
    if (task.is_object() && task.contains("name") && task["name"].is_string())
      names.insert(task["name"].get<std::string>());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < j->size(); ++i) {
    FieldReader r((*j)[i], json_pointer_append(t.path("install_tasks"), std::to_string(i)),
                  t.issues());
    if (!r.ok()) continue;
    Json task = Json::object();
    if (auto name = r.string("name", true)) {
      if (name->empty()) r.issues().add(r.path("name"), "must not be empty");
      if (!seen.insert(*name).second)
        r.issues().add(r.path("name"), "install task '" + *name + "' is defined twice");
      task["name"] = *name;
    }
    auto deps = r.strings("depends_on", false).value_or(std::vector<std::string>{});
    for (std::size_t k = 0; k < deps.size(); ++k)
      if (!names.count(deps[k]))
        r.issues().add(json_pointer_append(r.path("depends_on"), std::to_string(k)),
                       "depends_on '" + deps[k] + "' is not an install task of this template");
    task["depends_on"] = deps;
    if (auto m = r.integer_in("est_minutes", 1, 1000000, true)) task["est_minutes"] = *m;
    if (auto c = r.one_of("crew_role", {"electrician", "plumber", "it", "general"}, true))
      task["crew_role"] = *c;
    if (auto c = r.one_of("cx_level", {"L1", "L2", "L3", "L4", "L5"}, true)) task["cx_level"] = *c;
    out.push_back(std::move(task));
  }
  return out;
}

// Alarm condition sources: a union on `type`.
Json read_condition_source(FieldReader& alarm) {
  Json out = Json::object();
  const Json* j = alarm.require("condition_source");
  if (j == nullptr) return out;
  FieldReader r(*j, alarm.path("condition_source"), alarm.issues());
  if (!r.ok()) return out;
  auto type = r.one_of(
      "type", {"discrete_register", "analog_threshold", "snmp_trap", "dnp_event", "redfish_event"},
      true);
  if (!type) {
    for (const auto& [key, value] : j->items()) r.get(key);
    return out;
  }
  out["type"] = *type;
  auto put = [&](std::string_view key, const auto& v) {
    if (v) out[std::string(key)] = *v;
  };
  if (*type == "discrete_register") {
    put("address", r.integer_in("address", 0, INT32_MAX, true));
    put("meaning_when_set", r.one_of("meaning_when_set", {"alarm", "clear"}, true));
  } else if (*type == "analog_threshold") {
    put("address", r.integer_in("address", 0, INT32_MAX, true));
    put("threshold", r.number("threshold", true));
    put("direction", r.one_of("direction", {"above", "below"}, true));
    if (auto u = r.string("unit", true)) {
      if (!parse_unit(*u))
        r.issues().add(r.path("unit"), "'" + *u + "' is not a contract unit");
      else
        out["unit"] = *u;
    }
    auto db = r.number("deadband_pct", false);
    if (db && *db < 0) r.issues().add(r.path("deadband_pct"), "deadband_pct must be >= 0");
    out["deadband_pct"] = db ? Json(*db) : Json(nullptr);
  } else if (*type == "snmp_trap") {
    put("oid", r.string("oid", true));
  } else if (*type == "dnp_event") {
    put("point_index", r.integer_in("point_index", 0, INT32_MAX, true));
    put("point_type", r.one_of("point_type", {"binary_input", "analog_input"}, true));
  } else {
    put("event_id", r.string("event_id", true));
    auto sev = r.one_of("severity", {"OK", "Warning", "Critical"}, false);
    out["severity"] = sev ? Json(*sev) : Json(nullptr);
  }
  return out;
}

Json read_alarms(FieldReader& t) {
  Json out = Json::array();
  const Json* j = t.get("alarms");
  if (j == nullptr) return out;
  if (!j->is_array()) {
    t.issues().add(t.path("alarms"), "expected an array, got " + type_name(*j));
    return out;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < j->size(); ++i) {
    FieldReader r((*j)[i], json_pointer_append(t.path("alarms"), std::to_string(i)), t.issues());
    if (!r.ok()) continue;
    Json a = Json::object();
    if (auto id = r.string("id", true)) {
      if (!ids.insert(*id).second)
        r.issues().add(r.path("id"), "alarm id '" + *id + "' is defined twice");
      a["id"] = *id;
    }
    if (auto d = r.string("description", true)) a["description"] = *d;
    a["condition_source"] = read_condition_source(r);
    if (auto p = r.one_of("priority", {"P1", "P2", "P3", "P4"}, true)) a["priority"] = *p;
    if (auto s = r.string("operator_action", true)) a["operator_action"] = *s;
    if (auto n = r.integer_in("on_delay_ms", 0, INT32_MAX, true)) a["on_delay_ms"] = *n;
    if (auto n = r.integer_in("off_delay_ms", 0, INT32_MAX, true)) a["off_delay_ms"] = *n;
    if (auto s = r.one_of("reset", {"latched", "auto"}, true)) a["reset"] = *s;
    if (auto s = r.string("reference_doc", true)) a["reference_doc"] = *s;
    out.push_back(std::move(a));
  }
  return out;
}

template <typename T, typename Fn>
std::map<std::string, T> read_named(FieldReader& t, std::string_view key, Fn fn) {
  std::map<std::string, T> out;
  const Json* j = t.get(key);
  if (j == nullptr) return out;
  if (!j->is_object()) {
    t.issues().add(t.path(key), "expected an object {name: ...}, got " + type_name(*j));
    return out;
  }
  for (const auto& [name, value] : j->items()) {
    std::string path = json_pointer_append(t.path(key), name);
    if (!is_slug(name)) t.issues().add(path, "'" + name + "' is not a snake_case slug");
    out.emplace(name, fn(value, path, t.issues()));
  }
  return out;
}

}  // namespace

Template read_template(const Json& j, const std::string& path, Issues& issues) {
  Template t;
  FieldReader r(j, path, issues);
  if (!r.ok()) return t;
  if (auto s = r.slug("template", true)) t.slug = *s;
  auto kind = r.one_of("kind", {"leaf", "module"}, true);
  t.kind = kind == "module" ? TemplateKind::module : TemplateKind::leaf;
  bool leaf = kind == "leaf";
  // Leaf templates name physical equipment; modules are pure aggregations.
  for (auto* field : {&t.vendor, &t.model, &t.equipment_id}) {
    const char* key = field == &t.vendor ? "vendor" : field == &t.model ? "model" : "equipment_id";
    auto v = r.string(key, leaf);
    if (kind == "module" && v)
      issues.add(r.path(key), std::string(key) + " must be null for a module template");
    if (leaf) *field = v;
  }
  t.capacity_kwh = r.number("capacity_kwh", false);
  if (t.capacity_kwh && *t.capacity_kwh <= 0)
    issues.add(r.path("capacity_kwh"), "capacity_kwh must be > 0");
  if (auto d = r.string("description", true)) t.description = *d;
  t.contains = read_contains(r);
  if (leaf && !t.contains.empty())
    issues.add(r.path("contains"), "a leaf template cannot contain other templates");
  const std::size_t before_measurements = issues.size();
  t.measurements = read_named<Measurement>(r, "measurements", read_measurement);
  // A measurement that failed to parse has placeholder unit/type: comparing commands against it
  // would only repeat that failure.
  const bool measurements_ok = issues.size() == before_measurements;
  t.commands = read_named<Command>(r, "commands", read_command);
  for (const auto& [name, cmd] : t.commands)
    check_command_target(t, cmd, json_pointer_append(r.path("commands"), name), measurements_ok,
                         issues);
  if (kind == "module" && t.measurements.empty() && t.commands.empty())
    issues.add(r.path("measurements"),
               "a module template needs at least one measurement or command");
  check_child_templates(t, r.path(), issues);
  t.install_tasks = read_install_tasks(r);
  t.alarms = read_alarms(r);
  return t;
}

}  // namespace ems::contract::detail

namespace ems::contract {
Template parse_template(const Json& doc, const std::string& path) {
  detail::Issues issues;
  Template t = detail::read_template(doc, path, issues);
  issues.throw_if_any();
  return t;
}
}  // namespace ems::contract
