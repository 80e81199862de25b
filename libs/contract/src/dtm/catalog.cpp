// The bundled template catalog: YAML files validated with the same template parser as the DTM.
#include "ems/contract/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "dtm/internal.hpp"

namespace ems::contract {
namespace {

// Plain YAML scalars are typed like YAML 1.2's core schema (int, float, bool, null), which is
// what the configurator's loader sees; quoted scalars always stay strings.
Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
  const char* end = s.data() + s.size();
  std::int64_t i = 0;
  if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
  // Only digits, sign, dot and exponent make a float: strtod alone would also take "inf", "0x1p3".
  bool numeric = std::all_of(begin, end, [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
  });
  bool has_digit = std::any_of(begin, end, [](char c) { return c >= '0' && c <= '9'; });
  if (numeric && has_digit) {
    std::string text(begin, end);
    char* stop = nullptr;
    double d = std::strtod(text.c_str(), &stop);
    if (stop == text.c_str() + text.size() && std::isfinite(d)) return d;
  }
  return s;
}

Json convert(const YAML::Node& node, const std::string& source, const std::string& path) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and leaves plain ones "?".
      return node.Tag() == "!" ? Json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (std::size_t i = 0; i < node.size(); ++i)
        out.push_back(convert(node[i], source, json_pointer_append(path, std::to_string(i))));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw ContractError(source + "#" + path, "map keys must be scalars");
        const std::string& key = kv.first.Scalar();
        if (out.contains(key))
          throw ContractError(source + "#" + json_pointer_append(path, key),
                              "duplicate key '" + key + "'");
        out[key] = convert(kv.second, source, json_pointer_append(path, key));
      }
      return out;
    }
  }
  return nullptr;
}

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Json yaml_to_json(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ContractError(source_name,
                        "invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return convert(root, source_name, "");
}

TemplateCatalog::TemplateCatalog(std::map<std::string, Template> templates)
    : templates_(std::move(templates)) {}

const Template* TemplateCatalog::find(const std::string& slug) const {
  auto it = templates_.find(slug);
  return it == templates_.end() ? nullptr : &it->second;
}

TemplateCatalog TemplateCatalog::load(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    throw ContractError(root.string(), "template catalog directory not found");
  detail::Issues issues;
  std::map<std::string, Template> templates;
  std::map<std::string, std::string> origin;  // slug -> file, for duplicate reports
  for (const char* kind : {"leaf", "module"}) {
    for (const auto& file : yaml_files(root / kind)) {
      const std::string name = file.string();
      std::ifstream in(file, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) {
        issues.add(name, "cannot read file");
        continue;
      }
      Json doc;
      try {
        doc = yaml_to_json(text.str(), name);
      } catch (const ContractError& e) {
        for (const auto& i : e.issues()) issues.add(i.path, i.message);
        continue;
      }
      detail::Issues local;
      Template t = detail::read_template(doc, "", local);
      for (auto& i : local.list()) issues.add(name + "#" + i.path, std::move(i.message));
      if (!local.empty()) continue;
      const bool module_dir = std::string_view(kind) == "module";
      if ((t.kind == TemplateKind::module) != module_dir)
        issues.add(name + "#/kind", std::string("a ") + (module_dir ? "leaf" : "module") +
                                        " template does not belong in " + kind + "/");
      if (t.slug != file.stem().string())
        issues.add(name + "#/template", "template slug '" + t.slug +
                                            "' differs from the file name '" +
                                            file.stem().string() + "'");
      if (auto [it, fresh] = origin.emplace(t.slug, name); !fresh) {
        issues.add(name + "#/template",
                   "duplicate template slug '" + t.slug + "' (also in " + it->second + ")");
        continue;
      }
      templates.emplace(t.slug, std::move(t));
    }
  }
  for (const auto& [slug, t] : templates) {
    for (std::size_t i = 0; i < t.contains.size(); ++i)
      if (!templates.count(t.contains[i].template_slug))
        issues.add(
            origin[slug] + "#/contains/" + std::to_string(i) + "/template",
            "contained template '" + t.contains[i].template_slug + "' is not in the catalog");
  }
  auto resolve = [&](const std::string& slug) -> const Template* {
    auto it = templates.find(slug);
    return it == templates.end() ? nullptr : &it->second;
  };
  for (const auto& [slug, t] : templates) {
    detail::Issues local;
    detail::check_child_names(t, "", resolve, local);
    for (auto& i : local.list()) issues.add(origin[slug] + "#" + i.path, std::move(i.message));
  }
  issues.throw_if_any();
  return TemplateCatalog(std::move(templates));
}

}  // namespace ems::contract
