// analyst: day-ahead forecasts of the shipped ERCOT data. See README "analyst".
//   ems-analyst                 the HTTP service (what `ems up` starts)
//   ems-analyst backtest ...    the rolling-origin backtest CLI (backtest_command.hpp)

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "backtest_command.hpp"
#include "ems/forecasting/dataset.hpp"
#include "ems/runtime/config.hpp"
#include "ems/runtime/http.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/shutdown.hpp"
#include "forecast_api.hpp"

namespace {

using namespace ems;

int serve() {
  runtime::install_shutdown_handlers();
  runtime::log::init("analyst");
  auto& registry = runtime::metrics::Registry::global();
  const std::string data_path = runtime::env_string("EMS_ANALYST_DATA", EMS_ANALYST_DEFAULT_DATA);

  const auto data = forecasting::Dataset::load_csv(data_path);
  const auto& report = data.report();
  runtime::log::info("data set loaded", {{"path", data_path},
                                         {"rows_kept", report.rows_kept},
                                         {"duplicates_dropped", report.duplicates.size()},
                                         {"missing_hours", report.missing_hours()},
                                         {"spikes_removed", report.spikes.size()},
                                         {"rejected_rows", report.rejected.size()}});
  registry.gauge("ems_analyst_data_rows", "Rows of the forecasting data set kept after cleaning")
      .with()
      .set(static_cast<double>(report.rows_kept));

  runtime::HttpServer server(runtime::http_options_from_env("EMS_ANALYST", 8420), registry);
  analyst::install_forecast_api(server, data);
  server.start();
  runtime::log::info("analyst listening", {{"port", server.port()}});

  runtime::wait_for_shutdown();
  runtime::log::info("analyst shutting down");
  server.stop();
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
