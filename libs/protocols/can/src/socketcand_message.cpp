#include "ems/protocols/can/socketcand_message.hpp"

#include <cstdio>
#include <vector>

#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can {
namespace {

[[noreturn]] void fail(std::string_view message, const std::string& why) {
  std::string shown(message.substr(0, 64));
  for (char& c : shown) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  throw CanError(ErrorKind::kProtocol, "socketcand message '" + shown +
                                           (message.size() > 64 ? "...'" : "'") + ": " + why);
}

std::vector<std::string_view> tokens(std::string_view body) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && body[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < body.size() && body[i] != ' ') ++i;
    if (i > start) out.push_back(body.substr(start, i - start));
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Hex number of 1..max_digits digits; nullopt otherwise.
std::optional<std::uint32_t> parse_hex(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<std::uint32_t>(d);
  }
  return v;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

CanFrame parse_id(std::string_view message, std::string_view token) {
  const auto id = parse_hex(token, 8);
  if (!id) fail(message, "CAN id '" + std::string(token) + "' is not 1..8 hex digits");
  CanFrame f;
  f.id = *id;
  f.extended = token.size() == 8;
  if (f.id > (f.extended ? kMaxExtendedId : kMaxStandardId)) {
    fail(message, "CAN id '" + std::string(token) + "' out of range");
  }
  return f;
}

void parse_frame(std::string_view message, const std::vector<std::string_view>& t,
                 SocketcandMessage& m) {
  if (t.size() < 3) fail(message, "frame needs an id and a timestamp");
  m.frame = parse_id(message, t[1]);
  const std::size_t dot = t[2].find('.');
  const auto secs = parse_decimal(t[2].substr(0, dot), 12);
  const auto usecs =
      dot == std::string_view::npos ? std::nullopt : parse_decimal(t[2].substr(dot + 1), 6);
  if (!secs || !usecs || t[2].size() - dot - 1 != 6) {
    fail(message, "timestamp '" + std::string(t[2]) + "' is not seconds.microseconds");
  }
  m.timestamp = std::chrono::microseconds(static_cast<std::int64_t>(*secs * 1000000 + *usecs));
  std::size_t n = 0;
  for (std::size_t i = 3; i < t.size(); ++i) {
    if (t[i].size() % 2 != 0) fail(message, "data '" + std::string(t[i]) + "' has odd length");
    for (std::size_t j = 0; j < t[i].size(); j += 2) {
      const auto byte = parse_hex(t[i].substr(j, 2), 2);
      if (!byte) fail(message, "data '" + std::string(t[i]) + "' is not hex");
      if (n == 8) fail(message, "more than 8 data bytes");
      m.frame.data[n++] = static_cast<std::uint8_t>(*byte);
    }
  }
  m.frame.dlc = static_cast<std::uint8_t>(n);
}

void parse_send(std::string_view message, const std::vector<std::string_view>& t,
                SocketcandMessage& m) {
  if (t.size() < 3) fail(message, "send needs an id and a dlc");
  m.frame = parse_id(message, t[1]);
  const auto dlc = parse_decimal(t[2], 1);
  if (!dlc || *dlc > 8) fail(message, "dlc '" + std::string(t[2]) + "' is not 0..8");
  if (t.size() - 3 != *dlc) {
    fail(message,
         "dlc " + std::to_string(*dlc) + " but " + std::to_string(t.size() - 3) + " data bytes");
  }
  for (std::size_t i = 0; i < *dlc; ++i) {
    const auto byte = parse_hex(t[3 + i], 2);
    if (!byte) fail(message, "data byte '" + std::string(t[3 + i]) + "' is not 1..2 hex digits");
    m.frame.data[i] = static_cast<std::uint8_t>(*byte);
  }
  m.frame.dlc = static_cast<std::uint8_t>(*dlc);
}

bool valid_bus_name(std::string_view s) {
  if (s.empty() || s.size() > 16) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void append_id(std::string& out, const CanFrame& f) {
  char b[16];
  std::snprintf(b, sizeof(b), f.extended ? "%08X" : "%03X", f.id);
  out += b;
}

}  // namespace

SocketcandMessage parse_message(std::string_view message) {
  if (message.size() > kMaxMessageLength) fail(message, "longer than 256 bytes");
  if (message.size() < 4 || message.substr(0, 2) != "< " ||
      message.substr(message.size() - 2) != " >") {
    fail(message, "not framed as '< ... >'");
  }
  const std::string_view body = message.substr(2, message.size() - 4);
  for (char c : body) {
    if (c < 0x20 || c > 0x7E || c == '<' || c == '>')
      fail(message, "non-printable or nested '<'/'>'");
  }
  const auto t = tokens(body);
  if (t.empty()) fail(message, "empty message");
  SocketcandMessage m;
  const std::string_view cmd = t[0];
  auto no_args = [&](SocketcandMessage::Kind kind) {
    if (t.size() != 1) fail(message, std::string(cmd) + " takes no arguments");
    m.kind = kind;
  };
  if (cmd == "hi") {
    no_args(SocketcandMessage::Kind::kHi);
  } else if (cmd == "ok") {
    no_args(SocketcandMessage::Kind::kOk);
  } else if (cmd == "rawmode") {
    no_args(SocketcandMessage::Kind::kRawMode);
  } else if (cmd == "bcmmode") {
    no_args(SocketcandMessage::Kind::kBcmMode);
  } else if (cmd == "echo") {
    no_args(SocketcandMessage::Kind::kEcho);
  } else if (cmd == "error") {
    m.kind = SocketcandMessage::Kind::kError;
    const std::size_t at = body.find("error") + 5;
    std::string_view text = body.substr(at);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    m.text = std::string(text);
  } else if (cmd == "open") {
    if (t.size() != 2 || !valid_bus_name(t[1])) {
      fail(message, "open needs one bus name of 1..16 characters [A-Za-z0-9_.-]");
    }
    m.kind = SocketcandMessage::Kind::kOpen;
    m.text = std::string(t[1]);
  } else if (cmd == "frame") {
    m.kind = SocketcandMessage::Kind::kFrame;
    parse_frame(message, t, m);
  } else if (cmd == "send") {
    m.kind = SocketcandMessage::Kind::kSend;
    parse_send(message, t, m);
  } else {
    fail(message, "unknown command '" + std::string(cmd.substr(0, 32)) + "'");
  }
  return m;
}

std::string format_message(const SocketcandMessage& m) {
  std::string out = "< ";
  char b[32];
  switch (m.kind) {
    case SocketcandMessage::Kind::kHi:
      out += "hi";
      break;
    case SocketcandMessage::Kind::kOk:
      out += "ok";
      break;
    case SocketcandMessage::Kind::kRawMode:
      out += "rawmode";
      break;
    case SocketcandMessage::Kind::kBcmMode:
      out += "bcmmode";
      break;
    case SocketcandMessage::Kind::kEcho:
      out += "echo";
      break;
    case SocketcandMessage::Kind::kError:
      out += "error " + m.text;
      break;
    case SocketcandMessage::Kind::kOpen:
      out += "open " + m.text;
      break;
    case SocketcandMessage::Kind::kFrame: {
      out += "frame ";
      append_id(out, m.frame);
      const auto us = m.timestamp.count();
      std::snprintf(b, sizeof(b), " %lld.%06lld ", static_cast<long long>(us / 1000000),
                    static_cast<long long>(us % 1000000));
      out += b;
      for (std::size_t i = 0; i < m.frame.dlc; ++i) {
        std::snprintf(b, sizeof(b), "%02X", m.frame.data[i]);
        out += b;
      }
      break;
    }
    case SocketcandMessage::Kind::kSend: {
      out += "send ";
      append_id(out, m.frame);
      out += " " + std::to_string(m.frame.dlc);
      for (std::size_t i = 0; i < m.frame.dlc; ++i) {
        std::snprintf(b, sizeof(b), " %02X", m.frame.data[i]);
        out += b;
      }
      break;
    }
  }
  out += " >";
  return out;
}

SocketcandMessage frame_message(const CanFrame& frame, std::chrono::microseconds timestamp) {
  SocketcandMessage m;
  m.kind = SocketcandMessage::Kind::kFrame;
  m.frame = frame;
  m.timestamp = timestamp;
  return m;
}

SocketcandMessage send_message(const CanFrame& frame) {
  SocketcandMessage m;
  m.kind = SocketcandMessage::Kind::kSend;
  m.frame = frame;
  return m;
}

void MessageSplitter::feed(std::string_view bytes) {
  buffer_.append(bytes);
}

std::optional<std::string> MessageSplitter::next() {
  std::size_t start = 0;
  while (start < buffer_.size() && (buffer_[start] == ' ' || buffer_[start] == '\n' ||
                                    buffer_[start] == '\r' || buffer_[start] == '\t')) {
    ++start;
  }
  buffer_.erase(0, start);
  if (buffer_.empty()) return std::nullopt;
  if (buffer_[0] != '<') {
    const std::string shown = buffer_.substr(0, 16);
    buffer_.clear();
    fail(shown, "bytes outside '< ... >'");
  }
  const std::size_t end = buffer_.find('>');
  if (end == std::string::npos) {
    if (buffer_.size() > kMaxMessageLength) {
      buffer_.clear();
      throw CanError(ErrorKind::kProtocol,
                     "socketcand message longer than 256 bytes without closing '>'");
    }
    return std::nullopt;
  }
  std::string message = buffer_.substr(0, end + 1);
  buffer_.erase(0, end + 1);
  return message;
}

}  // namespace ems::protocols::can
