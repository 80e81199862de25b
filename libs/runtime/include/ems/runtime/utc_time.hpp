#pragma once
// The one timestamp text form the runtime writes (logs, service status payloads):
// RFC 3339, UTC, millisecond precision, `Z` suffix - "2026-11-26T07:05:11.123Z".
//
// libs/contract owns payload timestamps for the contract; the runtime deliberately does not
// depend on it, so it formats its own (same form).
#include <chrono>
#include <string>

namespace ems::runtime {

std::string format_utc_ms(std::chrono::system_clock::time_point t);

// format_utc_ms(system_clock::now()).
std::string utc_now_ms();

}  // namespace ems::runtime
