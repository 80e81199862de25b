#pragma once
// ToolBox: the tools the chat agent (chat_agent.hpp) may call, with their JSON Schemas in the
// OpenAI `tools` form, and one call() that runs any of them and never throws - a failure comes
// back as an outcome with the error, which the agent feeds back to the model.
//
// Site tools (run here):
//   site_status     {device?}        device-api GET /topology/view (the device tree, names,
//                                    templates, measurements) and, for a device, historian
//                                    GET /latest?device=
//   site_history    {device, measurement, from?, to?, bucket?, agg?}
//                                    historian GET /samples (default: the last 24 h, 1h avg),
//                                    summarised (count, min, max, mean, first, last)
//   site_forecast   {target, from?, to?}   this service's GET /forecast (the champion)
//   forecast_models {target?}        the registry's champions (MAE, skill, trained_at)
// MCP tools (services/mcp over Streamable HTTP, APIS.md): search_knowledge, graph_neighbors,
// graph_path, upstream, entity_chunks, topology, latest_telemetry, telemetry_history, forecast.
//
// Each outcome carries a `source`: the tool, its arguments and what it read (the URL, the series,
// the chunk ids of a knowledge search), which the answer lists.
// Threading: call() may run concurrently (the MCP client serializes its own calls).
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "forecaster.hpp"
#include "mcp_client.hpp"
#include "model_registry.hpp"

namespace ems::analyst {

struct ToolOutcome {
  bool ok = false;
  nlohmann::json result;  // the tool's JSON answer (ok)
  std::string error;      // what went wrong (not ok)
  nlohmann::json source;  // {tool, arguments, read...}
};

struct ToolBoxOptions {
  std::string historian_url = "http://127.0.0.1:8410";
  std::string device_api_url = "http://127.0.0.1:8400";
  std::string mcp_url = "http://127.0.0.1:8430/mcp";
};

class ToolBox {
 public:
  ToolBox(ToolBoxOptions options, Forecaster& forecaster, ModelRegistry& registry);

  // [{"type":"function","function":{"name","description","parameters"}}...]
  nlohmann::json openai_tools() const;
  bool has(const std::string& name) const;
  ToolOutcome call(const std::string& name, const nlohmann::json& arguments);

  // device-api's /topology/view, fetched at most every 30 s; null when unreachable.
  nlohmann::json topology_view();

 private:
  nlohmann::json http_json(const std::string& url, nlohmann::json& source);
  nlohmann::json site_status(const nlohmann::json& args, nlohmann::json& source);
  nlohmann::json site_history(const nlohmann::json& args, nlohmann::json& source);
  nlohmann::json site_forecast(const nlohmann::json& args, nlohmann::json& source);
  nlohmann::json forecast_models(const nlohmann::json& args, nlohmann::json& source);
  nlohmann::json mcp_tool(const std::string& name, const nlohmann::json& args,
                          nlohmann::json& source);

  ToolBoxOptions options_;
  Forecaster& forecaster_;
  ModelRegistry& registry_;
  McpClient mcp_;
  std::mutex view_mutex_;
  nlohmann::json view_;
  std::chrono::steady_clock::time_point view_at_{};
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(const std::string& value);

}  // namespace ems::analyst
