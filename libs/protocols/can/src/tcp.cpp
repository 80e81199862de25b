#include "tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can::detail {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

sockaddr_in resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    throw CanError(ErrorKind::kConnection, "cannot resolve " + host + ": " + gai_strerror(rc));
  }
  sockaddr_in addr{};
  std::memcpy(&addr, res->ai_addr, sizeof(addr));
  ::freeaddrinfo(res);
  addr.sin_port = htons(port);
  return addr;
}

}  // namespace

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.release();
  }
  return *this;
}

int Socket::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Socket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void Socket::shutdown() noexcept {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

Socket connect_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  const sockaddr_in addr = resolve(host, port);
  const std::string peer = host + ":" + std::to_string(port);
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) throw CanError(ErrorKind::kConnection, "socket: " + errno_text());
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      throw CanError(ErrorKind::kConnection, "connect " + peer + ": " + errno_text());
    }
    pollfd p{s.fd(), POLLOUT, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) {
      throw CanError(ErrorKind::kTimeout, "connect " + peer + " timed out after " +
                                              std::to_string(timeout.count()) + " ms");
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc < 0 || err != 0) {
      throw CanError(ErrorKind::kConnection,
                     "connect " + peer + ": " + std::strerror(err != 0 ? err : errno));
    }
  }
  const int flags = ::fcntl(s.fd(), F_GETFL);
  ::fcntl(s.fd(), F_SETFL, flags & ~O_NONBLOCK);
  const int one = 1;
  ::setsockopt(s.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return s;
}

Socket listen_tcp(const std::string& host, std::uint16_t port, int backlog) {
  const sockaddr_in addr = resolve(host, port);
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) throw CanError(ErrorKind::kConnection, "socket: " + errno_text());
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw CanError(ErrorKind::kConnection,
                   "bind " + host + ":" + std::to_string(port) + ": " + errno_text());
  }
  if (::listen(s.fd(), backlog) != 0) {
    throw CanError(ErrorKind::kConnection, "listen: " + errno_text());
  }
  return s;
}

std::uint16_t local_port(const Socket& s) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

void send_all(const Socket& s, std::string_view data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(s.fd(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw CanError(ErrorKind::kConnection, "send: " + errno_text());
    }
    sent += static_cast<std::size_t>(n);
  }
}

bool wait_readable(const Socket& s, std::chrono::milliseconds timeout) {
  pollfd p{s.fd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count()))) > 0;
}

long receive_some(const Socket& s, std::span<char> buffer, std::chrono::milliseconds timeout) {
  if (!wait_readable(s, timeout)) return -1;
  const ssize_t n = ::recv(s.fd(), buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return -1;
    throw CanError(ErrorKind::kConnection, "recv: " + errno_text());
  }
  return static_cast<long>(n);
}

}  // namespace ems::protocols::can::detail
