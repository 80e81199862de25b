// modbus_tcp driver over libs/protocols/modbus (libmodbus client). See driver.hpp for the wire
// behaviour; map_error() is the one place ModbusError becomes DriverError.
#include <map>
#include <optional>

#include "driver_base.hpp"
#include "ems/drivers/codec.hpp"
#include "ems/protocols/modbus/client.hpp"
#include "ems/protocols/modbus/read_plan.hpp"

namespace ems::drivers::detail {
namespace {

namespace mb = protocols::modbus;

DriverError map_error(const std::string& endpoint, const mb::ModbusError& e) {
  ErrorKind kind = ErrorKind::protocol;
  switch (e.kind()) {
    case mb::ErrorKind::kTimeout:
      kind = ErrorKind::timeout;
      break;
    case mb::ErrorKind::kConnection:
      kind = ErrorKind::connection;
      break;
    case mb::ErrorKind::kException:
      kind = ErrorKind::refused;
      break;
    case mb::ErrorKind::kMalformed:
      kind = ErrorKind::protocol;
      break;
    case mb::ErrorKind::kOutOfRange:
      kind = ErrorKind::bad_value;
      break;
    case mb::ErrorKind::kInvalidArgument:
      kind = ErrorKind::config;
      break;
  }
  return DriverError(kind, endpoint + ": " + e.what());
}

bool unreachable(ErrorKind k) {
  return k == ErrorKind::timeout || k == ErrorKind::connection;
}

class ModbusDriver final : public DriverBase {
 public:
  ModbusDriver(const contract::DeviceConnection& c, const DriverOptions& o)
      : DriverBase(contract::Protocol::modbus_tcp, endpoint_name(c)),
        client_(mb::ModbusClientConfig{c.host, c.port, c.unit_id, o.timeout}),
        unit_(c.unit_id) {}

  void open() override {
    try {
      client_.connect();
    } catch (const mb::ModbusError& e) {
      throw map_error(endpoint(), e);
    }
  }

  void close() override { client_.close(); }

  std::vector<PointReading> read(std::span<const contract::SourcePoint> points) override {
    std::vector<PointReading> out(points.size());
    // spans[0..n) = the points' values, then their scale factor registers.
    std::vector<mb::PointSpan> spans;
    std::vector<std::optional<std::size_t>> value_span(points.size()), sf_span(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        const auto& b = binding_of<contract::ModbusBinding>(points[i].binding, points[i].name);
        const auto table = modbus_table(b);
        const auto count = static_cast<std::uint16_t>(b.register_count());
        if (b.function_code > 4)
          throw error(ErrorKind::config, points[i].name + ": function code " +
                                             std::to_string(b.function_code) + " does not read");
        if (std::size_t(b.address) + count > 65536)
          throw error(ErrorKind::config, points[i].name + ": registers run past address 65535");
        value_span[i] = spans.size();
        spans.push_back({unit_, table, b.address, count});
        if (b.scale_factor_address && !b.is_bit()) {
          sf_span[i] = spans.size();
          spans.push_back({unit_, table, *b.scale_factor_address, 1});
        }
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }

    const auto plan = mb::plan_reads(spans);
    // Result per span: registers (bits as 0/1) or the error of its request.
    std::vector<std::vector<std::uint16_t>> values(spans.size());
    std::vector<std::optional<DriverError>> errors(spans.size());
    std::optional<DriverError> down;  // after a timeout/connection error, stop asking
    for (const auto& req : plan) {
      auto fail_all = [&](const DriverError& e) {
        for (auto s : req.points) errors[s] = e;
      };
      if (down) {
        fail_all(*down);
        continue;
      }
      try {
        auto regs = client_.read_block(req.table, req.start, req.count);
        for (auto s : req.points)
          values[s] = std::vector<std::uint16_t>(
              mb::slice_for<std::uint16_t>(req, spans[s], std::span<const std::uint16_t>(regs))
                  .begin(),
              mb::slice_for<std::uint16_t>(req, spans[s], std::span<const std::uint16_t>(regs))
                  .end());
      } catch (const mb::ModbusError& e) {
        auto mapped = map_error(endpoint(), e);
        if (unreachable(mapped.kind())) {
          down = mapped;
          fail_all(mapped);
        } else if (req.points.size() > 1 && e.kind() == mb::ErrorKind::kException) {
          read_one_by_one(req, spans, values, errors);  // one bad address must not hide the rest
        } else {
          fail_all(mapped);
        }
      }
    }

    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!value_span[i]) continue;  // already failed
      const auto v = *value_span[i];
      try {
        if (errors[v]) throw *errors[v];
        if (sf_span[i] && errors[*sf_span[i]]) throw *errors[*sf_span[i]];
        const auto& b = *points[i].binding.as<contract::ModbusBinding>();
        if (b.is_bit()) {
          out[i] = ok(points[i], typed_value(mb::decode_bit(values[v].at(0) != 0), points[i]));
          continue;
        }
        const auto format = modbus_format(b);
        std::optional<std::uint16_t> sf;
        if (sf_span[i]) {
          sf = values[*sf_span[i]].at(0);
          if (mb::sunspec_not_implemented(values[v], format.type, format.word_order))
            throw error(ErrorKind::bad_value,
                        points[i].name + ": the device marks the value as not implemented");
        }
        out[i] = ok(points[i], typed_value(mb::decode_value(values[v], format, sf), points[i]));
      } catch (const mb::ModbusError& e) {
        out[i] = failed(points[i], map_error(endpoint(), e));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    return out;
  }

  void write(const contract::CommandPoint& command, const Value& value) override {
    const auto& b = binding_of<contract::ModbusBinding>(command.binding, command.name);
    const double number = command_number(command, value);
    const auto table = modbus_table(b);
    try {
      if (table == mb::Table::kCoils) {
        const bool bit = mb::encode_bit(number != 0.0 ? 1.0 : 0.0);
        if (b.function_code == 15) {
          const bool bits[] = {bit};
          client_.write_coils(b.address, bits);
        } else {
          client_.write_coil(b.address, bit);
        }
        return;
      }
      if (table != mb::Table::kHoldingRegisters)
        throw error(ErrorKind::config, command.name + ": function code " +
                                           std::to_string(b.function_code) +
                                           " addresses a read-only table");
      std::optional<std::uint16_t> sf;
      if (b.scale_factor_address)
        sf = client_.read_holding_registers(*b.scale_factor_address, 1).at(0);
      const auto regs = mb::encode_value(number, modbus_format(b), sf);
      if (b.function_code == 6 && regs.size() != 1)
        throw error(ErrorKind::config, command.name + ": function code 6 writes one register, " +
                                           std::string(contract::to_string(b.data_type)) +
                                           " needs " + std::to_string(regs.size()));
      if (b.function_code == 16 || regs.size() > 1)
        client_.write_registers(b.address, regs);
      else
        client_.write_register(b.address, regs[0]);
    } catch (const mb::ModbusError& e) {
      throw map_error(endpoint(), e);
    }
  }

 private:
  void read_one_by_one(const mb::ReadRequest& req, const std::vector<mb::PointSpan>& spans,
                       std::vector<std::vector<std::uint16_t>>& values,
                       std::vector<std::optional<DriverError>>& errors) {
    for (auto s : req.points) {
      try {
        values[s] = client_.read_block(spans[s].table, spans[s].address, spans[s].count);
      } catch (const mb::ModbusError& e) {
        errors[s] = map_error(endpoint(), e);
      }
    }
  }

  mb::ModbusClient client_;
  std::uint8_t unit_;
};

}  // namespace

std::unique_ptr<DeviceDriver> make_modbus_driver(const contract::DeviceConnection& c,
                                                 const DriverOptions& o) {
  return std::make_unique<ModbusDriver>(c, o);
}

}  // namespace ems::drivers::detail
