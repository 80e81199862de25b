// The real DTMs of the reference configurator (tests/data/interop) must parse; the legacy one
// must be rejected with a clear message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ems/contract/catalog.hpp"
#include "ems/contract/dtm.hpp"

namespace {
using namespace ems::contract;
namespace fs = std::filesystem;

Json load(const fs::path& p) {
  std::ifstream in(p);
  return Json::parse(in);
}

fs::path interop_dir() {
  return fs::path(EMS_INTEROP_DIR);
}

TEST(DtmInterop, EveryRealDtmParsesAndRoundTrips) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(interop_dir() / "dtm")) {
    SCOPED_TRACE(entry.path().string());
    Json doc = load(entry.path());
    Dtm dtm;
    try {
      dtm = parse_dtm(doc);
    } catch (const ContractError& e) {
      FAIL() << e.what();
    }
    EXPECT_EQ(dtm.devices.size(), doc["devices"].size());
    EXPECT_EQ(parse_dtm(to_json(dtm)), dtm);
    ++count;
  }
  EXPECT_GE(count, 2);
}

// Every template slug a real DTM uses exists in the configurator's own catalog and in ours.
TEST(DtmInterop, RealDtmsResolveAgainstTheCatalogs) {
  std::vector<fs::path> roots{interop_dir() / "templates", fs::path(EMS_SOURCE_ROOT) / "templates"};
  for (const auto& root : roots) {
    SCOPED_TRACE(root.string());
    ASSERT_TRUE(fs::is_directory(root));
    TemplateCatalog catalog;
    try {
      catalog = TemplateCatalog::load(root);
    } catch (const ContractError& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    for (const auto& entry : fs::directory_iterator(interop_dir() / "dtm")) {
      SCOPED_TRACE(entry.path().string());
      try {
        parse_dtm(load(entry.path()), &catalog);
      } catch (const ContractError& e) {
        ADD_FAILURE() << e.what();
      }
    }
  }
}

TEST(DtmInterop, LegacyFormulaDtmIsRejectedAtTheFormulaField) {
  fs::path p = interop_dir() / "dtm-legacy" / "gateway_seed_dtm.json";
  try {
    parse_dtm(load(p));
    FAIL() << "legacy DTM accepted";
  } catch (const ContractError& e) {
    bool found = false;
    for (const auto& i : e.issues())
      if (i.path.ends_with("/binding/formula") && i.message.find("legacy") != std::string::npos)
        found = true;
    EXPECT_TRUE(found) << e.what();
  }
}

}  // namespace
