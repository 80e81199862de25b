#pragma once
// Streaming link-layer decoder for a byte stream (TCP delivers frames in arbitrary chunks).
//
// Bytes that cannot start a frame are skipped until the next 05 64; a frame with a bad header
// CRC or LEN is skipped one byte at a time (its LEN cannot be trusted); a frame with a good header
// but a bad data block CRC is dropped whole. Nothing throws: every rejection is counted and the
// latest one is kept as a readable message.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ems/protocols/dnp3/link_frame.hpp"

namespace ems::protocols::dnp3 {

struct LinkDecoderStats {
  std::uint64_t frames = 0;           // complete, valid frames delivered
  std::uint64_t bytes_discarded = 0;  // bytes skipped while hunting for a frame start
  std::uint64_t bad_header_crc = 0;
  std::uint64_t bad_length = 0;  // LEN below 5
  std::uint64_t bad_data_crc = 0;
};

class LinkDecoder {
 public:
  // Consumes `bytes` and appends every frame completed by them to `out`.
  void feed(std::span<const std::uint8_t> bytes, std::vector<LinkFrame>& out);
  std::vector<LinkFrame> feed(std::span<const std::uint8_t> bytes);

  const LinkDecoderStats& stats() const noexcept { return stats_; }
  const std::string& last_error() const noexcept { return last_error_; }
  std::size_t buffered() const noexcept { return buffer_.size() - head_; }
  void reset() noexcept;

 private:
  void discard(std::size_t n) noexcept;

  std::vector<std::uint8_t> buffer_;
  std::size_t head_ = 0;  // first unconsumed byte of buffer_
  LinkDecoderStats stats_;
  std::string last_error_;
};

}  // namespace ems::protocols::dnp3
