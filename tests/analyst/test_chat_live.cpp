// The chat on the live demo site: real PostgreSQL and mosquitto (tests/support), then the built
// binaries ems-device-api (demo DTM, devices moved to free loopback ports), ems-fixtures (the
// simulated site), ems-gateway (polling it and publishing), ems-line-controller (publishing the
// line's rating and loading), ems-historian (storing), ems-mcp
// (knowledge store and graph, its corpus ingested at start) and ems-analyst (no-LLM mode, its
// tools pointed at all of them).
//
//  - Live answers match live data: "what is the battery's state of charge?" answers the value the
//    historian holds for bess_module_1/state_of_charge (GET /latest), no older than what it held
//    when the question was asked, and names the historian as the source.
//  - The evaluation set (eval/chat_eval.json): tool selection and the expected facts of every
//    question - device-api, analyst, historian and mcp facts alike - written to
//    build/eval/chat_eval.txt for `ems test` to print.
//
// A part that is not built in this tree fails the tests, saying which (never skipped).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "analyst_process.hpp"
#include "ems/runtime/http_client.hpp"
#include "ems/testing/device_api.hpp"
#include "ems/testing/dtm_ports.hpp"
#include "ems/testing/process.hpp"
#include "ems/testing/servers.hpp"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

#if !defined(EMS_HISTORIAN_BINARY) || !defined(EMS_MCP_BINARY) || !defined(EMS_FIXTURES_BINARY) || \
    !defined(EMS_GATEWAY_BINARY)

TEST(ChatLiveSite, PartsAreBuilt) {
  FAIL() << "the live chat tests need ems-historian, ems-mcp, ems-fixtures, ems-gateway and "
            "ems-line-controller built in this tree (services/historian, services/mcp, "
            "services/fixtures, services/gateway, services/line-controller)";
}

#else

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// GET url -> JSON (null when it does not answer 200 with JSON).
json get_json(const std::string& url) {
  ems::runtime::FetchOptions fetch;
  fetch.max_attempts = 1;
  fetch.read_timeout = 10s;
  try {
    const auto r = ems::runtime::fetch_with_backoff(url, fetch);
    if (r.status != 200) return nullptr;
    auto j = json::parse(r.body, nullptr, false);
    return j.is_discarded() ? json(nullptr) : j;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// One named part of the live site as a child process with its log in the run's folder.
struct Part {
  explicit Part(std::string n) : name(std::move(n)) {}
  std::string name;
  int port = ems::testing::free_loopback_port();
  std::string log;
  ems::testing::ChildProcess process;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  void start(const std::string& binary, const std::vector<std::string>& env,
             const std::string& dir) {
    log = dir + "/" + name + ".log";
    std::vector<std::string> argv{"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(binary);
    process.spawn(argv, log);
  }
  // Waits (bounded) for `path` to answer 200; throws with the log's tail otherwise.
  void wait(const std::string& path, std::chrono::seconds timeout) {
    const std::string why = ems::testing::wait_until_ready(process, url() + path, timeout, log);
    if (!why.empty()) throw std::runtime_error(name + " " + why);
  }
};

class ChatLiveSite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      start_site();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete analyst_;
    for (Part* p : {mcp_, historian_, line_controller_, gateway_, fixtures_}) {
      if (p) p->process.terminate(3000ms);
      delete p;
    }
    delete api_;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the live site did not come up"; }

  static void start_site() {
    char tmpl[] = "/tmp/ems-analyst-live-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const std::string mqtt = ems::testing::MosquittoServer::shared().url();
    std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
    json dtm = json::parse(in);
    ems::testing::move_devices_to_free_ports(dtm);
    const std::string dtm_path = dir_ + "/dtm.json";
    std::ofstream(dtm_path) << dtm.dump(2);
    const std::string secrets = dir_ + "/secrets.json";
    std::filesystem::copy_file(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/secrets.json", secrets);
    ::chmod(secrets.c_str(), 0600);

    ems::testing::DeviceApiOptions o;
    o.binary = EMS_DEVICE_API_BINARY;
    o.mqtt_url = mqtt;
    o.boot_dtm_path = dtm_path;
    api_ = new ems::testing::DeviceApiProcess(o);
    api_->start(60s);
    const std::vector<std::string> common{"EMS_DEVICE_API_URL=" + api_->base_url(),
                                          "EMS_MQTT_URL=" + mqtt, "EMS_SECRETS_PATH=" + secrets,
                                          "EMS_STATE_DIR=" + dir_};
    const auto with = [&](std::vector<std::string> extra) {
      extra.insert(extra.begin(), common.begin(), common.end());
      return extra;
    };

    fixtures_ = new Part("fixtures");
    fixtures_->start(
        EMS_FIXTURES_BINARY,
        with({"EMS_FIXTURES_HOST=127.0.0.1", "EMS_FIXTURES_PORT=" + std::to_string(fixtures_->port),
              "EMS_FIXTURES_BIND_HOST=127.0.0.1"}),
        dir_);
    fixtures_->wait("/healthz", 60s);
    gateway_ = new Part("gateway");
    gateway_->start(
        EMS_GATEWAY_BINARY,
        with({"EMS_GATEWAY_HOST=127.0.0.1", "EMS_GATEWAY_PORT=" + std::to_string(gateway_->port),
              "EMS_GATEWAY_TIMEOUT=500ms", "EMS_GATEWAY_MAX_BACKOFF=2s"}),
        dir_);
    line_controller_ = new Part("line-controller");
    line_controller_->start(
        EMS_LINE_CONTROLLER_BINARY,
        with({"EMS_MQTT_CLIENT_ID=line-controller-live-" + std::to_string(line_controller_->port),
              "EMS_LINE_CONTROLLER_HOST=127.0.0.1",
              "EMS_LINE_CONTROLLER_PORT=" + std::to_string(line_controller_->port)}),
        dir_);
    historian_ = new Part("historian");
    historian_->start(
        EMS_HISTORIAN_BINARY,
        with({"EMS_DATABASE_URL=" + ems::testing::PostgresServer::shared().create_database(),
              "EMS_MQTT_CLIENT_ID=historian-live-" + std::to_string(historian_->port),
              "EMS_HISTORIAN_HOST=127.0.0.1",
              "EMS_HISTORIAN_PORT=" + std::to_string(historian_->port),
              "EMS_HISTORIAN_SPOOL_DIR=" + dir_ + "/historian-spool"}),
        dir_);
    mcp_ = new Part("mcp");
    mcp_->start(
        EMS_MCP_BINARY,
        with({"EMS_DATABASE_URL=" + ems::testing::PostgresServer::shared().create_database(),
              "EMS_MQTT_CLIENT_ID=mcp-live-" + std::to_string(mcp_->port), "EMS_MCP_HOST=127.0.0.1",
              "EMS_MCP_PORT=" + std::to_string(mcp_->port),
              "EMS_HISTORIAN_URL=" + historian_->url(), "EMS_ANALYST_URL=http://127.0.0.1:9"}),
        dir_);
    gateway_->wait("/healthz", 60s);
    line_controller_->wait("/healthz", 60s);
    historian_->wait("/readyz", 60s);
    mcp_->wait("/readyz", 120s);

    analyst_ = new ems::testing::AnalystProcess({"EMS_DEVICE_API_URL=" + api_->base_url(),
                                                 "EMS_HISTORIAN_URL=" + historian_->url(),
                                                 "EMS_MCP_URL=" + mcp_->url()});
    analyst_->start();
    // A system_load champion, so the forecast questions have a model to answer with.
    const auto trained =
        analyst_->post("/models/train", R"({"target":"system_load","model":"gbt"})");
    if (trained.status != 201) throw std::runtime_error("training system_load: " + trained.body);
    // The battery's state of charge (the gateway polls at 1 Hz) and the line's loading (the
    // line-controller's cycle) flowing into the historian.
    const auto by = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < by) {
      if (!latest_value("bess_module_1", "state_of_charge").is_null() &&
          !latest_value("dlr_line_1", "line_loading").is_null())
        return;
      std::this_thread::sleep_for(300ms);
    }
    throw std::runtime_error(
        "no bess_module_1/state_of_charge or dlr_line_1/line_loading in the historian after "
        "60 s:\n" +
        ems::testing::tail_file(gateway_->log) + ems::testing::tail_file(line_controller_->log) +
        ems::testing::tail_file(historian_->log));
  }

  // The historian's latest {measurement, unit, ts, value} of a numeric series, null when none.
  static json latest_value(const std::string& device, const std::string& measurement) {
    const json latest = get_json(historian_->url() + "/latest?device=" + device);
    if (!latest.is_object()) return nullptr;
    for (const auto& v : latest.value("values", json::array()))
      if (v.value("measurement", "") == measurement && v["value"].is_number()) return v;
    return nullptr;
  }
  static json soc_latest() { return latest_value("bess_module_1", "state_of_charge"); }

  static json ask(const std::string& question) {
    const auto a = analyst_->post(
        "/v1/chat/completions",
        json{{"messages", json::array({{{"role", "user"}, {"content", question}}})}}.dump(), "");
    if (a.status != 200) return {{"_status", a.status}, {"_body", a.body}};
    return json::parse(a.body);
  }

  static inline std::string setup_error_;
  static inline std::string dir_;
  static inline ems::testing::DeviceApiProcess* api_ = nullptr;
  static inline Part* fixtures_ = nullptr;
  static inline Part* gateway_ = nullptr;
  static inline Part* line_controller_ = nullptr;
  static inline Part* historian_ = nullptr;
  static inline Part* mcp_ = nullptr;
  static inline ems::testing::AnalystProcess* analyst_ = nullptr;
};

// "<measurement> = <value> <unit> at <ts>;" in a composed answer -> {value, ts}.
std::optional<std::pair<double, std::string> > stated_value(const std::string& answer,
                                                            const std::string& measurement) {
  const std::string key = " " + measurement + " = ";
  const auto at = answer.find(key);
  if (at == std::string::npos) return std::nullopt;
  std::istringstream in(answer.substr(at + key.size()));
  double value = NAN;
  std::string unit, word, ts;
  if (!(in >> value >> unit >> word >> ts) || word != "at") return std::nullopt;
  if (!ts.empty() && ts.back() == ';') ts.pop_back();
  return std::pair(value, ts);
}

TEST_F(ChatLiveSite, TheBatteryStateOfChargeIsTheValueTheHistorianHolds) {
  const json before = soc_latest();
  ASSERT_FALSE(before.is_null());
  const json r = ask("What is the battery's state of charge?");
  ASSERT_TRUE(r.contains("choices")) << r;
  const std::string answer = r["choices"][0]["message"]["content"];
  const json after = soc_latest();

  const auto stated = stated_value(answer, "state_of_charge");
  ASSERT_TRUE(stated) << "no 'state_of_charge = <value> percent at <ts>' in:\n" << answer;
  const auto& [value, ts] = *stated;
  // As fresh as what the historian held when the question was asked, and no fresher than what
  // it held after the answer (RFC 3339 UTC with the same precision compare as strings).
  EXPECT_GE(ts, before["ts"].get<std::string>()) << answer;
  EXPECT_LE(ts, after["ts"].get<std::string>()) << answer;
  // The value stored at that instant (raw samples around it).
  json stored = nullptr;
  if (ts == before["ts"]) stored = before["value"];
  if (ts == after["ts"]) stored = after["value"];
  if (stored.is_null()) {
    const json samples = get_json(
        historian_->url() + "/samples?device=bess_module_1&measurement=state_of_charge" +
        "&from=" + before["ts"].get<std::string>() + "&to=" + after["ts"].get<std::string>());
    ASSERT_TRUE(samples.is_object());
    for (const auto& p : samples["points"])
      if (p["ts"] == ts) stored = p["value"];
  }
  ASSERT_TRUE(stored.is_number()) << "no stored sample at " << ts;
  EXPECT_NEAR(value, stored.get<double>(), 0.005) << answer;  // the answer has two decimals
  EXPECT_NE(answer.find(" percent at "), std::string::npos) << answer;

  // The source named: the historian's /latest of the battery module.
  const std::string source = historian_->url() + "/latest?device=bess_module_1";
  EXPECT_NE(answer.find(source), std::string::npos) << answer;
  ASSERT_EQ(r["sources"].size(), 1u) << r["sources"];
  bool read_it = false;
  for (const auto& url : r["sources"][0]["read"]) read_it = read_it || url == source;
  EXPECT_TRUE(read_it) << r["sources"];
}

// The evaluation set with every part running: tool selection and the facts of all questions.
TEST_F(ChatLiveSite, EvaluationSetToolSelectionAndAnswers) {
  std::ifstream file(std::string(EMS_SOURCE_ROOT) + "/tests/analyst/eval/chat_eval.json");
  ASSERT_TRUE(file) << "tests/analyst/eval/chat_eval.json";
  const json eval = json::parse(file);
  int questions = 0, tools_right = 0, answers_right = 0, facts = 0, facts_found = 0;
  std::map<std::string, std::pair<int, int> > by_part;  // facts_need -> {right, asked}
  for (const auto& item : eval["questions"]) {
    ++questions;
    const std::string question = item["question"];
    const json r = ask(question);
    ASSERT_TRUE(r.contains("choices")) << question << ": " << r;
    const auto& made = r["tool_calls_made"];
    bool tools_ok = made.size() == item["tools"].size();
    for (std::size_t i = 0; tools_ok && i < made.size(); ++i) {
      const auto& want = item["tools"][i];
      tools_ok = made[i]["name"] == want["name"];
      for (const auto& [k, v] : want["arguments"].items())
        tools_ok = tools_ok && made[i]["arguments"].contains(k) && made[i]["arguments"][k] == v;
    }
    tools_right += tools_ok ? 1 : 0;
    if (!tools_ok)
      std::printf("  tool selection MISSED: %s -> %s (expected %s)\n", question.c_str(),
                  made.dump().c_str(), item["tools"].dump().c_str());
    // Facts are looked for in the answer's text before its sources (which repeat the question).
    std::string content = r["choices"][0]["message"]["content"];
    content = lower(content.substr(0, content.rfind("\n\nSources:")));
    bool facts_ok = !item["facts"].empty();
    EXPECT_FALSE(item["facts"].empty()) << question << " has no expected facts";
    for (const auto& fact : item["facts"]) {
      ++facts;
      if (content.find(lower(fact.get<std::string>())) != std::string::npos) {
        ++facts_found;
        continue;
      }
      facts_ok = false;
      std::printf("  fact MISSED: %s -> '%s' not in the answer:\n%s\n", question.c_str(),
                  fact.get<std::string>().c_str(), content.substr(0, 3000).c_str());
    }
    answers_right += facts_ok ? 1 : 0;
    auto& part = by_part[item["facts_need"].get<std::string>()];
    part.first += facts_ok ? 1 : 0;
    ++part.second;
  }
  std::string parts;
  for (const auto& [name, n] : by_part)
    parts += (parts.empty() ? "" : ", ") + name + " " + std::to_string(n.first) + "/" +
             std::to_string(n.second);
  char line[600];
  std::snprintf(line, sizeof line,
                "chat eval (analyst, no-LLM mode, live demo site with historian and ems-mcp, "
                "tests/analyst/eval/chat_eval.json): tool selection %d/%d (%.1f%%), answers with "
                "all expected facts %d/%d (%.1f%%; %s), facts %d/%d\n",
                tools_right, questions, 100.0 * tools_right / questions, answers_right, questions,
                100.0 * answers_right / questions, parts.c_str(), facts_found, facts);
  std::printf("%s", line);
  // The figure `ems test` prints after ctest (scripts/run-tests.sh shows build/eval/*.txt).
  std::filesystem::create_directories(EMS_EVAL_DIR);
  std::ofstream(std::string(EMS_EVAL_DIR) + "/chat_eval.txt") << line;
  EXPECT_GE(questions, 40);
  EXPECT_GE(static_cast<double>(tools_right) / questions, 0.9);
  EXPECT_GE(static_cast<double>(answers_right) / questions, 0.9);
}

#endif

}  // namespace
