#include "ems/knowledge/store.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>

#include <hnswlib/hnswlib.h>
#include <pqxx/pqxx>

#include "ems/knowledge/fusion.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/pg.hpp"

namespace ems::knowledge {

namespace {

const std::vector<runtime::pg::Migration>& migrations() {
  static const std::vector<runtime::pg::Migration> kMigrations = {
      {1, R"SQL(
CREATE TABLE knowledge.documents (
  id bigserial PRIMARY KEY,
  uri text NOT NULL UNIQUE,
  title text NOT NULL,
  kind text NOT NULL,
  content_hash text NOT NULL,
  body text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE knowledge.chunks (
  id bigserial PRIMARY KEY,
  document_id bigint NOT NULL REFERENCES knowledge.documents(id) ON DELETE CASCADE,
  ordinal int NOT NULL,
  title text NOT NULL,
  section text NOT NULL,
  text text NOT NULL,
  tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, section), 'B') ||
    setweight(to_tsvector('english'::regconfig, text), 'C')) STORED,
  UNIQUE (document_id, ordinal)
);
CREATE INDEX chunks_tsv_gin ON knowledge.chunks USING gin (tsv);
CREATE TABLE knowledge.embeddings (
  chunk_id bigint NOT NULL REFERENCES knowledge.chunks(id) ON DELETE CASCADE,
  model text NOT NULL,
  dim int NOT NULL,
  vector bytea NOT NULL,
  PRIMARY KEY (chunk_id, model)
);
)SQL"},
      // Document frequency per lexeme, kept in step with the chunks by ingest and remove: the
      // inverse document frequency weights of the full-text ranking (PostgreSQL has none).
      {2, R"SQL(
CREATE TABLE knowledge.lexemes (
  lexeme text PRIMARY KEY,
  df int NOT NULL
);
INSERT INTO knowledge.lexemes(lexeme, df)
  SELECT u.lexeme, count(*) FROM knowledge.chunks c, unnest(c.tsv) u GROUP BY u.lexeme;
)SQL"}};
  return kMigrations;
}

std::string to_hex_bytea(const Vector& v) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + v.size() * 8);
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  for (std::size_t i = 0; i < v.size() * sizeof(float); ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

Vector from_bytea(const pqxx::field& f, std::size_t dim) {
  pqxx::binarystring raw(f);
  if (raw.size() != dim * sizeof(float))
    throw std::runtime_error("stored vector has " + std::to_string(raw.size()) +
                             " bytes, expected " + std::to_string(dim * sizeof(float)));
  Vector v(dim);
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

// The text a chunk is embedded from: where it is, then what it says.
std::string embedding_text(const std::string& title, const std::string& section,
                           const std::string& text) {
  return title + "\n" + section + "\n" + text;
}

// A PostgreSQL array literal of quoted elements ({"a","b\\"c"}), for one-statement batches.
std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Stores the vectors of chunks `ids` in one statement.
void insert_embeddings(pqxx::work& txn, const std::vector<std::int64_t>& ids,
                       const std::vector<Vector>& vectors, const std::string& model,
                       std::size_t dim) {
  if (ids.empty()) return;
  std::vector<std::string> id_text, vector_text;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    id_text.push_back(std::to_string(ids[i]));
    vector_text.push_back(to_hex_bytea(vectors[i]));
  }
  txn.exec_params(
      "INSERT INTO knowledge.embeddings(chunk_id, model, dim, vector) "
      "SELECT c, $3, $4, v FROM unnest($1::bigint[], $2::bytea[]) AS x(c, v)",
      array_literal(id_text), array_literal(vector_text), model, static_cast<int>(dim));
}

// Document frequencies of the lexemes of one document's chunks, added (+1) or taken away (-1).
void count_lexemes(pqxx::work& txn, std::int64_t document_id, int sign) {
  txn.exec_params(
      "INSERT INTO knowledge.lexemes(lexeme, df) "
      "SELECT u.lexeme, $2 * count(*) FROM knowledge.chunks c, unnest(c.tsv) u "
      "WHERE c.document_id = $1 GROUP BY u.lexeme "
      "ON CONFLICT (lexeme) DO UPDATE SET df = knowledge.lexemes.df + EXCLUDED.df",
      document_id, sign);
}

std::string render_markdown(const ParsedDocument& doc) {
  std::string out = "# " + doc.title + "\n";
  for (const auto& s : doc.sections) {
    out += "\n";
    if (!s.path.empty()) out += "## " + s.path_text() + "\n\n";
    out += s.text + "\n";
  }
  return out;
}

}  // namespace

struct KnowledgeStore::Index {
  explicit Index(std::size_t dim, const StoreOptions& o) : space(dim), options(o) {}
  hnswlib::InnerProductSpace space;
  const StoreOptions& options;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
  std::size_t live = 0;

  void add(std::int64_t id, const Vector& v) {
    if (!hnsw) {
      hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, 1024, options.hnsw_m,
                                                               options.hnsw_ef_construction);
      hnsw->setEf(options.hnsw_ef_search);
    }
    if (hnsw->cur_element_count >= hnsw->max_elements_) hnsw->resizeIndex(hnsw->max_elements_ * 2);
    hnsw->addPoint(v.data(), static_cast<hnswlib::labeltype>(id));
    ++live;
  }
  void erase(std::int64_t id) {
    if (!hnsw) return;
    try {
      hnsw->markDelete(static_cast<hnswlib::labeltype>(id));
      --live;
    } catch (const std::exception&) {
      // not in the index (never embedded): nothing to remove
    }
  }
};

KnowledgeStore::KnowledgeStore(StoreOptions options, std::shared_ptr<const Embedder> embedder)
    : options_(std::move(options)), embedder_(std::move(embedder)) {
  if (!embedder_) throw std::invalid_argument("KnowledgeStore needs an embedder");
}

KnowledgeStore::~KnowledgeStore() = default;

void KnowledgeStore::open() {
  std::scoped_lock lock(db_mutex_);
  conn_ = runtime::pg::connect_with_retry(options_.database_url);
  runtime::pg::run_migrations(*conn_, "knowledge", migrations());
  const std::string model = embedder_->model_id();
  const std::size_t dim = embedder_->dimension();

  // Chunks without a vector of this model (new model, or an ingest interrupted by a crash).
  {
    pqxx::work txn(*conn_);
    auto missing = txn.exec_params(
        "SELECT c.id, c.title, c.section, c.text FROM knowledge.chunks c "
        "WHERE NOT EXISTS (SELECT 1 FROM knowledge.embeddings e WHERE e.chunk_id = c.id AND "
        "e.model = $1) ORDER BY c.id",
        model);
    std::vector<std::int64_t> ids;
    std::vector<std::string> texts;
    for (const auto& row : missing) {
      ids.push_back(row[0].as<std::int64_t>());
      texts.push_back(embedding_text(row[1].c_str(), row[2].c_str(), row[3].c_str()));
    }
    if (!ids.empty()) {
      runtime::log::info("embedding chunks without a vector",
                         {{"chunks", ids.size()}, {"model", model}});
      const auto vectors = embedder_->embed(texts);
      insert_embeddings(txn, ids, vectors, model, dim);
    }
    txn.commit();
  }

  auto index = std::make_unique<Index>(dim, options_);
  {
    pqxx::work txn(*conn_);
    auto rows = txn.exec_params(
        "SELECT chunk_id, vector FROM knowledge.embeddings WHERE model = $1 AND dim = $2 "
        "ORDER BY chunk_id",
        model, static_cast<int>(dim));
    if (!rows.empty()) {
      index->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
          &index->space, rows.size() + 1024, options_.hnsw_m, options_.hnsw_ef_construction);
      index->hnsw->setEf(options_.hnsw_ef_search);
    }
    for (const auto& row : rows) index->add(row[0].as<std::int64_t>(), from_bytea(row[1], dim));
  }
  {
    pqxx::work txn(*conn_);
    chunk_total_ = txn.exec1("SELECT count(*) FROM knowledge.chunks")[0].as<std::size_t>();
  }
  std::unique_lock ilock(index_mutex_);
  index_ = std::move(index);
}

IngestResult KnowledgeStore::ingest(const std::string& uri, const ParsedDocument& doc) {
  if (uri.empty()) throw std::invalid_argument("document uri is empty");
  const std::vector<Chunk> chunks = chunk_document(doc, options_.chunking);
  // What the hash covers: everything that decides the stored chunks.
  // (The chunker's version too: a changed chunking rule re-chunks every document once.)
  std::string fingerprint = "chunker-2\x1f" + std::string(to_string(doc.kind)) + "\x1f" +
                            doc.title + "\x1f" + std::to_string(options_.chunking.max_chars) + "/" +
                            std::to_string(options_.chunking.overlap_chars);
  for (const auto& s : doc.sections) fingerprint += "\x1e" + s.path_text() + "\x1f" + s.text;

  std::unique_lock lock(db_mutex_);
  if (!conn_) throw std::logic_error("KnowledgeStore::open() was not called");
  IngestResult result;
  std::string hash;
  {
    pqxx::work txn(*conn_);
    hash = txn.exec_params1("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", fingerprint)[0]
               .as<std::string>();
    auto existing = txn.exec_params(
        "SELECT id, content_hash, (SELECT count(*) FROM knowledge.chunks c WHERE c.document_id = "
        "d.id) "
        "FROM knowledge.documents d WHERE uri = $1",
        uri);
    if (!existing.empty() && existing[0][1].as<std::string>() == hash) {
      result.document_id = existing[0][0].as<std::int64_t>();
      result.chunks = existing[0][2].as<std::size_t>();
      return result;
    }
  }
  lock.unlock();
  // Embedding may be a remote call: done before the write transaction, outside the lock.
  std::vector<std::string> texts;
  texts.reserve(chunks.size());
  for (const auto& c : chunks) texts.push_back(embedding_text(doc.title, c.section, c.text));
  const std::vector<Vector> vectors = embedder_->embed(texts);
  if (vectors.size() != chunks.size()) throw EmbeddingError("embedder returned a wrong count");

  lock.lock();
  std::vector<std::int64_t> removed, added;
  {
    pqxx::work txn(*conn_);
    auto existing =
        txn.exec_params("SELECT id FROM knowledge.documents WHERE uri = $1 FOR UPDATE", uri);
    std::int64_t doc_id = 0;
    if (existing.empty()) {
      doc_id =
          txn.exec_params1(
                 "INSERT INTO knowledge.documents(uri, title, kind, content_hash, body) "
                 "VALUES ($1,$2,$3,$4,$5) RETURNING id",
                 uri, doc.title, std::string(to_string(doc.kind)), hash, render_markdown(doc))[0]
              .as<std::int64_t>();
    } else {
      doc_id = existing[0][0].as<std::int64_t>();
      count_lexemes(txn, doc_id, -1);
      for (const auto& row : txn.exec_params(
               "DELETE FROM knowledge.chunks WHERE document_id = $1 RETURNING id", doc_id))
        removed.push_back(row[0].as<std::int64_t>());
      txn.exec_params(
          "UPDATE knowledge.documents SET title=$2, kind=$3, content_hash=$4, body=$5, "
          "ingested_at=now() WHERE id=$1",
          doc_id, doc.title, std::string(to_string(doc.kind)), hash, render_markdown(doc));
    }
    // All chunks in one statement, then all vectors in another (round trips dominate ingest).
    std::vector<std::string> ordinals, sections, bodies;
    for (const auto& c : chunks) {
      ordinals.push_back(std::to_string(c.ordinal));
      sections.push_back(c.section);
      bodies.push_back(c.text);
    }
    std::vector<std::int64_t> by_ordinal(chunks.size(), 0);
    for (const auto& row : txn.exec_params(
             "INSERT INTO knowledge.chunks(document_id, ordinal, title, section, text) "
             "SELECT $1, o, $2, s, t FROM unnest($3::int[], $4::text[], $5::text[]) AS x(o, s, t) "
             "RETURNING id, ordinal",
             doc_id, doc.title, array_literal(ordinals), array_literal(sections),
             array_literal(bodies)))
      by_ordinal.at(row[1].as<std::size_t>()) = row[0].as<std::int64_t>();
    added = by_ordinal;
    insert_embeddings(txn, added, vectors, embedder_->model_id(), embedder_->dimension());
    count_lexemes(txn, doc_id, +1);
    txn.commit();
    chunk_total_ += added.size();
    chunk_total_ -= std::min(chunk_total_.load(), removed.size());
    result.document_id = doc_id;
  }
  {
    std::unique_lock ilock(index_mutex_);
    for (auto id : removed) index_->erase(id);
    for (std::size_t i = 0; i < added.size(); ++i) index_->add(added[i], vectors[i]);
  }
  result.changed = true;
  result.chunks = chunks.size();
  return result;
}

IngestResult KnowledgeStore::ingest_file(const std::filesystem::path& path,
                                         const std::string& uri) {
  const DocumentKind kind = kind_for_path(path);
  return ingest(uri, parse_bytes(kind, read_file_bytes(path), path.stem().string()));
}

FolderReport KnowledgeStore::ingest_folder(const std::filesystem::path& root,
                                           const std::string& uri_prefix) {
  FolderReport report;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    report.errors.push_back(root.string() + ": not a directory");
    return report;
  }
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    try {
      (void)kind_for_path(it->path());
      files.push_back(it->path());
    } catch (const DocumentError&) {
      // not a document type: skipped
    }
  }
  std::sort(files.begin(), files.end());
  std::set<std::string> present;
  for (const auto& file : files) {
    const std::string uri =
        uri_prefix + "/" + std::filesystem::relative(file, root).generic_string();
    present.insert(uri);
    ++report.files;
    try {
      const auto r = ingest_file(file, uri);
      (r.changed ? report.changed : report.unchanged)++;
    } catch (const std::exception& e) {
      report.errors.push_back(file.string() + ": " + e.what());
    }
  }
  std::vector<std::string> stale;
  {
    std::scoped_lock lock(db_mutex_);
    pqxx::work txn(*conn_);
    for (const auto& row : txn.exec_params(
             "SELECT uri FROM knowledge.documents WHERE left(uri, length($1) + 1) = $1 || '/'",
             uri_prefix))
      if (!present.count(row[0].as<std::string>())) stale.push_back(row[0].as<std::string>());
  }
  for (const auto& uri : stale)
    if (remove(uri)) ++report.removed;
  return report;
}

bool KnowledgeStore::remove(const std::string& uri) {
  std::vector<std::int64_t> removed;
  {
    std::scoped_lock lock(db_mutex_);
    pqxx::work txn(*conn_);
    for (const auto& row : txn.exec_params("SELECT c.id FROM knowledge.chunks c JOIN "
                                           "knowledge.documents d ON d.id = c.document_id "
                                           "WHERE d.uri = $1",
                                           uri))
      removed.push_back(row[0].as<std::int64_t>());
    auto doc = txn.exec_params("SELECT id FROM knowledge.documents WHERE uri = $1", uri);
    if (doc.empty()) return false;
    count_lexemes(txn, doc[0][0].as<std::int64_t>(), -1);
    // The chunks and their vectors go with the document (ON DELETE CASCADE).
    if (txn.exec_params("DELETE FROM knowledge.documents WHERE uri = $1", uri).affected_rows() == 0)
      return false;
    txn.commit();
    chunk_total_ -= std::min(chunk_total_.load(), removed.size());
  }
  std::unique_lock ilock(index_mutex_);
  for (auto id : removed) index_->erase(id);
  return true;
}

std::vector<std::int64_t> KnowledgeStore::fulltext_ids(const std::string& query,
                                                       std::size_t k) const {
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  // Ranking: the sum over the query lexemes a chunk holds of their BM25 inverse document
  // frequency, tripled in the title and doubled in the section path, plus ts_rank as a tie
  // breaker (term frequency); lexemes in more than a quarter of the chunks are ignored (unless
  // all are), like stop words. A question rarely shares every word with its answer, so any lexeme
  // may match; but to keep a search on a large store bounded, the candidates are the chunks
  // holding the rarest lexemes, adding lexemes from the rarest up while their summed document
  // frequency stays under `fulltext_candidates` (the rarest always counts). When even the rarest
  // is more common than that, a chunk must hold every lexeme, and of those chunks an arbitrary
  // 2 x `fulltext_candidates` are ranked (a query of only common words says little anyway).
  const double total = static_cast<double>(std::max<std::size_t>(1, chunk_total_));
  auto rows = txn.exec_params(
      "WITH q AS (SELECT DISTINCT q.lexeme, l.df FROM unnest(to_tsvector('english', $1)) q "
      "          JOIN knowledge.lexemes l USING (lexeme) WHERE l.df > 0), "
      "kept AS (SELECT * FROM q WHERE df <= 0.25 * $3 OR NOT EXISTS "
      "         (SELECT 1 FROM q WHERE df <= 0.25 * $3)), "
      "terms AS (SELECT quote_literal(lexeme)::tsquery AS tq, "
      "          (quote_literal(lexeme) || ':A')::tsquery AS ta, "
      "          (quote_literal(lexeme) || ':B')::tsquery AS tb, quote_literal(lexeme) AS lit, df, "
      "          ln(1 + ($3 - df + 0.5) / (df + 0.5)) AS idf, "
      "          sum(df) OVER (ORDER BY df, lexeme) AS cum FROM kept), "
      "query AS (SELECT CASE WHEN min(df) > $4 THEN string_agg(lit, ' & ') "
      "                 ELSE string_agg(lit, ' | ') FILTER (WHERE cum - df < $4) END::tsquery AS "
      "tq "
      "          FROM terms), "
      "cand AS (SELECT c.id, c.tsv FROM knowledge.chunks c, query "
      "         WHERE query.tq IS NOT NULL AND c.tsv @@ query.tq LIMIT 2 * $4) "
      "SELECT c.id, (SELECT sum(t.idf * CASE WHEN c.tsv @@ t.ta THEN 3 WHEN c.tsv @@ t.tb THEN 2 "
      "                                     ELSE 1 END) FROM terms t WHERE c.tsv @@ t.tq) "
      "       + 0.1 * ts_rank(c.tsv, query.tq) AS score "
      "FROM cand c, query "
      "ORDER BY score DESC, c.id LIMIT $2",
      query, static_cast<int>(k), total, static_cast<double>(options_.fulltext_candidates));
  std::vector<std::int64_t> ids;
  for (const auto& row : rows) ids.push_back(row[0].as<std::int64_t>());
  return ids;
}

std::vector<std::pair<std::int64_t, double>> KnowledgeStore::vector_ids(const std::string& query,
                                                                        std::size_t k) const {
  const Vector q = embedder_->embed_one(query);
  std::shared_lock ilock(index_mutex_);
  std::vector<std::pair<std::int64_t, double>> out;
  if (!index_ || !index_->hnsw || index_->live == 0) return out;
  auto pq = index_->hnsw->searchKnn(q.data(), std::min(k, index_->live));
  while (!pq.empty()) {
    out.emplace_back(static_cast<std::int64_t>(pq.top().second), 1.0 - pq.top().first);
    pq.pop();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<SearchHit> KnowledgeStore::load_hits(
    const std::vector<std::pair<std::int64_t, double>>& ranked) const {
  if (ranked.empty()) return {};
  std::string ids = "{";
  for (std::size_t i = 0; i < ranked.size(); ++i)
    ids += (i ? "," : "") + std::to_string(ranked[i].first);
  ids += "}";
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  auto rows = txn.exec_params(
      "SELECT c.id, d.uri, c.title, c.section, c.text FROM knowledge.chunks c "
      "JOIN knowledge.documents d ON d.id = c.document_id WHERE c.id = ANY($1::bigint[])",
      ids);
  std::vector<SearchHit> hits;
  for (const auto& [id, score] : ranked) {
    for (const auto& row : rows) {
      if (row[0].as<std::int64_t>() != id) continue;
      hits.push_back(SearchHit{id, row[1].as<std::string>(), row[2].as<std::string>(),
                               row[3].as<std::string>(), row[4].as<std::string>(), score});
      break;
    }
  }
  return hits;
}

std::vector<SearchHit> KnowledgeStore::search(const std::string& query, std::size_t k,
                                              SearchMode mode) const {
  if (k < 1 || k > 100) throw std::invalid_argument("k must be 1..100");
  if (query.find_first_not_of(" \t\r\n") == std::string::npos)
    throw std::invalid_argument("query is empty");
  if (!conn_) throw std::logic_error("KnowledgeStore::open() was not called");
  std::vector<std::pair<std::int64_t, double>> ranked;
  switch (mode) {
    case SearchMode::fulltext: {
      const auto ids = fulltext_ids(query, k);
      for (std::size_t i = 0; i < ids.size(); ++i)
        ranked.emplace_back(ids[i], 1.0 / static_cast<double>(i + 1));
      break;
    }
    case SearchMode::vector:
      ranked = vector_ids(query, k);
      break;
    case SearchMode::fused: {
      const std::size_t depth = std::max(k, options_.fusion_depth);
      std::vector<std::int64_t> vec;
      for (const auto& [id, s] : vector_ids(query, depth)) vec.push_back(id);
      const auto fused = reciprocal_rank_fusion({fulltext_ids(query, depth), vec});
      for (std::size_t i = 0; i < fused.size() && i < k; ++i)
        ranked.emplace_back(fused[i].id, fused[i].score);
      break;
    }
  }
  return load_hits(ranked);
}

std::vector<DocumentInfo> KnowledgeStore::documents() const {
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  std::vector<DocumentInfo> out;
  for (const auto& row :
       txn.exec("SELECT uri, title, kind, content_hash, "
                "(SELECT count(*) FROM knowledge.chunks c WHERE c.document_id = d.id) "
                "FROM knowledge.documents d ORDER BY uri"))
    out.push_back(DocumentInfo{row[0].as<std::string>(), row[1].as<std::string>(),
                               row[2].as<std::string>(), row[3].as<std::string>(),
                               row[4].as<std::size_t>()});
  return out;
}

std::optional<DocumentText> KnowledgeStore::document(const std::string& uri) const {
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  auto rows = txn.exec_params(
      "SELECT uri, title, kind, content_hash, "
      "(SELECT count(*) FROM knowledge.chunks c WHERE c.document_id = d.id), body "
      "FROM knowledge.documents d WHERE uri = $1",
      uri);
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[0];
  return DocumentText{
      DocumentInfo{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row[3].as<std::string>(), row[4].as<std::size_t>()},
      row[5].as<std::string>()};
}

std::size_t KnowledgeStore::chunk_count() const {
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  return txn.exec1("SELECT count(*) FROM knowledge.chunks")[0].as<std::size_t>();
}

std::size_t KnowledgeStore::indexed_vectors() const {
  std::shared_lock ilock(index_mutex_);
  return index_ ? index_->live : 0;
}

std::vector<KnowledgeStore::ChunkText> KnowledgeStore::chunk_texts() const {
  std::scoped_lock lock(db_mutex_);
  pqxx::work txn(*conn_);
  std::vector<ChunkText> out;
  for (const auto& row :
       txn.exec("SELECT id, title, section, text FROM knowledge.chunks ORDER BY id"))
    out.push_back(ChunkText{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                            row[2].as<std::string>(), row[3].as<std::string>()});
  return out;
}

}  // namespace ems::knowledge
