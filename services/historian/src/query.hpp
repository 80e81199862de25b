#pragma once
// QueryService: the read side of ts.* behind the HTTP API (http_api.hpp renders its answers).
//
// Tiers. A bucketed query reads a roll-up tier when the range is long: ts.rollup_1h for
// buckets of whole hours over more than 2 days, ts.rollup_1m for longer than 6 hours, and
// either when `from` lies before the raw retention; otherwise the raw rows. Every tier gives
// the same answer (the roll-ups are written in the same transaction as the raw rows), only
// faster. Bucket b holds the samples with b <= ts < b + size (UTC, aligned to the epoch, so
// days start at 00:00Z); buckets run from floor(from) while their start is before `to`.
// Raw queries return the samples with from <= ts <= to.
//
// Errors: ProblemException 404 for an unknown device or measurement, 400 for an answer over
// the point limit (the detail says how many points and suggests a bucket) and for an
// aggregate that the value type has no meaning for (avg/min/max of an enum). Database errors
// propagate (the HTTP server answers 500 and the connection is replaced).
//
// Threading: every method is thread-safe; each call borrows one connection of the pool.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace ems::historian {

enum class Agg { avg, min, max, last, count };
std::optional<Agg> parse_agg(std::string_view s);
std::string_view to_string(Agg a);

struct SamplesRequest {
  std::string device_id;
  std::string measurement;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t bucket_ms = 0;  // 0 = raw
  std::string bucket;          // "1m" ... when bucketed
  Agg agg = Agg::avg;
  bool join_comm_status = false;
  std::size_t limit = 0;
};

struct SeriesInfo {
  int id = 0;
  std::string site_id, device_id, measurement, unit, value_type;
};

// A point's value as the API shows it: number, bool, label or null.
struct Point {
  std::int64_t ts_ms = 0;
  nlohmann::json value;        // null for an empty bucket
  nlohmann::json comm_status;  // with join=comm_status: label or null
};

struct SamplesAnswer {
  SeriesInfo series;
  std::string tier;  // raw | 1m | 1h
  std::vector<Point> points;
};

class QueryService {
 public:
  QueryService(std::string database_url, std::size_t connections, std::size_t max_points,
               std::chrono::hours raw_retention);
  ~QueryService();

  nlohmann::json series(const std::optional<std::string>& device,
                        const std::optional<std::string>& measurement,
                        const std::optional<std::string>& unit);
  SamplesAnswer samples(const SamplesRequest& request);
  nlohmann::json latest(const std::string& device);
  nlohmann::json commands(const std::string& device, std::int64_t from_ms, std::int64_t to_ms,
                          std::size_t limit);

  std::size_t max_points() const { return max_points_; }
  // True when a connection can be borrowed and answers (for /readyz).
  bool ping();

 private:
  class Lease;
  std::unique_ptr<pqxx::connection> acquire();
  void release(std::unique_ptr<pqxx::connection> conn);
  std::string label(pqxx::transaction_base& tx, int id);

  std::string url_;
  std::size_t max_points_;
  std::chrono::hours raw_retention_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::mutex labels_mutex_;
  std::map<int, std::string> labels_;
};

// The buckets of the API and their size in ms ("1m" -> 60000); 0 for an unknown name.
std::int64_t bucket_ms(std::string_view name);

}  // namespace ems::historian
