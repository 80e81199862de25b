#pragma once
// TopologyStore: the append-only history of DTM versions in PostgreSQL schema `topology`.
// Every accepted change is one immutable row (full DTM, version, bump, reasons, actor, time).
// Writers are serialised twice: by a mutex in this process and by a transaction-scoped advisory
// lock in the database, so several device-api processes on one database cannot lose a version.
// It also keeps the outbox of change events: a watermark (topology.announced) below which every
// version's system/topology_changed was acknowledged by the broker.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/connection>

namespace ems::device_api {

using Json = nlohmann::json;

struct VersionRecord {
  std::string version;  // semver "M.m.p"
  std::string bump;     // initial | patch | minor | major
  Json reasons = Json::array();
  std::string reason;      // why, as given by the caller
  std::string actor;       // who
  std::string created_at;  // RFC 3339 UTC, millisecond precision
};

struct StoredTopology {
  VersionRecord meta;
  Json dtm;
};

// What a mutation wants appended; nullopt from the callback means "no change".
struct NewVersion {
  std::string version;
  std::string bump;
  Json reasons = Json::array();
  std::string reason;
  std::string actor;
  Json dtm;
};

class TopologyStore {
 public:
  explicit TopologyStore(std::string database_url);
  ~TopologyStore();

  // Connects (with retries) and applies the schema migrations. Throws on failure.
  void open();
  bool healthy();

  std::optional<StoredTopology> latest();
  std::optional<StoredTopology> get(const std::string& version);
  // Newest first.
  std::vector<VersionRecord> list(int limit, int offset);

  // Versions stored after the announced watermark, oldest (commit order) first, at most
  // `limit`: the change events still owed.
  std::vector<VersionRecord> unannounced(int limit);
  // Moves the watermark up to `version` (never down; an unknown version changes nothing).
  void mark_announced(const std::string& version);

  // Runs `decide` with the latest topology while holding the write lock, appends what it returns
  // in the same transaction, and returns the appended row. Exceptions from `decide` abort.
  using Decide = std::function<std::optional<NewVersion>(const std::optional<StoredTopology>&)>;
  std::optional<StoredTopology> append_if(const Decide& decide);

 private:
  template <typename Fn>
  auto with_connection(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>()));

  std::string url_;
  std::mutex mutex_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace ems::device_api
