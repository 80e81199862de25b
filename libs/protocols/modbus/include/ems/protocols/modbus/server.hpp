#pragma once
// Modbus TCP server for the simulated site: listens on an address, serves any number of clients
// (one thread per connection, bounded by max_connections; extra connections are closed at once)
// from one RegisterBank that the site model updates through the thread-safe setters below.
//
// Framing is our own (MbapDecoder/encode_adu) rather than libmodbus' server API so that faults
// can be injected at the byte level. FaultPlan (ems/protocols/fault.hpp) is read at every request
// and may change at any time; kind none restores normal service immediately:
//   silent          - requests are read and dropped (client: timeout)
//   drop_connection - the connection is closed when a request arrives (client: reset)
//   delay           - the response is sent after plan.delay
//   malformed       - the response carries a wrong transaction id and an MBAP length one too
//                     large (client: rejected as malformed)

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "ems/protocols/fault.hpp"
#include "ems/protocols/modbus/register_bank.hpp"
#include "ems/protocols/modbus/request_handler.hpp"

namespace ems::protocols::net {
class TcpConnection;
class TcpServer;
}  // namespace ems::protocols::net

namespace ems::protocols::modbus {

struct ModbusServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 502;  // 0 = an ephemeral port, see ModbusServer::port()
  std::size_t max_connections = 32;
};

struct ModbusServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;  // over max_connections
  std::uint64_t requests = 0;
  std::uint64_t exceptions = 0;  // exception responses sent
  std::uint64_t bad_frames = 0;  // connections closed for an undecodable MBAP header
  std::uint64_t faults_applied = 0;
};

class ModbusServer {
 public:
  explicit ModbusServer(ModbusServerConfig config);
  ~ModbusServer();
  ModbusServer(const ModbusServer&) = delete;
  ModbusServer& operator=(const ModbusServer&) = delete;

  // Binds and starts accepting. Throws ModbusError(kConnection) if the address is taken.
  void start();
  // Closes the listener and every connection and joins their threads. Idempotent.
  void stop();
  std::uint16_t port() const noexcept { return port_; }

  // Site model side (thread-safe, any time). Setting a value defines its address.
  void set_holding(std::uint8_t unit, std::uint16_t address, std::span<const std::uint16_t> regs);
  void set_input(std::uint8_t unit, std::uint16_t address, std::span<const std::uint16_t> regs);
  void set_coils(std::uint8_t unit, std::uint16_t address, std::span<const bool> bits);
  void set_discrete(std::uint8_t unit, std::uint16_t address, std::span<const bool> bits);
  // Typed helper through the value codec (table decides registers vs. bits).
  void set_value(std::uint8_t unit, Table table, std::uint16_t address, double engineering,
                 const ValueFormat& format = {},
                 std::optional<std::uint16_t> sunspec_sf = std::nullopt);
  RegisterBank& bank() noexcept { return bank_; }
  const RegisterBank& bank() const noexcept { return bank_; }

  // Called for FC5/6/15/16 before the write is stored; see RequestHandler.
  void set_write_callback(WriteCallback callback);

  // Sees every chunk received from and sent to a client (for pcap diagnostics). Called on the
  // connection's thread; set it before clients connect.
  using WireObserver = std::function<void(bool from_client, std::span<const std::uint8_t>)>;
  void set_wire_observer(WireObserver observer);

  void set_fault(FaultPlan plan);
  FaultPlan fault() const;
  ModbusServerStats stats() const;
  std::size_t active_connections() const;

 private:
  void serve(net::TcpConnection& c);
  void count(std::uint64_t ModbusServerStats::*field);

  ModbusServerConfig config_;
  RegisterBank bank_;
  std::uint16_t port_ = 0;
  std::unique_ptr<net::TcpServer> server_;  // accept loop and connection threads
  mutable std::mutex mutex_;                // guards fault_, stats_, on_write_, observer_
  FaultPlan fault_;
  ModbusServerStats stats_;
  WriteCallback on_write_;
  WireObserver observer_;
};

}  // namespace ems::protocols::modbus
