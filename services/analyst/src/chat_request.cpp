#include "chat_request.hpp"

#include "ems/runtime/json_input.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;
using runtime::ProblemError;
using runtime::ProblemException;

[[noreturn]] void bad(const std::string& path, const std::string& message) {
  throw ProblemException(400, "Bad Request", message, {ProblemError{path, message}});
}

// The member `key` of `object` when it is a string, else "".
std::string string_member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string message_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && string_member(part, "type") == "text")
        out += string_member(part, "text");
  return out;
}

ChatRequest parse_chat_request(std::string_view body_text) {
  const json body = runtime::parse_json_body(body_text);
  if (!body.is_object()) bad("", "the body must be a JSON object");
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    bad("/messages", "messages must be a non-empty array");
  const auto& messages = body["messages"];
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const std::string at = "/messages/" + std::to_string(i);
    if (!m.is_object()) bad(at, "a message must be an object");
    const std::string role = string_member(m, "role");
    if (role != "system" && role != "user" && role != "assistant" && role != "tool")
      bad(at + "/role", "role must be system, user, assistant or tool");
    if (m.contains("content") && !m["content"].is_string() && !m["content"].is_array() &&
        !m["content"].is_null())
      bad(at + "/content", "content must be a string or an array of parts");
  }
  const auto& last = messages.back();
  if (string_member(last, "role") != "user" ||
      message_text(last.value("content", json(""))).empty())
    bad("/messages/" + std::to_string(messages.size() - 1),
        "the last message must be a user message with text content");
  if (body.contains("stream") && !body["stream"].is_boolean())
    bad("/stream", "stream must be a boolean");
  return ChatRequest{messages, body.value("stream", false)};
}

}  // namespace ems::analyst
