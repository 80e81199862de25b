#pragma once
// Internal: what every protocol driver shares - its identity, per-point result construction,
// the typed binding of a point - and the per-protocol factories make_driver() dispatches to.

#include <memory>
#include <string>

#include "ems/drivers/driver.hpp"

namespace ems::drivers::detail {

class DriverBase : public DeviceDriver {
 public:
  DriverBase(contract::Protocol protocol, std::string endpoint)
      : protocol_(protocol), endpoint_(std::move(endpoint)) {}
  contract::Protocol protocol() const noexcept override { return protocol_; }
  const std::string& endpoint() const noexcept override { return endpoint_; }

 protected:
  static PointReading ok(const contract::SourcePoint& p, Value v) {
    PointReading r;
    r.name = p.name;
    r.value = std::move(v);
    return r;
  }
  static PointReading failed(const contract::SourcePoint& p, const DriverError& e) {
    PointReading r;
    r.name = p.name;
    r.status = e.kind() == ErrorKind::timeout ? ReadStatus::timeout : ReadStatus::error;
    r.kind = e.kind();
    r.error = e.what();
    return r;
  }
  // The point's binding as T; DriverError(config) when it is another protocol's.
  template <class T>
  const T& binding_of(const contract::Binding& b, const std::string& name) const {
    const T* t = b.as<T>();
    if (t == nullptr || b.protocol != protocol_)
      throw DriverError(ErrorKind::config, endpoint_ + ": " + name + " is bound to " +
                                               std::string(contract::to_string(b.protocol)) +
                                               ", not " +
                                               std::string(contract::to_string(protocol_)));
    return *t;
  }
  DriverError error(ErrorKind kind, const std::string& what) const {
    return DriverError(kind, endpoint_ + ": " + what);
  }

 private:
  contract::Protocol protocol_;
  std::string endpoint_;
};

std::string endpoint_name(const contract::DeviceConnection& c);

std::unique_ptr<DeviceDriver> make_modbus_driver(const contract::DeviceConnection& c,
                                                 const DriverOptions& o);
std::unique_ptr<DeviceDriver> make_snmp_driver(const contract::DeviceConnection& c,
                                               const runtime::SecretEntry* secret,
                                               const DriverOptions& o);
std::unique_ptr<DeviceDriver> make_dnp3_driver(const contract::DeviceConnection& c,
                                               const DriverOptions& o);
std::unique_ptr<DeviceDriver> make_redfish_driver(const contract::DeviceConnection& c,
                                                  const runtime::SecretEntry* secret,
                                                  const DriverOptions& o);
std::unique_ptr<DeviceDriver> make_can_driver(const contract::DeviceConnection& c,
                                              const DriverOptions& o);

}  // namespace ems::drivers::detail
