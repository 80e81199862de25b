#include <filesystem>
#include <stdexcept>
#include <thread>

#include <pwd.h>
#include <unistd.h>
#include <pqxx/pqxx>

#include "ems/runtime/config.hpp"
#include "ems/testing/servers.hpp"

namespace ems::testing {
namespace {

constexpr auto kCommandTimeout = std::chrono::seconds(120);

std::string bin_dir() {
  return ems::runtime::env_string("EMS_TEST_PG_BINDIR", "/usr/lib/postgresql/15/bin");
}

// PostgreSQL refuses to run as root; as root every server command runs as `postgres`.
std::vector<std::string> as_server_user(std::vector<std::string> argv) {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> out = {"runuser", "-u", "postgres", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

void run_or_throw(const std::vector<std::string>& argv, const std::string& what,
                  const std::string& log_path = {}) {
  std::string output;
  const int code = run_command(argv, kCommandTimeout, &output);
  if (code != 0) {
    std::string message = what + " failed (exit " + std::to_string(code) + "):\n" + output;
    if (!log_path.empty()) message += "\n--- server log ---\n" + tail_file(log_path);
    throw std::runtime_error(message);
  }
}

// Replaces the database (path) of a postgresql:// URL, keeping any query.
std::string with_database(const std::string& url, const std::string& db) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) {
    throw std::invalid_argument("EMS_TEST_DATABASE_URL must be a postgresql:// URL: " + url);
  }
  const auto path = url.find('/', scheme + 3);
  const auto query = url.find('?', scheme + 3);
  const std::string authority = url.substr(0, std::min(path, query));
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return authority + "/" + db + rest;
}

}  // namespace

PostgresServer::PostgresServer() {
  char tmpl[] = "/tmp/ems-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed for PostgreSQL");
  dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) throw std::runtime_error("running as root but no `postgres` user exists");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + dir_ + " to postgres");
    }
  }
  const std::string data = dir_ + "/data";
  const std::string log = dir_ + "/server.log";
  port_ = free_loopback_port();
  try {
    run_or_throw(as_server_user({bin_dir() + "/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                                 "-E", "UTF8", "--locale=C", "--no-sync"}),
                 "initdb");
    start();
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
  // If the test process dies without the destructor, stop the server and remove the files.
  const std::string stop_cmd = std::string(::geteuid() == 0 ? "runuser -u postgres -- " : "") +
                               bin_dir() + "/pg_ctl -D " + data + " stop -m immediate";
  watchdog_ = std::make_unique<ChildProcess>();
  watchdog_->spawn({"/bin/sh", "-c",
                    "trap 'exit 0' TERM; while kill -0 " + std::to_string(::getpid()) +
                        " 2>/dev/null; do sleep 1; done; " + stop_cmd + "; rm -rf " + dir_},
                   "/dev/null", /*die_with_parent=*/false);

  admin_url_ = "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres";
  // pg_ctl -w already waited for readiness; one bounded check that TCP works too.
  std::string last_error;
  for (int attempt = 0; attempt < 50; ++attempt) {
    try {
      pqxx::connection probe(admin_url_);
      return;
    } catch (const std::exception& e) {
      last_error = e.what();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  throw std::runtime_error("PostgreSQL on port " + std::to_string(port_) +
                           " does not accept connections: " + last_error +
                           "\n--- server log ---\n" + tail_file(log));
}

void PostgresServer::start() {
  if (dir_.empty()) throw std::logic_error("PostgresServer::start: external server");
  const std::string server_options =
      "-p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1" +
      " -c unix_socket_directories=" + dir_ +
      " -c fsync=off -c full_page_writes=off -c synchronous_commit=off" + " -c max_connections=200";
  run_or_throw(
      as_server_user({bin_dir() + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w",
                      "-t", "90", "-o", server_options, "start"}),
      "pg_ctl start", dir_ + "/server.log");
}

void PostgresServer::stop() {
  if (dir_.empty()) throw std::logic_error("PostgresServer::stop: external server");
  run_or_throw(as_server_user({bin_dir() + "/pg_ctl", "-D", dir_ + "/data", "stop", "-m", "fast",
                               "-w", "-t", "60"}),
               "pg_ctl stop", dir_ + "/server.log");
}

PostgresServer::PostgresServer(std::string admin_url) : admin_url_(std::move(admin_url)) {}

PostgresServer::~PostgresServer() {
  if (dir_.empty()) {
    // External server: drop what this process created.
    try {
      pqxx::connection conn(admin_url_);
      pqxx::nontransaction tx(conn);
      for (const auto& db : created_) tx.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    } catch (...) {
      // Best effort: a leftover test database is harmless.
    }
    return;
  }
  if (watchdog_) watchdog_->terminate(std::chrono::milliseconds(2000));
  std::string output;
  run_command(as_server_user({bin_dir() + "/pg_ctl", "-D", dir_ + "/data", "stop", "-m",
                              "immediate", "-w", "-t", "30"}),
              std::chrono::seconds(40), &output);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

PostgresServer& PostgresServer::shared() {
  static const std::unique_ptr<PostgresServer> server = [] {
    const auto external = ems::runtime::env_optional("EMS_TEST_DATABASE_URL");
    return external ? std::make_unique<PostgresServer>(*external)
                    : std::make_unique<PostgresServer>();
  }();
  return *server;
}

std::string PostgresServer::create_database() {
  std::string name;
  {
    std::lock_guard lock(mutex_);
    name = "ems_test_" + std::to_string(::getpid()) + "_" + std::to_string(++next_db_);
    created_.push_back(name);
  }
  pqxx::connection conn(admin_url_);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + name);
  return with_database(admin_url_, name);
}

}  // namespace ems::testing
