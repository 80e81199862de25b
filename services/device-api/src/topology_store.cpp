#include "topology_store.hpp"

#include <pqxx/pqxx>

#include "ems/runtime/pg.hpp"

namespace ems::device_api {
namespace {

// Arbitrary constant naming "the topology writer" among advisory locks.
constexpr long long kWriterLock = 0x454d53544f504fLL;  // "EMSTOPO"

const std::vector<runtime::pg::Migration>& migrations() {
  static const std::vector<runtime::pg::Migration> kMigrations = {
      {1, R"SQL(
CREATE TABLE topology.versions (
  seq         bigserial PRIMARY KEY,
  version     text NOT NULL UNIQUE,
  bump        text NOT NULL CHECK (bump IN ('initial', 'patch', 'minor', 'major')),
  reasons     jsonb NOT NULL DEFAULT '[]'::jsonb,
  reason      text NOT NULL DEFAULT '',
  actor       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  dtm         jsonb NOT NULL
);
CREATE FUNCTION topology.versions_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'topology.versions is append-only';
END $$;
CREATE TRIGGER versions_append_only BEFORE UPDATE OR DELETE ON topology.versions
  FOR EACH ROW EXECUTE FUNCTION topology.versions_are_immutable();
)SQL"},
      // The outbox of change events: versions up to `seq` had their system/topology_changed
      // acknowledged by the broker. Versions stored before this migration count as announced.
      {2, R"SQL(
CREATE TABLE topology.announced (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq  bigint NOT NULL
);
INSERT INTO topology.announced (seq) SELECT coalesce(max(seq), 0) FROM topology.versions;
)SQL"},
  };
  return kMigrations;
}

constexpr const char* kColumns =
    "version, bump, reasons::text, reason, actor, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

VersionRecord record_from(const pqxx::row& r) {
  VersionRecord v;
  v.version = r[0].as<std::string>();
  v.bump = r[1].as<std::string>();
  v.reasons = Json::parse(r[2].as<std::string>());
  v.reason = r[3].as<std::string>();
  v.actor = r[4].as<std::string>();
  v.created_at = r[5].as<std::string>();
  return v;
}

StoredTopology stored_from(const pqxx::row& r) {
  return StoredTopology{record_from(r), Json::parse(r[6].as<std::string>())};
}

std::optional<StoredTopology> select_latest(pqxx::transaction_base& tx) {
  auto rows = tx.exec(std::string("SELECT ") + kColumns +
                      ", dtm::text FROM topology.versions ORDER BY seq DESC LIMIT 1");
  if (rows.empty()) return std::nullopt;
  return stored_from(rows[0]);
}

}  // namespace

TopologyStore::TopologyStore(std::string database_url) : url_(std::move(database_url)) {}
TopologyStore::~TopologyStore() = default;

template <typename Fn>
auto TopologyStore::with_connection(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
  std::lock_guard lock(mutex_);
  // One retry after a broken connection: the database may have restarted since the last call.
  for (int attempt = 0;; ++attempt) {
    try {
      if (!conn_ || !conn_->is_open()) conn_ = std::make_unique<pqxx::connection>(url_);
      return fn(*conn_);
    } catch (const pqxx::broken_connection&) {
      conn_.reset();
      if (attempt >= 1) throw;
    }
  }
}

void TopologyStore::open() {
  {
    std::lock_guard lock(mutex_);
    conn_ = runtime::pg::connect_with_retry(url_);
  }
  with_connection([](pqxx::connection& c) {
    runtime::pg::run_migrations(c, "topology", migrations());
    return 0;
  });
}

bool TopologyStore::healthy() {
  try {
    return with_connection([](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT 1");
      return true;
    });
  } catch (const std::exception&) {
    return false;
  }
}

std::optional<StoredTopology> TopologyStore::latest() {
  return with_connection([](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return select_latest(tx);
  });
}

std::optional<StoredTopology> TopologyStore::get(const std::string& version) {
  return with_connection([&](pqxx::connection& c) -> std::optional<StoredTopology> {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(
        std::string("SELECT ") + kColumns + ", dtm::text FROM topology.versions WHERE version = $1",
        version);
    if (rows.empty()) return std::nullopt;
    return stored_from(rows[0]);
  });
}

std::vector<VersionRecord> TopologyStore::list(int limit, int offset) {
  return with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                   " FROM topology.versions ORDER BY seq DESC LIMIT $1 OFFSET $2",
                               limit, offset);
    std::vector<VersionRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(record_from(r));
    return out;
  });
}

std::vector<VersionRecord> TopologyStore::unannounced(int limit) {
  return with_connection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_params(std::string("SELECT ") + kColumns +
                                   " FROM topology.versions WHERE seq > (SELECT seq FROM "
                                   "topology.announced) ORDER BY seq LIMIT $1",
                               limit);
    std::vector<VersionRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(record_from(r));
    return out;
  });
}

void TopologyStore::mark_announced(const std::string& version) {
  with_connection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE topology.announced SET seq = GREATEST(seq, (SELECT seq FROM topology.versions "
        "WHERE version = $1))",
        version);
    tx.commit();
    return 0;
  });
}

std::optional<StoredTopology> TopologyStore::append_if(const Decide& decide) {
  return with_connection([&](pqxx::connection& c) -> std::optional<StoredTopology> {
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kWriterLock);
    auto current = select_latest(tx);
    std::optional<NewVersion> next = decide(current);
    if (!next) return std::nullopt;
    auto rows = tx.exec_params(
        std::string("INSERT INTO topology.versions (version, bump, reasons, reason, actor, dtm) "
                    "VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb) RETURNING ") +
            kColumns + ", dtm::text",
        next->version, next->bump, next->reasons.dump(), next->reason, next->actor,
        next->dtm.dump());
    tx.commit();
    return stored_from(rows[0]);
  });
}

}  // namespace ems::device_api
