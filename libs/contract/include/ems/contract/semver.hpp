#pragma once
// Topology versions (CONTRACT.md section 7): every accepted DTM change stores a new version whose
// semver is bumped by the largest change that classify_change finds between the stored DTM and
// the new one.
//
// The rules, largest wins, reasons accumulate in a stable order (top-level fields, then devices,
// buses and templates by id):
//   major  a device, extra measurement, bus, bus member (device_id:port: a new port is a removal
//          plus an addition) or template removed; a device's template changed; a unit changed
//          (extra measurement, or a measurement/command of a template in templates_used); a
//          measurement's value type changed; a command's verb, target or payload changed; a
//          bus's type changed; deployment_uuid or site_id changed.
//   minor  something added: device, extra measurement, bus, bus member, template, template
//          measurement or command; a device re-parented.
//   patch  metadata only: display names (device, site, display_name_default), connections,
//          bounds, thresholds, enum labels, bindings/publishers/fanouts, poll rates, IEC refs,
//          template descriptive fields (vendor, model, description, contains, alarms,
//          install_tasks, capacity, kind), carried device fields (blocking, mode,
//          has_placeholders), sizing_ref, sizing_params, mode, pending_devices, and a new order
//          of buses or bus members (it changes the single-line diagram, not a topic).
//   none   identical - except for the informational top-level `version`, which is ignored.
// Decisions the contract leaves open, and why:
//   - A unit, value type or command verb/target change alters a topic or a payload schema a
//     consumer was built against: major, like a removal.
//   - Bounds are metadata (they move command acceptance, not topics): patch, like thresholds.
//   - site_id is in every topic: changing it removes every topic, so major.
//   - A template body change is major only when breaking (measurement/command removed, unit or
//     type changed); additions are minor, everything else patch.

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::contract {

struct SemVer {
  int major = 1, minor = 0, patch = 0;
  auto operator<=>(const SemVer&) const = default;
};

// Strict "M.m.p": three decimal numbers without sign, leading zeros (except "0" itself),
// pre-release or build suffix, each fitting an int. Throws ContractError otherwise.
SemVer parse_semver(std::string_view text);
std::string to_string(const SemVer& v);

enum class Bump { none, patch, minor, major };
std::string_view to_string(Bump b) noexcept;

struct ChangeReport {
  Bump bump = Bump::none;
  std::vector<std::string> reasons;  // e.g. "device pdu_3 added"; empty when bump is none
};

// Classifies the change from `before` to `after` with the rules above. Pure.
ChangeReport classify_change(const Dtm& before, const Dtm& after);

// major -> M+1.0.0, minor -> M.m+1.0, patch -> M.m.p+1, none -> v.
SemVer next(SemVer v, Bump b);

}  // namespace ems::contract
