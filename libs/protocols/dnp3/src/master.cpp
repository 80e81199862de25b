#include "ems/protocols/dnp3/master.hpp"

#include <array>

#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/link_channel.hpp"
#include "ems/protocols/net/stream_io.hpp"
#include "ems/protocols/net/tcp.hpp"
#include "net_error.hpp"

namespace ems::protocols::dnp3 {
namespace {

using Clock = std::chrono::steady_clock;

std::string iin2_text(std::uint8_t iin2) {
  std::string s;
  auto add = [&](std::uint8_t bit, const char* name) {
    if ((iin2 & bit) == 0) return;
    if (!s.empty()) s += ", ";
    s += name;
  };
  add(iin2::kNoFunctionCodeSupport, "function not supported");
  add(iin2::kObjectUnknown, "object unknown");
  add(iin2::kParameterError, "parameter error");
  return s;
}

constexpr std::uint8_t kRequestErrors =
    iin2::kNoFunctionCodeSupport | iin2::kObjectUnknown | iin2::kParameterError;

}  // namespace

struct Master::Session {
  net::Socket socket;
  LinkChannel channel;
};

Master::Master(MasterConfig config) : config_(std::move(config)) {}
Master::~Master() = default;

void Master::connect() {
  if (session_) return;
  net::Socket s;
  try {
    s = net::connect_tcp(config_.host, config_.port, config_.connect_timeout);
  } catch (const net::NetError& e) {
    throw detail::to_dnp3_error(e);
  }
  session_ = std::make_unique<Session>(Session{
      std::move(s), LinkChannel(LinkChannelConfig{true, config_.link_address,
                                                  config_.outstation_address, kDefaultMaxApdu})});
}

void Master::close() {
  session_.reset();
}

bool Master::connected() const noexcept {
  return session_ != nullptr;
}

void Master::set_wire_observer(WireObserver observer) {
  observer_ = std::move(observer);
}

Apdu Master::transact(FunctionCode function, std::vector<ObjectBlock> objects) {
  connect();
  Apdu request;
  request.control = AppControl{true, true, false, false, app_seq_};
  request.function = function;
  request.objects = std::move(objects);
  const std::uint8_t seq = app_seq_;
  app_seq_ = static_cast<std::uint8_t>((app_seq_ + 1) & 0x0F);

  auto send = [&](std::span<const std::uint8_t> bytes) {
    if (observer_) observer_(true, bytes);
    try {
      net::send_all(session_->socket, bytes);
    } catch (const net::NetError& e) {
      close();
      throw detail::to_dnp3_error(e);
    }
  };
  auto send_confirm = [&](std::uint8_t confirm_seq, bool uns) {
    Apdu c;
    c.control = AppControl{true, true, false, uns, confirm_seq};
    c.function = FunctionCode::kConfirm;
    send(session_->channel.frame_apdu(encode_apdu(c)));
  };
  send(session_->channel.frame_apdu(encode_apdu(request)));

  const auto deadline = Clock::now() + config_.response_timeout;
  Apdu result;
  bool started = false;
  std::uint8_t expected = seq;
  std::array<std::uint8_t, 4096> buffer{};
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      throw Dnp3Error(ErrorKind::kTimeout,
                      "no complete response to " + std::string(to_string(function)) + " (seq " +
                          std::to_string(seq) + ") from " + config_.host + ":" +
                          std::to_string(config_.port) + " within " +
                          std::to_string(config_.response_timeout.count()) + " ms" +
                          (session_->channel.last_link_error().empty()
                               ? std::string()
                               : "; last link error: " + session_->channel.last_link_error()));
    }
    long n = 0;
    try {
      n = net::receive_some(session_->socket, buffer, left);
    } catch (const net::NetError& e) {
      close();
      throw detail::to_dnp3_error(e);
    }
    if (n < 0) continue;
    if (n == 0) {
      close();
      throw Dnp3Error(ErrorKind::kConnection, "outstation " + config_.host + ":" +
                                                  std::to_string(config_.port) +
                                                  " closed the connection");
    }
    const std::span<const std::uint8_t> bytes(buffer.data(), static_cast<std::size_t>(n));
    if (observer_) observer_(false, bytes);
    auto received = session_->channel.receive(bytes);
    if (!received.link_replies.empty()) send(received.link_replies);
    for (const auto& apdu : received.apdus) {
      ApduHeader h;
      try {
        h = decode_apdu_header(apdu);
      } catch (const Dnp3Error&) {
        continue;
      }
      if (h.function == FunctionCode::kUnsolicitedResponse) {
        if (h.control.con) send_confirm(h.control.seq, true);
        continue;  // unsolicited reporting is not used by this master
      }
      if (h.function != FunctionCode::kResponse || h.control.seq != expected) continue;
      if (!started && !h.control.fir) continue;
      Apdu fragment = decode_apdu(apdu);
      if (h.control.con) send_confirm(h.control.seq, false);
      if (!started) {
        result = fragment;
        started = true;
      } else {
        result.iin = fragment.iin;
        for (auto& b : fragment.objects) result.objects.push_back(std::move(b));
      }
      if (h.control.fin) return result;
      expected = static_cast<std::uint8_t>((expected + 1) & 0x0F);
    }
  }
}

ReadResult Master::read(std::vector<ObjectBlock> request) {
  const Apdu response = transact(FunctionCode::kRead, std::move(request));
  if ((response.iin.iin2 & kRequestErrors) != 0) {
    throw Dnp3Error(ErrorKind::kRejected,
                    "outstation rejected READ: " + iin2_text(response.iin.iin2));
  }
  ReadResult r;
  r.iin = response.iin;
  for (const auto& block : response.objects) {
    for (const auto& p : block.points) {
      r.measurements.push_back(Measurement{block.group, block.variation, p});
    }
  }
  return r;
}

ReadResult Master::integrity_poll() {
  return read({ObjectBlock::all(60, 2), ObjectBlock::all(60, 3), ObjectBlock::all(60, 4),
               ObjectBlock::all(60, 1)});
}

ReadResult Master::event_poll(ClassMask classes) {
  std::vector<ObjectBlock> request;
  for (std::uint8_t c = 1; c <= 3; ++c) {
    if (classes & class_bit(static_cast<EventClass>(c))) {
      request.push_back(ObjectBlock::all(60, static_cast<std::uint8_t>(c + 1)));
    }
  }
  if (request.empty()) throw Dnp3Error(ErrorKind::kBadRange, "event poll without a class");
  return read(std::move(request));
}

ReadResult Master::read_range(std::uint8_t group, std::uint8_t variation, std::uint16_t start,
                              std::uint16_t stop) {
  return read({ObjectBlock::range(group, variation, start, stop)});
}

ReadResult Master::read_all(std::uint8_t group, std::uint8_t variation) {
  return read({ObjectBlock::all(group, variation)});
}

void Master::clear_restart() {
  ObjectBlock b = ObjectBlock::range(80, 1, 7, 7);
  b.points.push_back(Point{7, PackedBit{false}});
  const Apdu response = transact(FunctionCode::kWrite, {b});
  if ((response.iin.iin2 & kRequestErrors) != 0) {
    throw Dnp3Error(ErrorKind::kRejected,
                    "outstation rejected WRITE g80v1: " + iin2_text(response.iin.iin2));
  }
}

ObjectBlock Master::control_block(std::uint16_t index, const Crob& crob) const {
  Crob c = crob;
  c.status = CommandStatus::kSuccess;
  return ObjectBlock::indexed(12, 1, {Point{index, c}});
}

ObjectBlock Master::analog_block(std::uint16_t index, double value, std::uint8_t variation) const {
  if (variation < 1 || variation > 4) {
    throw Dnp3Error(ErrorKind::kUnknownObject,
                    "g41v" + std::to_string(variation) + " does not exist");
  }
  return ObjectBlock::indexed(41, variation, {Point{index, AnalogOutput{value}}});
}

CommandStatus Master::operate(FunctionCode function, ObjectBlock block) {
  const Apdu response = transact(function, {block});
  if ((response.iin.iin2 & kRequestErrors) != 0 || response.objects.size() != 1 ||
      response.objects[0].points.size() != 1) {
    throw Dnp3Error(ErrorKind::kRejected,
                    "outstation rejected " + std::string(to_string(function)) + ": " +
                        (response.iin.iin2 & kRequestErrors ? iin2_text(response.iin.iin2)
                                                            : std::string("control not echoed")));
  }
  const auto& value = response.objects[0].points[0].value;
  if (const auto* c = std::get_if<Crob>(&value)) return c->status;
  if (const auto* a = std::get_if<AnalogOutput>(&value)) return a->status;
  throw Dnp3Error(ErrorKind::kRejected, "outstation echoed a different object");
}

CommandStatus Master::select_and_operate(std::uint16_t index, const Crob& crob) {
  const ObjectBlock block = control_block(index, crob);
  const CommandStatus selected = operate(FunctionCode::kSelect, block);
  if (selected != CommandStatus::kSuccess) return selected;
  return operate(FunctionCode::kOperate, block);
}

CommandStatus Master::direct_operate(std::uint16_t index, const Crob& crob) {
  return operate(FunctionCode::kDirectOperate, control_block(index, crob));
}

CommandStatus Master::select_and_operate_analog(std::uint16_t index, double value,
                                                std::uint8_t variation) {
  const ObjectBlock block = analog_block(index, value, variation);
  const CommandStatus selected = operate(FunctionCode::kSelect, block);
  if (selected != CommandStatus::kSuccess) return selected;
  return operate(FunctionCode::kOperate, block);
}

CommandStatus Master::direct_operate_analog(std::uint16_t index, double value,
                                            std::uint8_t variation) {
  return operate(FunctionCode::kDirectOperate, analog_block(index, value, variation));
}

}  // namespace ems::protocols::dnp3
