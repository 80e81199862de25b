#include "ems/drivers/codec.hpp"

#include "ems/drivers/error.hpp"

namespace ems::drivers {

namespace mb = protocols::modbus;

mb::ValueFormat modbus_format(const contract::ModbusBinding& b) noexcept {
  mb::ValueFormat f;
  switch (b.data_type) {
    case contract::ModbusDataType::int16:
      f.type = mb::DataType::kInt16;
      break;
    case contract::ModbusDataType::uint16:
      f.type = mb::DataType::kUint16;
      break;
    case contract::ModbusDataType::int32:
      f.type = mb::DataType::kInt32;
      break;
    case contract::ModbusDataType::uint32:
      f.type = mb::DataType::kUint32;
      break;
    case contract::ModbusDataType::int64:
      f.type = mb::DataType::kInt64;
      break;
    case contract::ModbusDataType::float32:
      f.type = mb::DataType::kFloat32;
      break;
  }
  f.word_order = b.word_order == contract::WordOrder::high_low ? mb::WordOrder::kHighLow
                                                               : mb::WordOrder::kLowHigh;
  f.scale = b.scale;
  f.offset = b.offset;
  return f;
}

mb::Table modbus_table(const contract::ModbusBinding& b) noexcept {
  switch (b.function_code) {
    case 1:
    case 5:
    case 15:
      return mb::Table::kCoils;
    case 2:
      return mb::Table::kDiscreteInputs;
    case 4:
      return mb::Table::kInputRegisters;
    default:  // 3 6 16
      return mb::Table::kHoldingRegisters;
  }
}

protocols::can::DbcSignal dbc_signal(const contract::CanBinding& b) noexcept {
  protocols::can::DbcSignal s;
  s.start_bit = b.start_bit;
  s.length = b.length;
  s.byte_order = b.byte_order == contract::ByteOrder::little_endian
                     ? protocols::can::ByteOrder::kLittleEndian
                     : protocols::can::ByteOrder::kBigEndian;
  s.is_signed = b.is_signed;
  s.scale = b.scale;
  s.offset = b.offset;
  return s;
}

namespace {

// runtime::Secrets normalizes protocol names to the snmp library's spelling ("none", "SHA",
// "SHA-256", "AES", "AES-256").
template <class E>
E protocol_named(const std::string& name, std::initializer_list<E> all, const char* what) {
  for (E e : all)
    if (protocols::snmp::to_string(e) == name) return e;
  throw DriverError(ErrorKind::config,
                    std::string("unsupported SNMPv3 ") + what + " protocol '" + name + "'");
}

}  // namespace

protocols::snmp::UsmUser usm_user(const runtime::SnmpSecret& secret) {
  namespace sn = protocols::snmp;
  if (secret.version != runtime::SnmpSecret::Version::v3)
    throw DriverError(ErrorKind::config, "an SNMP v2c secrets entry has no USM user");
  sn::UsmUser user;
  user.name = secret.user;
  user.auth = protocol_named(
      secret.auth_protocol,
      {sn::AuthProtocol::none, sn::AuthProtocol::sha1, sn::AuthProtocol::sha256}, "auth");
  user.auth_password = secret.auth_password;
  user.priv = protocol_named(
      secret.priv_protocol,
      {sn::PrivProtocol::none, sn::PrivProtocol::aes128, sn::PrivProtocol::aes256}, "priv");
  user.priv_password = secret.priv_password;
  return user;
}

}  // namespace ems::drivers
