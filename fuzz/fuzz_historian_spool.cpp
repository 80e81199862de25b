// The historian's crash-replay path on arbitrary bytes: the input is read as a spool segment
// (decode_spool_frame() frame after frame, as Spool::read() does after a crash) and every frame
// that decodes is parsed as an MQTT message (parse_record()). Invariants: decoding never reads
// past the bytes, a decoded frame re-encodes to the same bytes, a torn frame reports a size
// larger than what is left, and a rejected record says why ("topic" or "payload").
// The input is also taken as "topic\npayload" and sent through encode -> decode -> parse, since
// random bytes rarely carry a valid checksum.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "record.hpp"
#include "spool.hpp"

namespace {

using namespace ems::historian;

void check_record(std::string_view topic, std::string_view payload) {
  RejectReason reason;
  const auto record = parse_record(topic, payload, &reason);
  if (!record && reason.kind != "topic" && reason.kind != "payload") std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  std::string_view rest = bytes;
  while (!rest.empty()) {
    const auto frame = decode_spool_frame(rest);
    if (frame.status == SpoolFrameStatus::incomplete) {
      if (frame.size != 0 && frame.size <= rest.size()) std::abort();
      break;
    }
    if (frame.status == SpoolFrameStatus::corrupt) break;
    if (frame.size < kSpoolFrameHeader || frame.size > rest.size()) std::abort();
    if (encode_spool_frame(frame.topic, frame.payload) != rest.substr(0, frame.size)) std::abort();
    check_record(frame.topic, frame.payload);
    rest.remove_prefix(frame.size);
  }

  const auto newline = bytes.find('\n');
  const auto topic = bytes.substr(0, newline);
  const auto payload =
      newline == std::string_view::npos ? std::string_view{} : bytes.substr(newline + 1);
  const std::string encoded = encode_spool_frame(topic, payload);
  const auto frame = decode_spool_frame(encoded);
  if (frame.status != SpoolFrameStatus::ok || frame.size != encoded.size() ||
      frame.topic != topic || frame.payload != payload) {
    std::abort();
  }
  check_record(topic, payload);
  return 0;
}
