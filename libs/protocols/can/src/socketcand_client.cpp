#include "ems/protocols/can/socketcand_client.hpp"

#include <array>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp.hpp"
#include "net_error.hpp"

namespace ems::protocols::can {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

}  // namespace

SocketcandClient::SocketcandClient(SocketcandClientConfig config) : config_(std::move(config)) {}

SocketcandClient::~SocketcandClient() {
  close();
}

void SocketcandClient::close() noexcept {
  net::Socket(fd_).close();
  fd_ = -1;
  splitter_ = MessageSplitter();
}

void SocketcandClient::write(const std::string& message) {
  if (fd_ < 0) throw CanError(ErrorKind::kConnection, "socketcand client is not open");
  net::Socket view(fd_);
  try {
    net::send_all(view, message);
  } catch (const net::NetError& e) {
    view.release();
    close();
    throw detail::to_can_error(e);
  }
  view.release();
}

std::optional<SocketcandMessage> SocketcandClient::next_message(Clock::time_point deadline) {
  std::array<char, 2048> buffer{};
  while (true) {
    std::optional<std::string> text;
    try {
      text = splitter_.next();
    } catch (const CanError&) {
      close();  // bytes outside "< >": the stream cannot be resynchronised
      throw;
    }
    if (text) return parse_message(*text);
    if (fd_ < 0) throw CanError(ErrorKind::kConnection, "socketcand client is not open");
    net::Socket view(fd_);
    long n = 0;
    try {
      n = net::receive_some(view, buffer, remaining(deadline));
    } catch (const net::NetError& e) {
      view.release();
      close();
      throw detail::to_can_error(e);
    }
    view.release();
    if (n == 0) {
      close();
      throw CanError(ErrorKind::kConnection, "socketcand server " + config_.host + ":" +
                                                 std::to_string(config_.port) +
                                                 " closed the connection");
    }
    if (n < 0) {
      if (Clock::now() >= deadline) return std::nullopt;
      continue;
    }
    splitter_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
}

ReceivedFrame SocketcandClient::accept_frame(const SocketcandMessage& m) {
  ReceivedFrame r{m.frame, m.timestamp};
  latest_[{m.frame.id, m.frame.extended}] = r;
  if (on_frame_) on_frame_(r);
  return r;
}

void SocketcandClient::expect_ok(const char* step, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto m = next_message(deadline);
    if (!m) {
      close();
      throw CanError(ErrorKind::kTimeout, std::string("socketcand ") + step +
                                              ": no answer within " +
                                              std::to_string(timeout.count()) + " ms");
    }
    if (m->kind == SocketcandMessage::Kind::kOk) return;
    if (m->kind == SocketcandMessage::Kind::kFrame) {
      accept_frame(*m);  // frames may race ahead of the "ok" of rawmode
      continue;
    }
    close();
    if (m->kind == SocketcandMessage::Kind::kError) {
      throw CanError(ErrorKind::kProtocol,
                     std::string("socketcand ") + step + " refused: " + m->text);
    }
    throw CanError(ErrorKind::kProtocol, std::string("socketcand ") + step +
                                             ": expected '< ok >', got '" + format_message(*m) +
                                             "'");
  }
}

void SocketcandClient::open() {
  if (is_open()) return;
  try {
    fd_ = net::connect_tcp(config_.host, config_.port, config_.timeout).release();
  } catch (const net::NetError& e) {
    throw detail::to_can_error(e);
  }
  const auto deadline = Clock::now() + config_.timeout;
  auto hi = next_message(deadline);
  if (!hi || hi->kind != SocketcandMessage::Kind::kHi) {
    close();
    throw CanError(hi ? ErrorKind::kProtocol : ErrorKind::kTimeout,
                   hi ? "socketcand greeting: expected '< hi >', got '" + format_message(*hi) + "'"
                      : "socketcand greeting: no '< hi >' within " +
                            std::to_string(config_.timeout.count()) + " ms");
  }
  SocketcandMessage open;
  open.kind = SocketcandMessage::Kind::kOpen;
  open.text = config_.bus;
  write(format_message(open));
  expect_ok(("open " + config_.bus).c_str(), config_.timeout);
  SocketcandMessage raw;
  raw.kind = SocketcandMessage::Kind::kRawMode;
  write(format_message(raw));
  expect_ok("rawmode", config_.timeout);
}

void SocketcandClient::send(const CanFrame& frame) {
  validate(frame);
  write(format_message(send_message(frame)));
}

std::optional<ReceivedFrame> SocketcandClient::handle(const SocketcandMessage& m) {
  switch (m.kind) {
    case SocketcandMessage::Kind::kFrame:
      return accept_frame(m);
    case SocketcandMessage::Kind::kError:
      last_error_ = m.text;
      return std::nullopt;
    case SocketcandMessage::Kind::kEcho:
      echo_seen_ = true;
      return std::nullopt;
    default:
      throw CanError(ErrorKind::kProtocol,
                     "socketcand: unexpected '" + format_message(m) + "' in RAW mode");
  }
}

std::optional<ReceivedFrame> SocketcandClient::receive_timed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    auto m = next_message(deadline);
    if (!m) return std::nullopt;
    if (auto frame = handle(*m)) return frame;
  }
}

std::optional<CanFrame> SocketcandClient::receive(std::chrono::milliseconds timeout) {
  auto r = receive_timed(timeout);
  if (!r) return std::nullopt;
  return r->frame;
}

std::size_t SocketcandClient::pump(std::chrono::milliseconds duration) {
  const auto deadline = Clock::now() + duration;
  std::size_t n = 0;
  while (receive_timed(remaining(deadline))) ++n;
  return n;
}

std::optional<ReceivedFrame> SocketcandClient::latest(std::uint32_t id, bool extended) const {
  auto it = latest_.find({id, extended});
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

void SocketcandClient::set_frame_callback(std::function<void(const ReceivedFrame&)> callback) {
  on_frame_ = std::move(callback);
}

bool SocketcandClient::echo(std::chrono::milliseconds timeout) {
  echo_seen_ = false;
  SocketcandMessage m;
  m.kind = SocketcandMessage::Kind::kEcho;
  write(format_message(m));
  const auto deadline = Clock::now() + timeout;
  while (!echo_seen_) {
    auto next = next_message(deadline);
    if (!next) return false;
    handle(*next);
  }
  return true;
}

}  // namespace ems::protocols::can
