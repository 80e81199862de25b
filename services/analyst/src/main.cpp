// analyst: forecasts with a model registry. See README "analyst" and services/analyst/README.md.
//   ems-analyst                 the HTTP service (what `ems up` starts)
//   ems-analyst backtest ...    the rolling-origin backtest CLI (backtest_command.hpp)

#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "backtest_command.hpp"
#include "chat_agent.hpp"
#include "chat_api.hpp"
#include "chat_tools.hpp"
#include "conversation_store.hpp"
#include "ems/forecasting/dataset.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/shutdown.hpp"
#include "forecaster.hpp"
#include "history_source.hpp"
#include "http_api.hpp"
#include "model_registry.hpp"
#include "trainer.hpp"

namespace {

using namespace ems;

bool is_ercot_target(const std::string& column) {
  return column.rfind("solar_", 0) == 0 ||
         (column.size() > 5 && column.compare(column.size() - 5, 5, "_load") == 0);
}

// Trains every scheduled target at once when it has no model yet, then every `interval`.
void run_schedule(analyst::Trainer& trainer, analyst::ModelRegistry& registry,
                  const std::vector<std::string>& targets, std::chrono::milliseconds interval,
                  std::stop_token stop) {
  const auto train_all = [&](bool only_untrained) {
    for (const auto& target : targets) {
      if (stop.stop_requested() || runtime::shutdown_requested()) return;
      try {
        if (only_untrained && !registry.list(target, 1).empty()) continue;
        analyst::TrainRequest request;
        request.target = target;
        trainer.train(request);
      } catch (const std::exception& e) {
        // Logged by the trainer for TrainError; anything else (database) here.
        runtime::log::warn("scheduled training failed", {{"target", target}, {"error", e.what()}});
      }
    }
  };
  train_all(true);
  while (!runtime::wait_for_shutdown(interval, stop)) train_all(false);
}

int serve() {
  runtime::install_shutdown_handlers();
  runtime::log::init("analyst");
  auto& metrics = runtime::metrics::Registry::global();
  const std::string data_path = runtime::env_string("EMS_ANALYST_DATA", EMS_ANALYST_DEFAULT_DATA);
  const std::string database_url = runtime::require_string("EMS_DATABASE_URL");
  analyst::HttpApiOptions api;
  api.api_token = runtime::env_optional("EMS_API_TOKEN");
  if (!api.api_token)
    runtime::log::warn("EMS_API_TOKEN is not set: POST /models/train will be refused (403)");

  const auto data = forecasting::Dataset::load_csv(data_path);
  const auto& report = data.report();
  runtime::log::info("data set loaded", {{"path", data_path},
                                         {"rows_kept", report.rows_kept},
                                         {"duplicates_dropped", report.duplicates.size()},
                                         {"missing_hours", report.missing_hours()},
                                         {"spikes_removed", report.spikes.size()},
                                         {"rejected_rows", report.rejected.size()}});
  metrics.gauge("ems_analyst_data_rows", "Rows of the forecasting data set kept after cleaning")
      .with()
      .set(static_cast<double>(report.rows_kept));

  analyst::DatasetSource ercot(data, data_path);
  analyst::HistorianSourceOptions site;
  site.base_url = runtime::env_string("EMS_HISTORIAN_URL", "http://127.0.0.1:8410");
  site.history_days = static_cast<int>(runtime::env_int("EMS_ANALYST_SITE_HISTORY_DAYS", 120));
  site.targets["site_pv"] = analyst::parse_site_series(
      runtime::env_string("EMS_ANALYST_SITE_PV", "pv_inverter_1/active_power"),
      "EMS_ANALYST_SITE_PV");
  site.targets["site_load"] = analyst::parse_site_series(
      runtime::env_string("EMS_ANALYST_SITE_LOAD", "compute_module_1/total_power"),
      "EMS_ANALYST_SITE_LOAD");
  analyst::HistorianSource historian(site);
  const forecasting::Place site_place{runtime::env_double("EMS_ANALYST_SITE_LATITUDE", 37.77),
                                      runtime::env_double("EMS_ANALYST_SITE_LONGITUDE", -122.42)};

  analyst::TargetCatalog targets;
  for (const auto& column : data.columns())
    if (is_ercot_target(column))
      targets.add({column, &ercot, forecasting::place_for_target(column), false});
  for (const auto& name : historian.targets()) targets.add({name, &historian, site_place, true});

  analyst::ModelRegistry registry(database_url);
  registry.open();
  analyst::Trainer trainer(targets, registry, metrics);
  trainer.publish_champion_metrics();
  analyst::Forecaster forecaster(targets, registry);

  // Chat: the tools, the upstream LLM (none = no-LLM mode) and the stored conversations.
  analyst::ToolBoxOptions tool_options;
  tool_options.historian_url = site.base_url;
  tool_options.device_api_url = runtime::env_string("EMS_DEVICE_API_URL", "http://127.0.0.1:8400");
  tool_options.mcp_url = runtime::env_string("EMS_MCP_URL", "http://127.0.0.1:8430") + "/mcp";
  analyst::ToolBox tools(tool_options, forecaster, registry);
  std::optional<analyst::LlmOptions> llm;
  if (const auto url = runtime::env_optional("EMS_LLM_URL"))
    llm = analyst::LlmOptions{*url, runtime::env_string("EMS_LLM_MODEL", "default"),
                              runtime::env_optional("EMS_LLM_API_KEY")};
  analyst::ChatLimits limits;
  limits.max_rounds = static_cast<int>(runtime::env_int("EMS_CHAT_MAX_ROUNDS", limits.max_rounds));
  limits.timeout = runtime::env_duration_ms("EMS_CHAT_TIMEOUT", limits.timeout);
  limits.max_tokens = static_cast<int>(runtime::env_int("EMS_CHAT_MAX_TOKENS", limits.max_tokens));
  limits.token_budget =
      static_cast<int>(runtime::env_int("EMS_CHAT_TOKEN_BUDGET", limits.token_budget));
  analyst::ChatAgent agent(tools, llm, limits);
  analyst::ConversationStore conversations(database_url);
  runtime::log::info("chat configured", {{"mode", llm ? "llm" : "no_llm"},
                                         {"mcp_url", tool_options.mcp_url},
                                         {"llm_model", llm ? llm->model : ""}});

  runtime::HttpServer server(runtime::http_options_from_env("EMS_ANALYST", 8420), metrics);
  analyst::install_http_api(server, api, targets, registry, trainer, forecaster);
  analyst::install_chat_api(server, agent, conversations, metrics);
  server.start();
  runtime::log::info("analyst listening", {{"port", server.port()}});

  const auto interval =
      runtime::env_duration_ms("EMS_ANALYST_TRAIN_INTERVAL", std::chrono::hours(24));
  const auto scheduled = runtime::env_list("EMS_ANALYST_TRAIN_TARGETS",
                                           {"solar_system", "system_load", "site_pv", "site_load"});
  for (const auto& t : scheduled)
    if (!targets.find(t))
      throw std::runtime_error("EMS_ANALYST_TRAIN_TARGETS: unknown target '" + t + "'");
  std::jthread schedule;
  if (interval.count() > 0 && !scheduled.empty())
    schedule = std::jthread(
        [&](std::stop_token stop) { run_schedule(trainer, registry, scheduled, interval, stop); });

  runtime::wait_for_shutdown();
  runtime::log::info("analyst shutting down");
  server.stop();
  if (schedule.joinable()) {
    schedule.request_stop();
    schedule.join();  // a training in progress finishes first (seconds)
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "backtest") {
    const std::vector<std::string> args(argv + 2, argv + argc);
    return ems::analyst::run_backtest_command(args, std::cout, std::cerr);
  }
  if (argc > 1) {
    std::cerr << "unknown subcommand '" << argv[1]
              << "' (run without arguments for the service, or `backtest --help`)\n";
    return 2;
  }
  try {
    return serve();
  } catch (const std::exception& e) {
    ems::runtime::log::critical("analyst failed to start", {{"error", e.what()}});
    return 1;
  }
}
