// Fuzzes parse_dtm and to_json with arbitrary bytes: the only acceptable outcomes are a parsed
// DTM (which must round-trip) or a ContractError. JSON syntax errors are rejected up front.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ems/contract/dtm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems::contract;
  Json doc = Json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  try {
    Dtm dtm = parse_dtm(doc);
    // A DTM that parsed must survive its own normalized form unchanged.
    if (!(parse_dtm(to_json(dtm)) == dtm)) std::abort();
  } catch (const ContractError&) {
  }
  return 0;
}
