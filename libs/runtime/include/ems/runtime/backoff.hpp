#pragma once
// Exponential backoff between retries (connecting to MQTT, PostgreSQL, fetching /asyncapi).
//
// Deterministic (no jitter) so waits are predictable in logs and tests: initial, initial*factor,
// ... capped at `max`. reset() after a success starts over.
#include <chrono>

namespace ems::runtime {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double factor = 2.0);

  // The delay to wait before the next attempt; advances the sequence.
  std::chrono::milliseconds next();

  // Back to `initial` (call after a success).
  void reset();

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  double factor_;
  std::chrono::milliseconds current_;
};

}  // namespace ems::runtime
