#include "ems/protocols/modbus/server.hpp"

#include <array>

#include "ems/protocols/modbus/mbap.hpp"
#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp_server.hpp"
#include "net_error.hpp"

namespace ems::protocols::modbus {

using namespace std::chrono_literals;

ModbusServer::ModbusServer(ModbusServerConfig config)
    : config_(std::move(config)),
      server_(std::make_unique<net::TcpServer>(
          net::TcpServerConfig{config_.bind_address, config_.port, 64, config_.max_connections},
          [this](net::TcpConnection& c) { serve(c); })) {}

ModbusServer::~ModbusServer() {
  stop();
}

void ModbusServer::start() {
  try {
    server_->start();
  } catch (const net::NetError& e) {
    throw detail::to_modbus_error(e);
  }
  port_ = server_->port();
}

void ModbusServer::stop() {
  server_->stop();
}

void ModbusServer::set_holding(std::uint8_t unit, std::uint16_t address,
                               std::span<const std::uint16_t> regs) {
  bank_.set_registers(unit, Table::kHoldingRegisters, address, regs);
}

void ModbusServer::set_input(std::uint8_t unit, std::uint16_t address,
                             std::span<const std::uint16_t> regs) {
  bank_.set_registers(unit, Table::kInputRegisters, address, regs);
}

void ModbusServer::set_coils(std::uint8_t unit, std::uint16_t address, std::span<const bool> bits) {
  bank_.set_bits(unit, Table::kCoils, address, bits);
}

void ModbusServer::set_discrete(std::uint8_t unit, std::uint16_t address,
                                std::span<const bool> bits) {
  bank_.set_bits(unit, Table::kDiscreteInputs, address, bits);
}

void ModbusServer::set_value(std::uint8_t unit, Table table, std::uint16_t address,
                             double engineering, const ValueFormat& format,
                             std::optional<std::uint16_t> sunspec_sf) {
  bank_.set_value(unit, table, address, engineering, format, sunspec_sf);
}

void ModbusServer::set_write_callback(WriteCallback callback) {
  std::lock_guard lock(mutex_);
  on_write_ = std::move(callback);
}

void ModbusServer::set_wire_observer(WireObserver observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

void ModbusServer::set_fault(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  fault_ = plan;
}

FaultPlan ModbusServer::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

ModbusServerStats ModbusServer::stats() const {
  const net::TcpServerStats tcp = server_->stats();
  std::lock_guard lock(mutex_);
  ModbusServerStats out = stats_;
  out.accepted = tcp.accepted;
  out.refused = tcp.refused;
  return out;
}

std::size_t ModbusServer::active_connections() const {
  return server_->active_connections();
}

void ModbusServer::count(std::uint64_t ModbusServerStats::*field) {
  std::lock_guard lock(mutex_);
  ++(stats_.*field);
}

void ModbusServer::serve(net::TcpConnection& c) {
  MbapDecoder decoder;
  std::array<std::uint8_t, 1024> buffer{};
  WireObserver observer;
  {
    std::lock_guard lock(mutex_);
    observer = observer_;
  }
  try {
    while (c.serving()) {
      const long n = net::receive_some(c.socket(), buffer, 100ms);
      if (n == 0) break;
      if (n < 0) continue;
      const std::span<const std::uint8_t> chunk(buffer.data(), static_cast<std::size_t>(n));
      if (observer) observer(true, chunk);
      decoder.feed(chunk);
      while (auto adu = decoder.next()) {
        count(&ModbusServerStats::requests);
        const FaultPlan plan = fault();
        if (plan.kind != FaultPlan::Kind::none) count(&ModbusServerStats::faults_applied);
        if (plan.kind == FaultPlan::Kind::drop_connection) return;  // the server closes it
        if (plan.kind == FaultPlan::Kind::silent) continue;
        WriteCallback on_write;
        {
          std::lock_guard lock(mutex_);
          on_write = on_write_;
        }
        const auto pdu =
            RequestHandler(bank_, std::move(on_write)).handle(adu->header.unit_id, adu->pdu);
        if (pdu[0] & 0x80) count(&ModbusServerStats::exceptions);
        auto bytes = encode_adu(adu->header.transaction_id, adu->header.unit_id, pdu);
        if (plan.kind == FaultPlan::Kind::delay) std::this_thread::sleep_for(plan.delay);
        if (plan.kind == FaultPlan::Kind::malformed) {
          bytes[1] ^= 0x5A;  // transaction id no longer matches the request
          bytes[5] += 1;     // MBAP length claims a byte that never comes
        }
        if (observer) observer(false, bytes);
        net::send_all(c.socket(), bytes);
      }
    }
  } catch (const ModbusError& e) {
    if (e.kind() == ErrorKind::kMalformed) count(&ModbusServerStats::bad_frames);
  } catch (const std::exception&) {
    // The peer went away mid-send or the write callback threw: this connection ends, the
    // server and the other connections carry on.
  }
}

}  // namespace ems::protocols::modbus
