// The site's history source against the real ems-historian: samples published on MQTT as the
// gateway would, stored by the historian, read back through GET /samples (1h buckets) by
// HistorianSource, then trained on and served. Without the historian binary in this build
// (services/historian), the test fails and says so - it is never skipped silently.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "analyst_process.hpp"
#include "ems/forecasting/calendar.hpp"
#include "ems/runtime/http_client.hpp"
#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"
#include "forecaster.hpp"
#include "history_source.hpp"
#include "rfc3339.hpp"
#include "trainer.hpp"

namespace {

#if !defined(EMS_HISTORIAN_BINARY) || !defined(EMS_DEVICE_API_BINARY)

TEST(HistorianSourceIntegration, ReadsTrainsAndServesTheSiteHistoryFromTheRealHistorian) {
  FAIL() << "ems-historian (services/historian) or ems-device-api is not built in this tree: "
            "this test reads the site's history from the real historian and cannot run without "
            "it";
}

#else

using nlohmann::json;

// A PV-like hourly profile in watts: zero at night, a daily arch, a little day-to-day change.
double pv_watts(std::int64_t hour_start) {
  const double local_hour = std::fmod((hour_start / 3600.0) - 8.0 + 48.0, 24.0);  // UTC-8
  const double day = std::floor(hour_start / 86400.0);
  const double arch = std::sin((local_hour - 6.0) / 12.0 * 3.14159265358979);
  return arch > 0 ? arch * (80000.0 + 5000.0 * std::sin(day)) : 0.0;
}

TEST(HistorianSourceIntegration, ReadsTrainsAndServesTheSiteHistoryFromTheRealHistorian) {
  using namespace ems;
  const std::string mqtt_url = ems::testing::MosquittoServer::shared().url();
  const auto api_process = ems::testing::start_demo_device_api();
  const auto& api = *api_process;

  const int port = ems::testing::free_loopback_port();
  const std::string dir = "/tmp/ems-analyst-historian-" + std::to_string(port);
  const std::string log = dir + ".log";
  ems::testing::ChildProcess historian;
  historian.spawn(
      {"/usr/bin/env", "EMS_DATABASE_URL=" + api.database_url(), "EMS_MQTT_URL=" + mqtt_url,
       "EMS_MQTT_CLIENT_ID=historian-" + std::to_string(port),
       "EMS_DEVICE_API_URL=" + api.base_url(), "EMS_HISTORIAN_HOST=127.0.0.1",
       "EMS_HISTORIAN_PORT=" + std::to_string(port), "EMS_HISTORIAN_SPOOL_DIR=" + dir,
       "EMS_HISTORIAN_RAW_RETENTION=forever", EMS_HISTORIAN_BINARY},
      log);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string why =
      ems::testing::wait_until_ready(historian, base + "/readyz", std::chrono::seconds(60), log);
  ASSERT_EQ(why, "") << "ems-historian";

  // The historian knows the demo's series once it has read device-api's topology.
  const auto declared_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool declared = false;
  while (!declared && std::chrono::steady_clock::now() < declared_by) {
    ems::runtime::FetchOptions fetch;
    fetch.max_attempts = 2;
    const auto r = ems::runtime::fetch_with_backoff(
        base + "/series?device=pv_inverter_1&measurement=active_power", fetch);
    declared = r.status == 200 && json::parse(r.body)["series"].size() == 1;
    if (!declared) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(declared) << ems::testing::tail_file(log);

  // 23 whole days of history ending at the last whole hour: two samples an hour (:10 and :40).
  const auto now =
      static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  const std::int64_t last_hour = now - now % 3600 - 3600;
  const std::int64_t first_hour = last_hour - 23 * 86400;
  runtime::MqttOptions mqtt;
  mqtt.url = mqtt_url;
  mqtt.service_id = "analyst-test";
  runtime::MqttClient client(mqtt);
  client.start();
  ASSERT_TRUE(client.wait_connected(std::chrono::seconds(10)));
  const std::string topic = "sites/demo_site/devices/pv_inverter_1/measurements/active_power/watts";
  for (std::int64_t h = first_hour; h <= last_hour; h += 3600) {
    for (const std::int64_t at : {h + 600, h + 2400}) {
      const double v = pv_watts(h) + (at == h + 600 ? -100.0 : 100.0);  // mean = pv_watts(h)
      const json sample = {{"ts", analyst::format_rfc3339(at)}, {"value", v}};
      ASSERT_TRUE(
          client.publish_confirmed(topic, sample.dump(), 1, false, std::chrono::seconds(5)));
    }
  }

  analyst::HistorianSourceOptions options;
  options.base_url = base;
  options.targets["site_pv"] = {"pv_inverter_1", "active_power"};
  options.history_days = 30;
  analyst::HistorianSource source(options);
  // Stored in batches: wait (bounded) until the last hour is there.
  std::vector<std::pair<std::int64_t, double> > hourly;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      hourly = source.hourly(options.targets["site_pv"], first_hour, last_hour + 3600);
      if (!hourly.empty() && !std::isnan(hourly.back().second)) break;
    } catch (const std::runtime_error& e) {
      hourly.clear();  // not stored yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(hourly.size(), static_cast<std::size_t>((last_hour - first_hour) / 3600 + 1))
      << ems::testing::tail_file(log);
  for (const auto& [ts, v] : hourly) ASSERT_NEAR(v, pv_watts(ts), 1e-6) << ts;

  // On the label grid, and trained and served like any target.
  const auto series = source.history("site_pv");
  const auto label = forecasting::label_of_utc_hour(last_hour);
  EXPECT_NEAR(series.at(label.day, label.hour), pv_watts(last_hour), 1e-6);
  analyst::ModelRegistry registry(ems::testing::PostgresServer::shared().create_database());
  registry.open();
  analyst::TargetCatalog targets;
  targets.add({"site_pv", &source, {37.77, -122.42}, true});
  runtime::metrics::Registry metrics;
  analyst::Trainer trainer(targets, registry, metrics);
  analyst::TrainRequest request;
  request.target = "site_pv";
  const auto out = trainer.train(request);
  EXPECT_EQ(out.model.source, "historian " + base + " pv_inverter_1/active_power (1h avg)");
  EXPECT_GT(out.model.metrics["hours"].get<int>(), 24 * 6);
  analyst::Forecaster forecaster(targets, registry);
  const auto f = forecaster.forecast({"site_pv", {}, {}, std::to_string(out.model.id)});
  ASSERT_EQ(f["points"].size(), 48u);  // today (intraday after the last hour) and tomorrow
  EXPECT_EQ(f["points"][47]["horizon"], "day_ahead");
  int intraday = 0;  // at least the hour in progress is not observed yet
  for (const auto& p : f["points"]) intraday += p["horizon"] == "intraday" ? 1 : 0;
  EXPECT_GE(intraday, 1);
  EXPECT_TRUE(f["points"][47]["value"].is_number());
  historian.terminate();
}

#endif

}  // namespace
