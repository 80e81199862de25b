// Protocol bindings (device-api.md 1.8, CONTRACT.md section 5): one strict field set per
// protocol, defaults materialized so every consumer sees the same normalized object.
// Optional fields without a default are omitted from Binding::fields (never null).
#include <cctype>
#include <cstdint>
#include <span>
#include <string>

#include "dtm/internal.hpp"

namespace ems::contract::detail {
namespace {

using Reader = FieldReader;

void put_number(Reader& r, Json& out, std::string_view key, std::optional<double> dflt) {
  auto v = r.number(key, false);
  if (v)
    out[std::string(key)] = *v;
  else if (dflt)
    out[std::string(key)] = *dflt;
}
// scale multiplies every raw value: 0 would publish 0 whatever the device says (and make
// writes divide by zero).
void put_scale(Reader& r, Json& out) {
  auto v = r.number("scale", false);
  if (v && *v == 0) r.issues().add(r.path("scale"), "scale must not be 0");
  out["scale"] = v.value_or(1.0);
}
void put_one_of(Reader& r, Json& out, std::string_view key,
                std::span<const std::string_view> allowed, const char* dflt, bool required) {
  auto v = r.one_of(key, allowed, required && dflt == nullptr);
  if (v)
    out[std::string(key)] = *v;
  else if (dflt != nullptr && !r.has(key))
    out[std::string(key)] = dflt;
}
void put_one_of(Reader& r, Json& out, std::string_view key,
                std::initializer_list<std::string_view> allowed, const char* dflt, bool required) {
  put_one_of(r, out, key, std::span<const std::string_view>(allowed.begin(), allowed.size()), dflt,
             required);
}
void put_int(Reader& r, Json& out, std::string_view key, std::int64_t lo, std::int64_t hi,
             bool required) {
  if (auto v = r.integer_in(key, lo, hi, required)) out[std::string(key)] = *v;
}

// value_map: {raw-as-string: label}; labels are what get published. Catalog YAML may map a raw
// value to an enum code (an integer) instead; read_measurement resolves codes to labels.
void put_value_map(Reader& r, Json& out) {
  const Json* v = r.get("value_map");
  if (v == nullptr) return;
  if (!v->is_object()) {
    r.issues().add(r.path("value_map"), "expected an object {raw: label}, got " + type_name(*v));
    return;
  }
  Json map = Json::object();
  for (const auto& [raw, label] : v->items()) {
    if (label.is_number_integer()) {
      map[raw] = label;
    } else if (auto s =
                   as_string(label, json_pointer_append(r.path("value_map"), raw), r.issues())) {
      map[raw] = *s;
    }
  }
  out["value_map"] = std::move(map);
}

void modbus(Reader& r, Json& out) {
  if (auto code = r.integer("function_code", true)) {
    switch (*code) {
      case 1:
      case 2:
      case 3:
      case 4:
      case 5:
      case 6:
      case 15:
      case 16:
        out["function_code"] = *code;
        break;
      default:
        r.issues().add(
            r.path("function_code"),
            std::to_string(*code) + " is not a Modbus function code (1|2|3|4|5|6|15|16)");
    }
  }
  put_int(r, out, "address", 0, 65535, true);
  put_one_of(r, out, "data_type", kModbusDataTypeNames, nullptr, false);
  put_one_of(r, out, "word_order", kWordOrderNames, "high_low", false);
  put_scale(r, out);
  put_number(r, out, "offset", 0.0);
  put_int(r, out, "scale_factor_address", 0, 65535, false);
  put_value_map(r, out);
}

void dnp3(Reader& r, Json& out) {
  put_int(r, out, "point_index", 0, 65535, true);
  put_one_of(r, out, "point_type", kDnp3PointTypeNames, nullptr, true);
  put_int(r, out, "variation", 0, 255, false);
  put_scale(r, out);
  put_value_map(r, out);
}

bool is_numeric_oid(const std::string& s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '.';
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
    prev = c;
  }
  return true;
}

void snmp(Reader& r, Json& out) {
  if (auto oid = r.string("oid", true)) {
    if (is_numeric_oid(*oid))
      out["oid"] = *oid;
    else
      r.issues().add(r.path("oid"),
                     "'" + *oid + "' is not a numeric dotted OID (e.g. 1.3.6.1.2.1)");
  }
  put_scale(r, out);
  put_value_map(r, out);
}

void redfish(Reader& r, Json& out) {
  if (auto uri = r.string("uri", true)) {
    if (uri->empty() || uri->front() != '/')
      r.issues().add(r.path("uri"), "redfish uri must start with '/'");
    else
      out["uri"] = *uri;
  }
  if (auto ptr = r.string("json_pointer", false)) {
    if (!ptr->empty() && ptr->front() != '/')
      r.issues().add(r.path("json_pointer"), "a JSON pointer must be empty or start with '/'");
    else
      out["json_pointer"] = *ptr;
  }
  put_scale(r, out);
  put_value_map(r, out);
}

// CAN signals with DBC semantics (our extension).
void can(Reader& r, Json& out) {
  auto id = r.integer_in("can_id", 0, 0x1FFFFFFF, true);
  bool extended = r.boolean("extended", false).value_or(false);
  out["extended"] = extended;
  if (id) {
    if (!extended && *id > 0x7FF)
      r.issues().add(r.path("can_id"),
                     "standard (11-bit) CAN id must be <= 0x7FF; set extended: true");
    else
      out["can_id"] = *id;
  }
  auto start = r.integer_in("start_bit", 0, 63, true);
  auto length = r.integer_in("length", 1, 64, true);
  if (start) out["start_bit"] = *start;
  if (length) out["length"] = *length;
  put_one_of(r, out, "byte_order", kByteOrderNames, "little_endian", false);
  if (start && length && out.value("byte_order", "") == "little_endian" && *start + *length > 64)
    r.issues().add(r.path("length"),
                   "a little_endian signal must fit in 64 bits (start_bit + length)");
  out["signed"] = r.boolean("signed", false).value_or(false);
  put_scale(r, out);
  put_number(r, out, "offset", 0.0);
  put_value_map(r, out);
}

void synthetic(Reader& r, Json& out) {
  r.forbid("formula",
           "legacy field 'formula' is not supported: use 'operation' (sum|mean|max|min|subtract|"
           "weighted_mean|unbalance) with 'inputs' or 'source_measurement'");
  auto op = r.one_of("operation", kSyntheticOperationNames, true);
  if (op) out["operation"] = *op;
  auto inputs = r.strings("inputs", false);
  auto source = r.slug("source_measurement", false);
  bool has_inputs = r.has("inputs");
  bool has_source = r.has("source_measurement");
  if (has_inputs == has_source) {
    r.issues().add(r.path("inputs"), "exactly one of 'inputs' or 'source_measurement' is required");
  } else if (op == "weighted_mean" && !has_source) {
    r.issues().add(r.path("source_measurement"), "weighted_mean requires 'source_measurement'");
  } else if (op == "subtract" && !has_inputs) {
    r.issues().add(r.path("inputs"), "subtract requires 'inputs'");
  }
  if (inputs) {
    if (inputs->empty()) r.issues().add(r.path("inputs"), "inputs must not be empty");
    if (op == "subtract" && inputs->size() < 2)
      r.issues().add(r.path("inputs"), "subtract needs at least two inputs");
    out["inputs"] = *inputs;
  }
  if (source) out["source_measurement"] = *source;
  if (auto child = r.slug("child_template", false)) out["child_template"] = *child;
}

// The three control-law parameters of a fanned-out setpoint.
void control_law(Reader& r, Json& out, bool required) {
  auto ramp = r.number("ramp_rate_per_sec", required);
  auto margin = r.number("hysteresis_margin", required);
  auto dwell = r.number("hysteresis_dwell_secs", required);
  int present = int(r.has("ramp_rate_per_sec")) + int(r.has("hysteresis_margin")) +
                int(r.has("hysteresis_dwell_secs"));
  if (!required && present != 0 && present != 3)
    r.issues().add(
        r.path("ramp_rate_per_sec"),
        "ramp_rate_per_sec, hysteresis_margin and hysteresis_dwell_secs go together: all "
        "three or none");
  if (ramp) {
    if (*ramp <= 0) r.issues().add(r.path("ramp_rate_per_sec"), "must be > 0");
    out["ramp_rate_per_sec"] = *ramp;
  }
  if (margin) {
    if (*margin < 0) r.issues().add(r.path("hysteresis_margin"), "must be >= 0");
    out["hysteresis_margin"] = *margin;
  }
  if (dwell) {
    if (*dwell < 0) r.issues().add(r.path("hysteresis_dwell_secs"), "must be >= 0");
    out["hysteresis_dwell_secs"] = *dwell;
  }
}

void distribute(Reader& r, Json& out) {
  put_one_of(r, out, "allocation_policy", kAllocationPolicyNames, nullptr, true);
  control_law(r, out, false);
}

void power_cap(Reader& r, Json& out) {
  if (auto child = r.slug("child_template", true)) out["child_template"] = *child;
  if (auto cmds = r.strings("child_commands", true)) {
    if (cmds->empty()) r.issues().add(r.path("child_commands"), "must not be empty");
    out["child_commands"] = *cmds;
  }
  control_law(r, out, true);
}

void bacnet_ip(Reader& r, Json& out) {
  put_int(r, out, "device_instance", 0, 4194303, true);
  put_one_of(r, out, "object_type",
             {"analog_input", "analog_output", "analog_value", "binary_input", "binary_output",
              "binary_value"},
             nullptr, true);
  put_int(r, out, "object_instance", 0, 4194303, true);
  put_one_of(r, out, "property_id", {"present_value"}, "present_value", false);
}

bool is_vmac(const std::string& s) {
  if (s.size() != 17) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

void bacnet_sc(Reader& r, Json& out) {
  if (auto url = r.string("hub_url", true)) {
    if (url->rfind("wss://", 0) != 0)
      r.issues().add(r.path("hub_url"), "hub_url must start with wss://");
    else
      out["hub_url"] = *url;
  }
  if (auto vmac = r.string("device_vmac", true)) {
    if (!is_vmac(*vmac))
      r.issues().add(r.path("device_vmac"), "device_vmac must look like 01:23:45:67:89:ab");
    else
      out["device_vmac"] = *vmac;
  }
  put_one_of(r, out, "object_type", {"analog_input"}, nullptr, true);
  put_int(r, out, "object_instance", 0, 4194303, true);
  put_one_of(r, out, "property_id", {"present_value"}, "present_value", false);
}

}  // namespace

std::optional<Binding> read_binding(const Json& j, const std::string& path, BindingUse use,
                                    Issues& issues) {
  Reader r(j, path, issues);
  if (!r.ok()) return std::nullopt;
  auto protocol = r.one_of("protocol", kProtocolNames, true);
  if (!protocol) {
    // Without a protocol the field set is unknown: do not report every field as unknown too.
    for (const auto& [key, value] : j.items()) r.get(key);
    return std::nullopt;
  }
  Json out = Json::object();
  out["protocol"] = *protocol;
  const std::string& p = *protocol;
  const Protocol kind = *parse_protocol(p);
  bool read_only = p == "synthetic";
  bool write_only = p == "distribute" || p == "power_cap";
  if (use == BindingUse::command && read_only)
    issues.add(r.path("protocol"), "'" + p + "' computes a measurement; it cannot bind a command");
  if (use == BindingUse::measurement && write_only)
    issues.add(r.path("protocol"), "'" + p + "' splits a command; it cannot bind a measurement");

  if (p == "modbus_tcp")
    modbus(r, out);
  else if (p == "dnp3_tcp")
    dnp3(r, out);
  else if (p == "snmp")
    snmp(r, out);
  else if (p == "redfish")
    redfish(r, out);
  else if (p == "can")
    can(r, out);
  else if (p == "synthetic")
    synthetic(r, out);
  else if (p == "distribute")
    distribute(r, out);
  else if (p == "power_cap")
    power_cap(r, out);
  else if (p == "bacnet_ip")
    bacnet_ip(r, out);
  else
    bacnet_sc(r, out);
  Binding b;
  b.protocol = kind;
  b.typed = typed_binding(kind, out);
  b.value_map = value_map_of(out);
  b.fields = std::move(out);
  return b;
}

}  // namespace ems::contract::detail
