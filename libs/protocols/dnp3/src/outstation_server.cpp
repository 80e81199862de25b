#include "ems/protocols/dnp3/outstation_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/link_channel.hpp"
#include "socket.hpp"

namespace ems::protocols::dnp3 {

using namespace std::chrono_literals;

struct OutstationServer::Connection {
  detail::Socket socket;
  std::thread thread;
  std::atomic<bool> done{false};
};

namespace {

// Flips one bit in the last CRC byte of every frame so the peer's CRC check fails.
void corrupt_frames(std::vector<std::uint8_t>& bytes) {
  std::size_t pos = 0;
  while (pos + kLinkHeaderSize <= bytes.size()) {
    const std::size_t size = link_frame_size(bytes[pos + 2]);
    if (pos + size > bytes.size()) break;
    bytes[pos + size - 1] ^= 0x01;
    pos += size;
  }
}

}  // namespace

OutstationServer::OutstationServer(Outstation& outstation, OutstationServerConfig config)
    : outstation_(outstation), config_(std::move(config)) {}

OutstationServer::~OutstationServer() {
  stop();
}

void OutstationServer::start() {
  if (running_) return;
  detail::Socket listener = detail::listen_tcp(config_.bind_address, config_.port, 16);
  port_ = detail::local_port(listener);
  listen_fd_ = listener.release();
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void OutstationServer::stop() {
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

void OutstationServer::set_fault(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  fault_ = plan;
}

FaultPlan OutstationServer::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

OutstationServerStats OutstationServer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t OutstationServer::active_connections() const {
  std::lock_guard lock(mutex_);
  return active_count_locked();
}

std::size_t OutstationServer::active_count_locked() const {
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->done ? 0 : 1;
  return n;
}

void OutstationServer::reap_finished() {
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

void OutstationServer::accept_loop() {
  detail::Socket listener_view(listen_fd_);
  while (running_) {
    reap_finished();
    // Poll with a short timeout so stop() is noticed without closing the fd under accept().
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

void OutstationServer::serve(Connection& c) {
  LinkChannel channel(
      LinkChannelConfig{false, config_.link_address, config_.master_address, kDefaultMaxApdu});
  std::array<std::uint8_t, 4096> buffer{};
  std::uint64_t counted_bad = 0;
  try {
    while (running_) {
      const long n = detail::receive_some(c.socket, buffer, 100ms);
      if (n == 0) break;
      if (n < 0) continue;
      auto received = channel.receive(
          std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
      const auto& ds = channel.decoder_stats();
      const std::uint64_t bad = ds.bad_header_crc + ds.bad_length + ds.bad_data_crc;
      if (bad != counted_bad) {
        std::lock_guard lock(mutex_);
        stats_.bad_frames += bad - counted_bad;
        counted_bad = bad;
      }
      if (!received.link_replies.empty()) detail::send_all(c.socket, received.link_replies);
      for (const auto& apdu : received.apdus) {
        const FaultPlan plan = fault();
        if (plan.kind == FaultPlan::Kind::kDropConnection) {
          std::lock_guard lock(mutex_);
          ++stats_.faults_applied;
          c.done = true;
          c.socket.shutdown();
          return;
        }
        auto responses = outstation_.handle(apdu);
        if (plan.kind == FaultPlan::Kind::kSilent) {
          std::lock_guard lock(mutex_);
          ++stats_.faults_applied;
          continue;
        }
        if (plan.kind == FaultPlan::Kind::kDelay) std::this_thread::sleep_for(plan.delay);
        for (const auto& response : responses) {
          auto bytes = channel.frame_apdu(response);
          if (plan.kind == FaultPlan::Kind::kCorruptFrames) corrupt_frames(bytes);
          if (plan.kind != FaultPlan::Kind::kNone) {
            std::lock_guard lock(mutex_);
            ++stats_.faults_applied;
          }
          detail::send_all(c.socket, bytes);
        }
      }
    }
  } catch (const std::exception&) {
    // The peer went away mid-send, or a control callback threw: this connection ends, the
    // server and the other connections carry on.
  }
  c.done = true;
}

}  // namespace ems::protocols::dnp3
