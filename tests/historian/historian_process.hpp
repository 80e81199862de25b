#pragma once
// The real ems-historian binary as a child process (so a test can SIGKILL it), with helpers to
// publish numbered samples and to read what PostgreSQL holds.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "ems/contract/payload.hpp"
#include "ems/contract/time.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"

namespace ems::historian::testing {

using namespace std::chrono_literals;
using Json = nlohmann::json;

struct HistorianConfig {
  std::string database_url;
  std::string mqtt_url;
  std::string spool_dir;  // "": a fresh temp dir
  std::string client_id = "ems-historian-test";
  std::string device_api_url = "http://127.0.0.1:9";  // nothing listens: no topology
  std::vector<std::string> extra_env;
};

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string cors;
  Json json() const { return Json::parse(body); }
};

class HistorianProcess {
 public:
  explicit HistorianProcess(HistorianConfig config) : config_(std::move(config)) {
    if (config_.spool_dir.empty()) {
      char tmpl[] = "/tmp/ems-historian-spool-XXXXXX";
      if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
      config_.spool_dir = tmpl;
      owns_spool_ = true;
    }
    port_ = ems::testing::free_loopback_port();
    log_ = config_.spool_dir + "-" + std::to_string(port_) + ".log";
  }
  ~HistorianProcess() {
    process_.terminate(15s);
    std::error_code ec;
    if (owns_spool_) std::filesystem::remove_all(config_.spool_dir, ec);
    if (!::testing::Test::HasFailure()) std::filesystem::remove(log_, ec);
  }

  void start() {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "EMS_DATABASE_URL=" + config_.database_url,
                                     "EMS_MQTT_URL=" + config_.mqtt_url,
                                     "EMS_MQTT_CLIENT_ID=" + config_.client_id,
                                     "EMS_DEVICE_API_URL=" + config_.device_api_url,
                                     "EMS_HISTORIAN_HOST=127.0.0.1",
                                     "EMS_HISTORIAN_PORT=" + std::to_string(port_),
                                     "EMS_HISTORIAN_SPOOL_DIR=" + config_.spool_dir,
                                     "EMS_LOG_LEVEL=info"};
    argv.insert(argv.end(), config_.extra_env.begin(), config_.extra_env.end());
    argv.push_back(EMS_HISTORIAN_BINARY);
    process_.spawn(argv, log_);
    if (!ems::testing::wait_for_http_ok(url() + "/healthz", 30s)) {
      throw std::runtime_error("historian did not come up:\n" + ems::testing::tail_file(log_));
    }
  }
  bool wait_ready(std::chrono::milliseconds timeout = 30s) {
    return ems::testing::wait_for_http_ok(url() + "/readyz", timeout);
  }
  void kill() { process_.kill(); }
  void terminate() { process_.terminate(30s); }
  int exit_code() const { return process_.exit_code(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& log() const { return log_; }
  const std::string& spool_dir() const { return config_.spool_dir; }

  Answer get(const std::string& path, const std::string& accept = "") const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!accept.empty()) headers.emplace("Accept", accept);
    auto r = client.Get(path.c_str(), headers);
    Answer a;
    if (!r) return a;
    a.status = r->status;
    a.body = r->body;
    a.content_type = r->get_header_value("Content-Type");
    a.cors = r->get_header_value("Access-Control-Allow-Origin");
    return a;
  }
  // The value of one metric line ("name{labels}" exactly as rendered), 0 when absent.
  double metric(const std::string& series) const {
    const auto body = get("/metrics").body;
    const auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(body.substr(at + series.size() + 2));
  }

 private:
  HistorianConfig config_;
  bool owns_spool_ = false;
  int port_ = 0;
  std::string log_;
  ems::testing::ChildProcess process_;
};

inline runtime::MqttOptions publisher_options(const std::string& url, const std::string& id) {
  runtime::MqttOptions o;
  o.url = url;
  o.service_id = id;
  o.client_id = id;
  o.min_reconnect_delay = 200ms;
  o.max_reconnect_delay = 1000ms;
  o.max_buffered_messages = 1000000;
  o.max_inflight = 5000;
  return o;
}

inline std::int64_t count_rows(const std::string& db, const std::string& sql) {
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<std::int64_t>();
}

// Waits until `sql` (one integer) reaches `expected` or `timeout`; returns the last value.
inline std::int64_t wait_rows(const std::string& db, const std::string& sql, std::int64_t expected,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::int64_t n = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      n = count_rows(db, sql);
      if (n >= expected) return n;
    } catch (const std::exception&) {
      // schema not created yet, or the database is being restarted
    }
    std::this_thread::sleep_for(100ms);
  }
  return n;
}

// Waits until `sql` reaches `expected`, or stops changing for `quiet` once at least `floor`, or
// `timeout`; returns the last value. For counts that may legitimately stay short (QoS 0).
inline std::int64_t wait_settled(const std::string& db, const std::string& sql,
                                 std::int64_t expected, std::int64_t floor,
                                 std::chrono::milliseconds quiet,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::int64_t last = -1;
  auto changed_at = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    std::int64_t n = -1;
    try {
      n = count_rows(db, sql);
    } catch (const std::exception&) {
    }
    if (n >= expected) return n;
    const auto now = std::chrono::steady_clock::now();
    if (n != last) {
      last = n;
      changed_at = now;
    } else if (n >= floor && now - changed_at >= quiet) {
      return n;
    }
    std::this_thread::sleep_for(100ms);
  }
  return last;
}

inline std::string float_sample(std::int64_t ts_ms, double value) {
  return contract::encode(
      contract::FloatSample{contract::Timestamp(std::chrono::milliseconds(ts_ms)), value});
}

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ems::historian::testing
