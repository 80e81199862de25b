#pragma once
// IngestQueue: between the MQTT callback and the writer.
//
// push() (MQTT thread) appends the message to the Spool first, then keeps its parsed record in
// memory for the writer - unless the memory buffer holds `capacity` records (PostgreSQL is
// slow or down): from then on records live in the spool only ("spilling") and the writer reads
// them back from the spool, in order, once it has written what memory held; when it has caught
// up with the spool's end, memory takes over again. A fresh start begins spilling from the
// oldest segment a previous process left (its replay).
//
// take() hands the writer a batch (memory first, then the spool); the writer calls committed()
// once the batch is in PostgreSQL, which lets the spool drop the segments before it. A batch
// that fails is retried by the writer as it is, so order is kept.
//
// Threading: push() from one thread (Paho's), take()/committed() from the writer thread;
// close() from any thread wakes take().
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string_view>
#include <vector>

#include "record.hpp"
#include "spool.hpp"

namespace ems::historian {

struct Batch {
  std::vector<Record> records;
  SpoolPosition end;  // spool position after the last record of the batch
  bool from_spool = false;
  std::size_t spool_frames = 0;  // frames read from the spool (rejected ones included)
};

class IngestQueue {
 public:
  IngestQueue(Spool& spool, std::size_t capacity);

  // Spools then queues. False when the spool refused the message (full): it is lost.
  bool push(std::string_view topic, std::string_view payload, Record record);

  // Waits until `max` records are buffered, `linger` has passed since the first of them, or
  // close(); returns what is there (possibly empty). While spilling, reads from the spool at
  // once.
  Batch take(std::size_t max, std::chrono::milliseconds linger);

  void committed(const Batch& batch);

  // Ends waits; take() then returns at once.
  void close();

  std::size_t buffered() const;
  bool spilling() const;
  // True when nothing waits in memory or in the spool beyond what was committed.
  bool drained() const;

 private:
  Spool& spool_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Record> records_;
  std::deque<SpoolPosition> positions_;
  std::chrono::steady_clock::time_point first_at_{};
  bool spilling_ = false;
  SpoolPosition cursor_;  // next spool position to read while spilling
  bool closed_ = false;
};

}  // namespace ems::historian
