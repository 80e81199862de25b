#pragma once
// TcpServer: the accept loop shared by the simulated protocol servers (DNP3 outstation, Modbus,
// socketcand). It listens on one address, runs every accepted connection on its own thread
// through a handler, refuses connections beyond max_connections (accepted, then closed at once,
// so the client sees a reset rather than a hang in the backlog), and joins finished threads.
//
// The protocol lives entirely in the handler: it reads and writes TcpConnection::socket() until
// the peer closes, it decides to drop the connection, or serving() turns false. When the handler
// returns the connection counts as finished and its socket is shut down; it is closed when the
// accept loop reaps it. The handler should catch its own errors; one that escapes only ends
// that connection.
//
// stop() closes the listener, shuts every connection's socket down (which wakes a handler
// blocked in poll/recv) and joins all threads; it is idempotent and also run by the destructor.

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ems/protocols/net/socket.hpp"

namespace ems::protocols::net {

struct TcpServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = an ephemeral port, see TcpServer::port()
  int backlog = 16;
  std::size_t max_connections = 16;
};

struct TcpServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;  // over max_connections
};

// One accepted connection, as its handler sees it.
class TcpConnection {
 public:
  TcpConnection(Socket socket, const std::atomic<bool>& running)
      : socket_(std::move(socket)), running_(running) {}

  Socket& socket() noexcept { return socket_; }
  // False once the server is stopping: the handler should return.
  bool serving() const noexcept { return running_; }

 private:
  Socket socket_;
  const std::atomic<bool>& running_;
};

class TcpServer {
 public:
  using Handler = std::function<void(TcpConnection&)>;

  TcpServer(TcpServerConfig config, Handler handler);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Binds and starts accepting. Throws NetError if the address does not resolve or is taken.
  // Does nothing when already running.
  void start();
  void stop();

  bool running() const noexcept { return running_; }
  std::uint16_t port() const noexcept { return port_; }  // valid after start()
  std::size_t active_connections() const;
  TcpServerStats stats() const;

 private:
  struct Connection;
  void accept_loop();
  void admit(Socket client);
  void reap_finished();
  std::size_t active_count_locked() const;

  TcpServerConfig config_;
  Handler handler_;
  Socket listener_;
  std::uint16_t port_ = 0;
  std::atomic<bool> running_{false};
  std::thread acceptor_;
  mutable std::mutex mutex_;  // guards connections_, stats_
  std::list<std::unique_ptr<Connection>> connections_;
  TcpServerStats stats_;
};

}  // namespace ems::protocols::net
