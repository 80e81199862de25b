#pragma once
// TopologyFollower: how a service keeps up with device-api's topology (CONTRACT.md section 7).
//
// What it does:
//   - fetches one device-api resource (`/asyncapi` by default; `/topology` for a service that
//     needs the DTM itself) with exponential backoff (runtime::fetch_with_backoff: connection
//     failures and 5xx are retried until they succeed or stop() is called), parses it as JSON
//     and reads its version (see document_version());
//   - hands the document to the callback ONLY when that version differs from the last one the
//     callback accepted; the same version is never delivered twice in a row, so a repeated
//     event or a re-fetch is harmless;
//   - fetches again on every `system/topology_changed` event (subscribed with QoS 1), after
//     every (re)connect of the MQTT client to the broker - so an event lost while the
//     connection was down costs at most one reconnect - on request_refresh()/refresh(), and
//     every `recheck_interval` as a safety net;
//   - sends If-None-Match with the ETag of the accepted version, so an unchanged document
//     costs a 304 and no parse.
//
// Errors. Nothing is thrown at the service after start(): a fetch that cannot be used - a
// status other than 200/304, a body that is not JSON, no version in it - is logged, counted
// (`outcome="failed"`) and retried with backoff (`initial_delay` .. `max_delay`). An exception
// from the callback is logged and counted (`outcome="callback_failed"`); that version is then
// NOT taken as accepted, so the next trigger (event, reconnect, recheck, refresh) delivers it
// again - it is not retried on its own, a deterministic failure would only repeat.
//
// Threading. One thread of its own does every fetch and runs the callback: fetches never
// overlap and the callback is never called concurrently with itself. Triggers arriving while a
// fetch or the callback runs are coalesced into ONE further fetch. MQTT callbacks only set a
// flag. The callback may take as long as it needs (a service rebuilding its pollers); it must
// not call stop() (that would wait for itself). Every public method is thread-safe.
//
// Stopping. stop() ends backoff waits at once; an HTTP request in flight ends within
// `connect_timeout` + `read_timeout`, a running callback is waited for. The MQTT client may
// outlive the follower (its callbacks then do nothing) and the follower may be stopped before
// or after the client.
//
// Metrics (in the registry given; one follower per registry):
//   ems_topology_version_info{version}               1 for the accepted version, 0 for older ones
//   ems_topology_fetches_total{outcome}              applied | unchanged | failed | callback_failed
//   ems_topology_fetch_triggers_total{trigger}       what caused the fetches (see Trigger)
//   ems_topology_change_events_total                 system/topology_changed events received
//   ems_topology_last_success_timestamp_seconds      unix time of the last usable answer
//
// Usage (a gateway):
//   MqttClient mqtt(MqttOptions::from_env("gateway"));
//   TopologyFollower follower(FollowerOptions::from_env("/asyncapi"), &mqtt,
//                             [&](TopologyUpdate u) { pollers.reconcile(u.document); });
//   follower.start();
//   mqtt.start();
//   http.set_readiness([&] { return follower.ready() ? Readiness::ok()
//                                                    : Readiness::not_ready("no topology yet"); });
//   ...
//   follower.stop();
//   mqtt.stop();
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "ems/runtime/metrics.hpp"
#include "ems/runtime/mqtt.hpp"

namespace ems::follower {

// Why a fetch ran. Triggers that arrive while a fetch is running are merged into the next one.
enum class Trigger : std::uint8_t {
  start = 1,     // the first fetch, at start()
  event = 2,     // a system/topology_changed message
  connect = 4,   // the MQTT client (re)connected to the broker
  periodic = 8,  // recheck_interval passed without a fetch
  retry = 16,    // the previous fetch failed; backoff delay passed
  refresh = 32,  // request_refresh() or refresh()
};

// A set of triggers ("connect+event").
class Triggers {
 public:
  constexpr Triggers() = default;
  constexpr explicit Triggers(unsigned bits) : bits_(bits) {}
  constexpr bool has(Trigger t) const { return (bits_ & static_cast<unsigned>(t)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr unsigned bits() const { return bits_; }
  std::string to_string() const;  // names joined by '+', in the enum's order; "" when empty

 private:
  unsigned bits_ = 0;
};

std::string_view trigger_name(Trigger t);

// A new version for the callback.
struct TopologyUpdate {
  nlohmann::json document;       // the resource as parsed (e.g. the whole /topology answer)
  std::string version;           // its version (document_version())
  std::string previous_version;  // the version accepted before, "" for the first
  Triggers triggers;             // what caused this fetch
};

// Runs on the follower's thread. Throwing rejects the version (see "Errors" above).
using UpdateCallback = std::function<void(TopologyUpdate)>;

struct FollowerOptions {
  std::string base_url = "http://127.0.0.1:8400";  // device-api, http://host[:port][/prefix]
  std::string path = "/asyncapi";                  // the resource to follow
  // Where the version is: a JSON pointer into the document ("/info/version"). Empty: the
  // first string found at "/info/version" (/asyncapi) or "/version" (/topology), else the
  // answer's ETag.
  std::string version_pointer;
  std::string event_topic = "system/topology_changed";
  // Fetch again when this long passed without a fetch; 0 = never.
  std::chrono::milliseconds recheck_interval{std::chrono::minutes(5)};
  // Backoff between attempts, for an unreachable device-api and for unusable answers alike.
  std::chrono::milliseconds initial_delay{250};
  std::chrono::milliseconds max_delay{10000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{10000};

  // base_url from EMS_DEVICE_API_URL (default http://127.0.0.1:8400), recheck_interval from
  // EMS_TOPOLOGY_RECHECK_INTERVAL (a duration, default 5m, 0 = never). Throws
  // std::runtime_error naming a malformed variable.
  static FollowerOptions from_env(std::string path = "/asyncapi");
};

// The version of a fetched document: the string at `pointer` when one is given (nullopt when
// absent, empty or not a string), else the first non-empty string at "/info/version" or
// "/version", else the ETag without quotes and W/ prefix; nullopt when none is there. Pure.
std::optional<std::string> document_version(const nlohmann::json& document,
                                            std::string_view pointer, std::string_view etag);

// What one fetch came to, for refresh().
struct FetchReport {
  enum class Outcome { applied, unchanged, failed, callback_failed };
  Outcome outcome = Outcome::failed;
  std::string version;       // the document's version ("" when it was not read)
  std::exception_ptr error;  // failed: a std::runtime_error; callback_failed: what it threw
  Triggers triggers;
};

std::string_view outcome_name(FetchReport::Outcome outcome);

class TopologyFollower {
 public:
  // `mqtt` may be null: the follower then fetches at start, on refresh and every
  // recheck_interval only. Throws std::invalid_argument for a base_url that is not
  // http://host..., a path not starting with '/', a version_pointer that is not a JSON
  // pointer, or an empty callback.
  TopologyFollower(FollowerOptions options, runtime::MqttClient* mqtt, UpdateCallback on_update,
                   runtime::metrics::Registry& registry = runtime::metrics::Registry::global());
  ~TopologyFollower();  // stop()s
  TopologyFollower(const TopologyFollower&) = delete;
  TopologyFollower& operator=(const TopologyFollower&) = delete;

  // Subscribes to the event topic, hooks the client's (re)connects and starts the thread, whose
  // first fetch begins at once. Returns at once. Call once; the MQTT client may be started
  // before or after.
  void start();

  // Ends the thread (see "Stopping"); no callback runs after it returns. Idempotent; must not
  // be called from the callback.
  void stop();

  // Asks for a fetch as soon as the current one (if any) is done; returns at once.
  void request_refresh();

  // Asks for a fetch that starts after this call and waits up to `timeout` for its report
  // (a reload button). nullopt when the time ran out (e.g. device-api unreachable) or the
  // follower is stopped or not started.
  std::optional<FetchReport> refresh(std::chrono::milliseconds timeout);

  // The version the callback last accepted (updated once the callback returned), "" before
  // the first.
  std::string current_version() const;

  // True once the callback accepted a document (for /readyz).
  bool ready() const;

  const FollowerOptions& options() const { return options_; }

 private:
  struct Shared;  // what the MQTT callbacks may still reach after the follower is gone
  struct Metrics;

  void run(std::stop_token stop);
  FetchReport fetch_once(const std::stop_token& stop, Triggers triggers);
  void accept(const std::string& version, const std::string& etag);

  FollowerOptions options_;
  std::string url_;
  runtime::MqttClient* mqtt_;
  UpdateCallback on_update_;
  std::unique_ptr<Metrics> metrics_;
  std::shared_ptr<Shared> shared_;
  std::string accepted_etag_;  // follower thread only
  std::jthread thread_;
};

}  // namespace ems::follower
