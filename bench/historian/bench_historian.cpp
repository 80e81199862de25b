// bench_historian: the historian's figures for the README (see bench/historian/CMakeLists.txt).
//
//   bench_historian [--rate 30000] [--seconds 10] [--copy-rows 2000000] [--batch 10000]
//                   [--raw-days 1] [--queries 200]
//
// 1. ingest: publishers send QoS 0 samples over 100 series at --rate for --seconds to a private
//    mosquitto; the ems-historian process stores them in a private PostgreSQL; the figure is
//    samples stored / (first publish .. last stored), with the loss (published - stored).
// 2. COPY path: SampleStore::write (COPY into staging, idempotent insert, 1 min and 1 h roll-ups)
//    in process, batches of 10,000 over 100 series: rows/s; then bytes on disk per sample
//    (raw partitions with their primary key index, and the roll-ups).
// 3. queries: 100 series x 30 days of 1 Hz data - the roll-up tiers for all 30 days (what 1 Hz
//    rows aggregate to, generated with generate_series) and raw 1 Hz rows for the last
//    --raw-days days - then p50/p99 of 24 h / 1 min bucket avg queries (QueryService, the code
//    behind GET /samples) at random series and days, and of 1 h raw queries (3,600 points).
// The test servers run with fsync off (tests/support): the figures are upper bounds for a
// durable database on this disk.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <pqxx/pqxx>

#include "ems/contract/payload.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"
#include "query.hpp"
#include "sample_store.hpp"
#include "schema.hpp"

using namespace std::chrono_literals;
using namespace ems;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSeries = 100;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double metric(int port, const std::string& series) {
  httplib::Client client("127.0.0.1", port);
  auto r = client.Get("/metrics");
  if (!r) return -1;
  const auto at = r->body.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(r->body.substr(at + series.size() + 2));
}

std::string topic(int series) {
  return "sites/bench/devices/d" + std::to_string(series) + "/measurements/power/watts";
}

void ingest(int rate, int seconds) {
  testing::PostgresServer pg;
  testing::MosquittoServer broker;
  const auto db = pg.create_database();
  char spool[] = "/tmp/ems-bench-spool-XXXXXX";
  if (::mkdtemp(spool) == nullptr) throw std::runtime_error("mkdtemp");
  const int port = testing::free_loopback_port();
  testing::ChildProcess historian;
  historian.spawn(
      {"/usr/bin/env", "EMS_DATABASE_URL=" + db, "EMS_MQTT_URL=" + broker.url(),
       "EMS_MQTT_CLIENT_ID=bench-historian", "EMS_DEVICE_API_URL=http://127.0.0.1:9",
       "EMS_HISTORIAN_HOST=127.0.0.1", "EMS_HISTORIAN_PORT=" + std::to_string(port),
       "EMS_HISTORIAN_SPOOL_DIR=" + std::string(spool), "EMS_LOG_LEVEL=warn", EMS_HISTORIAN_BINARY},
      std::string(spool) + ".log");
  if (!testing::wait_for_http_ok("http://127.0.0.1:" + std::to_string(port) + "/readyz", 30s)) {
    throw std::runtime_error("historian not ready: " +
                             testing::tail_file(std::string(spool) + ".log"));
  }
  constexpr int kPublishers = 2;
  const std::int64_t base = now_ms() - 3600000;
  std::atomic<std::int64_t> sent{0};
  std::vector<std::thread> threads;
  // Payloads are encoded and clients connected before the clock starts: what is timed is the
  // publishing and the historian, not the bench's JSON encoding.
  std::latch ready(kPublishers + 1);
  Clock::time_point t0;
  for (int w = 0; w < kPublishers; ++w) {
    threads.emplace_back([&, w] {
      runtime::metrics::Registry registry;
      runtime::MqttOptions o;
      o.url = broker.url();
      o.service_id = "bench-publisher-" + std::to_string(w);
      o.client_id = o.service_id;
      o.max_buffered_messages = 1000000;
      runtime::MqttClient client(o, registry);
      client.start();
      client.wait_connected(10s);
      const std::int64_t total = static_cast<std::int64_t>(rate) * seconds / kPublishers;
      std::vector<std::string> topics;
      for (int k = 0; k < kSeries / kPublishers; ++k) topics.push_back(topic(k * kPublishers + w));
      std::vector<std::string> payloads;
      payloads.reserve(static_cast<std::size_t>(total));
      for (std::int64_t i = 0; i < total; ++i) {
        const std::int64_t n = i / (kSeries / kPublishers);
        payloads.push_back(contract::encode(contract::FloatSample{
            contract::Timestamp(std::chrono::milliseconds(base + n)), static_cast<double>(i)}));
      }
      ready.arrive_and_wait();
      const auto start = Clock::now();
      for (std::int64_t i = 0; i < total; ++i) {
        if (i % 100 == 0) {
          std::this_thread::sleep_until(
              start + std::chrono::microseconds(i * 1000000LL * kPublishers / rate));
        }
        const auto& t = topics[static_cast<std::size_t>(i % (kSeries / kPublishers))];
        while (!client.publish(t, payloads[static_cast<std::size_t>(i)], 0, false))
          std::this_thread::sleep_for(100us);
        sent.fetch_add(1);
      }
      client.stop(5s);
    });
  }
  ready.arrive_and_wait();
  t0 = Clock::now();
  for (auto& t : threads) t.join();
  const auto published_in = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto total = sent.load();
  double stored = 0, last = -1;
  auto last_change = Clock::now();
  while (Clock::now() - last_change < 10s) {
    stored = metric(port, "ems_historian_samples_written_total");
    if (stored >= static_cast<double>(total)) break;
    if (stored != last) {
      last = stored;
      last_change = Clock::now();
    }
    std::this_thread::sleep_for(20ms);
  }
  const auto elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  const double bytes = metric(port, "ems_historian_spool_bytes");
  historian.terminate(10s);
  std::printf(
      "ingest: planned %d samples/s x %d s over %d series (QoS 0): published %lld in %.2f s "
      "(%.0f/s); stored %.0f, lost %lld; stored/s from first publish to last stored %.0f "
      "(spool at end %.0f bytes)\n",
      rate, seconds, kSeries, static_cast<long long>(total), published_in,
      static_cast<double>(total) / published_in, stored,
      static_cast<long long>(total) - static_cast<long long>(stored), stored / elapsed, bytes);
  std::error_code ec;
  std::filesystem::remove_all(spool, ec);
  std::filesystem::remove(std::string(spool) + ".log", ec);
}

void copy_path(testing::PostgresServer& pg, std::int64_t rows, std::size_t kBatch) {
  const auto db = pg.create_database();
  pqxx::connection conn(db);
  historian::migrate(conn);
  historian::Partitions partitions;
  historian::SampleStore store(partitions);
  const std::int64_t base = (now_ms() / 86400000 - 1) * 86400000;  // yesterday 00:00Z
  std::vector<historian::Batch> batches;
  for (std::int64_t done = 0; done < rows;) {
    historian::Batch b;
    for (std::size_t i = 0; i < kBatch && done < rows; ++i, ++done) {
      historian::SampleRecord r;
      r.topic.site_id = "bench";
      r.topic.device_id = "d" + std::to_string(done % kSeries);
      r.topic.measurement = "power";
      r.topic.unit = contract::Unit::watts;
      r.ts = contract::Timestamp(std::chrono::milliseconds(base + (done / kSeries) * 1000));
      r.value = std::sin(static_cast<double>(done)) * 1000.0;
      b.records.emplace_back(std::move(r));
    }
    batches.push_back(std::move(b));
  }
  store.write(conn, batches.front());  // series, labels and partitions created outside the timing
  const auto t0 = Clock::now();
  std::size_t inserted = 0;
  for (std::size_t i = 1; i < batches.size(); ++i)
    inserted += store.write(conn, batches[i]).samples_inserted;
  const auto s = std::chrono::duration<double>(Clock::now() - t0).count();
  pqxx::nontransaction tx(conn);
  tx.exec("VACUUM ANALYZE ts.samples");
  const auto raw_bytes = tx.exec(
                               "SELECT sum(pg_total_relation_size(relid))::bigint FROM "
                               "pg_partition_tree('ts.samples')")[0][0]
                             .as<double>();
  const auto n = tx.exec("SELECT count(*) FROM ts.samples")[0][0].as<double>();
  const auto rollup_bytes = tx.exec(
                                  "SELECT (pg_total_relation_size('ts.rollup_1m') + "
                                  "pg_total_relation_size('ts.rollup_1h'))::bigint")[0][0]
                                .as<double>();
  std::printf(
      "copy path: %zu rows in %.2f s = %.0f rows/s (SampleStore::write: COPY + insert + 1 min "
      "and 1 h roll-ups, batches of %zu, %d series at 1 Hz)\n",
      inserted, s, static_cast<double>(inserted) / s, kBatch, kSeries);
  std::printf(
      "disk: %.1f bytes per sample in ts.samples (heap + primary key, %.0f rows); roll-ups add "
      "%.1f bytes per sample at 1 Hz\n",
      raw_bytes / n, n, rollup_bytes / n);
}

void queries(testing::PostgresServer& pg, int raw_days, int count) {
  const auto db = pg.create_database();
  pqxx::connection conn(db);
  historian::migrate(conn);
  const std::int64_t day_ms = 86400000;
  const std::int64_t end = (now_ms() / day_ms + 1) * day_ms;  // tomorrow 00:00Z
  const std::int64_t start = end - 30 * day_ms;
  historian::Partitions partitions;
  std::set<std::int64_t> days;
  for (std::int64_t d = start / day_ms; d < end / day_ms; ++d) days.insert(d);
  partitions.ensure_days(conn, days);
  const auto t0 = Clock::now();
  {
    pqxx::work tx(conn);
    tx.exec(
        "INSERT INTO ts.series (site_id, device_id, measurement, unit, value_type) SELECT 'bench', "
        "'d' || s, 'power', 'watts', 'float' FROM generate_series(1, 100) s");
    const std::string from =
        "'epoch'::timestamptz + " + std::to_string(start) + " * interval '1 ms'";
    const std::string to = "'epoch'::timestamptz + " + std::to_string(end) + " * interval '1 ms'";
    // What 1 Hz rows of v(t) = 1000 sin(t / 3600 + id) aggregate to, per minute and per hour.
    for (const auto& [table, step, n] :
         {std::tuple{"rollup_1m", "1 minute", 60}, std::tuple{"rollup_1h", "1 hour", 3600}}) {
      tx.exec(std::string("INSERT INTO ts.") + table + " SELECT s.id, b, v - 1, v + 1, v * " +
              std::to_string(n) + ", " + std::to_string(n) + ", v, b + interval '" + step +
              "' - interval '1 second' FROM ts.series s, "
              "generate_series(" +
              from + ", " + to + " - interval '" + step + "', interval '" + step +
              "') b, LATERAL (SELECT 1000 * sin(extract(epoch FROM b) / 3600 + s.id) AS v) x");
    }
    tx.exec(
        "INSERT INTO ts.samples SELECT s.id, t, 1000 * sin(extract(epoch FROM t) / 3600 + s.id) "
        "FROM ts.series s, generate_series(" +
        to + " - interval '" + std::to_string(raw_days) + " days', " + to +
        " - interval '1 second', interval '1 second') t");
    tx.commit();
  }
  {
    pqxx::nontransaction tx(conn);
    tx.exec("VACUUM ANALYZE ts.samples");
    tx.exec("VACUUM ANALYZE ts.rollup_1m");
    tx.exec("VACUUM ANALYZE ts.rollup_1h");
  }
  const auto gen = std::chrono::duration<double>(Clock::now() - t0).count();
  historian::QueryService service(db, 2, 100000, std::chrono::hours(24 * 30));
  std::mt19937 rng(7);
  auto measure = [&](std::int64_t span, std::int64_t bucket, const char* name,
                     std::int64_t window) {
    std::vector<double> ms;
    std::size_t points = 0;
    for (int i = 0; i < count; ++i) {
      historian::SamplesRequest q;
      q.device_id = "d" + std::to_string(1 + rng() % 100);
      q.measurement = "power";
      q.to_ms = end - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(window - span));
      q.from_ms = q.to_ms - span;
      q.bucket_ms = bucket;
      q.bucket = bucket ? "1m" : "";
      q.limit = 100000;
      const auto a = Clock::now();
      const auto answer = service.samples(q);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
      points = answer.points.size();
    }
    std::sort(ms.begin(), ms.end());
    std::printf("query %s: p50 %.1f ms, p99 %.1f ms (%d queries, %zu points each)\n", name,
                ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], count,
                points);
  };
  std::printf(
      "query data: 100 series, roll-ups over 30 days, raw 1 Hz rows over the last %d days, "
      "generated in %.1f s\n",
      raw_days, gen);
  measure(day_ms, 60000, "24 h / 1 min buckets avg (tier 1m)", 30 * day_ms);
  measure(3600000, 0, "1 h raw (tier raw)", raw_days * day_ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is measured
  int rate = 30000, seconds = 10, raw_days = 1, count = 200;
  std::int64_t copy_rows = 2000000;
  std::size_t batch = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const std::string v = argv[i + 1];
    if (a == "--rate")
      rate = std::stoi(v);
    else if (a == "--seconds")
      seconds = std::stoi(v);
    else if (a == "--copy-rows")
      copy_rows = std::stoll(v);
    else if (a == "--raw-days")
      raw_days = std::stoi(v);
    else if (a == "--batch")
      batch = static_cast<std::size_t>(std::stoul(v));
    else if (a == "--queries")
      count = std::stoi(v);
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  try {
    if (rate > 0) ingest(rate, seconds);
    testing::PostgresServer pg;
    if (copy_rows > 0) copy_path(pg, copy_rows, batch);
    if (count > 0) queries(pg, raw_days, count);
  } catch (const std::exception& e) {
    std::cerr << "bench_historian failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
