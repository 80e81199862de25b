#pragma once
// PostgreSQL plumbing shared by the services that own a schema (libpqxx 6.4).
//
//   auto conn = pg::connect_with_retry(require_string("EMS_DATABASE_URL"));
//   pg::run_migrations(*conn, "topology", {{1, "CREATE TABLE topology.versions (...)"},
//                                          {2, "ALTER TABLE ..."}});
//
// Migrations are append-only: a version, once released, never changes its SQL. Each pending
// migration runs in its own transaction together with the insert of its row into
// `<schema>.schema_migrations(version, applied_at)`, under a transaction-scoped advisory lock
// keyed by the schema name - so concurrent starts of several replicas apply each version exactly
// once and a failed migration leaves nothing half-applied.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

namespace ems::runtime::pg {

struct Migration {
  int version;  // > 0, strictly increasing in the list
  std::string sql;
};

struct ConnectOptions {
  int max_attempts = 0;  // <= 0: until success or shutdown
  std::chrono::milliseconds initial_delay{500};
  std::chrono::milliseconds max_delay{10000};
};

// Connects to a libpq URL/conninfo (postgresql://user:pass@host:port/db?...), retrying with
// backoff and logging each failure (without the password). Throws the last pqxx error when
// attempts are exhausted, std::runtime_error when shutdown is requested meanwhile.
std::unique_ptr<pqxx::connection> connect_with_retry(const std::string& url,
                                                     const ConnectOptions& options = {});

// Applies the migrations not yet recorded; returns how many were applied by this call.
// Creates the schema and its schema_migrations table when missing. Throws
// std::invalid_argument for a bad list (non-positive, duplicate or unordered versions, or an
// invalid schema name) and rethrows the database error of a failing migration (naming it).
int run_migrations(pqxx::connection& conn, std::string_view schema,
                   const std::vector<Migration>& migrations);

// Versions recorded in <schema>.schema_migrations, ascending (empty when the table is missing).
std::vector<int> applied_migrations(pqxx::connection& conn, std::string_view schema);

// The URL with any password replaced by "***", for logs.
std::string redact_url(std::string_view url);

}  // namespace ems::runtime::pg
