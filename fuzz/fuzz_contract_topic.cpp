// libFuzzer target: the parsers that see every MQTT message (topic, timestamp, payloads).
//
// Any ContractError is an expected rejection. Anything else - a crash, a sanitizer report, any
// other exception escaping, or a broken invariant below - is a bug:
//   - an accepted topic formats back to exactly the input (the grammar is canonical),
//   - try_parse_topic and parse_topic agree,
//   - an accepted timestamp or payload survives format/encode and decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ems/contract/issue.hpp"
#include "ems/contract/payload.hpp"
#include "ems/contract/time.hpp"
#include "ems/contract/topic.hpp"

namespace {

using namespace ems::contract;

void check(bool ok) {
  if (!ok) std::abort();
}

void fuzz_topic(std::string_view in) {
  const bool accepted = try_parse_topic(in).has_value();
  try {
    Topic t = parse_topic(in);
    check(accepted);
    check(format_topic(t) == in);
  } catch (const ContractError&) {
    check(!accepted);
  }
  try {
    Topic t = parse_topic_template(in);
    check(format_topic_template(t) == in);
  } catch (const ContractError&) {
  }
  // Filter matching has no error path; it only must not misbehave on any pair.
  const std::size_t half = in.size() / 2;
  (void)topic_matches(in.substr(0, half), in.substr(half));
}

void fuzz_timestamp(std::string_view in) {
  try {
    Timestamp t = parse_timestamp(in);
    check(parse_timestamp(format_timestamp(t)) == t);
  } catch (const ContractError&) {
  }
}

template <typename Decode>
void round_trip(std::string_view in, Decode decode) {
  try {
    auto value = decode(in);
    check(decode(encode(value)) == value);
  } catch (const ContractError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  fuzz_topic(in);
  fuzz_timestamp(in);
  round_trip(in, [](std::string_view s) { return decode_float_sample(s); });
  round_trip(in, [](std::string_view s) { return decode_boolean_sample(s); });
  round_trip(in, [](std::string_view s) { return decode_enum_sample(s); });
  round_trip(in, [](std::string_view s) { return decode_trigger_sample(s); });
  round_trip(in, [](std::string_view s) { return decode_sample(s); });
  round_trip(in, [](std::string_view s) { return decode_command(s); });
  round_trip(in, [](std::string_view s) { return decode_ack(s); });
  round_trip(in, [](std::string_view s) { return decode_topology_changed(s); });
  round_trip(in, [](std::string_view s) { return decode_service_status(s); });
  return 0;
}
