#include "ems/runtime/mqtt_batch.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "ems/runtime/backoff.hpp"
#include "ems/runtime/log.hpp"
#include "mqtt_series.hpp"

namespace ems::runtime {

namespace {

using Clock = std::chrono::steady_clock;

void put_u16(std::vector<std::uint8_t>& out, std::size_t v) {
  out.push_back(std::uint8_t(v >> 8));
  out.push_back(std::uint8_t(v & 0xFF));
}

void put_length(std::vector<std::uint8_t>& out, std::size_t v) {  // MQTT variable byte integer
  do {
    std::uint8_t b = std::uint8_t(v % 128);
    v /= 128;
    if (v > 0) b |= 0x80;
    out.push_back(b);
  } while (v > 0);
}

void put_string(std::vector<std::uint8_t>& out, std::string_view s) {
  put_u16(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

std::vector<std::uint8_t> connect_packet(const MqttBatchOptions& o) {
  std::vector<std::uint8_t> body;
  put_string(body, "MQTT");
  body.push_back(4);          // protocol level 3.1.1
  std::uint8_t flags = 0x02;  // clean session
  if (!o.username.empty()) flags |= 0x80;
  if (!o.password.empty()) flags |= 0x40;
  body.push_back(flags);
  put_u16(body, std::size_t(o.keep_alive.count()));
  put_string(body, o.client_id);
  if (!o.username.empty()) put_string(body, o.username);
  if (!o.password.empty()) put_string(body, o.password);
  std::vector<std::uint8_t> out{0x10};
  put_length(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Reads exactly `size` bytes within `timeout`; false on timeout, EOF or error.
bool read_exact(int fd, std::uint8_t* data, std::size_t size, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t got = 0;
  while (got < size) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) return false;
    const ssize_t n = ::recv(fd, data + got, size - got, 0);
    if (n <= 0) return false;
    got += std::size_t(n);
  }
  return true;
}

// Drains what the broker sent (PINGRESP); false when it closed the connection.
bool drain(int fd) {
  std::uint8_t scratch[256];
  while (true) {
    const ssize_t n = ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return false;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
}

}  // namespace

MqttBatchOptions MqttBatchOptions::from(const MqttOptions& client) {
  MqttBatchOptions o;
  o.url = client.url;
  o.client_id = (client.client_id.empty() ? client.service_id + "-" + std::to_string(::getpid())
                                          : client.client_id) +
                "-batch";
  o.username = client.username;
  o.password = client.password;
  o.min_reconnect_delay = client.min_reconnect_delay;
  o.max_reconnect_delay = client.max_reconnect_delay;
  o.connect_timeout = client.connect_timeout;
  return o;
}

MqttBatchPublisher::MqttBatchPublisher(MqttBatchOptions options, metrics::Registry& registry)
    : options_(std::move(options)),
      published_(detail::mqtt_published(registry, options_.client_id)),
      dropped_(detail::mqtt_dropped(registry, options_.client_id)),
      connects_(detail::mqtt_connects(registry, options_.client_id)),
      connected_gauge_(detail::mqtt_connected(registry, options_.client_id)),
      buffer_gauge_(registry
                        .gauge("ems_mqtt_send_buffer_bytes",
                               "Encoded messages waiting to be written (batch publisher)",
                               {"client"})
                        .with({options_.client_id})) {
  if (options_.client_id.empty())
    throw std::invalid_argument("MqttBatchPublisher needs a client id");
  // One URL rule for the suite (to_paho_uri); only its plain TCP form is served here.
  const std::string uri = to_paho_uri(options_.url);
  if (uri.rfind("tcp://", 0) != 0)
    throw std::invalid_argument(
        "MQTT URL \"" + options_.url +
        "\": the batch publisher speaks plain TCP only (mqtt:// or tcp://)");
  const std::string hostport = uri.substr(6);
  const auto colon = hostport.rfind(':');
  host_ = hostport.substr(0, colon);
  port_ = hostport.substr(colon + 1);
  if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
    host_ = host_.substr(1, host_.size() - 2);
}

MqttBatchPublisher::~MqttBatchPublisher() {
  stop();
}

void MqttBatchPublisher::start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void MqttBatchPublisher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MqttBatchPublisher::publish(std::string_view topic, std::string_view payload, bool retain) {
  if (topic.size() > 0xFFFF) {
    dropped_.inc();
    return false;
  }
  const std::size_t remaining = 2 + topic.size() + payload.size();
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || buffer_.size() + remaining + 5 > options_.max_buffered_bytes) {
      dropped_.inc();
      return false;
    }
    wake = buffer_.empty();
    buffer_.push_back(retain ? 0x31 : 0x30);
    put_length(buffer_, remaining);
    put_string(buffer_, topic);
    buffer_.insert(buffer_.end(), payload.begin(), payload.end());
    ++buffered_messages_;
  }
  published_.inc();
  if (wake) wake_.notify_one();
  return true;
}

bool MqttBatchPublisher::wait_connected(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return connected_cv_.wait_for(lock, timeout, [&] { return connected_.load(); });
}

bool MqttBatchPublisher::send_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= std::size_t(n);
  }
  return true;
}

int MqttBatchPublisher::connect_once() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host_.c_str(), port_.c_str(), &hints, &found) != 0 || !found) return -1;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof error;
      if (errno != EINPROGRESS || ::poll(&p, 1, int(options_.connect_timeout.count())) <= 0 ||
          ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
        ::close(fd);
        fd = -1;
      }
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return -1;
  // Blocking from here on, with a bounded send so a stuck broker cannot hold the thread.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const auto packet = connect_packet(options_);
  std::uint8_t connack[4];
  if (!send_all(fd, packet.data(), packet.size()) ||
      !read_exact(fd, connack, 4, options_.connect_timeout) || connack[0] != 0x20 ||
      connack[1] != 0x02 || connack[3] != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void MqttBatchPublisher::run() {
  Backoff backoff(options_.min_reconnect_delay, options_.max_reconnect_delay);
  std::vector<std::uint8_t> batch;
  int fd = -1;
  auto last_send = Clock::now();
  const auto ping_every = std::max(options_.keep_alive / 2, std::chrono::seconds(1));
  std::unique_lock lock(mutex_);
  while (true) {
    if (fd < 0) {
      if (stopping_) break;
      lock.unlock();
      fd = connect_once();
      lock.lock();
      if (fd < 0) {
        const auto delay = backoff.next();
        log::debug("mqtt batch connect failed",
                   {{"client", options_.client_id}, {"retry_in_ms", delay.count()}});
        wake_.wait_for(lock, delay, [&] { return stopping_; });
        continue;
      }
      backoff.reset();
      connects_.inc();
      connected_gauge_.set(1);
      connected_ = true;
      connected_cv_.notify_all();
      last_send = Clock::now();
      log::info("mqtt batch publisher connected", {{"client", options_.client_id}});
    }
    wake_.wait_until(lock, last_send + ping_every, [&] { return stopping_ || !buffer_.empty(); });
    if (!buffer_.empty() && !stopping_ && options_.linger.count() > 0) {
      // Gather more: one wake-up and one write for everything published meanwhile.
      wake_.wait_for(lock, options_.linger, [&] { return stopping_; });
    }
    batch.clear();
    batch.swap(buffer_);
    const std::size_t messages = buffered_messages_;
    buffered_messages_ = 0;
    buffer_gauge_.set(0);
    const bool stopping = stopping_;
    lock.unlock();
    bool ok = drain(fd);
    if (ok && !batch.empty()) {
      ok = send_all(fd, batch.data(), batch.size());
      last_send = Clock::now();
    } else if (ok && Clock::now() - last_send >= ping_every) {
      const std::uint8_t ping[2] = {0xC0, 0x00};
      ok = send_all(fd, ping, 2);
      last_send = Clock::now();
    }
    if (ok && stopping) {
      const std::uint8_t disconnect[2] = {0xE0, 0x00};
      send_all(fd, disconnect, 2);
    }
    if (!ok) {
      if (!batch.empty()) dropped_.inc(double(messages));
      log::info("mqtt batch publisher disconnected", {{"client", options_.client_id}});
    }
    if (!ok || stopping) {
      ::close(fd);
      fd = -1;
      connected_ = false;
      connected_gauge_.set(0);
    }
    lock.lock();
    buffer_gauge_.set(double(buffer_.size()));
    if (stopping) break;
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace ems::runtime
