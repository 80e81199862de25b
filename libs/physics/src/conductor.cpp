#include "ems/physics/conductor.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ems::physics {

double resistance_at(const Conductor& c, double temperature_c) {
  const ResistancePoint& lo = c.resistance_low;
  const ResistancePoint& hi = c.resistance_high;
  const double slope = (hi.ohm_per_m - lo.ohm_per_m) / (hi.temperature_c - lo.temperature_c);
  return lo.ohm_per_m + slope * (temperature_c - lo.temperature_c);
}

namespace {

// Unit conversions of the catalogue values (Southwire ACSR data: inches, ohm per 1000 ft,
// lb per 1000 ft).
constexpr double kMetresPerInch = 0.0254;
constexpr double kMetresPerKft = 304.8;
constexpr double kKgPerMPerLbPerKft = 0.45359237 / kMetresPerKft;
// Specific heats at 25 C as IEEE 738 uses them (aluminium 955, steel 476 J/(kg C)).
constexpr double kAluminiumCp = 955.0;
constexpr double kSteelCp = 476.0;

constexpr Conductor acsr(std::string_view name, double diameter_in, double strand_mm,
                         double r25_ohm_per_kft, double r75_ohm_per_kft,
                         double aluminium_lb_per_kft, double steel_lb_per_kft) {
  Conductor c;
  c.name = name;
  c.diameter_m = diameter_in * kMetresPerInch;
  c.outer_strand_diameter_m = strand_mm * 1e-3;
  c.resistance_low = {25.0, r25_ohm_per_kft / kMetresPerKft};
  c.resistance_high = {75.0, r75_ohm_per_kft / kMetresPerKft};
  c.emissivity = 0.8;
  c.absorptivity = 0.8;
  c.heat_capacity_j_per_m_c = aluminium_lb_per_kft * kKgPerMPerLbPerKft * kAluminiumCp +
                              steel_lb_per_kft * kKgPerMPerLbPerKft * kSteelCp;
  return c;
}

// Drake carries the values of the IEEE 738-2012 worked example (D 28.14 mm, R25 7.283e-5,
// R75 8.688e-5 ohm/m, m Cp = 1.116 kg/m x 955 + 0.5126 kg/m x 476), so that the library
// reproduces the standard; the outer strand (4.44 mm) is that of CIGRE TB 601 Annex E.
constexpr Conductor drake() {
  Conductor c;
  c.name = "drake";
  c.diameter_m = 0.02814;
  c.outer_strand_diameter_m = 0.00444;
  c.resistance_low = {25.0, 7.283e-5};
  c.resistance_high = {75.0, 8.688e-5};
  c.emissivity = 0.8;
  c.absorptivity = 0.8;
  c.heat_capacity_j_per_m_c = 1.116 * kAluminiumCp + 0.5126 * kSteelCp;
  return c;
}

// Code word, outside diameter (in), outer aluminium strand (mm, from kcmil and strand count),
// AC resistance at 25 and 75 C (ohm/kft, 60 Hz), aluminium and steel weight (lb/kft).
constexpr std::array<Conductor, 7> kLibrary = {
    acsr("partridge", 0.642, 2.573, 0.0652, 0.0778, 251, 115),   // 266.8 kcmil 26/7
    acsr("linnet", 0.720, 2.888, 0.0517, 0.0619, 317, 146),      // 336.4 kcmil 26/7
    acsr("ibis", 0.783, 3.139, 0.0438, 0.0525, 374, 172),        // 397.5 kcmil 26/7
    drake(),                                                     // 795 kcmil 26/7
    acsr("cardinal", 1.196, 3.376, 0.0186, 0.0222, 899, 329),    // 954 kcmil 54/7
    acsr("lapwing", 1.504, 4.775, 0.0117, 0.0138, 1498, 292),    // 1590 kcmil 45/7
    acsr("bluebird", 1.762, 4.069, 0.00903, 0.0105, 2040, 468),  // 2156 kcmil 84/19
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::span<const Conductor> conductor_library() {
  return kLibrary;
}

const Conductor* find_conductor(std::string_view name) {
  for (const Conductor& c : kLibrary)
    if (equal_ignoring_case(c.name, name)) return &c;
  return nullptr;
}

}  // namespace ems::physics
