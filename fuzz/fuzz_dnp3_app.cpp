// libFuzzer target: the DNP3 application layer parser, its encoder, and the outstation's request
// handling. A fragment that decodes must re-encode, and re-encoding must be stable.

#include <cstddef>
#include <cstdint>
#include <span>

#include "ems/protocols/dnp3/apdu.hpp"
#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/outstation.hpp"

using namespace ems::protocols::dnp3;

namespace {

Outstation& outstation() {
  static Outstation* o = [] {
    auto* out = new Outstation(OutstationConfig{512, std::chrono::milliseconds(5000), 4, 8});
    out->with_database([](PointDatabase& db) {
      for (std::uint16_t i = 0; i < 4; ++i) {
        db.add_binary_input(i);
        db.add_analog_input(i, AnalogInputConfig{EventClass::kClass1, 0.0, 1, 1});
        db.add_counter(i);
        db.add_binary_output(i);
        db.add_analog_output(i);
      }
      db.add_analog_input(300, {}, Analog{1.5});
    });
    out->set_control_callback([](const Control&) { return CommandStatus::kSuccess; });
    return out;
  }();
  return *o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  try {
    const Apdu apdu = decode_apdu(input);
    const auto once = encode_apdu(apdu);
    const auto twice = encode_apdu(decode_apdu(once));
    if (encode_apdu(decode_apdu(twice)) != twice) __builtin_trap();
  } catch (const Dnp3Error&) {
  }
  for (const auto& response : outstation().handle(input)) {
    (void)decode_apdu(response);  // the outstation's answers must always parse
  }
  outstation().with_database([](PointDatabase& db) {
    db.update_analog_input(0, Analog{db.analog_inputs().at(0).value.value + 1});
  });
  return 0;
}
