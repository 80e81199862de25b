#include "ems/protocols/dnp3/crc.hpp"

#include <array>

namespace ems::protocols::dnp3 {
namespace {

// Byte-at-a-time table for the reflected polynomial; built at compile time.
constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    std::uint16_t crc = static_cast<std::uint16_t>(i);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1U) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BCU)
                       : static_cast<std::uint16_t>(crc >> 1);
    }
    table[i] = crc;
  }
  return table;
}

constexpr auto kTable = make_table();

}  // namespace

std::uint16_t crc16_dnp(std::span<const std::uint8_t> data) noexcept {
  std::uint16_t crc = 0;
  for (std::uint8_t byte : data) {
    crc = static_cast<std::uint16_t>((crc >> 8) ^ kTable[(crc ^ byte) & 0xFFU]);
  }
  return static_cast<std::uint16_t>(~crc);
}

bool crc_matches(std::span<const std::uint8_t> block_with_crc) noexcept {
  if (block_with_crc.size() < 2) return false;
  const auto n = block_with_crc.size() - 2;
  const std::uint16_t crc = crc16_dnp(block_with_crc.first(n));
  return block_with_crc[n] == (crc & 0xFFU) && block_with_crc[n + 1] == (crc >> 8);
}

}  // namespace ems::protocols::dnp3
