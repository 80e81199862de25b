#pragma once
// DNP3 CRC-16 (IEEE 1815 clause 9.2.3.2): polynomial 0x3D65, processed bit-reflected (0xA6BC),
// initial value 0, final one's complement. On the wire the CRC is sent low byte first.

#include <cstdint>
#include <span>

namespace ems::protocols::dnp3 {

std::uint16_t crc16_dnp(std::span<const std::uint8_t> data) noexcept;

// True when `block` ends with the little-endian CRC of the bytes before it.
bool crc_matches(std::span<const std::uint8_t> block_with_crc) noexcept;

}  // namespace ems::protocols::dnp3
