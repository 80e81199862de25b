#pragma once
// The server-side data: per unit id, four sparse tables (coils, discrete inputs, holding and
// input registers). Only addresses that were set exist; a request touching any other address is
// answered with ILLEGAL_DATA_ADDRESS, like a real device with gaps in its map.
//
// Thread-safe: the site model sets values from its own thread while connections read.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "ems/protocols/modbus/error.hpp"
#include "ems/protocols/modbus/table.hpp"
#include "ems/protocols/modbus/value_codec.hpp"

namespace ems::protocols::modbus {

class RegisterBank {
 public:
  // Defines (or overwrites) consecutive registers/bits from `address`. Throws kInvalidArgument
  // if the span runs past address 65535.
  void set_registers(std::uint8_t unit, Table table, std::uint16_t address,
                     std::span<const std::uint16_t> values);
  void set_bits(std::uint8_t unit, Table table, std::uint16_t address,
                std::span<const bool> values);

  // Typed setter through the value codec (engineering -> registers).
  void set_value(std::uint8_t unit, Table table, std::uint16_t address, double engineering,
                 const ValueFormat& format, std::optional<std::uint16_t> sunspec_sf = std::nullopt);

  bool has_unit(std::uint8_t unit) const;

  // Reads; nullopt when any address in the range is undefined (or the unit is unknown).
  std::optional<std::vector<std::uint16_t>> registers(std::uint8_t unit, Table table,
                                                      std::uint16_t address,
                                                      std::uint16_t count) const;
  std::optional<std::vector<bool>> bits(std::uint8_t unit, Table table, std::uint16_t address,
                                        std::uint16_t count) const;

 private:
  struct Unit {
    std::map<std::uint16_t, std::uint16_t> holding;
    std::map<std::uint16_t, std::uint16_t> input;
    std::map<std::uint16_t, bool> coils;
    std::map<std::uint16_t, bool> discrete;
  };
  static void check_span(std::uint16_t address, std::size_t count);

  mutable std::mutex mutex_;
  std::map<std::uint8_t, Unit> units_;
};

}  // namespace ems::protocols::modbus
