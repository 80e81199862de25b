#include "ems/runtime/utc_time.hpp"

#include <cstdio>
#include <ctime>

namespace ems::runtime {

std::string format_utc_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms_since_epoch = duration_cast<milliseconds>(t.time_since_epoch()).count();
  // Floor division so instants before 1970 still get a 0..999 millisecond field.
  auto secs = ms_since_epoch / 1000;
  auto ms = ms_since_epoch % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string utc_now_ms() {
  return format_utc_ms(std::chrono::system_clock::now());
}

}  // namespace ems::runtime
