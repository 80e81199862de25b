#pragma once
// KnowledgeStore: documents, chunks and embeddings in PostgreSQL schema `knowledge`, searched
// by PostgreSQL full-text search (tsvector, GIN, ts_rank_cd), by vectors (an in-process hnswlib
// HNSW index over the embeddings table, rebuilt from it by open()) and by both fused with
// reciprocal rank fusion.
//
//   KnowledgeStore store({.database_url = url}, std::make_shared<HashedNgramEmbedder>());
//   store.open();                                  // migrate, embed what lacks a vector, index
//   store.ingest_folder("docs/corpus", "docs/corpus");
//   auto hits = store.search("what to do when the line overloads", 5);
//
// Ingest: a document is identified by its uri; its content hash (SHA-256 of the parsed title,
// sections and chunk options) makes re-ingesting an unchanged document a no-op (no write, no
// re-embedding). A changed document replaces its chunks and vectors in one transaction.
// Vectors are stored per (chunk, embedding model): switching the embedder re-embeds at open().
//
// Errors: open() throws the pqxx error when the database is unusable; ingest_file() throws
// DocumentError for an unreadable or unsupported file and EmbeddingError when the embedder
// fails (nothing is written then). ingest_folder() never throws for one bad file: it is reported
// in FolderReport::errors and the others are ingested. search*() throw std::invalid_argument
// for k outside 1..100 or an empty query.
//
// Threading: every public method is thread-safe. Database access is serialised on one
// connection; searches of the vector index run concurrently with each other (shared lock) and
// exclude ingests only while the index itself changes.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "ems/knowledge/chunker.hpp"
#include "ems/knowledge/document.hpp"
#include "ems/knowledge/embedder.hpp"

namespace ems::knowledge {

struct StoreOptions {
  std::string database_url;
  ChunkOptions chunking;
  std::size_t hnsw_m = 16;
  std::size_t hnsw_ef_construction = 100;
  std::size_t hnsw_ef_search = 64;
  // Full-text candidate budget (summed document frequency of the lexemes matched; see
  // fulltext_ids in store.cpp): bounds the chunks scored per query (at most twice this) on a
  // large store.
  std::size_t fulltext_candidates = 500;
  // How many candidates each list contributes to the fused ranking.
  std::size_t fusion_depth = 30;
};

struct IngestResult {
  std::int64_t document_id = 0;
  bool changed = false;  // false: same content hash, nothing written
  std::size_t chunks = 0;
};

struct FolderReport {
  std::size_t files = 0, changed = 0, unchanged = 0, removed = 0;
  std::vector<std::string> errors;  // "path: reason"
};

struct SearchHit {
  std::int64_t chunk_id = 0;
  std::string document;  // the document's uri
  std::string title;
  std::string section;
  std::string text;
  double score = 0;  // fts: ts_rank_cd; vector: cosine similarity; fused: RRF score
};

struct DocumentInfo {
  std::string uri;
  std::string title;
  std::string kind;
  std::string content_hash;
  std::size_t chunks = 0;
};

struct DocumentText {
  DocumentInfo info;
  std::string text;  // the parsed document as Markdown (headings, then section text)
};

enum class SearchMode { fulltext, vector, fused };

class KnowledgeStore {
 public:
  KnowledgeStore(StoreOptions options, std::shared_ptr<const Embedder> embedder);
  ~KnowledgeStore();
  KnowledgeStore(const KnowledgeStore&) = delete;
  KnowledgeStore& operator=(const KnowledgeStore&) = delete;

  // Connects (with retry), applies the `knowledge` migrations, embeds chunks lacking a vector of
  // the current model, and builds the HNSW index from the embeddings table.
  void open();

  IngestResult ingest(const std::string& uri, const ParsedDocument& doc);
  IngestResult ingest_file(const std::filesystem::path& path, const std::string& uri);
  // Every .md/.markdown/.txt/.text/.html/.htm/.pdf file under `root` (recursively, in path
  // order) as `uri_prefix + "/" + relative path`; documents under that prefix whose file is
  // gone are removed.
  FolderReport ingest_folder(const std::filesystem::path& root, const std::string& uri_prefix);
  bool remove(const std::string& uri);

  std::vector<SearchHit> search(const std::string& query, std::size_t k,
                                SearchMode mode = SearchMode::fused) const;

  std::vector<DocumentInfo> documents() const;
  std::optional<DocumentText> document(const std::string& uri) const;
  std::size_t chunk_count() const;
  std::size_t indexed_vectors() const;
  const Embedder& embedder() const { return *embedder_; }

  // (chunk id, title, section, text) of every chunk, for the entity linker.
  struct ChunkText {
    std::int64_t id;
    std::string title, section, text;
  };
  std::vector<ChunkText> chunk_texts() const;

 private:
  struct Index;
  std::vector<std::int64_t> fulltext_ids(const std::string& query, std::size_t k) const;
  std::vector<std::pair<std::int64_t, double>> vector_ids(const std::string& query,
                                                          std::size_t k) const;
  std::vector<SearchHit> load_hits(
      const std::vector<std::pair<std::int64_t, double>>& ranked) const;

  StoreOptions options_;
  std::shared_ptr<const Embedder> embedder_;
  mutable std::mutex db_mutex_;
  std::unique_ptr<pqxx::connection> conn_;
  mutable std::shared_mutex index_mutex_;
  std::unique_ptr<Index> index_;
  std::atomic<std::size_t> chunk_total_{0};  // for the IDF weights of the full-text ranking
};

}  // namespace ems::knowledge
