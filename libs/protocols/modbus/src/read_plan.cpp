#include "ems/protocols/modbus/read_plan.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

#include "ems/protocols/modbus/error.hpp"

namespace ems::protocols::modbus {

std::vector<ReadRequest> plan_reads(std::span<const PointSpan> points, ReadPlanOptions options) {
  for (const auto& p : points) {
    const std::uint16_t cap = is_bit_table(p.table) ? options.max_bits : options.max_registers;
    if (p.count == 0 || p.count > cap || p.address + p.count > 65536) {
      throw ModbusError(ErrorKind::kInvalidArgument, "point at " + std::string(to_string(p.table)) +
                                                         " " + std::to_string(p.address) +
                                                         " with count " + std::to_string(p.count) +
                                                         " cannot be read in one request");
    }
  }
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tuple(points[a].unit, points[a].table, points[a].address) <
           std::tuple(points[b].unit, points[b].table, points[b].address);
  });

  std::vector<ReadRequest> plan;
  std::uint32_t end = 0;  // one past the last address covered by plan.back()
  for (std::size_t index : order) {
    const PointSpan& p = points[index];
    const std::uint32_t p_end = std::uint32_t{p.address} + p.count;
    const std::uint16_t cap = is_bit_table(p.table) ? options.max_bits : options.max_registers;
    bool joins = false;
    if (!plan.empty()) {
      const ReadRequest& r = plan.back();
      const std::uint32_t new_end = std::max(end, p_end);
      joins = r.unit == p.unit && r.table == p.table && p.address <= end + options.max_gap &&
              new_end - r.start <= cap;
    }
    if (joins) {
      ReadRequest& r = plan.back();
      end = std::max(end, p_end);
      r.count = static_cast<std::uint16_t>(end - r.start);
      r.points.push_back(index);
    } else {
      plan.push_back(ReadRequest{p.unit, p.table, p.address, p.count, {index}});
      end = p_end;
    }
  }
  return plan;
}

}  // namespace ems::protocols::modbus
