// Sustained points/s device -> MQTT through the ems-gateway binary.
//
//   bench_gateway DEVICES POINTS_PER_DEVICE RATE_HZ SECONDS
//
// A generated site of DEVICES Modbus devices (bess_rack with POINTS_PER_DEVICE extra float32
// measurements polled at RATE_HZ; the template's own points at their own rates) is served by
// FixtureSite on free loopback ports; its AsyncAPI document by a small HTTP server standing in
// for device-api; a private mosquitto carries the samples. After a 5 s warm-up, for SECONDS:
// samples received per second, the gateway's CPU time per sample (utime + stime of its process),
// its RSS, and publish latency (receive time - the sample's ts, millisecond resolution)
// min/avg/max.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/payload.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"
#include "fixture_site.hpp"

using namespace ems;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

double rss_mb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int devices = argc > 1 ? std::atoi(argv[1]) : 100;
  const int extra = argc > 2 ? std::atoi(argv[2]) : 50;
  const double rate = argc > 3 ? std::atof(argv[3]) : 2.0;
  const int seconds = argc > 4 ? std::atoi(argv[4]) : 10;
  if (devices < 1 || devices > 800 || extra < 0 || extra > 120 || !(rate > 0) || rate > 50 ||
      seconds < 1 || seconds > 120) {
    std::fprintf(
        stderr, "usage: bench_gateway DEVICES(1-800) POINTS(0-120) RATE_HZ(<=50) SECONDS(<=120)\n");
    return 2;
  }
  std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
  const json demo = json::parse(in);
  json doc = demo;
  doc["site_id"] = "bench_site";
  doc["devices"] = json::object();
  doc["buses"] = json::array();
  doc["templates_used"] = {{"bess_rack", demo["templates_used"]["bess_rack"]}};
  std::set<int> ports;
  for (int i = 0; i < devices; ++i) {
    const std::string id = "bess_rack_" + std::to_string(i);
    int port = ems::testing::free_loopback_port();
    for (int r = 0; r < 100 && ports.count(port); ++r) port = ems::testing::free_loopback_port();
    ports.insert(port);
    json d = {{"device_id", id},
              {"template", "bess_rack"},
              {"parent", nullptr},
              {"display_name", id},
              {"connection", {{"host", "127.0.0.1"}, {"port", port}, {"unit_id", "1"}}}};
    json extras = json::object();
    for (int k = 0; k < extra; ++k) {
      json m = demo["templates_used"]["bess_rack"]["measurements"]["active_power"];
      m["poll_rate_hz"] = rate;
      m["binding"]["address"] = 10000 + 2 * k;
      m["binding"]["data_type"] = "float32";
      m["binding"]["scale"] = 1.0;
      m.erase("bounds");
      m.erase("thresholds");
      extras["extra_" + std::to_string(k)] = m;
    }
    d["extra_measurements"] = extras;
    doc["devices"][id] = d;
  }
  const auto dtm = contract::parse_dtm(doc);
  const std::string asyncapi = contract::generate_asyncapi_text(dtm, {"1.0.0", "bench_site"});
  std::size_t points = 0;
  double expected_rate = 0;
  for (const auto& [id, s] : contract::read_sources(json::parse(asyncapi)))
    for (const auto& p : s.points) {
      ++points;
      expected_rate += p.poll_rate_hz;
    }

  fixtures::SiteOptions options;
  options.bind_host = "127.0.0.1";
  fixtures::FixtureSite site(dtm, options);
  site.start();
  site.step();
  ems::testing::MosquittoServer broker;

  runtime::HttpServerOptions http;
  http.host = "127.0.0.1";
  runtime::HttpServer api(http);
  api.get("/asyncapi", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(asyncapi, "application/json");
  });
  api.start();

  std::mutex mutex;
  std::uint64_t received = 0;
  double lat_min = 1e9, lat_max = 0, lat_sum = 0;
  std::atomic<bool> measuring{false};
  runtime::MqttOptions mo;
  mo.url = broker.url();
  mo.service_id = "bench";
  runtime::MqttClient sub(mo);
  sub.subscribe("sites/bench_site/devices/+/measurements/#", 0, [&](const runtime::MqttMessage& m) {
    if (!measuring || m.retained || m.payload.empty()) return;
    const auto now = contract::to_timestamp(std::chrono::system_clock::now());
    const auto ts = contract::parse_timestamp(std::string_view(m.payload).substr(7, 24));
    const double ms = double((now - ts).count());
    std::lock_guard lock(mutex);
    ++received;
    lat_min = std::min(lat_min, ms);
    lat_max = std::max(lat_max, ms);
    lat_sum += ms;
  });
  sub.start();
  sub.wait_connected(std::chrono::seconds(10));

  ::setenv("EMS_DEVICE_API_URL", ("http://127.0.0.1:" + std::to_string(api.port())).c_str(), 1);
  ::setenv("EMS_MQTT_URL", broker.url().c_str(), 1);
  ::setenv("EMS_GATEWAY_PORT", "0", 1);
  ::setenv("EMS_GATEWAY_HOST", "127.0.0.1", 1);
  ::setenv("EMS_LOG_LEVEL", "warn", 1);
  ems::testing::ChildProcess gateway;
  gateway.spawn({EMS_GATEWAY_BINARY}, "/tmp/bench_gateway.log");
  std::this_thread::sleep_for(std::chrono::seconds(5));  // warm-up: plan, connect, first polls
  const double cpu0 = cpu_seconds(gateway.pid());
  const auto t0 = Clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  measuring = false;
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds(gateway.pid()) - cpu0;
  const double rss = rss_mb(gateway.pid());
  gateway.terminate();
  sub.stop();
  api.stop();
  site.stop();
  std::lock_guard lock(mutex);
  const double per_s = double(received) / wall;
  std::printf("site: %d devices, %zu points, planned %.0f points/s\n", devices, points,
              expected_rate);
  std::printf("received: %.0f points/s over %.1f s (%.1f%% of planned)\n", per_s, wall,
              100.0 * per_s / expected_rate);
  std::printf("gateway CPU: %.1f%% of one core, %.2f us/point; RSS %.1f MB\n", 100.0 * cpu / wall,
              received ? cpu * 1e6 / double(received) : 0.0, rss);
  std::printf("publish latency ms: min %.0f avg %.1f max %.0f\n", received ? lat_min : 0.0,
              received ? lat_sum / double(received) : 0.0, lat_max);
  return 0;
}
