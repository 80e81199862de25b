#include "ems/protocols/can/socketcan_transport.hpp"

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ems/protocols/can/error.hpp"

namespace ems::protocols::can {

void SocketCanTransport::open() {
  if (is_open()) return;
  const std::string& name = config_.interface;
  if (name.empty() || name.size() >= IFNAMSIZ) {
    throw CanError(ErrorKind::kUnavailable, "SocketCAN interface name '" + name + "' must be 1.." +
                                                std::to_string(IFNAMSIZ - 1) + " characters");
  }
  const int fd = ::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC, CAN_RAW);
  if (fd < 0) {
    const int err = errno;
    throw CanError(ErrorKind::kUnavailable,
                   "SocketCAN unavailable: socket(PF_CAN, SOCK_RAW, CAN_RAW) failed: " +
                       std::string(std::strerror(err)) +
                       (err == EAFNOSUPPORT ? " (kernel without CAN support: modprobe can_raw, or "
                                              "use the socketcand transport)"
                                            : ""));
  }
  const unsigned index = ::if_nametoindex(name.c_str());
  if (index == 0) {
    const int err = errno;
    ::close(fd);
    throw CanError(ErrorKind::kUnavailable,
                   "SocketCAN interface '" + name + "' not found: " + std::strerror(err));
  }
  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = static_cast<int>(index);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    throw CanError(ErrorKind::kUnavailable,
                   "SocketCAN bind to '" + name + "' failed: " + std::strerror(err));
  }
  fd_ = fd;
}

void SocketCanTransport::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SocketCanTransport::send(const CanFrame& frame) {
  validate(frame);
  if (!is_open()) throw CanError(ErrorKind::kConnection, "SocketCAN transport is not open");
  can_frame raw{};
  raw.can_id = frame.id | (frame.extended ? CAN_EFF_FLAG : 0u);
  raw.can_dlc = frame.dlc;
  std::copy(frame.data.begin(), frame.data.begin() + frame.dlc, raw.data);
  if (::write(fd_, &raw, sizeof(raw)) != static_cast<ssize_t>(sizeof(raw))) {
    throw CanError(ErrorKind::kConnection,
                   "SocketCAN write on " + config_.interface + ": " + std::strerror(errno));
  }
}

std::optional<CanFrame> SocketCanTransport::receive(std::chrono::milliseconds timeout) {
  if (!is_open()) throw CanError(ErrorKind::kConnection, "SocketCAN transport is not open");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count()))) <= 0) return std::nullopt;
    can_frame raw{};
    const ssize_t n = ::read(fd_, &raw, sizeof(raw));
    if (n != static_cast<ssize_t>(sizeof(raw))) {
      throw CanError(ErrorKind::kConnection,
                     "SocketCAN read on " + config_.interface + ": " + std::strerror(errno));
    }
    // Error and remote frames carry no signal data; skip them.
    if (raw.can_id & (CAN_ERR_FLAG | CAN_RTR_FLAG)) continue;
    CanFrame f;
    f.extended = (raw.can_id & CAN_EFF_FLAG) != 0;
    f.id = raw.can_id & (f.extended ? CAN_EFF_MASK : CAN_SFF_MASK);
    f.dlc = std::min<std::uint8_t>(raw.can_dlc, 8);
    std::copy(raw.data, raw.data + f.dlc, f.data.begin());
    return f;
  }
}

}  // namespace ems::protocols::can
