// x-protocol-source and x-command-source: everything a reader needs to read each value and
// write each command of each device (CONTRACT.md section 6; the shape is documented in
// ems/contract/sources.hpp, which also reads it back).
//
// What is the same for every device of a template (binding fields with their defaults made
// explicit, unit, value type, poll rate, enum map, bounds) is written once per template; a
// device adds its connections and its own entries (synthetic roll-ups, extra measurements,
// distribute and power_cap children), so the document stays small and linear in devices.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "asyncapi/index.hpp"
#include "ems/contract/sources.hpp"

namespace ems::contract::detail {
namespace {

// A device a reader may talk to: a connection whose host and port are known.
bool reachable(const Device& d) {
  return d.connection && !d.connection->provisioned_at_commissioning();
}

bool over_device(const std::optional<Binding>& b) {
  return b && is_device_protocol(b->protocol);
}

// The poll rate a reader uses when the template names none.
constexpr double kDefaultPollRateHz = 1.0;

// Everything about reading one measurement over a device protocol: the binding with its
// defaults explicit, unit, value type, poll rate, and the enum map.
Json measurement_entry(const Measurement& m) {
  Json e = explicit_fields(*m.binding);
  e["unit"] = to_string(m.unit);
  e["value_type"] = to_string(m.type);
  e["poll_rate_hz"] = m.poll_rate_hz.value_or(kDefaultPollRateHz);
  if (m.type == ValueType::Enum) e["value_map"] = EnumCodec::of(&*m.binding, m.values).to_json();
  return e;
}

// Expands the placeholders of one synthetic input topic. Returns false when the entry must be
// omitted (no poi meter in the DTM, or the input names a device the DTM lacks).
bool resolve_input(const DtmIndex& index, const Device& d, const std::string& input,
                   const std::string& path, std::string& out) {
  out.clear();
  out.reserve(input.size() + 32);
  std::size_t i = 0;
  while (i < input.size()) {
    if (input[i] != '{') {
      out += input[i++];
      continue;
    }
    const std::size_t close = input.find('}', i);
    if (close == std::string::npos) throw ContractError(path, "unbalanced '{' in '" + input + "'");
    const std::string_view name(input.data() + i + 1, close - i - 1);
    if (name == "site_id") {
      out += index.site_id();
    } else if (name == "device_id") {
      out += d.device_id;
    } else if (name == "poi_meter_device_id") {
      const auto& meters = index.devices_of("poi_meter");
      if (meters.empty()) return false;
      if (meters.size() > 1)
        throw ContractError(path, "{poi_meter_device_id} is ambiguous: the DTM has " +
                                      std::to_string(meters.size()) + " poi_meter devices");
      out += meters.front()->device_id;
    } else {
      throw ContractError(path, "unknown placeholder {" + std::string(name) + "} in '" + input +
                                    "' (allowed: {site_id} {device_id} {poi_meter_device_id})");
    }
    i = close + 1;
  }
  // sites/<site>/devices/<device>/...: an input from a device the DTM lacks never arrives.
  constexpr std::string_view kSites = "sites/";
  if (out.compare(0, kSites.size(), kSites) == 0) {
    const std::size_t a = out.find('/', kSites.size());
    const std::size_t b = a == std::string::npos ? a : out.find('/', a + 1);
    const std::size_t c = b == std::string::npos ? b : out.find('/', b + 1);
    if (c != std::string::npos && !index.has_device(std::string_view(out).substr(b + 1, c - b - 1)))
      return false;
  }
  return true;
}

// A synthetic measurement of device `d`: inputs resolved to concrete topics, or the roll-up
// over its children. Returns null when the entry must be omitted.
Json synthetic_entry(const DtmIndex& index, const Device& d, const std::string& name,
                     const Measurement& m, const std::string& path) {
  const auto& f = *m.binding->as<SyntheticBinding>();
  Json e = Json::object();
  e["protocol"] = to_string(Protocol::synthetic);
  e["operation"] = to_string(f.operation);
  e["unit"] = to_string(m.unit);
  e["value_type"] = to_string(m.type);
  e["poll_rate_hz"] = m.poll_rate_hz.value_or(kDefaultPollRateHz);

  if (!f.inputs.empty()) {
    Json resolved = Json::array();
    std::string topic;
    for (const auto& in : f.inputs) {
      if (!resolve_input(index, d, in, path + "/binding/inputs", topic)) return nullptr;
      resolved.push_back(topic);
    }
    e["inputs"] = std::move(resolved);
    return e;
  }

  if (!f.source_measurement)
    throw ContractError(path + "/binding", "synthetic binding needs inputs or source_measurement");
  const std::string& src = *f.source_measurement;
  const bool weighted = f.operation == SyntheticOperation::weighted_mean;
  Json list = Json::array();
  for (const Device* child : index.children_of(d.device_id)) {
    if (f.child_template && child->template_slug != *f.child_template) continue;
    const Measurement* cm = index.measurement_of(*child, src);
    if (!cm)
      throw ContractError(pointer({"devices", child->device_id}),
                          "child of '" + d.device_id + "' lacks measurement '" + src + "' that '" +
                              name + "' rolls up");
    std::string topic = index.measurement_topic(child->device_id, src, cm->unit);
    if (!weighted) {
      list.push_back(std::move(topic));
      continue;
    }
    const Template* ct = index.template_of(*child);
    if (!ct || !ct->capacity_kwh)
      throw ContractError(pointer({"templates_used", child->template_slug, "capacity_kwh"}),
                          "weighted_mean '" + name + "' of '" + d.device_id +
                              "' needs capacity_kwh on child template '" + child->template_slug +
                              "'");
    list.push_back(Json{{"topic", std::move(topic)}, {"weight", *ct->capacity_kwh}});
  }
  // A module without (matching) children has nothing to compute yet.
  if (list.empty()) return nullptr;
  e[weighted ? "pairs" : "inputs"] = std::move(list);
  return e;
}

}  // namespace

namespace {

void add_command_fields(Json& e, const Command& c) {
  e["unit"] = to_string(c.unit);
  e["verb"] = to_string(c.verb);
  e["target"] = c.target;
  e["payload"] = to_string(c.payload);
}

// Bounds to enforce before a write, and the enum map for label -> code.
void add_target_limits(Json& e, const Measurement* target) {
  if (!target) return;
  if (target->bounds) e["bounds"] = {{"min", target->bounds->min}, {"max", target->bounds->max}};
  if (target->type == ValueType::Enum)
    e["value_map"] = EnumCodec::of(nullptr, target->values).to_json();
}

const std::string* find_command(const Template& t, Verb verb, const std::string& target) {
  for (const auto& [name, c] : t.commands)
    if (c.verb == verb && c.target == target) return &name;
  return nullptr;
}

// What the gateway needs beyond the children, as the reference generator emits it:
// - with ramp/hysteresis guard fields and an operating_envelope device: the module's summed
//   power_min/power_max and the topics of the envelope's import/export limits and of the
//   module's own target measurement, so the split can be held inside the envelope;
// - with sizing_params.bess_reserve_floor_mwh > 0: the state of charge (percent of the
//   children's capacity) below which the module must not discharge.
void add_distribute_limits(const DtmIndex& index, const Device& d, const Command& c,
                           const std::string& path, Json& e, const Json& children) {
  const Dtm& dtm = index.dtm();
  const auto& envelopes = index.devices_of("operating_envelope");
  if (e.contains("ramp_rate_per_sec") && !envelopes.empty()) {
    double min = 0, max = 0;
    for (const auto& child : children) {
      min += child["power_min"].get<double>();
      max += child["power_max"].get<double>();
    }
    e["power_min"] = min;
    e["power_max"] = max;
    const Device& env = *envelopes.front();
    for (const char* limit : {"import_limit", "export_limit"}) {
      if (const Measurement* m = index.measurement_of(env, limit))
        e[std::string(limit) + "_topic"] = index.measurement_topic(env.device_id, limit, m->unit);
    }
    if (const Measurement* own = index.measurement_of(d, c.target))
      e["active_power_topic"] = index.measurement_topic(d.device_id, c.target, own->unit);
  }
  const auto floor = dtm.sizing_params.find("bess_reserve_floor_mwh");
  if (floor == dtm.sizing_params.end() || !floor->is_number() || floor->get<double>() <= 0) return;
  double capacity_kwh = 0;
  for (const Device* child : index.children_of(d.device_id)) {
    const Template* ct = index.template_of(*child);
    if (!ct || !ct->capacity_kwh)
      throw ContractError(pointer({"templates_used", child->template_slug, "capacity_kwh"}),
                          "a reserve floor needs capacity_kwh on every child of '" + d.device_id +
                              "' (" + path + ")");
    capacity_kwh += *ct->capacity_kwh;
  }
  const double percent = floor->get<double>() * 1000.0 / capacity_kwh * 100.0;
  if (!(percent <= 100.0))  // also catches a module without children (division by zero)
    throw ContractError(
        "/sizing_params/bess_reserve_floor_mwh",
        "reserve floor exceeds the capacity of the children of '" + d.device_id + "'");
  e["state_of_charge_floor_percent"] = percent;
}

Json distribute_entry(const DtmIndex& index, const Device& d, const Command& c,
                      const std::string& path) {
  Json e = c.binding->fields;
  add_command_fields(e, c);
  Json children = Json::array();
  for (const Device* child : index.children_of(d.device_id)) {
    const Template* ct = index.template_of(*child);
    const std::string child_path = pointer({"devices", child->device_id});
    const std::string* cname = ct ? find_command(*ct, c.verb, c.target) : nullptr;
    if (!cname)
      throw ContractError(child_path, "child of '" + d.device_id + "' has no '" +
                                          std::string(to_string(c.verb)) + " " + c.target +
                                          "' command to distribute " + path);
    const Measurement* state = index.measurement_of(*child, "operating_state");
    const Measurement* soc = index.measurement_of(*child, "state_of_charge");
    const Measurement* target = index.measurement_of(*child, c.target);
    if (!state || !soc || !target || !target->bounds)
      throw ContractError(child_path, "distribute child '" + child->device_id +
                                          "' needs operating_state, state_of_charge and bounds "
                                          "on '" +
                                          c.target + "'");
    children.push_back(
        {{"device_id", child->device_id},
         {"command_topic", index.command_topic(child->device_id, ct->commands.at(*cname))},
         {"operating_state_topic",
          index.measurement_topic(child->device_id, "operating_state", state->unit)},
         {"state_of_charge_topic",
          index.measurement_topic(child->device_id, "state_of_charge", soc->unit)},
         {"power_min", target->bounds->min},
         {"power_max", target->bounds->max}});
  }
  add_distribute_limits(index, d, c, path, e, children);
  e["children"] = std::move(children);
  return e;
}

Json power_cap_entry(const DtmIndex& index, const Device& d, const Command& c,
                     const std::string& path) {
  const auto& f = *c.binding->as<PowerCapBinding>();
  Json e = c.binding->fields;
  e.erase("child_template");
  e.erase("child_commands");
  add_command_fields(e, c);
  Json children = Json::array();
  for (const Device* child : index.children_of(d.device_id)) {
    if (child->template_slug != f.child_template) continue;
    const Template* ct = index.template_of(*child);
    if (!ct) continue;  // a dangling template is reported by parse_dtm, not here
    for (const std::string& cname : f.child_commands) {
      auto it = ct->commands.find(cname);
      if (it == ct->commands.end())
        throw ContractError(path + "/binding/child_commands",
                            "child '" + child->device_id + "' has no command '" + cname + "'");
      const Command& cc = it->second;
      Json entry{{"device_id", child->device_id},
                 {"target", cc.target},
                 {"command_topic", index.command_topic(child->device_id, cc)}};
      const Measurement* target = index.measurement_of(*child, cc.target);
      if (target && target->bounds) {
        entry["min_w"] = target->bounds->min;
        entry["max_w"] = target->bounds->max;
      }
      children.push_back(std::move(entry));
    }
  }
  e["children"] = std::move(children);
  return e;
}

// A command another service executes (the template's `fanout`): who executes it and what it
// takes, so that a reader which is not the executor knows the target exists and leaves the
// command (and its acks) to the executor.
Json executor_entry(const Template& t, const Command& c) {
  Json e = Json::object();
  e["executor"] = *c.fanout;
  add_command_fields(e, c);
  auto target = t.measurements.find(c.target);
  add_target_limits(e, target == t.measurements.end() ? nullptr : &target->second);
  return e;
}

// Device-independent part of a command written over a device protocol.
Json command_entry(const Template& t, const Command& c) {
  Json e = explicit_fields(*c.binding);
  add_command_fields(e, c);
  auto target = t.measurements.find(c.target);
  add_target_limits(e, target == t.measurements.end() ? nullptr : &target->second);
  return e;
}

// The device protocols a device's entries use, each with its explicit connection.
Json connections_of(const Device& d, const std::set<Protocol>& protocols) {
  Json out = Json::object();
  const std::string path = pointer({"devices", d.device_id, "connection"});
  for (Protocol p : protocols)
    out[std::string(to_string(p))] = to_json(device_connection(*d.connection, p, path));
  return out;
}

// A device whose extra measurements replace a template measurement cannot refer to the
// template's entries as a whole: its entries are then all its own.
bool overrides_template(const Device& d, const Template& t) {
  if (!d.extra_measurements) return false;
  for (const auto& [name, m] : *d.extra_measurements)
    if (t.measurements.count(name)) return true;
  return false;
}

}  // namespace

SourceEntries::SourceEntries(const DtmIndex& index) : index_(index) {
  for (const auto& [slug, t] : index.dtm().templates_used) {
    Prepared& p = prepared_[&t];
    p.measurements = Json::object();
    p.commands = Json::object();
    for (const auto& [name, m] : t.measurements)
      if (over_device(m.binding)) {
        p.measurements[name] = measurement_entry(m);
        p.measurement_protocols.insert(m.binding->protocol);
      }
    for (const auto& [name, c] : t.commands)
      if (over_device(c.binding)) {
        p.commands[name] = command_entry(t, c);
        p.command_protocols.insert(c.binding->protocol);
      }
  }
}

Json SourceEntries::templates(Section section) const {
  Json out = Json::object();
  for (const auto& [slug, t] : index_.dtm().templates_used) {
    const Prepared& p = prepared_.at(&t);
    const Json& entries = section == Section::protocol ? p.measurements : p.commands;
    if (!entries.empty()) out[slug] = entries;
  }
  return out;
}

Json SourceEntries::device(const Device& d, Section section) const {
  const Template* t = index_.template_of(d);
  if (!t) return nullptr;
  const Prepared& p = prepared_.at(t);
  const bool can_talk = reachable(d);
  std::set<Protocol> protocols;
  Json own = Json::object();
  bool use_template = false;
  if (section == Section::protocol) {
    const bool inline_all = can_talk && overrides_template(d, *t);
    use_template = can_talk && !inline_all && !p.measurements.empty();
    if (use_template) protocols = p.measurement_protocols;
    for (const auto& [name, m] : t->measurements) {
      if (!m.binding || (d.extra_measurements && d.extra_measurements->count(name))) continue;
      const std::string path = pointer({"templates_used", d.template_slug, "measurements", name});
      if (m.binding->protocol == Protocol::synthetic) {
        Json e = synthetic_entry(index_, d, name, m, path);
        if (!e.is_null()) own[name] = std::move(e);
      } else if (inline_all && is_device_protocol(m.binding->protocol)) {
        own[name] = p.measurements.at(name);
        protocols.insert(m.binding->protocol);
      }
    }
    if (d.extra_measurements) {
      for (const auto& [name, m] : *d.extra_measurements) {
        if (!m.binding) continue;
        if (m.binding->protocol == Protocol::synthetic) {
          Json e = synthetic_entry(index_, d, name, m,
                                   pointer({"devices", d.device_id, "extra_measurements", name}));
          if (!e.is_null()) own[name] = std::move(e);
        } else if (can_talk && is_device_protocol(m.binding->protocol)) {
          own[name] = measurement_entry(m);
          protocols.insert(m.binding->protocol);
        }
      }
    }
  } else {
    use_template = can_talk && !p.commands.empty();
    if (use_template) protocols = p.command_protocols;
    for (const auto& [name, c] : t->commands) {
      if (c.fanout) {
        own[name] = executor_entry(*t, c);
        continue;
      }
      if (!c.binding) continue;
      const std::string path = pointer({"templates_used", d.template_slug, "commands", name});
      if (c.binding->protocol == Protocol::distribute)
        own[name] = distribute_entry(index_, d, c, path);
      else if (c.binding->protocol == Protocol::power_cap)
        own[name] = power_cap_entry(index_, d, c, path);
    }
  }
  if (!use_template && own.empty()) return nullptr;
  Json e = Json::object();
  if (!protocols.empty()) e["connections"] = connections_of(d, protocols);
  if (!own.empty()) e[section == Section::protocol ? "measurements" : "commands"] = std::move(own);
  if (use_template) e["template"] = d.template_slug;
  return e;
}

namespace {

Json section_json(const SourceEntries& sources, Section section) {
  Json devices = Json::object();
  for (const auto& [id, d] : sources.index().dtm().devices) {
    Json e = sources.device(d, section);
    if (!e.is_null()) devices[id] = std::move(e);
  }
  return Json{{"devices", std::move(devices)}, {"templates", sources.templates(section)}};
}

}  // namespace

Json protocol_sources(const SourceEntries& sources) {
  return section_json(sources, Section::protocol);
}

Json command_sources(const SourceEntries& sources) {
  return section_json(sources, Section::command);
}

}  // namespace ems::contract::detail
