#pragma once
// Typed readers for the suite's `EMS_*` environment configuration.
//
// These are the only functions in the suite that call getenv: every service documents its
// variables in one table and reads them here, so a malformed value fails the same way
// everywhere - a std::runtime_error naming the variable, the value and the expected form.
// An unset (or empty) variable yields the default; a set but malformed one is an error, never a
// silent fallback to the default.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ems::runtime {

// The raw value, or nullopt when unset or empty.
std::optional<std::string> env_optional(std::string_view name);

std::string env_string(std::string_view name, std::string_view default_value);

// Decimal integer, optional sign ("8400", "-1").
std::int64_t env_int(std::string_view name, std::int64_t default_value);

// Decimal floating point ("0.5", "1e-3"); must be finite.
double env_double(std::string_view name, double default_value);

// true/false, 1/0, yes/no, on/off (case-insensitive).
bool env_bool(std::string_view name, bool default_value);

// A non-negative duration: a bare number is milliseconds; suffixes ms, s, m, h are accepted
// ("250", "250ms", "2s", "1.5s", "5m", "1h").
std::chrono::milliseconds env_duration_ms(std::string_view name,
                                          std::chrono::milliseconds default_value);

// Comma-separated list, items trimmed, empty items dropped ("a, b,c" -> {a,b,c}).
std::vector<std::string> env_list(std::string_view name,
                                  const std::vector<std::string>& default_value);

// Required variants: throw std::runtime_error("EMS_X is required (expected ...)") when unset.
std::string require_string(std::string_view name);
std::int64_t require_int(std::string_view name);
double require_double(std::string_view name);
bool require_bool(std::string_view name);
std::chrono::milliseconds require_duration_ms(std::string_view name);

// Pure parsers behind the readers (exposed for tests and for values from other sources). Each
// throws std::runtime_error mentioning `name`, `text` and the expected form.
std::int64_t parse_int(std::string_view name, std::string_view text);
double parse_double(std::string_view name, std::string_view text);
bool parse_bool(std::string_view name, std::string_view text);
std::chrono::milliseconds parse_duration_ms(std::string_view name, std::string_view text);
std::vector<std::string> parse_list(std::string_view text);

}  // namespace ems::runtime
