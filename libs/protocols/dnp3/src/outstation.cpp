#include "ems/protocols/dnp3/outstation.hpp"

#include <limits>

#include "ems/protocols/dnp3/error.hpp"
#include "response_packer.hpp"
#include "static_reader.hpp"

namespace ems::protocols::dnp3 {
namespace {

std::uint8_t iin2_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUnknownObject:
      return iin2::kObjectUnknown;
    case ErrorKind::kBadFunction:
      return iin2::kNoFunctionCodeSupport;
    default:
      return iin2::kParameterError;
  }
}

std::size_t limit_of(const ObjectBlock& b) {
  if (b.qualifier == Qualifier::kCount8 || b.qualifier == Qualifier::kCount16) return b.count;
  return std::numeric_limits<std::size_t>::max();
}

bool is_control_object(std::uint8_t group, std::uint8_t variation) {
  return (group == 12 && variation == 1) || (group == 41 && variation >= 1 && variation <= 4);
}

// State a CROB leaves its output in: close/on -> true, trip/off -> false.
std::optional<bool> crob_state(const Crob& c) {
  if (c.trip_close() == TripClose::kClose) return true;
  if (c.trip_close() == TripClose::kTrip) return false;
  switch (c.op_type()) {
    case OpType::kLatchOn:
    case OpType::kPulseOn:
      return true;
    case OpType::kLatchOff:
    case OpType::kPulseOff:
      return false;
    default:
      return std::nullopt;
  }
}

}  // namespace

Outstation::Outstation(OutstationConfig config) : config_(config), db_(config.events_per_class) {}

void Outstation::set_control_callback(ControlCallback callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

Iin Outstation::iin() const {
  std::lock_guard lock(mutex_);
  return iin_locked();
}

OutstationStats Outstation::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Iin Outstation::iin_locked() const {
  Iin iin;
  if (restart_) iin.iin1 |= iin1::kDeviceRestart;
  const ClassMask pending = db_.events().pending_classes();
  if (pending & class_bit(EventClass::kClass1)) iin.iin1 |= iin1::kClass1Events;
  if (pending & class_bit(EventClass::kClass2)) iin.iin1 |= iin1::kClass2Events;
  if (pending & class_bit(EventClass::kClass3)) iin.iin1 |= iin1::kClass3Events;
  if (db_.events().overflow()) iin.iin2 |= iin2::kEventBufferOverflow;
  return iin;
}

std::vector<std::vector<std::uint8_t>> Outstation::handle(std::span<const std::uint8_t> request,
                                                          Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++stats_.requests;
  ApduHeader header;
  try {
    header = decode_apdu_header(request);
  } catch (const Dnp3Error&) {
    ++stats_.malformed;  // no sequence number to answer with
    return {};
  }
  const std::uint8_t seq = header.control.seq;

  if (header.function == FunctionCode::kConfirm) {
    ++stats_.confirms;
    if (!awaiting_confirm_ || header.control.uns || seq != confirm_seq_) return {};
    awaiting_confirm_ = false;
    if (!pending_.empty()) {
      std::vector<std::vector<std::uint8_t>> next{std::move(pending_.front())};
      pending_.pop_front();
      const AppControl c = AppControl::from_byte(next.front()[0]);
      awaiting_confirm_ = c.con;
      confirm_seq_ = c.seq;
      return next;
    }
    if (events_in_flight_) {
      db_.events().confirm_selected();
      if (overflow_reported_at_ && *overflow_reported_at_ == db_.events().dropped())
        db_.events().clear_overflow();
      overflow_reported_at_.reset();
      events_in_flight_ = false;
    }
    return {};
  }
  if (is_response(header.function)) return {};  // a master never sends these

  // A new request abandons an unfinished response; its events will be reported again.
  pending_.clear();
  awaiting_confirm_ = false;
  if (events_in_flight_) {
    db_.events().unselect_all();
    events_in_flight_ = false;
  }

  Iin extra;
  Apdu apdu;
  try {
    apdu = decode_apdu(request);
  } catch (const Dnp3Error& e) {
    ++stats_.malformed;
    extra.iin2 |= iin2_for(e.kind());
    if (header.function == FunctionCode::kDirectOperateNoAck) return {};
    return respond(seq, {}, extra);
  }

  std::vector<ObjectBlock> blocks;
  const auto raw_objects = request.subspan(header.size());
  switch (apdu.function) {
    case FunctionCode::kRead:
      blocks = read(apdu, extra);
      break;
    case FunctionCode::kWrite:
      write(apdu, extra);
      break;
    case FunctionCode::kSelect: {
      blocks = control(apdu, ControlPhase::kSelect, extra, std::nullopt);
      bool all_ok = !blocks.empty();
      for (const auto& b : blocks) {
        for (const auto& p : b.points) {
          if (const auto* c = std::get_if<Crob>(&p.value))
            all_ok = all_ok && c->status == CommandStatus::kSuccess;
          if (const auto* a = std::get_if<AnalogOutput>(&p.value))
            all_ok = all_ok && a->status == CommandStatus::kSuccess;
        }
      }
      selection_.reset();
      if (all_ok) {
        selection_ =
            Selection{seq, {raw_objects.begin(), raw_objects.end()}, now + config_.select_timeout};
      }
      break;
    }
    case FunctionCode::kOperate: {
      std::optional<CommandStatus> forced;
      const bool matches = selection_ && selection_->seq == ((seq + 15) & 0x0F) &&
                           std::equal(raw_objects.begin(), raw_objects.end(),
                                      selection_->objects.begin(), selection_->objects.end());
      if (!matches) {
        forced = CommandStatus::kNoSelect;
      } else if (now > selection_->deadline) {
        forced = CommandStatus::kTimeout;
      }
      selection_.reset();
      blocks = control(apdu, ControlPhase::kOperate, extra, forced);
      break;
    }
    case FunctionCode::kDirectOperate:
    case FunctionCode::kDirectOperateNoAck:
      blocks = control(apdu, ControlPhase::kOperate, extra, std::nullopt);
      if (apdu.function == FunctionCode::kDirectOperateNoAck) return {};
      break;
    default:
      extra.iin2 |= iin2::kNoFunctionCodeSupport;
      break;
  }
  if (extra.iin2 != 0) ++stats_.malformed;
  return respond(seq, std::move(blocks), extra);
}

std::vector<ObjectBlock> Outstation::read(const Apdu& request, Iin& iin) {
  std::vector<ObjectBlock> out;
  auto take_events = [&](ClassMask mask, std::size_t limit, std::uint8_t group,
                         std::uint8_t variation) {
    const auto events = db_.events().select(mask, limit, group);
    if (!events.empty()) events_in_flight_ = true;
    detail::append_events(events, variation, out);
  };
  for (const auto& block : request.objects) {
    if (block.group == 60) {
      if (block.variation == 1) {
        detail::append_class0(db_, out);
      } else {
        const auto c = static_cast<EventClass>(block.variation - 1);
        take_events(class_bit(c), limit_of(block), 0, 0);
      }
    } else if (detail::is_static_group(block.group)) {
      detail::append_static(db_, block, out, iin);
    } else if (block.group == 2 || block.group == 22 || block.group == 32) {
      take_events(kAllEventClasses, limit_of(block), block.group, block.variation);
    } else {
      iin.iin2 |= iin2::kObjectUnknown;
    }
  }
  return out;
}

void Outstation::write(const Apdu& request, Iin& iin) {
  for (const auto& block : request.objects) {
    if (block.group != 80 || block.variation != 1) {
      iin.iin2 |= iin2::kObjectUnknown;
      continue;
    }
    for (const auto& p : block.points) {
      const auto* bit = std::get_if<PackedBit>(&p.value);
      // Only clearing DEVICE_RESTART (IIN1.7) is writable.
      if (p.index == 7 && bit != nullptr && !bit->value) {
        restart_ = false;
      } else {
        iin.iin2 |= iin2::kParameterError;
      }
    }
  }
}

CommandStatus Outstation::apply(const Control& c) {
  const bool exists = c.group == 12 ? db_.binary_outputs().count(c.index) != 0
                                    : db_.analog_outputs().count(c.index) != 0;
  if (!exists || !callback_) return CommandStatus::kNotSupported;
  if (c.group == 12 && !crob_state(*c.crob)) return CommandStatus::kNotSupported;
  const CommandStatus status = callback_(c);
  if (status != CommandStatus::kSuccess || c.phase != ControlPhase::kOperate) return status;
  if (c.group == 12) {
    Binary b = db_.binary_outputs().at(c.index).value;
    b.value = *crob_state(*c.crob);
    db_.update_binary_output(c.index, b);
  } else {
    Analog a = db_.analog_outputs().at(c.index).value;
    a.value = c.analog_output->value;
    db_.update_analog_output(c.index, a);
  }
  return status;
}

std::vector<ObjectBlock> Outstation::control(const Apdu& request, ControlPhase phase, Iin& iin,
                                             std::optional<CommandStatus> forced) {
  std::vector<ObjectBlock> out;
  std::size_t seen = 0;
  for (const auto& block : request.objects) {
    if (!is_control_object(block.group, block.variation)) {
      iin.iin2 |= iin2::kObjectUnknown;
      continue;
    }
    ObjectBlock echo = block;
    for (auto& p : echo.points) {
      Control c;
      c.phase = phase;
      c.group = block.group;
      c.variation = block.variation;
      c.index = p.index;
      auto* crob = std::get_if<Crob>(&p.value);
      auto* ao = std::get_if<AnalogOutput>(&p.value);
      if (crob != nullptr) c.crob = *crob;
      if (ao != nullptr) c.analog_output = *ao;
      CommandStatus status;
      if (forced) {
        status = *forced;
      } else if (++seen > config_.max_controls_per_request) {
        status = CommandStatus::kTooManyOps;
      } else {
        status = apply(c);
      }
      if (phase == ControlPhase::kOperate) {
        if (status == CommandStatus::kSuccess) {
          ++stats_.controls_operated;
        } else {
          ++stats_.controls_rejected;
        }
      }
      if (crob != nullptr) crob->status = status;
      if (ao != nullptr) ao->status = status;
    }
    out.push_back(std::move(echo));
  }
  return out;
}

std::vector<std::vector<std::uint8_t>> Outstation::respond(std::uint8_t seq,
                                                           std::vector<ObjectBlock> blocks,
                                                           Iin extra) {
  auto fragments = detail::pack_blocks(std::move(blocks), config_.max_fragment - 4);
  Iin iin = iin_locked();
  iin.iin1 |= extra.iin1;
  iin.iin2 |= extra.iin2;
  overflow_reported_at_.reset();
  if (events_in_flight_ && (iin.iin2 & iin2::kEventBufferOverflow))
    overflow_reported_at_ = db_.events().dropped();
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    Apdu a;
    a.function = FunctionCode::kResponse;
    a.control.fir = i == 0;
    a.control.fin = i + 1 == fragments.size();
    // Non-final fragments wait for a confirm; the final one only when it carries events.
    a.control.con = !a.control.fin || events_in_flight_;
    a.control.seq = static_cast<std::uint8_t>((seq + i) & 0x0F);
    a.iin = iin;
    a.objects = std::move(fragments[i]);
    out.push_back(encode_apdu(a));
  }
  const AppControl first = AppControl::from_byte(out.front()[0]);
  awaiting_confirm_ = first.con;
  confirm_seq_ = first.seq;
  for (std::size_t i = 1; i < out.size(); ++i) pending_.push_back(std::move(out[i]));
  out.resize(1);
  return out;
}

}  // namespace ems::protocols::dnp3
