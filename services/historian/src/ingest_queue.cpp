#include "ingest_queue.hpp"

namespace ems::historian {

IngestQueue::IngestQueue(Spool& spool, std::size_t capacity) : spool_(spool), capacity_(capacity) {
  cursor_ = spool_.begin();
  spilling_ = cursor_ != spool_.end();  // a previous process left messages: replay them first
}

bool IngestQueue::push(std::string_view topic, std::string_view payload, Record record) {
  std::lock_guard lock(mutex_);
  const auto before = spool_.end();
  const auto end = spool_.append(topic, payload);
  if (!end) return false;
  if (spilling_) return true;
  if (records_.size() >= capacity_) {
    spilling_ = true;
    cursor_ = before;
    return true;
  }
  if (records_.empty()) first_at_ = std::chrono::steady_clock::now();
  records_.push_back(std::move(record));
  positions_.push_back(*end);
  if (records_.size() == 1 || records_.size() % 1024 == 0) ready_.notify_one();
  return true;
}

Batch IngestQueue::take(std::size_t max, std::chrono::milliseconds linger) {
  Batch batch;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (closed_) break;
    if (records_.size() >= max) break;
    if (!records_.empty()) {
      const auto due = first_at_ + linger;
      if (std::chrono::steady_clock::now() >= due) break;
      ready_.wait_until(lock, due);
      continue;
    }
    if (spilling_) break;
    ready_.wait_for(lock, linger);
    if (records_.empty() && !spilling_) return batch;
  }
  if (!records_.empty()) {
    const auto n = std::min(max, records_.size());
    batch.records.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.records.push_back(std::move(records_.front()));
      records_.pop_front();
      batch.end = positions_.front();
      positions_.pop_front();
    }
    if (!records_.empty()) first_at_ = std::chrono::steady_clock::now();
    return batch;
  }
  if (!spilling_) return batch;
  const auto from = cursor_;
  lock.unlock();
  auto frames = spool_.read(from, max);
  lock.lock();
  if (frames.empty()) {
    // Caught up: push() appends under this mutex, so nothing can slip between this check and
    // the switch back to memory.
    if (spool_.read(cursor_, 1).empty()) {
      cursor_ = spool_.end();
      spilling_ = false;
    }
    return batch;
  }
  batch.from_spool = true;
  batch.spool_frames = frames.size();
  batch.end = frames.back().end;
  batch.records.reserve(frames.size());
  for (auto& f : frames) {
    if (auto r = parse_record(f.topic, f.payload)) batch.records.push_back(std::move(*r));
  }
  return batch;
}

void IngestQueue::committed(const Batch& batch) {
  SpoolPosition release = batch.end;
  {
    std::lock_guard lock(mutex_);
    if (batch.from_spool) cursor_ = batch.end;
    if (spilling_ && cursor_ < release) release = cursor_;
  }
  if (batch.spool_frames > 0 || !batch.records.empty()) spool_.release_before(release);
}

void IngestQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  ready_.notify_all();
}

std::size_t IngestQueue::buffered() const {
  std::lock_guard lock(mutex_);
  return records_.size();
}

bool IngestQueue::spilling() const {
  std::lock_guard lock(mutex_);
  return spilling_;
}

bool IngestQueue::drained() const {
  std::lock_guard lock(mutex_);
  return records_.empty() && !spilling_;
}

}  // namespace ems::historian
