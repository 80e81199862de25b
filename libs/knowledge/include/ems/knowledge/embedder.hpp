#pragma once
// Embedders: text -> unit-length float vectors, compared by inner product (cosine).
//
// HashedNgramEmbedder (the built-in default, no download, no training): each lower-cased word
// and each of its character 3..5-grams (with word-boundary marks, as fastText's subwords) is
// hashed (FNV-1a) to one of `dim` signed buckets, weighted by 1 + log(count), and the sum is
// L2-normalised. Deterministic across runs and machines, so stored vectors stay valid: the
// model id ("hashed-ngram-v1-<dim>") is stored with every vector.
//
// HttpEmbedder: any OpenAI-compatible `POST {base}/v1/embeddings` ({"model","input":[...]} ->
// {"data":[{"index","embedding"}]}), batches of at most 64 inputs, vectors L2-normalised here.
// Throws EmbeddingError naming the URL and the reason (HTTP status and body start, a malformed
// answer, an inconsistent dimension).
//
// Threading: both are safe to call from several threads (no mutable state / one client per call).
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ems::knowledge {

class EmbeddingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Vector = std::vector<float>;

class Embedder {
 public:
  virtual ~Embedder() = default;
  // Stable id of the model and its dimension; vectors from different ids are never compared.
  virtual std::string model_id() const = 0;
  virtual std::size_t dimension() const = 0;
  virtual std::vector<Vector> embed(const std::vector<std::string>& texts) const = 0;
  Vector embed_one(const std::string& text) const { return embed({text}).at(0); }
};

class HashedNgramEmbedder final : public Embedder {
 public:
  explicit HashedNgramEmbedder(std::size_t dim = 512);
  std::string model_id() const override;
  std::size_t dimension() const override { return dim_; }
  std::vector<Vector> embed(const std::vector<std::string>& texts) const override;
  Vector embed_text(const std::string& text) const;

 private:
  std::size_t dim_;
};

struct HttpEmbedderOptions {
  std::string base_url;                // e.g. http://127.0.0.1:8080 (".../v1" also accepted)
  std::string model;                   // sent as "model"
  std::optional<std::string> api_key;  // Bearer token
  std::size_t dimension = 0;           // 0: learned from the first answer
};

class HttpEmbedder final : public Embedder {
 public:
  explicit HttpEmbedder(HttpEmbedderOptions options);
  std::string model_id() const override;
  std::size_t dimension() const override;
  std::vector<Vector> embed(const std::vector<std::string>& texts) const override;

 private:
  HttpEmbedderOptions options_;
  mutable std::size_t dim_;
};

// EMS_EMBEDDINGS_URL set: HttpEmbedder (EMS_EMBEDDINGS_MODEL, default "text-embedding";
// EMS_EMBEDDINGS_API_KEY) whose dimension is probed once here (throws EmbeddingError when the
// endpoint does not answer); else HashedNgramEmbedder(EMS_EMBEDDINGS_DIM, default 512).
std::unique_ptr<Embedder> embedder_from_env();

void normalize(Vector& v);

}  // namespace ems::knowledge
