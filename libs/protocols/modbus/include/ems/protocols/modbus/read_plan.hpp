#pragma once
// Groups point bindings into as few read requests as the protocol allows: one request per run
// of points in the same unit and table whose addresses are contiguous (or separated by at most
// `max_gap` unbound addresses, read and discarded), capped at 125 registers / 2000 bits.
// Pure: the gateway plans once per topology and replays the plan every poll cycle.

#include <cstdint>
#include <span>
#include <vector>

#include "ems/protocols/modbus/table.hpp"

namespace ems::protocols::modbus {

// One bound value: `count` consecutive registers (or bits) from `address`.
struct PointSpan {
  std::uint8_t unit = 1;
  Table table = Table::kHoldingRegisters;
  std::uint16_t address = 0;
  std::uint16_t count = 1;
};

struct ReadRequest {
  std::uint8_t unit = 1;
  Table table = Table::kHoldingRegisters;
  std::uint16_t start = 0;
  std::uint16_t count = 0;
  std::vector<std::size_t> points;  // indices into the planned span list
};

struct ReadPlanOptions {
  std::uint16_t max_registers = kMaxReadRegisters;
  std::uint16_t max_bits = kMaxReadBits;
  std::uint16_t max_gap = 0;  // unbound addresses a request may bridge
};

// Throws ModbusError(kInvalidArgument) for a point with count 0, a count above the request cap
// or one running past address 65535. Overlapping points share a request.
std::vector<ReadRequest> plan_reads(std::span<const PointSpan> points,
                                    ReadPlanOptions options = {});

// The slice of a request's result that belongs to `point` (which must be in the request).
template <typename T>
std::span<const T> slice_for(const ReadRequest& request, const PointSpan& point,
                             std::span<const T> values) {
  return values.subspan(point.address - request.start, point.count);
}

}  // namespace ems::protocols::modbus
