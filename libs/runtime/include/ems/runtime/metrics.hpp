#pragma once
// Prometheus metrics: a thread-safe registry of counters, gauges and histograms with labels,
// rendered in the text exposition format 0.0.4 (served by HttpServer at /metrics).
//
//   auto& stored = registry.counter("ems_topology_versions_stored_total", "DTM versions stored");
//   stored.with().inc();
//   auto& rejected = registry.counter("ems_http_rejected_total", "Rejected bodies", {"reason"});
//   rejected.with({"schema"}).inc();
//   auto& lat = registry.histogram("ems_poll_seconds", "Poll duration", {"protocol"});
//   lat.with({"modbus"}).observe(0.012);
//
// Registering a name again with the same kind and label names returns the same family (so
// independent components can share a metric); a different kind or label set throws
// std::invalid_argument, as do invalid metric/label names. References returned by with() stay
// valid for the registry's lifetime. Updates are lock-free for counters and gauges.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ems::runtime::metrics {

class Counter {
 public:
  // `amount` must be >= 0 (negative amounts are ignored: counters only go up).
  void inc(double amount = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double value);
  void inc(double amount = 1.0);
  void dec(double amount = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds` are the finite upper bounds, strictly increasing; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf (== count)
    double sum = 0.0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket (not cumulative), last is +Inf
  double sum_ = 0.0;
  std::uint64_t count_ = 0;
};

// 1 ms .. 10 s, suited to request and I/O latencies in seconds.
const std::vector<double>& default_buckets();

enum class Kind { counter, gauge, histogram };

// One metric name with a fixed set of label names; one child per label-value combination.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> buckets = {});

  // The child for these label values (in the order of label_names); created on first use.
  // Throws std::invalid_argument when the count differs from label_names.
  T& with(const std::vector<std::string>& label_values = {});

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& buckets() const { return buckets_; }

  // Appends the HELP/TYPE lines and every sample of this family to `out`.
  void render(std::string& out) const;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& counter(std::string_view name, std::string_view help,
                         const std::vector<std::string>& label_names = {});
  GaugeFamily& gauge(std::string_view name, std::string_view help,
                     const std::vector<std::string>& label_names = {});
  HistogramFamily& histogram(std::string_view name, std::string_view help,
                             const std::vector<std::string>& label_names = {},
                             const std::vector<double>& buckets = default_buckets());

  // The whole registry in text format 0.0.4, families sorted by name.
  std::string render() const;

  // The process-wide registry that HttpServer and MqttClient use unless given another.
  static Registry& global();

 private:
  struct Entry;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> families_;
};

// Text-format helpers (exposed for tests).
std::string escape_label_value(std::string_view value);  // \ " and newline
std::string escape_help(std::string_view help);          // \ and newline
std::string format_value(double value);                  // +Inf, -Inf, NaN, shortest exact
bool valid_metric_name(std::string_view name);           // [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_label_name(std::string_view name);            // [a-zA-Z_][a-zA-Z0-9_]*, not __*

}  // namespace ems::runtime::metrics
