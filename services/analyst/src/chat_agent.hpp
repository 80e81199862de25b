#pragma once
// ChatAgent: one chat turn. With an upstream LLM (OpenAI-compatible /v1/chat/completions at
// EMS_LLM_URL: llama.cpp server, vLLM, Ollama, ...) it runs the agent loop - the model is given
// the ToolBox's tools, each tool call it makes is run and its result (or its error) is sent back,
// until the model answers - bounded by rounds, wall time and a token budget. Without an LLM it
// routes the question to tools and composes the answer (chat_router.hpp). Either way the
// answer ends with its sources (tool calls, URLs read, chunk ids).
//
// Errors: UpstreamError when the LLM cannot be reached or answers nonsense (the HTTP layer
// answers 502); tool failures never throw (they are fed back). Thread-safe.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "chat_request.hpp"  // message_text
#include "chat_tools.hpp"

namespace ems::analyst {

struct LlmOptions {
  std::string url;  // base URL; "/v1/chat/completions" is appended (or "/chat/completions"
                    // when the URL already ends in /v1)
  std::string model = "default";
  std::optional<std::string> api_key;
};

struct ChatLimits {
  int max_rounds = 4;                        // LLM requests that may call tools
  std::chrono::milliseconds timeout{60000};  // wall time of a whole turn
  int max_tokens = 1024;                     // max_tokens of each upstream request
  int token_budget = 16000;                  // prompt + completion tokens of a whole turn
  std::size_t max_tool_result_chars = 6000;  // a tool result sent back to the model is cut here
};

struct ChatAnswer {
  std::string content;
  std::string mode;  // "llm" | "no_llm"
  std::string finish_reason = "stop";
  nlohmann::json tool_calls = nlohmann::json::array();  // [{name, arguments, ok, error?}]
  nlohmann::json sources = nlohmann::json::array();
  nlohmann::json usage = {{"prompt_tokens", 0}, {"completion_tokens", 0}, {"total_tokens", 0}};
  std::string intent;  // no-LLM mode: the routed intent
};

class UpstreamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ChatAgent {
 public:
  ChatAgent(ToolBox& tools, std::optional<LlmOptions> llm, ChatLimits limits)
      : tools_(tools), llm_(std::move(llm)), limits_(limits) {}
  bool llm_configured() const { return llm_.has_value(); }
  // `messages`: the OpenAI request's messages (validated by the caller: a non-empty array whose
  // last entry is a user message with text content).
  ChatAnswer answer(const nlohmann::json& messages);
  std::string upstream_model() const { return llm_ ? llm_->model : std::string(); }

 private:
  ChatAnswer answer_without_llm(const std::string& question);
  ChatAnswer answer_with_llm(const nlohmann::json& messages);
  nlohmann::json complete(const nlohmann::json& request,
                          std::chrono::steady_clock::time_point deadline);

  ToolBox& tools_;
  std::optional<LlmOptions> llm_;
  ChatLimits limits_;
};

}  // namespace ems::analyst
