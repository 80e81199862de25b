#include "control_loop.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ems/contract/issue.hpp"
#include "ems/contract/payload.hpp"
#include "ems/contract/sources.hpp"
#include "ems/contract/topic.hpp"
#include "ems/physics/conductor.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/log.hpp"

namespace ems::line_controller {
namespace {

using nlohmann::json;
using std::chrono::system_clock;
namespace log = runtime::log;

// The line's own measurements a restart reads back (retained).
constexpr const char* kRestored[] = {"auto_control_enabled", "tap_operations_last_hour",
                                     "controller_state"};
constexpr std::size_t kSeenIds = 1000;  // command_ids remembered per line

std::string key_of(const std::string& site, const std::string& device, const std::string& name) {
  return site + "/" + device + "/" + name;
}

json opt(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

double env_in(const char* name, double def, double lo, double hi) {
  const double v = runtime::env_double(name, def);
  if (v < lo || v > hi)
    throw std::runtime_error(std::string(name) + " must be in [" + std::to_string(lo) + ", " +
                             std::to_string(hi) + "]");
  return v;
}

}  // namespace

LoopOptions LoopOptions::from_env() {
  LoopOptions o;
  o.cycle = runtime::env_duration_ms("EMS_LINE_CONTROLLER_CYCLE_MS", o.cycle);
  if (o.cycle.count() < 10 || o.cycle > std::chrono::minutes(10))
    throw std::runtime_error("EMS_LINE_CONTROLLER_CYCLE_MS must be in [10 ms, 10 min]");
  o.weather_max_age =
      runtime::env_duration_ms("EMS_LINE_CONTROLLER_WEATHER_MAX_AGE", o.weather_max_age);
  o.current_max_age =
      runtime::env_duration_ms("EMS_LINE_CONTROLLER_CURRENT_MAX_AGE", o.current_max_age);
  o.default_site_id = runtime::env_string("EMS_SITE_ID", "site");
  o.auto_control = runtime::env_bool("EMS_LINE_CONTROLLER_AUTO_CONTROL", true);
  o.restore_wait = runtime::env_duration_ms("EMS_LINE_CONTROLLER_RESTORE_WAIT", o.restore_wait);
  if (o.restore_wait.count() < 0 || o.restore_wait > std::chrono::minutes(1))
    throw std::runtime_error("EMS_LINE_CONTROLLER_RESTORE_WAIT must be in [0, 1 min]");
  const std::string conductor = runtime::env_string("EMS_LINE_CONTROLLER_CONDUCTOR", "drake");
  const physics::Conductor* c = physics::find_conductor(conductor);
  if (!c)
    throw std::runtime_error("EMS_LINE_CONTROLLER_CONDUCTOR: \"" + conductor +
                             "\" is not in the conductor library");
  o.rating.conductor = *c;
  const std::string method = runtime::env_string("EMS_LINE_CONTROLLER_METHOD", "ieee738");
  if (method == "ieee738")
    o.rating.method = physics::Method::ieee738;
  else if (method == "cigre601")
    o.rating.method = physics::Method::cigre601;
  else
    throw std::runtime_error("EMS_LINE_CONTROLLER_METHOD must be ieee738 or cigre601");
  o.rating.max_conductor_c =
      env_in("EMS_LINE_CONTROLLER_MAX_CONDUCTOR_C", o.rating.max_conductor_c, 1, 400);
  o.rating.static_rating_a =
      env_in("EMS_LINE_CONTROLLER_STATIC_RATING_A", o.rating.static_rating_a, 1, 1e5);
  o.rating.cap_factor = env_in("EMS_LINE_CONTROLLER_CAP_FACTOR", o.rating.cap_factor, 1, 10);
  o.rating.site.latitude_deg =
      env_in("EMS_LINE_CONTROLLER_LATITUDE_DEG", 37.77, -90, 90);  // the demo site's
  o.longitude_deg = env_in("EMS_LINE_CONTROLLER_LONGITUDE_DEG", o.longitude_deg, -180, 180);
  o.rating.site.elevation_m = env_in("EMS_LINE_CONTROLLER_ELEVATION_M", 0, -500, 9000);
  o.rating.site.line_azimuth_deg = env_in("EMS_LINE_CONTROLLER_LINE_AZIMUTH_DEG", 90, 0, 360);
  o.rating.horizon = std::chrono::duration_cast<std::chrono::seconds>(
      runtime::env_duration_ms("EMS_LINE_CONTROLLER_PREDICTION_HORIZON", o.rating.horizon));
  o.pst.high_pct = env_in("EMS_LINE_CONTROLLER_HIGH_LOADING_PCT", o.pst.high_pct, 1, 200);
  o.pst.low_pct = env_in("EMS_LINE_CONTROLLER_LOW_LOADING_PCT", o.pst.low_pct, 1, 200);
  o.pst.reduce_direction =
      int(runtime::env_int("EMS_LINE_CONTROLLER_REDUCE_DIRECTION", o.pst.reduce_direction));
  o.pst.step_timeout =
      runtime::env_duration_ms("EMS_LINE_CONTROLLER_STEP_TIMEOUT", o.pst.step_timeout);
  o.pst.settle = runtime::env_duration_ms("EMS_LINE_CONTROLLER_SETTLE", o.pst.settle);
  o.pst.relax_dwell =
      runtime::env_duration_ms("EMS_LINE_CONTROLLER_RELAX_DWELL", o.pst.relax_dwell);
  o.pst.max_operations_per_hour =
      int(runtime::env_int("EMS_LINE_CONTROLLER_MAX_OPS_PER_HOUR", o.pst.max_operations_per_hour));
  if (auto e = o.rating.validate(); !e.empty())
    throw std::runtime_error("line-controller rating configuration: " + e);
  if (auto e = o.pst.validate(); !e.empty())
    throw std::runtime_error("line-controller PST configuration (EMS_LINE_CONTROLLER_*): " + e);
  return o;
}

LineControlLoop::LineControlLoop(LoopOptions options, runtime::MqttClient& mqtt,
                                 runtime::metrics::Registry& registry)
    : options_(std::move(options)),
      mqtt_(mqtt),
      cycles_(registry.counter("ems_line_controller_cycles_total", "Control cycles run (all lines)")
                  .with()),
      commands_(registry.counter("ems_line_controller_tap_commands_total",
                                 "Tap commands by how they ended", {"outcome"})),
      decisions_(registry.counter("ems_line_controller_decisions_total",
                                  "Per-line cycle decisions by controller state", {"state"})),
      line_commands_(registry.counter("ems_line_controller_commands_total",
                                      "Line commands (enable/disable auto control, reset) by "
                                      "outcome: done, rejected, dropped",
                                      {"outcome"})) {
  if (auto e = options_.rating.validate(); !e.empty()) throw std::invalid_argument(e);
  if (auto e = options_.pst.validate(); !e.empty()) throw std::invalid_argument(e);
}

LineControlLoop::~LineControlLoop() {
  stop();
}

std::vector<std::string> LineControlLoop::new_filters(const LinePlan& plan) {
  std::vector<std::string> devices = plan.weather_stations;
  devices.insert(devices.end(), plan.conductor_sensors.begin(), plan.conductor_sensors.end());
  if (plan.current) devices.push_back(plan.current->device_id);
  std::vector<std::string> filters;
  for (const auto& d : devices) filters.push_back(contract::measurements_filter(plan.site_id, d));
  // The line's own state of the previous run (read once, by the retained flag) and its commands.
  for (const char* own : kRestored)
    if (const auto u = plan.publishes.find(own); u != plan.publishes.end())
      filters.push_back(
          contract::measurement_topic(plan.site_id, plan.line_device_id, own, u->second));
  for (const auto& c : plan.commands)
    filters.push_back("sites/" + plan.site_id + "/devices/" + plan.line_device_id + "/commands/" +
                      std::string(contract::to_string(c.verb)) + "/" + c.target + "/+");
  if (plan.pst) {
    filters.push_back(contract::measurements_filter(plan.site_id, plan.pst->device_id));
    filters.push_back(contract::ack_topic(plan.site_id, plan.pst->device_id, contract::Verb::set,
                                          "tap_position", contract::Unit::none));
  }
  std::vector<std::string> added;
  for (const auto& f : filters)
    if (subscribed_.insert(f).second) added.push_back(f);
  return added;
}

void LineControlLoop::apply(const contract::Dtm& dtm) {
  auto plans = find_lines(dtm, options_.default_site_id);
  std::vector<std::string> filters;
  std::unique_lock lock(mutex_);
  std::vector<Line> next;
  for (auto& plan : plans) {
    Line line;
    for (auto& old : lines_) {
      if (old.plan.line_device_id != plan.line_device_id) continue;
      line.restored = old.restored;
      line.restore_since = old.restore_since;
      line.auto_enabled = old.auto_enabled;
      line.pending = std::move(old.pending);
      line.seen_ids = std::move(old.seen_ids);
      if (old.plan.pst == plan.pst) {
        line.pst = std::move(old.pst);
        line.last_state = old.last_state;
        line.last_mode = old.last_mode;
      }
    }
    if (plan.pst && !line.pst) {
      PstControlConfig c = options_.pst;
      c.tap_min = plan.pst->tap_min;
      c.tap_max = plan.pst->tap_max;
      c.neutral = std::clamp(plan.pst->neutral, c.tap_min, c.tap_max);
      line.pst = std::make_unique<PstController>(c);
    }
    for (auto& f : new_filters(plan)) filters.push_back(std::move(f));
    log::info("line configured",
              {{"line", plan.line_device_id},
               {"site", plan.site_id},
               {"weather_stations", plan.weather_stations},
               {"conductor_sensors", plan.conductor_sensors},
               {"current", plan.current ? plan.current->device_id : ""},
               {"pst", plan.pst ? plan.pst->device_id : ""},
               {"tap_range",
                plan.pst ? json::array({plan.pst->tap_min, plan.pst->tap_max}) : json(nullptr)}});
    line.plan = std::move(plan);
    next.push_back(std::move(line));
  }
  if (next.empty()) log::warn("the topology has no dynamically rated line: nothing to control");
  lines_ = std::move(next);
  configured_ = true;
  lock.unlock();
  // Outside the lock (see run_line); subscriptions are never dropped: a device that left the
  // topology is no longer read by any plan.
  for (const auto& f : filters) {
    const bool qos1 = f.find("/acks/") != std::string::npos || f.find("/commands/") != f.npos;
    mqtt_.subscribe(f, qos1 ? 1 : 0,
                    [inbox = inbox_](const runtime::MqttMessage& m) { on_message(*inbox, m); });
  }
}

void LineControlLoop::on_message(Inbox& inbox, const runtime::MqttMessage& m) {
  contract::TopicError err;
  const auto topic = contract::try_parse_topic(m.topic, &err);
  if (!topic) return;
  try {
    if (const auto* t = std::get_if<contract::MeasurementTopic>(&*topic)) {
      if (m.payload.empty()) return;  // a cleared retained message
      const contract::Sample s = contract::decode_sample(m.payload);
      Latest l;
      l.ts = system_clock::time_point(s.ts.time_since_epoch());
      if (const auto* d = std::get_if<double>(&s.value)) l.number = *d;
      if (const auto* b = std::get_if<bool>(&s.value)) l.number = *b ? 1.0 : 0.0;
      if (const auto* e = std::get_if<std::string>(&s.value)) l.label = *e;
      const std::string key = key_of(t->site_id, t->device_id, t->measurement);
      std::lock_guard lock(inbox.mutex);
      if (m.retained) inbox.retained[key] = l;
      inbox.latest[key] = std::move(l);
    } else if (const auto* a = std::get_if<contract::AckTopic>(&*topic)) {
      const contract::Ack ack = contract::decode_ack(m.payload);
      std::lock_guard lock(inbox.mutex);
      inbox.acks.push_back({a->device_id, ack.command_id, ack.state, ack.reason});
    } else if (const auto* c = std::get_if<contract::CommandTopic>(&*topic)) {
      std::lock_guard lock(inbox.mutex);  // validated when executed, so every outcome is acked
      inbox.commands.push_back({*c, m.payload});
    }
  } catch (const contract::ContractError& e) {
    log::warn("malformed message ignored", {{"topic", m.topic}, {"error", e.what()}});
  }
}

std::optional<LineControlLoop::Latest> LineControlLoop::fresh(
    const std::string& site, const std::string& device, const std::string& name,
    system_clock::time_point now, std::chrono::milliseconds max_age) const {
  const auto comm = inbox_->latest.find(key_of(site, device, std::string(contract::kCommStatus)));
  if (comm != inbox_->latest.end() && comm->second.label == "OFFLINE") return std::nullopt;
  const auto it = inbox_->latest.find(key_of(site, device, name));
  if (it == inbox_->latest.end() || !it->second.number) return std::nullopt;
  if (now - it->second.ts > max_age) return std::nullopt;
  return it->second;
}

void LineControlLoop::measurement(std::vector<Outgoing>& out, const LinePlan& plan,
                                  const std::string& name, const contract::Sample& sample) {
  const auto unit = plan.publishes.find(name);
  if (unit == plan.publishes.end()) return;  // the line's template does not declare it
  out.push_back({contract::measurement_topic(plan.site_id, plan.line_device_id, name, unit->second),
                 contract::encode(sample), 0, true});
}

void LineControlLoop::run_line(Line& line, system_clock::time_point now_sys,
                               SteadyClock::time_point now, std::vector<Outgoing>& out) {
  const LinePlan& plan = line.plan;
  const std::string& site = plan.site_id;
  RatingInputs in;
  std::string weather_from;
  for (const auto& ws : plan.weather_stations) {
    const auto ambient = fresh(site, ws, "ambient_temperature", now_sys, options_.weather_max_age);
    const auto wind = fresh(site, ws, "wind_speed", now_sys, options_.weather_max_age);
    if (!ambient || !wind) continue;
    MeasuredWeather w;
    w.ambient_c = *ambient->number;
    w.wind_speed_mps = *wind->number;
    if (auto d = fresh(site, ws, "wind_direction", now_sys, options_.weather_max_age))
      w.wind_direction_deg = d->number;
    if (auto s = fresh(site, ws, "solar_irradiance", now_sys, options_.weather_max_age))
      w.solar_w_per_m2 = s->number;
    in.weather = w;
    weather_from = ws;
    break;
  }
  if (plan.current)
    if (auto c = fresh(site, plan.current->device_id, plan.current->name, now_sys,
                       options_.current_max_age))
      in.current_a = std::abs(*c->number);
  for (const auto& cs : plan.conductor_sensors)
    if (auto t = fresh(site, cs, "conductor_temperature", now_sys, options_.weather_max_age))
      in.conductor_c = std::max(in.conductor_c.value_or(-1e9), *t->number);
  const double unix_s = std::chrono::duration<double>(now_sys.time_since_epoch()).count();
  in.time = physics::solar_time_utc(unix_s, options_.longitude_deg);
  const LineRatingResult r = rate_line(options_.rating, in);

  std::optional<int> tap;
  if (plan.pst) {
    const auto it = inbox_->latest.find(key_of(site, plan.pst->device_id, "tap_position"));
    if (it != inbox_->latest.end() && it->second.number) tap = int(std::lround(*it->second.number));
  }
  if (!line.restored) restore(line, now_sys, now);
  PstDecision decision{ControllerState::manual, std::nullopt, "no PST on this line"};
  if (!line.restored) {
    decision = {ControllerState::init, std::nullopt,
                "reading the retained auto-control mode, budget and state of the last run"};
  } else {
    for (const auto& c : line.pending) execute(line, c, out);
    line.pending.clear();
  }
  const bool auto_enabled = line.auto_enabled.value_or(options_.auto_control);
  if (line.pst && line.restored) {
    for (const auto& a : inbox_->acks)
      if (a.device_id == plan.pst->device_id && line.pst->on_ack(a.command_id, a.state, a.reason))
        log::info("tap command ack", {{"line", plan.line_device_id},
                                      {"command_id", a.command_id},
                                      {"state", contract::to_string(a.state)},
                                      {"reason", a.reason.value_or("")}});
    decision = line.pst->update({now, r.loading_pct, tap, auto_enabled, contract::random_uuid()});
  }

  const auto ts = contract::to_timestamp(now_sys);
  json inputs = {{"weather_station", weather_from.empty() ? json(nullptr) : json(weather_from)},
                 {"ambient_c", in.weather ? json(in.weather->ambient_c) : json(nullptr)},
                 {"wind_speed_mps", in.weather ? json(in.weather->wind_speed_mps) : json(nullptr)},
                 {"wind_direction_deg", in.weather ? opt(in.weather->wind_direction_deg) : json()},
                 {"solar_w_per_m2", in.weather ? opt(in.weather->solar_w_per_m2) : json()},
                 {"current_a", opt(in.current_a)},
                 {"conductor_c", opt(in.conductor_c)},
                 {"tap", tap ? json(*tap) : json(nullptr)}};
  json outputs = {{"rating_mode", to_label(r.mode)},
                  {"dynamic_rating_a", opt(r.dynamic_a)},
                  {"rating_a", r.rating_a},
                  {"loading_pct", opt(r.loading_pct)},
                  {"predicted_conductor_c", opt(r.predicted_conductor_c)},
                  {"thermal_margin_c", opt(r.thermal_margin_c)},
                  {"state", to_label(decision.state)},
                  {"command_tap", decision.command_tap ? json(*decision.command_tap) : json()},
                  {"reason", decision.reason}};
  if (!r.note.empty()) outputs["note"] = r.note;

  if (decision.command_tap) {
    const std::string topic = contract::command_topic(
        site, plan.pst->device_id, contract::Verb::set, "tap_position", contract::Unit::none);
    const std::string id = line.pst->in_flight_command_id();
    out.push_back(
        {topic, contract::encode(contract::CommandPayload{ts, id, double(*decision.command_tap)}),
         1, false});
    commands_.with({"sent"}).inc();
    outputs["command_id"] = id;
  }
  if (line.last_state != decision.state && decision.state == ControllerState::fault)
    commands_.with({"fault"}).inc();
  decisions_.with({std::string(to_label(decision.state))}).inc();

  const bool notable =
      decision.command_tap || line.last_state != decision.state || line.last_mode != r.mode;
  const log::Fields fields = {
      {"line", plan.line_device_id}, {"inputs", inputs}, {"decision", outputs}};
  if (notable)
    log::info("line decision", fields);
  else
    log::debug("line decision", fields);
  line.last_state = decision.state;
  line.last_mode = r.mode;
  line.last = {{"line", plan.line_device_id}, {"inputs", inputs}, {"decision", outputs}};

  using contract::Sample;
  if (r.dynamic_a) measurement(out, plan, "dynamic_line_rating", Sample{ts, *r.dynamic_a});
  measurement(out, plan, "effective_rating", Sample{ts, r.rating_a});
  if (r.loading_pct) measurement(out, plan, "line_loading", Sample{ts, *r.loading_pct});
  if (r.predicted_conductor_c)
    measurement(out, plan, "predicted_conductor_temperature", Sample{ts, *r.predicted_conductor_c});
  if (r.thermal_margin_c) measurement(out, plan, "thermal_margin", Sample{ts, *r.thermal_margin_c});
  measurement(out, plan, "rating_mode", Sample{ts, std::string(to_label(r.mode))});
  measurement(out, plan, "rating_source",
              Sample{ts, std::string(r.mode == RatingMode::fixed ? "SLR" : "DLR")});
  measurement(out, plan, "rating_status",
              Sample{ts, std::string(in.weather ? (r.dynamic_a ? "OK" : "INVALID") : "STALE")});
  if (!line.restored) return;  // what the next restart reads is not overwritten before it is read
  measurement(out, plan, "controller_state", Sample{ts, std::string(to_label(decision.state))});
  const char* mode = decision.state == ControllerState::fault    ? "FAULT"
                     : decision.state == ControllerState::manual ? "MANUAL"
                     : r.mode == RatingMode::fixed               ? "FALLBACK"
                                                                 : "AUTO";
  measurement(out, plan, "controller_mode", Sample{ts, std::string(mode)});
  if (decision.command_tap)
    measurement(out, plan, "tap_target", Sample{ts, double(*decision.command_tap)});
  else if (tap && decision.state != ControllerState::stepping)
    measurement(out, plan, "tap_target", Sample{ts, double(*tap)});
  measurement(out, plan, "auto_control_enabled", Sample{ts, auto_enabled});
  measurement(out, plan, "tap_operations_last_hour",
              Sample{ts, double(line.pst ? line.pst->operations_in_last_hour(now) : 0)});
}

void LineControlLoop::restore(Line& line, system_clock::time_point now_sys,
                              SteadyClock::time_point now) {
  const LinePlan& plan = line.plan;
  if (!line.restore_since) {
    if (!mqtt_.is_connected()) return;  // the retained values come with the subscriptions
    line.restore_since = now;
  }
  std::map<std::string, const Latest*> found;
  bool all = true;
  for (const char* own : kRestored) {
    if (!plan.publishes.count(own)) continue;
    const auto it = inbox_->retained.find(key_of(plan.site_id, plan.line_device_id, own));
    if (it == inbox_->retained.end())
      all = false;
    else
      found[own] = &it->second;
  }
  if (!all && now - *line.restore_since < options_.restore_wait) return;
  line.restored = true;
  json restored = json::object();
  if (const auto m = found.find("auto_control_enabled"); m != found.end() && m->second->number) {
    line.auto_enabled = *m->second->number != 0;
    restored["auto_control_enabled"] = *line.auto_enabled;
  } else {
    line.auto_enabled = options_.auto_control;
  }
  if (line.pst) {
    if (const auto o = found.find("tap_operations_last_hour");
        o != found.end() && o->second->number && *o->second->number >= 1) {
      // Counted up to the retained sample's time: they join the window at that time.
      const auto age = std::max(now_sys - o->second->ts, system_clock::duration::zero());
      const int count = int(std::lround(*o->second->number));
      line.pst->seed_operations(count,
                                now - std::chrono::duration_cast<SteadyClock::duration>(age));
      restored["tap_operations_last_hour"] = count;
    }
    if (const auto st = found.find("controller_state");
        st != found.end() && st->second->label == to_label(ControllerState::fault)) {
      line.pst->restore_fault("FAULT before the restart (retained controller_state)");
      restored["controller_state"] = "FAULT";
    }
  }
  log::info("line restored", {{"line", plan.line_device_id},
                              {"retained", restored},
                              {"auto_control_enabled", *line.auto_enabled}});
}

void LineControlLoop::execute(Line& line, const CommandEvent& c, std::vector<Outgoing>& out) {
  const contract::CommandTopic& t = c.topic;
  const std::string verb(contract::to_string(t.verb));
  const LineCommand* command = nullptr;
  for (const auto& lc : line.plan.commands)
    if (lc.verb == t.verb && lc.target == t.target) command = &lc;
  const std::string topic = contract::format_topic(t);
  const json j = json::parse(c.payload, nullptr, false);
  if (!command) {  // subscribed under an older topology
    line_commands_.with({"dropped"}).inc();
    log::warn("command dropped", {{"topic", topic}, {"reason", "not a command of the line"}});
    return;
  }
  if (j.is_discarded() || !j.is_object() || !j.contains("command_id") ||
      !j["command_id"].is_string() || !contract::is_uuid(j["command_id"].get<std::string>())) {
    line_commands_.with({"dropped"}).inc();
    log::warn("command dropped", {{"topic", topic}, {"reason", "no UUID command_id"}});
    return;
  }
  const std::string id = j["command_id"].get<std::string>();
  if (std::find(line.seen_ids.begin(), line.seen_ids.end(), id) != line.seen_ids.end()) {
    line_commands_.with({"dropped"}).inc();
    log::warn("command dropped", {{"topic", topic}, {"reason", "duplicate"}, {"command_id", id}});
    return;
  }
  line.seen_ids.push_back(id);
  if (line.seen_ids.size() > kSeenIds) line.seen_ids.pop_front();
  const std::string ack_topic = contract::format_topic(contract::ack_for(t));
  auto ack = [&](contract::AckState state, std::optional<std::string> reason = std::nullopt) {
    const contract::Ack a{contract::to_timestamp(system_clock::now()), id, state, reason};
    out.push_back({ack_topic, contract::encode(a), 1, false});
    if (contract::is_terminal(state)) {
      line_commands_.with({std::string(contract::to_string(state))}).inc();
      log::info("line command", {{"line", line.plan.line_device_id},
                                 {"command", verb + " " + t.target},
                                 {"command_id", id},
                                 {"state", contract::to_string(state)},
                                 {"reason", reason.value_or("")}});
    }
  };
  if (t.unit != command->unit)
    return ack(contract::AckState::rejected,
               "unit '" + std::string(contract::to_string(t.unit)) + "' is not the command's '" +
                   std::string(contract::to_string(command->unit)) + "'");
  contract::CommandPayload payload;
  try {
    payload = contract::decode_command(c.payload, command->payload);
  } catch (const contract::ContractError& e) {
    return ack(contract::AckState::rejected, std::string("malformed payload: ") + e.what());
  }
  ack(contract::AckState::received);
  if (t.target == "auto_control_enabled" &&
      (t.verb == contract::Verb::enable || t.verb == contract::Verb::disable ||
       t.verb == contract::Verb::set)) {
    const bool* value = std::get_if<bool>(&payload.value);
    if (!value) return ack(contract::AckState::rejected, "expected a bool value");
    if (t.verb != contract::Verb::set && *value != (t.verb == contract::Verb::enable))
      return ack(contract::AckState::rejected, "'" + verb + "' must carry " +
                                                   (*value ? "false" : "true") + ", not " +
                                                   (*value ? "true" : "false"));
    ack(contract::AckState::accepted);
    line.auto_enabled = *value;
    return ack(contract::AckState::done);
  }
  if (t.verb == contract::Verb::reset && t.target == "controller_state") {
    if (!line.pst) return ack(contract::AckState::rejected, "the line has no PST to control");
    if (line.pst->state() != ControllerState::fault)
      return ack(contract::AckState::rejected, "the PST control is not in FAULT (it is " +
                                                   std::string(to_label(line.pst->state())) + ")");
    ack(contract::AckState::accepted);
    line.pst->reset();
    return ack(contract::AckState::done);
  }
  ack(contract::AckState::rejected,
      "this line-controller does not execute '" + verb + " " + t.target + "'");
}

void LineControlLoop::cycle_once() {
  const auto now_sys = system_clock::now();
  const auto now = SteadyClock::now();
  std::vector<Outgoing> out;
  {
    std::scoped_lock lock(mutex_, inbox_->mutex);
    for (auto& c : inbox_->commands) {
      Line* owner = nullptr;
      for (auto& line : lines_)
        if (line.plan.site_id == c.topic.site_id && line.plan.line_device_id == c.topic.device_id)
          owner = &line;
      if (owner)
        owner->pending.push_back(std::move(c));
      else  // the line left the topology since it was subscribed
        log::warn("command for no line dropped", {{"topic", contract::format_topic(c.topic)}});
    }
    inbox_->commands.clear();
    for (auto& line : lines_) run_line(line, now_sys, now, out);
    inbox_->acks.clear();
  }
  for (const auto& m : out) mqtt_.publish(m.topic, m.payload, m.qos, m.retain);
  cycles_.inc();
}

void LineControlLoop::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    auto next = SteadyClock::now();
    std::mutex m;
    std::condition_variable_any cv;
    while (!stop.stop_requested()) {
      try {
        cycle_once();
      } catch (const std::exception& e) {
        log::error("control cycle failed", {{"error", e.what()}});
      }
      next += options_.cycle;
      const auto now = SteadyClock::now();
      if (next < now) next = now;  // fell behind: no burst of cycles
      std::unique_lock lock(m);
      cv.wait_until(lock, stop, next, [] { return false; });
    }
  });
}

void LineControlLoop::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

json LineControlLoop::state() const {
  std::lock_guard lock(mutex_);
  json lines = json::array();
  for (const auto& l : lines_) {
    json line = l.last.is_null() ? json{{"line", l.plan.line_device_id}} : l.last;
    line["auto_control_enabled"] = l.auto_enabled ? json(*l.auto_enabled) : json(nullptr);
    line["restored"] = l.restored;
    lines.push_back(std::move(line));
  }
  return {{"configured", configured_},
          {"auto_control_default", options_.auto_control},
          {"lines", lines}};
}

bool LineControlLoop::configured() const {
  std::lock_guard lock(mutex_);
  return configured_;
}

}  // namespace ems::line_controller
