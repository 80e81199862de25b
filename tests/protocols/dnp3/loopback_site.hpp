#pragma once
// Test helper: an outstation with a few points of each type served on an ephemeral loopback
// port, and a master pointed at it. Controls are recorded for assertions.

#include <mutex>
#include <vector>

#include "ems/protocols/dnp3/master.hpp"
#include "ems/protocols/dnp3/outstation.hpp"
#include "ems/protocols/dnp3/outstation_server.hpp"

namespace ems::protocols::dnp3::test {

struct LoopbackSite {
  LoopbackSite() : server(outstation, OutstationServerConfig{"127.0.0.1", 0, 1024, 1, 4}) {
    outstation.with_database([](PointDatabase& db) {
      db.add_binary_input(0, {}, Binary{true});
      db.add_binary_input(24, {}, Binary{false});
      db.add_analog_input(0, AnalogInputConfig{EventClass::kClass2, 0.5, 5, 5}, Analog{105.25});
      db.add_analog_input(10, AnalogInputConfig{EventClass::kClass1, 0.0, 1, 1}, Analog{5000000});
      db.add_analog_input(100, AnalogInputConfig{EventClass::kClass3, 0.0, 2, 1}, Analog{2});
      db.add_counter(0, {}, Counter{42});
      db.add_binary_output(0);
      db.add_analog_output(0, AnalogOutputConfig{3}, Analog{0});
      db.add_analog_output(1, AnalogOutputConfig{1}, Analog{0});
    });
    outstation.set_control_callback([this](const Control& c) {
      std::lock_guard lock(mutex);
      controls.push_back(c);
      return CommandStatus::kSuccess;
    });
    server.start();
  }

  MasterConfig master_config(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    MasterConfig c;
    c.port = server.port();
    c.response_timeout = timeout;
    return c;
  }

  std::vector<Control> recorded() {
    std::lock_guard lock(mutex);
    return controls;
  }

  Outstation outstation;
  OutstationServer server;
  std::mutex mutex;
  std::vector<Control> controls;
};

}  // namespace ems::protocols::dnp3::test
