#include "ems/runtime/backoff.hpp"

#include <algorithm>
#include <stdexcept>

namespace ems::runtime {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double factor)
    : initial_(initial), max_(max), factor_(factor), current_(initial) {
  if (initial.count() < 0 || max < initial || factor < 1.0) {
    throw std::invalid_argument("Backoff needs 0 <= initial <= max and factor >= 1");
  }
}

std::chrono::milliseconds Backoff::next() {
  const auto delay = current_;
  const double grown = static_cast<double>(current_.count()) * factor_;
  current_ = grown >= static_cast<double>(max_.count())
                 ? max_
                 : std::chrono::milliseconds(static_cast<std::int64_t>(grown));
  // An initial delay of 0 would never grow; step to 1 ms so the sequence still rises.
  if (current_.count() == 0 && max_.count() > 0) current_ = std::chrono::milliseconds(1);
  return delay;
}

void Backoff::reset() {
  current_ = initial_;
}

}  // namespace ems::runtime
