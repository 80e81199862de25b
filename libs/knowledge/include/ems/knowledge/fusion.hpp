#pragma once
// Reciprocal rank fusion (Cormack, Clarke, Buettcher 2009): each ranked list gives an item
// 1 / (k + rank) (rank from 1); the fused order is by the summed score, ties by the best single
// rank, then by id. Pure.
#include <cstdint>
#include <vector>

namespace ems::knowledge {

struct FusedItem {
  std::int64_t id = 0;
  double score = 0;
};

std::vector<FusedItem> reciprocal_rank_fusion(const std::vector<std::vector<std::int64_t>>& lists,
                                              double k = 60.0);

}  // namespace ems::knowledge
