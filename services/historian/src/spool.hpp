#pragma once
// Spool: the historian's append-only journal of accepted MQTT messages, in segment files
// `<dir>/<16-digit segment number>.spool`.
//
// Every message the historian accepts is appended here (write(2), before the MQTT callback
// returns) and leaves only once the batch holding it is committed to PostgreSQL, so a message
// survives a PostgreSQL outage of any length (bounded by `max_bytes`), a SIGTERM and a SIGKILL
// (the page cache keeps what write(2) returned; fsync in batches, every `fsync_interval` of the
// caller, bounds what a machine crash can take). At start the segments left by the previous
// process are read back in order (replay); storing twice is harmless (idempotent writes).
//
// Frame: u32 topic length, u32 payload length, u32 FNV-1a of topic+payload (little endian),
// topic bytes, payload bytes. A torn or corrupt frame (a crash in the middle of a write) ends
// its segment for readers.
//
// Threading: every method is thread-safe (one mutex); read() does its I/O outside the mutex.
// Errors: the constructor throws std::runtime_error when the directory cannot be created or
// opened; append() returns nullopt when the spool is full or the write fails (logged).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ems::historian {

struct SpoolPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  auto operator<=>(const SpoolPosition&) const = default;
};

// One frame decoded from the start of `bytes` (pure; what Spool::read() applies to every frame
// of a segment it replays).
//   ok          a complete frame whose checksum matches; `size` is its length in bytes
//   incomplete  `bytes` is shorter than the frame (a torn write, or read more): `size` is the
//               length the frame needs (0 while the 12-byte header itself is incomplete)
//   corrupt     the checksum does not match, or a length exceeds kSpoolMaxTopic/kSpoolMaxPayload
// `topic` and `payload` view into `bytes` and are set only when ok.
inline constexpr std::size_t kSpoolFrameHeader = 12;
inline constexpr std::uint32_t kSpoolMaxTopic = 1u << 20;
inline constexpr std::uint32_t kSpoolMaxPayload = 1u << 28;
enum class SpoolFrameStatus { ok, incomplete, corrupt };
struct SpoolFrameView {
  SpoolFrameStatus status = SpoolFrameStatus::incomplete;
  std::uint64_t size = 0;
  std::string_view topic;
  std::string_view payload;
};
SpoolFrameView decode_spool_frame(std::string_view bytes);
// The frame append() writes for one message (decode_spool_frame() of it is ok).
std::string encode_spool_frame(std::string_view topic, std::string_view payload);

struct SpoolFrame {
  std::string topic;
  std::string payload;
  SpoolPosition end;  // position just after this frame
};

class Spool {
 public:
  Spool(std::string dir, std::uint64_t segment_bytes, std::uint64_t max_bytes);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // The oldest byte still held (start of the oldest segment) and the append position. Equal
  // when nothing is held.
  SpoolPosition begin() const;
  SpoolPosition end() const;

  // Appends one frame; returns the position after it, nullopt when full or on a write error.
  std::optional<SpoolPosition> append(std::string_view topic, std::string_view payload);

  // fdatasync of the segment being appended to (rotated segments are synced when closed).
  void sync();

  // Up to `max` frames from `from` (a position returned by append()/read()/begin()) to end().
  std::vector<SpoolFrame> read(SpoolPosition from, std::size_t max) const;

  // Deletes the segments that lie entirely before `committed`.
  void release_before(SpoolPosition committed);

  std::uint64_t bytes() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string path_of(std::uint64_t segment) const;
  void open_segment(std::uint64_t segment);  // mutex held

  std::string dir_;
  std::uint64_t segment_bytes_;
  std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> segments_;  // ascending, the last one is being appended to
  std::uint64_t held_bytes_ = 0;         // bytes of every segment but the current one
  int fd_ = -1;
  std::uint64_t offset_ = 0;  // size of the current segment
  bool dirty_ = false;
};

}  // namespace ems::historian
