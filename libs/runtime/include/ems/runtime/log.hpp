#pragma once
// Structured logging: one JSON object per line on stderr, through spdlog.
//
//   {"ts":"2026-11-26T07:05:11.123Z","level":"info","service":"device-api",
//    "msg":"topology stored","version":"1.2.0"}
//
// Usage:
//   ems::runtime::log::init("device-api");              // once, in main(); reads EMS_LOG_LEVEL
//   ems::runtime::log::info("topology stored", {{"version", "1.2.0"}, {"devices", 42}});
//
// Field values are JSON values (strings, numbers, bools, objects). Fields named like the fixed
// keys (ts, level, service, msg) are written under "field.<name>" so they never overwrite them.
// Logging is thread-safe and never throws.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ems::runtime::log {

enum class Level { trace, debug, info, warn, error, critical, off };

// Key/value pairs appended to the line, in order.
using Fields = std::vector<std::pair<std::string, nlohmann::json>>;

// Sets the service name and the level from EMS_LOG_LEVEL (trace|debug|info|warn|error|critical|
// off, default info; a bad value throws std::runtime_error naming the variable). Before init()
// lines carry "service":"unknown" at level info.
void init(std::string_view service);

void set_level(Level level);
Level level();
bool enabled(Level level);

// "info" -> Level::info; throws std::runtime_error on an unknown name.
Level parse_level(std::string_view name);
std::string_view level_name(Level level);

// The exact line (without newline) that would be written; pure, for tests.
std::string format_line(std::string_view ts, Level level, std::string_view service,
                        std::string_view msg, const Fields& fields);

void write(Level level, std::string_view msg, const Fields& fields = {});
inline void trace(std::string_view msg, const Fields& fields = {}) {
  write(Level::trace, msg, fields);
}
inline void debug(std::string_view msg, const Fields& fields = {}) {
  write(Level::debug, msg, fields);
}
inline void info(std::string_view msg, const Fields& fields = {}) {
  write(Level::info, msg, fields);
}
inline void warn(std::string_view msg, const Fields& fields = {}) {
  write(Level::warn, msg, fields);
}
inline void error(std::string_view msg, const Fields& fields = {}) {
  write(Level::error, msg, fields);
}
inline void critical(std::string_view msg, const Fields& fields = {}) {
  write(Level::critical, msg, fields);
}

}  // namespace ems::runtime::log
