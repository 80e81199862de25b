#pragma once
// The socketcand text protocol (linux-can/socketcand, doc/protocol.md): every message is
// "< command args... >", messages may follow each other without separators. This is the strict
// codec for the subset the suite speaks (NO_BUS, BCM and RAW mode basics):
//
//   < hi >                         server greeting
//   < ok >                         command accepted
//   < error text... >              command refused / error frame (text kept verbatim)
//   < open vcan0 >                 select a bus (name 1..16 chars of [A-Za-z0-9_.-])
//   < rawmode >  < bcmmode >       mode switch
//   < echo >                       liveness check, echoed back
//   < frame 123 1700000000.000000 112233 >   received frame (RAW mode). Data is what the daemon
//                                  sends (one concatenated hex token) or one token per byte,
//                                  as in protocol.md; both are accepted, we emit the daemon's.
//   < send 123 3 11 22 33 >        transmit a frame: id, dlc 0..8 (decimal), dlc data bytes
//
// Ids are hex; an 8-digit id is extended (29 bit, <= 1FFFFFFF), shorter ones standard (<= 7FF),
// as socketcand itself decides. Timestamps are seconds '.' microseconds (6 digits).
// Anything else - unknown command, bad hex, wrong count, id out of range, over-long message - is
// CanError(kProtocol) with a message saying what and where.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ems/protocols/can/frame.hpp"

namespace ems::protocols::can {

inline constexpr std::size_t kMaxMessageLength = 256;  // including "< " and " >"

struct SocketcandMessage {
  enum class Kind { kHi, kOk, kError, kOpen, kRawMode, kBcmMode, kEcho, kFrame, kSend };
  Kind kind = Kind::kOk;
  std::string text;                        // kOpen: bus name; kError: the error text
  CanFrame frame;                          // kFrame, kSend
  std::chrono::microseconds timestamp{0};  // kFrame: since the Unix epoch

  bool operator==(const SocketcandMessage&) const = default;
};

// Parses one complete "< ... >" message.
SocketcandMessage parse_message(std::string_view message);
// Formats a message the way socketcand does (uppercase hex, 3/8-digit ids).
std::string format_message(const SocketcandMessage& message);

// Convenience constructors.
SocketcandMessage frame_message(const CanFrame& frame, std::chrono::microseconds timestamp);
SocketcandMessage send_message(const CanFrame& frame);

// Cuts a TCP byte stream into "< ... >" messages. Whitespace between messages is skipped;
// any other byte outside a message, or a message longer than kMaxMessageLength, throws
// CanError(kProtocol) - the stream cannot be trusted after that, close the connection.
class MessageSplitter {
 public:
  void feed(std::string_view bytes);
  std::optional<std::string> next();
  std::size_t buffered() const noexcept { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace ems::protocols::can
