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
    try {
      poll(bindings);
    } catch (const d3::Dnp3Error& e) {
      // A failed request may have lost events (or the outstation restarted): start over.
      integrity_needed_ = true;
      const auto mapped = map_error(endpoint(), e);
      for (std::size_t i = 0; i < points.size(); ++i)
        if (bindings[i]) out[i] = failed(points[i], mapped);
      return out;
    }
    const auto& bi = cache_.binary_inputs;
    const auto& bo = cache_.binary_outputs;
    const auto& ai = cache_.analog_inputs;
    const auto& ao = cache_.analog_outputs;
    const auto& ctr = cache_.counters;
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
                                                 " is not in the outstation's answers");
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
  // The latest value of every point the outstation reported, static and event objects alike.
  struct Cache {
    std::map<std::uint16_t, d3::Binary> binary_inputs, binary_outputs;
    std::map<std::uint16_t, d3::Analog> analog_inputs, analog_outputs;
    std::map<std::uint16_t, d3::Counter> counters;
  };

  // One request: an integrity poll (class 1 2 3 0) when the cache must be rebuilt, else an
  // event poll of classes 1 2 3 (plus the static output status groups g10 / g40 when a point
  // is bound to one: output status changes make no events). Its answer updates the cache.
  void poll(const std::vector<const contract::Dnp3Binding*>& bindings) {
    d3::ReadResult r;
    const bool integrity = integrity_needed_ || !master_.connected();
    if (integrity) {
      r = master_.integrity_poll();
      cache_ = Cache{};
    } else {
      std::vector<d3::ObjectBlock> request{d3::ObjectBlock::all(60, 2), d3::ObjectBlock::all(60, 3),
                                           d3::ObjectBlock::all(60, 4)};
      bool bo = false, ao = false;
      for (const auto* b : bindings) {
        if (!b) continue;
        bo = bo || b->point_type == contract::Dnp3PointType::binary_output;
        ao = ao || b->point_type == contract::Dnp3PointType::analog_output;
      }
      if (bo) request.push_back(d3::ObjectBlock::all(10, 0));
      if (ao) request.push_back(d3::ObjectBlock::all(40, 0));
      r = master_.read(std::move(request));
    }
    integrity_needed_ = false;
    // Events arrive oldest first, then (integrity) the static values: the last one wins.
    for (auto& [i, v] : r.binary_inputs()) cache_.binary_inputs[i] = v;
    for (auto& [i, v] : r.binary_outputs()) cache_.binary_outputs[i] = v;
    for (auto& [i, v] : r.analog_inputs()) cache_.analog_inputs[i] = v;
    for (auto& [i, v] : r.analog_outputs()) cache_.analog_outputs[i] = v;
    for (auto& [i, v] : r.counters()) cache_.counters[i] = v;
    // A restarted outstation starts a fresh event buffer, an overflowed one lost events: after
    // an event poll either means the cache may be wrong, so an integrity poll follows at once.
    const bool restarted = (r.iin.iin1 & d3::iin1::kDeviceRestart) != 0;
    const bool overflow = (r.iin.iin2 & d3::iin2::kEventBufferOverflow) != 0;
    if (restarted) master_.clear_restart();
    if (!integrity && (restarted || overflow)) {
      integrity_needed_ = true;
      poll(bindings);
    }
  }

  d3::Master master_;
  Cache cache_;
  bool integrity_needed_ = true;
};

}  // namespace

std::unique_ptr<DeviceDriver> make_dnp3_driver(const contract::DeviceConnection& c,
                                               const DriverOptions& o) {
  return std::make_unique<Dnp3Driver>(c, o);
}

}  // namespace ems::drivers::detail
