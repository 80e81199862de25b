// The chat's MCP tools against the real ems-mcp (services/mcp): compiled only in a tree that
// builds it (CMake defines EMS_MCP_BINARY then). Knowledge search through McpClient over
// Streamable HTTP, then a no-LLM chat answer citing the chunks it found.
#include <gtest/gtest.h>

#ifdef EMS_MCP_BINARY

#include <nlohmann/json.hpp>

#include "analyst_process.hpp"
#include "mcp_client.hpp"

namespace {

using nlohmann::json;

TEST(McpToolsIntegration, KnowledgeSearchThroughTheRealMcpServerAndTheChat) {
  const auto api_process = ems::testing::start_demo_device_api();
  const auto& api = *api_process;
  const int port = ems::testing::free_loopback_port();
  const std::string log = "/tmp/ems-analyst-mcp-" + std::to_string(port) + ".log";
  ems::testing::ChildProcess mcp;
  mcp.spawn({"/usr/bin/env",
             "EMS_DATABASE_URL=" + ems::testing::PostgresServer::shared().create_database(),
             "EMS_MQTT_URL=" + ems::testing::MosquittoServer::shared().url(),
             "EMS_MCP_HOST=127.0.0.1", "EMS_MCP_PORT=" + std::to_string(port),
             "EMS_DEVICE_API_URL=" + api.base_url(), "EMS_HISTORIAN_URL=http://127.0.0.1:9",
             "EMS_ANALYST_URL=http://127.0.0.1:9", EMS_MCP_BINARY},
            log);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string why =
      ems::testing::wait_until_ready(mcp, base + "/readyz", std::chrono::seconds(240), log);
  ASSERT_EQ(why, "") << "ems-mcp";

  ems::analyst::McpClient client(base + "/mcp");
  const json found = client.call_tool("search_knowledge", {{"query", "line overload"}, {"k", 3}});
  EXPECT_FALSE(found.value("isError", false)) << found;
  ASSERT_TRUE(found.contains("content")) << found;
  // A bad tool is a JSON-RPC error or an isError result, never a crash of either side.
  try {
    const json bad = client.call_tool("no_such_tool", json::object());
    EXPECT_TRUE(bad.value("isError", false)) << bad;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tools/call failed"), std::string::npos) << e.what();
  }

  ems::testing::AnalystProcess analyst(
      {"EMS_DEVICE_API_URL=" + api.base_url(), "EMS_MCP_URL=" + base});
  analyst.start();
  const auto a = analyst.post(
      "/v1/chat/completions",
      json{{"messages",
            json::array({{{"role", "user"}, {"content", "How do I respond to a line overload?"}}})}}
          .dump(),
      "");
  ASSERT_EQ(a.status, 200) << a.body;
  const json r = json::parse(a.body);
  EXPECT_TRUE(r["tool_calls_made"][0]["ok"].get<bool>()) << r;
  EXPECT_TRUE(r["sources"][0].contains("chunk_ids")) << r["sources"];
  EXPECT_NE(r["choices"][0]["message"]["content"].get<std::string>().find("From the documents"),
            std::string::npos);
  mcp.terminate();
}

}  // namespace

#endif
