#include "ems/runtime/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace ems::runtime::metrics {
namespace {

// Adds to an atomic double without relying on a lock-free fetch_add for floating point.
void atomic_add(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

std::string render_labels(const std::vector<std::string>& names,
                          const std::vector<std::string>& values, std::string_view extra_name = {},
                          std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

constexpr std::string_view type_name(Kind kind) {
  switch (kind) {
    case Kind::counter:
      return "counter";
    case Kind::gauge:
      return "gauge";
    case Kind::histogram:
      return "histogram";
  }
  return "untyped";
}

template <typename T>
constexpr Kind kind_of() {
  if constexpr (std::is_same_v<T, Counter>) return Kind::counter;
  if constexpr (std::is_same_v<T, Gauge>) return Kind::gauge;
  return Kind::histogram;
}

}  // namespace

// ---- values ---------------------------------------------------------------------------------

void Counter::inc(double amount) {
  if (!(amount >= 0)) return;
  atomic_add(value_, amount);
}
double Counter::value() const {
  return value_.load(std::memory_order_relaxed);
}

void Gauge::set(double value) {
  value_.store(value, std::memory_order_relaxed);
}
void Gauge::inc(double amount) {
  atomic_add(value_, amount);
}
void Gauge::dec(double amount) {
  atomic_add(value_, -amount);
}
double Gauge::value() const {
  return value_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && bounds_[i] <= bounds_[i - 1])) {
      throw std::invalid_argument("histogram bounds must be finite and strictly increasing");
    }
  }
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::observe(double value) {
  // Bucket i counts values <= bounds_[i] (Prometheus `le` semantics); NaN lands in +Inf.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  const auto index = static_cast<std::size_t>(it - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[index];
  sum_ += value;
  ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  std::lock_guard lock(mutex_);
  s.bounds = bounds_;
  s.cumulative_counts.reserve(counts_.size());
  std::uint64_t running = 0;
  for (auto c : counts_) {
    running += c;
    s.cumulative_counts.push_back(running);
  }
  s.sum = sum_;
  s.count = count_;
  return s;
}

const std::vector<double>& default_buckets() {
  static const std::vector<double> buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return buckets;
}

// ---- families -------------------------------------------------------------------------------

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> buckets)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      buckets_(std::move(buckets)) {
  if (!valid_metric_name(name_)) throw std::invalid_argument("invalid metric name: " + name_);
  for (const auto& label : label_names_) {
    if (!valid_label_name(label) || (kind_of<T>() == Kind::histogram && label == "le")) {
      throw std::invalid_argument("invalid label name \"" + label + "\" for " + name_);
    }
  }
  // An unlabelled metric exists from registration on, so it is exported as 0 before first use.
  if (label_names_.empty()) with({});
}

template <typename T>
T& Family<T>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(label_values.size()));
  }
  std::lock_guard lock(mutex_);
  auto it = children_.find(label_values);
  if (it == children_.end()) {
    std::unique_ptr<T> child;
    if constexpr (std::is_same_v<T, Histogram>) {
      child = std::make_unique<Histogram>(buckets_);
    } else {
      child = std::make_unique<T>();
    }
    it = children_.emplace(label_values, std::move(child)).first;
  }
  return *it->second;
}

template <typename T>
void Family<T>::render(std::string& out) const {
  out += "# HELP " + name_ + ' ' + escape_help(help_) + '\n';
  out += "# TYPE " + name_ + ' ' + std::string(type_name(kind_of<T>())) + '\n';
  std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const auto snap = child->snapshot();
      for (std::size_t i = 0; i < snap.cumulative_counts.size(); ++i) {
        const std::string le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : "+Inf";
        out += name_ + "_bucket" + render_labels(label_names_, values, "le", le) + ' ' +
               std::to_string(snap.cumulative_counts[i]) + '\n';
      }
      const auto labels = render_labels(label_names_, values);
      out += name_ + "_sum" + labels + ' ' + format_value(snap.sum) + '\n';
      out += name_ + "_count" + labels + ' ' + std::to_string(snap.count) + '\n';
    } else {
      out +=
          name_ + render_labels(label_names_, values) + ' ' + format_value(child->value()) + '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- registry -------------------------------------------------------------------------------

struct Registry::Entry {
  Kind kind;
  std::unique_ptr<CounterFamily> counter;
  std::unique_ptr<GaugeFamily> gauge;
  std::unique_ptr<HistogramFamily> histogram;

  void render(std::string& out) const {
    if (counter) counter->render(out);
    if (gauge) gauge->render(out);
    if (histogram) histogram->render(out);
  }
};

Registry::Registry() = default;
Registry::~Registry() = default;

namespace {

template <typename F>
void check_same(const F& existing, Kind existing_kind, Kind wanted,
                const std::vector<std::string>& label_names, std::string_view name) {
  if (existing_kind != wanted || existing.label_names() != label_names) {
    throw std::invalid_argument("metric " + std::string(name) +
                                " is already registered with another type or label set");
  }
}

}  // namespace

CounterFamily& Registry::counter(std::string_view name, std::string_view help,
                                 const std::vector<std::string>& label_names) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    const auto& e = *it->second;
    if (e.kind != Kind::counter) {
      throw std::invalid_argument("metric " + std::string(name) +
                                  " is already registered with another type");
    }
    check_same(*e.counter, e.kind, Kind::counter, label_names, name);
    return *e.counter;
  }
  auto entry = std::make_unique<Entry>();
  entry->kind = Kind::counter;
  entry->counter =
      std::make_unique<CounterFamily>(std::string(name), std::string(help), label_names);
  auto& ref = *entry->counter;
  families_.emplace(std::string(name), std::move(entry));
  return ref;
}

GaugeFamily& Registry::gauge(std::string_view name, std::string_view help,
                             const std::vector<std::string>& label_names) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    const auto& e = *it->second;
    if (e.kind != Kind::gauge) {
      throw std::invalid_argument("metric " + std::string(name) +
                                  " is already registered with another type");
    }
    check_same(*e.gauge, e.kind, Kind::gauge, label_names, name);
    return *e.gauge;
  }
  auto entry = std::make_unique<Entry>();
  entry->kind = Kind::gauge;
  entry->gauge = std::make_unique<GaugeFamily>(std::string(name), std::string(help), label_names);
  auto& ref = *entry->gauge;
  families_.emplace(std::string(name), std::move(entry));
  return ref;
}

HistogramFamily& Registry::histogram(std::string_view name, std::string_view help,
                                     const std::vector<std::string>& label_names,
                                     const std::vector<double>& buckets) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    const auto& e = *it->second;
    if (e.kind != Kind::histogram) {
      throw std::invalid_argument("metric " + std::string(name) +
                                  " is already registered with another type");
    }
    check_same(*e.histogram, e.kind, Kind::histogram, label_names, name);
    if (e.histogram->buckets() != buckets) {
      throw std::invalid_argument("histogram " + std::string(name) +
                                  " is already registered with other buckets");
    }
    return *e.histogram;
  }
  // Validate the bounds once, up front, rather than on the first with().
  Histogram probe(buckets);
  auto entry = std::make_unique<Entry>();
  entry->kind = Kind::histogram;
  entry->histogram =
      std::make_unique<HistogramFamily>(std::string(name), std::string(help), label_names, buckets);
  auto& ref = *entry->histogram;
  families_.emplace(std::string(name), std::move(entry));
  return ref;
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, entry] : families_) entry->render(out);
  return out;
}

Registry& Registry::global() {
  static Registry registry;
  return registry;
}

// ---- text format helpers --------------------------------------------------------------------

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, ptr);
}

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

}  // namespace ems::runtime::metrics
