#include "ems/protocols/dnp3/app_header.hpp"

#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {

std::string_view to_string(FunctionCode fc) noexcept {
  switch (fc) {
    case FunctionCode::kConfirm:
      return "CONFIRM";
    case FunctionCode::kRead:
      return "READ";
    case FunctionCode::kWrite:
      return "WRITE";
    case FunctionCode::kSelect:
      return "SELECT";
    case FunctionCode::kOperate:
      return "OPERATE";
    case FunctionCode::kDirectOperate:
      return "DIRECT_OPERATE";
    case FunctionCode::kDirectOperateNoAck:
      return "DIRECT_OPERATE_NR";
    case FunctionCode::kResponse:
      return "RESPONSE";
    case FunctionCode::kUnsolicitedResponse:
      return "UNSOLICITED_RESPONSE";
  }
  return "UNKNOWN";
}

bool is_response(FunctionCode fc) noexcept {
  return fc == FunctionCode::kResponse || fc == FunctionCode::kUnsolicitedResponse;
}

std::uint8_t AppControl::byte() const noexcept {
  return static_cast<std::uint8_t>((fir ? 0x80U : 0U) | (fin ? 0x40U : 0U) | (con ? 0x20U : 0U) |
                                   (uns ? 0x10U : 0U) | (seq & 0x0FU));
}

AppControl AppControl::from_byte(std::uint8_t b) noexcept {
  return AppControl{(b & 0x80U) != 0, (b & 0x40U) != 0, (b & 0x20U) != 0, (b & 0x10U) != 0,
                    static_cast<std::uint8_t>(b & 0x0FU)};
}

ApduHeader decode_apdu_header(std::span<const std::uint8_t> apdu) {
  if (apdu.size() < 2) {
    throw Dnp3Error(ErrorKind::kTruncated, "APDU shorter than its 2-byte header");
  }
  ApduHeader h;
  h.control = AppControl::from_byte(apdu[0]);
  h.function = static_cast<FunctionCode>(apdu[1]);
  if (is_response(h.function)) {
    if (apdu.size() < 4) {
      throw Dnp3Error(ErrorKind::kTruncated, "response APDU shorter than its 4-byte header");
    }
    h.iin = Iin{apdu[2], apdu[3]};
  }
  return h;
}

}  // namespace ems::protocols::dnp3
