#include "ems/follower/topology_follower.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "ems/runtime/backoff.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http_client.hpp"
#include "ems/runtime/json_input.hpp"
#include "ems/runtime/log.hpp"

namespace ems::follower {

namespace {

constexpr Trigger kTriggers[] = {Trigger::start,    Trigger::event, Trigger::connect,
                                 Trigger::periodic, Trigger::retry, Trigger::refresh};

constexpr FetchReport::Outcome kOutcomes[] = {
    FetchReport::Outcome::applied, FetchReport::Outcome::unchanged, FetchReport::Outcome::failed,
    FetchReport::Outcome::callback_failed};

std::optional<std::string> string_at(const nlohmann::json& document, const std::string& pointer) {
  try {
    const nlohmann::json::json_pointer p(pointer);
    if (!document.contains(p)) return std::nullopt;
    const auto& value = document.at(p);
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) return std::nullopt;
    return value.get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a malformed pointer, or a path through a non-container
  }
}

std::string etag_value(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string error_text(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

// ---- pure parts -----------------------------------------------------------------------------

std::string_view trigger_name(Trigger t) {
  switch (t) {
    case Trigger::start:
      return "start";
    case Trigger::event:
      return "event";
    case Trigger::connect:
      return "connect";
    case Trigger::periodic:
      return "periodic";
    case Trigger::retry:
      return "retry";
    case Trigger::refresh:
      return "refresh";
  }
  return "unknown";
}

std::string Triggers::to_string() const {
  std::string out;
  for (const auto t : kTriggers) {
    if (!has(t)) continue;
    if (!out.empty()) out += '+';
    out += trigger_name(t);
  }
  return out;
}

std::string_view outcome_name(FetchReport::Outcome outcome) {
  switch (outcome) {
    case FetchReport::Outcome::applied:
      return "applied";
    case FetchReport::Outcome::unchanged:
      return "unchanged";
    case FetchReport::Outcome::failed:
      return "failed";
    case FetchReport::Outcome::callback_failed:
      return "callback_failed";
  }
  return "unknown";
}

std::optional<std::string> document_version(const nlohmann::json& document,
                                            std::string_view pointer, std::string_view etag) {
  if (!pointer.empty()) return string_at(document, std::string(pointer));
  for (const char* p : {"/info/version", "/version"}) {
    if (auto v = string_at(document, p)) return v;
  }
  if (auto v = etag_value(etag); !v.empty()) return v;
  return std::nullopt;
}

FollowerOptions FollowerOptions::from_env(std::string path) {
  FollowerOptions o;
  o.base_url = runtime::env_string("EMS_DEVICE_API_URL", o.base_url);
  o.path = std::move(path);
  o.recheck_interval =
      runtime::env_duration_ms("EMS_TOPOLOGY_RECHECK_INTERVAL", o.recheck_interval);
  return o;
}

// ---- state shared with the MQTT callbacks ---------------------------------------------------

struct TopologyFollower::Shared {
  std::mutex mutex;
  std::condition_variable_any wake;  // the follower thread waits here for triggers
  std::condition_variable done;      // refresh() waits here for its fetch
  unsigned pending = 0;              // Trigger bits not yet served
  std::uint64_t events = 0;          // events received, not yet counted in the metric
  bool started = false;
  bool stopped = false;
  std::uint64_t refresh_requested = 0;  // refresh() calls so far
  std::uint64_t refresh_served = 0;     // refresh_requested as it was when the last fetch began
  FetchReport last_report;
  std::string accepted_version;

  void trigger(Trigger t) {
    {
      std::lock_guard lock(mutex);
      pending |= static_cast<unsigned>(t);
      if (t == Trigger::event) ++events;
    }
    wake.notify_all();
  }
};

struct TopologyFollower::Metrics {
  explicit Metrics(runtime::metrics::Registry& registry)
      : version_info(registry.gauge("ems_topology_version_info",
                                    "1 for the topology version this service runs, 0 for older",
                                    {"version"})),
        fetches(registry.counter("ems_topology_fetches_total",
                                 "Topology fetches by outcome (applied, unchanged, failed, "
                                 "callback_failed)",
                                 {"outcome"})),
        triggers(registry.counter("ems_topology_fetch_triggers_total",
                                  "What caused topology fetches (merged triggers count each)",
                                  {"trigger"})),
        events(registry
                   .counter("ems_topology_change_events_total",
                            "system/topology_changed events received")
                   .with()),
        last_success(registry
                         .gauge("ems_topology_last_success_timestamp_seconds",
                                "Unix time of the last topology fetch with a usable answer")
                         .with()) {
    // Every series exists from the start, so a rate() sees the first increase.
    for (const auto o : kOutcomes) fetches.with({std::string(outcome_name(o))});
    for (const auto t : kTriggers) triggers.with({std::string(trigger_name(t))});
  }

  runtime::metrics::GaugeFamily& version_info;
  runtime::metrics::CounterFamily& fetches;
  runtime::metrics::CounterFamily& triggers;
  runtime::metrics::Counter& events;
  runtime::metrics::Gauge& last_success;
};

// ---- follower -------------------------------------------------------------------------------

TopologyFollower::TopologyFollower(FollowerOptions options, runtime::MqttClient* mqtt,
                                   UpdateCallback on_update, runtime::metrics::Registry& registry)
    : options_(std::move(options)),
      mqtt_(mqtt),
      on_update_(std::move(on_update)),
      metrics_(std::make_unique<Metrics>(registry)),
      shared_(std::make_shared<Shared>()) {
  if (!on_update_) throw std::invalid_argument("TopologyFollower needs a callback");
  if (options_.path.empty() || options_.path.front() != '/') {
    throw std::invalid_argument("TopologyFollower path \"" + options_.path +
                                "\" must start with '/'");
  }
  std::string base = options_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  url_ = base + options_.path;
  if (!options_.version_pointer.empty()) {
    try {
      nlohmann::json::json_pointer{options_.version_pointer};
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument("TopologyFollower version_pointer \"" + options_.version_pointer +
                                  "\" is not a JSON pointer: " + e.what());
    }
  }
  runtime::split_http_url(url_);  // throws std::invalid_argument for what is not http://host
}

TopologyFollower::~TopologyFollower() {
  stop();
}

void TopologyFollower::start() {
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->started) return;
    shared_->started = true;
    shared_->pending |= static_cast<unsigned>(Trigger::start);
  }
  if (mqtt_ != nullptr) {
    // The client keeps these for its lifetime; through a weak_ptr they do nothing once the
    // follower is gone.
    std::weak_ptr<Shared> weak = shared_;
    mqtt_->subscribe(options_.event_topic, 1, [weak](const runtime::MqttMessage&) {
      if (auto s = weak.lock()) s->trigger(Trigger::event);
    });
    mqtt_->on_connected([weak] {
      if (auto s = weak.lock()) s->trigger(Trigger::connect);
    });
  }
  thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

void TopologyFollower::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;
  }
  shared_->done.notify_all();
}

void TopologyFollower::request_refresh() {
  shared_->trigger(Trigger::refresh);
}

std::optional<FetchReport> TopologyFollower::refresh(std::chrono::milliseconds timeout) {
  std::unique_lock lock(shared_->mutex);
  if (!shared_->started || shared_->stopped) return std::nullopt;
  const auto wanted = ++shared_->refresh_requested;
  shared_->pending |= static_cast<unsigned>(Trigger::refresh);
  shared_->wake.notify_all();
  const bool served = shared_->done.wait_for(
      lock, timeout, [&] { return shared_->refresh_served >= wanted || shared_->stopped; });
  if (!served || shared_->refresh_served < wanted) return std::nullopt;
  return shared_->last_report;
}

std::string TopologyFollower::current_version() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->accepted_version;
}

bool TopologyFollower::ready() const {
  std::lock_guard lock(shared_->mutex);
  return !shared_->accepted_version.empty();
}

void TopologyFollower::run(std::stop_token stop) {
  using clock = std::chrono::steady_clock;
  runtime::Backoff retry_backoff(options_.initial_delay, options_.max_delay);
  std::optional<clock::time_point> retry_at;
  const bool periodic = options_.recheck_interval.count() > 0;
  auto recheck_at = clock::now() + options_.recheck_interval;

  std::unique_lock lock(shared_->mutex);
  while (!stop.stop_requested()) {
    const auto has_work = [&] { return shared_->pending != 0; };
    std::optional<clock::time_point> deadline = retry_at;
    if (periodic && (!deadline || recheck_at < *deadline)) deadline = recheck_at;
    if (deadline) {
      shared_->wake.wait_until(lock, stop, *deadline, has_work);
    } else {
      shared_->wake.wait(lock, stop, has_work);
    }
    if (stop.stop_requested()) break;
    const auto now = clock::now();
    if (retry_at && now >= *retry_at) {
      shared_->pending |= static_cast<unsigned>(Trigger::retry);
      retry_at.reset();
    }
    if (periodic && now >= recheck_at) shared_->pending |= static_cast<unsigned>(Trigger::periodic);
    if (shared_->pending == 0) continue;

    const Triggers triggers(std::exchange(shared_->pending, 0));
    const auto events = std::exchange(shared_->events, 0);
    const auto refresh_generation = shared_->refresh_requested;
    lock.unlock();

    metrics_->events.inc(static_cast<double>(events));
    for (const auto t : kTriggers) {
      if (triggers.has(t)) metrics_->triggers.with({std::string(trigger_name(t))}).inc();
    }
    FetchReport report = fetch_once(stop, triggers);
    recheck_at = clock::now() + options_.recheck_interval;
    if (report.outcome == FetchReport::Outcome::failed) {
      retry_at = clock::now() + retry_backoff.next();
    } else {
      retry_backoff.reset();
      retry_at.reset();
    }

    lock.lock();
    if (stop.stop_requested()) break;  // a fetch cut short by stop() reports nothing
    shared_->refresh_served = refresh_generation;
    shared_->last_report = std::move(report);
    shared_->done.notify_all();
  }
}

FetchReport TopologyFollower::fetch_once(const std::stop_token& stop, Triggers triggers) {
  FetchReport report;
  report.triggers = triggers;
  const auto count = [&](FetchReport::Outcome outcome) {
    report.outcome = outcome;
    metrics_->fetches.with({std::string(outcome_name(outcome))}).inc();
  };
  const auto fail = [&](const std::string& why) {
    report.error = std::make_exception_ptr(std::runtime_error(why));
    count(FetchReport::Outcome::failed);
    runtime::log::warn("topology fetch failed",
                       {{"url", url_}, {"triggers", triggers.to_string()}, {"error", why}});
  };

  runtime::FetchOptions fetch;
  fetch.max_attempts = 0;  // until it answers, or stop()
  fetch.initial_delay = options_.initial_delay;
  fetch.max_delay = options_.max_delay;
  fetch.connect_timeout = options_.connect_timeout;
  fetch.read_timeout = options_.read_timeout;
  fetch.stop = stop;
  if (!accepted_etag_.empty()) fetch.headers.emplace_back("If-None-Match", accepted_etag_);

  runtime::FetchResult answer;
  try {
    answer = runtime::fetch_with_backoff(url_, fetch);
  } catch (const std::exception& e) {
    if (stop.stop_requested()) return report;  // stop() cut the retries short: not a failure
    fail(e.what());
    return report;
  }
  if (answer.status == 304) {
    metrics_->last_success.set(unix_seconds_now());
    report.version = current_version();
    count(FetchReport::Outcome::unchanged);
    return report;
  }
  if (answer.status != 200) {
    fail("GET " + url_ + " answered " + std::to_string(answer.status) + ": " +
         answer.body.substr(0, 300));
    return report;
  }
  nlohmann::json document;
  try {
    document = runtime::parse_json(answer.body);
  } catch (const runtime::JsonInputError& e) {
    fail("GET " + url_ + " answered a body that is not JSON: " + e.what());
    return report;
  }
  auto version = document_version(document, options_.version_pointer, answer.etag);
  if (!version) {
    fail("GET " + url_ + " answered a document without a version" +
         (options_.version_pointer.empty() ? std::string(" (no /info/version, /version or ETag)")
                                           : " at " + options_.version_pointer));
    return report;
  }
  metrics_->last_success.set(unix_seconds_now());
  report.version = *version;
  const std::string previous = current_version();
  if (*version == previous) {
    accepted_etag_ = answer.etag;
    count(FetchReport::Outcome::unchanged);
    return report;
  }

  const auto started = std::chrono::steady_clock::now();
  try {
    on_update_(TopologyUpdate{std::move(document), *version, previous, triggers});
  } catch (...) {
    report.error = std::current_exception();
    count(FetchReport::Outcome::callback_failed);
    runtime::log::error("topology update rejected; the next trigger retries it",
                        {{"url", url_},
                         {"version", *version},
                         {"running", previous},
                         {"triggers", triggers.to_string()},
                         {"error", error_text(report.error)}});
    return report;
  }
  accept(*version, answer.etag);
  count(FetchReport::Outcome::applied);
  runtime::log::info("topology applied",
                     {{"url", url_},
                      {"version", *version},
                      {"previous", previous},
                      {"triggers", triggers.to_string()},
                      {"callback_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - started)
                                          .count()}});
  return report;
}

void TopologyFollower::accept(const std::string& version, const std::string& etag) {
  std::string previous;
  {
    std::lock_guard lock(shared_->mutex);
    previous = std::exchange(shared_->accepted_version, version);
  }
  accepted_etag_ = etag;
  if (!previous.empty()) metrics_->version_info.with({previous}).set(0);
  metrics_->version_info.with({version}).set(1);
}

}  // namespace ems::follower
