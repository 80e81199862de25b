#pragma once
// FaultPlan: the one description of an injected failure that every protocol server of the suite
// understands (fixtures' POST /faults maps onto it). A server reads its plan at every request,
// so a plan can change at any time and clearing it (kind none) restores service at once.

#include <chrono>
#include <optional>
#include <string_view>

namespace ems::protocols {

struct FaultPlan {
  enum class Kind {
    none,
    silent,           // accept and read requests, never answer (client sees a timeout)
    drop_connection,  // close the connection when a request arrives (client sees a reset)
    delay,            // answer after `delay`
    malformed,        // answer with a frame the client must reject (bad CRC, bad length, ...)
  };
  Kind kind = Kind::none;
  std::chrono::milliseconds delay{0};
  bool operator==(const FaultPlan&) const = default;
};

inline std::string_view to_string(FaultPlan::Kind k) noexcept {
  switch (k) {
    case FaultPlan::Kind::none:
      return "none";
    case FaultPlan::Kind::silent:
      return "silent";
    case FaultPlan::Kind::drop_connection:
      return "drop_connection";
    case FaultPlan::Kind::delay:
      return "delay";
    case FaultPlan::Kind::malformed:
      return "malformed";
  }
  return "none";
}

inline std::optional<FaultPlan::Kind> parse_fault_kind(std::string_view s) noexcept {
  for (auto k : {FaultPlan::Kind::none, FaultPlan::Kind::silent, FaultPlan::Kind::drop_connection,
                 FaultPlan::Kind::delay, FaultPlan::Kind::malformed})
    if (to_string(k) == s) return k;
  return std::nullopt;
}

}  // namespace ems::protocols
