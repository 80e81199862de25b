// Fuzzes the socketcand stream splitter and message parser: no input may crash, read out of
// bounds or hang, and every message that parses must format back to a message that parses to
// the same value (the server echoes what the client parsed).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_message.hpp"

using namespace ems::protocols::can;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  MessageSplitter splitter;
  splitter.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (int i = 0; i < 1000; ++i) {
    std::optional<std::string> text;
    try {
      text = splitter.next();
    } catch (const CanError&) {
      return 0;  // unframed bytes: the connection would be closed
    }
    if (!text) return 0;
    try {
      const SocketcandMessage m = parse_message(*text);
      const std::string again = format_message(m);
      if (!(parse_message(again) == m)) std::abort();
    } catch (const CanError&) {
      // rejected with a clear error: fine
    }
  }
  return 0;
}
