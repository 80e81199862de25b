#include "response_packer.hpp"

#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3::detail {
namespace {

constexpr std::size_t kHeaderCost = 7;  // group, variation, qualifier, 16-bit start and stop

bool prefixed(Qualifier q) {
  return q == Qualifier::kIndexPrefix8Count8 || q == Qualifier::kIndexPrefix16Count16;
}

}  // namespace

std::vector<std::vector<ObjectBlock>> pack_blocks(std::vector<ObjectBlock> blocks,
                                                  std::size_t budget) {
  std::vector<std::vector<ObjectBlock>> fragments(1);
  std::size_t left = budget;
  for (auto& block : blocks) {
    const ObjectType* type = find_object_type(block.group, block.variation);
    const std::size_t object = type != nullptr ? type->size : 0;
    if (block.points.empty()) {  // header-only block
      if (left < kHeaderCost) {
        fragments.emplace_back();
        left = budget;
      }
      fragments.back().push_back(std::move(block));
      left -= kHeaderCost;
      continue;
    }
    const std::size_t cost = object + (prefixed(block.qualifier) ? 2 : 0);
    if (kHeaderCost + cost > budget) {
      throw Dnp3Error(ErrorKind::kTooLarge, "one object does not fit a fragment");
    }
    std::size_t pos = 0;
    while (pos < block.points.size()) {
      if (left < kHeaderCost + cost) {
        fragments.emplace_back();
        left = budget;
      }
      const std::size_t n = std::min(block.points.size() - pos, (left - kHeaderCost) / cost);
      std::vector<Point> part(block.points.begin() + static_cast<std::ptrdiff_t>(pos),
                              block.points.begin() + static_cast<std::ptrdiff_t>(pos + n));
      fragments.back().push_back(
          prefixed(block.qualifier)
              ? ObjectBlock::indexed(block.group, block.variation, std::move(part))
              : ObjectBlock::ranged(block.group, block.variation, std::move(part)));
      left -= kHeaderCost + n * cost;
      pos += n;
    }
  }
  return fragments;
}

}  // namespace ems::protocols::dnp3::detail
