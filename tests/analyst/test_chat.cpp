// The analyst's chat (OpenAI-compatible /v1/chat/completions) end to end: the real ems-analyst
// and ems-device-api (demo site) on a real PostgreSQL. No-LLM mode: answers routed to tools and
// composed, streaming, stored conversations and the official `openai` npm client. LLM mode: the
// upstream model is a PROTOCOL-LEVEL STAND-IN - an HTTP server in this test that speaks the OpenAI
// chat-completions wire format and answers with scripted tool calls and texts; it checks the agent
// loop, not any model's intelligence.
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "analyst_process.hpp"
#include "ems/testing/device_api.hpp"

namespace {

using ems::testing::AnalystProcess;
using nlohmann::json;

#ifndef EMS_DEVICE_API_BINARY
#error "the chat tests need ems-device-api (services/device-api)"
#endif

ems::testing::DeviceApiProcess& device_api() {
  static auto* api = ems::testing::start_demo_device_api().release();
  return *api;
}

std::string ask_body(const std::string& question, bool stream = false) {
  return json{{"model", "ems-analyst"},
              {"messages", json::array({{{"role", "user"}, {"content", question}}})},
              {"stream", stream}}
      .dump();
}

// ---------------------------------------------------------------------------------------------
// No-LLM mode

class ChatNoLlmIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    analyst_ = new AnalystProcess(
        {"EMS_DEVICE_API_URL=" + device_api().base_url(), "EMS_MCP_URL=http://127.0.0.1:9"});
    analyst_->start();
    // A system_load champion, so forecast questions have a model to answer with.
    const auto trained =
        analyst_->post("/models/train", R"({"target":"system_load","model":"gbt"})");
    ASSERT_EQ(trained.status, 201) << trained.body;
  }
  static void TearDownTestSuite() {
    delete analyst_;
    analyst_ = nullptr;
  }
  static json ask(const std::string& question, const httplib::Headers& headers = {}) {
    const auto a = analyst_->post("/v1/chat/completions", ask_body(question), "", headers);
    EXPECT_EQ(a.status, 200) << a.body;
    auto j = json::parse(a.body);
    j["_conversation_header"] = a.conversation_id;
    return j;
  }
  static AnalystProcess* analyst_;
};
AnalystProcess* ChatNoLlmIntegration::analyst_ = nullptr;

TEST_F(ChatNoLlmIntegration, AnswersFromTheToolsSayingNoModelIsConfigured) {
  const json r = ask("Which devices are under the battery module?");
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["mode"], "no_llm");
  const std::string content = r["choices"][0]["message"]["content"];
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(content.rfind("No language model is configured", 0), 0u) << content;
  EXPECT_NE(content.find("bess_rack_1"), std::string::npos) << content;
  EXPECT_NE(content.find("bess_rack_2"), std::string::npos) << content;
  EXPECT_NE(content.find("Sources:"), std::string::npos) << content;
  ASSERT_EQ(r["tool_calls_made"].size(), 1u);
  EXPECT_EQ(r["tool_calls_made"][0]["name"], "site_status");
  EXPECT_EQ(r["sources"][0]["read"][0], device_api().base_url() + "/topology/view");

  // Stored: the conversation has this turn; a second turn with its id joins it.
  const std::string conversation = r["conversation_id"];
  EXPECT_EQ(r["_conversation_header"], conversation);
  ask("What is the parent of the BMS?", {{"X-EMS-Conversation-Id", conversation}});
  const auto stored = json::parse(analyst_->get("/v1/conversations/" + conversation).body);
  ASSERT_EQ(stored["turns"].size(), 2u) << stored;
  EXPECT_EQ(stored["turns"][0]["question"], "Which devices are under the battery module?");
  EXPECT_EQ(stored["turns"][0]["answer"], content);
  EXPECT_EQ(stored["turns"][1]["tool_calls"][0]["arguments"]["device"], "bess_bms_1");
  EXPECT_EQ(analyst_->get("/v1/conversations/nope").status, 404);
}

TEST_F(ChatNoLlmIntegration, StreamsTheSameAnswerAsServerSentEvents) {
  const std::string question = "What is the switchgear part of?";
  const std::string whole = ask(question)["choices"][0]["message"]["content"];
  const auto a = analyst_->post("/v1/chat/completions", ask_body(question, true), "");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.content_type.rfind("text/event-stream", 0), 0u);
  std::istringstream in(a.body);
  std::string line, text;
  std::vector<json> chunks;
  bool done = false;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) != 0) continue;
    if (line == "data: [DONE]") {
      done = true;
      continue;
    }
    chunks.push_back(json::parse(line.substr(6)));
    EXPECT_EQ(chunks.back()["object"], "chat.completion.chunk");
    const auto& delta = chunks.back()["choices"][0]["delta"];
    if (delta.contains("content")) text += delta["content"].get<std::string>();
  }
  EXPECT_TRUE(done);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks.back()["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(chunks.back()["sources"][0]["tool"], "site_status");
  EXPECT_EQ(text, whole);
}

TEST_F(ChatNoLlmIntegration, BadRequestsAreProblems) {
  const auto expect = [](const ems::testing::AnalystAnswer& a, const std::string& path) {
    EXPECT_EQ(a.status, 400) << a.body;
    EXPECT_EQ(a.content_type, "application/problem+json");
    if (!path.empty()) {
      EXPECT_EQ(json::parse(a.body)["errors"][0]["path"], path) << a.body;
    }
  };
  expect(analyst_->post("/v1/chat/completions", "{", ""), "");
  expect(analyst_->post("/v1/chat/completions", R"({"messages":[]})", ""), "/messages");
  expect(analyst_->post("/v1/chat/completions", R"({"messages":[{"role":"wizard","content":"x"}]})",
                        ""),
         "/messages/0/role");
  expect(analyst_->post(
             "/v1/chat/completions",
             R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"x"}]})",
             ""),
         "/messages/1");
  expect(analyst_->post("/v1/chat/completions",
                        R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})", ""),
         "/stream");
  const auto models = json::parse(analyst_->get("/v1/models").body);
  EXPECT_EQ(models["object"], "list");
  EXPECT_EQ(models["data"][0]["id"], "ems-analyst");
}

// The evaluation set (eval/chat_eval.json) runs in test_chat_live.cpp, on the live demo site
// with the historian and ems-mcp, so every question's facts are checked.

// The official `openai` npm client (tests/analyst/openai, installed by `npm ci`) calls the
// endpoint with and without streaming.
TEST_F(ChatNoLlmIntegration, OfficialOpenAiClientTalksToIt) {
  const std::string dir = std::string(EMS_SOURCE_ROOT) + "/tests/analyst/openai";
  std::ifstream installed(dir + "/node_modules/openai/package.json");
  ASSERT_TRUE(installed) << "the openai npm client is not installed: run `npm ci` in " << dir
                         << " (./ems test and scripts/install-deps.sh do)";
  std::string output;
  const int code = ems::testing::run_command(
      {"/usr/bin/env", "EMS_ANALYST_URL=" + analyst_->base_url(), "node", dir + "/chat.mjs"},
      std::chrono::seconds(120), &output);
  ASSERT_EQ(code, 0) << output;
  const auto last = output.substr(output.rfind("{\"ok\""));
  const json r = json::parse(last);
  EXPECT_TRUE(r["ok"].get<bool>()) << output;
  EXPECT_NE(r["plain"].get<std::string>().find("bess_rack_1"), std::string::npos) << output;
  EXPECT_GT(r["chunks"].get<int>(), 2) << output;
  EXPECT_EQ(r["streamed"], r["plain"]) << output;
  EXPECT_EQ(r["models"][0], "ems-analyst");
}

// ---------------------------------------------------------------------------------------------
// LLM mode against the protocol-level stand-in

class StandInLlm {
 public:
  StandInLlm() : port_(ems::testing::free_loopback_port()) {
    server_.Post("/v1/chat/completions",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard lock(mutex_);
                   requests_.push_back(json::parse(req.body));
                   authorization_ = req.get_header_value("Authorization");
                   if (script_.empty()) {
                     res.status = 500;
                     res.set_content("script exhausted", "text/plain");
                     return;
                   }
                   auto [status, body] = script_.front();
                   script_.pop_front();
                   res.status = status;
                   res.set_content(body.dump(), "application/json");
                 });
    thread_ = std::thread([this] { server_.listen("127.0.0.1", port_); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~StandInLlm() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void reply_tools(const json& calls) {
    json tool_calls = json::array();
    int i = 0;
    for (const auto& c : calls)
      tool_calls.push_back({{"id", "call_" + std::to_string(i++)},
                            {"type", "function"},
                            {"function", {{"name", c[0]}, {"arguments", c[1]}}}});
    push(
        200,
        {{"choices",
          json::array({{{"index", 0},
                        {"message",
                         {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", tool_calls}}},
                        {"finish_reason", "tool_calls"}}})},
         {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 10}, {"total_tokens", 110}}}});
  }
  void reply_text(const std::string& text) {
    push(200,
         {{"choices", json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", text}}},
                                    {"finish_reason", "stop"}}})},
          {"usage", {{"prompt_tokens", 200}, {"completion_tokens", 20}, {"total_tokens", 220}}}});
  }
  void reply_status(int status) { push(status, {{"error", {{"message", "overloaded"}}}}); }
  std::vector<json> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::string authorization() {
    std::lock_guard lock(mutex_);
    return authorization_;
  }
  void reset() {
    std::lock_guard lock(mutex_);
    requests_.clear();
    script_.clear();
  }

 private:
  void push(int status, json body) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(status, std::move(body));
  }
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::deque<std::pair<int, json>> script_;
  std::vector<json> requests_;
  std::string authorization_;
};

class ChatLlmIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llm_ = new StandInLlm();
    analyst_ = new AnalystProcess({"EMS_DEVICE_API_URL=" + device_api().base_url(),
                                   "EMS_MCP_URL=http://127.0.0.1:9", "EMS_LLM_URL=" + llm_->url(),
                                   "EMS_LLM_MODEL=stand-in", "EMS_LLM_API_KEY=llm-key-1",
                                   "EMS_CHAT_MAX_ROUNDS=2"});
    analyst_->start();
  }
  static void TearDownTestSuite() {
    delete analyst_;
    delete llm_;
  }
  void SetUp() override { llm_->reset(); }
  static StandInLlm* llm_;
  static AnalystProcess* analyst_;
};
StandInLlm* ChatLlmIntegration::llm_ = nullptr;
AnalystProcess* ChatLlmIntegration::analyst_ = nullptr;

TEST_F(ChatLlmIntegration, RunsTheToolsTheModelChoosesAndAnswersWithSources) {
  llm_->reply_tools(json::array({{"site_status", R"({"device":"bess_module_1"})"}}));
  llm_->reply_text("The battery module holds bess_rack_1 and bess_rack_2.");
  const auto a = analyst_->post("/v1/chat/completions", ask_body("What is in the battery?"), "");
  ASSERT_EQ(a.status, 200) << a.body;
  const json r = json::parse(a.body);
  EXPECT_EQ(r["mode"], "llm");
  const std::string content = r["choices"][0]["message"]["content"];
  EXPECT_EQ(content.rfind("The battery module holds bess_rack_1 and bess_rack_2.", 0), 0u)
      << content;
  EXPECT_NE(content.find("Sources:\n- site_status {\"device\":\"bess_module_1\"}"),
            std::string::npos)
      << content;
  EXPECT_EQ(r["usage"]["total_tokens"], 330);
  ASSERT_EQ(r["tool_calls_made"].size(), 1u);
  EXPECT_TRUE(r["tool_calls_made"][0]["ok"].get<bool>());

  const auto requests = llm_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0]["model"], "stand-in");
  EXPECT_EQ(llm_->authorization(), "Bearer llm-key-1");
  std::set<std::string> offered;
  for (const auto& t : requests[0]["tools"]) offered.insert(t["function"]["name"]);
  for (const char* name : {"site_status", "site_history", "site_forecast", "search_knowledge",
                           "graph_neighbors", "graph_path", "upstream", "entity_chunks", "topology",
                           "latest_telemetry", "telemetry_history", "forecast"})
    EXPECT_TRUE(offered.count(name)) << name;
  // The tool's result went back to the model as a tool message for its call id.
  const auto& sent = requests[1]["messages"];
  const auto& tool_message = sent[sent.size() - 1];
  EXPECT_EQ(tool_message["role"], "tool");
  EXPECT_EQ(tool_message["tool_call_id"], "call_0");
  EXPECT_NE(tool_message["content"].get<std::string>().find("bess_rack_2"), std::string::npos);
  EXPECT_EQ(sent[sent.size() - 2]["tool_calls"][0]["function"]["name"], "site_status");
}

TEST_F(ChatLlmIntegration, ToolErrorsAreFedBackNotFatal) {
  llm_->reply_tools(json::array({{"rm_rf", "{}"},
                                 {"site_history", "{not json"},
                                 {"site_status", R"({"device":"no_such_device"})"}}));
  llm_->reply_text("I could not find that device.");
  const auto a =
      analyst_->post("/v1/chat/completions", ask_body("Status of the flux capacitor?"), "");
  ASSERT_EQ(a.status, 200) << a.body;
  const json r = json::parse(a.body);
  ASSERT_EQ(r["tool_calls_made"].size(), 3u);
  for (const auto& c : r["tool_calls_made"]) EXPECT_FALSE(c["ok"].get<bool>()) << c;
  const auto sent = llm_->requests()[1]["messages"].dump();
  EXPECT_NE(sent.find("unknown tool 'rm_rf'"), std::string::npos) << sent;
  EXPECT_NE(sent.find("not valid JSON"), std::string::npos) << sent;
  EXPECT_NE(sent.find("no device 'no_such_device'"), std::string::npos) << sent;
}

TEST_F(ChatLlmIntegration, ToolRoundsAreBounded) {
  // A model that never stops calling tools: after EMS_CHAT_MAX_ROUNDS (2) rounds it is asked
  // once more without tools, and the answer says the limit was reached.
  for (int i = 0; i < 2; ++i) llm_->reply_tools(json::array({{"site_status", "{}"}}));
  llm_->reply_text("Here is what I found.");
  const auto a = analyst_->post("/v1/chat/completions", ask_body("Loop forever"), "");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto requests = llm_->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].contains("tools"));
  EXPECT_FALSE(requests[2].contains("tools"));
  const std::string content = json::parse(a.body)["choices"][0]["message"]["content"];
  EXPECT_NE(content.find("limit"), std::string::npos) << content;
}

TEST_F(ChatLlmIntegration, AFailingUpstreamIsA502Problem) {
  llm_->reply_status(503);
  const auto a = analyst_->post("/v1/chat/completions", ask_body("Anyone there?"), "");
  EXPECT_EQ(a.status, 502) << a.body;
  EXPECT_EQ(a.content_type, "application/problem+json");
  EXPECT_NE(a.body.find("503"), std::string::npos);
  EXPECT_EQ(analyst_->get("/healthz").status, 200);
}

}  // namespace
