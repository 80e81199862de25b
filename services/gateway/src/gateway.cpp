#include "gateway.hpp"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "distribute.hpp"
#include "ems/contract/issue.hpp"
#include "ems/contract/payload.hpp"
#include "ems/contract/topic.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/log.hpp"

namespace ems::gateway {

namespace log = runtime::log;
using contract::AckState;
using contract::Json;
GatewayOptions GatewayOptions::from_env() {
  GatewayOptions o;
  o.shard = parse_shard(runtime::env_string("EMS_GATEWAY_SHARD", ""));
  o.driver_options.timeout =
      runtime::env_duration_ms("EMS_GATEWAY_TIMEOUT", o.driver_options.timeout);
  o.max_backoff = runtime::env_duration_ms("EMS_GATEWAY_MAX_BACKOFF", o.max_backoff);
  o.command_timeout = runtime::env_duration_ms("EMS_GATEWAY_COMMAND_TIMEOUT", o.command_timeout);
  return o;
}

// A module command waiting for its children's acks.
struct Gateway::Pending {
  std::string ack_topic;
  std::string command_id;
  std::map<std::string, std::string> children;  // child command_id -> device_id, not final yet
  Clock::time_point deadline;
  bool finished = false;
};

// What a child may take longer than its own command: the MQTT round trips to its gateway.
constexpr std::chrono::seconds kDistributeMargin{2};
// The gateway's name as a template fanout (CONTRACT.md section 5).
constexpr std::string_view kSelf = "gateway";

namespace {

drivers::Value to_driver_value(const contract::CommandValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return 1.0;  // a trigger writes 1
}

contract::Sample to_sample(const drivers::Value& v, contract::Timestamp ts) {
  contract::Sample s{ts, 0.0};
  if (const auto* d = std::get_if<double>(&v))
    s.value = *d;
  else if (const auto* b = std::get_if<bool>(&v))
    s.value = *b;
  else
    s.value = std::get<std::string>(v);
  return s;
}

// The POI meter's active power topic of a distribute entry, read from the module's own roll-ups:
// the other input of the synthetic measurement whose first input is the envelope's import limit
// (import headroom = import_limit - POI power). "" when the document has none.
std::string poi_power_topic(const PlannedDevice& module, const Json& entry) {
  const std::string limit = entry.value("import_limit_topic", "");
  if (limit.empty()) return "";
  for (const auto& s : module.sources.synthetic)
    if (s.operation == contract::SyntheticOperation::subtract && s.inputs.size() == 2 &&
        s.inputs[0] == limit)
      return s.inputs[1];
  return "";
}

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

Gateway::Gateway(GatewayOptions options, runtime::MqttClient& mqtt, runtime::Secrets secrets,
                 runtime::metrics::Registry& registry, runtime::MqttBatchPublisher* samples)
    : options_(std::move(options)),
      mqtt_(mqtt),
      samples_(samples),
      secrets_(std::move(secrets)),
      registry_(registry),
      rollups_(
          [this](const std::string& topic, double value, contract::Timestamp ts) {
            publish_sample(topic, contract::encode(contract::FloatSample{ts, value}));
          },
          [this](const std::string& topic) { subscribe(topic, 0, &Gateway::on_rollup_input); },
          registry),
      commands_(registry.counter("ems_gateway_commands_total",
                                 "Commands by protocol and final outcome",
                                 {"protocol", "outcome"})),
      bad_commands_(registry.counter("ems_gateway_bad_commands_total",
                                     "Commands dropped or rejected before any write", {"reason"})),
      reconciles_(
          registry.counter("ems_gateway_reconciles_total", "Topology versions applied").with()),
      workers_gauge_(
          registry.gauge("ems_gateway_workers", "Device connection workers running").with()),
      pending_gauge_(registry
                         .gauge("ems_gateway_distribute_pending",
                                "Module commands waiting for their children's final acks")
                         .with()) {
  life_->gateway = this;
}

Gateway::~Gateway() {
  stop();
  std::lock_guard lock(life_->mutex);
  life_->gateway = nullptr;
}

void Gateway::start() {
  rollups_.start();
  std::lock_guard lock(mutex_);
  if (!sweeper_.joinable() && !stopped_) sweeper_ = std::thread([this] { sweep_pending(); });
}

void Gateway::sweep_pending() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    sweep_wake_.wait_for(lock, std::chrono::milliseconds(200));
    const auto now = Clock::now();
    std::vector<std::shared_ptr<Pending>> expired;
    for (auto it = pending_children_.begin(); it != pending_children_.end();) {
      const auto p = it->second;
      if (!p->finished && now < p->deadline) {
        ++it;
        continue;
      }
      it = pending_children_.erase(it);
      if (p->finished) continue;
      p->finished = true;
      expired.push_back(p);
    }
    std::set<const Pending*> waiting;
    for (const auto& [cid, p] : pending_children_) waiting.insert(p.get());
    pending_gauge_.set(double(waiting.size()));
    if (expired.empty()) continue;
    std::vector<std::pair<std::shared_ptr<Pending>, std::string>> acks;
    for (const auto& p : expired) {
      std::string silent;
      for (const auto& [cid, device] : p->children) silent += (silent.empty() ? "" : ", ") + device;
      acks.emplace_back(
          p, "no final ack from child " + silent + " within " +
                 std::to_string((options_.command_timeout + kDistributeMargin).count()) + " ms");
    }
    lock.unlock();
    for (const auto& [p, why] : acks) {
      log::warn("distribute timed out", {{"command_id", p->command_id}, {"reason", why}});
      ack(p->ack_topic, p->command_id, AckState::timeout, why, "distribute");
    }
    lock.lock();
  }
}

void Gateway::stop() {
  std::map<std::string, DeviceRun> runs;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    runs.swap(running_);
  }
  sweep_wake_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  for (auto& [id, run] : runs)
    for (auto& w : run.workers) w->stop();
  rollups_.stop();
  workers_gauge_.set(0);
}

void Gateway::subscribe(const std::string& filter, int qos,
                        void (Gateway::*handler)(const runtime::MqttMessage&)) {
  auto life = life_;
  mqtt_.subscribe(filter, qos, [life, handler](const runtime::MqttMessage& m) {
    std::lock_guard lock(life->mutex);
    if (!life->gateway) return;
    try {
      (life->gateway->*handler)(m);
    } catch (const std::exception& e) {
      log::error("message handling failed", {{"topic", m.topic}, {"error", e.what()}});
    }
  });
}

void Gateway::apply(const Json& asyncapi) {
  auto plan = std::make_shared<const GatewayPlan>(make_plan(asyncapi, options_.shard));
  std::vector<std::unique_ptr<DeviceWorker>> to_stop;
  std::vector<std::string> to_clear;
  std::vector<RollupSpec> rollups;
  bool new_site = false, has_distribute = false;
  std::vector<std::string> state_topics;
  std::size_t started = 0, kept = 0, stopped = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    const auto old = plan_;
    // Stop what changed or went away.
    for (auto it = running_.begin(); it != running_.end();) {
      const auto np = plan->devices.find(it->first);
      if (np != plan->devices.end() && np->second.fingerprint == it->second.fingerprint) {
        ++it;
        continue;
      }
      for (auto& w : it->second.workers) to_stop.push_back(std::move(w));
      ++stopped;
      // Gone from the document: its retained values must not outlive it. (A device that moved
      // to another shard keeps them: that shard publishes now.)
      if (old && !plan->all_devices.count(it->first)) {
        const auto od = old->devices.find(it->first);
        if (od != old->devices.end())
          to_clear.insert(to_clear.end(), od->second.topics.begin(), od->second.topics.end());
      }
      it = running_.erase(it);
    }
    // Devices that only had roll-ups (no workers) are not in running_ with workers; clear theirs.
    if (old)
      for (const auto& [id, d] : old->devices)
        if (!plan->all_devices.count(id) && !d.polled())
          to_clear.insert(to_clear.end(), d.topics.begin(), d.topics.end());
    plan_ = plan;
    new_site = subscribed_sites_.insert(plan->site_id).second;
    for (const auto& [id, d] : plan->devices) {
      for (const auto& s : d.sources.synthetic)
        rollups.push_back({contract::measurement_topic(plan->site_id, id, s.name, s.unit), s});
      for (const auto& [name, entry] : d.sources.computed_commands) {
        if (entry.value("protocol", "") != "distribute") continue;
        has_distribute = true;
        for (const auto& c : entry.value("children", Json::array())) {
          state_topics.push_back(c.value("operating_state_topic", ""));
          state_topics.push_back(c.value("state_of_charge_topic", ""));
          state_topics.push_back(
              contract::measurement_topic(plan->site_id, c.value("device_id", ""),
                                          contract::kCommStatus, contract::Unit::none));
        }
        for (const char* key : {"import_limit_topic", "export_limit_topic", "active_power_topic"})
          state_topics.push_back(entry.value(key, ""));
        state_topics.push_back(poi_power_topic(d, entry));
      }
    }
  }
  for (auto& w : to_stop) w->stop();
  to_stop.clear();
  std::vector<std::string> unservable;
  for (const auto& t : to_clear) publish_sample(t, "");
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    for (const auto& [id, d] : plan->devices) {
      if (running_.count(id)) {
        ++kept;
        continue;
      }
      DeviceRun& run = running_[id];
      run.fingerprint = d.fingerprint;
      start_device(id, d, run);
      if (run.workers.empty() && !run.states.empty()) {
        // Not one connection can be served (e.g. its credentials entry is missing): say so.
        run.published = CommState::offline;
        unservable.push_back(contract::measurement_topic(plan->site_id, id, contract::kCommStatus,
                                                         contract::Unit::none));
      }
      ++started;
    }
    std::size_t workers = 0;
    for (const auto& [id, r] : running_) workers += r.workers.size();
    workers_gauge_.set(double(workers));
  }
  for (const auto& t : unservable)
    publish_sample(t, contract::encode(contract::EnumSample{
                          contract::to_timestamp(std::chrono::system_clock::now()),
                          std::string(to_string(CommState::offline))}));
  if (new_site) {
    subscribe("sites/" + plan->site_id + "/devices/+/commands/#", 1, &Gateway::on_command);
  }
  if (has_distribute) {
    subscribe("sites/" + plan->site_id + "/devices/+/acks/#", 1, &Gateway::on_child_ack);
    std::set<std::string> unique(state_topics.begin(), state_topics.end());
    for (const auto& t : unique)
      if (!t.empty()) subscribe(t, 0, &Gateway::on_state_sample);
  }
  rollups_.configure(std::move(rollups), plan->topic_period_s);
  reconciles_.inc();
  log::info("topology applied", {{"version", plan->version},
                                 {"devices", plan->devices.size()},
                                 {"started", started},
                                 {"kept", kept},
                                 {"stopped", stopped},
                                 {"cleared_topics", to_clear.size()}});
}

void Gateway::start_device(const std::string& id, const PlannedDevice& d, DeviceRun& run) {
  for (const auto& [protocol, connection] : d.sources.connections) {
    WorkerConfig c;
    c.site_id = plan_->site_id;
    c.device_id = id;
    c.connection = connection;
    c.points = drivers::points_for(d.sources, protocol);
    c.driver_options = options_.driver_options;
    c.max_backoff = options_.max_backoff;
    if (c.points.empty() &&
        std::none_of(d.sources.commands.begin(), d.sources.commands.end(),
                     [&](const auto& cp) { return cp.binding.protocol == protocol; }))
      continue;
    try {
      auto w = std::make_unique<DeviceWorker>(std::move(c), secrets_,
                                              static_cast<WorkerSink&>(*this), registry_);
      w->start();
      run.workers.push_back(std::move(w));
    } catch (const std::exception& e) {
      // One device the gateway cannot serve (credentials missing, ...) never stops the others.
      log::error("device not served", {{"device", id},
                                       {"protocol", std::string(contract::to_string(protocol))},
                                       {"error", e.what()}});
      run.states[protocol] = CommState::offline;
    }
  }
}

void Gateway::publish_sample(const std::string& topic, const std::string& payload) {
  if (samples_)
    samples_->publish(topic, payload, true);
  else
    mqtt_.publish(topic, payload, 0, true);
}

void Gateway::publish_value(const std::string& topic, const drivers::Value& value,
                            contract::Timestamp ts) {
  publish_sample(topic, contract::encode(to_sample(value, ts)));
}

void Gateway::connection_state(const std::string& device_id, contract::Protocol protocol,
                               CommState state) {
  std::string topic, payload;
  {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(device_id);
    if (it == running_.end() || !plan_) return;
    auto& run = it->second;
    run.states[protocol] = state;
    if (run.states.size() < run.workers.size()) return;  // wait until every connection reported
    bool all_online = true, all_offline = true;
    for (const auto& [p, s] : run.states) {
      all_online = all_online && s == CommState::online;
      all_offline = all_offline && s == CommState::offline;
    }
    const CommState combined = all_online    ? CommState::online
                               : all_offline ? CommState::offline
                                             : CommState::degraded;
    if (run.published == combined) return;
    run.published = combined;
    topic = contract::measurement_topic(plan_->site_id, device_id, contract::kCommStatus,
                                        contract::Unit::none);
    payload = contract::encode(
        contract::EnumSample{contract::to_timestamp(std::chrono::system_clock::now()),
                             std::string(to_string(combined))});
  }
  log::info("comm_status", {{"device", device_id}, {"state", std::string(to_string(state))}});
  publish_sample(topic, payload);
}

std::optional<CommState> Gateway::comm_state(const std::string& device_id) const {
  std::lock_guard lock(mutex_);
  const auto it = running_.find(device_id);
  if (it == running_.end()) return std::nullopt;
  return it->second.published;
}

std::string Gateway::version() const {
  std::lock_guard lock(mutex_);
  return plan_ ? plan_->version : "";
}

std::size_t Gateway::worker_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [id, r] : running_) n += r.workers.size();
  return n;
}

void Gateway::ack(const std::string& topic, const std::string& command_id, AckState state,
                  std::optional<std::string> reason, const std::string& protocol) {
  contract::Ack a{contract::to_timestamp(std::chrono::system_clock::now()), command_id, state,
                  std::move(reason)};
  mqtt_.publish(topic, contract::encode(a), 1, false);
  if (contract::is_terminal(state))
    commands_.with({protocol, std::string(contract::to_string(state))}).inc();
}

void Gateway::bad_command(const std::string& reason, const std::string& topic,
                          const std::string& detail) {
  bad_commands_.with({reason}).inc();
  log::warn("command dropped", {{"reason", reason}, {"topic", topic}, {"detail", detail}});
}

bool Gateway::remember(const std::string& command_id) {
  std::lock_guard lock(mutex_);
  if (!seen_ids_.insert(command_id).second) return false;
  seen_order_.push_back(command_id);
  while (seen_order_.size() > options_.dedup_window) {
    seen_ids_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
  return true;
}

void Gateway::on_command(const runtime::MqttMessage& m) {
  contract::TopicError terr;
  const auto topic = contract::try_parse_topic(m.topic, &terr);
  const auto* ct = topic ? std::get_if<contract::CommandTopic>(&*topic) : nullptr;
  if (!ct) return bad_command("topic", m.topic, terr.message);
  std::shared_ptr<const GatewayPlan> plan;
  {
    std::lock_guard lock(mutex_);
    plan = plan_;
  }
  if (!plan || ct->site_id != plan->site_id) return bad_command("site", m.topic, "not this site");
  const auto known = plan->all_devices.find(ct->device_id);
  if (known != plan->all_devices.end() && !known->second) return;  // another shard's device
  // A command the document gives to another service (x-command-source "executor") is that
  // service's to validate and ack: answering it too would give the sender two conflicting acks.
  const contract::ExecutedCommand* elsewhere = nullptr;
  if (const auto planned = plan->devices.find(ct->device_id); planned != plan->devices.end())
    for (const auto& c : planned->second.sources.executed_elsewhere)
      if (c.verb == ct->verb && c.target == ct->target) elsewhere = &c;
  if (elsewhere && elsewhere->executor != kSelf) {
    log::debug("command left to its executor",
               {{"topic", m.topic}, {"executor", elsewhere->executor}});
    return;
  }
  const Json j = Json::parse(m.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("command_id") ||
      !j["command_id"].is_string() || !contract::is_uuid(j["command_id"].get<std::string>()))
    return bad_command("missing_command_id", m.topic, "payload without a UUID command_id");
  const std::string id = j["command_id"].get<std::string>();
  if (!remember(id)) return bad_command("duplicate", m.topic, id);
  const std::string ack_topic = contract::format_topic(contract::ack_for(*ct));
  std::string protocol = "none";  // of the command, once known
  auto reject = [&](const std::string& reason, const std::string& why) {
    bad_commands_.with({reason}).inc();
    log::warn("command rejected", {{"topic", m.topic}, {"command_id", id}, {"reason", why}});
    ack(ack_topic, id, AckState::rejected, why, protocol);
  };
  if (known == plan->all_devices.end())
    return reject("unknown_target", "unknown device '" + ct->device_id + "'");
  const auto& dev = plan->devices.at(ct->device_id);
  const std::string verb(contract::to_string(ct->verb));
  const contract::CommandPoint* cp = nullptr;
  for (const auto& c : dev.sources.commands)
    if (c.verb == ct->verb && c.target == ct->target) cp = &c;
  const Json* computed = nullptr;
  for (const auto& [name, e] : dev.sources.computed_commands)
    if (e.value("verb", "") == verb && e.value("target", "") == ct->target) computed = &e;
  if (!cp && !computed && elsewhere)
    return reject("unsupported", "'" + verb + " " + ct->target +
                                     "' names the gateway as executor but has no binding");
  if (!cp && !computed)
    return reject("unknown_target",
                  "no '" + verb + " " + ct->target + "' command on '" + ct->device_id + "'");
  protocol = cp ? std::string(contract::to_string(cp->binding.protocol))
                : computed->value("protocol", "none");
  const contract::Unit unit =
      cp ? cp->unit
         : contract::parse_unit(computed->value("unit", "none")).value_or(contract::Unit::none);
  if (unit != ct->unit)
    return reject("wrong_unit", "unit '" + std::string(contract::to_string(ct->unit)) +
                                    "' is not the command's '" +
                                    std::string(contract::to_string(unit)) + "'");
  const contract::PayloadType type =
      cp ? cp->payload
         : contract::parse_payload_type(computed->value("payload", "float"))
               .value_or(contract::PayloadType::Float);
  contract::CommandPayload payload;
  try {
    payload = contract::decode_command(m.payload, type);
  } catch (const contract::ContractError& e) {
    return reject("bad_payload", std::string("malformed payload: ") + e.what());
  }
  ack(ack_topic, id, AckState::received);
  const drivers::Value value = to_driver_value(payload.value);
  double min = -INFINITY, max = INFINITY;
  if (cp) {
    min = cp->min.value_or(-INFINITY);
    max = cp->max.value_or(INFINITY);
  } else if (computed->contains("bounds")) {
    min = (*computed)["bounds"].value("min", -INFINITY);
    max = (*computed)["bounds"].value("max", INFINITY);
  }
  if (const auto* d = std::get_if<double>(&value); d && (*d < min || *d > max))
    return reject("out_of_bounds", "value " + format_number(*d) + " outside [" +
                                       format_number(min) + ", " + format_number(max) + "]");
  if (computed) {
    const auto* d = std::get_if<double>(&value);
    if (!d || computed->value("protocol", "") != "distribute")
      return reject("unsupported", "this gateway executes float distribute module commands only");
    return distribute(ack_topic, id, dev, *computed, *d);
  }
  DeviceWorker* worker = nullptr;
  {
    std::lock_guard lock(mutex_);
    const auto run = running_.find(ct->device_id);
    if (run != running_.end())
      for (const auto& w : run->second.workers)
        if (w->config().connection.protocol == cp->binding.protocol) worker = w.get();
    if (!worker) return reject("unreachable", "the device's connection is not served");
    if (run->second.published == CommState::offline)
      return reject("unreachable", "device is OFFLINE");
  }
  ack(ack_topic, id, AckState::accepted);
  WriteJob job{*cp, value, Clock::now() + options_.command_timeout,
               [this, ack_topic, id, protocol](AckState s, std::optional<std::string> why) {
                 if (s != AckState::done)
                   log::warn("command not done", {{"command_id", id},
                                                  {"state", std::string(contract::to_string(s))},
                                                  {"reason", why.value_or("")}});
                 ack(ack_topic, id, s, std::move(why), protocol);
               }};
  if (!worker->submit(std::move(job)))
    ack(ack_topic, id, AckState::failed, "device queue full", protocol);
}

void Gateway::on_state_sample(const runtime::MqttMessage& m) {
  if (m.payload.empty()) return;
  try {
    const auto s = contract::decode_sample(m.payload);
    std::string text;
    if (const auto* d = std::get_if<double>(&s.value))
      text = format_number(*d);
    else if (const auto* l = std::get_if<std::string>(&s.value))
      text = *l;
    else
      return;
    std::lock_guard lock(mutex_);
    state_samples_[m.topic] = {text, s.ts};
  } catch (const std::exception&) {
  }
}

void Gateway::on_rollup_input(const runtime::MqttMessage& m) {
  rollups_.offer(m.topic, m.payload);
}

std::optional<std::string> Gateway::fresh_sample(const std::string& topic,
                                                 std::chrono::system_clock::time_point now) const {
  const auto it = state_samples_.find(topic);
  if (it == state_samples_.end()) return std::nullopt;
  std::chrono::duration<double> max_age = std::chrono::seconds(30);
  if (plan_) {
    const auto period = plan_->topic_period_s.find(topic);
    if (period != plan_->topic_period_s.end() && period->second > 0)
      max_age = std::chrono::duration<double>(3 * period->second);
  }
  if (now - it->second.second > max_age) return std::nullopt;
  return it->second.first;
}

void Gateway::distribute(const std::string& ack_topic, const std::string& command_id,
                         const PlannedDevice& module, const Json& entry, double value) {
  const auto now = std::chrono::system_clock::now();
  std::vector<ChildState> children;
  std::map<std::string, std::string> command_topics;
  Envelope envelope;
  std::string unknown;  // an envelope topic named but without a fresh sample
  // The module's power now: the sum of its children's latest active power (an unavailable
  // child counts with the last value heard from it), when the module's own measurement is a
  // sum roll-up of theirs; else that measurement's fresh sample.
  std::vector<std::string> module_inputs;
  if (entry.contains("active_power_topic"))
    for (const auto& s : module.sources.synthetic)
      if (s.operation == contract::SyntheticOperation::sum && s.name == entry.value("target", ""))
        module_inputs = s.inputs;
  if (!module_inputs.empty()) {
    double total = 0;
    for (const auto& in : module_inputs) {
      const auto v = rollups_.latest(in);
      if (!v) {
        unknown = in;
        break;
      }
      total += *v;
    }
    if (unknown.empty()) envelope.module_power = total;
  }
  {
    std::lock_guard lock(mutex_);
    auto number = [&](const std::string& topic) -> std::optional<double> {
      if (topic.empty()) return std::nullopt;
      const auto text = fresh_sample(topic, now);
      if (text) {
        try {
          return std::stod(*text);
        } catch (const std::exception&) {
        }
      }
      if (unknown.empty()) unknown = topic;
      return std::nullopt;
    };
    envelope.import_limit = number(entry.value("import_limit_topic", ""));
    envelope.export_limit = number(entry.value("export_limit_topic", ""));
    const std::string poi = poi_power_topic(module, entry);
    if (!poi.empty()) {
      envelope.poi_power = number(poi);
      if (module_inputs.empty())
        envelope.module_power = number(entry.value("active_power_topic", ""));
    }
    for (const auto& c : entry.value("children", Json::array())) {
      ChildState s;
      s.device_id = c.value("device_id", "");
      s.power_min = c.value("power_min", 0.0);
      s.power_max = c.value("power_max", 0.0);
      const auto state = fresh_sample(c.value("operating_state_topic", ""), now);
      const auto comm =
          fresh_sample(contract::measurement_topic(plan_ ? plan_->site_id : "", s.device_id,
                                                   contract::kCommStatus, contract::Unit::none),
                       now);
      s.available = state && *state != "FAULT" && *state != "OFFLINE" && comm != "OFFLINE";
      if (const auto soc = fresh_sample(c.value("state_of_charge_topic", ""), now)) {
        try {
          s.soc = std::stod(*soc);
        } catch (const std::exception&) {
        }
      }
      command_topics[s.device_id] = c.value("command_topic", "");
      children.push_back(std::move(s));
    }
  }
  auto reject = [&](const std::string& reason, const std::string& why) {
    bad_commands_.with({reason}).inc();
    log::warn("command rejected", {{"command_id", command_id}, {"reason", why}});
    ack(ack_topic, command_id, AckState::rejected, why, "distribute");
  };
  if (!unknown.empty() && value != 0)
    return reject("envelope", "operating envelope unknown: no fresh sample on " + unknown);
  const SetpointRange range = envelope_range(envelope);
  if (value > range.max)
    return reject("envelope", "value " + format_number(value) +
                                  " W exceeds the operating envelope's export headroom (at most " +
                                  format_number(range.max) + " W)");
  if (value < range.min)
    return reject("envelope", "value " + format_number(value) +
                                  " W exceeds the operating envelope's import headroom (at least " +
                                  format_number(range.min) + " W)");
  std::vector<Share> shares;
  try {
    shares = split(entry.value("allocation_policy", "equal_split"), value, children,
                   entry.value("state_of_charge_floor_percent", 0.0));
  } catch (const std::exception& e) {
    return reject("unreachable", e.what());
  }
  ack(ack_topic, command_id, AckState::accepted);
  auto pending = std::make_shared<Pending>();
  pending->ack_topic = ack_topic;
  pending->command_id = command_id;
  pending->deadline = Clock::now() + options_.command_timeout + kDistributeMargin;
  std::vector<std::pair<std::string, std::string>> sends;
  for (const auto& s : shares) {
    const std::string child_id = contract::random_uuid();
    pending->children[child_id] = s.device_id;
    sends.emplace_back(
        command_topics[s.device_id],
        contract::encode(contract::CommandPayload{contract::to_timestamp(now), child_id, s.value}));
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& [cid, dev] : pending->children) pending_children_[cid] = pending;
  }
  log::info("distribute", {{"command_id", command_id}, {"children", shares.size()}});
  for (const auto& [topic, payload] : sends) mqtt_.publish(topic, payload, 1, false);
}

void Gateway::on_child_ack(const runtime::MqttMessage& m) {
  std::shared_ptr<Pending> p;
  contract::Ack a;
  try {
    a = contract::decode_ack(m.payload);
  } catch (const std::exception&) {
    return;
  }
  if (!contract::is_terminal(a.state)) return;
  std::string device;
  bool all_done = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = pending_children_.find(a.command_id);
    if (it == pending_children_.end()) return;
    p = it->second;
    pending_children_.erase(it);
    if (p->finished) return;
    device = p->children[a.command_id];
    p->children.erase(a.command_id);
    if (a.state != AckState::done) {
      p->finished = true;
      for (const auto& [cid, d] : p->children) pending_children_.erase(cid);
    } else if (p->children.empty()) {
      p->finished = all_done = true;
    }
  }
  if (all_done) return ack(p->ack_topic, p->command_id, AckState::done, std::nullopt, "distribute");
  if (a.state != AckState::done)
    ack(p->ack_topic, p->command_id,
        a.state == AckState::timeout ? AckState::timeout : AckState::failed,
        "child " + device + ": " + std::string(contract::to_string(a.state)) +
            (a.reason ? " (" + *a.reason + ")" : ""),
        "distribute");
}

}  // namespace ems::gateway
