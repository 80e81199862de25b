#pragma once
// Minimal POSIX TCP helpers with deadlines, used by the master client and the outstation server.
// Errors throw Dnp3Error(kConnection) or (kTimeout) naming the peer and the errno text.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

namespace ems::protocols::dnp3::detail {

// Owns a file descriptor; closes it on destruction.
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

void send_all(const Socket& s, std::span<const std::uint8_t> data);

// Waits up to `timeout` for data. Returns bytes read (> 0), 0 when the peer closed, or -1 on
// timeout. Throws Dnp3Error(kConnection) on a socket error.
long receive_some(const Socket& s, std::span<std::uint8_t> buffer,
                  std::chrono::milliseconds timeout);

// True when the socket becomes readable (or has an error) within `timeout`.
bool wait_readable(const Socket& s, std::chrono::milliseconds timeout);

}  // namespace ems::protocols::dnp3::detail
