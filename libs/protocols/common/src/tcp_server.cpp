#include "ems/protocols/net/tcp_server.hpp"

#include <sys/socket.h>

#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp.hpp"

namespace ems::protocols::net {

using namespace std::chrono_literals;

struct TcpServer::Connection {
  Connection(Socket socket, const std::atomic<bool>& running) : tcp(std::move(socket), running) {}

  TcpConnection tcp;
  std::thread thread;
  std::atomic<bool> done{false};
};

TcpServer::TcpServer(TcpServerConfig config, Handler handler)
    : config_(std::move(config)), handler_(std::move(handler)) {}

TcpServer::~TcpServer() {
  stop();
}

void TcpServer::start() {
  if (running_) return;
  listener_ = listen_tcp(config_.bind_address, config_.port, config_.backlog);
  port_ = listener_.local_port();
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void TcpServer::stop() {
  if (!running_.exchange(false)) return;
  if (acceptor_.joinable()) acceptor_.join();
  listener_.close();
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(connections_);
  }
  for (auto& c : all) c->tcp.socket().shutdown();
  for (auto& c : all) {
    if (c->thread.joinable()) c->thread.join();
  }
}

std::size_t TcpServer::active_connections() const {
  std::lock_guard lock(mutex_);
  return active_count_locked();
}

TcpServerStats TcpServer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t TcpServer::active_count_locked() const {
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->done ? 0 : 1;
  return n;
}

void TcpServer::accept_loop() {
  while (running_) {
    reap_finished();
    // A short poll lets stop() be noticed without closing the fd under accept().
    if (!wait_readable(listener_, 100ms)) continue;
    Socket client(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    if (client.valid()) admit(std::move(client));
  }
}

void TcpServer::admit(Socket client) {
  std::lock_guard lock(mutex_);
  if (active_count_locked() >= config_.max_connections) {
    ++stats_.refused;
    return;  // destroying `client` closes it: the refusal
  }
  ++stats_.accepted;
  auto conn = std::make_unique<Connection>(std::move(client), running_);
  Connection& ref = *conn;
  connections_.push_back(std::move(conn));
  ref.thread = std::thread([this, &ref] {
    try {
      handler_(ref.tcp);
    } catch (...) {
      // Handlers catch their own errors; this only keeps a stray one from ending the process.
    }
    ref.done = true;
    ref.tcp.socket().shutdown();
  });
}

void TcpServer::reap_finished() {
  std::list<std::unique_ptr<Connection>> finished;
  {
    std::lock_guard lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->done) {
        finished.push_back(std::move(*it));
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : finished) c->thread.join();
}

}  // namespace ems::protocols::net
