#pragma once
// Little-endian byte cursor used by the application layer codec. Every read checks the remaining
// length first and throws Dnp3Error(kTruncated) naming what was being read, so a malformed APDU
// can never read out of bounds.

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3::detail {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  std::size_t position() const noexcept { return pos_; }
  bool empty() const noexcept { return remaining() == 0; }

  void need(std::size_t n, const char* what) const {
    if (remaining() < n) {
      throw Dnp3Error(ErrorKind::kTruncated, std::string(what) + " needs " + std::to_string(n) +
                                                 " bytes at offset " + std::to_string(pos_) + ", " +
                                                 std::to_string(remaining()) + " left");
    }
  }
  std::span<const std::uint8_t> take(std::size_t n, const char* what) {
    need(n, what);
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint8_t u8(const char* what) { return take(1, what)[0]; }
  std::uint16_t u16(const char* what) {
    auto b = take(2, what);
    return static_cast<std::uint16_t>(b[0] | (b[1] << 8));
  }
  std::uint32_t u32(const char* what) {
    auto b = take(4, what);
    return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
           (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  std::uint64_t u48(const char* what) {
    auto b = take(6, what);
    std::uint64_t v = 0;
    for (int i = 5; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
    return v;
  }
  std::uint64_t u64(const char* what) {
    std::uint64_t lo = u32(what);
    std::uint64_t hi = u32(what);
    return lo | (hi << 32);
  }
  float f32(const char* what) { return std::bit_cast<float>(u32(what)); }
  double f64(const char* what) { return std::bit_cast<double>(u64(what)); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v & 0xFFU));
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u48(std::uint64_t v) {
    for (int i = 0; i < 6; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace ems::protocols::dnp3::detail
