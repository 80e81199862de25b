#include "ems/protocols/net/stream_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "ems/protocols/net/net_error.hpp"

namespace ems::protocols::net {
namespace {

void send_bytes(const Socket& s, const char* data, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(s.fd(), data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw NetError(NetErrorKind::kConnection, std::string("send: ") + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
}

long receive_bytes(const Socket& s, void* buffer, std::size_t size,
                   std::chrono::milliseconds timeout) {
  if (!wait_readable(s, timeout)) return -1;
  const ssize_t n = ::recv(s.fd(), buffer, size, 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return -1;
    throw NetError(NetErrorKind::kConnection, std::string("recv: ") + std::strerror(errno));
  }
  return static_cast<long>(n);
}

}  // namespace

void send_all(const Socket& s, std::span<const std::uint8_t> data) {
  send_bytes(s, reinterpret_cast<const char*>(data.data()), data.size());
}

void send_all(const Socket& s, std::string_view data) {
  send_bytes(s, data.data(), data.size());
}

bool wait_readable(const Socket& s, std::chrono::milliseconds timeout) {
  pollfd p{s.fd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count()))) > 0;
}

long receive_some(const Socket& s, std::span<std::uint8_t> buffer,
                  std::chrono::milliseconds timeout) {
  return receive_bytes(s, buffer.data(), buffer.size(), timeout);
}

long receive_some(const Socket& s, std::span<char> buffer, std::chrono::milliseconds timeout) {
  return receive_bytes(s, buffer.data(), buffer.size(), timeout);
}

}  // namespace ems::protocols::net
