#include "ems/protocols/dnp3/transport.hpp"

namespace ems::protocols::dnp3 {

std::uint8_t TransportHeader::byte() const noexcept {
  return static_cast<std::uint8_t>((fin ? 0x80U : 0U) | (fir ? 0x40U : 0U) | (seq & 0x3FU));
}

TransportHeader TransportHeader::from_byte(std::uint8_t b) noexcept {
  return TransportHeader{(b & 0x80U) != 0, (b & 0x40U) != 0, static_cast<std::uint8_t>(b & 0x3FU)};
}

std::vector<std::vector<std::uint8_t>> segment_apdu(std::span<const std::uint8_t> apdu,
                                                    std::uint8_t& next_seq) {
  std::vector<std::vector<std::uint8_t>> segments;
  std::size_t pos = 0;
  do {
    const std::size_t n = std::min(kMaxSegmentPayload, apdu.size() - pos);
    TransportHeader h{pos + n == apdu.size(), pos == 0, next_seq};
    std::vector<std::uint8_t> segment;
    segment.reserve(n + 1);
    segment.push_back(h.byte());
    segment.insert(segment.end(), apdu.begin() + static_cast<std::ptrdiff_t>(pos),
                   apdu.begin() + static_cast<std::ptrdiff_t>(pos + n));
    segments.push_back(std::move(segment));
    next_seq = static_cast<std::uint8_t>((next_seq + 1) & 0x3FU);
    pos += n;
  } while (pos < apdu.size());
  return segments;
}

void TransportReassembler::reset() noexcept {
  apdu_.clear();
  in_progress_ = false;
}

std::optional<std::vector<std::uint8_t>> TransportReassembler::push(
    std::span<const std::uint8_t> segment) {
  ++stats_.segments;
  if (segment.empty()) {
    ++stats_.discarded_segments;
    return std::nullopt;
  }
  const TransportHeader h = TransportHeader::from_byte(segment[0]);
  const auto payload = segment.subspan(1);
  if (h.fir) {
    apdu_.clear();
    in_progress_ = true;
  } else if (!in_progress_ || h.seq != expected_seq_) {
    ++stats_.discarded_segments;
    reset();
    return std::nullopt;
  }
  if (apdu_.size() + payload.size() > max_apdu_) {
    ++stats_.discarded_segments;
    reset();
    return std::nullopt;
  }
  apdu_.insert(apdu_.end(), payload.begin(), payload.end());
  expected_seq_ = static_cast<std::uint8_t>((h.seq + 1) & 0x3FU);
  if (!h.fin) return std::nullopt;
  in_progress_ = false;
  ++stats_.apdus;
  std::vector<std::uint8_t> done;
  done.swap(apdu_);
  return done;
}

}  // namespace ems::protocols::dnp3
