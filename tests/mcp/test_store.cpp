// The knowledge store and the graph on a real PostgreSQL (tests/support): ingest idempotence,
// full-text, vector and fused search, index rebuild at open, graph queries over the demo DTM,
// and the MCP dispatcher's JSON-RPC errors with the real tools.
#include <gtest/gtest.h>

#include <fstream>

#include "corpus.hpp"
#include "ems/knowledge/graph.hpp"
#include "ems/knowledge/store.hpp"
#include "ems/testing/servers.hpp"
#include "mcp_protocol.hpp"
#include "site_tools.hpp"

using namespace ems::knowledge;
using ems::mcp::Json;

namespace {

StoreOptions store_options(const std::string& url) {
  StoreOptions o;
  o.database_url = url;
  return o;
}

std::shared_ptr<const Embedder> embedder() {
  return std::make_shared<HashedNgramEmbedder>(256);
}

ParsedDocument doc(const std::string& title, std::vector<Section> sections) {
  ParsedDocument d;
  d.title = title;
  d.kind = DocumentKind::markdown;
  d.sections = std::move(sections);
  return d;
}

Json read_json(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

}  // namespace

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = ems::testing::PostgresServer::shared().create_database();
    store_ = std::make_unique<KnowledgeStore>(store_options(url_), embedder());
    store_->open();
  }
  std::string url_;
  std::unique_ptr<KnowledgeStore> store_;
};

TEST_F(StoreTest, ReingestingAnUnchangedDocumentIsANoOpAndAChangeReplacesChunks) {
  auto d = doc("Battery",
               {{{"Battery", "Limits"}, "Keep the state of charge between 15 and 95 percent."}});
  const auto first = store_->ingest("a.md", d);
  EXPECT_TRUE(first.changed);
  EXPECT_EQ(first.chunks, 1u);
  const auto second = store_->ingest("a.md", d);
  EXPECT_FALSE(second.changed);
  EXPECT_EQ(second.document_id, first.document_id);
  EXPECT_EQ(store_->chunk_count(), 1u);
  const auto hash = store_->documents().at(0).content_hash;

  d.sections[0].text = "Keep the state of charge between 20 and 90 percent.";
  d.sections.push_back({{"Battery", "Temperature"}, "Above 45 degrees halve the power."});
  const auto third = store_->ingest("a.md", d);
  EXPECT_TRUE(third.changed);
  EXPECT_EQ(store_->chunk_count(), 2u);
  EXPECT_EQ(store_->indexed_vectors(), 2u);
  EXPECT_NE(store_->documents().at(0).content_hash, hash);
  const auto hits = store_->search("state of charge", 5, SearchMode::fulltext);
  ASSERT_FALSE(hits.empty());
  EXPECT_NE(hits[0].text.find("20 and 90"), std::string::npos);  // the old chunk is gone
}

TEST_F(StoreTest, FullTextVectorAndFusedSearchFindTheRightChunk) {
  store_->ingest(
      "pst.md",
      doc("PST", {{{"PST", "Tap changes"}, "Change one tap at a time and wait thirty seconds."},
                  {{"PST", "Purpose"}, "A phase-shifting transformer moves active power flow."}}));
  store_->ingest("bess.md", doc("BESS", {{{"BESS", "Temperature"},
                                          "Cell temperature above 45 degrees: halve the power."}}));
  for (auto mode : {SearchMode::fulltext, SearchMode::vector, SearchMode::fused}) {
    const auto hits = store_->search("how long to wait between tap changes", 3, mode);
    ASSERT_FALSE(hits.empty()) << static_cast<int>(mode);
    EXPECT_EQ(hits[0].document, "pst.md") << static_cast<int>(mode);
    EXPECT_EQ(hits[0].section, "PST > Tap changes") << static_cast<int>(mode);
    EXPECT_EQ(hits[0].title, "PST");
  }
  // Quotes, backslashes, braces and commas survive the batched insert unchanged.
  const std::string odd = "a \"quoted\" {brace}, back\\slash and NULL";
  store_->ingest("odd.md", doc("Odd", {{{"Odd"}, odd}}));
  EXPECT_EQ(store_->search("quoted brace backslash", 1, SearchMode::fulltext).at(0).text, odd);
  EXPECT_THROW(store_->search("  ", 3), std::invalid_argument);
  EXPECT_THROW(store_->search("x", 0), std::invalid_argument);
  EXPECT_TRUE(store_->search("zzzqqq", 3, SearchMode::fulltext).empty());
}

TEST_F(StoreTest, TheVectorIndexIsRebuiltFromTheTableAtOpenAndRemovalDropsVectors) {
  store_->ingest("x.md", doc("X", {{{"X"}, "dynamic line rating from weather"}}));
  store_->ingest("y.md", doc("Y", {{{"Y"}, "battery racks and their BMS"}}));
  KnowledgeStore reopened(store_options(url_), embedder());
  reopened.open();
  EXPECT_EQ(reopened.indexed_vectors(), 2u);
  EXPECT_EQ(reopened.search("line rating weather", 1, SearchMode::vector).at(0).document, "x.md");
  EXPECT_TRUE(reopened.remove("x.md"));
  EXPECT_FALSE(reopened.remove("x.md"));
  EXPECT_EQ(reopened.indexed_vectors(), 1u);
  EXPECT_EQ(reopened.search("line rating weather", 1, SearchMode::vector).at(0).document, "y.md");
  // A store with another embedding model embeds every chunk again at open.
  KnowledgeStore other(store_options(url_), std::make_shared<HashedNgramEmbedder>(128));
  other.open();
  EXPECT_EQ(other.indexed_vectors(), 1u);
}

TEST_F(StoreTest, FolderIngestSkipsUnknownTypesReportsBadFilesAndRemovesVanishedOnes) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ems_mcp_docs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "a.md") << "# A\ntext about the switchgear\n";
  std::ofstream(dir / "sub" / "b.html") << "<h1>B</h1><p>the protective relay</p>";
  std::ofstream(dir / "c.txt") << "C\nplain text note";
  std::ofstream(dir / "d.pdf") << "this is not a pdf";
  std::ofstream(dir / "e.bin") << "ignored";
  auto r = store_->ingest_folder(dir, "corpus");
  EXPECT_EQ(r.files, 4u);
  EXPECT_EQ(r.changed, 3u);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("d.pdf"), std::string::npos);
  r = store_->ingest_folder(dir, "corpus");
  EXPECT_EQ(r.unchanged, 3u);
  EXPECT_EQ(r.changed, 0u);
  std::filesystem::remove(dir / "c.txt");
  r = store_->ingest_folder(dir, "corpus");
  EXPECT_EQ(r.removed, 1u);
  ASSERT_TRUE(store_->document("corpus/sub/b.html"));
  EXPECT_EQ(store_->document("corpus/sub/b.html")->info.title, "B");
  std::filesystem::remove_all(dir);
}

class GraphTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    graph_ = std::make_unique<GraphStore>(url_);
    graph_->open();
    graph_->sync_topology(read_json(EMS_SOURCE_ROOT "/deploy/demo/dtm.json"));
  }
  std::unique_ptr<GraphStore> graph_;
};

TEST_F(GraphTest, TopologyNeighboursPathsAndUpstream) {
  const auto n = graph_->neighbors("bess_rack_2", 1);
  ASSERT_FALSE(n.nodes.empty());
  EXPECT_EQ(n.nodes[0].id, "device:bess_rack_2");
  auto has = [&](const std::string& id) {
    return std::any_of(n.nodes.begin(), n.nodes.end(),
                       [&](const GraphNode& x) { return x.id == id; });
  };
  EXPECT_TRUE(has("device:bess_module_1"));
  EXPECT_TRUE(has("bus:site_bus"));
  EXPECT_TRUE(has("template:bess_rack"));
  EXPECT_TRUE(has("measurement:state_of_charge"));

  const auto up = graph_->upstream("bess_rack_2");
  ASSERT_GE(up.size(), 3u);
  EXPECT_EQ(up[0].id, "device:bess_module_1");
  EXPECT_TRUE(
      std::any_of(up.begin(), up.end(), [](const GraphNode& x) { return x.id == "bus:site_bus"; }));
  EXPECT_TRUE(
      std::any_of(up.begin(), up.end(), [](const GraphNode& x) { return x.kind == "site"; }));

  const auto p = graph_->path("bess_rack_2", "pst_1");
  ASSERT_GE(p.size(), 3u);
  EXPECT_EQ(p.front().id, "device:bess_rack_2");
  EXPECT_EQ(p.back().id, "device:pst_1");
  // bess_rack_2 -> site_bus -> switchgear_1 -> grid_bus -> pst_1
  EXPECT_EQ(p.size(), 5u);

  EXPECT_THROW(graph_->neighbors("no_such_device"), GraphError);
  EXPECT_THROW(graph_->neighbors("bess_rack_2", 9), GraphError);

  // A new version replaces the topology: the removed device is gone.
  auto dtm = read_json(EMS_SOURCE_ROOT "/deploy/demo/dtm.json");
  dtm["devices"].erase("pst_1");
  for (auto& bus : dtm["buses"]) {
    Json kept = Json::array();
    for (auto& m : bus["members"])
      if (m["device_id"] != "pst_1") kept.push_back(m);
    bus["members"] = kept;
  }
  graph_->sync_topology(dtm);
  EXPECT_THROW(graph_->resolve("device:pst_1"), GraphError);
}

TEST_F(GraphTest, EntitiesNamedByChunksAreLinked) {
  store_->ingest(
      "rating.md",
      doc("Rating", {{{"Rating"}, "The line rating follows IEEE 738; the pst_1 tap moves flow."},
                     {{"Battery"}, "The bess rack state of charge must stay above 15 percent."}}));
  std::vector<GraphStore::ChunkRef> refs;
  for (const auto& c : store_->chunk_texts()) refs.push_back({c.id, c.text});
  EXPECT_GT(graph_->link_mentions(refs), 0u);
  const auto standard = graph_->entity_chunks("IEEE 738");
  ASSERT_EQ(standard.size(), 1u);
  EXPECT_EQ(standard[0].document, "rating.md");
  const auto soc = graph_->entity_chunks("state_of_charge");
  ASSERT_EQ(soc.size(), 1u);
  EXPECT_NE(soc[0].text.find("bess rack"), std::string::npos);
  // A device finds chunks about its equipment type too.
  const auto rack = graph_->entity_chunks("bess_rack_1");
  ASSERT_EQ(rack.size(), 1u);
  EXPECT_EQ(rack[0].via, "template:bess_rack");
  EXPECT_EQ(graph_->entity_chunks("pst_1").at(0).via, "device:pst_1");
}

TEST_F(GraphTest, McpDispatcherAnswersJsonRpcErrorsClearly) {
  store_->ingest("pst.md", doc("PST", {{{"PST"}, "Change one tap at a time."}}));
  ems::mcp::McpServer server(
      {},
      ems::mcp::site_tools(*store_, *graph_,
                           {"http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:1"}),
      ems::mcp::document_resources(*store_));
  auto call = [&](const std::string& text) { return Json::parse(server.handle(text).value()); };
  EXPECT_EQ(call("{not json")["error"]["code"], -32700);
  EXPECT_EQ(call("[]")["error"]["code"], -32600);
  EXPECT_EQ(call(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")["error"]["code"], -32600);
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":1,"method":"nope"})")["error"]["code"], -32601);
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[]})")["error"]["code"],
            -32602);
  EXPECT_EQ(
      call(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})")["error"]
                                                                                        ["code"],
      -32602);
  const auto bad = call(
      R"({"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"search_knowledge","arguments":{"k":3}}})");
  EXPECT_EQ(bad["id"], "a");
  EXPECT_EQ(bad["error"]["code"], -32602);
  EXPECT_EQ(bad["error"]["data"]["path"], "/query");
  EXPECT_FALSE(
      server.handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").has_value());

  const auto init = call(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(init["result"]["protocolVersion"], "2025-06-18");
  const auto list = call(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  std::vector<std::string> names;
  for (const auto& t : list["result"]["tools"]) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"search_knowledge", "graph_neighbors", "graph_path",
                                             "upstream", "entity_chunks", "topology",
                                             "latest_telemetry", "telemetry_history", "forecast"}));
  const auto found = call(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_knowledge","arguments":{"query":"tap"}}})");
  EXPECT_EQ(found["result"]["isError"], false);
  EXPECT_EQ(found["result"]["structuredContent"]["chunks"][0]["document"], "pst.md");
  EXPECT_EQ(Json::parse(found["result"]["content"][0]["text"].get<std::string>()),
            found["result"]["structuredContent"]);
  // A tool that fails at run time is a tool error the model can read, not a protocol error.
  const auto down = call(
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"latest_telemetry","arguments":{"device":"bess_rack_1"}}})");
  EXPECT_EQ(down["result"]["isError"], true);
  EXPECT_NE(down["result"]["content"][0]["text"].get<std::string>().find("historian"),
            std::string::npos);
  const auto unknown = call(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"upstream","arguments":{"device":"nope"}}})");
  EXPECT_EQ(unknown["result"]["isError"], true);

  const auto resources = call(R"({"jsonrpc":"2.0","id":6,"method":"resources/list"})");
  ASSERT_EQ(resources["result"]["resources"].size(), 1u);
  EXPECT_EQ(resources["result"]["resources"][0]["uri"], "ems://documents/pst.md");
  const auto read = call(
      R"({"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"ems://documents/pst.md"}})");
  EXPECT_NE(read["result"]["contents"][0]["text"].get<std::string>().find("one tap"),
            std::string::npos);
  EXPECT_EQ(
      call(
          R"({"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"ems://documents/x"}})")
          ["error"]["code"],
      -32002);
}
