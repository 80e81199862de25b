#include "backtest_command.hpp"

#include <cmath>
#include <cstdio>
#include <exception>
#include <map>

#include "ems/forecasting/backtest.hpp"
#include "ems/forecasting/dataset.hpp"
#include "ems/forecasting/models.hpp"

namespace ems::analyst {

namespace {

constexpr const char* kUsage =
    "usage: ems-analyst backtest --data FILE --target COLUMN --from YYYY-MM-DD --to YYYY-MM-DD "
    "[--model NAME] [--refit-days N] [--trees N] [--depth N] [--train-days N]\n"
    "models: persistence seasonal_naive climatology clear_sky gbt gbt_median gbt_q01..gbt_q99 "
    "(default gbt)\n";

std::string fixed(double v, int decimals) {
  if (std::isnan(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

int run_backtest_command(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  const forecasting::GbtParams defaults;
  std::map<std::string, std::string> opt{{"--model", "gbt"},
                                         {"--refit-days", "1"},
                                         {"--trees", std::to_string(defaults.trees)},
                                         {"--depth", std::to_string(defaults.max_depth)},
                                         {"--train-days", std::to_string(defaults.train_days)}};
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (args[i] == "--help" || args[i] == "-h") {
      out << kUsage;
      return 0;
    }
    if (!opt.count(args[i]) && args[i] != "--data" && args[i] != "--target" &&
        args[i] != "--from" && args[i] != "--to") {
      err << "unknown option '" << args[i] << "'\n" << kUsage;
      return 2;
    }
    if (i + 1 >= args.size()) {
      err << "option " << args[i] << " needs a value\n" << kUsage;
      return 2;
    }
    opt[args[i]] = args[i + 1];
  }
  for (const char* required : {"--data", "--target", "--from", "--to"}) {
    if (!opt.count(required)) {
      err << "missing " << required << "\n" << kUsage;
      return 2;
    }
  }
  const auto from = forecasting::parse_day(opt["--from"]);
  const auto to = forecasting::parse_day(opt["--to"]);
  if (!from || !to) {
    err << "--from and --to must be dates YYYY-MM-DD\n";
    return 2;
  }
  const auto positive = [&](const char* name) {
    try {
      std::size_t used = 0;
      const int v = std::stoi(opt[name], &used);
      return used == opt[name].size() && v > 0 ? v : 0;
    } catch (const std::exception&) {
      return 0;
    }
  };
  for (const char* name : {"--refit-days", "--trees", "--depth", "--train-days"}) {
    if (positive(name) == 0) {
      err << name << " must be a positive integer\n";
      return 2;
    }
  }
  const int refit = positive("--refit-days");
  forecasting::GbtParams gbt;
  gbt.trees = positive("--trees");
  gbt.max_depth = positive("--depth");
  gbt.train_days = positive("--train-days");
  try {
    const auto data = forecasting::Dataset::load_csv(opt["--data"]);
    const auto series = data.series(opt["--target"]);
    auto model = forecasting::make_model(opt["--model"], opt["--target"], gbt);
    const auto result = forecasting::backtest(series, *model, {*from, *to, refit});
    out << "timestamp,forecast\n";
    for (const auto& h : result.hours) {
      const std::string& label = data.label_text(h.day, h.hour);
      if (label.empty()) continue;  // the file has no row for this hour
      out << label << ',' << fixed(h.forecast, 3) << '\n';
    }
    out.flush();
    err << "data quality (" << opt["--data"] << "):\n" << data.report().summary();
    const auto& m = result.metrics;
    err << "backtest target=" << opt["--target"] << " model=" << result.model
        << " from=" << opt["--from"] << " to=" << opt["--to"] << " fits=" << result.fits
        << " fit_seconds=" << fixed(result.fit_seconds, 2) << "\n";
    err << "scored_hours=" << m.hours << " MAE=" << fixed(m.mae, 2) << " RMSE=" << fixed(m.rmse, 2)
        << " persistence_MAE=" << fixed(m.persistence_mae, 2)
        << " skill=" << fixed(m.skill * 100.0, 1) << "%\n";
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace ems::analyst
