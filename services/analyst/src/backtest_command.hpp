#pragma once
// `ems-analyst backtest --data FILE --target COLUMN --from YYYY-MM-DD --to YYYY-MM-DD
//  [--model NAME] [--refit-days N] [--trees N] [--depth N] [--train-days N]`
// (the last three are GbtParams; defaults in models.hpp)
// Prints CSV `timestamp,forecast` (one line per label of the range that the file holds, the
// timestamp exactly as written there; an hour the model cannot forecast has an empty forecast)
// on `out`, then the data-quality report and the summary (MAE, RMSE, skill against persistence
// on the same hours) on `err`. Returns the process exit code: 0 ok, 2 usage or input error.
#include <ostream>
#include <string>
#include <vector>

namespace ems::analyst {

int run_backtest_command(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace ems::analyst
