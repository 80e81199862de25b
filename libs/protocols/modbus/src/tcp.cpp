#include "tcp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ems/protocols/modbus/error.hpp"

namespace ems::protocols::modbus::detail {

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

Socket listen_tcp(const std::string& host, std::uint16_t port, int backlog) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw ModbusError(ErrorKind::kInvalidArgument, "bind address " + host + " is not IPv4");
  }
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid())
    throw ModbusError(ErrorKind::kConnection, std::string("socket: ") + strerror(errno));
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw ModbusError(ErrorKind::kConnection,
                      "bind " + host + ":" + std::to_string(port) + ": " + strerror(errno));
  }
  if (::listen(s.fd(), backlog) != 0) {
    throw ModbusError(ErrorKind::kConnection, std::string("listen: ") + strerror(errno));
  }
  return s;
}

std::uint16_t local_port(const Socket& s) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  ::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

void send_all(const Socket& s, std::span<const std::uint8_t> data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(s.fd(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ModbusError(ErrorKind::kConnection, std::string("send: ") + strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
}

bool wait_readable(const Socket& s, std::chrono::milliseconds timeout) {
  pollfd p{s.fd(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(std::max<long>(0, timeout.count()))) > 0;
}

long receive_some(const Socket& s, std::span<std::uint8_t> buffer,
                  std::chrono::milliseconds timeout) {
  if (!wait_readable(s, timeout)) return -1;
  const ssize_t n = ::recv(s.fd(), buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return -1;
    throw ModbusError(ErrorKind::kConnection, std::string("recv: ") + strerror(errno));
  }
  return static_cast<long>(n);
}

}  // namespace ems::protocols::modbus::detail
