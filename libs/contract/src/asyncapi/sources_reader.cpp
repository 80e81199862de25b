// Device connections with their protocol defaults, and the typed read side of
// x-protocol-source / x-command-source (see ems/contract/sources.hpp for the shape).
#include "ems/contract/sources.hpp"

#include <charconv>

#include "dtm/internal.hpp"

namespace ems::contract {
namespace {

std::optional<long> integer_of(const std::string& s) {
  long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// DNP3 link addresses 0xFFF0..0xFFFF are reserved (broadcast and special).
constexpr long kDnp3MaxAddress = 0xFFEF;

}  // namespace

DeviceConnection device_connection(const Connection& c, Protocol protocol,
                                   const std::string& path) {
  if (c.provisioned_at_commissioning() || !c.port)
    throw ContractError(path, "the connection is provisioned at commissioning: no host/port yet");
  if (!is_device_protocol(protocol))
    throw ContractError(
        path, "'" + std::string(to_string(protocol)) + "' is not read over a device connection");
  DeviceConnection d;
  d.protocol = protocol;
  d.host = c.host;
  d.port = std::uint16_t(*c.port);
  d.credentials = c.credentials;
  const std::string unit = c.unit_id.value_or("");
  switch (protocol) {
    case Protocol::modbus_tcp:
      if (!unit.empty()) {
        const auto v = integer_of(unit);
        if (!v || *v < 0 || *v > 255)
          throw ContractError(path + "/unit_id",
                              "a Modbus unit_id must be 0..255, got '" + unit + "'");
        d.unit_id = std::uint8_t(*v);
      }
      break;
    case Protocol::dnp3_tcp:
      if (!unit.empty()) {
        const auto v = integer_of(unit);
        if (!v || *v < 0 || *v > kDnp3MaxAddress)
          throw ContractError(path + "/unit_id",
                              "a DNP3 outstation address must be 0..65519, got '" + unit + "'");
        d.outstation_address = std::uint16_t(*v);
      }
      break;
    case Protocol::redfish:
      if (d.port == 443) d.scheme = "https";
      break;
    case Protocol::can:
      if (!unit.empty()) d.channel = unit;
      break;
    default:
      break;
  }
  return d;
}

Json to_json(const DeviceConnection& c) {
  Json j{{"host", c.host}, {"port", c.port}};
  if (c.credentials) j["credentials"] = *c.credentials;
  switch (c.protocol) {
    case Protocol::modbus_tcp:
      j["unit_id"] = c.unit_id;
      break;
    case Protocol::dnp3_tcp:
      j["outstation_address"] = c.outstation_address;
      j["master_address"] = c.master_address;
      break;
    case Protocol::snmp:
      if (!c.credentials) {
        j["version"] = c.snmp_version;
        j["read_community"] = c.read_community;
        j["write_community"] = c.write_community;
      }
      break;
    case Protocol::redfish:
      j["scheme"] = c.scheme;
      j["root"] = c.root;
      break;
    case Protocol::can:
      j["channel"] = c.channel;
      break;
    default:
      break;
  }
  return j;
}

DeviceConnection parse_device_connection(const Json& j, Protocol protocol,
                                         const std::string& path) {
  detail::Issues issues;
  DeviceConnection c;
  c.protocol = protocol;
  {
    detail::FieldReader r(j, path, issues);
    if (r.ok()) {
      if (auto h = r.string("host", true)) c.host = *h;
      if (auto p = r.integer_in("port", 0, 65535, true)) c.port = std::uint16_t(*p);
      c.credentials = r.string("credentials", false);
      switch (protocol) {
        case Protocol::modbus_tcp:
          if (auto u = r.integer_in("unit_id", 0, 255, true)) c.unit_id = std::uint8_t(*u);
          break;
        case Protocol::dnp3_tcp:
          if (auto a = r.integer_in("outstation_address", 0, kDnp3MaxAddress, true))
            c.outstation_address = std::uint16_t(*a);
          if (auto a = r.integer_in("master_address", 0, kDnp3MaxAddress, true))
            c.master_address = std::uint16_t(*a);
          break;
        case Protocol::snmp: {
          const bool own = !c.credentials.has_value();
          if (auto v = r.one_of("version", {"v2c"}, own)) c.snmp_version = *v;
          if (auto s = r.string("read_community", own)) c.read_community = *s;
          if (auto s = r.string("write_community", own)) c.write_community = *s;
          break;
        }
        case Protocol::redfish:
          if (auto s = r.one_of("scheme", {"http", "https"}, true)) c.scheme = *s;
          if (auto s = r.string("root", true)) c.root = *s;
          break;
        case Protocol::can:
          if (auto s = r.string("channel", true)) c.channel = *s;
          break;
        default:
          issues.add(path, "'" + std::string(to_string(protocol)) +
                               "' is not read over a device connection");
      }
    }
  }
  issues.throw_if_any();
  return c;
}

namespace {

using detail::FieldReader;
using detail::Issues;

std::string ptr(const std::string& base, const std::string& key) {
  return json_pointer_append(base, key);
}

const Json& member(const Json& obj, const char* key, const std::string& path) {
  static const Json empty = Json::object();
  auto it = obj.find(key);
  if (it == obj.end()) return empty;
  if (!it->is_object()) throw ContractError(ptr(path, key), "expected an object");
  return *it;
}

Unit unit_of(const Json& e, const std::string& path) {
  const auto u = parse_unit(e.value("unit", ""));
  if (!u) throw ContractError(ptr(path, "unit"), "missing or unknown unit");
  return *u;
}

double poll_rate_of(const Json& e, const std::string& path) {
  auto it = e.find("poll_rate_hz");
  if (it == e.end() || !it->is_number() || !(it->get<double>() > 0))
    throw ContractError(ptr(path, "poll_rate_hz"), "expected a number > 0");
  return it->get<double>();
}

SourcePoint source_point(const std::string& name, const Json& e, const std::string& path) {
  SourcePoint p;
  p.name = name;
  p.binding = parse_binding(e, path, {"unit", "value_type", "poll_rate_hz"});
  p.unit = unit_of(e, path);
  const auto t = parse_value_type(e.value("value_type", ""));
  if (!t) throw ContractError(ptr(path, "value_type"), "expected float, bool or enum");
  p.value_type = *t;
  p.poll_rate_hz = poll_rate_of(e, path);
  p.codec = EnumCodec::of(&p.binding, {});
  if (p.value_type == ValueType::Enum && p.codec.empty())
    throw ContractError(ptr(path, "value_map"), "an enum entry needs a value_map");
  return p;
}

SyntheticPoint synthetic_point(const std::string& name, const Json& e, const std::string& path) {
  SyntheticPoint p;
  p.name = name;
  Json fields = e;
  // Resolved inputs are topics, and pairs replace inputs for weighted_mean: read them here and
  // let the binding reader check the rest.
  fields.erase("unit");
  fields.erase("value_type");
  fields.erase("poll_rate_hz");
  fields.erase("pairs");
  if (auto pairs = e.find("pairs"); pairs != e.end()) {
    if (!pairs->is_array()) throw ContractError(ptr(path, "pairs"), "expected an array");
    for (std::size_t i = 0; i < pairs->size(); ++i) {
      const Json& pr = (*pairs)[i];
      if (!pr.is_object() || !pr.contains("topic") || !pr["topic"].is_string() ||
          !pr.contains("weight") || !pr["weight"].is_number())
        throw ContractError(ptr(ptr(path, "pairs"), std::to_string(i)), "expected {topic, weight}");
      p.pairs.emplace_back(pr["topic"].get<std::string>(), pr["weight"].get<double>());
    }
    fields["source_measurement"] = "children";
  }
  const Binding b = parse_binding(fields, path);
  const auto* s = b.as<SyntheticBinding>();
  if (!s) throw ContractError(ptr(path, "protocol"), "expected synthetic");
  p.operation = s->operation;
  p.inputs = s->inputs;
  p.unit = unit_of(e, path);
  const auto t = parse_value_type(e.value("value_type", "float"));
  p.value_type = t.value_or(ValueType::Float);
  p.poll_rate_hz = poll_rate_of(e, path);
  return p;
}

// unit, verb, target and payload: what every x-command-source entry says of its command.
template <typename C>
void read_command_fields(const Json& e, const std::string& path, C& c) {
  c.unit = unit_of(e, path);
  const auto verb = parse_verb(e.value("verb", ""));
  if (!verb) throw ContractError(ptr(path, "verb"), "missing or unknown verb");
  c.verb = *verb;
  c.target = e.value("target", "");
  if (!is_slug(c.target)) throw ContractError(ptr(path, "target"), "expected a slug");
  const auto payload = parse_payload_type(e.value("payload", ""));
  if (!payload) throw ContractError(ptr(path, "payload"), "missing or unknown payload");
  c.payload = *payload;
}

CommandPoint command_point(const std::string& name, const Json& e, const std::string& path) {
  CommandPoint c;
  c.name = name;
  c.binding = parse_binding(e, path, {"unit", "verb", "target", "payload", "bounds"});
  read_command_fields(e, path, c);
  if (auto b = e.find("bounds"); b != e.end()) {
    if (!b->is_object() || !b->value("min", Json()).is_number() ||
        !b->value("max", Json()).is_number())
      throw ContractError(ptr(path, "bounds"), "expected {min, max}");
    c.min = (*b)["min"].get<double>();
    c.max = (*b)["max"].get<double>();
  }
  c.codec = EnumCodec::of(&c.binding, {});
  return c;
}

ExecutedCommand executed_command(const std::string& name, const Json& e, const std::string& path) {
  ExecutedCommand c;
  c.name = name;
  const Json& executor = e["executor"];
  if (!executor.is_string() || executor.get<std::string>().empty())
    throw ContractError(ptr(path, "executor"), "expected a service name");
  c.executor = executor.get<std::string>();
  read_command_fields(e, path, c);
  return c;
}

// Reads one section into `out`: template entries first (by slug), then each device's.
template <typename Add>
void read_section(const Json& doc, const char* section, const char* own_key, Add add,
                  std::map<std::string, DeviceSources>& out) {
  auto it = doc.find(section);
  if (it == doc.end()) return;
  const std::string base = ptr("", section);
  if (!it->is_object()) throw ContractError(base, "expected an object");
  const Json& templates = member(*it, "templates", base);
  const Json& devices = member(*it, "devices", base);
  for (const auto& [id, d] : devices.items()) {
    const std::string dpath = ptr(ptr(base, "devices"), id);
    if (!d.is_object()) throw ContractError(dpath, "expected an object");
    DeviceSources& ds = out[id];
    ds.device_id = id;
    const Json& connections = member(d, "connections", dpath);
    for (const auto& [proto, c] : connections.items()) {
      const std::string cpath = ptr(ptr(dpath, "connections"), proto);
      const auto p = parse_protocol(proto);
      if (!p || !is_device_protocol(*p))
        throw ContractError(cpath, "'" + proto + "' is not a device protocol");
      DeviceConnection conn = parse_device_connection(c, *p, cpath);
      auto [at, fresh] = ds.connections.emplace(*p, conn);
      if (!fresh && !(at->second == conn))
        throw ContractError(cpath, "differs from the device's other " + proto + " connection");
    }
    if (auto t = d.find("template"); t != d.end()) {
      if (!t->is_string()) throw ContractError(ptr(dpath, "template"), "expected a slug");
      const std::string slug = t->template get<std::string>();
      const std::string tpath = ptr(ptr(base, "templates"), slug);
      auto entries = templates.find(slug);
      if (entries == templates.end() || !entries->is_object())
        throw ContractError(ptr(dpath, "template"), "no template entries '" + slug + "'");
      for (const auto& [name, e] : entries->items()) add(ds, name, e, ptr(tpath, name));
    }
    for (const auto& [name, e] : member(d, own_key, dpath).items())
      add(ds, name, e, ptr(ptr(dpath, own_key), name));
  }
}

template <typename T>
void sort_by_name(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.name < b.name; });
}

void need_connection(const DeviceSources& ds, Protocol p, const std::string& path) {
  if (!ds.connections.count(p))
    throw ContractError(
        path, "device '" + ds.device_id + "' has no " + std::string(to_string(p)) + " connection");
}

}  // namespace

std::map<std::string, DeviceSources> read_sources(const Json& asyncapi) {
  std::map<std::string, DeviceSources> out;
  if (!asyncapi.is_object()) throw ContractError("", "expected an AsyncAPI document object");
  read_section(
      asyncapi, "x-protocol-source", "measurements",
      [](DeviceSources& ds, const std::string& name, const Json& e, const std::string& path) {
        if (!e.is_object()) throw ContractError(path, "expected an object");
        if (e.value("protocol", "") == to_string(Protocol::synthetic)) {
          ds.synthetic.push_back(synthetic_point(name, e, path));
          return;
        }
        SourcePoint p = source_point(name, e, path);
        need_connection(ds, p.binding.protocol, path);
        ds.points.push_back(std::move(p));
      },
      out);
  read_section(
      asyncapi, "x-command-source", "commands",
      [](DeviceSources& ds, const std::string& name, const Json& e, const std::string& path) {
        if (!e.is_object()) throw ContractError(path, "expected an object");
        if (e.contains("executor")) {
          ds.executed_elsewhere.push_back(executed_command(name, e, path));
          return;
        }
        const auto p = parse_protocol(e.value("protocol", ""));
        if (p && is_computed(*p)) {
          ds.computed_commands[name] = e;
          return;
        }
        CommandPoint c = command_point(name, e, path);
        need_connection(ds, c.binding.protocol, path);
        ds.commands.push_back(std::move(c));
      },
      out);
  for (auto& [id, ds] : out) {
    sort_by_name(ds.points);
    sort_by_name(ds.synthetic);
    sort_by_name(ds.commands);
    sort_by_name(ds.executed_elsewhere);
  }
  return out;
}

}  // namespace ems::contract
