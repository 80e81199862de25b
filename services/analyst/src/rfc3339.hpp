#pragma once
// RFC 3339 timestamps <-> seconds since the epoch, for the historian's answers and the query
// parameters of GET /forecast. Pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ems::analyst {

// "2026-11-26T07:05:11.123Z", "2026-11-26T01:05:11-06:00", "2026-11-26 07:05:11Z" -> whole
// seconds (fraction truncated); nullopt when malformed.
std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view text);
// "2026-11-26T07:00:00.000Z".
std::string format_rfc3339(std::int64_t seconds);

}  // namespace ems::analyst
