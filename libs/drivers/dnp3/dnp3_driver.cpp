// dnp3_tcp driver over libs/protocols/dnp3 (our master). See driver.hpp for the wire behaviour;
// map_error() is the one place Dnp3Error (and a refused command status) becomes DriverError.
#include <map>

#include "driver_base.hpp"
#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/master.hpp"

namespace ems::drivers::detail {
namespace {

namespace d3 = protocols::dnp3;

DriverError map_error(const std::string& endpoint, const d3::Dnp3Error& e) {
  ErrorKind kind = ErrorKind::protocol;
  switch (e.kind()) {
    case d3::ErrorKind::kTimeout:
      kind = ErrorKind::timeout;
      break;
    case d3::ErrorKind::kConnection:
      kind = ErrorKind::connection;
      break;
    case d3::ErrorKind::kRejected:
      kind = ErrorKind::refused;
      break;
    case d3::ErrorKind::kBadStart:
    case d3::ErrorKind::kBadLength:
    case d3::ErrorKind::kBadCrc:
    case d3::ErrorKind::kTruncated:
    case d3::ErrorKind::kBadTransport:
    case d3::ErrorKind::kBadFunction:
    case d3::ErrorKind::kBadQualifier:
    case d3::ErrorKind::kUnknownObject:
    case d3::ErrorKind::kBadRange:
    case d3::ErrorKind::kTooLarge:
      kind = ErrorKind::protocol;
      break;
  }
  return DriverError(kind, endpoint + ": " + e.what());
}

DriverError map_status(const std::string& endpoint, const std::string& name,
                       d3::CommandStatus status) {
  const auto kind =
      status == d3::CommandStatus::kFormatError ? ErrorKind::bad_value : ErrorKind::refused;
  return DriverError(kind, endpoint + ": " + name + ": the outstation answered " +
                               std::string(d3::to_string(status)));
}

class Dnp3Driver final : public DriverBase {
 public:
  Dnp3Driver(const contract::DeviceConnection& c, const DriverOptions& o)
      : DriverBase(contract::Protocol::dnp3_tcp, endpoint_name(c)),
        master_(d3::MasterConfig{c.host, c.port, c.master_address, c.outstation_address,
                                 o.connect_timeout, o.timeout}) {}

  void open() override {
    try {
      master_.connect();
    } catch (const d3::Dnp3Error& e) {
      throw map_error(endpoint(), e);
    }
  }

  void close() override { master_.close(); }

  std::vector<PointReading> read(std::span<const contract::SourcePoint> points) override {
    std::vector<PointReading> out(points.size());
    std::vector<const contract::Dnp3Binding*> bindings(points.size(), nullptr);
    bool any = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        bindings[i] = &binding_of<contract::Dnp3Binding>(points[i].binding, points[i].name);
        any = true;
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    if (!any) return out;
    d3::ReadResult result;
    try {
      result = master_.integrity_poll();
    } catch (const d3::Dnp3Error& e) {
      const auto mapped = map_error(endpoint(), e);
      for (std::size_t i = 0; i < points.size(); ++i)
        if (bindings[i]) out[i] = failed(points[i], mapped);
      return out;
    }
    const auto bi = result.binary_inputs();
    const auto bo = result.binary_outputs();
    const auto ai = result.analog_inputs();
    const auto ao = result.analog_outputs();
    const auto ctr = result.counters();
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!bindings[i]) continue;
      const auto& b = *bindings[i];
      try {
        double raw = 0;
        std::uint8_t flags = 0;
        auto take = [&](const auto& table, auto value_of) {
          auto it = table.find(b.point_index);
          if (it == table.end())
            throw error(ErrorKind::protocol, points[i].name + ": " +
                                                 std::string(contract::to_string(b.point_type)) +
                                                 " " + std::to_string(b.point_index) +
                                                 " is not in the outstation's integrity poll");
          raw = value_of(it->second);
          flags = it->second.flags;
        };
        switch (b.point_type) {
          case contract::Dnp3PointType::analog_input:
            take(ai, [](const d3::Analog& a) { return a.value; });
            break;
          case contract::Dnp3PointType::analog_output:
            take(ao, [](const d3::Analog& a) { return a.value; });
            break;
          case contract::Dnp3PointType::binary_input:
            take(bi, [](const d3::Binary& v) { return v.value ? 1.0 : 0.0; });
            break;
          case contract::Dnp3PointType::binary_output:
            take(bo, [](const d3::Binary& v) { return v.value ? 1.0 : 0.0; });
            break;
          case contract::Dnp3PointType::counter:
            take(ctr, [](const d3::Counter& v) { return double(v.value); });
            break;
        }
        if ((flags & d3::flags::kOnline) == 0)
          throw error(ErrorKind::bad_value, points[i].name + ": the outstation flags " +
                                                std::string(contract::to_string(b.point_type)) +
                                                " " + std::to_string(b.point_index) + " offline");
        const bool binary = b.point_type == contract::Dnp3PointType::binary_input ||
                            b.point_type == contract::Dnp3PointType::binary_output;
        out[i] = ok(points[i], typed_value(binary ? raw : raw * b.scale, points[i]));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    return out;
  }

  void write(const contract::CommandPoint& command, const Value& value) override {
    const auto& b = binding_of<contract::Dnp3Binding>(command.binding, command.name);
    const double number = command_number(command, value);
    d3::CommandStatus status = d3::CommandStatus::kSuccess;
    try {
      switch (b.point_type) {
        case contract::Dnp3PointType::analog_output: {
          const std::uint8_t variation = b.variation >= 1 && b.variation <= 4 ? b.variation : 3;
          status = master_.direct_operate_analog(b.point_index, number / b.scale, variation);
          break;
        }
        case contract::Dnp3PointType::binary_output:
          status = master_.direct_operate(b.point_index, d3::Crob::latch(number != 0.0));
          break;
        default:
          throw error(ErrorKind::config, command.name + ": " +
                                             std::string(contract::to_string(b.point_type)) +
                                             " cannot be written (analog_output or binary_output)");
      }
    } catch (const d3::Dnp3Error& e) {
      throw map_error(endpoint(), e);
    }
    if (status != d3::CommandStatus::kSuccess) throw map_status(endpoint(), command.name, status);
  }

 private:
  d3::Master master_;
};

}  // namespace

std::unique_ptr<DeviceDriver> make_dnp3_driver(const contract::DeviceConnection& c,
                                               const DriverOptions& o) {
  return std::make_unique<Dnp3Driver>(c, o);
}

}  // namespace ems::drivers::detail
