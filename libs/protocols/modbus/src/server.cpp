#include "ems/protocols/modbus/server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "ems/protocols/modbus/mbap.hpp"
#include "tcp.hpp"

namespace ems::protocols::modbus {

using namespace std::chrono_literals;

struct ModbusServer::Connection {
  detail::Socket socket;
  std::thread thread;
  std::atomic<bool> done{false};
};

ModbusServer::ModbusServer(ModbusServerConfig config) : config_(std::move(config)) {}

ModbusServer::~ModbusServer() {
  stop();
}

void ModbusServer::start() {
  if (running_) return;
  detail::Socket listener = detail::listen_tcp(config_.bind_address, config_.port, 64);
  port_ = detail::local_port(listener);
  listen_fd_ = listener.release();
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void ModbusServer::stop() {
  if (!running_.exchange(false)) return;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(connections_);
  }
  for (auto& c : all) c->socket.shutdown();
  for (auto& c : all) {
    if (c->thread.joinable()) c->thread.join();
  }
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
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t ModbusServer::active_connections() const {
  std::lock_guard lock(mutex_);
  return active_count_locked();
}

std::size_t ModbusServer::active_count_locked() const {
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->done ? 0 : 1;
  return n;
}

void ModbusServer::count(std::uint64_t ModbusServerStats::*field) {
  std::lock_guard lock(mutex_);
  ++(stats_.*field);
}

void ModbusServer::reap_finished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();
}

void ModbusServer::accept_loop() {
  detail::Socket listener_view(listen_fd_);
  while (running_) {
    reap_finished();
    // A short poll lets stop() be noticed without closing the fd under accept().
    if (!detail::wait_readable(listener_view, 100ms)) continue;
    detail::Socket client(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (!client.valid()) continue;
    std::lock_guard lock(mutex_);
    if (active_count_locked() >= config_.max_connections) {
      ++stats_.refused;
      continue;  // closing `client` refuses it
    }
    ++stats_.accepted;
    auto conn = std::make_unique<Connection>();
    conn->socket = std::move(client);
    Connection& ref = *conn;
    connections_.push_back(std::move(conn));
    ref.thread = std::thread([this, &ref] { serve(ref); });
  }
  listener_view.release();  // owned by listen_fd_
}

void ModbusServer::serve(Connection& c) {
  MbapDecoder decoder;
  std::array<std::uint8_t, 1024> buffer{};
  WireObserver observer;
  {
    std::lock_guard lock(mutex_);
    observer = observer_;
  }
  try {
    while (running_) {
      const long n = detail::receive_some(c.socket, buffer, 100ms);
      if (n == 0) break;
      if (n < 0) continue;
      const std::span<const std::uint8_t> chunk(buffer.data(), static_cast<std::size_t>(n));
      if (observer) observer(true, chunk);
      decoder.feed(chunk);
      while (auto adu = decoder.next()) {
        count(&ModbusServerStats::requests);
        const FaultPlan plan = fault();
        if (plan.kind != FaultPlan::Kind::none) count(&ModbusServerStats::faults_applied);
        if (plan.kind == FaultPlan::Kind::drop_connection) {
          c.done = true;
          c.socket.shutdown();
          return;
        }
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
        detail::send_all(c.socket, bytes);
      }
    }
  } catch (const ModbusError& e) {
    if (e.kind() == ErrorKind::kMalformed) count(&ModbusServerStats::bad_frames);
  } catch (const std::exception&) {
    // The peer went away mid-send or the write callback threw: this connection ends, the
    // server and the other connections carry on.
  }
  c.done = true;
}

}  // namespace ems::protocols::modbus
