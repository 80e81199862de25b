#pragma once
// socketcand server for the simulated site: speaks the daemon's TCP text protocol so the
// gateway's SocketcandClient (or any socketcand client, e.g. python-can's socketcand interface)
// can attach to a simulated CAN bus without kernel CAN support.
//
// Per connection: "< hi >", then "< open BUS >" (an unknown bus gets "< error ... >" and the
// connection is closed, as socketcand does), "< rawmode >"/"< bcmmode >" -> "< ok >",
// "< echo >" echoed, "< send ... >" handed to the SendCallback and forwarded to the other RAW
// clients of that bus (a real bus shows a node's frame to every other node). A malformed or
// unsupported command gets "< error reason >" and the connection stays open; bytes outside
// "< >" or an over-long message close it.
//
// The site model calls publish(frame) (typically periodically); the frame goes to every RAW
// client of the bus as "< frame ID SECS.USECS DATA >". One thread per connection (bounded by
// max_connections); outgoing messages are queued per connection (bounded, oldest dropped) so a
// slow client never blocks the model.
//
// FaultPlan (read for every message, changeable at any time, kind none restores service):
//   silent          - nothing is sent (no greeting, no replies, no frames); input is still read
//   drop_connection - every connection is closed at once (new ones right after accept)
//   delay           - replies and frames leave `delay` late
//   malformed       - every message goes out with an extra "zz" token (bad hex in frames,
//                     arguments on "< ok >"), which a strict client rejects

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ems/protocols/can/frame.hpp"
#include "ems/protocols/fault.hpp"

namespace ems::protocols::net {
class TcpConnection;
class TcpServer;
}  // namespace ems::protocols::net

namespace ems::protocols::can {

struct SocketcandServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 29536;  // 0 = an ephemeral port, see SocketcandServer::port()
  std::vector<std::string> buses{"vcan0"};
  std::size_t max_connections = 16;
  std::size_t max_queued_messages = 1024;  // per connection
};

struct SocketcandServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  std::uint64_t frames_published = 0;  // frame messages queued to clients
  std::uint64_t frames_received = 0;   // valid "< send >" from clients
  std::uint64_t protocol_errors = 0;   // malformed/unsupported client messages
  std::uint64_t dropped = 0;           // messages dropped from full queues
  std::uint64_t faults_applied = 0;
};

// (bus, frame) for every valid "< send >".
using SendCallback = std::function<void(const std::string& bus, const CanFrame& frame)>;

class SocketcandServer {
 public:
  explicit SocketcandServer(SocketcandServerConfig config);
  ~SocketcandServer();
  SocketcandServer(const SocketcandServer&) = delete;
  SocketcandServer& operator=(const SocketcandServer&) = delete;

  // Throws CanError(kConnection) if the address is taken.
  void start();
  void stop();  // idempotent
  std::uint16_t port() const noexcept { return port_; }

  void set_send_callback(SendCallback callback);
  // Broadcasts to the RAW clients of `bus` (default: the first configured bus). Throws
  // CanError(kInvalidFrame) for an invalid frame. Thread-safe, never blocks on a client.
  void publish(const CanFrame& frame);
  void publish(const std::string& bus, const CanFrame& frame);

  void set_fault(FaultPlan plan);
  FaultPlan fault() const;
  SocketcandServerStats stats() const;
  std::size_t active_connections() const;
  std::size_t raw_clients() const;  // connections in RAW mode

 private:
  struct Connection;
  void serve(net::TcpConnection& tcp);
  void run(Connection& c);
  void on_message(Connection& c, const std::string& text);
  void reply(Connection& c, const std::string& message);
  void flush(Connection& c);
  void enqueue(Connection& c, std::string message);
  void broadcast(const std::string& bus, const CanFrame& frame, const Connection* except);
  void count(std::uint64_t SocketcandServerStats::*field, std::uint64_t n = 1);

  SocketcandServerConfig config_;
  std::uint16_t port_ = 0;
  std::unique_ptr<net::TcpServer> server_;  // accept loop and connection threads
  mutable std::mutex mutex_;                // guards connections_, fault_, stats_, on_send_
  std::list<Connection*> connections_;      // live sessions, owned by their serve() call
  FaultPlan fault_;
  SocketcandServerStats stats_;
  SendCallback on_send_;
};

}  // namespace ems::protocols::can
