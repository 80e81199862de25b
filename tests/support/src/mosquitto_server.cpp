#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ems/runtime/config.hpp"
#include "ems/testing/servers.hpp"

namespace ems::testing {
namespace {

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string mosquitto_binary() {
  return ems::runtime::env_string("EMS_TEST_MOSQUITTO", "/usr/sbin/mosquitto");
}

}  // namespace

MosquittoServer::MosquittoServer(MosquittoOptions options) {
  char tmpl[] = "/tmp/ems-mqtt-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed for mosquitto");
  dir_ = tmpl;
  port_ = free_loopback_port();
  url_ = "mqtt://127.0.0.1:" + std::to_string(port_);
  if (options.websockets) {
    ws_port_ = free_loopback_port();
    for (int i = 0; i < 100 && ws_port_ == port_; ++i) ws_port_ = free_loopback_port();
    ws_url_ = "ws://127.0.0.1:" + std::to_string(ws_port_);
  }
  {
    std::ofstream conf(dir_ + "/mosquitto.conf");
    conf << "listener " << port_ << " 127.0.0.1\n"
         << "allow_anonymous true\n";
    if (ws_port_ != 0) conf << "listener " << ws_port_ << " 127.0.0.1\nprotocol websockets\n";
    if (options.persistence) {
      conf << "persistence true\n"
           << "persistence_location " << dir_ << "/\n";
    } else {
      conf << "persistence false\n";
    }
    conf << "log_dest stdout\n"
         << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
         << "max_queued_messages 1000000\n"
         // Persistent sessions (the historian's) also get the QoS 0 measurements queued while
         // they are disconnected, as with the launcher's broker.
         << "queue_qos0_messages true\n";
    // As root mosquitto 2 drops to the `mosquitto` user; staying root keeps the temp dir and
    // the inherited log descriptor usable.
    if (::geteuid() == 0) conf << "user root\n";
  }
  process_ = std::make_unique<ChildProcess>();
  try {
    start();
  } catch (...) {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

MosquittoServer::MosquittoServer(std::string external_url) : url_(std::move(external_url)) {}

MosquittoServer::~MosquittoServer() {
  if (dir_.empty()) return;
  process_->terminate(std::chrono::milliseconds(3000));
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

MosquittoServer& MosquittoServer::shared() {
  static const std::unique_ptr<MosquittoServer> server = [] {
    const auto external = ems::runtime::env_optional("EMS_TEST_MQTT_URL");
    return external ? std::make_unique<MosquittoServer>(*external)
                    : std::make_unique<MosquittoServer>();
  }();
  return *server;
}

void MosquittoServer::start() {
  if (dir_.empty()) throw std::logic_error("MosquittoServer::start: external broker");
  if (process_->running()) return;
  const std::string log = dir_ + "/mosquitto.log";
  process_->spawn({mosquitto_binary(), "-c", dir_ + "/mosquitto.conf"}, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) {
      throw std::runtime_error("mosquitto exited at start (code " +
                               std::to_string(process_->exit_code()) + "):\n" + tail_file(log));
    }
    if (accepts_connections(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  process_->kill();
  throw std::runtime_error("mosquitto did not accept connections on port " + std::to_string(port_) +
                           " within 15 s:\n" + tail_file(log));
}

void MosquittoServer::stop() {
  if (dir_.empty()) throw std::logic_error("MosquittoServer::stop: external broker");
  process_->terminate(std::chrono::milliseconds(3000));
}

void MosquittoServer::kill() {
  if (dir_.empty()) throw std::logic_error("MosquittoServer::kill: external broker");
  process_->kill();
}

}  // namespace ems::testing
