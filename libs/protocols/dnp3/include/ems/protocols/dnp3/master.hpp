#pragma once
// DNP3 over TCP, master side: one association with one outstation, one request at a time.
//
// Every call sends one request and waits for the complete (possibly multi-fragment) response,
// confirming fragments that ask for it. Failures throw Dnp3Error: kTimeout when no answer
// arrives in time, kConnection when TCP fails (the next call reconnects), kRejected when the
// outstation reports IIN2 errors (unknown object, parameter error, function not supported).
// Control calls return the outstation's CommandStatus rather than throwing on a refusal.
// Not thread-safe: use one Master per thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ems/protocols/dnp3/apdu.hpp"
#include "ems/protocols/dnp3/event_buffer.hpp"

namespace ems::protocols::dnp3 {

struct MasterConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 20000;
  std::uint16_t link_address = 1;
  std::uint16_t outstation_address = 1024;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds response_timeout{2000};
};

// One object received, in response order.
struct Measurement {
  std::uint8_t group = 0;
  std::uint8_t variation = 0;
  Point point;
};

struct ReadResult {
  Iin iin;
  std::vector<Measurement> measurements;

  // index -> latest value, static and event objects of the point type together.
  std::map<std::uint16_t, Binary> binary_inputs() const;   // g1, g2
  std::map<std::uint16_t, Binary> binary_outputs() const;  // g10
  std::map<std::uint16_t, Counter> counters() const;       // g20, g22
  std::map<std::uint16_t, Analog> analog_inputs() const;   // g30, g32
  std::map<std::uint16_t, Analog> analog_outputs() const;  // g40
  std::size_t event_count() const;                         // g2, g22, g32 objects
};

class Master {
 public:
  // Observes every byte written (from_master = true) or read on the TCP connection, e.g. for a
  // packet capture.
  using WireObserver = std::function<void(bool from_master, std::span<const std::uint8_t>)>;

  explicit Master(MasterConfig config);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  void connect();  // optional: every request connects on demand
  void close();
  bool connected() const noexcept;
  void set_wire_observer(WireObserver observer);

  ReadResult integrity_poll();  // class 1, 2, 3 then class 0
  ReadResult event_poll(ClassMask classes = kAllEventClasses);
  ReadResult read_range(std::uint8_t group, std::uint8_t variation, std::uint16_t start,
                        std::uint16_t stop);
  ReadResult read_all(std::uint8_t group, std::uint8_t variation);
  ReadResult read(std::vector<ObjectBlock> request);

  void clear_restart();  // WRITE g80v1 index 7 = 0

  CommandStatus select_and_operate(std::uint16_t index, const Crob& crob);
  CommandStatus direct_operate(std::uint16_t index, const Crob& crob);
  // `variation`: 1 = int32, 2 = int16, 3 = float32, 4 = float64.
  CommandStatus select_and_operate_analog(std::uint16_t index, double value,
                                          std::uint8_t variation = 3);
  CommandStatus direct_operate_analog(std::uint16_t index, double value,
                                      std::uint8_t variation = 3);

  // The whole response of a request, for callers that need more than the helpers above.
  Apdu transact(FunctionCode function, std::vector<ObjectBlock> objects);

 private:
  struct Session;
  CommandStatus operate(FunctionCode function, ObjectBlock block);
  ObjectBlock control_block(std::uint16_t index, const Crob& crob) const;
  ObjectBlock analog_block(std::uint16_t index, double value, std::uint8_t variation) const;

  MasterConfig config_;
  std::unique_ptr<Session> session_;
  WireObserver observer_;
  std::uint8_t app_seq_ = 0;
};

}  // namespace ems::protocols::dnp3
