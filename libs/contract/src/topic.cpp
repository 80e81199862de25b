#include "ems/contract/topic.hpp"

#include <array>

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

// Longest topic (commands/acks) has 8 segments; one more slot tells "too deep" apart.
constexpr std::size_t kMaxSegments = 9;

struct Segments {
  std::array<std::string_view, kMaxSegments> part{};
  std::size_t count = 0;  // true count, may exceed kMaxSegments
};

Segments split(std::string_view topic) noexcept {
  Segments s;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = topic.find('/', start);
    std::string_view piece = topic.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (s.count < kMaxSegments) s.part[s.count] = piece;
    ++s.count;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return s;
}

// Quotes a segment for a message: printable ASCII verbatim, other bytes as \xNN, long values cut.
std::string quote(std::string_view v) {
  constexpr std::size_t kMaxShown = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (std::size_t i = 0; i < v.size() && i < kMaxShown; ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (v.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

constexpr std::string_view kSlugRule = "^[a-z][a-z0-9_]{0,62}[a-z0-9]$";
constexpr std::string_view kMeasurementShape =
    "sites/{site_id}/devices/{device_id}/measurements/{measurement}/{unit}";
constexpr std::string_view kCommandShape =
    "sites/{site_id}/devices/{device_id}/{commands|acks}/{verb}/{target}/{unit}";

// Fills *error and returns nullopt; keeps the parse functions below one line per rule.
std::nullopt_t fail(TopicError* error, std::size_t segment, std::string message) {
  if (error != nullptr) {
    error->segment = segment;
    error->message = std::move(message);
  }
  return std::nullopt;
}

std::string segment_label(std::size_t index, std::string_view name) {
  std::string out = "segment " + std::to_string(index);
  if (!name.empty()) {
    out += " (";
    out += name;
    out += ")";
  }
  return out;
}

bool check_slug(const Segments& s, std::size_t i, std::string_view name, TopicError* error) {
  if (is_slug(s.part[i])) return true;
  fail(error, i,
       segment_label(i, name) + " " + quote(s.part[i]) + " is not a slug (" +
           std::string(kSlugRule) + ")");
  return false;
}

bool check_service_id(const Segments& s, std::size_t i, TopicError* error) {
  if (is_service_id(s.part[i])) return true;
  fail(error, i,
       segment_label(i, "service_id") + " " + quote(s.part[i]) + " is not a service id (" +
           std::string(kServiceIdRule) + ")");
  return false;
}

bool check_literal(const Segments& s, std::size_t i, std::string_view expected, TopicError* error) {
  if (s.part[i] == expected) return true;
  fail(error, i,
       segment_label(i, "") + " " + quote(s.part[i]) + " must be '" + std::string(expected) + "'");
  return false;
}

bool check_depth(const Segments& s, std::size_t expected, std::string_view kind,
                 std::string_view shape, TopicError* error) {
  if (s.count == expected) return true;
  std::string what = std::string(kind) + " topic has " + std::to_string(expected) + " segments (" +
                     std::string(shape) + ")";
  if (s.count > expected) {
    fail(error, expected,
         segment_label(expected, "") + " " + quote(s.part[expected]) + " is one too many: " + what);
  } else {
    fail(error, std::string_view::npos,
         "topic has " + std::to_string(s.count) + " segments; " + what);
  }
  return false;
}

std::optional<Unit> check_unit(const Segments& s, std::size_t i, TopicError* error) {
  auto unit = parse_unit(s.part[i]);
  if (!unit) {
    fail(error, i,
         segment_label(i, "unit") + " " + quote(s.part[i]) +
             " is not a unit (volts amps watts vars voltamperes watt_hours hertz celsius percent "
             "watts_per_m2 meters_per_second bar liters_per_minute degrees meters seconds none)");
  }
  return unit;
}

std::optional<Topic> parse_site_topic(const Segments& s, TopicError* error,
                                      bool allow_placeholder) {
  if (s.count < 5) {
    return fail(error, std::string_view::npos,
                "topic has " + std::to_string(s.count) + " segments; a site topic has 7 (" +
                    std::string(kMeasurementShape) + ") or 8 (" + std::string(kCommandShape) + ")");
  }
  bool placeholder = allow_placeholder && s.part[1] == kSiteIdPlaceholder;
  if (!placeholder && !check_slug(s, 1, "site_id", error)) return std::nullopt;
  if (!check_literal(s, 2, "devices", error)) return std::nullopt;
  if (!check_slug(s, 3, "device_id", error)) return std::nullopt;

  std::string_view family = s.part[4];
  if (family == "measurements") {
    if (!check_depth(s, 7, "a measurements", kMeasurementShape, error)) return std::nullopt;
    if (!check_slug(s, 5, "measurement", error)) return std::nullopt;
    auto unit = check_unit(s, 6, error);
    if (!unit) return std::nullopt;
    return MeasurementTopic{std::string(s.part[1]), std::string(s.part[3]), std::string(s.part[5]),
                            *unit};
  }
  bool command = family == "commands";
  if (!command && family != "acks") {
    return fail(error, 4,
                segment_label(4, "family") + " " + quote(family) +
                    " is not a family (measurements, commands, acks)");
  }
  if (!check_depth(s, 8, command ? "a commands" : "an acks", kCommandShape, error))
    return std::nullopt;
  auto verb = parse_verb(s.part[5]);
  if (!verb) {
    return fail(error, 5,
                segment_label(5, "verb") + " " + quote(s.part[5]) +
                    " is not a verb (set reset clear start stop enable disable)");
  }
  if (!check_slug(s, 6, "target", error)) return std::nullopt;
  auto unit = check_unit(s, 7, error);
  if (!unit) return std::nullopt;
  if (command) {
    return CommandTopic{std::string(s.part[1]), std::string(s.part[3]), *verb,
                        std::string(s.part[6]), *unit};
  }
  return AckTopic{std::string(s.part[1]), std::string(s.part[3]), *verb, std::string(s.part[6]),
                  *unit};
}

Topic parse_or_throw(std::string_view topic, bool allow_placeholder) {
  TopicError error;
  auto parsed = try_parse_topic(topic, &error, allow_placeholder);
  if (!parsed) throw ContractError("", std::move(error.message));
  return std::move(*parsed);
}

// ---- formatting ----

void require_slug(std::string_view value, std::string_view field) {
  if (!is_slug(value)) {
    throw ContractError("", std::string(field) + " " + quote(value) + " is not a slug (" +
                                std::string(kSlugRule) + ")");
  }
}

void require_site(std::string_view site_id, bool allow_placeholder) {
  if (allow_placeholder && site_id == kSiteIdPlaceholder) return;
  require_slug(site_id, "site_id");
}

std::string_view unit_name(Unit u) {
  if (static_cast<std::size_t>(u) >= kUnitNames.size()) throw ContractError("", "invalid unit");
  return to_string(u);
}

std::string_view verb_name(Verb v) {
  if (static_cast<std::size_t>(v) >= kVerbNames.size()) throw ContractError("", "invalid verb");
  return to_string(v);
}

std::string join(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (auto p : parts) size += p.size() + 1;
  std::string out;
  out.reserve(size);
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string format_site_topic(std::string_view site_id, std::string_view device_id,
                              std::string_view family, Verb verb, std::string_view target,
                              Unit unit, bool allow_placeholder) {
  require_site(site_id, allow_placeholder);
  require_slug(device_id, "device_id");
  require_slug(target, "target");
  return join(
      {"sites", site_id, "devices", device_id, family, verb_name(verb), target, unit_name(unit)});
}

std::string format_impl(const Topic& topic, bool allow_placeholder) {
  struct Visitor {
    bool allow_placeholder;
    std::string operator()(const MeasurementTopic& t) const {
      require_site(t.site_id, allow_placeholder);
      require_slug(t.device_id, "device_id");
      require_slug(t.measurement, "measurement");
      return join({"sites", t.site_id, "devices", t.device_id, "measurements", t.measurement,
                   unit_name(t.unit)});
    }
    std::string operator()(const CommandTopic& t) const {
      return format_site_topic(t.site_id, t.device_id, "commands", t.verb, t.target, t.unit,
                               allow_placeholder);
    }
    std::string operator()(const AckTopic& t) const {
      return format_site_topic(t.site_id, t.device_id, "acks", t.verb, t.target, t.unit,
                               allow_placeholder);
    }
    std::string operator()(const SystemTopic& t) const {
      require_slug(t.event, "event");
      return join({"system", t.event});
    }
    std::string operator()(const ServiceStatusTopic& t) const {
      if (!is_service_id(t.service_id)) {
        throw ContractError("", "service_id " + quote(t.service_id) + " is not a service id (" +
                                    std::string(kServiceIdRule) + ")");
      }
      return join({"services", t.service_id, "status"});
    }
  };
  return std::visit(Visitor{allow_placeholder}, topic);
}

std::string site_filter(std::string_view site_id, std::string_view device_id,
                        std::string_view family, std::string_view rest) {
  if (site_id != "+") require_slug(site_id, "site_id");
  if (device_id != "+") require_slug(device_id, "device_id");
  return join({"sites", site_id, "devices", device_id, family, rest});
}

}  // namespace

std::optional<Topic> try_parse_topic(std::string_view topic, TopicError* error,
                                     bool allow_site_placeholder) {
  Segments s = split(topic);
  std::string_view root = s.part[0];
  if (root == "sites") return parse_site_topic(s, error, allow_site_placeholder);
  if (root == "system") {
    if (!check_depth(s, 2, "a system", "system/{event}", error)) return std::nullopt;
    if (!check_slug(s, 1, "event", error)) return std::nullopt;
    return SystemTopic{std::string(s.part[1])};
  }
  if (root == "services") {
    if (!check_depth(s, 3, "a service status", "services/{service_id}/status", error)) {
      return std::nullopt;
    }
    if (!check_service_id(s, 1, error)) return std::nullopt;
    if (!check_literal(s, 2, "status", error)) return std::nullopt;
    return ServiceStatusTopic{std::string(s.part[1])};
  }
  return fail(
      error, 0,
      segment_label(0, "") + " " + quote(root) + " is not a topic root (sites, system, services)");
}

Topic parse_topic(std::string_view topic) {
  return parse_or_throw(topic, false);
}
Topic parse_topic_template(std::string_view topic) {
  return parse_or_throw(topic, true);
}

std::string format_topic(const Topic& topic) {
  return format_impl(topic, false);
}
std::string format_topic_template(const Topic& topic) {
  return format_impl(topic, true);
}

std::string measurement_topic(std::string_view site_id, std::string_view device_id,
                              std::string_view measurement, Unit unit) {
  return format_topic(MeasurementTopic{std::string(site_id), std::string(device_id),
                                       std::string(measurement), unit});
}
std::string command_topic(std::string_view site_id, std::string_view device_id, Verb verb,
                          std::string_view target, Unit unit) {
  return format_site_topic(site_id, device_id, "commands", verb, target, unit, false);
}
std::string ack_topic(std::string_view site_id, std::string_view device_id, Verb verb,
                      std::string_view target, Unit unit) {
  return format_site_topic(site_id, device_id, "acks", verb, target, unit, false);
}
std::string system_topic(std::string_view event) {
  return format_topic(SystemTopic{std::string(event)});
}
std::string service_status_topic(std::string_view service_id) {
  return format_topic(ServiceStatusTopic{std::string(service_id)});
}

AckTopic ack_for(const CommandTopic& c) {
  return AckTopic{c.site_id, c.device_id, c.verb, c.target, c.unit};
}

TopicFamily family_of(const Topic& topic) noexcept {
  // The variant's alternatives are declared in TopicFamily's order.
  return static_cast<TopicFamily>(topic.index());
}

std::string_view to_string(TopicFamily f) noexcept {
  switch (f) {
    case TopicFamily::measurements:
      return "measurements";
    case TopicFamily::commands:
      return "commands";
    case TopicFamily::acks:
      return "acks";
    case TopicFamily::system:
      return "system";
    case TopicFamily::service_status:
      return "service_status";
  }
  return "unknown";
}

Delivery delivery_for(TopicFamily family) noexcept {
  switch (family) {
    case TopicFamily::measurements:
      return {0, true};
    case TopicFamily::commands:
      return {1, false};
    case TopicFamily::acks:
      return {1, false};
    case TopicFamily::system:
      return {1, false};
    case TopicFamily::service_status:
      return {1, true};
  }
  return {1, false};
}

std::string measurements_filter(std::string_view site_id, std::string_view device_id) {
  return site_filter(site_id, device_id, "measurements", "+/+");
}
std::string commands_filter(std::string_view site_id, std::string_view device_id) {
  return site_filter(site_id, device_id, "commands", "+/+/+");
}
std::string acks_filter(std::string_view site_id, std::string_view device_id) {
  return site_filter(site_id, device_id, "acks", "+/+/+");
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (filter.empty() || topic.empty()) return false;
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;
  std::size_t f = 0, t = 0;
  while (true) {
    std::size_t f_end = filter.find('/', f);
    std::string_view f_level =
        filter.substr(f, f_end == std::string_view::npos ? f_end : f_end - f);
    if (f_level == "#") return f_end == std::string_view::npos;  // '#' must be last
    std::size_t t_end = topic.find('/', t);
    std::string_view t_level = topic.substr(t, t_end == std::string_view::npos ? t_end : t_end - t);
    if (f_level != "+" && f_level != t_level) return false;
    bool f_last = f_end == std::string_view::npos;
    bool t_last = t_end == std::string_view::npos;
    if (f_last || t_last) {
      if (f_last && t_last) return true;
      if (t_last) {
        // "a/#" matches "a": the remaining filter must be exactly "/#".
        return filter.substr(f_end) == "/#";
      }
      return false;
    }
    f = f_end + 1;
    t = t_end + 1;
  }
}

}  // namespace ems::contract
