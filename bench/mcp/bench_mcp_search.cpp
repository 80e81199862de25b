// Knowledge store load run: ingests generated documents (10 sections of ~700 characters each,
// words drawn from a fixed 30,000-word vocabulary with a Zipf-like skew: a head of very common
// words and a long tail, as in prose) until 10,000 and then 100,000 chunks, and at each size times
// 300 queries per search mode (p50/p95/max), the HNSW rebuild of open(), and the ingest rate.
// Private real PostgreSQL; the built-in hashed embedding (512 dimensions).
// Bounded: sizes from the arguments (default 10000 100000), 300 queries per mode and size.
//
//   build/bench/mcp/bench_mcp_search [chunks...]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ems/knowledge/store.hpp"
#include "ems/testing/servers.hpp"

using namespace ems::knowledge;
using Clock = std::chrono::steady_clock;

namespace {

StoreOptions store_options(const std::string& url) {
  StoreOptions o;
  o.database_url = url;
  return o;
}

std::vector<std::string> vocabulary() {
  static const char* kSyllables[] = {"ba",   "ter", "ry",  "li",   "ne",   "tap",  "pha", "se",
                                     "grid", "po",  "wer", "char", "ge",   "volt", "amp", "rack",
                                     "bus",  "me",  "ter", "flow", "heat", "wind", "sun", "load",
                                     "cap",  "ac",  "dc",  "on",   "off",  "trip"};
  std::mt19937 rng(7);
  std::vector<std::string> words;
  for (int i = 0; i < 30000; ++i) {
    std::string w;
    const int n = 2 + static_cast<int>(rng() % 3);
    for (int j = 0; j < n; ++j) w += kSyllables[rng() % std::size(kSyllables)];
    words.push_back(w);
  }
  return words;
}

std::string sentence(std::mt19937& rng, const std::vector<std::string>& words, int n) {
  // Zipf-like: the square of a uniform number favours the first words.
  std::uniform_real_distribution<double> u(0, 1);
  std::string s;
  for (int i = 0; i < n; ++i) {
    const double x = u(rng);
    s += (i ? " " : "") +
         words[static_cast<std::size_t>(x * x * static_cast<double>(words.size() - 1))];
  }
  return s + ".";
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines show as they come
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(static_cast<std::size_t>(std::atol(argv[i])));
  if (sizes.empty()) sizes = {10000, 100000};
  ems::testing::PostgresServer pg;
  const std::string url = pg.create_database();
  auto embedder = std::make_shared<HashedNgramEmbedder>();
  auto store = std::make_unique<KnowledgeStore>(store_options(url), embedder);
  store->open();
  const auto words = vocabulary();
  std::mt19937 rng(42);
  std::size_t docs = 0;
  for (std::size_t target : sizes) {
    const auto t0 = Clock::now();
    std::size_t added = 0;
    while (store->chunk_count() < target) {
      ParsedDocument d;
      d.title = "Generated document " + std::to_string(docs);
      d.kind = DocumentKind::markdown;
      for (int s = 0; s < 10; ++s) {
        std::string text;
        while (text.size() < 650) text += sentence(rng, words, 12) + " ";
        d.sections.push_back({{d.title, "Section " + std::to_string(s)}, text});
      }
      added += store->ingest("gen/" + std::to_string(docs++) + ".md", d).chunks;
      if (docs % 1000 == 0)
        std::printf("  %zu documents, %zu chunks, %.0f s\n", docs, added,
                    std::chrono::duration<double>(Clock::now() - t0).count());
    }
    const double ingest_s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("ingest: %zu chunks in %.1f s = %.0f chunks/s (%.1f documents/s)\n", added,
                ingest_s, static_cast<double>(added) / ingest_s,
                static_cast<double>(added) / 10.0 / ingest_s);
    const auto r0 = Clock::now();
    store = std::make_unique<KnowledgeStore>(store_options(url), embedder);
    store->open();
    std::printf("open (load %zu vectors, build HNSW): %.1f s\n", store->indexed_vectors(),
                std::chrono::duration<double>(Clock::now() - r0).count());
    for (auto [mode, name] :
         {std::pair{SearchMode::fulltext, "fulltext"}, std::pair{SearchMode::vector, "vector"},
          std::pair{SearchMode::fused, "fused"}}) {
      std::vector<double> ms;
      std::size_t hits_total = 0;
      std::mt19937 qrng(1);
      for (int q = 0; q < 300; ++q) {
        const std::string query = sentence(qrng, words, 6);
        const auto s0 = Clock::now();
        const auto hits = store->search(query, 5, mode);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s0).count());
        hits_total += hits.size();
        if (hits.empty() && mode != SearchMode::fulltext)
          std::printf("warning: no hits for %s\n", query.c_str());
      }
      std::printf(
          "search %-8s at %zu chunks: p50 %.2f ms  p95 %.2f ms  max %.2f ms (300 queries, k=5, "
          "%.1f hits per query)\n",
          name, store->chunk_count(), percentile(ms, 0.5), percentile(ms, 0.95),
          percentile(ms, 1.0), static_cast<double>(hits_total) / 300.0);
    }
  }
  return 0;
}
