#pragma once
// A DNP3 outstation's application layer, free of I/O: request APDU in, response APDUs out.
//
// It serves integrity polls (class 0), event polls (class 1/2/3, events cleared only when the
// master confirms), reads of one group, WRITE of the restart indication, and controls
// (g12v1 CROB, g41v1-v4 analog output) by SELECT/OPERATE or DIRECT_OPERATE. A control reaches the
// ControlCallback; on success the matching output status point is updated so reads show it.
// Unsupported functions and objects are answered with IIN2 bits, never an exception.
// Thread-safe: the TCP server and the model driving point values may call it concurrently.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "ems/protocols/dnp3/apdu.hpp"
#include "ems/protocols/dnp3/point_database.hpp"

namespace ems::protocols::dnp3 {

enum class ControlPhase { kSelect, kOperate };

struct Control {
  ControlPhase phase = ControlPhase::kOperate;
  std::uint8_t group = 12;  // 12 (CROB) or 41 (analog output)
  std::uint8_t variation = 1;
  std::uint16_t index = 0;
  std::optional<Crob> crob;                   // group 12
  std::optional<AnalogOutput> analog_output;  // group 41
};

// Returns the status reported to the master. A SELECT asks whether the control would be
// accepted (the model must not act yet); an OPERATE acts.
using ControlCallback = std::function<CommandStatus(const Control&)>;

struct OutstationConfig {
  std::size_t max_fragment = 2048;
  std::chrono::milliseconds select_timeout{5000};
  std::size_t max_controls_per_request = 16;
  std::size_t events_per_class = 100;
};

struct OutstationStats {
  std::uint64_t requests = 0;
  std::uint64_t malformed = 0;  // requests answered with a parameter/object error or ignored
  std::uint64_t confirms = 0;
  std::uint64_t controls_operated = 0;
  std::uint64_t controls_rejected = 0;
};

class Outstation {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Outstation(OutstationConfig config = {});

  // Without a callback every control is answered NOT_SUPPORTED.
  void set_control_callback(ControlCallback callback);

  // Runs f(PointDatabase&) under the outstation lock, e.g. to add points or push model values.
  template <typename F>
  decltype(auto) with_database(F&& f) {
    std::lock_guard lock(mutex_);
    return f(db_);
  }

  // Handles one request fragment and returns the fragments to send, in order (usually one; none
  // for CONFIRM and DIRECT_OPERATE_NR; the next fragment of a multi-fragment response after a
  // CONFIRM).
  std::vector<std::vector<std::uint8_t>> handle(std::span<const std::uint8_t> request,
                                                Clock::time_point now = Clock::now());

  Iin iin() const;
  OutstationStats stats() const;

 private:
  struct Selection {
    std::uint8_t seq = 0;
    std::vector<std::uint8_t> objects;  // raw object bytes of the SELECT
    Clock::time_point deadline;
  };

  Iin iin_locked() const;
  std::vector<ObjectBlock> read(const Apdu& request, Iin& iin);
  std::vector<ObjectBlock> control(const Apdu& request, ControlPhase phase, Iin& iin,
                                   std::optional<CommandStatus> forced);
  void write(const Apdu& request, Iin& iin);
  CommandStatus apply(const Control& c);
  std::vector<std::vector<std::uint8_t>> respond(std::uint8_t seq, std::vector<ObjectBlock> blocks,
                                                 Iin extra);

  mutable std::recursive_mutex mutex_;  // recursive: callbacks may call with_database
  OutstationConfig config_;
  PointDatabase db_;
  ControlCallback callback_;
  OutstationStats stats_;
  bool restart_ = true;  // IIN1.7 until the master clears it
  std::optional<Selection> selection_;
  std::deque<std::vector<std::uint8_t>> pending_;  // fragments waiting for the previous confirm
  bool awaiting_confirm_ = false;
  std::uint8_t confirm_seq_ = 0;
  bool events_in_flight_ = false;
  // The event buffer's drop count when a response with events reported IIN2.3: a confirm clears
  // the overflow only if no event was dropped since (the master was told of every loss).
  std::optional<std::uint64_t> overflow_reported_at_;
};

}  // namespace ems::protocols::dnp3
