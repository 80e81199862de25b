#pragma once
// DNP3 transport function (IEEE 1815 clause 8): one header byte FIN(0x80) FIR(0x40) SEQ(6 bits)
// in front of each link frame's user data, so an APDU (up to 2048 bytes) travels as a series of
// segments of at most 249 bytes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ems::protocols::dnp3 {

inline constexpr std::size_t kMaxSegmentPayload = 249;
inline constexpr std::size_t kDefaultMaxApdu = 2048;

struct TransportHeader {
  bool fin = true;
  bool fir = true;
  std::uint8_t seq = 0;  // 0..63

  std::uint8_t byte() const noexcept;
  static TransportHeader from_byte(std::uint8_t b) noexcept;
  bool operator==(const TransportHeader&) const = default;
};

// Splits `apdu` into segments (header byte + payload), numbering them from `next_seq`, which is
// advanced past the last one. An empty APDU still yields one segment.
std::vector<std::vector<std::uint8_t>> segment_apdu(std::span<const std::uint8_t> apdu,
                                                    std::uint8_t& next_seq);

struct TransportStats {
  std::uint64_t segments = 0;
  std::uint64_t apdus = 0;
  std::uint64_t discarded_segments = 0;  // no FIR, wrong sequence, empty, or oversize
};

// Rebuilds APDUs from segments of one peer. A FIR segment always starts a new APDU (dropping an
// unfinished one); a segment out of sequence drops the APDU in progress; an APDU larger than
// `max_apdu` is dropped.
class TransportReassembler {
 public:
  explicit TransportReassembler(std::size_t max_apdu = kDefaultMaxApdu) : max_apdu_(max_apdu) {}

  // Returns the APDU completed by this segment, if any.
  std::optional<std::vector<std::uint8_t>> push(std::span<const std::uint8_t> segment);

  const TransportStats& stats() const noexcept { return stats_; }
  void reset() noexcept;

 private:
  std::size_t max_apdu_;
  std::vector<std::uint8_t> apdu_;
  bool in_progress_ = false;
  std::uint8_t expected_seq_ = 0;
  TransportStats stats_;
};

}  // namespace ems::protocols::dnp3
