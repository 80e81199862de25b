#pragma once
// Real PostgreSQL and mosquitto servers for integration tests (no test doubles for either).
//
// If EMS_TEST_DATABASE_URL / EMS_TEST_MQTT_URL are set, those servers are used as they are.
// Otherwise a private server is started on a free loopback port in a temporary directory:
//   PostgreSQL 15: initdb (trust auth, no fsync) + pg_ctl start, sockets in the temp dir; as
//                  root the server runs as the `postgres` system user via `runuser`.
//   mosquitto 2:   generated config (listener PORT 127.0.0.1, anonymous, no persistence unless
//                  MosquittoOptions asks for it),
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

#include "ems/testing/process.hpp"

namespace ems::testing {

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

  // Private server only (throw std::logic_error otherwise): stop() shuts the server down
  // (pg_ctl stop -m fast: connections are cut, as in a database outage); start() brings it
  // back on the same port with the same data. Both wait (bounded) until done.
  void stop();
  void start();

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

struct MosquittoOptions {
  // true: `persistence true` in the broker's directory, so sessions of clients connected with
  // clean session 0, their subscriptions and the QoS 1/2 messages queued for them survive
  // stop()/start() (the broker saves them on SIGTERM, not on kill()).
  bool persistence = false;
  // true: a second listener speaking MQTT over WebSockets on its own free loopback port (what a
  // browser connects to; see websockets_url()).
  bool websockets = false;
};

class MosquittoServer {
 public:
  // Starts a private broker (ignores EMS_TEST_MQTT_URL).
  MosquittoServer() : MosquittoServer(MosquittoOptions{}) {}
  explicit MosquittoServer(MosquittoOptions options);
  explicit MosquittoServer(std::string external_url);
  ~MosquittoServer();
  MosquittoServer(const MosquittoServer&) = delete;
  MosquittoServer& operator=(const MosquittoServer&) = delete;

  // Per test binary: EMS_TEST_MQTT_URL if set, else one private broker for the process.
  static MosquittoServer& shared();

  // mqtt://127.0.0.1:PORT
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  // ws://127.0.0.1:PORT with MosquittoOptions::websockets, else "".
  const std::string& websockets_url() const { return ws_url_; }
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
  std::string ws_url_;
  int port_ = 0;
  int ws_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace ems::testing
