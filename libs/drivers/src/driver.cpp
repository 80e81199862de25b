#include <cmath>
#include <sstream>

#include "driver_base.hpp"
#include "ems/drivers/driver.hpp"

namespace ems::drivers {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::connection:
      return "connection";
    case ErrorKind::refused:
      return "refused";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::bad_value:
      return "bad_value";
    case ErrorKind::config:
      return "config";
  }
  return "protocol";
}

std::string_view to_string(ReadStatus s) noexcept {
  switch (s) {
    case ReadStatus::ok:
      return "ok";
    case ReadStatus::timeout:
      return "timeout";
    case ReadStatus::error:
      return "error";
  }
  return "error";
}

std::string to_string(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    std::ostringstream s;
    s << *d;
    return s.str();
  }
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

Value typed_value(double engineering, const contract::SourcePoint& point) {
  if (!std::isfinite(engineering))
    throw DriverError(ErrorKind::bad_value, point.name + ": value is not a finite number");
  switch (point.value_type) {
    case contract::ValueType::Float:
      return engineering;
    case contract::ValueType::Bool:
      return engineering != 0.0;
    case contract::ValueType::Enum: {
      if (auto label = point.codec.label(engineering)) return *label;
      throw DriverError(
          ErrorKind::bad_value,
          point.name + ": code " + contract::EnumCodec::format_code(engineering) + " has no label");
    }
  }
  return engineering;
}

Value typed_value(std::string_view code, const contract::SourcePoint& point) {
  switch (point.value_type) {
    case contract::ValueType::Enum: {
      if (auto label = point.codec.label(code)) return *label;
      if (point.codec.code(code)) return std::string(code);  // already a label
      throw DriverError(ErrorKind::bad_value,
                        point.name + ": code \"" + std::string(code) + "\" has no label");
    }
    case contract::ValueType::Bool:
      if (code == "true") return true;
      if (code == "false") return false;
      break;
    case contract::ValueType::Float:
      break;
  }
  try {
    std::size_t used = 0;
    std::string text(code);
    double d = std::stod(text, &used);
    if (used == text.size()) return typed_value(d, point);
  } catch (const std::logic_error&) {
  }
  throw DriverError(ErrorKind::bad_value, point.name + ": \"" + std::string(code) + "\" is not a " +
                                              std::string(contract::to_string(point.value_type)));
}

double command_number(const contract::CommandPoint& command, const Value& value) {
  auto bad = [&](const std::string& why) {
    return DriverError(ErrorKind::bad_value, command.name + ": " + why);
  };
  switch (command.payload) {
    case contract::PayloadType::Float: {
      const auto* d = std::get_if<double>(&value);
      if (d == nullptr) throw bad("expects a number, got " + to_string(value));
      if (!std::isfinite(*d)) throw bad("value is not a finite number");
      if ((command.min && *d < *command.min) || (command.max && *d > *command.max)) {
        std::ostringstream s;
        s << "value " << *d << " is outside [" << (command.min ? *command.min : -INFINITY) << ", "
          << (command.max ? *command.max : INFINITY) << "]";
        throw bad(s.str());
      }
      return *d;
    }
    case contract::PayloadType::Bool: {
      const auto* b = std::get_if<bool>(&value);
      if (b == nullptr) throw bad("expects a bool, got " + to_string(value));
      return *b ? 1.0 : 0.0;
    }
    case contract::PayloadType::Enum: {
      const auto* label = std::get_if<std::string>(&value);
      if (label == nullptr) throw bad("expects an enum label, got " + to_string(value));
      if (auto code = command.codec.numeric_code(*label)) return *code;
      if (command.codec.code(*label)) throw bad("label " + *label + " has no numeric code");
      throw bad("unknown label " + *label);
    }
    case contract::PayloadType::Trigger:
      return 1.0;
  }
  throw bad("unknown payload type");
}

std::vector<contract::SourcePoint> points_for(const contract::DeviceSources& device,
                                              contract::Protocol protocol) {
  std::vector<contract::SourcePoint> out;
  for (const auto& p : device.points)
    if (p.binding.protocol == protocol) out.push_back(p);
  return out;
}

namespace detail {
std::string endpoint_name(const contract::DeviceConnection& c) {
  std::string s =
      std::string(contract::to_string(c.protocol)) + " " + c.host + ":" + std::to_string(c.port);
  if (c.protocol == contract::Protocol::can) s += " bus " + c.channel;
  return s;
}
}  // namespace detail

std::unique_ptr<DeviceDriver> make_driver(const contract::DeviceConnection& connection,
                                          const runtime::Secrets& secrets,
                                          const DriverOptions& options) {
  const std::string where = detail::endpoint_name(connection);
  const runtime::SecretEntry* secret = nullptr;
  if (connection.credentials) {
    secret = secrets.find(*connection.credentials);
    if (secret == nullptr)
      throw DriverError(ErrorKind::config, where + ": credentials \"" + *connection.credentials +
                                               "\" are not in the secrets file");
  }
  switch (connection.protocol) {
    case contract::Protocol::modbus_tcp:
      return detail::make_modbus_driver(connection, options);
    case contract::Protocol::snmp:
      return detail::make_snmp_driver(connection, secret, options);
    case contract::Protocol::dnp3_tcp:
      return detail::make_dnp3_driver(connection, options);
    case contract::Protocol::redfish:
      return detail::make_redfish_driver(connection, secret, options);
    case contract::Protocol::can:
      return detail::make_can_driver(connection, options);
    default:
      throw DriverError(ErrorKind::config,
                        where + ": " + std::string(contract::to_string(connection.protocol)) +
                            " is not a device protocol");
  }
}

}  // namespace ems::drivers
