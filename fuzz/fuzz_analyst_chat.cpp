// The analyst's POST /v1/chat/completions body on arbitrary bytes: parse_chat_request() either
// returns a request whose messages satisfy what the chat agent relies on (a non-empty array of
// objects with a known role, the last a user message with text) or throws a 400
// runtime::ProblemException - any other exception or outcome is a bug (a 500 for bad input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "chat_request.hpp"
#include "ems/runtime/problem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems::analyst;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const ChatRequest request = parse_chat_request(body);
    const auto& messages = request.messages;
    if (!messages.is_array() || messages.empty()) std::abort();
    for (const auto& m : messages) {
      if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) std::abort();
      (void)message_text(m.value("content", nlohmann::json("")));
    }
    if (messages.back()["role"] != "user" || message_text(messages.back()["content"]).empty())
      std::abort();
  } catch (const ems::runtime::ProblemException& e) {
    if (e.problem().status != 400) std::abort();
  }
  return 0;
}
