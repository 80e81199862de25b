#include "ems/protocols/can/socketcand_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <deque>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_message.hpp"
#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp_server.hpp"
#include "net_error.hpp"

namespace ems::protocols::can {

using namespace std::chrono_literals;

namespace {

enum class Mode { kNoBus, kBcm, kRaw };

std::string error_message(std::string_view why) {
  SocketcandMessage m;
  m.kind = SocketcandMessage::Kind::kError;
  // The reason quotes the client's message; '<' and '>' would break the framing.
  for (char c : why.substr(0, 200)) m.text += (c == '<' || c == '>') ? '"' : c;
  return format_message(m);
}

std::string simple(SocketcandMessage::Kind kind) {
  SocketcandMessage m;
  m.kind = kind;
  return format_message(m);
}

}  // namespace

// One client's session: the socketcand state and the outgoing queue. It lives on the stack of
// serve() and is listed in connections_ while it runs, so publish() can reach it. The wake pipe
// interrupts the connection's poll when frames are queued or the fault plan changes.
struct SocketcandServer::Connection {
  explicit Connection(net::TcpConnection& tcp) : tcp(tcp), socket(tcp.socket()) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
      wake_read = fds[0];
      wake_write = fds[1];
    }
  }
  ~Connection() {
    if (wake_read >= 0) ::close(wake_read);
    if (wake_write >= 0) ::close(wake_write);
  }
  void wake() const {
    const char x = 'x';
    [[maybe_unused]] const ssize_t n = ::write(wake_write, &x, 1);  // full pipe: already woken
  }

  net::TcpConnection& tcp;
  net::Socket& socket;
  int wake_read = -1;
  int wake_write = -1;
  bool close_after_flush = false;  // connection thread only
  std::mutex queue_mutex;          // guards queue, mode, bus
  std::deque<std::string> queue;
  Mode mode = Mode::kNoBus;
  std::string bus;
};

SocketcandServer::SocketcandServer(SocketcandServerConfig config)
    : config_(std::move(config)),
      server_(std::make_unique<net::TcpServer>(
          net::TcpServerConfig{config_.bind_address, config_.port, 16, config_.max_connections},
          [this](net::TcpConnection& tcp) { serve(tcp); })) {
  if (config_.buses.empty()) {
    throw CanError(ErrorKind::kConnection, "socketcand server needs at least one bus");
  }
}

SocketcandServer::~SocketcandServer() {
  stop();
}

void SocketcandServer::start() {
  try {
    server_->start();
  } catch (const net::NetError& e) {
    throw detail::to_can_error(e);
  }
  port_ = server_->port();
}

void SocketcandServer::stop() {
  // Shutting the sockets down ends every session's poll; their threads are joined here.
  server_->stop();
}

void SocketcandServer::set_send_callback(SendCallback callback) {
  std::lock_guard lock(mutex_);
  on_send_ = std::move(callback);
}

void SocketcandServer::set_fault(FaultPlan plan) {
  std::lock_guard lock(mutex_);
  fault_ = plan;
  // Woken connections re-check the plan, so drop_connection also closes idle connections.
  for (auto& c : connections_) c->wake();
}

FaultPlan SocketcandServer::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

SocketcandServerStats SocketcandServer::stats() const {
  const net::TcpServerStats tcp = server_->stats();
  std::lock_guard lock(mutex_);
  SocketcandServerStats out = stats_;
  out.accepted = tcp.accepted;
  out.refused = tcp.refused;
  return out;
}

std::size_t SocketcandServer::active_connections() const {
  return server_->active_connections();
}

std::size_t SocketcandServer::raw_clients() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : connections_) {
    std::lock_guard q(c->queue_mutex);
    n += c->mode == Mode::kRaw ? 1 : 0;
  }
  return n;
}

void SocketcandServer::count(std::uint64_t SocketcandServerStats::*field, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  stats_.*field += n;
}

void SocketcandServer::publish(const CanFrame& frame) {
  publish(config_.buses.front(), frame);
}

void SocketcandServer::publish(const std::string& bus, const CanFrame& frame) {
  validate(frame);
  broadcast(bus, frame, nullptr);
}

void SocketcandServer::broadcast(const std::string& bus, const CanFrame& frame,
                                 const Connection* except) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const std::string message = format_message(frame_message(frame, now));
  std::lock_guard lock(mutex_);
  for (auto& c : connections_) {
    if (c == except) continue;
    {
      std::lock_guard q(c->queue_mutex);
      if (c->mode != Mode::kRaw || c->bus != bus) continue;
      if (c->queue.size() >= config_.max_queued_messages) {
        c->queue.pop_front();
        ++stats_.dropped;
      }
      c->queue.push_back(message);
    }
    ++stats_.frames_published;
    c->wake();
  }
}

void SocketcandServer::enqueue(Connection& c, std::string message) {
  std::lock_guard q(c.queue_mutex);
  c.queue.push_back(std::move(message));
}

// Sends everything queued, applying the fault plan. Throws CanError(kConnection) to end the
// connection (send failure or drop_connection).
void SocketcandServer::flush(Connection& c) {
  std::deque<std::string> out;
  {
    std::lock_guard q(c.queue_mutex);
    out.swap(c.queue);
  }
  const FaultPlan plan = fault();
  if (plan.kind == FaultPlan::Kind::drop_connection) {
    count(&SocketcandServerStats::faults_applied);
    throw CanError(ErrorKind::kConnection, "fault: drop_connection");
  }
  if (out.empty()) return;
  if (plan.kind != FaultPlan::Kind::none) count(&SocketcandServerStats::faults_applied);
  if (plan.kind == FaultPlan::Kind::silent) return;
  if (plan.kind == FaultPlan::Kind::delay) std::this_thread::sleep_for(plan.delay);
  std::string bytes;
  for (auto& m : out) {
    if (plan.kind == FaultPlan::Kind::malformed) m.insert(m.size() - 2, " zz");
    bytes += m;
  }
  net::send_all(c.socket, bytes);
}

void SocketcandServer::reply(Connection& c, const std::string& message) {
  enqueue(c, message);
}

void SocketcandServer::on_message(Connection& c, const std::string& text) {
  SocketcandMessage m;
  try {
    m = parse_message(text);
  } catch (const CanError& e) {
    count(&SocketcandServerStats::protocol_errors);
    reply(c, error_message(e.what()));
    return;
  }
  Mode mode;
  std::string bus;
  {
    std::lock_guard q(c.queue_mutex);
    mode = c.mode;
    bus = c.bus;
  }
  auto set_mode = [&](Mode next, const std::string& name) {
    std::lock_guard q(c.queue_mutex);
    c.mode = next;
    c.bus = name;
  };
  using Kind = SocketcandMessage::Kind;
  switch (m.kind) {
    case Kind::kOpen:
      if (mode != Mode::kNoBus) {
        reply(c, error_message("bus " + bus + " already open"));
      } else if (std::find(config_.buses.begin(), config_.buses.end(), m.text) ==
                 config_.buses.end()) {
        reply(c, error_message("could not open bus " + m.text));
        c.close_after_flush = true;  // socketcand terminates the connection
      } else {
        set_mode(Mode::kBcm, m.text);
        reply(c, simple(Kind::kOk));
      }
      return;
    case Kind::kRawMode:
    case Kind::kBcmMode:
      if (mode == Mode::kNoBus) {
        reply(c, error_message("no bus open"));
        return;
      }
      set_mode(m.kind == Kind::kRawMode ? Mode::kRaw : Mode::kBcm, bus);
      reply(c, simple(Kind::kOk));
      return;
    case Kind::kEcho:
      reply(c, simple(Kind::kEcho));
      return;
    case Kind::kSend: {
      if (mode == Mode::kNoBus) {
        reply(c, error_message("no bus open"));
        return;
      }
      count(&SocketcandServerStats::frames_received);
      SendCallback callback;
      {
        std::lock_guard lock(mutex_);
        callback = on_send_;
      }
      if (callback) {
        try {
          callback(bus, m.frame);
        } catch (const std::exception& e) {
          reply(c, error_message(std::string("send rejected: ") + e.what()));
          return;
        }
      }
      broadcast(bus, m.frame, &c);
      return;
    }
    default:
      count(&SocketcandServerStats::protocol_errors);
      reply(c, error_message("unknown command"));
      return;
  }
}

void SocketcandServer::serve(net::TcpConnection& tcp) {
  Connection c(tcp);
  {
    std::lock_guard lock(mutex_);
    connections_.push_back(&c);
  }
  run(c);  // never throws
  std::lock_guard lock(mutex_);
  connections_.remove(&c);
}

void SocketcandServer::run(Connection& c) {
  MessageSplitter splitter;
  std::array<char, 2048> buffer{};
  std::array<char, 64> drain{};
  try {
    reply(c, simple(SocketcandMessage::Kind::kHi));
    flush(c);
    while (c.tcp.serving() && !c.close_after_flush) {
      pollfd fds[2] = {{c.socket.fd(), POLLIN, 0}, {c.wake_read, POLLIN, 0}};
      if (::poll(fds, 2, 100) <= 0) continue;
      if (fds[1].revents & POLLIN) {
        while (::read(c.wake_read, drain.data(), drain.size()) > 0) {
        }
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        const long n = net::receive_some(c.socket, buffer, 0ms);
        if (n == 0) break;
        if (n > 0) {
          splitter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
          while (auto text = splitter.next()) {
            if (fault().kind == FaultPlan::Kind::drop_connection) {
              count(&SocketcandServerStats::faults_applied);
              throw CanError(ErrorKind::kConnection, "fault: drop_connection");
            }
            on_message(c, *text);
          }
        }
      }
      flush(c);
    }
  } catch (const CanError& e) {
    if (e.kind() == ErrorKind::kProtocol) count(&SocketcandServerStats::protocol_errors);
  } catch (...) {
    // Peer gone mid-send: this connection ends, the others carry on. Nothing may escape, or
    // serve() would leave this session listed after it is gone.
  }
}

}  // namespace ems::protocols::can
