#include "ems/runtime/pg.hpp"

#include <set>
#include <stdexcept>

#include "ems/runtime/backoff.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/shutdown.hpp"

namespace ems::runtime::pg {
namespace {

// Lower-case SQL identifier; schema names are code constants, so this is a guard, not a parser.
bool valid_schema_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void check_list(std::string_view schema, const std::vector<Migration>& migrations) {
  if (!valid_schema_name(schema)) {
    throw std::invalid_argument("invalid schema name \"" + std::string(schema) +
                                "\": expected [a-z_][a-z0-9_]*");
  }
  int previous = 0;
  for (const auto& m : migrations) {
    if (m.version <= previous) {
      throw std::invalid_argument("migrations of schema " + std::string(schema) +
                                  " must have positive, strictly increasing versions (" +
                                  std::to_string(m.version) + " after " + std::to_string(previous) +
                                  ")");
    }
    previous = m.version;
  }
}

// Serializes migrators of one schema across processes until the transaction ends.
void lock_schema(pqxx::work& tx, std::string_view schema) {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                 "ems.migrations." + std::string(schema));
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto at = out.find('@', scheme + 3);
    const auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // Key/value conninfo and URL query parameters.
  for (const std::string key : {"password="}) {
    auto pos = out.find(key);
    while (pos != std::string::npos) {
      const auto start = pos + key.size();
      auto end = out.find_first_of(" &", start);
      if (end == std::string::npos) end = out.size();
      out.replace(start, end - start, "***");
      pos = out.find(key, start + 3);
    }
  }
  return out;
}

std::unique_ptr<pqxx::connection> connect_with_retry(const std::string& url,
                                                     const ConnectOptions& options) {
  Backoff backoff(options.initial_delay, options.max_delay);
  for (int attempt = 1;; ++attempt) {
    try {
      auto conn = std::make_unique<pqxx::connection>(url);
      if (attempt > 1)
        log::info("database connected", {{"url", redact_url(url)}, {"attempt", attempt}});
      return conn;
    } catch (const pqxx::broken_connection& e) {
      if (options.max_attempts > 0 && attempt >= options.max_attempts) throw;
      const auto delay = backoff.next();
      log::warn("database connect failed, retrying", {{"url", redact_url(url)},
                                                      {"attempt", attempt},
                                                      {"error", e.what()},
                                                      {"retry_in_ms", delay.count()}});
      if (wait_for_shutdown(delay)) {
        throw std::runtime_error("database connect abandoned: shutdown requested");
      }
    }
  }
}

std::vector<int> applied_migrations(pqxx::connection& conn, std::string_view schema) {
  if (!valid_schema_name(schema)) {
    throw std::invalid_argument("invalid schema name \"" + std::string(schema) + "\"");
  }
  pqxx::read_transaction tx(conn);
  const auto exists = tx.exec_params("SELECT to_regclass($1) IS NOT NULL",
                                     std::string(schema) + ".schema_migrations");
  std::vector<int> versions;
  if (!exists[0][0].as<bool>()) return versions;
  const auto rows =
      tx.exec("SELECT version FROM " + std::string(schema) + ".schema_migrations ORDER BY version");
  for (const auto& row : rows) versions.push_back(row[0].as<int>());
  return versions;
}

int run_migrations(pqxx::connection& conn, std::string_view schema,
                   const std::vector<Migration>& migrations) {
  check_list(schema, migrations);
  const std::string s(schema);
  int applied = 0;
  {
    pqxx::work tx(conn);
    lock_schema(tx, schema);
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + s);
    tx.exec("CREATE TABLE IF NOT EXISTS " + s +
            ".schema_migrations (version integer PRIMARY KEY, "
            "applied_at timestamptz NOT NULL DEFAULT now())");
    tx.commit();
  }
  for (const auto& m : migrations) {
    pqxx::work tx(conn);
    lock_schema(tx, schema);
    // Checked under the lock: another replica may have applied it since we last looked.
    const auto done =
        tx.exec_params("SELECT 1 FROM " + s + ".schema_migrations WHERE version = $1", m.version);
    if (!done.empty()) continue;
    try {
      tx.exec(m.sql);
    } catch (const std::exception& e) {
      throw std::runtime_error("migration " + s + " v" + std::to_string(m.version) +
                               " failed: " + e.what());
    }
    tx.exec_params("INSERT INTO " + s + ".schema_migrations (version) VALUES ($1)", m.version);
    tx.commit();
    ++applied;
    log::info("migration applied", {{"schema", s}, {"version", m.version}});
  }
  return applied;
}

}  // namespace ems::runtime::pg
