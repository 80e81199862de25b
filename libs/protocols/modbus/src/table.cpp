#include "ems/protocols/modbus/table.hpp"

namespace ems::protocols::modbus {

std::string_view to_string(Table table) noexcept {
  switch (table) {
    case Table::kCoils:
      return "coils";
    case Table::kDiscreteInputs:
      return "discrete_inputs";
    case Table::kHoldingRegisters:
      return "holding_registers";
    case Table::kInputRegisters:
      return "input_registers";
  }
  return "coils";
}

bool is_bit_table(Table table) noexcept {
  return table == Table::kCoils || table == Table::kDiscreteInputs;
}

FunctionCode read_function(Table table) noexcept {
  switch (table) {
    case Table::kCoils:
      return FunctionCode::kReadCoils;
    case Table::kDiscreteInputs:
      return FunctionCode::kReadDiscreteInputs;
    case Table::kHoldingRegisters:
      return FunctionCode::kReadHoldingRegisters;
    case Table::kInputRegisters:
      return FunctionCode::kReadInputRegisters;
  }
  return FunctionCode::kReadHoldingRegisters;
}

std::optional<Table> table_for_read_function(int function_code) noexcept {
  switch (function_code) {
    case 1:
      return Table::kCoils;
    case 2:
      return Table::kDiscreteInputs;
    case 3:
      return Table::kHoldingRegisters;
    case 4:
      return Table::kInputRegisters;
    default:
      return std::nullopt;
  }
}

}  // namespace ems::protocols::modbus
