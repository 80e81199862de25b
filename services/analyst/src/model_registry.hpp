#pragma once
// ModelRegistry: every model the analyst trained, in PostgreSQL schema `analyst`, and the
// champion of each target (the model GET /forecast serves).
//
//   analyst.models     id, target, name (the model kind: gbt, persistence, ...), version (per
//                      target and name, from 1), source, features, data range (label days),
//                      parameters, backtest metrics, the fitted model text (artifact; empty for
//                      baselines), training time, promoted flag and the decision's reason
//   analyst.champions  target -> model id, promoted_at
//   (analyst.conversations and analyst.chat_turns belong to the chat: conversation_store.hpp)
//
// Promotion is decided by the trainer (trainer.hpp); insert() stores a model and, when asked,
// makes it the champion in the same transaction - only if the champion is still the one the
// decision was made against (a concurrent training that promoted meanwhile wins; this one is
// stored as not promoted, with that reason).
//
// Threading: one database connection behind a mutex; every method may be called from any
// thread. A lost connection is reopened once per call. Errors: database errors propagate
// (pqxx exceptions); std::runtime_error when the connection cannot be reopened.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "ems/runtime/pg.hpp"

namespace ems::analyst {

// Every migration of schema `analyst` (models and champions; conversations and chat turns),
// applied by ModelRegistry::open().
const std::vector<runtime::pg::Migration>& analyst_migrations();

struct ModelRecord {
  std::int64_t id = 0;
  std::string target;
  std::string name;  // model kind (forecasting::make_model name)
  int version = 0;
  std::string source;       // where the history came from (file or historian series)
  nlohmann::json features;  // feature names the model reads
  std::string data_from;    // first label day of the training data, YYYY-MM-DD
  std::string data_to;      // last label day of the training data
  nlohmann::json params;    // model parameters
  nlohmann::json metrics;   // backtest metrics (trainer.hpp)
  std::string artifact;     // the fitted model (GbtModel::save texts); "" for baselines
  double train_seconds = 0.0;
  std::string trained_at;  // RFC 3339 UTC
  bool promoted = false;   // became champion when trained
  std::string decision;    // why it was or was not promoted
  bool champion = false;   // is the champion now

  // The API form (without the artifact).
  nlohmann::json to_json() const;
};

class ModelRegistry {
 public:
  explicit ModelRegistry(std::string database_url);
  // Connects (with retry, see runtime::pg) and applies the schema migrations.
  void open();

  // Stores `record` (its id, version and trained_at are assigned) and, with `promote`, makes it
  // the champion when the target's champion is still `expected_champion` (nullopt: none).
  // Returns the stored record (promoted and decision updated if the champion had changed).
  ModelRecord insert(ModelRecord record, bool promote,
                     std::optional<std::int64_t> expected_champion);

  std::optional<ModelRecord> get(std::int64_t id, bool with_artifact = false);
  // Newest first; `target` empty = every target. At most `limit` rows.
  std::vector<ModelRecord> list(const std::string& target = {}, int limit = 1000);
  std::optional<ModelRecord> champion(const std::string& target, bool with_artifact = false);
  std::vector<ModelRecord> champions();
  // The champion's id only (cheap; what serving checks before each forecast).
  std::optional<std::int64_t> champion_id(const std::string& target);

 private:
  template <typename Fn>
  auto with_connection(Fn&& fn);

  std::string url_;
  std::mutex mutex_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace ems::analyst
