#pragma once
// Class 1/2/3 event queue of an outstation.
//
// Events leave the buffer only when the master confirms the response that carried them: a read
// *selects* events (they go out with CON set), a confirm removes the selected ones, and any new
// read first returns unconfirmed events to the pool so they are reported again. When a class is
// full the oldest event of that class is dropped and the overflow flag (IIN2.3) is raised.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "ems/protocols/dnp3/objects.hpp"

namespace ems::protocols::dnp3 {

enum class EventClass : std::uint8_t { kNone = 0, kClass1 = 1, kClass2 = 2, kClass3 = 3 };

// Bit set of classes: bit (1 << class).
using ClassMask = std::uint8_t;
inline constexpr ClassMask class_bit(EventClass c) noexcept {
  return static_cast<ClassMask>(1U << static_cast<unsigned>(c));
}
inline constexpr ClassMask kAllEventClasses = 0x0E;

struct Event {
  EventClass event_class = EventClass::kClass1;
  std::uint8_t group = 0;  // 2, 22 or 32
  std::uint8_t variation = 0;
  Point point;
  bool selected = false;  // sent, awaiting confirm
};

class EventBuffer {
 public:
  explicit EventBuffer(std::size_t capacity_per_class) : capacity_(capacity_per_class) {}

  void push(Event event);

  // Marks up to `max` unselected events of the classes in `mask` (and of `group`, if not 0) as
  // selected, oldest first, and returns copies of them.
  std::vector<Event> select(ClassMask mask, std::size_t max, std::uint8_t group = 0);
  void confirm_selected();  // removes the selected events
  void unselect_all();      // a response went unconfirmed: report its events again

  // Classes with events not yet selected, as IIN1 bits 1..3.
  ClassMask pending_classes() const noexcept;
  std::size_t size() const noexcept { return events_.size(); }
  bool overflow() const noexcept { return overflow_; }
  void clear_overflow() noexcept { overflow_ = false; }
  // Events dropped so far (never reset): tells whether an overflow happened after a point.
  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  std::size_t capacity_;
  std::deque<Event> events_;
  bool overflow_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace ems::protocols::dnp3
