#pragma once
// CanTransport: the one interface the gateway's CAN driver talks to, whatever carries the
// frames - a socketcand TCP connection (tests, remote buses) or a local SocketCAN interface
// (real hardware). Implementations are not thread-safe; one owner thread.

#include <chrono>
#include <optional>

#include "ems/protocols/can/frame.hpp"

namespace ems::protocols::can {

class CanTransport {
 public:
  virtual ~CanTransport() = default;

  // Connects/binds to the bus. Throws CanError (kConnection, kTimeout, kProtocol, kUnavailable).
  virtual void open() = 0;
  virtual bool is_open() const noexcept = 0;
  // Transmits one frame. Throws CanError(kInvalidFrame) for an invalid frame, kConnection when
  // the transport is gone.
  virtual void send(const CanFrame& frame) = 0;
  // The next received frame, or nullopt when none arrives within `timeout`.
  virtual std::optional<CanFrame> receive(std::chrono::milliseconds timeout) = 0;
  virtual void close() noexcept = 0;
};

}  // namespace ems::protocols::can
