#pragma once
// A classic CAN 2.0 data frame: 11-bit (standard) or 29-bit (extended) identifier, 0..8 data
// bytes. Bytes beyond dlc are kept zero so frames compare by value.

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace ems::protocols::can {

inline constexpr std::uint32_t kMaxStandardId = 0x7FF;
inline constexpr std::uint32_t kMaxExtendedId = 0x1FFFFFFF;

struct CanFrame {
  std::uint32_t id = 0;
  bool extended = false;
  std::uint8_t dlc = 0;
  std::array<std::uint8_t, 8> data{};

  std::span<const std::uint8_t> payload() const noexcept { return {data.data(), dlc}; }
  bool operator==(const CanFrame&) const = default;
};

// Builds a frame; throws CanError(kInvalidFrame) for an id beyond 0x7FF/0x1FFFFFFF or more
// than 8 bytes.
CanFrame make_frame(std::uint32_t id, std::span<const std::uint8_t> payload, bool extended = false);
// Same checks for a frame built by hand (id range, dlc <= 8, zero bytes beyond dlc).
void validate(const CanFrame& frame);

// candump style: "123#112233", "1ABCDEF0#" (extended ids printed with 8 digits).
std::string to_string(const CanFrame& frame);

}  // namespace ems::protocols::can
