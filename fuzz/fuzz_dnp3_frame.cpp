// libFuzzer target: the DNP3 link-layer streaming decoder and the link channel (link replies,
// transport reassembly). Input: byte 0 picks the chunk size; the rest is the TCP byte stream.
// Every frame delivered must re-encode to a frame that decodes to itself.

#include <cstddef>
#include <cstdint>
#include <span>

#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/link_channel.hpp"
#include "ems/protocols/dnp3/link_decoder.hpp"
#include "ems/protocols/dnp3/link_frame.hpp"

using namespace ems::protocols::dnp3;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::span<const std::uint8_t> stream(data + 1, size - 1);

  LinkDecoder decoder;
  LinkChannel outstation(LinkChannelConfig{false, 1024, std::nullopt, kDefaultMaxApdu});
  std::vector<LinkFrame> frames;
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    const auto piece = stream.subspan(pos, std::min(chunk, stream.size() - pos));
    decoder.feed(piece, frames);
    (void)outstation.receive(piece);
  }
  for (const auto& f : frames) {
    const auto bytes = encode_link_frame(f.header, f.user_data);
    if (!(decode_link_frame(bytes) == f)) __builtin_trap();
  }
  try {
    (void)decode_link_frame(stream);
  } catch (const Dnp3Error&) {
  }
  return 0;
}
