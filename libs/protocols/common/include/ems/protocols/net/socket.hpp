#pragma once
// Socket: sole owner of one POSIX socket file descriptor; closes it on destruction.
//
// Move-only. shutdown() is the one operation meant for another thread: it wakes a thread blocked
// in poll/recv on this socket (which then sees end of stream) without closing the descriptor
// under it. Code that keeps a raw fd elsewhere may wrap it for a call and release() it after.

#include <cstdint>

namespace ems::protocols::net {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) noexcept : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  int fd() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  // Gives up ownership: returns the fd (or -1) and leaves this Socket empty.
  int release() noexcept;
  void close() noexcept;
  void shutdown() noexcept;

  // The bound local port (host byte order); 0 if the socket is not bound.
  std::uint16_t local_port() const noexcept;

 private:
  int fd_ = -1;
};

}  // namespace ems::protocols::net
