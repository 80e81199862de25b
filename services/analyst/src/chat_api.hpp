#pragma once
// The chat's HTTP routes, OpenAI-compatible (any OpenAI client can talk to them):
//
//   POST /v1/chat/completions   {"model"?, "messages":[{role, content}...], "stream"?}
//        JSON: {"id","object":"chat.completion","created","model","choices":[{"index":0,
//               "message":{"role":"assistant","content"},"finish_reason"}],"usage",
//               + "sources", "tool_calls_made", "mode" ("llm"|"no_llm"), "conversation_id"}
//        "stream": true -> text/event-stream of chat.completion.chunk objects (role, content
//               deltas, a last chunk with finish_reason and "sources") and `data: [DONE]`. The
//               tool loop runs before the first chunk; the answer is then streamed in pieces.
//        Header X-EMS-Conversation-Id continues a conversation (else a new id, returned in the
//        same header); every turn is stored (conversation_store.hpp).
//   GET  /v1/models             {"object":"list","data":[{"id":"ems-analyst",...}]}
//   GET  /v1/conversations/{id} {"conversation_id","turns":[...]}
//
// Errors: problem+json - 400 with the JSON Pointer of a bad message, 502 when the upstream
// LLM fails. Handlers run concurrently.
#include "chat_agent.hpp"
#include "conversation_store.hpp"
#include "ems/runtime/http.hpp"

namespace ems::analyst {

void install_chat_api(runtime::HttpServer& server, ChatAgent& agent, ConversationStore& store,
                      runtime::metrics::Registry& metrics);

}  // namespace ems::analyst
