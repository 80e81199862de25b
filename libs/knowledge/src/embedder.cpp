#include "ems/knowledge/embedder.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ems/runtime/config.hpp"
#include "ems/runtime/http_client.hpp"
#include "text_tokens.hpp"

namespace ems::knowledge {

namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed = 1469598103934665603ULL) {
  std::uint64_t h = seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

void normalize(Vector& v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= inv;
}

HashedNgramEmbedder::HashedNgramEmbedder(std::size_t dim) : dim_(dim) {
  if (dim < 16 || dim > 4096)
    throw std::invalid_argument("hashed embedding dimension must be 16..4096");
}

std::string HashedNgramEmbedder::model_id() const {
  return "hashed-ngram-v1-" + std::to_string(dim_);
}

Vector HashedNgramEmbedder::embed_text(const std::string& text) const {
  std::unordered_map<std::string, double> features;
  for (const std::string& word : detail::content_words(text)) {
    features["w:" + word] += 1.0;
    const std::string marked = "<" + word + ">";
    for (std::size_t n = 3; n <= 5; ++n) {
      if (marked.size() < n) break;
      for (std::size_t i = 0; i + n <= marked.size(); ++i)
        features["g:" + marked.substr(i, n)] += 1.0 / 3.0;
    }
  }
  Vector v(dim_, 0.0f);
  for (const auto& [feature, count] : features) {
    const std::uint64_t h = fnv1a(feature);
    const std::size_t bucket = h % dim_;
    const float sign = ((h >> 63) & 1U) ? -1.0f : 1.0f;
    const double weight = (feature[0] == 'w' ? 2.0 : 1.0) * (1.0 + std::log(1.0 + count));
    v[bucket] += sign * static_cast<float>(weight);
  }
  normalize(v);
  return v;
}

std::vector<Vector> HashedNgramEmbedder::embed(const std::vector<std::string>& texts) const {
  std::vector<Vector> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(embed_text(t));
  return out;
}

HttpEmbedder::HttpEmbedder(HttpEmbedderOptions options)
    : options_(std::move(options)), dim_(options_.dimension) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
  if (options_.base_url.size() >= 3 &&
      options_.base_url.compare(options_.base_url.size() - 3, 3, "/v1") == 0)
    options_.base_url.resize(options_.base_url.size() - 3);
}

std::string HttpEmbedder::model_id() const {
  return "openai:" + options_.model;
}

std::size_t HttpEmbedder::dimension() const {
  if (dim_ == 0) embed({"dimension probe"});
  return dim_;
}

std::vector<Vector> HttpEmbedder::embed(const std::vector<std::string>& texts) const {
  const auto [origin, prefix] = runtime::split_http_url(options_.base_url + "/v1/embeddings");
  std::vector<Vector> out;
  for (std::size_t start = 0; start < texts.size(); start += 64) {
    const std::size_t end = std::min(texts.size(), start + 64);
    nlohmann::json body = {
        {"model", options_.model},
        {"input", std::vector<std::string>(texts.begin() + static_cast<long>(start),
                                           texts.begin() + static_cast<long>(end))}};
    httplib::Client client(origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(60);
    httplib::Headers headers;
    if (options_.api_key) headers.emplace("Authorization", "Bearer " + *options_.api_key);
    auto res = client.Post(prefix, headers, body.dump(), "application/json");
    const std::string where = options_.base_url + "/v1/embeddings";
    if (!res) throw EmbeddingError(where + ": no answer (" + httplib::to_string(res.error()) + ")");
    if (res->status != 200)
      throw EmbeddingError(where + ": HTTP " + std::to_string(res->status) + ": " +
                           res->body.substr(0, 200));
    nlohmann::json answer = nlohmann::json::parse(res->body, nullptr, false);
    if (!answer.is_object() || !answer.contains("data") || !answer["data"].is_array() ||
        answer["data"].size() != end - start)
      throw EmbeddingError(where + ": answer lacks data[] with one item per input");
    std::vector<Vector> batch(end - start);
    for (std::size_t i = 0; i < answer["data"].size(); ++i) {
      const auto& item = answer["data"][i];
      const std::size_t index = item.contains("index") && item["index"].is_number_unsigned()
                                    ? item["index"].get<std::size_t>()
                                    : i;
      if (index >= batch.size() || !item.contains("embedding") || !item["embedding"].is_array())
        throw EmbeddingError(where + ": data[" + std::to_string(i) + "] is malformed");
      Vector v;
      for (const auto& x : item["embedding"]) {
        if (!x.is_number()) throw EmbeddingError(where + ": embedding holds a non-number");
        v.push_back(x.get<float>());
      }
      if (dim_ == 0) dim_ = v.size();
      if (v.size() != dim_ || v.empty())
        throw EmbeddingError(where + ": embedding of dimension " + std::to_string(v.size()) +
                             ", expected " + std::to_string(dim_));
      normalize(v);
      batch[index] = std::move(v);
    }
    for (auto& v : batch) out.push_back(std::move(v));
  }
  return out;
}

std::unique_ptr<Embedder> embedder_from_env() {
  if (auto url = runtime::env_optional("EMS_EMBEDDINGS_URL")) {
    HttpEmbedderOptions o;
    o.base_url = *url;
    o.model = runtime::env_string("EMS_EMBEDDINGS_MODEL", "text-embedding");
    o.api_key = runtime::env_optional("EMS_EMBEDDINGS_API_KEY");
    auto e = std::make_unique<HttpEmbedder>(o);
    (void)e->dimension();
    return e;
  }
  return std::make_unique<HashedNgramEmbedder>(
      static_cast<std::size_t>(runtime::env_int("EMS_EMBEDDINGS_DIM", 512)));
}

}  // namespace ems::knowledge
