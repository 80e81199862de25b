// The query API against data published over MQTT and stored by the real ems-historian:
// bucketed aggregates equal a brute-force computation over the raw rows on every tier (raw,
// 1 min, 1 h roll-ups), CSV round-trips, comm_status joins, the point limit, series, latest,
// commands, and every bad parameter answered 400 problem+json naming it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "historian_process.hpp"

namespace ems::historian::testing {
namespace {

constexpr const char* kSite = "site_q";
constexpr std::int64_t kStep = 15000;  // one float sample every 15 s
constexpr std::int64_t kMinute = 60000, kHour = 3600000;

std::string topic(const std::string& device, const std::string& m, const std::string& unit) {
  return "sites/" + std::string(kSite) + "/devices/" + device + "/measurements/" + m + "/" + unit;
}

void publish_all(runtime::MqttClient& c,
                 const std::vector<std::pair<std::string, std::string>>& msgs, int qos) {
  for (const auto& [t, p] : msgs) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!c.publish(t, p, qos, false)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "publisher stuck";
      std::this_thread::sleep_for(1ms);
    }
  }
}

std::string iso(std::int64_t ms) {
  return contract::format_timestamp(contract::Timestamp(std::chrono::milliseconds(ms)));
}

class QueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = ems::testing::PostgresServer::shared().create_database();
    const auto& mqtt = ems::testing::MosquittoServer::shared().url();
    HistorianConfig config;
    config.database_url = db_;
    config.mqtt_url = mqtt;
    historian_ = std::make_unique<HistorianProcess>(config);
    historian_->start();
    ASSERT_TRUE(historian_->wait_ready());

    // 3 days + 1 h of a float every 15 s, ending a minute ago, with a 2 h gap 10 h ago; a bool
    // every minute; comm_status changes every 30 min.
    end_ = (now_ms() / kMinute - 1) * kMinute;
    begin_ = end_ - 73 * kHour;
    std::vector<std::pair<std::string, std::string>> msgs;
    std::uint64_t x = 12345;
    for (std::int64_t t = begin_; t < end_; t += kStep) {
      if (t >= end_ - 12 * kHour && t < end_ - 10 * kHour) continue;  // the gap
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const double v = static_cast<double>(x >> 40) / 1000.0 - 5000.0;
      msgs.emplace_back(topic("meter", "active_power", "watts"), float_sample(t, v));
      ++float_count_;
      if (t % kMinute == 0) {
        msgs.emplace_back(
            topic("meter", "breaker_closed", "none"),
            contract::encode(contract::BooleanSample{
                contract::Timestamp(std::chrono::milliseconds(t)), (t / kMinute) % 3 != 0}));
        ++bool_count_;
      }
      if (t % (30 * kMinute) == 0) {
        static const char* states[] = {"ONLINE", "DEGRADED", "OFFLINE"};
        msgs.emplace_back(
            topic("meter", "comm_status", "none"),
            contract::encode(contract::EnumSample{contract::Timestamp(std::chrono::milliseconds(t)),
                                                  states[(t / (30 * kMinute)) % 3]}));
        ++enum_count_;
      }
    }
    runtime::metrics::Registry registry;
    runtime::MqttClient pub(publisher_options(mqtt, "query-publisher"), registry);
    pub.start();
    ASSERT_TRUE(pub.wait_connected(10s));
    publish_all(pub, msgs, 1);
    const auto total = float_count_ + bool_count_ + enum_count_;
    ASSERT_EQ(wait_rows(db_, "SELECT count(*) FROM ts.samples", total, 60s), total);
    pub.stop();
  }
  static void TearDownTestSuite() { historian_.reset(); }

  // Raw rows of one measurement of "meter", ascending.
  static std::vector<std::pair<std::int64_t, double>> raw(const std::string& measurement) {
    pqxx::connection c(db_);
    pqxx::nontransaction tx(c);
    std::vector<std::pair<std::int64_t, double>> out;
    for (const auto& row : tx.exec_params(
             "SELECT (extract(epoch FROM ts) * 1000)::bigint, value FROM ts.samples s JOIN "
             "ts.series r ON r.id = s.series_id WHERE r.device_id = 'meter' AND r.measurement = $1 "
             "ORDER BY ts",
             measurement)) {
      out.emplace_back(row[0].as<std::int64_t>(), row[1].as<double>());
    }
    return out;
  }

  // The brute-force answer: one value per bucket start from floor(from) while < to.
  static std::vector<std::optional<double>> brute(
      const std::vector<std::pair<std::int64_t, double>>& rows, std::int64_t from, std::int64_t to,
      std::int64_t bucket, const std::string& agg) {
    const auto start = from / bucket * bucket;
    std::vector<std::optional<double>> out;
    for (std::int64_t b = start; b < to; b += bucket) {
      double sum = 0, mn = INFINITY, mx = -INFINITY, last = 0;
      std::int64_t n = 0;
      for (const auto& [t, v] : rows) {
        if (t < b || t >= b + bucket) continue;
        sum += v;
        mn = std::min(mn, v);
        mx = std::max(mx, v);
        last = v;
        ++n;
      }
      if (n == 0) {
        out.emplace_back(std::nullopt);
      } else if (agg == "avg") {
        out.emplace_back(sum / static_cast<double>(n));
      } else if (agg == "min") {
        out.emplace_back(mn);
      } else if (agg == "max") {
        out.emplace_back(mx);
      } else if (agg == "count") {
        out.emplace_back(static_cast<double>(n));
      } else {
        out.emplace_back(last);
      }
    }
    return out;
  }

  static inline std::string db_;
  static inline std::unique_ptr<HistorianProcess> historian_;
  static inline std::int64_t begin_ = 0, end_ = 0;
  static inline std::int64_t float_count_ = 0, bool_count_ = 0, enum_count_ = 0;
};

TEST_F(QueryTest, BucketedAggregatesEqualBruteForceOnEveryTier) {
  const auto rows = raw("active_power");
  ASSERT_EQ(static_cast<std::int64_t>(rows.size()), float_count_);
  struct Case {
    std::int64_t span;
    std::string bucket;
    std::int64_t bucket_ms;
    std::string tier;
  };
  const std::vector<Case> cases = {
      {4 * kHour, "5m", 5 * kMinute, "raw"},   {4 * kHour, "1m", kMinute, "raw"},
      {20 * kHour, "15m", 15 * kMinute, "1m"}, {20 * kHour, "1m", kMinute, "1m"},
      {72 * kHour, "1h", kHour, "1h"},         {72 * kHour, "1d", 24 * kHour, "1h"}};
  for (const auto& c : cases) {
    // `to` off the bucket grid, `from` too: the first bucket starts at floor(from).
    const auto to = end_ - 7 * kMinute + 1234;
    const auto from = to - c.span;
    for (const std::string agg : {"avg", "min", "max", "last", "count"}) {
      SCOPED_TRACE(c.bucket + " over " + std::to_string(c.span / kHour) + " h, " + agg);
      const auto a =
          historian_->get("/samples?device=meter&measurement=active_power&from=" + iso(from) +
                          "&to=" + iso(to) + "&bucket=" + c.bucket + "&agg=" + agg);
      ASSERT_EQ(a.status, 200) << a.body;
      const auto j = a.json();
      EXPECT_EQ(j["tier"], c.tier);
      EXPECT_EQ(j["bucket"], c.bucket);
      EXPECT_EQ(j["agg"], agg);
      EXPECT_EQ(j["unit"], "watts");
      EXPECT_EQ(j["value_type"], "float");
      const auto expected = brute(rows, from, to, c.bucket_ms, agg);
      ASSERT_EQ(j["points"].size(), expected.size());
      std::size_t nulls = 0;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& p = j["points"][i];
        EXPECT_EQ(p["ts"], iso(from / c.bucket_ms * c.bucket_ms +
                               static_cast<std::int64_t>(i) * c.bucket_ms));
        if (!expected[i]) {
          EXPECT_TRUE(p["value"].is_null()) << i;
          ++nulls;
          continue;
        }
        ASSERT_TRUE(p["value"].is_number()) << i << " " << p.dump();
        EXPECT_NEAR(p["value"].get<double>(), *expected[i],
                    1e-9 * std::max(1.0, std::abs(*expected[i])))
            << "bucket " << i;
      }
      // The 2 h gap shows as empty buckets wherever the buckets are finer than it.
      if (c.bucket_ms <= kHour && c.span > 12 * kHour) {
        EXPECT_GT(nulls, 0u);
      }
    }
  }
}

TEST_F(QueryTest, RollupTablesEqualRawAggregates) {
  pqxx::connection c(db_);
  pqxx::nontransaction tx(c);
  // pg_partman manages the partitions (installed here, and the test role may create it): the
  // days of the 3-day-old data were created on demand, the days ahead premade.
  EXPECT_EQ(tx.exec("SELECT count(*) FROM partman.part_config WHERE parent_table = "
                    "'ts.samples'")[0][0]
                .as<int>(),
            1);
  EXPECT_GE(tx.exec("SELECT count(*) FROM pg_tables WHERE schemaname = 'ts' AND tablename ~ "
                    "'^samples_p[0-9]{4}_[0-9]{2}_[0-9]{2}$'")[0][0]
                .as<int>(),
            7);
  for (const std::string tier : {"1m", "1h"}) {
    const std::string unit = tier == "1m" ? "minute" : "hour";
    const auto diff = tx.exec(
        "SELECT count(*) FROM (SELECT series_id, date_trunc('" + unit +
        "', ts) AS b, min(value) mn, max(value) mx, sum(value) s, count(*) n, "
        "(array_agg(value ORDER BY ts DESC))[1] l FROM ts.samples GROUP BY 1, 2) raw FULL JOIN "
        "ts.rollup_" +
        tier +
        " r ON r.series_id = raw.series_id AND r.bucket = raw.b WHERE "
        "r.series_id IS NULL OR raw.series_id IS NULL OR r.min <> raw.mn OR r.max <> raw.mx OR "
        "r.count <> raw.n OR r.last <> raw.l OR abs(r.sum - raw.s) > 1e-6 * greatest(1, "
        "abs(raw.s))");
    EXPECT_EQ(diff[0][0].as<int>(), 0) << tier;
  }
}

TEST_F(QueryTest, CsvRoundTripsAndJoinsCommStatus) {
  const auto from = end_ - 3 * kHour, to = end_;
  const std::string q = "/samples?device=meter&measurement=active_power&from=" + iso(from) +
                        "&to=" + iso(to) + "&join=comm_status";
  const auto json = historian_->get(q);
  ASSERT_EQ(json.status, 200) << json.body;
  const auto j = json.json();
  ASSERT_EQ(j["points"].size(), static_cast<std::size_t>(3 * kHour / kStep));
  const auto csv = historian_->get(q + "&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0u);
  const auto by_accept = historian_->get(q, "text/csv");
  EXPECT_EQ(by_accept.body, csv.body);
  std::istringstream in(csv.body);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "ts,value,comm_status");
  std::size_t i = 0;
  static const char* states[] = {"ONLINE", "DEGRADED", "OFFLINE"};
  while (std::getline(in, line)) {
    ASSERT_LT(i, j["points"].size());
    const auto& p = j["points"][i++];
    const auto c1 = line.find(','), c2 = line.rfind(',');
    EXPECT_EQ(line.substr(0, c1), p["ts"].get<std::string>());
    EXPECT_EQ(std::stod(line.substr(c1 + 1, c2 - c1 - 1)), p["value"].get<double>());  // exact
    EXPECT_EQ(line.substr(c2 + 1), p["comm_status"].get<std::string>());
    // The status in effect at the point's time: the one published at the last 30 min mark.
    const auto t = contract::parse_timestamp(p["ts"].get<std::string>()).time_since_epoch().count();
    EXPECT_EQ(p["comm_status"], states[(t / (30 * kMinute)) % 3]) << p.dump();
  }
  EXPECT_EQ(i, j["points"].size());
}

TEST_F(QueryTest, BoolAndEnumValuesAndTheirAggregates) {
  const auto from = end_ - 2 * kHour, to = end_;
  auto a = historian_->get("/samples?device=meter&measurement=breaker_closed&from=" + iso(from) +
                           "&to=" + iso(to));
  ASSERT_EQ(a.status, 200) << a.body;
  auto j = a.json();
  EXPECT_EQ(j["value_type"], "bool");
  ASSERT_FALSE(j["points"].empty());
  for (const auto& p : j["points"]) {
    const auto t = contract::parse_timestamp(p["ts"].get<std::string>()).time_since_epoch().count();
    EXPECT_EQ(p["value"], (t / kMinute) % 3 != 0);
  }
  a = historian_->get("/samples?device=meter&measurement=comm_status&from=" + iso(from) +
                      "&to=" + iso(to) + "&bucket=1h&agg=last");
  ASSERT_EQ(a.status, 200) << a.body;
  j = a.json();
  for (const auto& p : j["points"]) EXPECT_TRUE(p["value"].is_string() || p["value"].is_null());
  a = historian_->get("/samples?device=meter&measurement=comm_status&bucket=1h&agg=avg");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("agg"), std::string::npos) << a.body;
}

TEST_F(QueryTest, SeriesLatestAndCors) {
  auto a = historian_->get("/series?device=meter");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.cors, "*");
  const auto series = a.json()["series"];
  ASSERT_EQ(series.size(), 3u) << a.body;
  EXPECT_EQ(series[0]["measurement"], "active_power");
  EXPECT_EQ(series[0]["site_id"], kSite);
  EXPECT_EQ(series[0]["value_type"], "float");
  EXPECT_EQ(series[1]["value_type"], "bool");
  EXPECT_EQ(series[2]["value_type"], "enum");
  EXPECT_EQ(historian_->get("/series?unit=watts").json()["series"].size(), 1u);
  EXPECT_EQ(historian_->get("/series?device=nobody").json()["series"].size(), 0u);

  a = historian_->get("/latest?device=meter");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto values = a.json()["values"];
  ASSERT_EQ(values.size(), 3u);
  const auto rows = raw("active_power");
  EXPECT_EQ(values[0]["measurement"], "active_power");
  EXPECT_EQ(values[0]["ts"], iso(rows.back().first));
  EXPECT_EQ(values[0]["value"].get<double>(), rows.back().second);
  EXPECT_TRUE(values[1]["value"].is_boolean());
  EXPECT_TRUE(values[2]["value"].is_string());
  EXPECT_EQ(historian_->get("/latest?device=nobody").status, 404);
}

TEST_F(QueryTest, PointLimitSaysHowManyAndSuggestsABucket) {
  const auto from = end_ - 3 * kHour, to = end_;
  const auto a =
      historian_->get("/samples?device=meter&measurement=active_power&from=" + iso(from) +
                      "&to=" + iso(to) + "&limit=100");
  ASSERT_EQ(a.status, 400);
  EXPECT_EQ(a.content_type, "application/problem+json");
  const auto detail = a.json()["detail"].get<std::string>();
  EXPECT_NE(detail.find(std::to_string(3 * kHour / kStep) + " points"), std::string::npos)
      << detail;
  EXPECT_NE(detail.find("bucket="), std::string::npos) << detail;
  const auto b =
      historian_->get("/samples?device=meter&measurement=active_power&from=" + iso(from) +
                      "&to=" + iso(to) + "&bucket=1m&limit=100");
  ASSERT_EQ(b.status, 400);
  EXPECT_NE(b.json()["detail"].get<std::string>().find("180 buckets"), std::string::npos) << b.body;
}

TEST_F(QueryTest, EveryBadParameterIsRejectedNamingIt) {
  const std::string ok = "/samples?device=meter&measurement=active_power";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/samples?measurement=active_power", "device"},
      {"/samples?device=meter", "measurement"},
      {"/samples?device=Meter&measurement=active_power", "device"},
      {"/samples?device=meter&measurement=active-power", "measurement"},
      {ok + "&from=yesterday", "from"},
      {ok + "&to=2026-13-01T00:00:00Z", "to"},
      {ok + "&from=2026-11-26T07:05:11", "from"},
      {ok + "&from=2026-11-26T07:05:11+25:00", "from"},
      {ok + "&from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", "from"},
      {ok + "&bucket=2m", "bucket"},
      {ok + "&bucket=1m&agg=median", "agg"},
      {ok + "&agg=avg", "agg"},
      {ok + "&join=weather", "join"},
      {ok + "&limit=0", "limit"},
      {ok + "&limit=ten", "limit"},
      {ok + "&limit=100001", "limit"},
      {ok + "&format=xml", "format"},
      {ok + "&colour=red", "colour"},
      {ok + "&bucket=1m&bucket=5m", "bucket"},
      {"/series?unit=kilowatts", "unit"},
      {"/series?device=a-b", "device"},
      {"/latest", "device"},
      {"/latest?device=meter&x=1", "x"},
      {"/commands", "device"},
      {"/commands?device=meter&from=soon", "from"},
  };
  for (const auto& [path, name] : cases) {
    const auto a = historian_->get(path);
    EXPECT_EQ(a.status, 400) << path << " " << a.body;
    EXPECT_EQ(a.content_type, "application/problem+json") << path;
    if (a.status != 400) continue;
    const auto j = a.json();
    EXPECT_EQ(j["status"], 400);
    EXPECT_FALSE(j["title"].get<std::string>().empty());
    EXPECT_EQ(j["detail"].get<std::string>().rfind(name + ":", 0), 0u) << path << " " << j.dump();
  }
  // Offsets are accepted; a query-string '+' decoded as a space too.
  EXPECT_EQ(
      historian_->get(ok + "&from=2026-11-26T08:05:11%2B01:00&to=2026-11-26T09:00:00Z").status,
      200);
  EXPECT_EQ(historian_->get(ok + "&from=2026-11-26T08:05:11+01:00&to=2026-11-26T09:00:00Z").status,
            200);
  EXPECT_EQ(historian_->get("/samples?device=meter&measurement=nothing").status, 404);
}

}  // namespace
}  // namespace ems::historian::testing
