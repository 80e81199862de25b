#pragma once
// LineTopology: which devices of a DTM make up each dynamically rated line, found from the data
// (CONTRACT.md section 5), never from device ids:
//   - the line's rating device: a device whose measurements include `line_loading` published by
//     `line_controller` (the demo's `dlr_line` module);
//   - its weather stations: children measuring `ambient_temperature` and `wind_speed`;
//   - its conductor sensors: children measuring `conductor_temperature`;
//   - its current source: the child measuring `line_current` that is not a conductor sensor
//     (the line meter), else the first conductor sensor that measures it;
//   - its PST: a device with a `set tap_position` command on a bus shared with the line device
//     or one of its children; its tap limits and neutral are the bounds (min, max, nominal) of
//     its `tap_position` measurement;
//   - the commands it executes: the line template's commands with `fanout: line_controller`.
// Children are taken in device-id order, so the choice is deterministic. Pure; any thread.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::line_controller {

struct MeasurementRef {
  std::string device_id;
  std::string name;
  contract::Unit unit = contract::Unit::none;
  bool operator==(const MeasurementRef&) const = default;
};

struct PstRef {
  std::string device_id;
  int tap_min = -16, tap_max = 16, neutral = 0;
  bool operator==(const PstRef&) const = default;
};

// A command of the line device that this service executes (the template declares it with
// `fanout: line_controller`; the AsyncAPI document lists it with executor line_controller, and
// the gateway leaves it alone).
struct LineCommand {
  std::string name;
  contract::Verb verb = contract::Verb::set;
  std::string target;
  contract::Unit unit = contract::Unit::none;
  contract::PayloadType payload = contract::PayloadType::Float;
  bool operator==(const LineCommand&) const = default;
};

struct LinePlan {
  std::string site_id;
  std::string line_device_id;
  std::vector<std::string> weather_stations;
  std::vector<std::string> conductor_sensors;
  std::optional<MeasurementRef> current;  // nullopt: the line has no current measurement
  std::optional<PstRef> pst;              // nullopt: rating only, no control
  // The measurements of the line device this service publishes (name -> unit), those the
  // template declares with publisher line_controller.
  std::map<std::string, contract::Unit> publishes;
  std::vector<LineCommand> commands;  // name order
  bool operator==(const LinePlan&) const = default;
};

// Every line of the DTM, in device-id order; `default_site_id` when the DTM has no site_id.
std::vector<LinePlan> find_lines(const contract::Dtm& dtm, const std::string& default_site_id);

}  // namespace ems::line_controller
