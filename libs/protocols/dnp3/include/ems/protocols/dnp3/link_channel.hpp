#pragma once
// One end of a DNP3 association over a byte stream: frames outgoing APDUs (transport segments in
// unconfirmed user data frames) and turns incoming bytes back into APDUs, answering the link
// layer's own requests (reset link, test link, request link status) itself. Pure - the caller
// moves the bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "ems/protocols/dnp3/link_decoder.hpp"
#include "ems/protocols/dnp3/transport.hpp"

namespace ems::protocols::dnp3 {

struct LinkChannelConfig {
  bool is_master = true;
  std::uint16_t local_address = 1;
  // Outstation side: nullopt accepts any master and answers whoever sent the last frame.
  std::optional<std::uint16_t> remote_address = 1024;
  std::size_t max_apdu = kDefaultMaxApdu;
};

struct LinkChannelStats {
  std::uint64_t frames_ignored = 0;  // wrong destination, source or direction
  std::uint64_t link_requests = 0;   // reset/test/status requests answered
};

class LinkChannel {
 public:
  explicit LinkChannel(LinkChannelConfig config);

  // Bytes to write for one APDU (one frame per transport segment).
  std::vector<std::uint8_t> frame_apdu(std::span<const std::uint8_t> apdu);

  struct Received {
    std::vector<std::vector<std::uint8_t>> apdus;  // complete application fragments
    std::vector<std::uint8_t> link_replies;        // bytes to write back at once
  };
  Received receive(std::span<const std::uint8_t> bytes);

  const LinkDecoderStats& decoder_stats() const noexcept { return decoder_.stats(); }
  const TransportStats& transport_stats() const noexcept { return transport_.stats(); }
  const LinkChannelStats& stats() const noexcept { return stats_; }
  const std::string& last_link_error() const noexcept { return decoder_.last_error(); }

 private:
  LinkChannelConfig config_;
  std::uint16_t remote_;
  LinkDecoder decoder_;
  TransportReassembler transport_;
  std::uint8_t transport_seq_ = 0;
  LinkChannelStats stats_;
};

}  // namespace ems::protocols::dnp3
