#pragma once
// From a DTM to the model, and from a device's measurement to the model quantity that feeds it.
//
// site_from_dtm: every device whose template has a role (roles.hpp) becomes a component, with
// ratings taken from its template (PV rating = active_power bounds.nominal, BESS capacity =
// capacity_kwh, BESS rated power = max_charge_power nominal, ...). Module devices and templates
// without a role have no physics. Site parameters read from the DTM: sizing_params
// T_coolant_setpoint_C, and the operating_envelope template's import/export limit nominals.
//
// point_source: a measurement is fed by its role's slot of the same name when the model
// computes it; otherwise by a constant so that any DTM is served: float -> bounds.nominal (0
// without bounds), bool -> false, enum -> the first label (values are ordered by code).

#include <optional>
#include <string>
#include <vector>

#include "ems/contract/dtm.hpp"
#include "ems/sim/site_model.hpp"

namespace ems::sim {

struct SiteBuild {
  SiteParams params;
  std::vector<ComponentSpec> components;
};

SiteBuild site_from_dtm(const contract::Dtm& dtm, SiteParams base = {});

struct PointSource {
  std::optional<std::size_t> component;  // set together with slot when the model feeds it
  std::optional<std::size_t> slot;
  double constant = 0.0;       // otherwise this value
  std::string constant_label;  // enum constants: the label
  bool from_model() const noexcept { return component.has_value(); }
};

PointSource point_source(const SiteModel& model, const std::string& device_id,
                         const std::string& measurement, const contract::Measurement& spec);

// The current engineering value of a source: a number, and for enum quantities the label.
struct PointValue {
  double number = 0.0;
  std::optional<std::string> label;
};
PointValue read_point(const SiteModel& model, const PointSource& source);

}  // namespace ems::sim
