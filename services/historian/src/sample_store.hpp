#pragma once
// SampleStore: writes one Batch of records to PostgreSQL in one transaction.
//
//   samples   resolved to series ids (ts.series, cached; a topic not in the AsyncAPI document
//             is registered at its first sample with the payload's type), COPY'd into a
//             temporary staging table, then a plain INSERT into ts.samples under a savepoint
//             with ts.rollup_1m / ts.rollup_1h merged from aggregates computed here; when any
//             sample is already stored (QoS 1 redelivery, spool replay, a retained message on
//             reconnect) that fails and INSERT ... ON CONFLICT DO NOTHING RETURNING feeds the
//             roll-ups with the rows really inserted. A sample delivered twice is stored once;
//             the roll-ups (min, max, sum, count, last) equal the raw rows at every commit.
//   commands  ts.commands, one row per command_id; acks ts.acks per (command_id, state, ts).
//
// A sample whose type contradicts its series' value type (a bool on a float series) is not
// stored and is counted as rejected.
//
// Threading: one writer thread owns a SampleStore and its connection. define_series() may be
// called from any thread (it is applied by the next write()).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/pqxx>

#include "ems/contract/vocabulary.hpp"
#include "ingest_queue.hpp"
#include "schema.hpp"

namespace ems::historian {

// One measurement the AsyncAPI document declares.
struct SeriesDefinition {
  std::string site_id;
  std::string device_id;
  std::string measurement;
  contract::Unit unit = contract::Unit::none;
  contract::ValueType value_type = contract::ValueType::Float;
};

struct WriteResult {
  std::size_t samples_inserted = 0;
  std::size_t samples_duplicate = 0;
  std::size_t type_mismatches = 0;
  std::size_t commands = 0;
  std::size_t acks = 0;
};

class SampleStore {
 public:
  explicit SampleStore(Partitions& partitions) : partitions_(partitions) {}

  // Replaces the pending topology definitions (applied on the next write()).
  void define_series(std::vector<SeriesDefinition> definitions);

  // Writes the batch (and pending definitions) on `conn`. Throws the pqxx error; the batch is
  // then not written at all (one transaction) and may be retried.
  WriteResult write(pqxx::connection& conn, const Batch& batch);

  // Forgets cached ids (after a reconnect to a possibly different database state).
  void reset_cache();

 private:
  struct SeriesInfo {
    int id;
    contract::ValueType type;
  };
  void apply_definitions(pqxx::connection& conn);
  void resolve_series(pqxx::work& tx, const std::vector<const SampleRecord*>& samples);
  void resolve_labels(pqxx::work& tx, const std::vector<const SampleRecord*>& samples);

  Partitions& partitions_;
  std::mutex definitions_mutex_;
  std::unique_ptr<std::vector<SeriesDefinition>> pending_;
  std::unordered_map<std::string, SeriesInfo> series_;
  std::unordered_map<std::string, int> labels_;
};

// "site/device/measurement/unit": the cache key of a measurement topic.
std::string series_key(std::string_view site, std::string_view device, std::string_view measurement,
                       contract::Unit unit);

}  // namespace ems::historian
