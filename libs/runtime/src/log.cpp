#include "ems/runtime/log.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "ems/runtime/config.hpp"
#include "ems/runtime/utc_time.hpp"

namespace ems::runtime::log {
namespace {

struct State {
  std::mutex mutex;
  std::string service = "unknown";
  std::atomic<Level> level{Level::info};
  std::shared_ptr<spdlog::logger> logger;
};

State& state() {
  static State s;
  return s;
}

// spdlog does the locked, unbuffered write of the finished line; the JSON is ours ("%v").
std::shared_ptr<spdlog::logger> make_logger() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("ems", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::critical:
      return spdlog::level::critical;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

bool is_reserved(const std::string& key) {
  return key == "ts" || key == "level" || key == "service" || key == "msg";
}

}  // namespace

Level parse_level(std::string_view name) {
  if (name == "trace") return Level::trace;
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::error;
  if (name == "critical") return Level::critical;
  if (name == "off") return Level::off;
  throw std::runtime_error("unknown log level \"" + std::string(name) +
                           "\": expected trace, debug, info, warn, error, critical or off");
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::trace:
      return "trace";
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
    case Level::critical:
      return "critical";
    case Level::off:
      return "off";
  }
  return "info";
}

void init(std::string_view service) {
  const auto text = env_string("EMS_LOG_LEVEL", "info");
  Level level;
  try {
    level = parse_level(text);
  } catch (const std::exception& e) {
    throw std::runtime_error("EMS_LOG_LEVEL: " + std::string(e.what()));
  }
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.service = std::string(service);
  s.level.store(level);
}

void set_level(Level level) {
  state().level.store(level);
}
Level level() {
  return state().level.load();
}

bool enabled(Level level) {
  const auto threshold = state().level.load();
  return level != Level::off && threshold != Level::off && level >= threshold;
}

std::string format_line(std::string_view ts, Level level, std::string_view service,
                        std::string_view msg, const Fields& fields) {
  nlohmann::ordered_json line;
  line["ts"] = ts;
  line["level"] = level_name(level);
  line["service"] = service;
  line["msg"] = msg;
  for (const auto& [key, value] : fields) {
    line[is_reserved(key) ? "field." + key : key] = value;
  }
  // Replace invalid UTF-8 rather than throw: a log call must never fail.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write(Level level, std::string_view msg, const Fields& fields) {
  if (!enabled(level)) return;
  try {
    auto& s = state();
    std::shared_ptr<spdlog::logger> logger;
    std::string service;
    {
      std::lock_guard lock(s.mutex);
      if (!s.logger) s.logger = make_logger();
      logger = s.logger;
      service = s.service;
    }
    logger->log(to_spdlog(level), "{}", format_line(utc_now_ms(), level, service, msg, fields));
  } catch (...) {
    // Logging is best effort; the caller's work must go on.
  }
}

}  // namespace ems::runtime::log
