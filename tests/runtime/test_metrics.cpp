#include <cmath>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/runtime/metrics.hpp"

namespace ems::runtime::metrics {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, CounterAndGaugeRenderWithHelpAndType) {
  Registry r;
  auto& c = r.counter("ems_things_total", "Things seen");
  c.with().inc();
  c.with().inc(2);
  c.with().inc(-5);  // ignored: counters only go up
  auto& g = r.gauge("ems_level", "A level", {"site"});
  g.with({"s1"}).set(2.5);
  g.with({"s1"}).dec(1);
  EXPECT_EQ(r.render(),
            "# HELP ems_level A level\n"
            "# TYPE ems_level gauge\n"
            "ems_level{site=\"s1\"} 1.5\n"
            "# HELP ems_things_total Things seen\n"
            "# TYPE ems_things_total counter\n"
            "ems_things_total 3\n");
}

TEST(Metrics, UnlabelledMetricIsExportedAsZeroBeforeUse) {
  Registry r;
  r.counter("ems_errors_total", "Errors");
  EXPECT_THAT(r.render(), HasSubstr("\nems_errors_total 0\n"));
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Registry r;
  r.counter("ems_x_total", "Line one\nback\\slash", {"path"}).with({"a\"b\\c\nd"}).inc();
  const auto text = r.render();
  EXPECT_THAT(text, HasSubstr("# HELP ems_x_total Line one\\nback\\\\slash\n"));
  EXPECT_THAT(text, HasSubstr("ems_x_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Registry r;
  auto& h = r.histogram("ems_latency_seconds", "Latency", {"route"}, {0.1, 1});
  auto& child = h.with({"/x"});
  child.observe(0.05);
  child.observe(0.1);  // le is inclusive
  child.observe(0.5);
  child.observe(7);
  EXPECT_EQ(r.render(),
            "# HELP ems_latency_seconds Latency\n"
            "# TYPE ems_latency_seconds histogram\n"
            "ems_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "ems_latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "ems_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "ems_latency_seconds_sum{route=\"/x\"} 7.65\n"
            "ems_latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(Metrics, ReRegistrationSharesTheFamilyAndConflictsThrow) {
  Registry r;
  auto& a = r.counter("ems_shared_total", "Shared", {"k"});
  auto& b = r.counter("ems_shared_total", "Shared", {"k"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("ems_shared_total", "x", {"k"}), std::invalid_argument);
  EXPECT_THROW(r.counter("ems_shared_total", "x", {"other"}), std::invalid_argument);
  EXPECT_THROW(r.counter("1bad", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("ems_ok_total", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("ems_h", "x", {"le"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("ems_h2", "x", {}, {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(a.with({}), std::invalid_argument);
  EXPECT_THROW(a.with({"1", "2"}), std::invalid_argument);
}

TEST(Metrics, ValueFormatting) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Registry r;
  auto& c = r.counter("ems_concurrent_total", "c", {"t"});
  auto& h = r.histogram("ems_concurrent_seconds", "h");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.with({std::to_string(t % 2)}).inc();
        h.with().observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.with({"0"}).value() + c.with({"1"}).value(), 40000);
  EXPECT_EQ(h.with().snapshot().count, 40000u);
}

}  // namespace
}  // namespace ems::runtime::metrics
