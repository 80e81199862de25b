#include "corpus.hpp"

#include <algorithm>

#include "ems/contract/catalog.hpp"
#include "ems/runtime/config.hpp"
#include "template_documents.hpp"

namespace ems::mcp {

namespace fs = std::filesystem;

CorpusSources CorpusSources::from_env() {
  CorpusSources s;
  s.root = EMS_SOURCE_ROOT_DIR;
  for (const auto& p : runtime::env_list(
           "EMS_MCP_DOCS", {"docs/corpus", "README.md", "libs", "services", "deploy"}))
    s.paths.push_back(fs::path(p).is_absolute() ? fs::path(p) : s.root / p);
  s.template_dir = runtime::env_string("EMS_TEMPLATE_DIR", EMS_TEMPLATE_DIR);
  return s;
}

std::size_t relink_mentions(const knowledge::KnowledgeStore& store, knowledge::GraphStore& graph) {
  std::vector<knowledge::GraphStore::ChunkRef> refs;
  for (auto& c : store.chunk_texts())
    refs.push_back({c.id, c.title + "\n" + c.section + "\n" + c.text});
  return graph.link_mentions(refs);
}

CorpusReport ingest_corpus(knowledge::KnowledgeStore& store, knowledge::GraphStore& graph,
                           const CorpusSources& sources) {
  CorpusReport report;
  auto uri_of = [&](const fs::path& p) {
    std::error_code ec;
    const fs::path rel = fs::relative(p, sources.root, ec);
    return (ec || rel.empty() || *rel.begin() == "..") ? p.generic_string() : rel.generic_string();
  };
  for (const auto& path : sources.paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      const auto r = store.ingest_folder(path, uri_of(path));
      report.documents += r.files;
      report.changed += r.changed;
      report.unchanged += r.unchanged;
      report.removed += r.removed;
      report.errors.insert(report.errors.end(), r.errors.begin(), r.errors.end());
    } else if (fs::is_regular_file(path, ec)) {
      ++report.documents;
      try {
        (store.ingest_file(path, uri_of(path)).changed ? report.changed : report.unchanged)++;
      } catch (const std::exception& e) {
        report.errors.push_back(path.string() + ": " + e.what());
      }
    } else {
      report.errors.push_back(path.string() + ": no such file or folder");
    }
  }
  if (!sources.template_dir.empty()) {
    nlohmann::json catalog = nlohmann::json::object();
    for (const char* kind : {"leaf", "module"}) {
      std::error_code ec;
      std::vector<fs::path> files;
      for (auto it = fs::directory_iterator(sources.template_dir / kind, ec);
           !ec && it != fs::directory_iterator(); it.increment(ec))
        if (it->path().extension() == ".yaml") files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        try {
          const auto tpl = contract::yaml_to_json(knowledge::read_file_bytes(file), file.string());
          const std::string slug = tpl.value("template", file.stem().string());
          catalog[slug] = tpl;
          const auto r =
              store.ingest("templates/" + std::string(kind) + "/" + file.filename().string(),
                           render_template_document(slug, tpl));
          ++report.templates;
          (r.changed ? report.changed : report.unchanged)++;
        } catch (const std::exception& e) {
          report.errors.push_back(file.string() + ": " + e.what());
        }
      }
    }
    graph.sync_catalog(catalog);
  }
  report.mentions = relink_mentions(store, graph);
  return report;
}

}  // namespace ems::mcp
