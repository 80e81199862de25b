#pragma once
// What ems-mcp ingests at start (idempotently: unchanged documents are skipped by hash):
// configured files and folders (EMS_MCP_DOCS), the bundled device templates rendered as
// documents, the template catalog into the graph, then the mentions of graph entities in every
// chunk. Document uris are paths relative to the source root ("docs/corpus/runbooks/x.md",
// "templates/leaf/bess_rack.yaml").
#include <filesystem>
#include <string>
#include <vector>

#include "ems/knowledge/graph.hpp"
#include "ems/knowledge/store.hpp"

namespace ems::mcp {

struct CorpusSources {
  std::filesystem::path root;                // uris are relative to this
  std::vector<std::filesystem::path> paths;  // files and folders (absolute or root-relative)
  std::filesystem::path template_dir;        // empty: no templates
  // EMS_MCP_DOCS (comma list; default docs/corpus, README.md, libs, services, deploy) and
  // EMS_TEMPLATE_DIR (default the bundled templates/), relative to the source root.
  static CorpusSources from_env();
};

struct CorpusReport {
  std::size_t documents = 0, changed = 0, unchanged = 0, removed = 0, templates = 0, mentions = 0;
  std::vector<std::string> errors;
};

// Never throws for one bad document (listed in errors); throws for a database failure.
CorpusReport ingest_corpus(knowledge::KnowledgeStore& store, knowledge::GraphStore& graph,
                           const CorpusSources& sources);

// Recomputes the graph's mentions from every chunk of the store.
std::size_t relink_mentions(const knowledge::KnowledgeStore& store, knowledge::GraphStore& graph);

}  // namespace ems::mcp
