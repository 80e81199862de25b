#include "rollups.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ems/contract/payload.hpp"

namespace ems::gateway {

using Clock = std::chrono::steady_clock;

std::optional<double> evaluate(contract::SyntheticOperation op, const std::vector<double>& v,
                               const std::vector<double>& w) {
  using Op = contract::SyntheticOperation;
  if (v.empty()) return std::nullopt;
  const double sum = std::accumulate(v.begin(), v.end(), 0.0);
  const double mean = sum / double(v.size());
  switch (op) {
    case Op::sum:
      return sum;
    case Op::mean:
      return mean;
    case Op::max:
      return *std::max_element(v.begin(), v.end());
    case Op::min:
      return *std::min_element(v.begin(), v.end());
    case Op::subtract:
      return v.front() - (sum - v.front());
    case Op::weighted_mean: {
      double ws = 0, acc = 0;
      for (std::size_t i = 0; i < v.size() && i < w.size(); ++i) {
        ws += w[i];
        acc += w[i] * v[i];
      }
      if (ws == 0) return std::nullopt;
      return acc / ws;
    }
    case Op::unbalance: {
      if (mean == 0) return 0.0;
      double dev = 0;
      for (double x : v) dev = std::max(dev, std::abs(x - mean));
      return dev / std::abs(mean) * 100.0;
    }
  }
  return std::nullopt;
}

Rollups::Rollups(Publish publish, Subscribe subscribe, runtime::metrics::Registry& registry)
    : publish_(std::move(publish)),
      subscribe_(std::move(subscribe)),
      published_(registry.counter("ems_gateway_rollups_published_total", "Roll-up values published")
                     .with()),
      stale_(registry
                 .counter("ems_gateway_rollups_stale_total",
                          "Roll-up rounds not published because an input was stale or missing")
                 .with()) {}

Rollups::~Rollups() {
  stop();
}

void Rollups::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_) thread_ = std::thread([this] { run(); });
}

void Rollups::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Rollups::configure(std::vector<RollupSpec> specs, std::map<std::string, double> period_s) {
  std::vector<std::string> new_topics;
  {
    std::lock_guard lock(mutex_);
    std::map<std::string, Clock::time_point> due;
    for (const auto& r : running_) due[r.spec.topic] = r.next_due;
    running_.clear();
    for (auto& s : specs) {
      auto topics = s.point.inputs;
      for (const auto& [t, w] : s.point.pairs) topics.push_back(t);
      for (const auto& t : topics)
        if (subscribed_.insert(t).second) new_topics.push_back(t);
      const auto it = due.find(s.topic);
      running_.push_back({std::move(s), it != due.end() ? it->second : Clock::now()});
    }
    period_s_ = std::move(period_s);
  }
  wake_.notify_all();
  for (const auto& t : new_topics) subscribe_(t);
}

void Rollups::offer(const std::string& topic, std::string_view payload) {
  if (payload.empty()) return;  // a cleared retained topic
  double value = 0;
  contract::Timestamp ts;
  try {
    const auto s = contract::decode_sample(payload);
    ts = s.ts;
    if (const auto* d = std::get_if<double>(&s.value))
      value = *d;
    else if (const auto* b = std::get_if<bool>(&s.value))
      value = *b ? 1.0 : 0.0;
    else
      return;
  } catch (const std::exception&) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (!subscribed_.count(topic)) return;
  auto& in = inputs_[topic];
  if (in.seen && ts < in.ts) return;  // an older sample (a retained replay) never wins
  in = {value, ts, true};
}

std::optional<double> Rollups::latest(const std::string& topic) {
  std::lock_guard lock(mutex_);
  const auto it = inputs_.find(topic);
  if (it == inputs_.end() || !it->second.seen) return std::nullopt;
  return it->second.value;
}

void Rollups::compute(Running& r, std::chrono::system_clock::time_point now) {
  const auto& p = r.spec.point;
  const double own_period = p.poll_rate_hz > 0 ? 1.0 / p.poll_rate_hz : 1.0;
  std::vector<double> values, weights;
  auto fresh = [&](const std::string& topic) -> std::optional<double> {
    const auto in = inputs_.find(topic);
    if (in == inputs_.end() || !in->second.seen) return std::nullopt;
    const auto pit = period_s_.find(topic);
    const double period = pit != period_s_.end() ? pit->second : own_period;
    const double age = std::chrono::duration<double>(now - in->second.ts).count();
    if (age > 3 * period) return std::nullopt;
    return in->second.value;
  };
  for (const auto& t : p.inputs) {
    auto v = fresh(t);
    if (!v) {
      stale_.inc();
      return;
    }
    values.push_back(*v);
  }
  for (const auto& [t, w] : p.pairs) {
    auto v = fresh(t);
    if (!v) {
      stale_.inc();
      return;
    }
    values.push_back(*v);
    weights.push_back(w);
  }
  const auto result = evaluate(p.operation, values, weights);
  if (!result || !std::isfinite(*result)) return;
  publish_(r.spec.topic, *result, contract::to_timestamp(now));
  published_.inc();
}

void Rollups::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto now = Clock::now();
    auto next = now + std::chrono::seconds(1);
    for (auto& r : running_) {
      if (r.next_due <= now) {
        compute(r, std::chrono::system_clock::now());
        const double period = r.spec.point.poll_rate_hz > 0 ? 1.0 / r.spec.point.poll_rate_hz : 1.0;
        r.next_due +=
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period));
        if (r.next_due < now) r.next_due = now;
      }
      next = std::min(next, r.next_due);
    }
    wake_.wait_until(lock, next, [&] { return stopping_; });
  }
}

}  // namespace ems::gateway
