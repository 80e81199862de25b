#pragma once
// Typed protocol bindings (CONTRACT.md section 5): how one value is read or written.
//
// A binding is decoded in exactly one place - here - and every consumer (the AsyncAPI
// generator, the fixtures' servers, the drivers behind the gateway) uses these structs instead
// of looking into JSON. The DTM parser validates a binding strictly and fills in the defaults
// the contract gives (scale 1, offset 0, word_order high_low, byte_order little_endian, Modbus
// data_type int32, ...), so a typed binding never has a field "absent": what a reader sees is
// what it must do.
//
// The same strict reader parses the entries of the AsyncAPI document's x-protocol-source and
// x-command-source (which carry every field explicitly): parse_binding().
//
// Value maps (enum raw code -> label) are not part of the per-protocol structs: EnumCodec is the
// one code <-> label mapping, built from a binding's value_map or else the measurement's values.
//
// Pure value types; no I/O; thread-compatible.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ems::contract {

using Json = nlohmann::json;

// ---- protocols ----

enum class Protocol {
  modbus_tcp,
  dnp3_tcp,
  snmp,
  redfish,
  can,
  synthetic,   // computed by the gateway from other topics
  distribute,  // a module command split over its children
  power_cap,   // a module command capping its children's power commands
  bacnet_ip,   // accepted and carried; not read yet
  bacnet_sc,   // accepted and carried; not read yet
};
inline constexpr std::array<std::string_view, 10> kProtocolNames = {
    "modbus_tcp", "dnp3_tcp",   "snmp",      "redfish",   "can",
    "synthetic",  "distribute", "power_cap", "bacnet_ip", "bacnet_sc"};
std::optional<Protocol> parse_protocol(std::string_view s) noexcept;
std::string_view to_string(Protocol p) noexcept;

// A protocol a driver speaks to a device over its connection (modbus_tcp dnp3_tcp snmp redfish
// can). Only these produce x-protocol-source / x-command-source entries with a connection.
bool is_device_protocol(Protocol p) noexcept;
// Executed by the gateway itself, over other topics or children: synthetic distribute power_cap.
bool is_computed(Protocol p) noexcept;

// ---- per-protocol bindings ----
// Each closed vocabulary has its names in enum order (k...Names): what the DTM parser accepts
// and what to_string() writes.

enum class ModbusDataType { int16, uint16, int32, uint32, int64, float32 };
inline constexpr std::array<std::string_view, 6> kModbusDataTypeNames = {
    "int16", "uint16", "int32", "uint32", "int64", "float32"};
enum class WordOrder { high_low, low_high };
inline constexpr std::array<std::string_view, 2> kWordOrderNames = {"high_low", "low_high"};
std::string_view to_string(ModbusDataType t) noexcept;
std::string_view to_string(WordOrder w) noexcept;

struct ModbusBinding {
  int function_code = 3;  // 1 2 3 4 (read) or 5 6 15 16 (write)
  std::uint16_t address = 0;
  ModbusDataType data_type = ModbusDataType::int32;  // the contract's default when absent
  WordOrder word_order = WordOrder::high_low;
  double scale = 1.0;
  double offset = 0.0;
  std::optional<std::uint16_t> scale_factor_address;  // SunSpec: int16 exponent register

  // Coils and discrete inputs (FC 1 2 5 15) carry one bit; data_type does not apply.
  bool is_bit() const noexcept;
  // Registers one value spans (1 for bits).
  int register_count() const noexcept;
  bool operator==(const ModbusBinding&) const = default;
};

enum class Dnp3PointType { analog_input, binary_input, analog_output, binary_output, counter };
inline constexpr std::array<std::string_view, 5> kDnp3PointTypeNames = {
    "analog_input", "binary_input", "analog_output", "binary_output", "counter"};
std::string_view to_string(Dnp3PointType t) noexcept;

struct Dnp3Binding {
  std::uint16_t point_index = 0;
  Dnp3PointType point_type = Dnp3PointType::analog_input;
  std::uint8_t variation = 0;  // 0 = the outstation's default variation
  double scale = 1.0;
  bool operator==(const Dnp3Binding&) const = default;
};

struct SnmpBinding {
  std::string oid;  // numeric dotted, no leading dot
  double scale = 1.0;
  bool operator==(const SnmpBinding&) const = default;
};

// The Redfish service root every binding's uri lives under.
inline constexpr std::string_view kRedfishRoot = "/redfish/v1";

struct RedfishBinding {
  std::string uri;           // as written in the DTM, e.g. "/Chassis/1/Power"
  std::string json_pointer;  // RFC 6901 pointer into the resource ("" = the whole document)
  double scale = 1.0;
  // The full resource path: uri under the service root (a uri that already starts with the
  // root is kept as it is).
  std::string resource_path(std::string_view root = kRedfishRoot) const;
  bool operator==(const RedfishBinding&) const = default;
};

enum class ByteOrder { little_endian, big_endian };
inline constexpr std::array<std::string_view, 2> kByteOrderNames = {"little_endian", "big_endian"};
std::string_view to_string(ByteOrder b) noexcept;

// A CAN signal with DBC semantics (our extension).
struct CanBinding {
  std::uint32_t can_id = 0;
  bool extended = false;
  std::uint16_t start_bit = 0;
  std::uint16_t length = 1;
  ByteOrder byte_order = ByteOrder::little_endian;
  bool is_signed = false;  // "signed" in JSON
  double scale = 1.0;
  double offset = 0.0;
  bool operator==(const CanBinding&) const = default;
};

enum class SyntheticOperation { sum, mean, max, min, subtract, weighted_mean, unbalance };
inline constexpr std::array<std::string_view, 7> kSyntheticOperationNames = {
    "sum", "mean", "max", "min", "subtract", "weighted_mean", "unbalance"};
std::string_view to_string(SyntheticOperation o) noexcept;

struct SyntheticBinding {
  SyntheticOperation operation = SyntheticOperation::sum;
  std::vector<std::string> inputs;  // topic templates ({site_id} {device_id} ...), or empty
  std::optional<std::string> source_measurement;  // roll-up over the children, or nullopt
  std::optional<std::string> child_template;      // narrows the children of a roll-up
  bool operator==(const SyntheticBinding&) const = default;
};

// Parameters of a gradual setpoint change (ramp, then hold inside a hysteresis band).
struct ControlLaw {
  double ramp_rate_per_sec = 0;
  double hysteresis_margin = 0;
  double hysteresis_dwell_secs = 0;
  bool operator==(const ControlLaw&) const = default;
};

enum class AllocationPolicy { equal_split, soc_weighted };
inline constexpr std::array<std::string_view, 2> kAllocationPolicyNames = {"equal_split",
                                                                           "soc_weighted"};
std::string_view to_string(AllocationPolicy a) noexcept;

struct DistributeBinding {
  AllocationPolicy allocation_policy = AllocationPolicy::equal_split;
  std::optional<ControlLaw> control_law;
  bool operator==(const DistributeBinding&) const = default;
};

struct PowerCapBinding {
  std::string child_template;
  std::vector<std::string> child_commands;
  ControlLaw control_law;
  bool operator==(const PowerCapBinding&) const = default;
};

// BACnet bindings are validated and carried, not interpreted: their normalized fields suffice.
struct BacnetBinding {
  bool operator==(const BacnetBinding&) const = default;
};

using ProtocolBinding =
    std::variant<ModbusBinding, Dnp3Binding, SnmpBinding, RedfishBinding, CanBinding,
                 SyntheticBinding, DistributeBinding, PowerCapBinding, BacnetBinding>;

struct EnumValue {
  std::string code;   // raw code as a string ("0", "1", ...)
  std::string label;  // what is published
  bool operator==(const EnumValue&) const = default;
};

// How a value is read or written: the protocol, its typed fields, and the binding's own value
// map (raw code -> label; empty when the binding has none). `fields` is the same binding as
// normalized JSON (protocol included, defaults filled, nulls never present), kept for the
// stored DTM and for change classification.
struct Binding {
  Protocol protocol = Protocol::modbus_tcp;
  ProtocolBinding typed;
  std::vector<EnumValue> value_map;  // in code order
  Json fields = Json::object();

  template <class T>
  const T* as() const noexcept {
    return std::get_if<T>(&typed);
  }
  bool operator==(const Binding&) const = default;
};

// Parses one binding object strictly (unknown keys, wrong types, out-of-range values are
// errors) and fills in its defaults. `path` prefixes the JSON Pointers of the errors. Throws
// ContractError listing every problem. Use this for bindings that do not come through
// parse_dtm, e.g. an x-protocol-source entry (pass `extra_keys` for the entry's own members
// that are not binding fields, such as "unit" or "value_type").
Binding parse_binding(const Json& fields, const std::string& path = "",
                      std::initializer_list<std::string_view> extra_keys = {});

// Every field of the typed binding, defaults explicit (what x-protocol-source carries), plus
// "protocol" and, when present, "value_map".
Json explicit_fields(const Binding& b);

// ---- enum codes ----

// Raw code <-> label of one enum value (CONTRACT.md section 5: enum codes map to labels before
// publishing; a command's label maps back to its code before writing). Codes are kept as text
// ("0", "3", "OK") and compared as text, except that a numeric raw value is formatted as an
// integer when it is one ("3", not "3.000000").
class EnumCodec {
 public:
  EnumCodec() = default;
  explicit EnumCodec(std::vector<EnumValue> entries);

  // The binding's value_map when it has one, else the measurement's values.
  static EnumCodec of(const Binding* binding, const std::vector<EnumValue>& values);

  std::optional<std::string> label(std::string_view code) const;
  std::optional<std::string> label(double raw) const;
  std::optional<std::string> code(std::string_view label) const;
  // The code of `label` as a number, when the code is numeric.
  std::optional<double> numeric_code(std::string_view label) const;

  const std::vector<EnumValue>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }
  // {code: label} as JSON.
  Json to_json() const;

  // 3.0 -> "3"; 2.5 -> "2.5".
  static std::string format_code(double raw);

 private:
  std::vector<EnumValue> entries_;
};

}  // namespace ems::contract
