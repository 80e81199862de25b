#pragma once
// The sanitized projection of a DTM for the HMI (GET /topology/view), and the label rules that
// the view and the AsyncAPI x-display-name share (CONTRACT.md section 1).
//
// The view carries what a UI needs to draw and label the site: the device tree, resolved display
// names, buses, each template's measurements (unit, type, poll rate, label, IEC 61850 reference,
// bounds, thresholds, enum labels) and commands (verb, target, unit, payload, label), alarm
// descriptions, sizing and the EMS mode. It never carries how a device is reached or read:
// no connection, binding, publisher, fanout, host, port, register, OID, URI or alarm
// condition source. Bus member terminals are named `terminal` (the DTM's `port`) so that no
// key of the view can be mistaken for a network port.
//
// Shape:
//   { deployment_uuid, site_id, site_display_name, version, ems_mode ("sim" unless the DTM says
//     "live"), sizing_ref, sizing_params,
//     roots: [device_id...],
//     devices: {id: {device_id, template, parent, display_name, children: [id...],
//                    extra_measurements: {name: MeasurementView} | null}},
//     buses: [{bus_id, type, members: [{device_id, terminal}]}],
//     templates_used: {slug: {template, kind, vendor, model, equipment_id, capacity_kwh,
//                             description, measurements: {name: MeasurementView},
//                             commands: {name: CommandView}, alarms: [AlarmView]}} }
//   MeasurementView = {unit, type, poll_rate_hz, display_name, iec_61850_ref, bounds,
//                      thresholds, enum_values: [labels in code order] | null}
//   CommandView     = {verb, target, unit, payload, display_name}
//   AlarmView       = the template alarm without condition_source

#include <string>

#include "ems/contract/dtm.hpp"

namespace ems::contract {

struct ViewOptions {
  std::string version = "1.0.0";  // topology version (semver)
  std::string default_site_id;    // used when the DTM carries no site_id
};

Json topology_view(const Dtm& dtm, const ViewOptions& options);

// ---- labels: DTM override, then template default, then the humanized slug ----

// "bess_rack_1" -> "Bess Rack 1" (each '_'-separated word capitalized, joined by spaces).
std::string humanize_slug(const std::string& slug);
// The device's display_name, else the humanized device_id (templates carry no device label).
std::string device_label(const Device& device);
// The measurement's display_name_default (an extra measurement's own value overrides the
// template's), else the humanized name.
std::string measurement_label(const std::string& name, const Measurement& m);
std::string command_label(const std::string& name, const Command& c);
// site_display_name, else the humanized site id.
std::string site_label(const Dtm& dtm, const std::string& site_id);
// The DTM's site_id when set, else `fallback`. Throws ContractError ("/site_id") when both are
// empty or the result is not a slug.
std::string resolve_site_id(const Dtm& dtm, const std::string& fallback);

}  // namespace ems::contract
