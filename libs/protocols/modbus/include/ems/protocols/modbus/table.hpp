#pragma once
// The four Modbus data tables and the function codes that read and write them.

#include <cstdint>
#include <optional>
#include <string_view>

namespace ems::protocols::modbus {

enum class Table { kCoils, kDiscreteInputs, kHoldingRegisters, kInputRegisters };

// Function codes the suite speaks (client and server).
enum class FunctionCode : std::uint8_t {
  kReadCoils = 1,
  kReadDiscreteInputs = 2,
  kReadHoldingRegisters = 3,
  kReadInputRegisters = 4,
  kWriteSingleCoil = 5,
  kWriteSingleRegister = 6,
  kWriteMultipleCoils = 15,
  kWriteMultipleRegisters = 16,
};

std::string_view to_string(Table table) noexcept;
bool is_bit_table(Table table) noexcept;
// The read function for a table (FC1..FC4).
FunctionCode read_function(Table table) noexcept;
// The table a contract `function_code` (1..4) reads; nullopt for anything else.
std::optional<Table> table_for_read_function(int function_code) noexcept;

// Protocol limits per request (Modbus Application Protocol V1.1b3).
inline constexpr std::uint16_t kMaxReadRegisters = 125;
inline constexpr std::uint16_t kMaxWriteRegisters = 123;
inline constexpr std::uint16_t kMaxReadBits = 2000;
inline constexpr std::uint16_t kMaxWriteBits = 1968;

}  // namespace ems::protocols::modbus
