#pragma once
// socketcand client (the gateway side): connects to a socketcand daemon (or our
// SocketcandServer), waits for "< hi >", opens the bus, switches to RAW mode, then receives
// every frame on the bus and sends frames with "< send ... >".
//
// Received frames update a latest-by-id cache (the gateway reads one consistent value per id
// per cycle) and go to an optional callback. Nothing runs in the background: frames are read
// when the owner calls receive() or pump(). Not thread-safe.
//
// Errors: kConnection (refused, closed by the server), kTimeout (handshake), kProtocol (a
// malformed or unexpected message: the message is named; the connection stays usable because
// the stream is still framed - except for garbage outside "< >", which closes it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "ems/protocols/can/socketcand_message.hpp"
#include "ems/protocols/can/transport.hpp"

namespace ems::protocols::can {

struct SocketcandClientConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 29536;  // socketcand's default
  std::string bus = "vcan0";
  std::chrono::milliseconds timeout{1000};  // connect and each handshake step
};

struct ReceivedFrame {
  CanFrame frame;
  std::chrono::microseconds timestamp{0};  // as sent by the server, since the Unix epoch
};

class SocketcandClient final : public CanTransport {
 public:
  explicit SocketcandClient(SocketcandClientConfig config);
  ~SocketcandClient() override;
  SocketcandClient(const SocketcandClient&) = delete;
  SocketcandClient& operator=(const SocketcandClient&) = delete;

  void open() override;
  bool is_open() const noexcept override { return fd_ >= 0; }
  void send(const CanFrame& frame) override;
  std::optional<CanFrame> receive(std::chrono::milliseconds timeout) override;
  void close() noexcept override;

  // receive() with the server's timestamp.
  std::optional<ReceivedFrame> receive_timed(std::chrono::milliseconds timeout);
  // Reads frames for up to `duration`; returns how many arrived.
  std::size_t pump(std::chrono::milliseconds duration);
  // Latest frame seen for an id (standard and extended ids are distinct).
  std::optional<ReceivedFrame> latest(std::uint32_t id, bool extended = false) const;
  void set_frame_callback(std::function<void(const ReceivedFrame&)> callback);
  // Round trip "< echo >"; true when the echo came back within `timeout`. Frames arriving in
  // between are cached as usual.
  bool echo(std::chrono::milliseconds timeout);
  // Text of the last "< error ... >" the server sent (RAW mode error frames, refusals).
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  // Next message within the deadline (nullopt on timeout); throws on close / bad framing.
  std::optional<SocketcandMessage> next_message(std::chrono::steady_clock::time_point deadline);
  // Frames are cached and returned; errors and echoes are noted; anything else throws.
  std::optional<ReceivedFrame> handle(const SocketcandMessage& m);
  // Caches a frame message and hands it to the callback.
  ReceivedFrame accept_frame(const SocketcandMessage& m);
  void expect_ok(const char* step, std::chrono::milliseconds timeout);
  void write(const std::string& message);

  SocketcandClientConfig config_;
  int fd_ = -1;
  MessageSplitter splitter_;
  std::map<std::pair<std::uint32_t, bool>, ReceivedFrame> latest_;
  std::function<void(const ReceivedFrame&)> on_frame_;
  std::string last_error_;
  bool echo_seen_ = false;
};

}  // namespace ems::protocols::can
