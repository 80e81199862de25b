#include "device_worker.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "ems/contract/topic.hpp"
#include "ems/runtime/log.hpp"

namespace ems::gateway {

namespace log = runtime::log;
using Clock = std::chrono::steady_clock;

std::string_view to_string(CommState s) noexcept {
  switch (s) {
    case CommState::online:
      return "ONLINE";
    case CommState::degraded:
      return "DEGRADED";
    case CommState::offline:
      return "OFFLINE";
  }
  return "OFFLINE";
}

struct WorkerMetrics {
  runtime::metrics::Counter& polls;
  runtime::metrics::Counter& poll_errors;
  runtime::metrics::Counter& point_errors;
  runtime::metrics::Counter& published;
  runtime::metrics::Histogram& latency;
};

namespace {

std::shared_ptr<WorkerMetrics> metrics_for(runtime::metrics::Registry& r,
                                           const std::string& protocol, const std::string& device) {
  return std::make_shared<WorkerMetrics>(WorkerMetrics{
      r.counter("ems_gateway_polls_total", "Group reads per device", {"protocol", "device"})
          .with({protocol, device}),
      r.counter("ems_gateway_poll_errors_total", "Group reads with no point read",
                {"protocol", "device"})
          .with({protocol, device}),
      r.counter("ems_gateway_point_errors_total", "Points that failed to read", {"protocol"})
          .with({protocol}),
      r.counter("ems_gateway_points_published_total",
                "Engineering values published, per device (its publish rate)",
                {"protocol", "device"})
          .with({protocol, device}),
      r.histogram("ems_gateway_poll_duration_seconds", "One group read", {"protocol"},
                  {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})
          .with({protocol}),
  });
}

double wire_step(const contract::Binding& b) {
  if (const auto* m = b.as<contract::ModbusBinding>())
    return m->data_type == contract::ModbusDataType::float32 ? 0 : std::abs(m->scale);
  if (const auto* d = b.as<contract::Dnp3Binding>()) return std::abs(d->scale);
  if (const auto* s = b.as<contract::SnmpBinding>()) return std::abs(s->scale);
  if (const auto* c = b.as<contract::CanBinding>()) return std::abs(c->scale);
  return 0;
}

}  // namespace

bool confirms(const contract::Binding& binding, const drivers::Value& written,
              const drivers::Value& read) {
  if (written.index() != read.index()) {
    // A bool written to a numeric target reads back as 1/0.
    if (std::holds_alternative<bool>(written) && std::holds_alternative<double>(read))
      return (std::get<double>(read) != 0) == std::get<bool>(written);
    return false;
  }
  if (!std::holds_alternative<double>(written)) return written == read;
  const double w = std::get<double>(written), r = std::get<double>(read);
  const double tolerance = std::max({wire_step(binding) * 1.0001, std::abs(w) * 1e-5, 1e-9});
  return std::abs(w - r) <= tolerance;
}

DeviceWorker::DeviceWorker(WorkerConfig config, const runtime::Secrets& secrets, WorkerSink& sink,
                           runtime::metrics::Registry& registry)
    : config_(std::move(config)),
      sink_(sink),
      driver_(drivers::make_driver(config_.connection, secrets, config_.driver_options)) {
  const std::string protocol(contract::to_string(config_.connection.protocol));
  metrics_ = metrics_for(registry, protocol, config_.device_id);
  queue_gauge_ =
      &registry.gauge("ems_gateway_command_queue_depth", "Writes waiting per device", {"device"})
           .with({config_.device_id});
  std::map<double, std::size_t> by_rate;
  const auto now = Clock::now();
  for (const auto& p : config_.points) {
    const double rate = p.poll_rate_hz > 0 ? p.poll_rate_hz : 1.0;
    auto [it, added] = by_rate.emplace(rate, groups_.size());
    if (added) {
      Group g;
      g.period_s = 1.0 / rate;
      g.next_due = now;
      groups_.push_back(std::move(g));
    }
    Group& g = groups_[it->second];
    g.points.push_back(p);
    g.topics.push_back(
        contract::measurement_topic(config_.site_id, config_.device_id, p.name, p.unit));
  }
}

DeviceWorker::~DeviceWorker() {
  stop();
}

void DeviceWorker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

void DeviceWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::deque<WriteJob> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(queue_);
  }
  for (auto& j : left) j.finish(contract::AckState::failed, "gateway stopping");
  for (auto& c : confirms_) c.job.finish(contract::AckState::failed, "gateway stopping");
  confirms_.clear();
  if (driver_) driver_->close();
}

bool DeviceWorker::submit(WriteJob job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= config_.max_queue) return false;
    queue_.push_back(std::move(job));
    queue_gauge_->set(double(queue_.size()));
  }
  wake_.notify_all();
  return true;
}

CommState DeviceWorker::state() const {
  std::lock_guard lock(mutex_);
  return state_.value_or(CommState::offline);
}

bool DeviceWorker::polls(const std::string& point) const {
  return find_point(point).has_value();
}

std::optional<std::pair<std::size_t, std::size_t>> DeviceWorker::find_point(
    const std::string& name) const {
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (std::size_t i = 0; i < groups_[g].points.size(); ++i)
      if (groups_[g].points[i].name == name) return std::pair{g, i};
  return std::nullopt;
}

void DeviceWorker::run() {
  try {
    driver_->open();
  } catch (const std::exception& e) {
    // Reads connect on demand; the first poll reports the device's state.
    log::warn(
        "device not reachable yet",
        {{"device", config_.device_id}, {"endpoint", driver_->endpoint()}, {"error", e.what()}});
  }
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (!queue_.empty()) {
      WriteJob job = std::move(queue_.front());
      queue_.pop_front();
      queue_gauge_->set(double(queue_.size()));
      lock.unlock();
      execute(std::move(job));
      lock.lock();
      continue;
    }
    auto now = Clock::now();
    Clock::time_point next = now + std::chrono::seconds(1);
    for (const auto& g : groups_) next = std::min(next, g.next_due);
    for (const auto& c : confirms_) next = std::min(next, c.next_check);
    if (next > now) {
      wake_.wait_until(lock, next, [&] { return stopping_ || !queue_.empty(); });
      continue;
    }
    lock.unlock();
    if (!confirms_.empty()) check_confirmations();
    now = Clock::now();
    for (auto& g : groups_)
      if (g.next_due <= now) poll(g, now);
    update_state();
    lock.lock();
  }
}

void DeviceWorker::poll(Group& g, Clock::time_point now) {
  const auto t0 = Clock::now();
  const auto readings = driver_->read(g.points);
  const auto ts = contract::to_timestamp(std::chrono::system_clock::now());
  metrics_->latency.observe(std::chrono::duration<double>(Clock::now() - t0).count());
  metrics_->polls.inc();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < readings.size() && i < g.points.size(); ++i) {
    const auto& r = readings[i];
    if (!r.ok()) continue;
    ++ok;
    sink_.publish_value(g.topics[i], *r.value, ts);
  }
  metrics_->published.inc(double(ok));
  if (ok < g.points.size()) metrics_->point_errors.inc(double(g.points.size() - ok));
  g.last_ok = ok;
  g.read_once = true;
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(g.period_s));
  if (ok == 0 && !g.points.empty()) {
    metrics_->poll_errors.inc();
    if (g.failures == 0 && !readings.empty())
      log::warn("device read failed", {{"device", config_.device_id},
                                       {"endpoint", driver_->endpoint()},
                                       {"error", readings.front().error}});
    ++g.failures;
    // Backoff: period * 2^failures, at most max_backoff (but never faster than the period).
    auto delay = period * (1LL << std::min(g.failures, 16));
    delay =
        std::max<Clock::duration>(period, std::min<Clock::duration>(delay, config_.max_backoff));
    g.next_due = Clock::now() + delay;
    return;
  }
  if (g.failures > 0)
    log::info("device answers again",
              {{"device", config_.device_id}, {"endpoint", driver_->endpoint()}});
  g.failures = 0;
  g.next_due += period;
  if (g.next_due < now) g.next_due = now + period;  // fell behind: skip, do not burst
}

void DeviceWorker::update_state() {
  std::size_t ok = 0, total = 0;
  for (const auto& g : groups_) {
    if (!g.read_once) return;  // first state once every group was read
    ok += g.last_ok;
    total += g.points.size();
  }
  const CommState s = ok == total ? CommState::online
                      : ok == 0   ? CommState::offline
                                  : CommState::degraded;
  {
    std::lock_guard lock(mutex_);
    if (state_ == s) return;
    state_ = s;
  }
  sink_.connection_state(config_.device_id, config_.connection.protocol, s);
}

void DeviceWorker::execute(WriteJob job) {
  if (Clock::now() > job.deadline) {
    job.finish(contract::AckState::timeout,
               "not written: the device's queue was not reached in time");
    return;
  }
  try {
    driver_->write(job.command, job.value);
  } catch (const drivers::DriverError& e) {
    const auto state = e.kind() == drivers::ErrorKind::timeout ? contract::AckState::timeout
                                                               : contract::AckState::failed;
    job.finish(state, std::string("write failed: ") + e.what());
    return;
  } catch (const std::exception& e) {
    job.finish(contract::AckState::failed, std::string("write failed: ") + e.what());
    return;
  }
  const auto where = find_point(job.command.target);
  if (!where) {
    job.finish(contract::AckState::done, std::nullopt);  // the protocol confirmed the write
    return;
  }
  confirms_.push_back({std::move(job), where->first, where->second, Clock::now()});
}

void DeviceWorker::check_confirmations() {
  const auto now = Clock::now();
  for (std::size_t k = 0; k < confirms_.size();) {
    Confirm& c = confirms_[k];
    if (c.next_check > now) {
      ++k;
      continue;
    }
    Group& g = groups_[c.group];
    const auto& point = g.points[c.index];
    const auto r = driver_->read(std::span(&point, 1));
    bool done = false;
    std::string last = "no answer";
    if (!r.empty() && r[0].ok()) {
      sink_.publish_value(g.topics[c.index], *r[0].value,
                          contract::to_timestamp(std::chrono::system_clock::now()));
      done = confirms(point.binding, c.job.value, *r[0].value);
      last = drivers::to_string(*r[0].value);
    } else if (!r.empty()) {
      last = r[0].error;
    }
    if (done) {
      c.job.finish(contract::AckState::done, std::nullopt);
    } else if (Clock::now() >= c.job.deadline) {
      c.job.finish(contract::AckState::timeout, "read-back of " + point.name + " gave " + last +
                                                    ", not " + drivers::to_string(c.job.value));
    } else {
      c.next_check = Clock::now() + std::chrono::milliseconds(100);
      ++k;
      continue;
    }
    confirms_.erase(confirms_.begin() + std::ptrdiff_t(k));
  }
}

}  // namespace ems::gateway
