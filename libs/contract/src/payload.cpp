#include "ems/contract/payload.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/contract/issue.hpp"
#include "ems/contract/semver.hpp"

namespace ems::contract {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::string_view, 6> kAckStateNames = {"received", "accepted", "done",
                                                            "failed",   "rejected", "timeout"};
constexpr std::array<std::string_view, 2> kServiceStateNames = {"ONLINE", "OFFLINE"};

const char* type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::binary:
      return "binary";
    case Json::value_t::discarded:
      return "nothing";
    default:
      return "number";
  }
}

// Parses one payload object and hands out its members by key. Every key taken is "known";
// finish() reports the others as unknown and throws everything collected.
class PayloadReader {
 public:
  PayloadReader(std::string_view text, std::string_view schema) : schema_(schema) {
    // The callback sees every key of every object; a repeated key is an error that nlohmann
    // would otherwise resolve silently by keeping the last value.
    std::vector<std::vector<std::string>> open_objects;
    auto on_event = [&](int, Json::parse_event_t event, Json& parsed) {
      if (event == Json::parse_event_t::object_start) {
        open_objects.emplace_back();
      } else if (event == Json::parse_event_t::object_end) {
        if (!open_objects.empty()) open_objects.pop_back();
      } else if (event == Json::parse_event_t::key && !open_objects.empty()) {
        auto& keys = open_objects.back();
        const auto& key = parsed.get_ref<const std::string&>();
        if (open_objects.size() == 1) last_key_ = key;
        for (const auto& k : keys) {
          if (k == key && duplicate_.empty()) duplicate_ = key;
        }
        keys.push_back(key);
      }
      return true;
    };
    try {
      root_ = Json::parse(text.begin(), text.end(), on_event);
    } catch (const Json::parse_error& e) {
      throw ContractError(
          "", std::string(schema_) + ": invalid JSON at byte " + std::to_string(e.byte));
    } catch (const Json::out_of_range&) {
      // The lexer refuses numbers beyond double's range (1e999) before the value exists; the
      // last key of the payload object is where it stood.
      throw ContractError(open_objects.size() == 1 ? pointer(last_key_) : "",
                          "must be a finite number (out of range)");
    } catch (const Json::exception& e) {
      throw ContractError("", std::string(schema_) + ": invalid JSON (" + e.what() + ")");
    }
    if (!root_.is_object()) {
      throw ContractError(
          "", std::string(schema_) + ": expected a JSON object, got " + type_name(root_));
    }
    if (!duplicate_.empty()) {
      add(json_pointer_append("", duplicate_), "duplicate key");
    }
  }

  void add(std::string path, std::string message) {
    issues_.push_back({std::move(path), std::move(message)});
  }

  // The member, or nullptr when absent (reported when required). null counts as a wrong type.
  const Json* take(std::string_view key, bool required = true) {
    known_.push_back(key);
    auto it = root_.find(key);
    if (it == root_.end()) {
      if (required) add(pointer(key), "is required");
      return nullptr;
    }
    return &*it;
  }

  bool has(std::string_view key) const { return root_.contains(key); }

  Timestamp ts() {
    const Json* j = take("ts");
    if (j == nullptr) return {};
    if (!j->is_string()) {
      expected(*j, "ts", "an RFC 3339 timestamp string");
      return {};
    }
    try {
      return parse_timestamp(j->get_ref<const std::string&>());
    } catch (const ContractError& e) {
      add("/ts", e.issues().front().message);
      return {};
    }
  }

  std::optional<double> number(std::string_view key) {
    const Json* j = take(key);
    if (j == nullptr) return std::nullopt;
    return as_number(*j, key);
  }

  std::optional<double> as_number(const Json& j, std::string_view key) {
    if (!j.is_number()) return expected(j, key, "a number");
    double v = j.get<double>();
    if (!std::isfinite(v)) {
      add(pointer(key), "must be a finite number");
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(std::string_view key) {
    const Json* j = take(key);
    if (j == nullptr) return std::nullopt;
    if (!j->is_boolean()) return expected(*j, key, "a boolean");
    return j->get<bool>();
  }

  std::optional<std::string> text(std::string_view key, bool required = true) {
    const Json* j = take(key, required);
    if (j == nullptr) return std::nullopt;
    return as_text(*j, key);
  }

  std::optional<std::string> as_text(const Json& j, std::string_view key) {
    if (!j.is_string()) return expected(j, key, "a string");
    const auto& s = j.get_ref<const std::string&>();
    if (s.empty()) {
      add(pointer(key), "must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::string command_id() {
    auto id = text("command_id");
    if (id && !is_uuid(*id)) {
      add("/command_id", "expected a UUID (8-4-4-4-12 hex digits)");
      return {};
    }
    return id.value_or("");
  }

  std::nullopt_t expected(const Json& j, std::string_view key, std::string_view what) {
    add(pointer(key), "expected " + std::string(what) + ", got " + type_name(j));
    return std::nullopt;
  }

  // Reports unknown keys and throws when anything is wrong.
  void finish() {
    for (const auto& [key, value] : root_.items()) {
      bool known = false;
      for (auto k : known_) known = known || k == key;
      if (!known) add(json_pointer_append("", key), "unknown key in " + std::string(schema_));
    }
    if (!issues_.empty()) throw ContractError(std::move(issues_));
  }

  static std::string pointer(std::string_view key) {
    return json_pointer_append("", std::string(key));
  }

 private:
  std::string_view schema_;
  Json root_;
  std::string duplicate_;
  std::string last_key_;
  std::vector<std::string_view> known_;
  std::vector<Issue> issues_;
};

// The one semver grammar of the suite lives in semver.hpp.
bool is_version(std::string_view s) {
  try {
    parse_semver(s);
    return true;
  } catch (const ContractError&) {
    return false;
  }
}

// ---- encoding ----

std::string json_string(std::string_view s) {
  return Json(s).dump();
}

void require(bool ok, std::string_view path, std::string_view message) {
  if (!ok) throw ContractError(std::string(path), std::string(message));
}

std::string json_number(double v) {
  require(std::isfinite(v), "/value", "must be a finite number");
  return Json(v).dump();
}

std::string json_label(std::string_view label) {
  require(!label.empty(), "/value", "must not be empty");
  return json_string(label);
}

std::string open(Timestamp ts) {
  return "{\"ts\":\"" + format_timestamp(ts) + "\"";
}

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

std::string payload_noun(PayloadType t, std::string_view kind) {
  switch (t) {
    case PayloadType::Float:
      return "a number (float " + std::string(kind) + ")";
    case PayloadType::Bool:
      return "a boolean (bool " + std::string(kind) + ")";
    case PayloadType::Enum:
      return "a label string (enum " + std::string(kind) + ")";
    case PayloadType::Trigger:
      return "no value (trigger " + std::string(kind) + ")";
  }
  return "";
}

// "value" of a sample or command whose type is inferred from the JSON (absent = trigger) and,
// when `expected` is given, checked against it.
SampleValue read_value(PayloadReader& r, std::optional<PayloadType> expected,
                       std::string_view kind) {
  const Json* v = r.take("value", false);
  SampleValue value = Trigger{};
  if (v != nullptr) {
    if (v->is_number()) {
      value = r.as_number(*v, "value").value_or(0.0);
    } else if (v->is_boolean()) {
      value = v->get<bool>();
    } else if (v->is_string()) {
      value = r.as_text(*v, "value").value_or("");
    } else {
      r.expected(*v, "value", "a number, a boolean or a string");
      return value;
    }
  }
  const auto type = static_cast<PayloadType>(value.index());
  if (expected && type != *expected) {
    const std::string want = payload_noun(*expected, kind);
    if (v == nullptr) {
      r.add("/value", "is required: expected " + want);
    } else {
      r.add("/value", "expected " + want + ", got " + type_name(*v));
    }
  }
  return value;
}

CommandPayload decode_command_impl(std::string_view text, std::optional<PayloadType> expected) {
  PayloadReader r(text, "Command");
  CommandPayload c;
  c.ts = r.ts();
  c.command_id = r.command_id();
  c.value = read_value(r, expected, "command");
  r.finish();
  return c;
}

Sample decode_sample_impl(std::string_view text, std::optional<PayloadType> expected) {
  PayloadReader r(text, "Sample");
  Sample s;
  s.ts = r.ts();
  s.value = read_value(r, expected, "sample");
  r.finish();
  return s;
}

// ",\"value\":..." for a value of any type ("" for a trigger).
std::string value_member(const SampleValue& value) {
  struct Visitor {
    std::string operator()(double v) const { return ",\"value\":" + json_number(v); }
    std::string operator()(bool v) const { return v ? ",\"value\":true" : ",\"value\":false"; }
    std::string operator()(const std::string& v) const { return ",\"value\":" + json_label(v); }
    std::string operator()(Trigger) const { return ""; }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace

std::optional<AckState> parse_ack_state(std::string_view s) noexcept {
  return lookup<AckState>(kAckStateNames, s);
}
std::string_view to_string(AckState s) noexcept {
  return kAckStateNames[static_cast<std::size_t>(s)];
}
bool is_terminal(AckState s) noexcept {
  return s == AckState::done || s == AckState::failed || s == AckState::rejected ||
         s == AckState::timeout;
}

std::optional<ServiceState> parse_service_state(std::string_view s) noexcept {
  return lookup<ServiceState>(kServiceStateNames, s);
}
std::string_view to_string(ServiceState s) noexcept {
  return kServiceStateNames[static_cast<std::size_t>(s)];
}

bool is_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string random_uuid() {
  // One generator per process, seeded from the OS; UUIDs only need to be unique, not secret.
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}() ^
                             (std::uint64_t(std::random_device{}()) << 32)};
  std::uint64_t hi = 0, lo = 0;
  {
    std::lock_guard lock(mutex);
    hi = rng();
    lo = rng();
  }
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    const std::uint64_t word = i < 16 ? hi : lo;
    out += kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
    if (i == 7 || i == 11 || i == 15 || i == 19) out += '-';
  }
  return out;
}

std::string encode(const FloatSample& s) {
  return open(s.ts) + ",\"value\":" + json_number(s.value) + "}";
}
std::string encode(const BooleanSample& s) {
  return open(s.ts) + (s.value ? ",\"value\":true}" : ",\"value\":false}");
}
std::string encode(const EnumSample& s) {
  return open(s.ts) + ",\"value\":" + json_label(s.value) + "}";
}
std::string encode(const TriggerSample& s) {
  return open(s.ts) + "}";
}

std::string encode(const CommandPayload& c) {
  require(is_uuid(c.command_id), "/command_id", "expected a UUID (8-4-4-4-12 hex digits)");
  return open(c.ts) + value_member(c.value) + ",\"command_id\":\"" + c.command_id + "\"}";
}

std::string encode(const Sample& s) {
  return open(s.ts) + value_member(s.value) + "}";
}

std::string encode(const Ack& a) {
  require(is_uuid(a.command_id), "/command_id", "expected a UUID (8-4-4-4-12 hex digits)");
  require(static_cast<std::size_t>(a.state) < kAckStateNames.size(), "/state", "invalid state");
  std::string out = open(a.ts) + ",\"command_id\":\"" + a.command_id + "\",\"state\":\"" +
                    std::string(to_string(a.state)) + "\"";
  if (a.reason) {
    require(!a.reason->empty(), "/reason", "must not be empty");
    out += ",\"reason\":" + json_string(*a.reason);
  }
  return out + "}";
}

std::string encode(const TopologyChanged& t) {
  require(is_version(t.version), "/version", "expected a semantic version M.m.p");
  return open(t.ts) + ",\"version\":\"" + t.version + "\"}";
}

std::string encode(const ServiceStatus& s) {
  require(static_cast<std::size_t>(s.value) < kServiceStateNames.size(), "/value",
          "invalid service state");
  return open(s.ts) + ",\"value\":\"" + std::string(to_string(s.value)) + "\"}";
}

FloatSample decode_float_sample(std::string_view text) {
  PayloadReader r(text, "FloatSample");
  FloatSample s;
  s.ts = r.ts();
  s.value = r.number("value").value_or(0.0);
  r.finish();
  return s;
}

BooleanSample decode_boolean_sample(std::string_view text) {
  PayloadReader r(text, "BooleanSample");
  BooleanSample s;
  s.ts = r.ts();
  s.value = r.boolean("value").value_or(false);
  r.finish();
  return s;
}

EnumSample decode_enum_sample(std::string_view text) {
  PayloadReader r(text, "EnumSample");
  EnumSample s;
  s.ts = r.ts();
  s.value = r.text("value").value_or("");
  r.finish();
  return s;
}

TriggerSample decode_trigger_sample(std::string_view text) {
  PayloadReader r(text, "TriggerSample");
  TriggerSample s;
  s.ts = r.ts();
  r.finish();
  return s;
}

CommandPayload decode_command(std::string_view text) {
  return decode_command_impl(text, std::nullopt);
}
CommandPayload decode_command(std::string_view text, PayloadType expected) {
  return decode_command_impl(text, expected);
}
Sample decode_sample(std::string_view text) {
  return decode_sample_impl(text, std::nullopt);
}
Sample decode_sample(std::string_view text, PayloadType expected) {
  return decode_sample_impl(text, expected);
}

Ack decode_ack(std::string_view text) {
  PayloadReader r(text, "Ack");
  Ack a;
  a.ts = r.ts();
  a.command_id = r.command_id();
  if (auto state = r.text("state")) {
    if (auto parsed = parse_ack_state(*state)) {
      a.state = *parsed;
    } else {
      r.add("/state",
            "'" + *state + "' is not one of received accepted done failed rejected timeout");
    }
  }
  a.reason = r.text("reason", false);
  r.finish();
  return a;
}

TopologyChanged decode_topology_changed(std::string_view text) {
  PayloadReader r(text, "TopologyChanged");
  TopologyChanged t;
  t.ts = r.ts();
  if (auto version = r.text("version")) {
    if (is_version(*version)) {
      t.version = *version;
    } else {
      r.add("/version", "expected a semantic version M.m.p, got '" + *version + "'");
    }
  }
  r.finish();
  return t;
}

ServiceStatus decode_service_status(std::string_view text) {
  PayloadReader r(text, "ServiceStatus");
  ServiceStatus s;
  s.ts = r.ts();
  if (auto value = r.text("value")) {
    if (auto parsed = parse_service_state(*value)) {
      s.value = *parsed;
    } else {
      r.add("/value", "'" + *value + "' is not ONLINE or OFFLINE");
    }
  }
  r.finish();
  return s;
}

}  // namespace ems::contract
