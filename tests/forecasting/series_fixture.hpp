#pragma once
// Made-up series shared by the forecasting tests.
#include <vector>

#include "ems/forecasting/dataset.hpp"

namespace ems::forecasting::testing {

// value(d, h) = 100 * d + h for d = 0 .. days-1 (days since `first`): every hand computation
// of the tests follows from this rule.
inline Series ramp_series(int first, int days) {
  Series s{"x", first, std::vector<double>(static_cast<std::size_t>(days) * 24)};
  for (int d = 0; d < days; ++d)
    for (int h = 0; h < 24; ++h) s.values[static_cast<std::size_t>(d * 24 + h)] = 100.0 * d + h;
  return s;
}

}  // namespace ems::forecasting::testing
