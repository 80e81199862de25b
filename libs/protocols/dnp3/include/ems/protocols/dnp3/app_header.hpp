#pragma once
// DNP3 application layer header (IEEE 1815 clause 4.2.2): application control byte
// FIR(0x80) FIN(0x40) CON(0x20) UNS(0x10) SEQ(4 bits), function code, and - in responses only -
// the two internal indication (IIN) bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ems::protocols::dnp3 {

enum class FunctionCode : std::uint8_t {
  kConfirm = 0,
  kRead = 1,
  kWrite = 2,
  kSelect = 3,
  kOperate = 4,
  kDirectOperate = 5,
  kDirectOperateNoAck = 6,
  kResponse = 129,
  kUnsolicitedResponse = 130,
};

std::string_view to_string(FunctionCode fc) noexcept;
bool is_response(FunctionCode fc) noexcept;

struct AppControl {
  bool fir = true;
  bool fin = true;
  bool con = false;      // the sender asks for an application confirm
  bool uns = false;      // unsolicited response (or its confirm)
  std::uint8_t seq = 0;  // 0..15

  std::uint8_t byte() const noexcept;
  static AppControl from_byte(std::uint8_t b) noexcept;
  bool operator==(const AppControl&) const = default;
};

// Internal indications. IIN1 is the first byte on the wire, IIN2 the second.
struct Iin {
  std::uint8_t iin1 = 0;
  std::uint8_t iin2 = 0;
  bool operator==(const Iin&) const = default;
};

namespace iin1 {
inline constexpr std::uint8_t kAllStations = 0x01;
inline constexpr std::uint8_t kClass1Events = 0x02;
inline constexpr std::uint8_t kClass2Events = 0x04;
inline constexpr std::uint8_t kClass3Events = 0x08;
inline constexpr std::uint8_t kNeedTime = 0x10;
inline constexpr std::uint8_t kLocalControl = 0x20;
inline constexpr std::uint8_t kDeviceTrouble = 0x40;
inline constexpr std::uint8_t kDeviceRestart = 0x80;
}  // namespace iin1

namespace iin2 {
inline constexpr std::uint8_t kNoFunctionCodeSupport = 0x01;
inline constexpr std::uint8_t kObjectUnknown = 0x02;
inline constexpr std::uint8_t kParameterError = 0x04;
inline constexpr std::uint8_t kEventBufferOverflow = 0x08;
inline constexpr std::uint8_t kAlreadyExecuting = 0x10;
inline constexpr std::uint8_t kConfigCorrupt = 0x20;
}  // namespace iin2

struct ApduHeader {
  AppControl control;
  FunctionCode function = FunctionCode::kRead;
  std::optional<Iin> iin;  // present exactly when `function` is a response
  std::size_t size() const noexcept { return iin ? 4 : 2; }
};

// Reads the header at the front of an APDU. Throws Dnp3Error(kTruncated) when too short; an
// unknown function code is returned as is so the caller can answer "function not supported".
ApduHeader decode_apdu_header(std::span<const std::uint8_t> apdu);

}  // namespace ems::protocols::dnp3
