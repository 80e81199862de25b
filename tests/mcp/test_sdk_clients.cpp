// The real ems-mcp binary, following a real device-api (tests/support), reached by independent
// clients: the official MCP TypeScript SDK (node/client.mjs) over Streamable HTTP and over stdio,
// and raw HTTP for the transport's own rules (sessions, GET 405, Origin, parse errors).
#include <gtest/gtest.h>

#include <httplib.h>

#include "ems/testing/device_api.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"
#include "nlohmann/json.hpp"

using nlohmann::json;

class McpProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ems::testing::DeviceApiOptions o;
    o.binary = EMS_DEVICE_API_BINARY;
    o.boot_dtm_path = EMS_SOURCE_ROOT "/deploy/demo/dtm.json";
    device_api_ = new ems::testing::DeviceApiProcess(o);
    device_api_->start();
    database_url_ = ems::testing::PostgresServer::shared().create_database();
    port_ = ems::testing::free_loopback_port();
    env_ = {"env",
            "EMS_DATABASE_URL=" + database_url_,
            "EMS_DEVICE_API_URL=" + device_api_->base_url(),
            "EMS_MQTT_URL=" + ems::testing::MosquittoServer::shared().url(),
            "EMS_HISTORIAN_URL=http://127.0.0.1:1",
            "EMS_ANALYST_URL=http://127.0.0.1:1",
            "EMS_MCP_HOST=127.0.0.1",
            "EMS_MCP_PORT=" + std::to_string(port_),
            "EMS_EMBEDDINGS_URL="};
    log_ = ::testing::TempDir() + "ems_mcp_" + std::to_string(::getpid()) + ".log";
    auto argv = env_;
    argv.push_back(EMS_MCP_BINARY);
    process_ = new ems::testing::ChildProcess();
    process_->spawn(argv, log_);
    ASSERT_TRUE(ems::testing::wait_for_http_ok(base() + "/healthz", std::chrono::seconds(120)))
        << ems::testing::tail_file(log_);
  }
  static void TearDownTestSuite() {
    delete process_;
    delete device_api_;
  }
  static std::string base() { return "http://127.0.0.1:" + std::to_string(port_); }

  static inline ems::testing::DeviceApiProcess* device_api_ = nullptr;
  static inline ems::testing::ChildProcess* process_ = nullptr;
  static inline std::string database_url_, log_;
  static inline int port_ = 0;
  static inline std::vector<std::string> env_;
};

TEST_F(McpProcessTest, OfficialTypeScriptSdkOverStreamableHttp) {
  std::string output;
  const int code = ems::testing::run_command(
      {EMS_NODE_BINARY, EMS_MCP_TEST_DIR "/node/client.mjs", "http", base() + "/mcp"},
      std::chrono::seconds(120), &output);
  std::printf("%s\n", output.c_str());
  EXPECT_EQ(code, 0) << output << ems::testing::tail_file(log_);
}

TEST_F(McpProcessTest, OfficialTypeScriptSdkOverStdio) {
  std::vector<std::string> argv = env_;
  argv.insert(argv.end(), {"EMS_MCP_INGEST=false", EMS_NODE_BINARY,
                           EMS_MCP_TEST_DIR "/node/client.mjs", "stdio", EMS_MCP_BINARY});
  std::string output;
  const int code = ems::testing::run_command(argv, std::chrono::seconds(120), &output);
  std::printf("%s\n", output.c_str());
  EXPECT_EQ(code, 0) << output;
}

TEST_F(McpProcessTest, StreamableHttpTransportRules) {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(30);
  const httplib::Headers accept = {{"Accept", "application/json, text/event-stream"}};
  auto r = client.Post("/mcp", accept, "{oops", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], -32700);

  r = client.Post(
      "/mcp", accept,
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}})",
      "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string session = r->get_header_value("Mcp-Session-Id");
  EXPECT_EQ(session.size(), 32u);
  EXPECT_EQ(json::parse(r->body)["result"]["protocolVersion"], "2025-06-18");

  httplib::Headers in_session = {{"Mcp-Session-Id", session},
                                 {"MCP-Protocol-Version", "2025-06-18"}};
  r = client.Post("/mcp", in_session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  r = client.Post("/mcp", in_session, R"({"jsonrpc":"2.0","id":2,"method":"frobnicate"})",
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], -32601);

  r = client.Post("/mcp", {{"MCP-Protocol-Version", "1999-01-01"}},
                  R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = client.Post("/mcp", {{"Origin", "http://evil.example"}},
                  R"({"jsonrpc":"2.0","id":3,"method":"ping"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = client.Get("/mcp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);

  r = client.Delete("/mcp", in_session);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = client.Post("/mcp", in_session, R"({"jsonrpc":"2.0","id":4,"method":"ping"})",
                  "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  r = client.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("ems_mcp_requests_total"), std::string::npos);
}
