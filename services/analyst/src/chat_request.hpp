#pragma once
// The body of POST /v1/chat/completions (OpenAI-compatible), parsed and validated: pure, no I/O,
// thread-compatible. What the HTTP route (chat_api.hpp) and the fuzz target call.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ems::analyst {

struct ChatRequest {
  nlohmann::json messages;  // the validated "messages" array (never empty, last one a user turn)
  bool stream = false;      // "stream" (default false)
};

// Parses `body`: {"model"?, "messages":[{role, content}...], "stream"?}. role is system, user,
// assistant or tool; content a string, an array of parts or null; the last message a user
// message with text. Errors: throws runtime::ProblemException 400 - "Invalid JSON" when the body
// is not JSON, else "Bad Request" with the JSON Pointer of the offending member (/messages/1/role).
ChatRequest parse_chat_request(std::string_view body);

// The text of a message's content: a string, or the concatenated `text` of the {type:"text",
// text} parts of an array; anything else (null, a part whose type or text is not a string)
// contributes nothing. Never throws.
std::string message_text(const nlohmann::json& content);

}  // namespace ems::analyst
