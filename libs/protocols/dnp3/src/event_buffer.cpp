#include "ems/protocols/dnp3/event_buffer.hpp"

#include <algorithm>

namespace ems::protocols::dnp3 {

void EventBuffer::push(Event event) {
  if (event.event_class == EventClass::kNone || capacity_ == 0) return;
  const auto in_class = std::count_if(events_.begin(), events_.end(), [&](const Event& e) {
    return e.event_class == event.event_class;
  });
  if (static_cast<std::size_t>(in_class) >= capacity_) {
    auto oldest = std::find_if(events_.begin(), events_.end(),
                               [&](const Event& e) { return e.event_class == event.event_class; });
    events_.erase(oldest);
    overflow_ = true;
    ++dropped_;
  }
  event.selected = false;
  events_.push_back(std::move(event));
}

std::vector<Event> EventBuffer::select(ClassMask mask, std::size_t max, std::uint8_t group) {
  std::vector<Event> out;
  for (auto& e : events_) {
    if (out.size() >= max) break;
    if (e.selected || (mask & class_bit(e.event_class)) == 0) continue;
    if (group != 0 && e.group != group) continue;
    e.selected = true;
    out.push_back(e);
  }
  return out;
}

void EventBuffer::confirm_selected() {
  std::erase_if(events_, [](const Event& e) { return e.selected; });
}

void EventBuffer::unselect_all() {
  for (auto& e : events_) e.selected = false;
}

ClassMask EventBuffer::pending_classes() const noexcept {
  ClassMask m = 0;
  for (const auto& e : events_) {
    if (!e.selected) m = static_cast<ClassMask>(m | class_bit(e.event_class));
  }
  return m;
}

}  // namespace ems::protocols::dnp3
