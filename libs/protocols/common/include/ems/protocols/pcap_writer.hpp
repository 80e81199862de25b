#pragma once
// PcapWriter: writes one TCP conversation between 127.0.0.1:client_port and
// 127.0.0.1:server_port as a pcap file (LINKTYPE_RAW, IPv4), so the bytes a protocol client or
// server exchanged can be handed to tshark/Wireshark without capture privileges (tests,
// diagnostics). Protocol-agnostic: the caller reports each write and its direction. Emits the
// three-way handshake, one segment per observed write with correct sequence/ack numbers and
// checksums, and a FIN exchange.

#include <arpa/inet.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace ems::protocols {

class PcapWriter {
 public:
  PcapWriter(const std::string& path, std::uint16_t client_port, std::uint16_t server_port)
      : out_(path, std::ios::binary), cport_(client_port), sport_(server_port) {
    put32(0xA1B2C3D4);
    put16(2);
    put16(4);
    put32(0);
    put32(0);
    put32(65535);
    put32(101);  // LINKTYPE_RAW
    segment(true, kSyn, {});
    segment(false, kSyn | kAck, {});
    segment(true, kAck, {});
  }
  ~PcapWriter() {
    segment(true, kFin | kAck, {});
    segment(false, kFin | kAck, {});
    segment(true, kAck, {});
  }

  void data(bool from_client, std::span<const std::uint8_t> payload) {
    segment(from_client, kPsh | kAck, payload);
  }

 private:
  static constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

  void put16(std::uint16_t v) { out_.write(reinterpret_cast<const char*>(&v), 2); }
  void put32(std::uint32_t v) { out_.write(reinterpret_cast<const char*>(&v), 4); }

  static std::uint16_t checksum(const std::vector<std::uint8_t>& b, std::size_t from,
                                std::size_t len, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < len; i += 2) sum += (b[from + i] << 8) | b[from + i + 1];
    if (len % 2) sum += b[from + len - 1] << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
  }

  void segment(bool from_client, std::uint8_t tcp_flags, std::span<const std::uint8_t> payload) {
    std::uint32_t& seq = from_client ? cseq_ : sseq_;
    const std::uint32_t ack = from_client ? sseq_ : cseq_;
    const std::size_t total = 40 + payload.size();
    std::vector<std::uint8_t> p(total, 0);
    auto be16 = [&](std::size_t at, std::uint16_t v) {
      p[at] = static_cast<std::uint8_t>(v >> 8);
      p[at + 1] = static_cast<std::uint8_t>(v);
    };
    auto be32 = [&](std::size_t at, std::uint32_t v) {
      be16(at, static_cast<std::uint16_t>(v >> 16));
      be16(at + 2, static_cast<std::uint16_t>(v));
    };
    p[0] = 0x45;
    be16(2, static_cast<std::uint16_t>(total));
    be16(4, ip_id_++);
    p[6] = 0x40;  // don't fragment
    p[8] = 64;
    p[9] = 6;
    be32(12, 0x7F000001);
    be32(16, 0x7F000001);
    be16(10, checksum(p, 0, 20));
    be16(20, from_client ? cport_ : sport_);
    be16(22, from_client ? sport_ : cport_);
    be32(24, seq);
    be32(28, (tcp_flags & kAck) ? ack : 0);
    p[32] = 0x50;
    p[33] = tcp_flags;
    be16(34, 65535);
    std::copy(payload.begin(), payload.end(), p.begin() + 40);
    // TCP checksum over the pseudo header (addresses, protocol, length) and the segment.
    const std::uint32_t pseudo =
        0x7F00 + 0x0001 + 0x7F00 + 0x0001 + 6 + static_cast<std::uint32_t>(20 + payload.size());
    be16(36, checksum(p, 20, 20 + payload.size(), pseudo));
    seq += static_cast<std::uint32_t>(payload.size()) + ((tcp_flags & (kSyn | kFin)) ? 1 : 0);

    const auto us = (tick_us_ += 1000);
    put32(static_cast<std::uint32_t>(1764150000 + us / 1000000));
    put32(static_cast<std::uint32_t>(us % 1000000));
    put32(static_cast<std::uint32_t>(total));
    put32(static_cast<std::uint32_t>(total));
    out_.write(reinterpret_cast<const char*>(p.data()), static_cast<std::streamsize>(total));
  }

  std::ofstream out_;
  std::uint16_t cport_, sport_;
  std::uint32_t cseq_ = 1000, sseq_ = 5000;
  std::uint16_t ip_id_ = 1;
  std::uint64_t tick_us_ = 0;
};

}  // namespace ems::protocols
