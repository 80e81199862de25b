#pragma once
// Value: one SNMP variable value as it travels in a varbind, typed by its SMI/BER tag, plus the
// three v2 exceptions (noSuchObject, noSuchInstance, endOfMibView) that stand in for a value when
// the agent has none. VarBind pairs it with its Oid.
//
// Readers convert with as_int64 / as_uint64 / as_double / as_string, which throw
// SnmpError(type_mismatch) rather than invent a number for a string or an exception.

#include <cstdint>
#include <string>
#include <string_view>

#include "ems/protocols/snmp/oid.hpp"

namespace ems::protocols::snmp {

enum class ValueType {
  null,
  integer,       // INTEGER / Integer32
  octet_string,  // OCTET STRING (raw bytes, not necessarily text)
  object_id,
  ip_address,  // 4 bytes in bytes()
  counter32,
  gauge32,  // also Unsigned32 (same tag)
  timeticks,
  opaque,
  counter64,
  no_such_object,
  no_such_instance,
  end_of_mib_view,
};

std::string_view to_string(ValueType type) noexcept;

class Value {
 public:
  Value() = default;  // null

  static Value integer(std::int32_t v);
  static Value gauge32(std::uint32_t v);
  static Value unsigned32(std::uint32_t v) { return gauge32(v); }
  static Value counter32(std::uint32_t v);
  static Value counter64(std::uint64_t v);
  static Value timeticks(std::uint32_t hundredths);
  static Value octet_string(std::string bytes);
  static Value object_id(Oid oid);
  static Value ip_address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  static Value opaque(std::string bytes);
  static Value exception(ValueType type);  // no_such_object / no_such_instance / end_of_mib_view

  ValueType type() const noexcept { return type_; }
  bool is_exception() const noexcept;  // one of the three v2 exceptions
  bool is_numeric() const noexcept;    // integer, counters, gauge, timeticks

  std::int64_t as_int64() const;    // numeric types; counter64 above INT64_MAX throws
  std::uint64_t as_uint64() const;  // numeric types; negative integers throw
  double as_double() const;         // numeric types
  // octet_string/opaque: the raw bytes; ip_address: dotted quad; object_id: dotted; numbers:
  // decimal. Exceptions and null throw.
  std::string as_string() const;
  const std::string& bytes() const noexcept { return bytes_; }
  const Oid& oid() const noexcept { return oid_; }

  // For logs and test failures: "Gauge32: 42", "noSuchObject", "STRING: \"abc\"".
  std::string describe() const;

  bool operator==(const Value&) const = default;

 private:
  static Value unsigned_of(ValueType type, std::uint64_t v);

  ValueType type_ = ValueType::null;
  std::int64_t signed_ = 0;
  std::uint64_t unsigned_ = 0;
  std::string bytes_;
  Oid oid_;
};

struct VarBind {
  Oid oid;
  Value value;
  bool operator==(const VarBind&) const = default;
};

}  // namespace ems::protocols::snmp
