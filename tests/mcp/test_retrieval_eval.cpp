// The golden retrieval evaluation (golden/retrieval.json, >= 30 hand-written queries over the
// starter corpus, the rendered templates and the READMEs): Recall@5 and MRR@10 for full-text
// alone, vectors alone and the fused ranking, printed, with the targets asserted (fused
// Recall@5 >= 0.9 and the fused ranking at least as good as either list alone).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

#include "corpus.hpp"
#include "ems/knowledge/graph.hpp"
#include "ems/knowledge/store.hpp"
#include "ems/testing/servers.hpp"

using namespace ems::knowledge;

namespace {

StoreOptions store_options(const std::string& url) {
  StoreOptions o;
  o.database_url = url;
  return o;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Figures {
  double recall5 = 0, mrr10 = 0;
};

}  // namespace

TEST(RetrievalEval, GoldenSetRecallAndMrrPerMode) {
  std::ifstream in(EMS_MCP_TEST_DIR "/golden/retrieval.json");
  const auto golden = nlohmann::json::parse(in);
  ASSERT_GE(golden["queries"].size(), 30u);

  const std::string url = ems::testing::PostgresServer::shared().create_database();
  KnowledgeStore store(store_options(url), std::make_shared<HashedNgramEmbedder>());
  store.open();
  GraphStore graph(url);
  graph.open();
  ems::mcp::CorpusSources sources;
  sources.root = EMS_SOURCE_ROOT;
  for (const char* p : {"docs/corpus", "README.md", "libs", "services", "deploy"})
    sources.paths.push_back(sources.root / p);
  sources.template_dir = sources.root / "templates";
  const auto report = ems::mcp::ingest_corpus(store, graph, sources);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  std::printf("corpus: %zu documents + %zu templates, %zu chunks\n", report.documents,
              report.templates, store.chunk_count());

  const std::pair<SearchMode, const char*> modes[] = {{SearchMode::fulltext, "fulltext"},
                                                      {SearchMode::vector, "vector"},
                                                      {SearchMode::fused, "fused"}};
  std::map<std::string, Figures> figures;
  for (const auto& [mode, name] : modes) {
    Figures f;
    for (const auto& q : golden["queries"]) {
      const auto hits = store.search(q["query"].get<std::string>(), 10, mode);
      const std::string document = q["document"];
      const std::string section = lower(q.value("section", ""));
      std::size_t rank = 0;
      for (std::size_t i = 0; i < hits.size(); ++i)
        if (hits[i].document == document &&
            lower(hits[i].section).find(section) != std::string::npos) {
          rank = i + 1;
          break;
        }
      if (rank >= 1 && rank <= 5) f.recall5 += 1;
      if (rank >= 1) f.mrr10 += 1.0 / static_cast<double>(rank);
      if (mode == SearchMode::fused && (rank == 0 || rank > 5))
        std::printf("  fused miss (rank %zu): %s\n", rank, q["query"].get<std::string>().c_str());
    }
    const double n = static_cast<double>(golden["queries"].size());
    f.recall5 /= n;
    f.mrr10 /= n;
    figures[name] = f;
    std::printf("retrieval %-8s Recall@5 %.3f  MRR@10 %.3f  (%zu queries)\n", name, f.recall5,
                f.mrr10, golden["queries"].size());
  }
  EXPECT_GE(figures["fused"].recall5, 0.9);
  EXPECT_GE(figures["fused"].recall5, figures["fulltext"].recall5);
  EXPECT_GE(figures["fused"].recall5, figures["vector"].recall5);
  EXPECT_GE(figures["fused"].mrr10, std::min(figures["fulltext"].mrr10, figures["vector"].mrr10));
}
