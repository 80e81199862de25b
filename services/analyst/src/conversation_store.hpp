#pragma once
// ConversationStore: every chat turn in PostgreSQL schema `analyst` (tables created by
// analyst_migrations(), model_registry.hpp):
//   analyst.conversations  id, created_at
//   analyst.chat_turns     conversation_id, created_at, mode (llm | no_llm), question, the
//                          request's messages, the answer, the tool calls made, the sources,
//                          seconds
// Threading: one connection behind a mutex. Errors: database errors propagate.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace ems::analyst {

struct ChatTurnRecord {
  std::string conversation_id;
  std::string mode;
  std::string question;
  nlohmann::json messages;
  std::string answer;
  nlohmann::json tool_calls;
  nlohmann::json sources;
  double seconds = 0.0;
};

class ConversationStore {
 public:
  // The schema must exist (ModelRegistry::open() ran the migrations).
  explicit ConversationStore(std::string database_url);
  // Stores the turn (creating the conversation when new); returns the turn's id.
  std::int64_t append(const ChatTurnRecord& turn);
  // The turns of a conversation, oldest first, as JSON objects.
  nlohmann::json turns(const std::string& conversation_id);

 private:
  pqxx::connection& connection();
  std::string url_;
  std::mutex mutex_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace ems::analyst
