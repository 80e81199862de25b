#pragma once
// Test helper: a loopback UDP relay that sits between a client and an agent and records every
// datagram, then writes them as a pcap (LINKTYPE_RAW, IPv4/UDP) so tshark can dissect the
// exchange without capture privileges. One client at a time (the last sender is the client).

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ems::protocols::snmp::test {

class UdpRecorder {
 public:
  struct Datagram {
    bool from_client;
    std::vector<std::uint8_t> bytes;
  };

  explicit UdpRecorder(std::uint16_t agent_port) : agent_port_(agent_port) {
    front_ = open_socket(&port_);
    std::uint16_t ignored = 0;
    back_ = open_socket(&ignored);
    thread_ = std::thread([this] { relay(); });
  }
  ~UdpRecorder() {
    running_ = false;
    thread_.join();
    ::close(front_);
    ::close(back_);
  }

  std::uint16_t port() const { return port_; }
  std::vector<Datagram> datagrams() const {
    std::lock_guard lock(mutex_);
    return datagrams_;
  }

  // Client shown as 127.0.0.1:40001, agent as 127.0.0.1:<server_port>.
  void write_pcap(const std::string& path, std::uint16_t server_port) const {
    std::ofstream out(path, std::ios::binary);
    auto put = [&](std::uint32_t v, int n) { out.write(reinterpret_cast<const char*>(&v), n); };
    put(0xA1B2C3D4, 4);
    put(2, 2);
    put(4, 2);
    put(0, 4);
    put(0, 4);
    put(65535, 4);
    put(101, 4);  // LINKTYPE_RAW
    std::uint32_t tick = 0;
    std::uint16_t id = 1;
    for (const Datagram& d : datagrams()) {
      const std::size_t total = 28 + d.bytes.size();
      std::vector<std::uint8_t> p(total, 0);
      auto be16 = [&](std::size_t at, std::uint32_t v) {
        p[at] = static_cast<std::uint8_t>(v >> 8);
        p[at + 1] = static_cast<std::uint8_t>(v);
      };
      p[0] = 0x45;
      be16(2, static_cast<std::uint32_t>(total));
      be16(4, id++);
      p[8] = 64;
      p[9] = 17;  // UDP
      be16(12, 0x7F00);
      be16(14, 0x0001);
      be16(16, 0x7F00);
      be16(18, 0x0001);
      std::uint32_t sum = 0;
      for (std::size_t i = 0; i < 20; i += 2) sum += (p[i] << 8) | p[i + 1];
      while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
      be16(10, ~sum & 0xFFFF);
      be16(20, d.from_client ? 40001 : server_port);
      be16(22, d.from_client ? server_port : 40001);
      be16(24, static_cast<std::uint32_t>(8 + d.bytes.size()));  // checksum 0 = none (IPv4)
      std::copy(d.bytes.begin(), d.bytes.end(), p.begin() + 28);
      tick += 1000;
      put(1764150000 + tick / 1000000, 4);
      put(tick % 1000000, 4);
      put(static_cast<std::uint32_t>(total), 4);
      put(static_cast<std::uint32_t>(total), 4);
      out.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(total));
    }
  }

 private:
  static int open_socket(std::uint16_t* port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    *port = ntohs(a.sin_port);
    return fd;
  }

  void relay() {
    sockaddr_in client{};
    sockaddr_in agent{};
    agent.sin_family = AF_INET;
    agent.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    agent.sin_port = htons(agent_port_);
    std::vector<std::uint8_t> buf(65536);
    while (running_) {
      pollfd fds[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        socklen_t len = sizeof client;
        const auto n = ::recvfrom(front_, buf.data(), buf.size(), 0,
                                  reinterpret_cast<sockaddr*>(&client), &len);
        if (n > 0) {
          record(true, n, buf);
          ::sendto(back_, buf.data(), static_cast<std::size_t>(n), 0,
                   reinterpret_cast<sockaddr*>(&agent), sizeof agent);
        }
      }
      if (fds[1].revents & POLLIN) {
        const auto n = ::recv(back_, buf.data(), buf.size(), 0);
        if (n > 0) {
          record(false, n, buf);
          ::sendto(front_, buf.data(), static_cast<std::size_t>(n), 0,
                   reinterpret_cast<sockaddr*>(&client), sizeof client);
        }
      }
    }
  }

  void record(bool from_client, ssize_t n, const std::vector<std::uint8_t>& buf) {
    std::lock_guard lock(mutex_);
    datagrams_.push_back({from_client, {buf.begin(), buf.begin() + n}});
  }

  std::uint16_t agent_port_;
  std::uint16_t port_ = 0;
  int front_ = -1;
  int back_ = -1;
  std::atomic<bool> running_{true};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Datagram> datagrams_;
};

}  // namespace ems::protocols::snmp::test
