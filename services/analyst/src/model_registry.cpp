#include "model_registry.hpp"

#include "ems/runtime/log.hpp"
#include "ems/runtime/pg.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

}  // namespace

const std::vector<runtime::pg::Migration>& analyst_migrations() {
  static const std::vector<runtime::pg::Migration> kMigrations = {{1, R"sql(
CREATE TABLE analyst.models (
  id            bigserial PRIMARY KEY,
  target        text NOT NULL,
  name          text NOT NULL,
  version       integer NOT NULL,
  source        text NOT NULL,
  features      jsonb NOT NULL,
  data_from     date NOT NULL,
  data_to       date NOT NULL,
  params        jsonb NOT NULL,
  metrics       jsonb NOT NULL,
  artifact      text NOT NULL DEFAULT '',
  train_seconds double precision NOT NULL,
  trained_at    timestamptz NOT NULL DEFAULT now(),
  promoted      boolean NOT NULL,
  decision      text NOT NULL,
  UNIQUE (target, name, version)
);
CREATE INDEX models_target_id ON analyst.models (target, id DESC);
CREATE TABLE analyst.champions (
  target      text PRIMARY KEY,
  model_id    bigint NOT NULL REFERENCES analyst.models (id),
  promoted_at timestamptz NOT NULL DEFAULT now()
);
)sql"},
                                                                  {2, R"sql(
CREATE TABLE analyst.conversations (
  id         text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE analyst.chat_turns (
  id              bigserial PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES analyst.conversations (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  mode            text NOT NULL,
  question        text NOT NULL,
  messages        jsonb NOT NULL,
  answer          text NOT NULL,
  tool_calls      jsonb NOT NULL,
  sources         jsonb NOT NULL,
  seconds         double precision NOT NULL
);
CREATE INDEX chat_turns_conversation ON analyst.chat_turns (conversation_id, id);
)sql"}};
  return kMigrations;
}

namespace {

std::string select_columns(bool with_artifact) {
  return std::string(
             "SELECT m.id, m.target, m.name, m.version, m.source, m.features::text, "
             "m.data_from::text, m.data_to::text, m.params::text, m.metrics::text, ") +
         (with_artifact ? "m.artifact" : "''") +
         ", m.train_seconds, "
         "to_char(m.trained_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
         "m.promoted, m.decision, (c.model_id IS NOT NULL) "
         "FROM analyst.models m LEFT JOIN analyst.champions c ON c.model_id = m.id ";
}

ModelRecord read_row(const pqxx::row& r) {
  ModelRecord m;
  m.id = r[0].as<std::int64_t>();
  m.target = r[1].as<std::string>();
  m.name = r[2].as<std::string>();
  m.version = r[3].as<int>();
  m.source = r[4].as<std::string>();
  m.features = json::parse(r[5].as<std::string>());
  m.data_from = r[6].as<std::string>();
  m.data_to = r[7].as<std::string>();
  m.params = json::parse(r[8].as<std::string>());
  m.metrics = json::parse(r[9].as<std::string>());
  m.artifact = r[10].as<std::string>();
  m.train_seconds = r[11].as<double>();
  m.trained_at = r[12].as<std::string>();
  m.promoted = r[13].as<bool>();
  m.decision = r[14].as<std::string>();
  m.champion = r[15].as<bool>();
  return m;
}

}  // namespace

json ModelRecord::to_json() const {
  return {{"id", id},
          {"target", target},
          {"name", name},
          {"version", version},
          {"source", source},
          {"features", features},
          {"data_from", data_from},
          {"data_to", data_to},
          {"params", params},
          {"metrics", metrics},
          {"train_seconds", train_seconds},
          {"trained_at", trained_at},
          {"promoted", promoted},
          {"decision", decision},
          {"champion", champion}};
}

ModelRegistry::ModelRegistry(std::string database_url) : url_(std::move(database_url)) {}

void ModelRegistry::open() {
  std::lock_guard lock(mutex_);
  conn_ = runtime::pg::connect_with_retry(url_);
  runtime::pg::run_migrations(*conn_, "analyst", analyst_migrations());
}

template <typename Fn>
auto ModelRegistry::with_connection(Fn&& fn) {
  std::lock_guard lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    try {
      if (!conn_ || !conn_->is_open())
        conn_ = runtime::pg::connect_with_retry(url_, {.max_attempts = 3});
      return fn(*conn_);
    } catch (const pqxx::broken_connection& e) {
      conn_.reset();
      if (attempt >= 1) throw std::runtime_error(std::string("database unavailable: ") + e.what());
      runtime::log::warn("database connection lost, reconnecting", {{"error", e.what()}});
    }
  }
}

ModelRecord ModelRegistry::insert(ModelRecord record, bool promote,
                                  std::optional<std::int64_t> expected_champion) {
  return with_connection([&](pqxx::connection& conn) {
    ModelRecord m = record;
    pqxx::work tx(conn);
    // One writer per target at a time: versions and the champion check stay consistent.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "ems.analyst.target." + m.target);
    const auto current =
        tx.exec_params("SELECT model_id FROM analyst.champions WHERE target = $1", m.target);
    const std::optional<std::int64_t> champion =
        current.empty() ? std::nullopt
                        : std::optional<std::int64_t>(current[0][0].as<std::int64_t>());
    if (promote && champion != expected_champion) {
      promote = false;
      m.decision =
          "not promoted: the champion changed while this model was trained (" + m.decision + ")";
    }
    m.promoted = promote;
    const auto row = tx.exec_params(
        "INSERT INTO analyst.models (target, name, version, source, features, data_from, "
        "data_to, params, metrics, artifact, train_seconds, promoted, decision) "
        "VALUES ($1, $2, (SELECT COALESCE(MAX(version), 0) + 1 FROM analyst.models "
        "WHERE target = $1 AND name = $2), $3, $4::jsonb, $5::date, $6::date, $7::jsonb, "
        "$8::jsonb, $9, $10, $11, $12) RETURNING id",
        m.target, m.name, m.source, m.features.dump(), m.data_from, m.data_to, m.params.dump(),
        m.metrics.dump(), m.artifact, m.train_seconds, m.promoted, m.decision);
    const auto id = row[0][0].as<std::int64_t>();
    if (m.promoted)
      tx.exec_params(
          "INSERT INTO analyst.champions (target, model_id) VALUES ($1, $2) "
          "ON CONFLICT (target) DO UPDATE SET model_id = EXCLUDED.model_id, promoted_at = now()",
          m.target, id);
    const auto stored = tx.exec_params(select_columns(true) + "WHERE m.id = $1", id);
    tx.commit();
    return read_row(stored[0]);
  });
}

std::optional<ModelRecord> ModelRegistry::get(std::int64_t id, bool with_artifact) {
  return with_connection([&](pqxx::connection& conn) -> std::optional<ModelRecord> {
    pqxx::read_transaction tx(conn);
    const auto rows = tx.exec_params(select_columns(with_artifact) + "WHERE m.id = $1", id);
    if (rows.empty()) return std::nullopt;
    return read_row(rows[0]);
  });
}

std::vector<ModelRecord> ModelRegistry::list(const std::string& target, int limit) {
  return with_connection([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const auto rows = tx.exec_params(
        select_columns(false) + "WHERE ($1 = '' OR m.target = $1) ORDER BY m.id DESC LIMIT $2",
        target, limit);
    std::vector<ModelRecord> out;
    for (const auto& r : rows) out.push_back(read_row(r));
    return out;
  });
}

std::optional<ModelRecord> ModelRegistry::champion(const std::string& target, bool with_artifact) {
  return with_connection([&](pqxx::connection& conn) -> std::optional<ModelRecord> {
    pqxx::read_transaction tx(conn);
    const auto rows = tx.exec_params(select_columns(with_artifact) + "WHERE c.target = $1", target);
    if (rows.empty()) return std::nullopt;
    return read_row(rows[0]);
  });
}

std::vector<ModelRecord> ModelRegistry::champions() {
  return with_connection([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const auto rows =
        tx.exec(select_columns(false) + "WHERE c.model_id IS NOT NULL ORDER BY m.target");
    std::vector<ModelRecord> out;
    for (const auto& r : rows) out.push_back(read_row(r));
    return out;
  });
}

std::optional<std::int64_t> ModelRegistry::champion_id(const std::string& target) {
  return with_connection([&](pqxx::connection& conn) -> std::optional<std::int64_t> {
    pqxx::read_transaction tx(conn);
    const auto rows =
        tx.exec_params("SELECT model_id FROM analyst.champions WHERE target = $1", target);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::int64_t>();
  });
}

}  // namespace ems::analyst
