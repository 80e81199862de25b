// Typed bindings: names of the closed vocabularies, the typed view of a normalized binding,
// the explicit form written into the AsyncAPI document, and the enum codec.
#include "ems/contract/binding.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "dtm/internal.hpp"

namespace ems::contract {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view();
}

double number_or(const Json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
std::string string_or(const Json& j, const char* key, std::string fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}
std::vector<std::string> strings_of(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array())
    for (const auto& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

std::optional<ControlLaw> control_law_of(const Json& f) {
  if (!f.contains("ramp_rate_per_sec")) return std::nullopt;
  return ControlLaw{number_or(f, "ramp_rate_per_sec", 0), number_or(f, "hysteresis_margin", 0),
                    number_or(f, "hysteresis_dwell_secs", 0)};
}

}  // namespace

std::optional<Protocol> parse_protocol(std::string_view s) noexcept {
  return lookup<Protocol>(kProtocolNames, s);
}
std::string_view to_string(Protocol p) noexcept {
  return name_of(kProtocolNames, p);
}
bool is_device_protocol(Protocol p) noexcept {
  switch (p) {
    case Protocol::modbus_tcp:
    case Protocol::dnp3_tcp:
    case Protocol::snmp:
    case Protocol::redfish:
    case Protocol::can:
      return true;
    default:
      return false;
  }
}
bool is_computed(Protocol p) noexcept {
  return p == Protocol::synthetic || p == Protocol::distribute || p == Protocol::power_cap;
}

std::string_view to_string(ModbusDataType t) noexcept {
  return name_of(kModbusDataTypeNames, t);
}
std::string_view to_string(WordOrder w) noexcept {
  return name_of(kWordOrderNames, w);
}
std::string_view to_string(Dnp3PointType t) noexcept {
  return name_of(kDnp3PointTypeNames, t);
}
std::string_view to_string(ByteOrder b) noexcept {
  return name_of(kByteOrderNames, b);
}
std::string_view to_string(SyntheticOperation o) noexcept {
  return name_of(kSyntheticOperationNames, o);
}
std::string_view to_string(AllocationPolicy a) noexcept {
  return name_of(kAllocationPolicyNames, a);
}

bool ModbusBinding::is_bit() const noexcept {
  return function_code == 1 || function_code == 2 || function_code == 5 || function_code == 15;
}

int ModbusBinding::register_count() const noexcept {
  if (is_bit()) return 1;
  switch (data_type) {
    case ModbusDataType::int16:
    case ModbusDataType::uint16:
      return 1;
    case ModbusDataType::int64:
      return 4;
    default:
      return 2;
  }
}

std::string RedfishBinding::resource_path(std::string_view root) const {
  if (uri.compare(0, root.size(), root) == 0 &&
      (uri.size() == root.size() || uri[root.size()] == '/'))
    return uri;
  return std::string(root) + uri;
}

namespace detail {

// The typed view of a binding that read_binding has validated and normalized: every field it
// reads is present with the right type, or absent with the contract's default below.
ProtocolBinding typed_binding(Protocol p, const Json& f) {
  switch (p) {
    case Protocol::modbus_tcp: {
      ModbusBinding b;
      b.function_code = int(number_or(f, "function_code", 3));
      b.address = std::uint16_t(number_or(f, "address", 0));
      b.data_type = lookup<ModbusDataType>(kModbusDataTypeNames, string_or(f, "data_type", "int32"))
                        .value_or(ModbusDataType::int32);
      b.word_order = lookup<WordOrder>(kWordOrderNames, string_or(f, "word_order", "high_low"))
                         .value_or(WordOrder::high_low);
      b.scale = number_or(f, "scale", 1.0);
      b.offset = number_or(f, "offset", 0.0);
      if (auto it = f.find("scale_factor_address"); it != f.end() && it->is_number())
        b.scale_factor_address = it->get<std::uint16_t>();
      return b;
    }
    case Protocol::dnp3_tcp: {
      Dnp3Binding b;
      b.point_index = std::uint16_t(number_or(f, "point_index", 0));
      b.point_type = lookup<Dnp3PointType>(kDnp3PointTypeNames, string_or(f, "point_type", ""))
                         .value_or(Dnp3PointType::analog_input);
      b.variation = std::uint8_t(number_or(f, "variation", 0));
      b.scale = number_or(f, "scale", 1.0);
      return b;
    }
    case Protocol::snmp:
      return SnmpBinding{string_or(f, "oid", ""), number_or(f, "scale", 1.0)};
    case Protocol::redfish:
      return RedfishBinding{string_or(f, "uri", "/"), string_or(f, "json_pointer", ""),
                            number_or(f, "scale", 1.0)};
    case Protocol::can: {
      CanBinding b;
      b.can_id = std::uint32_t(number_or(f, "can_id", 0));
      b.extended = f.value("extended", false);
      b.start_bit = std::uint16_t(number_or(f, "start_bit", 0));
      b.length = std::uint16_t(number_or(f, "length", 1));
      b.byte_order = lookup<ByteOrder>(kByteOrderNames, string_or(f, "byte_order", "little_endian"))
                         .value_or(ByteOrder::little_endian);
      b.is_signed = f.value("signed", false);
      b.scale = number_or(f, "scale", 1.0);
      b.offset = number_or(f, "offset", 0.0);
      return b;
    }
    case Protocol::synthetic: {
      SyntheticBinding b;
      b.operation =
          lookup<SyntheticOperation>(kSyntheticOperationNames, string_or(f, "operation", "sum"))
              .value_or(SyntheticOperation::sum);
      b.inputs = strings_of(f, "inputs");
      if (f.contains("source_measurement"))
        b.source_measurement = string_or(f, "source_measurement", "");
      if (f.contains("child_template")) b.child_template = string_or(f, "child_template", "");
      return b;
    }
    case Protocol::distribute:
      return DistributeBinding{
          lookup<AllocationPolicy>(kAllocationPolicyNames,
                                   string_or(f, "allocation_policy", "equal_split"))
              .value_or(AllocationPolicy::equal_split),
          control_law_of(f)};
    case Protocol::power_cap:
      return PowerCapBinding{string_or(f, "child_template", ""), strings_of(f, "child_commands"),
                             control_law_of(f).value_or(ControlLaw{})};
    case Protocol::bacnet_ip:
    case Protocol::bacnet_sc:
      return BacnetBinding{};
  }
  return BacnetBinding{};
}

// Enum codes order numerically when they are integers ("2" before "10"), else by text after them.
bool enum_code_less(const EnumValue& a, const EnumValue& b) {
  auto num = [](const std::string& s) -> std::optional<long long> {
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  auto na = num(a.code), nb = num(b.code);
  if (na && nb) return *na != *nb ? *na < *nb : a.code < b.code;
  if (na.has_value() != nb.has_value()) return na.has_value();
  return a.code < b.code;
}

std::vector<EnumValue> value_map_of(const Json& f) {
  std::vector<EnumValue> out;
  auto it = f.find("value_map");
  if (it == f.end() || !it->is_object()) return out;
  for (const auto& [raw, label] : it->items())
    out.push_back({raw, label.is_string() ? label.get<std::string>() : label.dump()});
  std::sort(out.begin(), out.end(), enum_code_less);
  return out;
}

}  // namespace detail

Binding parse_binding(const Json& fields, const std::string& path,
                      std::initializer_list<std::string_view> extra_keys) {
  detail::Issues issues;
  std::optional<Binding> b;
  {
    Json copy = fields;
    if (copy.is_object())
      for (std::string_view k : extra_keys) copy.erase(std::string(k));
    const auto protocol =
        copy.is_object() ? parse_protocol(copy.value("protocol", "")) : std::nullopt;
    const auto use =
        protocol && (*protocol == Protocol::distribute || *protocol == Protocol::power_cap)
            ? detail::BindingUse::command
            : detail::BindingUse::measurement;
    b = detail::read_binding(copy, path, use, issues);
  }
  issues.throw_if_any();
  if (!b) throw ContractError(path, "not a binding");
  return std::move(*b);
}

Json explicit_fields(const Binding& b) {
  Json e = Json::object();
  e["protocol"] = to_string(b.protocol);
  std::visit(
      [&e, &b](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, ModbusBinding>) {
          e["function_code"] = t.function_code;
          e["address"] = t.address;
          e["data_type"] = to_string(t.data_type);
          e["word_order"] = to_string(t.word_order);
          e["scale"] = t.scale;
          e["offset"] = t.offset;
          if (t.scale_factor_address) e["scale_factor_address"] = *t.scale_factor_address;
        } else if constexpr (std::is_same_v<T, Dnp3Binding>) {
          e["point_index"] = t.point_index;
          e["point_type"] = to_string(t.point_type);
          e["variation"] = t.variation;
          e["scale"] = t.scale;
        } else if constexpr (std::is_same_v<T, SnmpBinding>) {
          e["oid"] = t.oid;
          e["scale"] = t.scale;
        } else if constexpr (std::is_same_v<T, RedfishBinding>) {
          e["uri"] = t.resource_path();
          e["json_pointer"] = t.json_pointer;
          e["scale"] = t.scale;
        } else if constexpr (std::is_same_v<T, CanBinding>) {
          e["can_id"] = t.can_id;
          e["extended"] = t.extended;
          e["start_bit"] = t.start_bit;
          e["length"] = t.length;
          e["byte_order"] = to_string(t.byte_order);
          e["signed"] = t.is_signed;
          e["scale"] = t.scale;
          e["offset"] = t.offset;
        } else {
          // Computed and carried bindings: their normalized fields are already complete.
          for (const auto& [k, v] : b.fields.items())
            if (k != "value_map") e[k] = v;
        }
      },
      b.typed);
  if (!b.value_map.empty()) e["value_map"] = EnumCodec(b.value_map).to_json();
  return e;
}

// ---- EnumCodec ----

EnumCodec::EnumCodec(std::vector<EnumValue> entries) : entries_(std::move(entries)) {}

EnumCodec EnumCodec::of(const Binding* binding, const std::vector<EnumValue>& values) {
  if (binding && !binding->value_map.empty()) return EnumCodec(binding->value_map);
  return EnumCodec(values);
}

std::string EnumCodec::format_code(double raw) {
  if (std::isfinite(raw) && raw == std::round(raw) && std::abs(raw) < 1e15)
    return std::to_string(static_cast<long long>(raw));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", raw);
  return buf;
}

std::optional<std::string> EnumCodec::label(std::string_view code) const {
  for (const auto& e : entries_)
    if (e.code == code) return e.label;
  return std::nullopt;
}

std::optional<std::string> EnumCodec::label(double raw) const {
  return label(format_code(raw));
}

std::optional<std::string> EnumCodec::code(std::string_view label) const {
  for (const auto& e : entries_)
    if (e.label == label) return e.code;
  return std::nullopt;
}

std::optional<double> EnumCodec::numeric_code(std::string_view label) const {
  const auto c = code(label);
  if (!c || c->empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(c->c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

Json EnumCodec::to_json() const {
  Json out = Json::object();
  for (const auto& e : entries_) out[e.code] = e.label;
  return out;
}

}  // namespace ems::contract
