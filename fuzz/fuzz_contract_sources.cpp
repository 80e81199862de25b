// Fuzzes read_sources, the typed read side of x-protocol-source / x-command-source that every
// reader runs on the document device-api serves: the only acceptable outcomes are typed
// sources or a ContractError. JSON syntax errors are rejected up front.
#include <cstddef>
#include <cstdint>

#include "ems/contract/sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems::contract;
  Json doc = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  try {
    for (const auto& [id, device] : read_sources(doc)) {
      // Every point a reader would poll has a connection for its protocol.
      for (const auto& p : device.points)
        if (!device.connections.count(p.binding.protocol)) __builtin_trap();
    }
  } catch (const ContractError&) {
  }
  return 0;
}
