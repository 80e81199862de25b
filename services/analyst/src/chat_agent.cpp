#include "chat_agent.hpp"

#include <httplib.h>

#include "chat_router.hpp"
#include "ems/runtime/http_client.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

constexpr const char* kSystemPrompt =
    "You are the analyst of an energy site (grid connection with a phase-shifting transformer and "
    "a dynamically rated line, a battery, PV and a datacenter load). Answer operators' questions "
    "from the site's own data: call the tools for telemetry, history, forecasts, topology and "
    "documents, never guess a value, and say which tool results the answer rests on. Be brief.";

void record(ChatAnswer& a, const std::string& name, const json& arguments, const ToolOutcome& o) {
  json call = {{"name", name}, {"arguments", arguments}, {"ok", o.ok}};
  if (!o.ok) call["error"] = o.error;
  a.tool_calls.push_back(call);
  a.sources.push_back(o.source);
}

}  // namespace

ChatAnswer ChatAgent::answer(const json& messages) {
  if (llm_) return answer_with_llm(messages);
  return answer_without_llm(message_text(messages.back()["content"]));
}

ChatAnswer ChatAgent::answer_without_llm(const std::string& question) {
  ChatAnswer a;
  a.mode = "no_llm";
  const ChatPlan plan = route_question(question, tools_.topology_view());
  a.intent = plan.intent;
  std::vector<ToolOutcome> outcomes;
  for (const auto& call : plan.calls) {
    outcomes.push_back(tools_.call(call.tool, call.arguments));
    record(a, call.tool, call.arguments, outcomes.back());
  }
  a.content = compose_answer(plan, outcomes);
  return a;
}

json ChatAgent::complete(const json& request, std::chrono::steady_clock::time_point deadline) {
  std::string url = llm_->url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0 ? "/chat/completions"
                                                                       : "/v1/chat/completions";
  std::pair<std::string, std::string> parts;
  try {
    parts = runtime::split_http_url(url);
  } catch (const std::exception& e) {
    throw UpstreamError(std::string("EMS_LLM_URL: ") + e.what());
  }
  httplib::Client client(parts.first);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::max(left, std::chrono::milliseconds(1000)));
  httplib::Headers headers;
  if (llm_->api_key) headers.emplace("Authorization", "Bearer " + *llm_->api_key);
  auto res = client.Post(parts.second, headers, request.dump(), "application/json");
  if (!res)
    throw UpstreamError("the language model at " + url +
                        " cannot be reached: " + httplib::to_string(res.error()));
  if (res->status != 200)
    throw UpstreamError("the language model at " + url + " answered HTTP " +
                        std::to_string(res->status) + ": " + res->body.substr(0, 300));
  const auto body = json::parse(res->body, nullptr, false);
  if (!body.is_object() || !body.contains("choices") || !body["choices"].is_array() ||
      body["choices"].empty() || !body["choices"][0].contains("message"))
    throw UpstreamError("the language model at " + url + " sent no choices[0].message");
  return body;
}

ChatAnswer ChatAgent::answer_with_llm(const json& user_messages) {
  ChatAnswer a;
  a.mode = "llm";
  const auto deadline = std::chrono::steady_clock::now() + limits_.timeout;
  json messages = json::array({{{"role", "system"}, {"content", kSystemPrompt}}});
  for (const auto& m : user_messages)
    if (m.value("role", "") != "tool")
      messages.push_back(
          {{"role", m["role"]}, {"content", message_text(m.value("content", json("")))}});
  std::vector<ToolOutcome> outcomes;
  int tokens = 0;
  std::string stop_reason;
  for (int round = 0;; ++round) {
    const bool may_call_tools = round < limits_.max_rounds && tokens < limits_.token_budget &&
                                std::chrono::steady_clock::now() < deadline;
    if (!may_call_tools && stop_reason.empty())
      stop_reason = round >= limits_.max_rounds      ? "tool rounds"
                    : tokens >= limits_.token_budget ? "token budget"
                                                     : "time";
    json request = {
        {"model", llm_->model}, {"messages", messages}, {"max_tokens", limits_.max_tokens}};
    if (may_call_tools) {
      request["tools"] = tools_.openai_tools();
      request["tool_choice"] = "auto";
    }
    const json body = complete(
        request,
        may_call_tools ? deadline : std::chrono::steady_clock::now() + std::chrono::seconds(30));
    if (body.contains("usage") && body["usage"].is_object()) {
      for (const char* k : {"prompt_tokens", "completion_tokens", "total_tokens"})
        if (body["usage"].value(k, json(nullptr)).is_number_integer())
          a.usage[k] = a.usage[k].get<int>() + body["usage"][k].get<int>();
      tokens = a.usage["total_tokens"].get<int>();
    }
    const json& message = body["choices"][0]["message"];
    const json calls = message.value("tool_calls", json::array());
    if (may_call_tools && calls.is_array() && !calls.empty()) {
      messages.push_back({{"role", "assistant"},
                          {"content", message.value("content", json(nullptr))},
                          {"tool_calls", calls}});
      for (const auto& call : calls) {
        const std::string id = call.value("id", std::string());
        const json fn = call.value("function", json::object());
        const std::string name = fn.value("name", std::string());
        json args = json::parse(fn.value("arguments", std::string("{}")), nullptr, false);
        ToolOutcome o;
        if (args.is_discarded()) {
          o.error = "the arguments are not valid JSON: " + fn.value("arguments", std::string());
          o.source = {{"tool", name},
                      {"arguments", fn.value("arguments", std::string())},
                      {"ok", false},
                      {"error", o.error}};
          args = fn.value("arguments", std::string());
        } else if (!tools_.has(name)) {
          o.error = "unknown tool '" + name + "'";
          o.source = {{"tool", name}, {"arguments", args}, {"ok", false}, {"error", o.error}};
        } else {
          o = tools_.call(name, args);
        }
        std::string content = o.ok ? o.result.dump() : json{{"error", o.error}}.dump();
        if (content.size() > limits_.max_tool_result_chars)
          content = content.substr(0, limits_.max_tool_result_chars) + "...(cut)";
        messages.push_back({{"role", "tool"}, {"tool_call_id", id}, {"content", content}});
        record(a, name, args, o);
        outcomes.push_back(std::move(o));
      }
      continue;
    }
    a.content = message_text(message.value("content", json("")));
    a.finish_reason = body["choices"][0].value("finish_reason", json("stop")).is_string()
                          ? body["choices"][0].value("finish_reason", std::string("stop"))
                          : "stop";
    break;
  }
  if (!stop_reason.empty())
    a.content += "\n\n(The tool loop stopped at its " + stop_reason + " limit.)";
  a.content += "\n\n" + sources_text(outcomes);
  return a;
}

}  // namespace ems::analyst
