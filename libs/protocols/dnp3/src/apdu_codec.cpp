// Encoder and decoder of application fragments (header + object blocks).

#include <cmath>
#include <limits>
#include <string>

#include "bytes.hpp"
#include "ems/protocols/dnp3/apdu.hpp"
#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {
namespace {

using detail::ByteReader;
using detail::ByteWriter;

std::string gv(std::uint8_t group, std::uint8_t variation) {
  return "g" + std::to_string(group) + "v" + std::to_string(variation);
}

bool is_prefixed(Qualifier q) {
  return q == Qualifier::kIndexPrefix8Count8 || q == Qualifier::kIndexPrefix16Count16;
}
bool is_range(Qualifier q) {
  return q == Qualifier::kStartStop8 || q == Qualifier::kStartStop16;
}

// Rounds to the nearest integer of type T; out-of-range and NaN values clamp and flag OVER_RANGE.
template <typename T>
T to_int(double v, std::uint8_t& flag_byte) {
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (std::isnan(v)) {
    flag_byte |= flags::kOverRange;
    return 0;
  }
  const double r = std::round(v);
  if (r < lo) {
    flag_byte |= flags::kOverRange;
    return std::numeric_limits<T>::min();
  }
  if (r > hi) {
    flag_byte |= flags::kOverRange;
    return std::numeric_limits<T>::max();
  }
  return static_cast<T>(r);
}

template <typename V>
const V& value_as(const Point& p, const ObjectType& t) {
  if (const V* v = std::get_if<V>(&p.value)) return *v;
  throw Dnp3Error(ErrorKind::kUnknownObject, "point " + std::to_string(p.index) +
                                                 " holds a value of the wrong type for " +
                                                 gv(t.group, t.variation));
}

void write_value(ByteWriter& w, const ObjectType& t, const Point& p) {
  switch (t.layout) {
    case Layout::kNone:
    case Layout::kPackedBits:
      return;  // handled by the caller
    case Layout::kBinaryFlags:
    case Layout::kBinaryFlagsTime: {
      const auto& b = value_as<Binary>(p, t);
      w.u8(static_cast<std::uint8_t>((b.flags & 0x7FU) | (b.value ? flags::kBinaryState : 0U)));
      if (t.layout == Layout::kBinaryFlagsTime) w.u48(b.time_ms.value_or(0));
      return;
    }
    case Layout::kCounterFlags32: {
      const auto& c = value_as<Counter>(p, t);
      w.u8(c.flags);
      w.u32(c.value);
      return;
    }
    case Layout::kCounter32:
      w.u32(value_as<Counter>(p, t).value);
      return;
    case Layout::kAnalogFlags32:
    case Layout::kAnalogFlags16:
    case Layout::kAnalog32:
    case Layout::kAnalog16:
    case Layout::kAnalogFlagsFloat:
    case Layout::kAnalogFlagsDouble: {
      const auto& a = value_as<Analog>(p, t);
      std::uint8_t f = a.flags;
      switch (t.layout) {
        case Layout::kAnalogFlags32: {
          const auto v = to_int<std::int32_t>(a.value, f);
          w.u8(f);
          w.u32(static_cast<std::uint32_t>(v));
          break;
        }
        case Layout::kAnalogFlags16: {
          const auto v = to_int<std::int16_t>(a.value, f);
          w.u8(f);
          w.u16(static_cast<std::uint16_t>(v));
          break;
        }
        case Layout::kAnalog32:
          w.u32(static_cast<std::uint32_t>(to_int<std::int32_t>(a.value, f)));
          break;
        case Layout::kAnalog16:
          w.u16(static_cast<std::uint16_t>(to_int<std::int16_t>(a.value, f)));
          break;
        case Layout::kAnalogFlagsFloat:
          w.u8(f);
          w.f32(static_cast<float>(a.value));
          break;
        default:
          w.u8(f);
          w.f64(a.value);
          break;
      }
      return;
    }
    case Layout::kCrob: {
      const auto& c = value_as<Crob>(p, t);
      w.u8(c.control_code);
      w.u8(c.count);
      w.u32(c.on_time_ms);
      w.u32(c.off_time_ms);
      w.u8(static_cast<std::uint8_t>(c.status));
      return;
    }
    case Layout::kAoInt32:
    case Layout::kAoInt16:
    case Layout::kAoFloat:
    case Layout::kAoDouble: {
      const auto& a = value_as<AnalogOutput>(p, t);
      std::uint8_t ignored = 0;
      if (t.layout == Layout::kAoInt32) {
        w.u32(static_cast<std::uint32_t>(to_int<std::int32_t>(a.value, ignored)));
      } else if (t.layout == Layout::kAoInt16) {
        w.u16(static_cast<std::uint16_t>(to_int<std::int16_t>(a.value, ignored)));
      } else if (t.layout == Layout::kAoFloat) {
        w.f32(static_cast<float>(a.value));
      } else {
        w.f64(a.value);
      }
      w.u8(static_cast<std::uint8_t>(a.status));
      return;
    }
  }
}

ObjectValue read_value(ByteReader& r, const ObjectType& t) {
  switch (t.layout) {
    case Layout::kNone:
    case Layout::kPackedBits:
      return std::monostate{};
    case Layout::kBinaryFlags:
    case Layout::kBinaryFlagsTime: {
      const std::uint8_t f = r.u8("binary flags");
      Binary b{(f & flags::kBinaryState) != 0, static_cast<std::uint8_t>(f & 0x7FU), std::nullopt};
      if (t.layout == Layout::kBinaryFlagsTime) b.time_ms = r.u48("binary event time");
      return b;
    }
    case Layout::kCounterFlags32: {
      const std::uint8_t f = r.u8("counter flags");
      return Counter{r.u32("counter value"), f};
    }
    case Layout::kCounter32:
      return Counter{r.u32("counter value"), flags::kOnline};
    case Layout::kAnalogFlags32: {
      const std::uint8_t f = r.u8("analog flags");
      return Analog{static_cast<double>(static_cast<std::int32_t>(r.u32("analog value"))), f};
    }
    case Layout::kAnalogFlags16: {
      const std::uint8_t f = r.u8("analog flags");
      return Analog{static_cast<double>(static_cast<std::int16_t>(r.u16("analog value"))), f};
    }
    case Layout::kAnalog32:
      return Analog{static_cast<double>(static_cast<std::int32_t>(r.u32("analog value"))),
                    flags::kOnline};
    case Layout::kAnalog16:
      return Analog{static_cast<double>(static_cast<std::int16_t>(r.u16("analog value"))),
                    flags::kOnline};
    case Layout::kAnalogFlagsFloat: {
      const std::uint8_t f = r.u8("analog flags");
      return Analog{static_cast<double>(r.f32("analog value")), f};
    }
    case Layout::kAnalogFlagsDouble: {
      const std::uint8_t f = r.u8("analog flags");
      return Analog{r.f64("analog value"), f};
    }
    case Layout::kCrob: {
      Crob c;
      c.control_code = r.u8("CROB control code");
      c.count = r.u8("CROB count");
      c.on_time_ms = r.u32("CROB on time");
      c.off_time_ms = r.u32("CROB off time");
      c.status = static_cast<CommandStatus>(r.u8("CROB status"));
      return c;
    }
    case Layout::kAoInt32: {
      const double v = static_cast<std::int32_t>(r.u32("analog output value"));
      return AnalogOutput{v, static_cast<CommandStatus>(r.u8("analog output status"))};
    }
    case Layout::kAoInt16: {
      const double v = static_cast<std::int16_t>(r.u16("analog output value"));
      return AnalogOutput{v, static_cast<CommandStatus>(r.u8("analog output status"))};
    }
    case Layout::kAoFloat: {
      const double v = r.f32("analog output value");
      return AnalogOutput{v, static_cast<CommandStatus>(r.u8("analog output status"))};
    }
    case Layout::kAoDouble: {
      const double v = r.f64("analog output value");
      return AnalogOutput{v, static_cast<CommandStatus>(r.u8("analog output status"))};
    }
  }
  return std::monostate{};
}

bool packed_bit_value(const Point& p) {
  if (const auto* b = std::get_if<PackedBit>(&p.value)) return b->value;
  if (const auto* b = std::get_if<Binary>(&p.value)) return b->value;
  throw Dnp3Error(ErrorKind::kUnknownObject,
                  "point " + std::to_string(p.index) + " of a packed-bit object is not a bit");
}

void write_block(ByteWriter& w, const ObjectBlock& b, bool with_data) {
  const ObjectType* type = find_object_type(b.group, b.variation);
  if (with_data && type == nullptr) {
    throw Dnp3Error(ErrorKind::kUnknownObject, gv(b.group, b.variation) + " is not supported");
  }
  if (!with_data && type == nullptr && !(b.variation == 0 && is_known_group(b.group))) {
    throw Dnp3Error(ErrorKind::kUnknownObject, gv(b.group, b.variation) + " is not supported");
  }
  const bool data = with_data && type->layout != Layout::kNone;
  w.u8(b.group);
  w.u8(b.variation);
  w.u8(static_cast<std::uint8_t>(b.qualifier));
  switch (b.qualifier) {
    case Qualifier::kStartStop8:
      if (b.stop > 0xFF || b.stop < b.start) {
        throw Dnp3Error(ErrorKind::kBadRange, "8-bit range " + std::to_string(b.start) + ".." +
                                                  std::to_string(b.stop) + " is invalid");
      }
      w.u8(static_cast<std::uint8_t>(b.start));
      w.u8(static_cast<std::uint8_t>(b.stop));
      break;
    case Qualifier::kStartStop16:
      if (b.stop < b.start) throw Dnp3Error(ErrorKind::kBadRange, "range stop below start");
      w.u16(b.start);
      w.u16(b.stop);
      break;
    case Qualifier::kAllObjects:
      if (data) throw Dnp3Error(ErrorKind::kBadQualifier, "qualifier 0x06 cannot carry values");
      break;
    case Qualifier::kCount8:
    case Qualifier::kIndexPrefix8Count8:
      if (b.count > 0xFF) throw Dnp3Error(ErrorKind::kBadRange, "8-bit count above 255");
      w.u8(static_cast<std::uint8_t>(b.count));
      break;
    case Qualifier::kCount16:
    case Qualifier::kIndexPrefix16Count16:
      w.u16(b.count);
      break;
    default:
      throw Dnp3Error(
          ErrorKind::kBadQualifier,
          "qualifier " + std::to_string(static_cast<int>(b.qualifier)) + " unsupported");
  }
  const bool prefixed = is_prefixed(b.qualifier);
  if (!data && !prefixed) return;
  const std::size_t n = b.announced();
  if (b.points.size() != n) {
    throw Dnp3Error(ErrorKind::kBadRange, gv(b.group, b.variation) + " header announces " +
                                              std::to_string(n) + " objects but holds " +
                                              std::to_string(b.points.size()));
  }
  if (is_range(b.qualifier)) {
    for (std::size_t i = 0; i < n; ++i) {
      if (b.points[i].index != b.start + i) {
        throw Dnp3Error(ErrorKind::kBadRange, "point indices do not follow the header range");
      }
    }
  }
  if (data && type->layout == Layout::kPackedBits) {
    if (prefixed) throw Dnp3Error(ErrorKind::kBadQualifier, "packed bits cannot be index-prefixed");
    std::uint8_t acc = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (packed_bit_value(b.points[i])) acc = static_cast<std::uint8_t>(acc | (1U << (i % 8)));
      if (i % 8 == 7 || i + 1 == n) {
        w.u8(acc);
        acc = 0;
      }
    }
    return;
  }
  for (const auto& p : b.points) {
    if (b.qualifier == Qualifier::kIndexPrefix8Count8) {
      if (p.index > 0xFF) throw Dnp3Error(ErrorKind::kBadRange, "index above 255 with 0x17");
      w.u8(static_cast<std::uint8_t>(p.index));
    } else if (b.qualifier == Qualifier::kIndexPrefix16Count16) {
      w.u16(p.index);
    }
    if (data) write_value(w, *type, p);
  }
}

ObjectBlock read_block(ByteReader& r, bool with_data) {
  ObjectBlock b;
  b.group = r.u8("object group");
  b.variation = r.u8("object variation");
  const std::uint8_t q = r.u8("object qualifier");
  const ObjectType* type = find_object_type(b.group, b.variation);
  if (type == nullptr && (with_data || !(b.variation == 0 && is_known_group(b.group)))) {
    throw Dnp3Error(ErrorKind::kUnknownObject, gv(b.group, b.variation) + " is not supported");
  }
  const bool data = with_data && type->layout != Layout::kNone;
  b.qualifier = static_cast<Qualifier>(q);
  switch (b.qualifier) {
    case Qualifier::kStartStop8:
      b.start = r.u8("range start");
      b.stop = r.u8("range stop");
      break;
    case Qualifier::kStartStop16:
      b.start = r.u16("range start");
      b.stop = r.u16("range stop");
      break;
    case Qualifier::kAllObjects:
      if (data) {
        throw Dnp3Error(ErrorKind::kBadQualifier,
                        gv(b.group, b.variation) + " with qualifier 0x06 cannot carry values");
      }
      return b;
    case Qualifier::kCount8:
    case Qualifier::kIndexPrefix8Count8:
      b.count = r.u8("object count");
      break;
    case Qualifier::kCount16:
    case Qualifier::kIndexPrefix16Count16:
      b.count = r.u16("object count");
      break;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      throw Dnp3Error(ErrorKind::kBadQualifier, std::string("qualifier 0x") + kHex[q >> 4] +
                                                    kHex[q & 0xF] + " is not supported");
    }
  }
  if (is_range(b.qualifier) && b.stop < b.start) {
    throw Dnp3Error(ErrorKind::kBadRange, "range stop " + std::to_string(b.stop) + " below start " +
                                              std::to_string(b.start));
  }
  const bool prefixed = is_prefixed(b.qualifier);
  if (!data && !prefixed) return b;
  const std::size_t n = b.announced();
  const std::size_t prefix = b.qualifier == Qualifier::kIndexPrefix8Count8     ? 1
                             : b.qualifier == Qualifier::kIndexPrefix16Count16 ? 2
                                                                               : 0;
  if (data && type->layout == Layout::kPackedBits) {
    if (prefixed) throw Dnp3Error(ErrorKind::kBadQualifier, "packed bits cannot be index-prefixed");
    const auto bytes = r.take((n + 7) / 8, "packed bits");
    b.points.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      b.points.push_back(Point{static_cast<std::uint16_t>(b.start + i),
                               PackedBit{((bytes[i / 8] >> (i % 8)) & 1U) != 0}});
    }
    return b;
  }
  // Check the whole block fits before allocating, so a forged count cannot exhaust memory.
  r.need(n * (prefix + (data ? type->size : 0)), "object block");
  b.points.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Point p;
    if (prefix == 1) {
      p.index = r.u8("index prefix");
    } else if (prefix == 2) {
      p.index = r.u16("index prefix");
    } else {
      p.index = static_cast<std::uint16_t>(b.start + i);
    }
    if (data) p.value = read_value(r, *type);
    b.points.push_back(std::move(p));
  }
  return b;
}

bool is_known_function(FunctionCode fc) {
  switch (fc) {
    case FunctionCode::kConfirm:
    case FunctionCode::kRead:
    case FunctionCode::kWrite:
    case FunctionCode::kSelect:
    case FunctionCode::kOperate:
    case FunctionCode::kDirectOperate:
    case FunctionCode::kDirectOperateNoAck:
    case FunctionCode::kResponse:
    case FunctionCode::kUnsolicitedResponse:
      return true;
  }
  return false;
}

}  // namespace

bool carries_data(FunctionCode fc) noexcept {
  return fc != FunctionCode::kRead && fc != FunctionCode::kConfirm;
}

void append_apdu(std::vector<std::uint8_t>& out, const Apdu& apdu) {
  ByteWriter w(out);
  w.u8(apdu.control.byte());
  w.u8(static_cast<std::uint8_t>(apdu.function));
  if (is_response(apdu.function)) {
    w.u8(apdu.iin.iin1);
    w.u8(apdu.iin.iin2);
  }
  for (const auto& block : apdu.objects) write_block(w, block, carries_data(apdu.function));
}

std::vector<std::uint8_t> encode_apdu(const Apdu& apdu) {
  std::vector<std::uint8_t> out;
  append_apdu(out, apdu);
  return out;
}

Apdu decode_apdu(std::span<const std::uint8_t> bytes) {
  const ApduHeader header = decode_apdu_header(bytes);
  if (!is_known_function(header.function)) {
    throw Dnp3Error(
        ErrorKind::kBadFunction,
        "function code " + std::to_string(static_cast<int>(header.function)) + " is not supported");
  }
  Apdu apdu;
  apdu.control = header.control;
  apdu.function = header.function;
  apdu.iin = header.iin.value_or(Iin{});
  ByteReader r(bytes.subspan(header.size()));
  const bool with_data = carries_data(header.function);
  while (!r.empty()) apdu.objects.push_back(read_block(r, with_data));
  return apdu;
}

std::size_t encoded_size(const ObjectBlock& block, FunctionCode fc) {
  std::vector<std::uint8_t> scratch;
  ByteWriter w(scratch);
  write_block(w, block, carries_data(fc));
  return scratch.size();
}

}  // namespace ems::protocols::dnp3
