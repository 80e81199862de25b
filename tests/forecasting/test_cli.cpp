// The ems-analyst binary: the backtest CLI on small files, and the service mode `ems up` starts.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

extern char** environ;

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

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(AnalystService, WithoutASubcommandItServesHealthAndForecastsAndStopsOnSigterm) {
  const int port = free_port();
  const std::string port_env = "EMS_ANALYST_PORT=" + std::to_string(port);
  std::vector<std::string> env_strings = {port_env, "EMS_ANALYST_HOST=127.0.0.1"};
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = EMS_ANALYST_BINARY;
  char* argv[] = {bin.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv, envp.data()), 0);

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  bool healthy = false;
  for (int i = 0; i < 100 && !healthy; ++i) {
    const auto res = client.Get("/healthz");
    healthy = res && res->status == 200;
    if (!healthy) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(healthy);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  auto res =
      client.Get("/forecast?target=solar_system&from=2023-12-01&to=2023-12-02&model=persistence");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["model"], "persistence");
  ASSERT_EQ(body["points"].size(), 48u);
  EXPECT_EQ(body["points"][12]["timestamp"], "2023-12-01 12:00:00");
  EXPECT_GT(body["points"][12]["forecast"].get<double>(), 1000.0);
  EXPECT_EQ(body["metrics"]["skill"].get<double>(), 0.0);
  res = client.Get("/forecast?target=solar_system&from=2023-12-01&to=2023-12-03");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["model"], "gbt");
  res = client.Get("/forecast?target=solar_system&from=2023-12-01&to=2023-12-01&interval=80");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const auto with_interval = nlohmann::json::parse(res->body);
  EXPECT_EQ(with_interval["interval"], 80);
  const auto& noon = with_interval["points"][13];
  EXPECT_LE(noon["lower"].get<double>(), noon["upper"].get<double>());
  EXPECT_GT(noon["upper"].get<double>(), noon["lower"].get<double>() + 100.0);
  EXPECT_EQ(
      client.Get("/forecast?target=solar_system&from=2023-12-01&to=2023-12-01&interval=81")->status,
      400);
  res = client.Get("/forecast?target=nope&from=2023-12-01&to=2023-12-02");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("unknown column"), std::string::npos);
  EXPECT_EQ(client.Get("/forecast?target=solar_system&from=2023-12-01&to=2024-03-01")->status, 400);
  EXPECT_EQ(client.Get("/forecast?target=solar_system&from=x&to=2023-12-02")->status, 400);
  res = client.Get("/forecast?target=solar_system&from=2022-06-29&to=2022-06-30");  // no history
  EXPECT_EQ(res->status, 422);
  EXPECT_NE(res->body.find("not enough history"), std::string::npos);
  const auto metrics = client.Get("/metrics");
  EXPECT_NE(metrics->body.find("ems_analyst_data_rows 12621"), std::string::npos);

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

#endif

}  // namespace
