#include "conversation_store.hpp"

#include "ems/runtime/pg.hpp"

namespace ems::analyst {

ConversationStore::ConversationStore(std::string database_url) : url_(std::move(database_url)) {}

pqxx::connection& ConversationStore::connection() {
  if (!conn_ || !conn_->is_open())
    conn_ = runtime::pg::connect_with_retry(url_, {.max_attempts = 3});
  return *conn_;
}

std::int64_t ConversationStore::append(const ChatTurnRecord& t) {
  std::lock_guard lock(mutex_);
  try {
    pqxx::work tx(connection());
    tx.exec_params("INSERT INTO analyst.conversations (id) VALUES ($1) ON CONFLICT DO NOTHING",
                   t.conversation_id);
    const auto r = tx.exec_params(
        "INSERT INTO analyst.chat_turns (conversation_id, mode, question, messages, answer, "
        "tool_calls, sources, seconds) VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7::jsonb, "
        "$8) RETURNING id",
        t.conversation_id, t.mode, t.question, t.messages.dump(), t.answer, t.tool_calls.dump(),
        t.sources.dump(), t.seconds);
    tx.commit();
    return r[0][0].as<std::int64_t>();
  } catch (const pqxx::broken_connection&) {
    conn_.reset();
    throw;
  }
}

nlohmann::json ConversationStore::turns(const std::string& conversation_id) {
  std::lock_guard lock(mutex_);
  pqxx::read_transaction tx(connection());
  const auto rows = tx.exec_params(
      "SELECT id, mode, question, answer, tool_calls::text, sources::text FROM analyst.chat_turns "
      "WHERE conversation_id = $1 ORDER BY id",
      conversation_id);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows)
    out.push_back({{"id", r[0].as<std::int64_t>()},
                   {"mode", r[1].as<std::string>()},
                   {"question", r[2].as<std::string>()},
                   {"answer", r[3].as<std::string>()},
                   {"tool_calls", nlohmann::json::parse(r[4].as<std::string>())},
                   {"sources", nlohmann::json::parse(r[5].as<std::string>())}});
  return out;
}

}  // namespace ems::analyst
