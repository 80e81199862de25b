#pragma once
// DeviceWorker: one thread per device connection (device x protocol) - the isolation unit.
//
// The thread owns its drivers::DeviceDriver (one connection, reused) and runs the device's
// points in groups of equal poll rate, each group read with one driver->read() (which coalesces
// registers / OIDs / resources as its protocol allows) when due. A group whose read failed
// entirely is retried with exponential backoff (its period doubling up to `max_backoff`), so a
// dead device costs only its own thread's time: other devices never wait for it.
//
// Writes run on the same thread, between polls, so a command is serialised with the device's
// polling (the driver is not thread-safe, and a write never races a read of the same register).
// After a write, a target that this worker polls is read back until it equals the written value
// (done) or the command's deadline passes (timeout); a target that is not polled is done when the
// protocol confirmed the write.
//
// Threading: start()/stop()/submit()/state() are thread-safe; the sink is called on the
// worker's thread.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ems/contract/payload.hpp"
#include "ems/contract/sources.hpp"
#include "ems/drivers/driver.hpp"
#include "ems/runtime/metrics.hpp"

namespace ems::gateway {

enum class CommState { online, degraded, offline };
std::string_view to_string(CommState s) noexcept;  // "ONLINE" | "DEGRADED" | "OFFLINE"

// Where a worker's results go (the Gateway). Called on the worker's thread.
class WorkerSink {
 public:
  virtual ~WorkerSink() = default;
  virtual void publish_value(const std::string& topic, const drivers::Value& value,
                             contract::Timestamp ts) = 0;
  // After every poll round that changed the connection's state, and after the first.
  virtual void connection_state(const std::string& device_id, contract::Protocol protocol,
                                CommState state) = 0;
};

// The end of a command's life, reported once.
using WriteDone = std::function<void(contract::AckState state, std::optional<std::string> reason)>;

struct WriteJob {
  contract::CommandPoint command;
  drivers::Value value;
  std::chrono::steady_clock::time_point deadline;
  WriteDone finish;
};

struct WorkerConfig {
  std::string site_id;
  std::string device_id;
  contract::DeviceConnection connection;
  std::vector<contract::SourcePoint> points;  // this protocol's points
  drivers::DriverOptions driver_options;
  std::chrono::milliseconds max_backoff{10000};
  std::size_t max_queue = 64;  // pending writes
};

struct WorkerMetrics;  // per protocol families, shared by every worker (device_worker.cpp)

class DeviceWorker {
 public:
  // Throws drivers::DriverError(config) when no driver can serve the connection.
  DeviceWorker(WorkerConfig config, const runtime::Secrets& secrets, WorkerSink& sink,
               runtime::metrics::Registry& registry);
  ~DeviceWorker();  // stop()s
  DeviceWorker(const DeviceWorker&) = delete;
  DeviceWorker& operator=(const DeviceWorker&) = delete;

  void start();
  // Ends the thread after the read in progress (bounded by the driver's timeout); pending
  // writes end as `failed` ("gateway stopping").
  void stop();

  // Queues a write; false when the queue is full (the caller answers `failed`).
  bool submit(WriteJob job);

  // The last state seen (offline before the first poll).
  CommState state() const;
  const WorkerConfig& config() const { return config_; }
  bool polls(const std::string& point) const;

 private:
  struct Group {
    double period_s = 1;
    std::vector<contract::SourcePoint> points;
    std::vector<std::string> topics;
    std::chrono::steady_clock::time_point next_due;
    int failures = 0;         // consecutive reads with no point ok
    std::size_t last_ok = 0;  // points ok in the last read
    bool read_once = false;
  };
  struct Confirm {
    WriteJob job;
    std::size_t group = 0, index = 0;  // the polled target
    std::chrono::steady_clock::time_point next_check;
  };

  void run();
  void poll(Group& g, std::chrono::steady_clock::time_point now);
  void execute(WriteJob job);
  void check_confirmations();
  void update_state();
  std::optional<std::pair<std::size_t, std::size_t>> find_point(const std::string& name) const;

  WorkerConfig config_;
  WorkerSink& sink_;
  std::unique_ptr<drivers::DeviceDriver> driver_;
  std::vector<Group> groups_;
  std::vector<Confirm> confirms_;
  std::shared_ptr<WorkerMetrics> metrics_;
  runtime::metrics::Gauge* queue_gauge_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WriteJob> queue_;
  bool stopping_ = false;
  std::optional<CommState> state_;
  std::thread thread_;
};

// Whether a value read back equals the value written, within what the binding's wire carries.
bool confirms(const contract::Binding& binding, const drivers::Value& written,
              const drivers::Value& read);

}  // namespace ems::gateway
