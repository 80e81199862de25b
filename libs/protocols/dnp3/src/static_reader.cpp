#include "static_reader.hpp"

#include <set>

namespace ems::protocols::dnp3::detail {
namespace {

// Records of one map reported with one group; `variation_of` gives each record's variation.
template <typename Map, typename ToValue, typename VariationOf>
void append_runs(const Map& map, std::uint8_t group, const std::set<std::uint16_t>* only,
                 std::uint8_t forced_variation, VariationOf variation_of, ToValue to_value,
                 std::vector<ObjectBlock>& out) {
  std::vector<Point> run;
  std::uint8_t run_variation = 0;
  auto flush = [&] {
    if (!run.empty()) out.push_back(ObjectBlock::ranged(group, run_variation, std::move(run)));
    run.clear();
  };
  for (const auto& [index, rec] : map) {
    if (only != nullptr && only->count(index) == 0) continue;
    const std::uint8_t v = forced_variation != 0 ? forced_variation : variation_of(rec);
    if (!run.empty() && (v != run_variation || run.back().index + 1 != index)) flush();
    run_variation = v;
    run.push_back(Point{index, to_value(rec)});
  }
  flush();
}

template <typename Map>
void append_group(const Map& map, std::uint8_t group, const std::set<std::uint16_t>* only,
                  std::uint8_t variation, std::vector<ObjectBlock>& out) {
  append_runs(
      map, group, only, variation, [](const auto& r) { return r.config.static_variation; },
      [](const auto& r) { return ObjectValue{r.value}; }, out);
}

// Indices a request names, or nullptr for "all". Missing ones raise a parameter error.
template <typename Map>
bool collect_indices(const Map& map, const ObjectBlock& request, std::set<std::uint16_t>& only) {
  bool all_present = true;
  auto want = [&](std::uint16_t i) {
    if (map.count(i) != 0) {
      only.insert(i);
    } else {
      all_present = false;
    }
  };
  switch (request.qualifier) {
    case Qualifier::kStartStop8:
    case Qualifier::kStartStop16:
      for (std::uint32_t i = request.start; i <= request.stop; ++i) {
        want(static_cast<std::uint16_t>(i));
      }
      break;
    case Qualifier::kIndexPrefix8Count8:
    case Qualifier::kIndexPrefix16Count16:
      for (const auto& p : request.points) want(p.index);
      break;
    default:
      break;
  }
  return all_present;
}

template <typename Map>
void serve(const Map& map, const ObjectBlock& request, std::vector<ObjectBlock>& out, Iin& iin) {
  const bool everything = request.qualifier == Qualifier::kAllObjects ||
                          request.qualifier == Qualifier::kCount8 ||
                          request.qualifier == Qualifier::kCount16;
  std::set<std::uint16_t> only;
  if (!everything && !collect_indices(map, request, only)) iin.iin2 |= iin2::kParameterError;
  append_group(map, request.group, everything ? nullptr : &only, request.variation, out);
}

}  // namespace

bool is_static_group(std::uint8_t group) noexcept {
  return group == 1 || group == 10 || group == 20 || group == 30 || group == 40;
}

void append_class0(const PointDatabase& db, std::vector<ObjectBlock>& out) {
  append_group(db.binary_inputs(), 1, nullptr, 0, out);
  append_group(db.binary_outputs(), 10, nullptr, 0, out);
  append_group(db.counters(), 20, nullptr, 0, out);
  append_group(db.analog_inputs(), 30, nullptr, 0, out);
  append_group(db.analog_outputs(), 40, nullptr, 0, out);
}

void append_static(const PointDatabase& db, const ObjectBlock& request,
                   std::vector<ObjectBlock>& out, Iin& iin) {
  // Binary points are served with flags only (g1v2, g10v2); packed variations are not offered.
  if (request.variation != 0) {
    const ObjectType* t = find_object_type(request.group, request.variation);
    const bool packed = t != nullptr && t->layout == Layout::kPackedBits;
    if (t == nullptr || packed) {
      iin.iin2 |= iin2::kObjectUnknown;
      return;
    }
  }
  switch (request.group) {
    case 1:
      serve(db.binary_inputs(), request, out, iin);
      break;
    case 10:
      serve(db.binary_outputs(), request, out, iin);
      break;
    case 20:
      serve(db.counters(), request, out, iin);
      break;
    case 30:
      serve(db.analog_inputs(), request, out, iin);
      break;
    case 40:
      serve(db.analog_outputs(), request, out, iin);
      break;
    default:
      iin.iin2 |= iin2::kObjectUnknown;
      break;
  }
}

void append_events(const std::vector<Event>& events, std::uint8_t variation,
                   std::vector<ObjectBlock>& out) {
  std::vector<Point> run;
  std::uint8_t group = 0;
  std::uint8_t run_variation = 0;
  auto flush = [&] {
    if (run.empty()) return;
    ObjectBlock b;
    b.group = group;
    b.variation = run_variation;
    b.qualifier = Qualifier::kIndexPrefix16Count16;
    b.count = static_cast<std::uint16_t>(run.size());
    b.points = std::move(run);
    out.push_back(std::move(b));
    run.clear();
  };
  for (const auto& e : events) {
    const std::uint8_t v = variation != 0 ? variation : e.variation;
    if (!run.empty() && (e.group != group || v != run_variation)) flush();
    group = e.group;
    run_variation = v;
    run.push_back(e.point);
  }
  flush();
}

}  // namespace ems::protocols::dnp3::detail
