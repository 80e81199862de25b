// AsyncAPI 3.0.0 document: header, channels, operations and schemas (CONTRACT.md sections 2-4
// and 6). The x-* extensions are built in sources_writer.cpp and labels.cpp.
#include "ems/contract/asyncapi.hpp"

#include <map>
#include <set>

#include "asyncapi/index.hpp"
#include "asyncapi/text.hpp"
#include "ems/contract/sources.hpp"
#include "ems/contract/view.hpp"

namespace ems::contract {
namespace {

using detail::pointer;

Json ref(std::string_view section, std::string_view name) {
  return Json{{"$ref", "#/components/" + std::string(section) + "/" + std::string(name)}};
}

// ---- schemas ----

Json value_schema(const Measurement& m) {
  switch (m.type) {
    case ValueType::Float: {
      Json s{{"type", "number"}};
      if (m.bounds) {
        s["minimum"] = m.bounds->min;
        s["maximum"] = m.bounds->max;
      }
      return s;
    }
    case ValueType::Bool:
      return Json{{"type", "boolean"}};
    case ValueType::Enum: {
      Json s{{"type", "string"}};
      if (!m.values.empty()) {
        Json labels = Json::array();
        for (const auto& v : m.values) labels.push_back(v.label);
        s["enum"] = std::move(labels);
      }
      return s;
    }
  }
  return Json::object();
}

// {ts, value} (measurements) or {ts, command_id, value} (commands); value omitted for triggers.
Json object_schema(const Json* value, bool command) {
  Json required = Json::array({"ts"});
  Json props{{"ts", ref("schemas", "Timestamp")}};
  if (command) {
    required.push_back("command_id");
    props["command_id"] = ref("schemas", "CommandId");
  }
  if (value) {
    required.push_back("value");
    props["value"] = *value;
  }
  return Json{{"type", "object"},
              {"required", std::move(required)},
              {"properties", std::move(props)},
              {"additionalProperties", false}};
}

Json base_schemas() {
  Json s = Json::object();
  s["Timestamp"] = {{"type", "string"},
                    {"format", "date-time"},
                    {"pattern", R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"},
                    {"description", "RFC 3339 UTC, millisecond precision, Z suffix"},
                    {"examples", {"2026-11-26T07:05:11.123Z"}}};
  s["CommandId"] = {{"type", "string"}, {"format", "uuid"}};
  const Json number{{"type", "number"}}, boolean{{"type", "boolean"}}, string{{"type", "string"}};
  s["FloatSample"] = object_schema(&number, false);
  s["BooleanSample"] = object_schema(&boolean, false);
  s["EnumSample"] = object_schema(&string, false);
  s["TriggerSample"] = object_schema(nullptr, false);
  s["FloatCommand"] = object_schema(&number, true);
  s["BooleanCommand"] = object_schema(&boolean, true);
  s["EnumCommand"] = object_schema(&string, true);
  s["TriggerCommand"] = object_schema(nullptr, true);
  Json ack = object_schema(nullptr, true);
  ack["required"].push_back("state");
  ack["properties"]["state"] = {
      {"type", "string"},
      {"enum", {"received", "accepted", "done", "failed", "rejected", "timeout"}}};
  ack["properties"]["reason"] = string;
  s["Ack"] = std::move(ack);
  Json topo = object_schema(nullptr, false);
  topo["required"].push_back("version");
  topo["properties"]["version"] = {{"type", "string"}, {"pattern", R"(^\d+\.\d+\.\d+$)"}};
  s["TopologyChanged"] = std::move(topo);
  const Json status{{"type", "string"}, {"enum", {"ONLINE", "OFFLINE"}}};
  s["ServiceStatus"] = object_schema(&status, false);
  return s;
}

// The channel families whose messages a DTM extends, with their generic sample message.
enum Family { kMeasFloat, kMeasBool, kMeasEnum, kCmdFloat, kCmdBool, kCmdEnum, kCmdTrigger, kN };
constexpr std::array<std::string_view, kN> kChannelKey = {
    "measurementFloat", "measurementBool", "measurementEnum", "commandFloat",
    "commandBool",      "commandEnum",     "commandTrigger"};
constexpr std::array<std::string_view, kN> kSampleMessage = {
    "FloatSample",    "BooleanSample", "EnumSample",    "FloatCommand",
    "BooleanCommand", "EnumCommand",   "TriggerCommand"};

Family measurement_family(ValueType t) {
  return t == ValueType::Float ? kMeasFloat : t == ValueType::Bool ? kMeasBool : kMeasEnum;
}
Family command_family(PayloadType p) {
  switch (p) {
    case PayloadType::Float:
      return kCmdFloat;
    case PayloadType::Bool:
      return kCmdBool;
    case PayloadType::Enum:
      return kCmdEnum;
    case PayloadType::Trigger:
      return kCmdTrigger;
  }
  return kCmdFloat;
}

// Collects the concrete schemas/messages and which channel lists them, plus the parameter
// examples (names per family), while refusing two DTM items that would share a schema name.
class ConcreteSchemas {
 public:
  void add(Family f, std::string name, const std::string& path, Json schema, std::string title) {
    if (!names_.insert(name).second)
      throw ContractError(path, "concrete schema name '" + name + "' collides with another");
    Json msg{{"name", name}, {"title", std::move(title)}, {"payload", ref("schemas", name)}};
    schemas_[name] = std::move(schema);
    messages_[name] = std::move(msg);
    per_channel_[f].push_back(std::move(name));
  }
  bool taken(const std::string& name) const { return names_.count(name) != 0; }
  void example(Family f, const std::string& name) { examples_[f].insert(name); }

  Json schemas_ = Json::object(), messages_ = Json::object();
  std::array<std::vector<std::string>, kN> per_channel_;
  std::array<std::set<std::string>, kN> examples_;

 private:
  std::set<std::string> names_;
};

// Value schema of a command: inherits the target measurement's (bounds, labels) when the types
// agree; power_cap targets a child's measurement, so only the payload type is known.
Json command_value_schema(const Template& t, const std::string& cname, const Command& c) {
  const bool power_cap = c.binding && c.binding->protocol == Protocol::power_cap;
  const std::string path = pointer({"templates_used", t.slug, "commands", cname, "target"});
  if (c.payload == PayloadType::Trigger) return nullptr;
  auto bare = [&]() -> Json {
    switch (c.payload) {
      case PayloadType::Float:
        return Json{{"type", "number"}};
      case PayloadType::Bool:
        return Json{{"type", "boolean"}};
      default:
        return Json{{"type", "string"}};
    }
  };
  if (power_cap) return bare();
  auto it = t.measurements.find(c.target);
  if (it == t.measurements.end())
    throw ContractError(path, "command target '" + c.target +
                                  "' is not a measurement of template '" + t.slug + "'");
  const Measurement& m = it->second;
  const bool same = (c.payload == PayloadType::Float && m.type == ValueType::Float) ||
                    (c.payload == PayloadType::Bool && m.type == ValueType::Bool) ||
                    (c.payload == PayloadType::Enum && m.type == ValueType::Enum);
  if (same) return value_schema(m);
  // A bool start/stop/enable/disable may act on any state; float and enum setpoints must match.
  if (c.payload == PayloadType::Bool) return bare();
  throw ContractError(path, "command payload '" + std::string(to_string(c.payload)) +
                                "' does not match target '" + c.target + "' of type '" +
                                std::string(to_string(m.type)) + "'");
}

ConcreteSchemas concrete_schemas(const Dtm& dtm) {
  ConcreteSchemas out;
  for (const auto& [slug, t] : dtm.templates_used) {
    const std::string tp = pascal_case(slug);
    for (const auto& [name, m] : t.measurements) {
      const Family f = measurement_family(m.type);
      const Json value = value_schema(m);
      out.add(f, tp + "_" + pascal_case(name),
              pointer({"templates_used", slug, "measurements", name}), object_schema(&value, false),
              slug + "." + name);
      out.example(f, name);
    }
    for (const auto& [name, c] : t.commands) {
      const Family f = command_family(c.payload);
      const Json value = command_value_schema(t, name, c);
      std::string schema = tp + "_" + pascal_case(name);
      // A command may share its name with a measurement of the same template.
      if (out.taken(schema)) schema += "Command";
      out.add(f, std::move(schema), pointer({"templates_used", slug, "commands", name}),
              object_schema(value.is_null() ? nullptr : &value, true), slug + "." + name);
      out.example(f, c.target);
    }
  }
  // comm_status of every polled device; "CommStatus" has no '_', so it cannot collide with a
  // template schema.
  if (detail::any_polled(dtm)) {
    const Json value{{"type", "string"}, {"enum", detail::comm_status_labels()}};
    out.add(kMeasEnum, "CommStatus", "", object_schema(&value, false), std::string(kCommStatus));
    out.example(kMeasEnum, std::string(kCommStatus));
  }
  // Extra measurements are per device: they get a schema of their own, named so that it can
  // never equal a template schema (which has exactly one '_').
  for (const auto& [id, d] : dtm.devices) {
    if (!d.extra_measurements) continue;
    for (const auto& [name, m] : *d.extra_measurements) {
      const Family f = measurement_family(m.type);
      const Json value = value_schema(m);
      out.add(f, pascal_case(id) + "_Extra_" + pascal_case(name),
              pointer({"devices", id, "extra_measurements", name}), object_schema(&value, false),
              "devices." + id + "." + name);
      out.example(f, name);
    }
  }
  return out;
}

// ---- channels ----

Json names_enum(auto names) {
  Json a = Json::array();
  for (auto n : names) a.push_back(std::string(n));
  return a;
}

// site_id, device_id and unit are shared by most channels: declared once in
// components/parameters (the device list would otherwise repeat on every channel).
Json shared_parameters(const std::string& site_id, const Json& device_examples) {
  Json p = Json::object();
  p["site_id"] = {{"description", "Site slug (snake_case)"}, {"examples", {site_id}}};
  p["device_id"] = {{"description", "Device slug (the leaf id; hierarchy lives in the DTM)"}};
  if (!device_examples.empty()) p["device_id"]["examples"] = device_examples;
  p["unit"] = {{"description", "Unit slug (CONTRACT.md section 2); `none` for unitless values"},
               {"enum", names_enum(kUnitNames)}};
  return p;
}

Json site_parameters() {
  return {{"site_id", ref("parameters", "site_id")}, {"device_id", ref("parameters", "device_id")}};
}

Json unit_parameter() {
  return ref("parameters", "unit");
}

Json examples_of(const std::set<std::string>& names) {
  Json a = Json::array();
  for (const auto& n : names) a.push_back(n);
  return a;
}

Json channel_messages(std::string_view sample, const std::vector<std::string>& concrete) {
  Json m = Json::object();
  m[std::string(sample)] = ref("messages", sample);
  for (const auto& name : concrete) m[name] = ref("messages", name);
  return m;
}

Json channels(const ConcreteSchemas& cs) {
  Json ch = Json::object();
  static constexpr std::string_view kMeasurementAddress =
      "sites/{site_id}/devices/{device_id}/measurements/{measurement}/{unit}";
  static constexpr std::string_view kCommandAddress =
      "sites/{site_id}/devices/{device_id}/commands/{verb}/{target}/{unit}";
  const std::array<std::string_view, 3> type_names = {"Float", "Boolean", "Enum"};
  for (int f = kMeasFloat; f <= kMeasEnum; ++f) {
    Json params = site_parameters();
    params["measurement"] = {{"description", std::string(type_names[f]) + "-typed measurement"}};
    if (!cs.examples_[f].empty()) params["measurement"]["examples"] = examples_of(cs.examples_[f]);
    params["unit"] = unit_parameter();
    ch[std::string(kChannelKey[f])] = {
        {"address", kMeasurementAddress},
        {"title", std::string(type_names[f]) + " measurements"},
        {"description", "Everything a device emits whose value is of this type (QoS 0, retained)."},
        {"parameters", std::move(params)},
        {"messages", channel_messages(kSampleMessage[f], cs.per_channel_[f])}};
  }
  const std::array<std::vector<std::string_view>, 4> verbs = {
      std::vector<std::string_view>{"set"},
      std::vector<std::string_view>{"set", "start", "stop", "enable", "disable"},
      std::vector<std::string_view>{"set"}, std::vector<std::string_view>{"reset", "clear"}};
  const std::array<std::string_view, 4> cmd_names = {"Float", "Boolean", "Enum", "Trigger"};
  for (int f = kCmdFloat; f <= kCmdTrigger; ++f) {
    const int k = f - kCmdFloat;
    Json params = site_parameters();
    params["verb"] = {{"description", "Command verb"}, {"enum", names_enum(verbs[k])}};
    params["target"] = {{"description", "Measurement the command acts on"}};
    if (!cs.examples_[f].empty()) params["target"]["examples"] = examples_of(cs.examples_[f]);
    params["unit"] = unit_parameter();
    ch[std::string(kChannelKey[f])] = {
        {"address", kCommandAddress},
        {"title", std::string(cmd_names[k]) + " commands"},
        {"description",
         "Commands whose payload is of this type; every command carries a command_id and is "
         "answered on the acks channel (QoS 1, never retained)."},
        {"parameters", std::move(params)},
        {"messages", channel_messages(kSampleMessage[f], cs.per_channel_[f])}};
  }
  Json ack_params = site_parameters();
  ack_params["verb"] = {{"description", "Verb of the acknowledged command"},
                        {"enum", names_enum(kVerbNames)}};
  ack_params["target"] = {{"description", "Target of the acknowledged command"}};
  ack_params["unit"] = unit_parameter();
  ch["ack"] = {{"address", "sites/{site_id}/devices/{device_id}/acks/{verb}/{target}/{unit}"},
               {"title", "Command acknowledgements"},
               {"description",
                "The life of one command: received, accepted, done, or rejected/failed/timeout "
                "with a reason (QoS 1, not retained)."},
               {"parameters", std::move(ack_params)},
               {"messages", {{"Ack", ref("messages", "Ack")}}}};
  ch["topologyChanged"] = {
      {"address", "system/topology_changed"},
      {"title", "Topology changed"},
      {"description", "Published once per new topology version; consumers re-fetch /asyncapi."},
      {"messages", {{"TopologyChanged", ref("messages", "TopologyChanged")}}}};
  ch["serviceStatus"] = {
      {"address", "services/{service_id}/status"},
      {"title", "Service status"},
      {"description", "ONLINE on connect, OFFLINE as the MQTT last will (QoS 1, retained)."},
      {"parameters", {{"service_id", {{"description", "Service slug"}}}}},
      {"messages", {{"ServiceStatus", ref("messages", "ServiceStatus")}}}};
  return ch;
}

Json mqtt_binding(int qos, bool retain) {
  return {{"mqtt", {{"qos", qos}, {"retain", retain}, {"bindingVersion", "0.2.0"}}}};
}

Json operation(std::string_view action, std::string_view channel, std::string summary, int qos,
               bool retain) {
  return {{"action", action},
          {"channel", {{"$ref", "#/channels/" + std::string(channel)}}},
          {"summary", std::move(summary)},
          {"bindings", mqtt_binding(qos, retain)}};
}

// QoS and retain per family: CONTRACT.md section 4 (the same table as delivery_for()).
Json operations() {
  Json ops = Json::object();
  const std::array<std::string_view, 3> m = {"Float", "Bool", "Enum"};
  for (int f = kMeasFloat; f <= kMeasEnum; ++f)
    ops["sendMeasurement" + std::string(m[f])] =
        operation("send", kChannelKey[f], "The device publishes a measurement", 0, true);
  const std::array<std::string_view, 4> c = {"Float", "Bool", "Enum", "Trigger"};
  for (int f = kCmdFloat; f <= kCmdTrigger; ++f)
    ops["receiveCommand" + std::string(c[f - kCmdFloat])] =
        operation("receive", kChannelKey[f], "The device receives a command", 1, false);
  ops["sendAck"] = operation("send", "ack", "The device acknowledges a command", 1, false);
  ops["receiveTopologyChanged"] = operation(
      "receive", "topologyChanged", "The device side learns of a new topology version", 1, false);
  ops["sendServiceStatus"] = operation(
      "send", "serviceStatus", "The service speaking for devices announces its status", 1, true);
  return ops;
}

Json base_messages() {
  Json m = Json::object();
  for (std::string_view name :
       {"FloatSample", "BooleanSample", "EnumSample", "FloatCommand", "BooleanCommand",
        "EnumCommand", "TriggerCommand", "Ack", "TopologyChanged", "ServiceStatus"}) {
    m[std::string(name)] = {{"name", name}, {"payload", ref("schemas", name)}};
  }
  return m;
}

}  // namespace

std::string pascal_case(const std::string& slug) {
  std::string out;
  out.reserve(slug.size());
  bool upper = true;
  for (char c : slug) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

namespace {

// Everything but the per-device sections (x-protocol-source, x-command-source, x-display-name,
// x-alarms), which the Json and the text form build each in their own way.
Json document_skeleton(const Dtm& dtm, const AsyncApiOptions& options, const std::string& site_id) {
  ConcreteSchemas cs = concrete_schemas(dtm);
  Json device_examples = Json::array();
  for (const auto& [id, d] : dtm.devices) device_examples.push_back(id);

  Json doc = Json::object();
  doc["asyncapi"] = "3.0.0";
  doc["info"] = {
      {"title", "EMS " + site_label(dtm, site_id)},
      {"version", options.version},
      {"description", "MQTT contract of site " + site_id + " (deployment " + dtm.deployment_uuid +
                          "), generated from its DTM and written from the device's "
                          "side: send = the device publishes, receive = it "
                          "subscribes."}};
  doc["defaultContentType"] = "application/json";
  doc["servers"] = {
      {"broker",
       {{"host", "{host}:{port}"},
        {"protocol", "mqtt"},
        {"description", "The site's MQTT broker; host and port come from the service config."},
        {"variables",
         {{"host", {{"default", "localhost"}, {"description", "Broker host"}}},
          {"port", {{"default", "1883"}, {"description", "Broker port"}}}}}}}};
  doc["channels"] = channels(cs);
  doc["operations"] = operations();
  Json schemas = base_schemas();
  for (auto& [k, v] : cs.schemas_.items()) schemas[k] = std::move(v);
  Json messages = base_messages();
  for (auto& [k, v] : cs.messages_.items()) messages[k] = std::move(v);
  doc["components"] = {{"schemas", std::move(schemas)},
                       {"messages", std::move(messages)},
                       {"parameters", shared_parameters(site_id, device_examples)}};
  doc["x-site-id"] = site_id;
  doc["x-enum-values"] = detail::enum_values(dtm);
  return doc;
}

}  // namespace

// The sections are built in document key order in both forms, so that a DTM with several
// problems reports the same one first.
Json generate_asyncapi(const Dtm& dtm, const AsyncApiOptions& options) {
  const std::string site_id = resolve_site_id(dtm, options.default_site_id);
  const detail::DtmIndex index(dtm, site_id);
  Json doc = document_skeleton(dtm, options, site_id);
  const detail::SourceEntries sources(index);
  Json alarms = detail::alarms_by_device(dtm);
  if (!alarms.empty()) doc["x-alarms"] = std::move(alarms);
  doc["x-command-source"] = detail::command_sources(sources);
  doc["x-display-name"] = detail::display_names(dtm);
  doc["x-protocol-source"] = detail::protocol_sources(sources);
  return doc;
}

std::string generate_asyncapi_text(const Dtm& dtm, const AsyncApiOptions& options) {
  const std::string site_id = resolve_site_id(dtm, options.default_site_id);
  const detail::DtmIndex index(dtm, site_id);
  const Json skeleton = document_skeleton(dtm, options, site_id);
  const detail::SourceEntries sources(index);
  auto always = [](auto write) {
    return [write](std::string& o) {
      write(o);
      return true;
    };
  };
  // Per device: connections, display names and its own entries, a few KB at most.
  std::string out;
  out.reserve(256 * 1024 + dtm.devices.size() * 3072);
  detail::write_document(
      out, skeleton,
      {{"x-alarms", [&dtm](std::string& o) { return detail::write_alarms(o, dtm); }},
       {"x-command-source",
        always([&sources](std::string& o) { detail::write_command_sources(o, sources); })},
       {"x-display-name", always([&dtm](std::string& o) { detail::write_display_names(o, dtm); })},
       {"x-protocol-source",
        always([&sources](std::string& o) { detail::write_protocol_sources(o, sources); })}});
  return out;
}

}  // namespace ems::contract
