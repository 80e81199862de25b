#include "ems/protocols/can/socketcand_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <deque>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_message.hpp"
#include "tcp.hpp"

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

struct SocketcandServer::Connection {
  Connection() {
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

  detail::Socket socket;
  int wake_read = -1;
  int wake_write = -1;
  std::thread thread;
  std::atomic<bool> done{false};
  bool close_after_flush = false;  // connection thread only
  std::mutex queue_mutex;          // guards queue, mode, bus
  std::deque<std::string> queue;
  Mode mode = Mode::kNoBus;
  std::string bus;
};

SocketcandServer::SocketcandServer(SocketcandServerConfig config) : config_(std::move(config)) {
  if (config_.buses.empty()) {
    throw CanError(ErrorKind::kConnection, "socketcand server needs at least one bus");
  }
}

SocketcandServer::~SocketcandServer() {
  stop();
}

void SocketcandServer::start() {
  if (running_) return;
  detail::Socket listener = detail::listen_tcp(config_.bind_address, config_.port, 16);
  port_ = detail::local_port(listener);
  listen_fd_ = listener.release();
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void SocketcandServer::stop() {
  if (!running_.exchange(false)) return;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<Connection>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(connections_);
  }
  for (auto& c : all) {
    c->socket.shutdown();
    c->wake();
  }
  for (auto& c : all) {
    if (c->thread.joinable()) c->thread.join();
  }
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
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t SocketcandServer::active_connections() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : connections_) n += c->done ? 0 : 1;
  return n;
}

std::size_t SocketcandServer::raw_clients() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& c : connections_) {
    std::lock_guard q(c->queue_mutex);
    n += (!c->done && c->mode == Mode::kRaw) ? 1 : 0;
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
    if (c.get() == except || c->done) continue;
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

void SocketcandServer::reap_finished() {
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

void SocketcandServer::accept_loop() {
  detail::Socket listener_view(listen_fd_);
  while (running_) {
    reap_finished();
    if (!detail::wait_readable(listener_view, 100ms)) continue;
    detail::Socket client(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (!client.valid()) continue;
    std::lock_guard lock(mutex_);
    std::size_t active = 0;
    for (const auto& c : connections_) active += c->done ? 0 : 1;
    if (active >= config_.max_connections) {
      ++stats_.refused;
      continue;
    }
    ++stats_.accepted;
    auto conn = std::make_unique<Connection>();
    conn->socket = std::move(client);
    Connection& ref = *conn;
    connections_.push_back(std::move(conn));
    ref.thread = std::thread([this, &ref] { serve(ref); });
  }
  listener_view.release();
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
  detail::send_all(c.socket, bytes);
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

void SocketcandServer::serve(Connection& c) {
  MessageSplitter splitter;
  std::array<char, 2048> buffer{};
  std::array<char, 64> drain{};
  try {
    reply(c, simple(SocketcandMessage::Kind::kHi));
    flush(c);
    while (running_ && !c.close_after_flush) {
      pollfd fds[2] = {{c.socket.fd(), POLLIN, 0}, {c.wake_read, POLLIN, 0}};
      if (::poll(fds, 2, 100) <= 0) continue;
      if (fds[1].revents & POLLIN) {
        while (::read(c.wake_read, drain.data(), drain.size()) > 0) {
        }
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        const long n = detail::receive_some(c.socket, buffer, 0ms);
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
  } catch (const std::exception&) {
    // Peer gone mid-send: this connection ends, the others carry on.
  }
  c.socket.shutdown();
  c.done = true;
}

}  // namespace ems::protocols::can
