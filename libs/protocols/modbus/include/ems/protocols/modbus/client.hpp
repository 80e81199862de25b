#pragma once
// Modbus TCP client (the gateway side), on libmodbus 3.1.
//
// One client talks to one host:port; the unit id can be changed between requests (devices
// behind a Modbus gateway share a connection). Not thread-safe: one client per polling thread.
//
// Connection handling: the first request connects. Any failure other than an exception
// response closes the connection, so a late or garbled response can never be read as the answer
// to the next request; the next request reconnects. A request on a connection that was already
// open and turns out to be reset (server restarted, idle timeout) is retried once on a fresh
// connection - reads and Modbus writes (set register/coil to a value) are idempotent.
//
// Errors are ModbusError: kTimeout (no response within response_timeout), kConnection
// (refused, reset, closed), kException (exception_code() and its name in the message),
// kMalformed (response does not match the request), kInvalidArgument (count out of range).

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/table.hpp"
#include "ems/protocols/modbus/value_codec.hpp"

struct _modbus;

namespace ems::protocols::modbus {

struct ModbusClientConfig {
  std::string host = "127.0.0.1";  // name or IPv4 address
  std::uint16_t port = 502;
  std::uint8_t unit_id = 1;
  std::chrono::milliseconds response_timeout{1000};  // also bounds connect()
};

class ModbusClient {
 public:
  explicit ModbusClient(ModbusClientConfig config);
  ~ModbusClient();
  ModbusClient(const ModbusClient&) = delete;
  ModbusClient& operator=(const ModbusClient&) = delete;

  // Connects now (requests connect on demand anyway). Throws kConnection / kTimeout.
  void connect();
  void close() noexcept;
  bool connected() const noexcept { return connected_; }
  void set_unit_id(std::uint8_t unit);
  std::uint8_t unit_id() const noexcept { return config_.unit_id; }

  std::vector<std::uint16_t> read_holding_registers(std::uint16_t address, std::uint16_t count);
  std::vector<std::uint16_t> read_input_registers(std::uint16_t address, std::uint16_t count);
  std::vector<bool> read_coils(std::uint16_t address, std::uint16_t count);
  std::vector<bool> read_discrete_inputs(std::uint16_t address, std::uint16_t count);
  // Any table; bits come back as 0/1 per element so a ReadRequest (read_plan.hpp) of either
  // kind yields one vector that slice_for() can cut.
  std::vector<std::uint16_t> read_block(Table table, std::uint16_t address, std::uint16_t count);

  void write_register(std::uint16_t address, std::uint16_t value);                   // FC6
  void write_registers(std::uint16_t address, std::span<const std::uint16_t> regs);  // FC16
  void write_coil(std::uint16_t address, bool value);                                // FC5
  void write_coils(std::uint16_t address, std::span<const bool> values);             // FC15

  // Typed helpers through the value codec. With `scale_factor_address` the SunSpec scale factor
  // is read from that holding register (same table as the value) first.
  double read_value(Table table, std::uint16_t address, const ValueFormat& format,
                    std::optional<std::uint16_t> scale_factor_address = std::nullopt);
  // Holding registers via FC6 (one register) or FC16; coils via FC5.
  void write_value(Table table, std::uint16_t address, double engineering,
                   const ValueFormat& format,
                   std::optional<std::uint16_t> scale_factor_address = std::nullopt);

 private:
  template <typename Op>
  void call(const char* what, std::uint16_t address, Op op);
  [[noreturn]] void fail(const char* what, std::uint16_t address, int err);

  ModbusClientConfig config_;
  _modbus* ctx_ = nullptr;
  bool connected_ = false;
};

}  // namespace ems::protocols::modbus
