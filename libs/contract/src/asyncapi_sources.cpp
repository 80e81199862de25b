// x-protocol-source and x-command-source: everything the gateway needs to read each value and
// write each command of each device (CONTRACT.md section 6).
//
// Work per template (binding fields without nulls, unit, poll rate, enum map) is done once, as
// a Json and as serialized members (TemplateEntry); a device only adds its connection, so
// generation stays linear in the number of devices and the text form can splice the template's
// serialized members instead of copying and dumping a tree per device (asyncapi_text.cpp).
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "asyncapi_index.hpp"
#include "asyncapi_text.hpp"

namespace ems::contract::detail {
namespace {

// Protocols the gateway computes itself or resolves over children: no connection involved.
bool is_virtual(const std::string& protocol) {
  return protocol == "synthetic" || protocol == "distribute" || protocol == "power_cap";
}

// A device the gateway may talk to: a connection whose host and port are known.
bool reachable(const Device& d) {
  return d.connection && !d.connection->provisioned_at_commissioning();
}

Json without_nulls(const Json& fields) {
  Json out = Json::object();
  for (const auto& [k, v] : fields.items())
    if (!v.is_null()) out[k] = v;
  return out;
}

// code -> label, for the gateway to map raw enum codes (or labels back to codes for writes)
// when the binding carries no value_map of its own.
Json values_map(const Measurement& m) {
  Json map = Json::object();
  for (const auto& v : m.values) map[v.code] = v.label;
  return map;
}

// Binding fields + unit + poll rate (+ value_map for enums): the device-independent part of
// an entry for a measurement read over a real protocol.
Json measurement_base(const Measurement& m) {
  Json e = without_nulls(m.binding->fields);
  e["protocol"] = m.binding->protocol;
  e["unit"] = to_string(m.unit);
  if (m.poll_rate_hz) e["poll_rate_hz"] = *m.poll_rate_hz;
  if (m.type == ValueType::Enum && !e.contains("value_map")) e["value_map"] = values_map(m);
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
  const Json& f = m.binding->fields;
  Json e = Json::object();
  e["protocol"] = "synthetic";
  const std::string operation = f.value("operation", "");
  e["operation"] = operation;
  e["unit"] = to_string(m.unit);
  if (m.poll_rate_hz) e["poll_rate_hz"] = *m.poll_rate_hz;

  const auto inputs = f.find("inputs");
  if (inputs != f.end() && inputs->is_array()) {
    Json resolved = Json::array();
    std::string topic;
    for (const auto& in : *inputs) {
      if (!in.is_string()) throw ContractError(path + "/binding/inputs", "inputs must be strings");
      if (!resolve_input(index, d, in.get_ref<const std::string&>(), path + "/binding/inputs",
                         topic))
        return nullptr;
      resolved.push_back(topic);
    }
    e["inputs"] = std::move(resolved);
    return e;
  }

  const auto source = f.find("source_measurement");
  if (source == f.end() || !source->is_string())
    throw ContractError(path + "/binding", "synthetic binding needs inputs or source_measurement");
  const std::string& src = source->get_ref<const std::string&>();
  const auto child_template = f.find("child_template");
  const bool filtered = child_template != f.end() && child_template->is_string();
  const bool weighted = operation == "weighted_mean";
  Json list = Json::array();
  for (const Device* child : index.children_of(d.device_id)) {
    if (filtered && child->template_slug != child_template->get_ref<const std::string&>()) continue;
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

Json connection_fields(const Connection& c) {
  Json f{{"host", c.host}, {"port", *c.port}};
  if (c.unit_id) f["unit_id"] = *c.unit_id;
  return f;
}

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
  if (target->type == ValueType::Enum && !e.contains("value_map"))
    e["value_map"] = values_map(*target);
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
  Json e = without_nulls(c.binding->fields);
  e["protocol"] = "distribute";
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
  const Json& f = c.binding->fields;
  Json e = without_nulls(f);
  e.erase("child_template");
  e.erase("child_commands");
  e["protocol"] = "power_cap";
  add_command_fields(e, c);
  const std::string child_template = f.value("child_template", "");
  const Json commands = f.value("child_commands", Json::array());
  Json children = Json::array();
  for (const Device* child : index.children_of(d.device_id)) {
    if (child->template_slug != child_template) continue;
    const Template* ct = index.template_of(*child);
    if (!ct) continue;  // a dangling template is reported by parse_dtm, not here
    for (const auto& name : commands) {
      const std::string& cname = name.get_ref<const std::string&>();
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

}  // namespace

namespace {

TemplateEntry prepared(Json json) {
  TemplateEntry e;
  e.members = members_of(json);
  e.json = std::move(json);
  return e;
}

// Device-independent part of a real-protocol command entry.
Json command_base(const Template& t, const Command& c) {
  Json e = without_nulls(c.binding->fields);
  e["protocol"] = c.binding->protocol;
  add_command_fields(e, c);
  auto target = t.measurements.find(c.target);
  add_target_limits(e, target == t.measurements.end() ? nullptr : &target->second);
  return e;
}

bool by_name(const SourceEntry& a, const SourceEntry& b) {
  return *a.name < *b.name;
}

}  // namespace

SourceEntries::SourceEntries(const DtmIndex& index) : index_(index) {
  for (const auto& [slug, t] : index.dtm().templates_used) {
    Prepared& p = prepared_[&t];
    p.measurements.reserve(t.measurements.size());
    for (const auto& [name, m] : t.measurements) {
      const bool real = m.binding && !is_virtual(m.binding->protocol);
      p.measurements.push_back(real ? prepared(measurement_base(m)) : TemplateEntry{});
    }
    p.commands.reserve(t.commands.size());
    for (const auto& [name, c] : t.commands) {
      const bool real = c.binding && !is_virtual(c.binding->protocol);
      p.commands.push_back(real ? prepared(command_base(t, c)) : TemplateEntry{});
    }
    for (const auto* slots : {&p.measurements, &p.commands}) {
      for (const TemplateEntry& e : *slots) {
        if (e.json.is_null()) continue;
        ++p.real_slots;
        p.text_bytes += 48;  // the entry's name, quotes, braces and commas
        for (const JsonMember& m : e.members) p.text_bytes += m.text.size() + 1;
      }
    }
  }
}

std::size_t SourceEntries::shared_text_bytes(const Device& d) const {
  const Template* t = index_.template_of(d);
  if (!t || !reachable(d)) return 0;
  const Prepared& p = prepared_.at(t);
  // "host":"...","port":12345,"unit_id":"..."
  const std::size_t connection = 32 + d.connection->host.size() +
                                 (d.connection->unit_id ? 12 + d.connection->unit_id->size() : 0);
  return p.text_bytes + p.real_slots * connection;
}

void SourceEntries::protocol(const Device& d, std::vector<SourceEntry>& out) const {
  out.clear();
  const Template* t = index_.template_of(d);
  if (!t) return;
  const Prepared& p = prepared_.at(t);
  const bool can_read = reachable(d);
  auto overridden = [&d](const std::string& name) {
    return d.extra_measurements && d.extra_measurements->count(name) != 0;
  };
  std::size_t slot = 0;
  for (const auto& [name, m] : t->measurements) {
    const TemplateEntry& shared = p.measurements[slot++];
    if (!m.binding || overridden(name)) continue;
    if (m.binding->protocol == "synthetic") {
      Json e = synthetic_entry(index_, d, name, m,
                               pointer({"templates_used", d.template_slug, "measurements", name}));
      if (!e.is_null()) out.push_back({&name, nullptr, std::move(e)});
    } else if (can_read && !shared.json.is_null()) {
      out.push_back({&name, &shared, Json()});
    }
  }
  if (!d.extra_measurements) return;
  for (const auto& [name, m] : *d.extra_measurements) {
    if (!m.binding) continue;
    if (m.binding->protocol == "synthetic") {
      Json e = synthetic_entry(index_, d, name, m,
                               pointer({"devices", d.device_id, "extra_measurements", name}));
      if (!e.is_null()) out.push_back({&name, nullptr, std::move(e)});
    } else if (can_read && !is_virtual(m.binding->protocol)) {
      Json e = measurement_base(m);
      e.update(connection_fields(*d.connection));
      out.push_back({&name, nullptr, std::move(e)});
    }
  }
  // Template entries and extra measurements each come in key order, but not together.
  std::stable_sort(out.begin(), out.end(), by_name);
}

void SourceEntries::command(const Device& d, std::vector<SourceEntry>& out) const {
  out.clear();
  const Template* t = index_.template_of(d);
  if (!t) return;
  const Prepared& p = prepared_.at(t);
  const bool can_write = reachable(d);
  std::size_t slot = 0;
  for (const auto& [name, c] : t->commands) {
    const TemplateEntry& shared = p.commands[slot++];
    if (!c.binding) continue;
    const std::string& protocol = c.binding->protocol;
    if (protocol == "distribute" || protocol == "power_cap") {
      const std::string path = pointer({"templates_used", d.template_slug, "commands", name});
      out.push_back({&name, nullptr,
                     protocol == "distribute" ? distribute_entry(index_, d, c, path)
                                              : power_cap_entry(index_, d, c, path)});
    } else if (can_write && !shared.json.is_null()) {
      out.push_back({&name, &shared, Json()});
    }
  }
}

namespace {

// {name: entry} of one device, the connection merged into template parts.
Json entries_json(const Device& d, std::vector<SourceEntry>& entries) {
  Json out = Json::object();
  if (entries.empty()) return out;
  const Json connection = d.connection ? connection_fields(*d.connection) : Json::object();
  for (SourceEntry& e : entries) {
    if (e.shared) {
      Json merged = e.shared->json;
      merged.update(connection);
      out[*e.name] = std::move(merged);
    } else {
      out[*e.name] = std::move(e.own);
    }
  }
  return out;
}

}  // namespace

Json protocol_sources(const SourceEntries& sources) {
  Json out = Json::object();
  std::vector<SourceEntry> entries;
  for (const auto& [id, d] : sources.index().dtm().devices) {
    sources.protocol(d, entries);
    if (!entries.empty()) out[id] = entries_json(d, entries);
  }
  return out;
}

Json command_sources(const SourceEntries& sources) {
  Json out = Json::object();
  std::vector<SourceEntry> entries;
  for (const auto& [id, d] : sources.index().dtm().devices) {
    sources.command(d, entries);
    if (!entries.empty()) out[id] = entries_json(d, entries);
  }
  return out;
}

}  // namespace ems::contract::detail
