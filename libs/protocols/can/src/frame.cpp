#include "ems/protocols/can/frame.hpp"

#include <cstdio>

#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can {
namespace {

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%X", v);
  return b;
}

}  // namespace

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kInvalidFrame:
      return "invalid_frame";
    case ErrorKind::kInvalidSignal:
      return "invalid_signal";
    case ErrorKind::kOutOfRange:
      return "out_of_range";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kConnection:
      return "connection";
    case ErrorKind::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

void validate(const CanFrame& frame) {
  const std::uint32_t max = frame.extended ? kMaxExtendedId : kMaxStandardId;
  if (frame.id > max) {
    throw CanError(ErrorKind::kInvalidFrame, std::string(frame.extended ? "extended" : "standard") +
                                                 " CAN id " + hex(frame.id) + " exceeds " +
                                                 hex(max));
  }
  if (frame.dlc > 8) {
    throw CanError(ErrorKind::kInvalidFrame,
                   "dlc " + std::to_string(frame.dlc) + " exceeds 8 (classic CAN)");
  }
  for (std::size_t i = frame.dlc; i < 8; ++i) {
    if (frame.data[i] != 0) {
      throw CanError(ErrorKind::kInvalidFrame, "data beyond dlc must be zero");
    }
  }
}

CanFrame make_frame(std::uint32_t id, std::span<const std::uint8_t> payload, bool extended) {
  if (payload.size() > 8) {
    throw CanError(ErrorKind::kInvalidFrame,
                   std::to_string(payload.size()) + " data bytes exceed 8 (classic CAN)");
  }
  CanFrame f;
  f.id = id;
  f.extended = extended;
  f.dlc = static_cast<std::uint8_t>(payload.size());
  for (std::size_t i = 0; i < payload.size(); ++i) f.data[i] = payload[i];
  validate(f);
  return f;
}

std::string to_string(const CanFrame& frame) {
  char buf[8 + 1 + 16 + 1];
  int n = std::snprintf(buf, sizeof(buf), frame.extended ? "%08X#" : "%03X#", frame.id);
  for (std::size_t i = 0; i < frame.dlc && i < 8; ++i) {
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<std::size_t>(n), "%02X", frame.data[i]);
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace ems::protocols::can
