// HttpEmbedder against an OpenAI-compatible /v1/embeddings endpoint. No embedding model runs
// here, so the endpoint is a protocol-level stand-in (named as such): a real HTTP server on
// loopback answering the OpenAI wire format with the built-in hashed vectors, in reverse order
// (the client must place each vector by its `index`), and failing on demand.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ems/knowledge/embedder.hpp"

using namespace ems::knowledge;
using nlohmann::json;

class EmbeddingsStandIn : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      last_auth_ = req.get_header_value("Authorization");
      if (fail_) {
        res.status = 503;
        res.set_content(R"({"error":"model loading"})", "application/json");
        return;
      }
      const json body = json::parse(req.body);
      json data = json::array();
      const auto& input = body["input"];
      for (std::size_t i = input.size(); i-- > 0;)
        data.push_back({{"index", i},
                        {"object", "embedding"},
                        {"embedding", reference_.embed_text(input[i])}});
      res.set_content(json{{"object", "list"}, {"model", body["model"]}, {"data", data}}.dump(),
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  HttpEmbedderOptions options() {
    HttpEmbedderOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(port_) + "/v1";
    o.model = "stand-in";
    o.api_key = "secret";
    return o;
  }
  HashedNgramEmbedder reference_{64};
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> fail_{false};
  std::string last_auth_;
};

TEST_F(EmbeddingsStandIn, VectorsArePlacedByIndexBatchedAndTheDimensionLearned) {
  HttpEmbedder e(options());
  EXPECT_EQ(e.model_id(), "openai:stand-in");
  std::vector<std::string> texts;
  for (int i = 0; i < 70; ++i) texts.push_back("text number " + std::to_string(i));
  const auto vectors = e.embed(texts);
  ASSERT_EQ(vectors.size(), 70u);
  EXPECT_EQ(requests_.load(), 2);  // batches of 64
  EXPECT_EQ(e.dimension(), 64u);
  EXPECT_EQ(last_auth_, "Bearer secret");
  for (std::size_t i = 0; i < texts.size(); i += 23) {
    const auto expected = reference_.embed_text(texts[i]);
    for (std::size_t d = 0; d < expected.size(); ++d) EXPECT_NEAR(vectors[i][d], expected[d], 1e-5);
  }
}

TEST_F(EmbeddingsStandIn, FailuresAreEmbeddingErrorsNamingTheEndpoint) {
  fail_ = true;
  HttpEmbedder e(options());
  try {
    e.embed({"x"});
    FAIL() << "expected EmbeddingError";
  } catch (const EmbeddingError& error) {
    EXPECT_NE(std::string(error.what()).find("HTTP 503"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("/v1/embeddings"), std::string::npos);
  }
  HttpEmbedderOptions nowhere = options();
  nowhere.base_url = "http://127.0.0.1:1";
  EXPECT_THROW(HttpEmbedder(nowhere).embed({"x"}), EmbeddingError);
}
