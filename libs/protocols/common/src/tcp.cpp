#include "ems/protocols/net/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "ems/protocols/net/net_error.hpp"

namespace ems::protocols::net {
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
    throw NetError(NetErrorKind::kAddress, "cannot resolve " + host + ": " + gai_strerror(rc));
  }
  sockaddr_in addr{};
  std::memcpy(&addr, res->ai_addr, sizeof(addr));
  ::freeaddrinfo(res);
  addr.sin_port = htons(port);
  return addr;
}

}  // namespace

Socket connect_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  const sockaddr_in addr = resolve(host, port);
  const std::string peer = host + ":" + std::to_string(port);
  // Non-blocking only for connect, so the deadline can be enforced with poll.
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.valid()) throw NetError(NetErrorKind::kConnection, "socket: " + errno_text());
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      throw NetError(NetErrorKind::kConnection, "connect " + peer + ": " + errno_text());
    }
    pollfd p{s.fd(), POLLOUT, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (rc == 0) {
      throw NetError(NetErrorKind::kTimeout, "connect " + peer + " timed out after " +
                                                 std::to_string(timeout.count()) + " ms");
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc < 0 || err != 0) {
      throw NetError(NetErrorKind::kConnection,
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
  if (!s.valid()) throw NetError(NetErrorKind::kConnection, "socket: " + errno_text());
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw NetError(NetErrorKind::kConnection,
                   "bind " + host + ":" + std::to_string(port) + ": " + errno_text());
  }
  if (::listen(s.fd(), backlog) != 0) {
    throw NetError(NetErrorKind::kConnection, "listen: " + errno_text());
  }
  return s;
}

}  // namespace ems::protocols::net
