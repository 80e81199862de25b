#include "chat_api.hpp"

#include <chrono>
#include <random>

#include "chat_request.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;
using runtime::ProblemException;

constexpr const char* kModelId = "ems-analyst";

std::string new_conversation_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "conv-%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

bool valid_conversation_id(const std::string& id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::string sse(const json& chunk) {
  return "data: " + chunk.dump() + "\n\n";
}

}  // namespace

void install_chat_api(runtime::HttpServer& server, ChatAgent& agent, ConversationStore& store,
                      runtime::metrics::Registry& metrics) {
  auto& turns = metrics.counter("ems_analyst_chat_turns_total", "Chat turns by mode and outcome",
                                {"mode", "outcome"});
  auto& tool_calls = metrics.counter("ems_analyst_chat_tool_calls_total",
                                     "Tool calls made by the chat agent", {"tool", "ok"});
  auto& seconds =
      metrics.histogram("ems_analyst_chat_turn_seconds", "Wall time of a chat turn", {"mode"});

  server.get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        json{{"object", "list"},
             {"data",
              json::array(
                  {{{"id", kModelId}, {"object", "model"}, {"created", 0}, {"owned_by", "ems"}}})}}
            .dump(),
        "application/json");
  });

  server.get(R"(/v1/conversations/([A-Za-z0-9_-]{1,100}))", [&store](const httplib::Request& req,
                                                                     httplib::Response& res) {
    const std::string id = req.matches[1];
    const json t = store.turns(id);
    if (t.empty()) throw ProblemException(404, "Not Found", "no conversation " + id);
    res.set_content(json{{"conversation_id", id}, {"turns", t}}.dump(), "application/json");
  });

  server.post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
    const ChatRequest request = parse_chat_request(req.body);
    const json& messages = request.messages;
    const bool stream = request.stream;
    std::string conversation = req.get_header_value("X-EMS-Conversation-Id");
    if (conversation.empty()) conversation = new_conversation_id();
    if (!valid_conversation_id(conversation))
      throw ProblemException(400, "Bad Request",
                             "X-EMS-Conversation-Id must be 1-100 letters, digits, - or _");
    const auto started = std::chrono::steady_clock::now();
    const std::string mode = agent.llm_configured() ? "llm" : "no_llm";
    ChatAnswer answer;
    try {
      answer = agent.answer(messages);
    } catch (const UpstreamError& e) {
      turns.with({mode, "upstream_error"}).inc();
      throw ProblemException(502, "Bad Gateway", e.what());
    }
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    seconds.with({mode}).observe(took);
    turns.with({mode, "answered"}).inc();
    for (const auto& c : answer.tool_calls)
      tool_calls.with({c.value("name", std::string()), c.value("ok", false) ? "true" : "false"})
          .inc();
    ChatTurnRecord turn{conversation,
                        answer.mode,
                        message_text(messages.back()["content"]),
                        messages,
                        answer.content,
                        answer.tool_calls,
                        answer.sources,
                        took};
    const std::int64_t turn_id = store.append(turn);
    const std::string id = "chatcmpl-" + std::to_string(turn_id);
    const auto created = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    res.set_header("X-EMS-Conversation-Id", conversation);
    if (!stream) {
      res.set_content(
          json{{"id", id},
               {"object", "chat.completion"},
               {"created", created},
               {"model", kModelId},
               {"choices",
                json::array({{{"index", 0},
                              {"message", {{"role", "assistant"}, {"content", answer.content}}},
                              {"finish_reason", answer.finish_reason}}})},
               {"usage", answer.usage},
               {"sources", answer.sources},
               {"tool_calls_made", answer.tool_calls},
               {"mode", answer.mode},
               {"conversation_id", conversation}}
              .dump(),
          "application/json");
      return;
    }
    const json base = {
        {"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", kModelId}};
    std::vector<std::string> events;
    json first = base;
    first["choices"] = json::array({{{"index", 0},
                                     {"delta", {{"role", "assistant"}, {"content", ""}}},
                                     {"finish_reason", nullptr}}});
    events.push_back(sse(first));
    const std::string& text = answer.content;
    for (std::size_t at = 0; at < text.size();) {
      std::size_t n = std::min<std::size_t>(64, text.size() - at);
      while (at + n < text.size() && n > 1 &&
             (static_cast<unsigned char>(text[at + n]) & 0xC0) == 0x80)
        --n;  // UTF-8
      json chunk = base;
      chunk["choices"] = json::array({{{"index", 0},
                                       {"delta", {{"content", text.substr(at, n)}}},
                                       {"finish_reason", nullptr}}});
      events.push_back(sse(chunk));
      at += n;
    }
    json last = base;
    last["choices"] = json::array(
        {{{"index", 0}, {"delta", json::object()}, {"finish_reason", answer.finish_reason}}});
    last["usage"] = answer.usage;
    last["sources"] = answer.sources;
    last["mode"] = answer.mode;
    last["conversation_id"] = conversation;
    events.push_back(sse(last));
    events.push_back("data: [DONE]\n\n");
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream", [events = std::move(events)](std::size_t, httplib::DataSink& sink) {
          for (const auto& e : events)
            if (!sink.write(e.data(), e.size())) return false;
          sink.done();
          return true;
        });
  });
}

}  // namespace ems::analyst
