#pragma once
// Test data shared by the device-api tests: the bundled catalog and the demo site DTM.

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ems/contract/catalog.hpp"

namespace ems::device_api::testdata {

inline const contract::TemplateCatalog& catalog() {
  static const contract::TemplateCatalog kCatalog =
      contract::TemplateCatalog::load(EMS_SOURCE_ROOT "/templates");
  return kCatalog;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline const std::string kDemoPath = EMS_SOURCE_ROOT "/deploy/demo/dtm.json";

inline nlohmann::json demo_dtm() {
  return nlohmann::json::parse(read_file(kDemoPath));
}

}  // namespace ems::device_api::testdata
