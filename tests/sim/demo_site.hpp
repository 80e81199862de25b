#pragma once
// The demo DTM (deploy/demo/dtm.json) as a model, for tests.
#include <fstream>

#include "ems/contract/dtm.hpp"
#include "ems/sim/site_from_dtm.hpp"

namespace ems::sim::testing {

inline contract::Dtm demo_dtm() {
  std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
  return contract::parse_dtm(contract::Json::parse(in));
}

inline SiteModel demo_model(std::uint64_t seed, double start_unix_s = 1781949600.0 + 8 * 3600.0) {
  SiteParams p;
  p.seed = seed;
  p.start_unix_s = start_unix_s;  // 18:00Z = late morning in California
  auto build = site_from_dtm(demo_dtm(), p);
  return SiteModel(build.params, build.components);
}

}  // namespace ems::sim::testing
