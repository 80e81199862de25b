#pragma once
// The bundled template catalog: templates/{leaf,module}/*.yaml, loaded and validated at start.
// A DTM may only use templates the catalog knows (CONTRACT.md section 5).

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::contract {

class TemplateCatalog {
 public:
  TemplateCatalog() = default;
  explicit TemplateCatalog(std::map<std::string, Template> templates);

  // Loads <root>/leaf/*.yaml then <root>/module/*.yaml. Throws ContractError naming the file
  // (path "<file>#/json/pointer") for invalid YAML, an invalid template, a duplicate slug or a
  // module that contains a template the catalog lacks.
  static TemplateCatalog load(const std::filesystem::path& root);

  const Template* find(const std::string& slug) const;
  bool contains(const std::string& slug) const { return find(slug) != nullptr; }
  const std::map<std::string, Template>& templates() const { return templates_; }
  std::size_t size() const { return templates_.size(); }

 private:
  std::map<std::string, Template> templates_;
};

// YAML text -> JSON (numbers stay numbers, map keys become strings). Throws ContractError.
Json yaml_to_json(const std::string& yaml_text, const std::string& source_name);

}  // namespace ems::contract
