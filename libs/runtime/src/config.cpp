#include "ems/runtime/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace ems::runtime {
namespace {

[[noreturn]] void fail(std::string_view name, std::string_view text, std::string_view expected) {
  throw std::runtime_error(std::string(name) + "=\"" + std::string(text) +
                           "\" is invalid: expected " + std::string(expected));
}

[[noreturn]] void missing(std::string_view name, std::string_view expected) {
  throw std::runtime_error(std::string(name) + " is required (expected " + std::string(expected) +
                           ")");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

constexpr std::string_view kIntForm = "a decimal integer, e.g. 8400";
constexpr std::string_view kDoubleForm = "a finite decimal number, e.g. 0.5";
constexpr std::string_view kBoolForm = "true/false, 1/0, yes/no or on/off";
constexpr std::string_view kDurationForm =
    "a non-negative duration: milliseconds or a number with ms, s, m or h, e.g. 250ms, 2s";
constexpr std::string_view kStringForm = "a non-empty string";

}  // namespace

std::optional<std::string> env_optional(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

std::int64_t parse_int(std::string_view name, std::string_view text) {
  const auto t = trim(text);
  std::int64_t value = 0;
  const char* begin = t.data();
  if (!t.empty() && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) fail(name, text, kIntForm);
  return value;
}

double parse_double(std::string_view name, std::string_view text) {
  const auto t = trim(text);
  double value = 0;
  const char* begin = t.data();
  if (!t.empty() && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(value)) {
    fail(name, text, kDoubleForm);
  }
  return value;
}

bool parse_bool(std::string_view name, std::string_view text) {
  const auto t = lower(trim(text));
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  fail(name, text, kBoolForm);
}

std::chrono::milliseconds parse_duration_ms(std::string_view name, std::string_view text) {
  const auto t = lower(trim(text));
  std::size_t unit_at = t.size();
  while (unit_at > 0 && std::isalpha(static_cast<unsigned char>(t[unit_at - 1]))) --unit_at;
  const std::string number = t.substr(0, unit_at);
  const std::string unit = t.substr(unit_at);
  double scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    fail(name, text, kDurationForm);
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
      !std::isfinite(value) || value < 0) {
    fail(name, text, kDurationForm);
  }
  const double ms = std::round(value * scale);
  if (ms > 9.0e15) fail(name, text, kDurationForm);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::vector<std::string> parse_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = text.find(',');
    const auto item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::string env_string(std::string_view name, std::string_view default_value) {
  return env_optional(name).value_or(std::string(default_value));
}

std::int64_t env_int(std::string_view name, std::int64_t default_value) {
  const auto v = env_optional(name);
  return v ? parse_int(name, *v) : default_value;
}

double env_double(std::string_view name, double default_value) {
  const auto v = env_optional(name);
  return v ? parse_double(name, *v) : default_value;
}

bool env_bool(std::string_view name, bool default_value) {
  const auto v = env_optional(name);
  return v ? parse_bool(name, *v) : default_value;
}

std::chrono::milliseconds env_duration_ms(std::string_view name,
                                          std::chrono::milliseconds default_value) {
  const auto v = env_optional(name);
  return v ? parse_duration_ms(name, *v) : default_value;
}

std::vector<std::string> env_list(std::string_view name,
                                  const std::vector<std::string>& default_value) {
  const auto v = env_optional(name);
  return v ? parse_list(*v) : default_value;
}

std::string require_string(std::string_view name) {
  auto v = env_optional(name);
  if (!v) missing(name, kStringForm);
  return *v;
}

std::int64_t require_int(std::string_view name) {
  const auto v = env_optional(name);
  if (!v) missing(name, kIntForm);
  return parse_int(name, *v);
}

double require_double(std::string_view name) {
  const auto v = env_optional(name);
  if (!v) missing(name, kDoubleForm);
  return parse_double(name, *v);
}

bool require_bool(std::string_view name) {
  const auto v = env_optional(name);
  if (!v) missing(name, kBoolForm);
  return parse_bool(name, *v);
}

std::chrono::milliseconds require_duration_ms(std::string_view name) {
  const auto v = env_optional(name);
  if (!v) missing(name, kDurationForm);
  return parse_duration_ms(name, *v);
}

}  // namespace ems::runtime
