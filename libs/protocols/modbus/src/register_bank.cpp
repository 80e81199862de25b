#include "ems/protocols/modbus/register_bank.hpp"

#include <string>

namespace ems::protocols::modbus {
namespace {

template <typename Map, typename Out>
bool read_range(const Map& map, std::uint16_t address, std::uint16_t count, Out& out) {
  out.reserve(count);
  for (std::uint32_t a = address; a < std::uint32_t{address} + count; ++a) {
    auto it = map.find(static_cast<std::uint16_t>(a));
    if (it == map.end()) return false;
    out.push_back(it->second);
  }
  return true;
}

}  // namespace

void RegisterBank::check_span(std::uint16_t address, std::size_t count) {
  if (std::size_t{address} + count > 65536) {
    throw ModbusError(ErrorKind::kInvalidArgument, std::to_string(count) + " values from " +
                                                       std::to_string(address) +
                                                       " run past address 65535");
  }
}

void RegisterBank::set_registers(std::uint8_t unit, Table table, std::uint16_t address,
                                 std::span<const std::uint16_t> values) {
  if (is_bit_table(table)) {
    throw ModbusError(ErrorKind::kInvalidArgument,
                      std::string(to_string(table)) + " holds bits, not registers");
  }
  check_span(address, values.size());
  std::lock_guard lock(mutex_);
  Unit& u = units_[unit];
  auto& map = table == Table::kHoldingRegisters ? u.holding : u.input;
  for (std::size_t i = 0; i < values.size(); ++i) {
    map[static_cast<std::uint16_t>(address + i)] = values[i];
  }
}

void RegisterBank::set_bits(std::uint8_t unit, Table table, std::uint16_t address,
                            std::span<const bool> values) {
  if (!is_bit_table(table)) {
    throw ModbusError(ErrorKind::kInvalidArgument,
                      std::string(to_string(table)) + " holds registers, not bits");
  }
  check_span(address, values.size());
  std::lock_guard lock(mutex_);
  Unit& u = units_[unit];
  auto& map = table == Table::kCoils ? u.coils : u.discrete;
  for (std::size_t i = 0; i < values.size(); ++i) {
    map[static_cast<std::uint16_t>(address + i)] = values[i];
  }
}

void RegisterBank::set_value(std::uint8_t unit, Table table, std::uint16_t address,
                             double engineering, const ValueFormat& format,
                             std::optional<std::uint16_t> sunspec_sf) {
  if (is_bit_table(table)) {
    const bool bit[] = {encode_bit(engineering)};
    set_bits(unit, table, address, bit);
    return;
  }
  set_registers(unit, table, address, encode_value(engineering, format, sunspec_sf));
}

bool RegisterBank::has_unit(std::uint8_t unit) const {
  std::lock_guard lock(mutex_);
  return units_.count(unit) != 0;
}

std::optional<std::vector<std::uint16_t>> RegisterBank::registers(std::uint8_t unit, Table table,
                                                                  std::uint16_t address,
                                                                  std::uint16_t count) const {
  std::lock_guard lock(mutex_);
  auto u = units_.find(unit);
  if (u == units_.end() || is_bit_table(table)) return std::nullopt;
  const auto& map = table == Table::kHoldingRegisters ? u->second.holding : u->second.input;
  std::vector<std::uint16_t> out;
  if (!read_range(map, address, count, out)) return std::nullopt;
  return out;
}

std::optional<std::vector<bool>> RegisterBank::bits(std::uint8_t unit, Table table,
                                                    std::uint16_t address,
                                                    std::uint16_t count) const {
  std::lock_guard lock(mutex_);
  auto u = units_.find(unit);
  if (u == units_.end() || !is_bit_table(table)) return std::nullopt;
  const auto& map = table == Table::kCoils ? u->second.coils : u->second.discrete;
  std::vector<bool> out;
  if (!read_range(map, address, count, out)) return std::nullopt;
  return out;
}

}  // namespace ems::protocols::modbus
