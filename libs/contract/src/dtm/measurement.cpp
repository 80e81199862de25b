// Measurement: unit, type, bounds/thresholds (float only), enum values, and exactly one source
// (a binding the gateway reads, or a publisher service). CONTRACT.md section 5.
#include <algorithm>
#include <cstdint>

#include "dtm/internal.hpp"

namespace ems::contract::detail {
namespace {

constexpr std::string_view kServices[] = {"gateway",       "line_controller", "analyst",
                                          "local_process", "der_control_api", "fixtures"};

std::optional<Bounds> read_bounds(FieldReader& parent) {
  const Json* j = parent.get("bounds");
  if (j == nullptr) return std::nullopt;
  FieldReader r(*j, parent.path("bounds"), parent.issues());
  auto min = r.number("min", true), max = r.number("max", true),
       nominal = r.number("nominal", true);
  if (!min || !max || !nominal) return std::nullopt;
  if (!(*min < *max)) r.issues().add(r.path("min"), "bounds need min < max");
  if (*nominal < *min || *nominal > *max)
    r.issues().add(r.path("nominal"), "bounds need min <= nominal <= max");
  return Bounds{*min, *max, *nominal};
}

std::optional<Thresholds> read_thresholds(FieldReader& parent) {
  const Json* j = parent.get("thresholds");
  if (j == nullptr) return std::nullopt;
  FieldReader r(*j, parent.path("thresholds"), parent.issues());
  auto wmin = r.number("warn_min", true), wmax = r.number("warn_max", true);
  auto amin = r.number("alarm_min", true), amax = r.number("alarm_max", true);
  if (!wmin || !wmax || !amin || !amax) return std::nullopt;
  if (*amin > *wmin) r.issues().add(r.path("alarm_min"), "thresholds need alarm_min <= warn_min");
  if (*wmin > *wmax) r.issues().add(r.path("warn_min"), "thresholds need warn_min <= warn_max");
  if (*wmax > *amax) r.issues().add(r.path("alarm_max"), "thresholds need warn_max <= alarm_max");
  return Thresholds{*wmin, *wmax, *amin, *amax};
}

std::vector<EnumValue> read_values(FieldReader& r) {
  std::vector<EnumValue> out;
  const Json* j = r.get("values");
  if (j == nullptr) return out;
  if (!j->is_object()) {
    r.issues().add(r.path("values"), "expected an object {code: label}, got " + type_name(*j));
    return out;
  }
  if (j->empty()) r.issues().add(r.path("values"), "an enum needs at least one value");
  for (const auto& [code, label] : j->items()) {
    if (auto s = as_string(label, json_pointer_append(r.path("values"), code), r.issues()))
      out.push_back({code, *s});
  }
  std::sort(out.begin(), out.end(), enum_code_less);
  return out;
}

}  // namespace

void resolve_value_map_codes(Binding& binding, const std::vector<EnumValue>& values,
                             const std::string& binding_path, Issues& issues) {
  auto it = binding.fields.find("value_map");
  if (it == binding.fields.end()) return;
  for (auto& [raw, target] : it->items()) {
    if (!target.is_number_integer()) continue;
    std::string code = std::to_string(target.get<std::int64_t>());
    auto v = std::find_if(values.begin(), values.end(),
                          [&](const EnumValue& e) { return e.code == code; });
    std::string path = json_pointer_append(json_pointer_append(binding_path, "value_map"), raw);
    if (v == values.end()) {
      issues.add(path, "code " + code + " is not one of this measurement's values");
      target = "";
    } else {
      target = v->label;
    }
  }
  binding.value_map = value_map_of(binding.fields);
}

bool is_known_service(std::string_view s) {
  return std::find(std::begin(kServices), std::end(kServices), s) != std::end(kServices);
}

Measurement read_measurement(const Json& j, const std::string& path, Issues& issues) {
  Measurement m;
  FieldReader r(j, path, issues);
  if (!r.ok()) return m;
  if (auto u = r.string("unit", true)) {
    if (auto unit = parse_unit(*u))
      m.unit = *unit;
    else
      issues.add(r.path("unit"), "'" + *u + "' is not a contract unit (volts amps watts ... none)");
  }
  if (auto t = r.one_of("type", {"float", "bool", "enum"}, true)) m.type = *parse_value_type(*t);
  m.poll_rate_hz = r.number("poll_rate_hz", false);
  if (m.poll_rate_hz && *m.poll_rate_hz <= 0)
    issues.add(r.path("poll_rate_hz"), "poll_rate_hz must be > 0");
  m.display_name_default = r.string("display_name_default", false);
  m.iec_61850_ref = r.string("iec_61850_ref", false);
  m.bounds = read_bounds(r);
  m.thresholds = read_thresholds(r);
  if (m.type != ValueType::Float) {
    if (m.bounds) issues.add(r.path("bounds"), "bounds apply to float measurements only");
    if (m.thresholds)
      issues.add(r.path("thresholds"), "thresholds apply to float measurements only");
  }
  m.values = read_values(r);
  if (m.type == ValueType::Enum && !r.has("values"))
    issues.add(r.path("values"), "an enum measurement needs values {code: label}");
  if (m.type != ValueType::Enum && r.has("values"))
    issues.add(r.path("values"), "values apply to enum measurements only");

  if (const Json* b = r.get("binding"))
    m.binding = read_binding(*b, r.path("binding"), BindingUse::measurement, issues);
  if (m.binding) resolve_value_map_codes(*m.binding, m.values, r.path("binding"), issues);
  if (auto p = r.string("publisher", false)) {
    if (is_known_service(*p))
      m.publisher = *p;
    else
      issues.add(r.path("publisher"),
                 "'" + *p + "' is not a known publisher (" + std::string(kServiceList) + ")");
  }
  bool has_binding = r.has("binding"), has_publisher = r.has("publisher");
  bool synthetic = m.binding && m.binding->protocol == Protocol::synthetic;
  if (synthetic) {
    if (m.publisher != "gateway" && !(has_publisher && !m.publisher))
      issues.add(r.path("publisher"), "a synthetic binding requires publisher 'gateway'");
  } else if (has_binding && has_publisher) {
    issues.add(r.path("publisher"), "exactly one of 'binding' or 'publisher' (got both)");
  } else if (!has_binding && !has_publisher) {
    issues.add(r.path("binding"), "exactly one of 'binding' or 'publisher' is required");
  }
  return m;
}

}  // namespace ems::contract::detail

namespace ems::contract {
Measurement parse_measurement(const Json& doc, const std::string& path) {
  detail::Issues issues;
  Measurement m = detail::read_measurement(doc, path, issues);
  issues.throw_if_any();
  return m;
}
}  // namespace ems::contract
