// ems-mcp: the Model Context Protocol server of the suite. See README "mcp" for the tools, the
// transports and the EMS_* variables.
//
//   ems-mcp            Streamable HTTP on EMS_MCP_HOST:EMS_MCP_PORT at /mcp (+ /healthz /readyz
//   /metrics) ems-mcp --stdio    newline-delimited JSON-RPC on stdin/stdout (logs on stderr)

#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "corpus.hpp"
#include "ems/follower/topology_follower.hpp"
#include "ems/knowledge/embedder.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/mqtt.hpp"
#include "ems/runtime/shutdown.hpp"
#include "http_transport.hpp"
#include "mcp_protocol.hpp"
#include "site_tools.hpp"

namespace {

using namespace ems;

int run(bool stdio) {
  if (!stdio) runtime::install_shutdown_handlers();
  runtime::log::init("mcp");
  auto& registry = runtime::metrics::Registry::global();
  const std::string database_url = runtime::require_string("EMS_DATABASE_URL");

  std::shared_ptr<const knowledge::Embedder> embedder = knowledge::embedder_from_env();
  knowledge::StoreOptions store_options;
  store_options.database_url = database_url;
  knowledge::KnowledgeStore store(store_options, embedder);
  store.open();
  knowledge::GraphStore graph(database_url);
  graph.open();
  runtime::log::info("knowledge store open", {{"embedding_model", embedder->model_id()},
                                              {"vectors", store.indexed_vectors()}});

  if (runtime::env_bool("EMS_MCP_INGEST", true)) {
    const auto report = mcp::ingest_corpus(store, graph, mcp::CorpusSources::from_env());
    for (const auto& e : report.errors) runtime::log::warn("document not ingested", {{"error", e}});
    runtime::log::info("corpus ingested", {{"documents", report.documents},
                                           {"templates", report.templates},
                                           {"changed", report.changed},
                                           {"unchanged", report.unchanged},
                                           {"removed", report.removed},
                                           {"mentions", report.mentions}});
  }

  // The site topology into the graph, kept in step with device-api.
  std::unique_ptr<runtime::MqttClient> mqtt;
  std::unique_ptr<follower::TopologyFollower> topology;
  if (runtime::env_bool("EMS_MCP_FOLLOW_TOPOLOGY", true)) {
    if (!stdio)
      mqtt = std::make_unique<runtime::MqttClient>(runtime::MqttOptions::from_env("mcp"), registry);
    topology = std::make_unique<follower::TopologyFollower>(
        follower::FollowerOptions::from_env("/topology"), mqtt.get(),
        [&](follower::TopologyUpdate update) {
          const auto nodes = graph.sync_topology(update.document.at("dtm"));
          const auto mentions = mcp::relink_mentions(store, graph);
          runtime::log::info(
              "topology graph updated",
              {{"version", update.version}, {"nodes", nodes}, {"mentions", mentions}});
        },
        registry);
    topology->start();
    if (mqtt) mqtt->start();
  }

  mcp::ServerInfo info;
  info.instructions =
      "Tools about one energy site: search_knowledge for runbooks and documents, graph_* and "
      "upstream for the site topology, latest_telemetry/telemetry_history for measured values, "
      "forecast for predictions. Cite chunk ids and documents.";
  mcp::McpServer server(info, mcp::site_tools(store, graph, mcp::UpstreamUrls::from_env()),
                        mcp::document_resources(store), registry);

  if (stdio) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (auto answer = server.handle(line)) std::cout << *answer << '\n' << std::flush;
    }
  } else {
    runtime::HttpServer http(runtime::http_options_from_env("EMS_MCP", 8430), registry);
    http.set_readiness([&] { return runtime::Readiness::ok(); });
    mcp::HttpTransport transport(server, runtime::env_list("EMS_CORS_ORIGINS", {}));
    transport.install(http, "/mcp");
    http.start();
    runtime::log::info("mcp listening", {{"port", http.port()}});
    runtime::wait_for_shutdown();
    runtime::log::info("mcp shutting down");
    http.stop();
  }
  if (topology) topology->stop();
  if (mqtt) mqtt->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool stdio = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--stdio") {
      stdio = true;
    } else if (a == "--help" || a == "-h") {
      std::cout
          << "usage: ems-mcp [--stdio]\n  MCP server; Streamable HTTP at /mcp on EMS_MCP_PORT "
             "(8430), or JSON-RPC lines on stdin/stdout with --stdio\n";
      return 0;
    } else {
      std::cerr << "ems-mcp: unknown argument '" << a << "' (usage: ems-mcp [--stdio])\n";
      return 2;
    }
  }
  try {
    return run(stdio);
  } catch (const std::exception& e) {
    ems::runtime::log::critical("mcp failed", {{"error", e.what()}});
    return 1;
  }
}
