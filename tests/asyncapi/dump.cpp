// ems_asyncapi_dump: DTM file -> generated AsyncAPI document as JSON and YAML, for the
// official parser (validate.mjs) and for people reading what device-api would serve.
//
//   ems_asyncapi_dump <dtm.json> <out_dir> [--site <default_site_id>] [--version <semver>]
//
// Writes <out_dir>/<name>.asyncapi.json and <out_dir>/<name>.asyncapi.yaml, where <name> is
// the DTM file's stem. Exits 1 (printing every issue with its JSON path) when the DTM is
// invalid or cannot be expressed, 2 on bad usage.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "ems/contract/asyncapi.hpp"
#include "ems/contract/dtm.hpp"
#include "ems/contract/json_yaml.hpp"

namespace {

namespace fs = std::filesystem;
using ems::contract::Json;

int usage() {
  std::cerr << "usage: ems_asyncapi_dump <dtm.json> <out_dir> [--site <id>] [--version <semver>]\n";
  return 2;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const fs::path dtm_path = argv[1];
  const fs::path out_dir = argv[2];
  ems::contract::AsyncApiOptions options;
  options.default_site_id = "site";
  for (int i = 3; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage();
    if (flag == "--site")
      options.default_site_id = argv[i + 1];
    else if (flag == "--version")
      options.version = argv[i + 1];
    else
      return usage();
  }
  try {
    std::ifstream in(dtm_path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + dtm_path.string());
    std::stringstream text;
    text << in.rdbuf();
    const ems::contract::Dtm dtm = ems::contract::parse_dtm(Json::parse(text.str()));
    const Json doc = ems::contract::generate_asyncapi(dtm, options);
    fs::create_directories(out_dir);
    const std::string stem = dtm_path.stem().string();
    write_file(out_dir / (stem + ".asyncapi.json"), doc.dump(2) + "\n");
    write_file(out_dir / (stem + ".asyncapi.yaml"), ems::contract::to_yaml(doc));
    std::cout << dtm_path.string() << ": " << dtm.devices.size() << " devices -> "
              << (out_dir / (stem + ".asyncapi.{json,yaml}")).string() << "\n";
    return 0;
  } catch (const ems::contract::ContractError& e) {
    std::cerr << dtm_path.string() << ": invalid or not expressible:\n";
    for (const auto& issue : e.issues())
      std::cerr << "  " << (issue.path.empty() ? "/" : issue.path) << ": " << issue.message << "\n";
  } catch (const std::exception& e) {
    std::cerr << dtm_path.string() << ": " << e.what() << "\n";
  }
  return 1;
}
