#include "ems/protocols/dnp3/outstation_server.hpp"

#include <array>

#include "ems/protocols/dnp3/link_channel.hpp"
#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp_server.hpp"
#include "net_error.hpp"

namespace ems::protocols::dnp3 {

using namespace std::chrono_literals;

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
    : outstation_(outstation),
      config_(std::move(config)),
      server_(std::make_unique<net::TcpServer>(
          net::TcpServerConfig{config_.bind_address, config_.port, 16, config_.max_connections},
          [this](net::TcpConnection& c) { serve(c); })) {}

OutstationServer::~OutstationServer() {
  stop();
}

void OutstationServer::start() {
  try {
    server_->start();
  } catch (const net::NetError& e) {
    throw detail::to_dnp3_error(e);
  }
  port_ = server_->port();
}

void OutstationServer::stop() {
  server_->stop();
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
  const net::TcpServerStats tcp = server_->stats();
  std::lock_guard lock(mutex_);
  OutstationServerStats out = stats_;
  out.accepted = tcp.accepted;
  out.refused = tcp.refused;
  return out;
}

std::size_t OutstationServer::active_connections() const {
  return server_->active_connections();
}

void OutstationServer::serve(net::TcpConnection& c) {
  LinkChannel channel(
      LinkChannelConfig{false, config_.link_address, config_.master_address, kDefaultMaxApdu});
  std::array<std::uint8_t, 4096> buffer{};
  std::uint64_t counted_bad = 0;
  try {
    while (c.serving()) {
      const long n = net::receive_some(c.socket(), buffer, 100ms);
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
      if (!received.link_replies.empty()) net::send_all(c.socket(), received.link_replies);
      for (const auto& apdu : received.apdus) {
        const FaultPlan plan = fault();
        if (plan.kind == FaultPlan::Kind::kDropConnection) {
          std::lock_guard lock(mutex_);
          ++stats_.faults_applied;
          return;  // the server closes the connection
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
          net::send_all(c.socket(), bytes);
        }
      }
    }
  } catch (const std::exception&) {
    // The peer went away mid-send, or a control callback threw: this connection ends, the
    // server and the other connections carry on.
  }
}

}  // namespace ems::protocols::dnp3
