#pragma once
// Real PostgreSQL and mosquitto servers for integration tests (no test doubles for either).
//
// If EMS_TEST_DATABASE_URL / EMS_TEST_MQTT_URL are set, those servers are used as they are.
// Otherwise a private server is started on a free loopback port in a temporary directory:
//   PostgreSQL 15: initdb (trust auth, no fsync) + pg_ctl start, sockets in the temp dir; as
//                  root the server runs as the `postgres` system user via `runuser`.
//   mosquitto 2:   generated config (listener PORT 127.0.0.1, anonymous, no persistence),
//                  killed with the test process (PR_SET_PDEATHSIG); PostgreSQL, which pg_ctl
//                  detaches, gets a watchdog shell that stops it if the test process dies.
// Destructors stop the server and delete the directory. Every wait is bounded; a server that
// does not come up throws std::runtime_error carrying the tail of its log.
//
// Typical use - one server per test binary, fresh database per fixture:
//   std::string url = ems::testing::PostgresServer::shared().create_database();
//   std::string mqtt = ems::testing::MosquittoServer::shared().url();
// A test that restarts the broker makes its own: MosquittoServer broker; broker.restart();
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ems::testing {

// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
int free_loopback_port();

// A child process with stdout+stderr appended to a log file.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // terminate()s
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is the program (PATH is searched); throws std::runtime_error if fork fails (an exec
  // failure shows as exit code 127 and a line in the log). With `die_with_parent` the child
  // gets SIGKILL when the spawning thread exits, so no server outlives a crashed test.
  void spawn(const std::vector<std::string>& argv, const std::string& log_path,
             bool die_with_parent = true);
  bool running();
  // SIGTERM, then SIGKILL after `grace`; reaps the child. No-op when not running.
  void terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL at once (an abrupt death) and reap.
  void kill();
  pid_t pid() const { return pid_; }
  // Exit code of the last child once reaped (128 + signal number when killed); -1 before.
  int exit_code() const { return exit_code_; }

 private:
  void reaped(int status);
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs argv to completion (bounded by `timeout`, then killed); returns the exit code, and the
// combined output in `output` when given.
int run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                std::string* output = nullptr);

// The last `max_bytes` of a file ("" if unreadable).
std::string tail_file(const std::string& path, std::size_t max_bytes = 4000);

class PostgresServer {
 public:
  // Starts a private server (ignores EMS_TEST_DATABASE_URL).
  PostgresServer();
  // Uses `admin_url` (must allow CREATE DATABASE).
  explicit PostgresServer(std::string admin_url);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Per test binary: EMS_TEST_DATABASE_URL if set, else one private server for the process.
  static PostgresServer& shared();

  // Creates a fresh empty database and returns its URL
  // (postgresql://postgres@127.0.0.1:PORT/ems_test_<pid>_<n>).
  std::string create_database();

  // The URL of the maintenance database (`postgres`).
  const std::string& admin_url() const { return admin_url_; }
  bool is_private() const { return !dir_.empty(); }
  int port() const { return port_; }

 private:
  std::string dir_;  // temp dir holding data/, the socket and server.log (private server only)
  std::string admin_url_;
  int port_ = 0;
  // Stops the server and removes dir_ if this process dies without running the destructor.
  std::unique_ptr<ChildProcess> watchdog_;
  std::mutex mutex_;
  int next_db_ = 0;
  std::vector<std::string> created_;  // databases to drop on an external server
};

class MosquittoServer {
 public:
  // Starts a private broker (ignores EMS_TEST_MQTT_URL).
  MosquittoServer();
  explicit MosquittoServer(std::string external_url);
  ~MosquittoServer();
  MosquittoServer(const MosquittoServer&) = delete;
  MosquittoServer& operator=(const MosquittoServer&) = delete;

  // Per test binary: EMS_TEST_MQTT_URL if set, else one private broker for the process.
  static MosquittoServer& shared();

  // mqtt://127.0.0.1:PORT
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  bool is_private() const { return !dir_.empty(); }

  // Private broker only (throws otherwise): stop() ends it (SIGTERM), start() brings it back on
  // the same port, kill() ends it abruptly.
  void stop();
  void start();
  void kill();
  void restart() {
    stop();
    start();
  }

 private:
  std::string dir_;
  std::string url_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace ems::testing
