#pragma once
// SocketCAN transport for real hardware (Linux PF_CAN raw socket bound to an interface such as
// can0). open() fails with CanError(kUnavailable) and a message saying why when the kernel has
// no CAN support or the interface does not exist - the case on CI hosts and containers, where
// the socketcand transport is used instead.

#include <string>

#include "ems/protocols/can/transport.hpp"

namespace ems::protocols::can {

struct SocketCanConfig {
  std::string interface = "can0";
};

class SocketCanTransport final : public CanTransport {
 public:
  explicit SocketCanTransport(SocketCanConfig config) : config_(std::move(config)) {}
  ~SocketCanTransport() override { close(); }
  SocketCanTransport(const SocketCanTransport&) = delete;
  SocketCanTransport& operator=(const SocketCanTransport&) = delete;

  void open() override;
  bool is_open() const noexcept override { return fd_ >= 0; }
  void send(const CanFrame& frame) override;
  std::optional<CanFrame> receive(std::chrono::milliseconds timeout) override;
  void close() noexcept override;

 private:
  SocketCanConfig config_;
  int fd_ = -1;
};

}  // namespace ems::protocols::can
