// snmp driver over libs/protocols/snmp (net-snmp sessions). See driver.hpp for the wire
// behaviour; map_error() is the one place SnmpError becomes DriverError, and snmp_config() the
// one place a connection plus secrets entry becomes a client configuration.
#include <cmath>
#include <map>
#include <optional>

#include "driver_base.hpp"
#include "ems/drivers/codec.hpp"
#include "ems/protocols/snmp/client.hpp"
#include "ems/protocols/snmp/error.hpp"

namespace ems::drivers::detail {
namespace {

namespace sn = protocols::snmp;

DriverError map_error(const std::string& endpoint, const sn::SnmpError& e) {
  ErrorKind kind = ErrorKind::protocol;
  switch (e.kind()) {
    case sn::ErrorKind::invalid_argument:
      kind = ErrorKind::config;
      break;
    case sn::ErrorKind::timeout:
      kind = ErrorKind::timeout;
      break;
    case sn::ErrorKind::malformed_response:
    case sn::ErrorKind::type_mismatch:
      kind = ErrorKind::protocol;
      break;
    case sn::ErrorKind::authentication:
      kind = ErrorKind::refused;
      break;
    case sn::ErrorKind::transport:
      kind = ErrorKind::connection;
      break;
    case sn::ErrorKind::error_status:
      switch (e.status()) {
        case sn::ErrorStatus::bad_value:
        case sn::ErrorStatus::wrong_value:
        case sn::ErrorStatus::wrong_type:
        case sn::ErrorStatus::wrong_length:
        case sn::ErrorStatus::wrong_encoding:
        case sn::ErrorStatus::inconsistent_value:
          kind = ErrorKind::bad_value;
          break;
        default:
          kind = ErrorKind::refused;
      }
      break;
  }
  return DriverError(kind, endpoint + ": " + e.what());
}

struct Setup {
  sn::SnmpClientConfig read;
  std::optional<sn::SnmpClientConfig> write;  // v2c with another community than read
};

Setup snmp_config(const contract::DeviceConnection& c, const runtime::SecretEntry* secret,
                  const DriverOptions& o, const std::string& where) {
  sn::SnmpClientConfig base;
  base.host = c.host;
  base.port = c.port;
  base.timeout = o.timeout;
  base.retries = o.snmp_retries;
  Setup s;
  if (secret != nullptr) {
    if (!secret->snmp)
      throw DriverError(ErrorKind::config,
                        where + ": credentials \"" + *c.credentials + "\" hold no snmp entry");
    const auto& snmp = *secret->snmp;
    if (snmp.version == runtime::SnmpSecret::Version::v3) {
      base.version = sn::SnmpVersion::v3;
      try {
        base.user = usm_user(snmp);
      } catch (const DriverError& e) {
        throw DriverError(ErrorKind::config, where + ": " + e.what());
      }
      s.read = base;
      return s;
    }
    base.version = sn::SnmpVersion::v2c;
    base.community = snmp.read_community;
    s.read = base;
    if (snmp.write_community != snmp.read_community) {
      s.write = base;
      s.write->community = snmp.write_community;
    }
    return s;
  }
  if (c.snmp_version != "v2c")
    throw DriverError(ErrorKind::config,
                      where + ": SNMP " + c.snmp_version + " needs a credentials entry");
  base.community = c.read_community;
  s.read = base;
  if (c.write_community != c.read_community) {
    s.write = base;
    s.write->community = c.write_community;
  }
  return s;
}

std::unique_ptr<sn::SnmpClient> client_of(const sn::SnmpClientConfig& config,
                                          const std::string& where) {
  try {
    return std::make_unique<sn::SnmpClient>(config);
  } catch (const sn::SnmpError& e) {
    // Configuration problems (e.g. a password too short); the message names no secret.
    throw map_error(where, e);
  }
}

class SnmpDriver final : public DriverBase {
 public:
  SnmpDriver(const contract::DeviceConnection& c, const runtime::SecretEntry* secret,
             const DriverOptions& o)
      : DriverBase(contract::Protocol::snmp, endpoint_name(c)),
        setup_(snmp_config(c, secret, o, endpoint())) {
    reader_ = client_of(setup_.read, endpoint());
    if (setup_.write) writer_ = client_of(*setup_.write, endpoint());
  }

  // SNMP is connectionless: open() asks the agent for sysUpTime.0 (any answer, even
  // noSuchObject, proves it is there and accepts our community / user).
  void open() override {
    try {
      reader_->get(sn::Oid::parse("1.3.6.1.2.1.1.3.0"));
    } catch (const sn::SnmpError& e) {
      throw map_error(endpoint(), e);
    }
  }

  void close() override {}

  std::vector<PointReading> read(std::span<const contract::SourcePoint> points) override {
    std::vector<PointReading> out(points.size());
    std::vector<sn::Oid> oids;
    std::vector<std::optional<std::size_t>> at(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        const auto& b = binding_of<contract::SnmpBinding>(points[i].binding, points[i].name);
        at[i] = oids.size();
        oids.push_back(sn::Oid::parse(b.oid));
      } catch (const sn::SnmpError& e) {
        out[i] = failed(points[i], map_error(endpoint(), e));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    if (oids.empty()) return out;
    std::vector<sn::VarBind> answer;
    try {
      answer = get_all(oids, 0, oids.size());
    } catch (const sn::SnmpError& e) {
      const auto mapped = map_error(endpoint(), e);
      for (std::size_t i = 0; i < points.size(); ++i)
        if (at[i]) out[i] = failed(points[i], mapped);
      return out;
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!at[i]) continue;
      try {
        const auto& value = answer.at(*at[i]).value;
        const auto& b = *points[i].binding.as<contract::SnmpBinding>();
        if (value.is_exception())
          throw error(ErrorKind::protocol,
                      points[i].name + ": " + b.oid + " answered " + value.describe());
        if (value.is_numeric()) {
          out[i] = ok(points[i], typed_value(value.as_double() * b.scale, points[i]));
        } else if (value.type() == sn::ValueType::octet_string) {
          out[i] = ok(points[i], typed_value(value.as_string(), points[i]));
        } else {
          throw error(ErrorKind::protocol, points[i].name + ": " + b.oid + " holds " +
                                               std::string(sn::to_string(value.type())));
        }
      } catch (const sn::SnmpError& e) {
        out[i] = failed(points[i], map_error(endpoint(), e));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    return out;
  }

  void write(const contract::CommandPoint& command, const Value& value) override {
    const auto& b = binding_of<contract::SnmpBinding>(command.binding, command.name);
    sn::SnmpClient& client = writer_ ? *writer_ : *reader_;
    try {
      const auto oid = sn::Oid::parse(b.oid);
      const auto type = held_type(client, oid);
      sn::Value v;
      const auto* label = std::get_if<std::string>(&value);
      if (type == sn::ValueType::octet_string && label != nullptr &&
          command.payload == contract::PayloadType::Enum) {
        auto code = command.codec.code(*label);
        if (!code) throw error(ErrorKind::bad_value, command.name + ": unknown label " + *label);
        v = sn::Value::octet_string(*code);
      } else {
        v = encode(command, type, std::round(command_number(command, value) / b.scale));
      }
      client.set({{oid, v}});
    } catch (const sn::SnmpError& e) {
      throw map_error(endpoint(), e);
    }
  }

 private:
  // GETs oids[first, first + count): one PDU of up to kMaxPerGet OIDs; an agent answering
  // tooBig gets the half-size requests instead.
  std::vector<sn::VarBind> get_all(const std::vector<sn::Oid>& oids, std::size_t first,
                                   std::size_t count) {
    if (count > kMaxPerGet) {
      auto out = get_all(oids, first, kMaxPerGet);
      auto rest = get_all(oids, first + kMaxPerGet, count - kMaxPerGet);
      out.insert(out.end(), rest.begin(), rest.end());
      return out;
    }
    try {
      return reader_->get(std::vector<sn::Oid>(oids.begin() + first, oids.begin() + first + count));
    } catch (const sn::SnmpError& e) {
      if (e.kind() != sn::ErrorKind::error_status || e.status() != sn::ErrorStatus::too_big ||
          count == 1)
        throw;
    }
    auto out = get_all(oids, first, count / 2);
    auto rest = get_all(oids, first + count / 2, count - count / 2);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
  }

  static constexpr std::size_t kMaxPerGet = 48;

  // The SMI type the agent holds at `oid` (one GET per OID, remembered); INTEGER when the agent
  // has no value there (the SET then fails with the agent's own status).
  sn::ValueType held_type(sn::SnmpClient& client, const sn::Oid& oid) {
    auto it = types_.find(oid);
    if (it != types_.end()) return it->second;
    const auto current = client.get(oid);
    const auto type = current.is_exception() ? sn::ValueType::integer : current.type();
    if (!current.is_exception()) types_.emplace(oid, type);
    return type;
  }

  sn::Value encode(const contract::CommandPoint& command, sn::ValueType type, double raw) const {
    auto out_of = [&](double lo, double hi) {
      if (raw < lo || raw > hi)
        throw error(ErrorKind::bad_value, command.name + ": raw value " +
                                              contract::EnumCodec::format_code(raw) +
                                              " does not fit " + std::string(sn::to_string(type)));
    };
    switch (type) {
      case sn::ValueType::integer:
        out_of(-2147483648.0, 2147483647.0);
        return sn::Value::integer(static_cast<std::int32_t>(raw));
      case sn::ValueType::gauge32:
        out_of(0, 4294967295.0);
        return sn::Value::gauge32(static_cast<std::uint32_t>(raw));
      case sn::ValueType::counter32:
        out_of(0, 4294967295.0);
        return sn::Value::counter32(static_cast<std::uint32_t>(raw));
      case sn::ValueType::timeticks:
        out_of(0, 4294967295.0);
        return sn::Value::timeticks(static_cast<std::uint32_t>(raw));
      case sn::ValueType::counter64:
        out_of(0, 18446744073709549568.0);
        return sn::Value::counter64(static_cast<std::uint64_t>(raw));
      case sn::ValueType::octet_string:
        return sn::Value::octet_string(contract::EnumCodec::format_code(raw));
      default:
        throw error(ErrorKind::protocol, command.name + ": cannot write a number as " +
                                             std::string(sn::to_string(type)));
    }
  }

  Setup setup_;
  std::unique_ptr<sn::SnmpClient> reader_, writer_;
  std::map<sn::Oid, sn::ValueType> types_;
};

}  // namespace

std::unique_ptr<DeviceDriver> make_snmp_driver(const contract::DeviceConnection& c,
                                               const runtime::SecretEntry* secret,
                                               const DriverOptions& o) {
  return std::make_unique<SnmpDriver>(c, secret, o);
}

}  // namespace ems::drivers::detail
