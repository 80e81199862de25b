#pragma once
// DNP3 over TCP, outstation side: listens on an address, runs one thread per connection (bounded
// by max_connections; extra connections are closed at once) and feeds every request to one
// shared Outstation.
//
// FaultPlan is the hook for failure tests: it can silence the outstation, drop connections on
// the next request, delay answers, or corrupt the frames it sends. It may be changed at any time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "ems/protocols/dnp3/outstation.hpp"

namespace ems::protocols::net {
class TcpConnection;
class TcpServer;
}  // namespace ems::protocols::net

namespace ems::protocols::dnp3 {

struct FaultPlan {
  enum class Kind {
    kNone,
    kSilent,          // read requests, never answer
    kDropConnection,  // close the connection when a request arrives
    kDelay,           // answer after `delay`
    kCorruptFrames,   // flip a bit of every frame's last CRC byte before sending
  };
  Kind kind = Kind::kNone;
  std::chrono::milliseconds delay{0};
};

struct OutstationServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 20000;  // 0 = an ephemeral port, see OutstationServer::port()
  std::uint16_t link_address = 1024;
  std::optional<std::uint16_t> master_address;  // nullopt = answer any master
  std::size_t max_connections = 4;
};

struct OutstationServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;     // over max_connections
  std::uint64_t bad_frames = 0;  // link-layer rejections summed over connections
  std::uint64_t faults_applied = 0;
};

class OutstationServer {
 public:
  OutstationServer(Outstation& outstation, OutstationServerConfig config);
  ~OutstationServer();
  OutstationServer(const OutstationServer&) = delete;
  OutstationServer& operator=(const OutstationServer&) = delete;

  // Binds and starts accepting. Throws Dnp3Error(kConnection) if the address is taken.
  void start();
  // Closes the listener and every connection, and joins their threads. Idempotent.
  void stop();

  std::uint16_t port() const noexcept { return port_; }
  void set_fault(FaultPlan plan);
  FaultPlan fault() const;
  OutstationServerStats stats() const;
  std::size_t active_connections() const;

 private:
  void serve(net::TcpConnection& c);

  Outstation& outstation_;
  OutstationServerConfig config_;
  std::uint16_t port_ = 0;
  std::unique_ptr<net::TcpServer> server_;  // accept loop and connection threads
  mutable std::mutex mutex_;                // guards fault_, stats_
  FaultPlan fault_;
  OutstationServerStats stats_;
};

}  // namespace ems::protocols::dnp3
