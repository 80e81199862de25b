#pragma once
// Splits the object blocks of one response into fragments that fit the maximum fragment size,
// cutting blocks between points. Sizes are estimated from above (16-bit ranges and prefixes), so a
// packed fragment never exceeds its budget.

#include <cstddef>
#include <vector>

#include "ems/protocols/dnp3/objects.hpp"

namespace ems::protocols::dnp3::detail {

// `budget` = bytes available for objects in one fragment (fragment size minus the 4-byte header).
// Throws Dnp3Error(kTooLarge) if a single point cannot fit.
std::vector<std::vector<ObjectBlock>> pack_blocks(std::vector<ObjectBlock> blocks,
                                                  std::size_t budget);

}  // namespace ems::protocols::dnp3::detail
