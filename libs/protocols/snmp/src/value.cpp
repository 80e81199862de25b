#include "ems/protocols/snmp/value.hpp"

#include <limits>

#include "ems/protocols/snmp/error.hpp"

namespace ems::protocols::snmp {

std::string_view to_string(ValueType type) noexcept {
  switch (type) {
    case ValueType::null:
      return "Null";
    case ValueType::integer:
      return "INTEGER";
    case ValueType::octet_string:
      return "STRING";
    case ValueType::object_id:
      return "OID";
    case ValueType::ip_address:
      return "IpAddress";
    case ValueType::counter32:
      return "Counter32";
    case ValueType::gauge32:
      return "Gauge32";
    case ValueType::timeticks:
      return "Timeticks";
    case ValueType::opaque:
      return "Opaque";
    case ValueType::counter64:
      return "Counter64";
    case ValueType::no_such_object:
      return "noSuchObject";
    case ValueType::no_such_instance:
      return "noSuchInstance";
    case ValueType::end_of_mib_view:
      return "endOfMibView";
  }
  return "unknown";
}

Value Value::integer(std::int32_t v) {
  Value out;
  out.type_ = ValueType::integer;
  out.signed_ = v;
  return out;
}
Value Value::gauge32(std::uint32_t v) {
  return unsigned_of(ValueType::gauge32, v);
}
Value Value::counter32(std::uint32_t v) {
  return unsigned_of(ValueType::counter32, v);
}
Value Value::counter64(std::uint64_t v) {
  return unsigned_of(ValueType::counter64, v);
}
Value Value::timeticks(std::uint32_t v) {
  return unsigned_of(ValueType::timeticks, v);
}

Value Value::octet_string(std::string bytes) {
  Value out;
  out.type_ = ValueType::octet_string;
  out.bytes_ = std::move(bytes);
  return out;
}
Value Value::opaque(std::string bytes) {
  Value out = octet_string(std::move(bytes));
  out.type_ = ValueType::opaque;
  return out;
}
Value Value::object_id(Oid oid) {
  Value out;
  out.type_ = ValueType::object_id;
  out.oid_ = std::move(oid);
  return out;
}
Value Value::ip_address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Value out;
  out.type_ = ValueType::ip_address;
  out.bytes_ = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                static_cast<char>(d)};
  return out;
}
Value Value::exception(ValueType type) {
  if (type != ValueType::no_such_object && type != ValueType::no_such_instance &&
      type != ValueType::end_of_mib_view)
    throw SnmpError(ErrorKind::invalid_argument,
                    std::string(to_string(type)) + " is not an SNMP exception value");
  Value out;
  out.type_ = type;
  return out;
}

Value Value::unsigned_of(ValueType type, std::uint64_t v) {
  Value out;
  out.type_ = type;
  out.unsigned_ = v;
  return out;
}

bool Value::is_exception() const noexcept {
  return type_ == ValueType::no_such_object || type_ == ValueType::no_such_instance ||
         type_ == ValueType::end_of_mib_view;
}

bool Value::is_numeric() const noexcept {
  switch (type_) {
    case ValueType::integer:
    case ValueType::counter32:
    case ValueType::gauge32:
    case ValueType::timeticks:
    case ValueType::counter64:
      return true;
    default:
      return false;
  }
}

namespace {
SnmpError mismatch(const Value& v, std::string_view wanted) {
  return SnmpError(ErrorKind::type_mismatch,
                   "cannot read " + v.describe() + " as " + std::string(wanted));
}
}  // namespace

std::int64_t Value::as_int64() const {
  if (!is_numeric()) throw mismatch(*this, "int64");
  if (type_ == ValueType::integer) return signed_;
  if (unsigned_ > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw mismatch(*this, "int64 (out of range)");
  return static_cast<std::int64_t>(unsigned_);
}

std::uint64_t Value::as_uint64() const {
  if (!is_numeric()) throw mismatch(*this, "uint64");
  if (type_ == ValueType::integer) {
    if (signed_ < 0) throw mismatch(*this, "uint64 (negative)");
    return static_cast<std::uint64_t>(signed_);
  }
  return unsigned_;
}

double Value::as_double() const {
  if (!is_numeric()) throw mismatch(*this, "double");
  return type_ == ValueType::integer ? static_cast<double>(signed_)
                                     : static_cast<double>(unsigned_);
}

std::string Value::as_string() const {
  switch (type_) {
    case ValueType::octet_string:
    case ValueType::opaque:
      return bytes_;
    case ValueType::object_id:
      return oid_.str();
    case ValueType::ip_address: {
      std::string out;
      for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (i != 0) out += '.';
        out += std::to_string(static_cast<unsigned char>(bytes_[i]));
      }
      return out;
    }
    case ValueType::integer:
      return std::to_string(signed_);
    case ValueType::counter32:
    case ValueType::gauge32:
    case ValueType::timeticks:
    case ValueType::counter64:
      return std::to_string(unsigned_);
    default:
      throw mismatch(*this, "string");
  }
}

std::string Value::describe() const {
  if (is_exception() || type_ == ValueType::null) return std::string(to_string(type_));
  std::string text = as_string();
  if (type_ == ValueType::octet_string || type_ == ValueType::opaque) text = '"' + text + '"';
  return std::string(to_string(type_)) + ": " + text;
}

}  // namespace ems::protocols::snmp
