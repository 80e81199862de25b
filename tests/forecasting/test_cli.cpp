// The ems-analyst binary: the backtest CLI on small files (the service: tests/analyst).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

#ifdef EMS_ANALYST_BINARY

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun run_cli(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string err_path = (dir / ("ems_analyst_err_" + std::to_string(getpid()))).string();
  const std::string cmd = std::string(EMS_ANALYST_BINARY) + " " + args + " 2>" + err_path;
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::filesystem::remove(err_path);
  return r;
}

// Three days of made-up hourly values, T-separated labels, a duplicate and an empty cell; then
// `future` for every hour of days 4 and 5.
std::string write_csv(const std::string& name, double future) {
  const auto path = std::filesystem::temp_directory_path() / (name + std::to_string(getpid()));
  std::ofstream out(path);
  out << "timestamp,load\n";
  for (int d = 1; d <= 5; ++d)
    for (int h = 0; h < 24; ++h) {
      char label[32];
      std::snprintf(label, sizeof label, "2023-01-%02dT%02d:00:00", d, h);
      const double v = d <= 3 ? 10.0 * d + h : future;
      if (d == 2 && h == 5) {
        out << label << ",\n";  // empty cell
        continue;
      }
      out << label << ',' << v << '\n';
      if (d == 1 && h == 7) out << label << ",999\n";  // duplicate: dropped
    }
  return path.string();
}

TEST(AnalystCli, BacktestPrintsForecastsWithTheFileLabelsAndASummary) {
  const std::string csv = write_csv("cli_a_", 500.0);
  const CliRun r = run_cli("backtest --data " + csv +
                           " --target load --from 2023-01-03 --to 2023-01-04 --model persistence");
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "timestamp,forecast");
  std::getline(lines, line);
  EXPECT_EQ(line, "2023-01-03T00:00:00,20.000");  // same hour yesterday, label as written
  int count = 1;
  std::string h5;
  while (std::getline(lines, line)) {
    ++count;
    if (line.rfind("2023-01-03T05:00:00", 0) == 0) h5 = line;
  }
  EXPECT_EQ(count, 48);
  EXPECT_EQ(h5, "2023-01-03T05:00:00,");  // yesterday's cell was empty: no forecast
  EXPECT_NE(r.err.find("duplicate labels dropped (first kept): 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty cells: load=1"), std::string::npos) << r.err;
  // Day 3 hours score 10 each (30+h vs 20+h), day 4: |500 - (30+h)|.
  EXPECT_NE(r.err.find("MAE="), std::string::npos);
  EXPECT_NE(r.err.find("skill=0.0%"), std::string::npos) << r.err;
  std::filesystem::remove(csv);
}

TEST(AnalystCli, TheToolCutsTheFileAtEachDayWhateverItHolds) {
  const std::string a = write_csv("cli_b_", 500.0);
  const std::string b = write_csv("cli_c_", -7777.0);
  for (const char* model : {"seasonal_naive", "climatology", "persistence"}) {
    const std::string args =
        std::string(" --target load --from 2023-01-02 --to 2023-01-04 --model ") + model;
    const CliRun ra = run_cli("backtest --data " + a + args);
    const CliRun rb = run_cli("backtest --data " + b + args);
    ASSERT_EQ(ra.code, 0) << ra.err;
    EXPECT_EQ(ra.out, rb.out) << model;
  }
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

TEST(AnalystCli, BadInputIsAClearErrorNotACrash) {
  const std::string csv = write_csv("cli_d_", 1.0);
  CliRun r = run_cli("backtest --data " + csv + " --from 2023-01-02 --to 2023-01-03");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing --target"), std::string::npos);
  r = run_cli("backtest --data " + csv + " --target nope --from 2023-01-02 --to 2023-01-03");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown column 'nope'"), std::string::npos);
  r = run_cli("backtest --data " + csv + " --target load --from 2023-13-02 --to 2023-01-03");
  EXPECT_EQ(r.code, 2);
  r = run_cli("backtest --data /nonexistent.csv --target load --from 2023-01-02 --to 2023-01-03");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot open"), std::string::npos);
  r = run_cli("backtest --data " + csv +
              " --target load --from 2023-01-02 --to 2023-01-03 "
              "--model magic");
  EXPECT_EQ(r.code, 2);
  r = run_cli("frobnicate");
  EXPECT_EQ(r.code, 2);
  std::filesystem::remove(csv);
}

#endif

}  // namespace
