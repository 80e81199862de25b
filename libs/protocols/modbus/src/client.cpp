#include "ems/protocols/modbus/client.hpp"

#include <modbus/modbus.h>

#include <cerrno>
#include <memory>

namespace ems::protocols::modbus {
namespace {

void check_count(const char* what, std::uint16_t count, std::uint16_t max) {
  if (count == 0 || count > max) {
    throw ModbusError(ErrorKind::kInvalidArgument, std::string(what) + ": count " +
                                                       std::to_string(count) + " outside 1.." +
                                                       std::to_string(max));
  }
}

std::unique_ptr<std::uint8_t[]> to_bytes(std::span<const bool> bits) {
  std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[bits.size()]);
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = bits[i] ? 1 : 0;
  return out;
}

}  // namespace

ModbusClient::ModbusClient(ModbusClientConfig config) : config_(std::move(config)) {
  ctx_ = modbus_new_tcp_pi(config_.host.c_str(), std::to_string(config_.port).c_str());
  if (ctx_ == nullptr) {
    throw ModbusError(
        ErrorKind::kInvalidArgument,
        "cannot create Modbus context for " + config_.host + ": " + modbus_strerror(errno));
  }
  const auto ms = config_.response_timeout.count();
  modbus_set_response_timeout(ctx_, static_cast<std::uint32_t>(ms / 1000),
                              static_cast<std::uint32_t>((ms % 1000) * 1000));
  modbus_set_slave(ctx_, config_.unit_id);
}

ModbusClient::~ModbusClient() {
  close();
  modbus_free(ctx_);
}

void ModbusClient::connect() {
  if (connected_) return;
  if (modbus_connect(ctx_) != 0) {
    const int err = errno;
    modbus_close(ctx_);
    const std::string peer = config_.host + ":" + std::to_string(config_.port);
    throw ModbusError(
        err == ETIMEDOUT || err == EINPROGRESS ? ErrorKind::kTimeout : ErrorKind::kConnection,
        "connect " + peer + ": " + modbus_strerror(err));
  }
  connected_ = true;
}

void ModbusClient::close() noexcept {
  if (connected_) modbus_close(ctx_);
  connected_ = false;
}

void ModbusClient::set_unit_id(std::uint8_t unit) {
  config_.unit_id = unit;
  modbus_set_slave(ctx_, unit);
}

void ModbusClient::fail(const char* what, std::uint16_t address, int err) {
  const std::string where = std::string(what) + " at " + std::to_string(address) + " (unit " +
                            std::to_string(config_.unit_id) + ", " + config_.host + ":" +
                            std::to_string(config_.port) + ")";
  if (err >= EMBXILFUN && err <= EMBXGTAR) {
    const auto code = static_cast<std::uint8_t>(err - MODBUS_ENOBASE);
    throw ModbusError(
        ErrorKind::kException,
        where + ": server exception " + exception_name(code) + " (" + std::to_string(code) + ")",
        static_cast<ExceptionCode>(code));
  }
  close();  // anything else leaves the stream in an unknown state
  if (err == ETIMEDOUT) {
    throw ModbusError(
        ErrorKind::kTimeout,
        where + ": no response within " + std::to_string(config_.response_timeout.count()) + " ms");
  }
  if (err == EMBBADDATA || err == EMBMDATA || err == EMBBADEXC || err == EMBUNKEXC ||
      err == EMBBADSLAVE || err == EMBBADCRC) {
    throw ModbusError(ErrorKind::kMalformed,
                      where + ": malformed response (" + modbus_strerror(err) + ")");
  }
  throw ModbusError(ErrorKind::kConnection, where + ": " + modbus_strerror(err));
}

template <typename Op>
void ModbusClient::call(const char* what, std::uint16_t address, Op op) {
  const bool reused = connected_;
  connect();
  if (op() >= 0) return;
  int err = errno;
  const bool reset = err == ECONNRESET || err == EPIPE || err == ENOTCONN || err == EBADF;
  if (reused && reset) {
    close();
    connect();
    if (op() >= 0) return;
    err = errno;
  }
  fail(what, address, err);
}

std::vector<std::uint16_t> ModbusClient::read_holding_registers(std::uint16_t address,
                                                                std::uint16_t count) {
  check_count("read holding registers", count, kMaxReadRegisters);
  std::vector<std::uint16_t> regs(count);
  call("read holding registers", address,
       [&] { return modbus_read_registers(ctx_, address, count, regs.data()); });
  return regs;
}

std::vector<std::uint16_t> ModbusClient::read_input_registers(std::uint16_t address,
                                                              std::uint16_t count) {
  check_count("read input registers", count, kMaxReadRegisters);
  std::vector<std::uint16_t> regs(count);
  call("read input registers", address,
       [&] { return modbus_read_input_registers(ctx_, address, count, regs.data()); });
  return regs;
}

std::vector<bool> ModbusClient::read_coils(std::uint16_t address, std::uint16_t count) {
  check_count("read coils", count, kMaxReadBits);
  std::vector<std::uint8_t> raw(count);
  call("read coils", address, [&] { return modbus_read_bits(ctx_, address, count, raw.data()); });
  return {raw.begin(), raw.end()};
}

std::vector<bool> ModbusClient::read_discrete_inputs(std::uint16_t address, std::uint16_t count) {
  check_count("read discrete inputs", count, kMaxReadBits);
  std::vector<std::uint8_t> raw(count);
  call("read discrete inputs", address,
       [&] { return modbus_read_input_bits(ctx_, address, count, raw.data()); });
  return {raw.begin(), raw.end()};
}

std::vector<std::uint16_t> ModbusClient::read_block(Table table, std::uint16_t address,
                                                    std::uint16_t count) {
  switch (table) {
    case Table::kHoldingRegisters:
      return read_holding_registers(address, count);
    case Table::kInputRegisters:
      return read_input_registers(address, count);
    case Table::kCoils:
    case Table::kDiscreteInputs: {
      const auto bits = table == Table::kCoils ? read_coils(address, count)
                                               : read_discrete_inputs(address, count);
      return {bits.begin(), bits.end()};
    }
  }
  return {};
}

void ModbusClient::write_register(std::uint16_t address, std::uint16_t value) {
  call("write register", address, [&] { return modbus_write_register(ctx_, address, value); });
}

void ModbusClient::write_registers(std::uint16_t address, std::span<const std::uint16_t> regs) {
  check_count("write registers",
              static_cast<std::uint16_t>(std::min<std::size_t>(regs.size(), 0xFFFF)),
              kMaxWriteRegisters);
  call("write registers", address, [&] {
    return modbus_write_registers(ctx_, address, static_cast<int>(regs.size()), regs.data());
  });
}

void ModbusClient::write_coil(std::uint16_t address, bool value) {
  call("write coil", address, [&] { return modbus_write_bit(ctx_, address, value ? 1 : 0); });
}

void ModbusClient::write_coils(std::uint16_t address, std::span<const bool> values) {
  check_count("write coils",
              static_cast<std::uint16_t>(std::min<std::size_t>(values.size(), 0xFFFF)),
              kMaxWriteBits);
  auto bytes = to_bytes(values);
  call("write coils", address, [&] {
    return modbus_write_bits(ctx_, address, static_cast<int>(values.size()), bytes.get());
  });
}

double ModbusClient::read_value(Table table, std::uint16_t address, const ValueFormat& format,
                                std::optional<std::uint16_t> scale_factor_address) {
  if (is_bit_table(table)) return decode_bit(read_block(table, address, 1).at(0) != 0);
  std::optional<std::uint16_t> sf;
  if (scale_factor_address) sf = read_block(table, *scale_factor_address, 1).at(0);
  const auto regs =
      read_block(table, address, static_cast<std::uint16_t>(register_count(format.type)));
  return decode_value(regs, format, sf);
}

void ModbusClient::write_value(Table table, std::uint16_t address, double engineering,
                               const ValueFormat& format,
                               std::optional<std::uint16_t> scale_factor_address) {
  if (table == Table::kCoils) return write_coil(address, encode_bit(engineering));
  if (table != Table::kHoldingRegisters) {
    throw ModbusError(ErrorKind::kInvalidArgument,
                      std::string(to_string(table)) + " are read-only in Modbus");
  }
  std::optional<std::uint16_t> sf;
  if (scale_factor_address) sf = read_holding_registers(*scale_factor_address, 1).at(0);
  const auto regs = encode_value(engineering, format, sf);
  if (regs.size() == 1) return write_register(address, regs[0]);
  write_registers(address, regs);
}

}  // namespace ems::protocols::modbus
