#pragma once
// POSIX TCP helpers for the socketcand client and server: an owning fd, connect with a
// deadline, listen, poll-with-timeout receive. Errors throw CanError(kConnection / kTimeout).

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ems::protocols::can::detail {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.release()) {}
  Socket& operator=(Socket&& o) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  int fd() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void close() noexcept;
  void shutdown() noexcept;  // wakes a thread blocked on this socket

 private:
  int fd_ = -1;
};

Socket connect_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
Socket listen_tcp(const std::string& host, std::uint16_t port, int backlog);
std::uint16_t local_port(const Socket& s);
void send_all(const Socket& s, std::string_view data);
bool wait_readable(const Socket& s, std::chrono::milliseconds timeout);
// Bytes read (> 0), 0 when the peer closed, -1 on timeout.
long receive_some(const Socket& s, std::span<char> buffer, std::chrono::milliseconds timeout);

}  // namespace ems::protocols::can::detail
