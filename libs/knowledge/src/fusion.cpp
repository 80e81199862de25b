#include "ems/knowledge/fusion.hpp"

#include <algorithm>
#include <climits>
#include <unordered_map>

namespace ems::knowledge {

std::vector<FusedItem> reciprocal_rank_fusion(const std::vector<std::vector<std::int64_t>>& lists,
                                              double k) {
  struct Acc {
    double score = 0;
    std::size_t best_rank = SIZE_MAX;
  };
  std::unordered_map<std::int64_t, Acc> acc;
  for (const auto& list : lists) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      Acc& a = acc[list[i]];
      // An id repeated inside one list counts once, at its best rank.
      if (std::find(list.begin(), list.begin() + static_cast<long>(i), list[i]) !=
          list.begin() + static_cast<long>(i))
        continue;
      a.score += 1.0 / (k + static_cast<double>(i + 1));
      a.best_rank = std::min(a.best_rank, i + 1);
    }
  }
  std::vector<std::pair<std::int64_t, Acc>> items(acc.begin(), acc.end());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    if (a.second.score != b.second.score) return a.second.score > b.second.score;
    if (a.second.best_rank != b.second.best_rank) return a.second.best_rank < b.second.best_rank;
    return a.first < b.first;
  });
  std::vector<FusedItem> out;
  out.reserve(items.size());
  for (const auto& [id, a] : items) out.push_back(FusedItem{id, a.score});
  return out;
}

}  // namespace ems::knowledge
