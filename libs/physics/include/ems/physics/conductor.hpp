#pragma once
// Conductor: what the thermal models need to know about a bare overhead conductor, the linear
// resistance model of IEEE 738-2012 eq. (10), and a small library of common ACSR conductors.
//
//   const Conductor* drake = find_conductor("drake");     // case-insensitive; nullptr if unknown
//   double r = resistance_at(*drake, 100.0);              // 9.3905e-5 ohm/m
//
// Sources of the library values are in libs/physics/README.md ("Conductor library"). Everything
// here is a plain value or a pure function: safe to use from any thread.
#include <span>
#include <string_view>

namespace ems::physics {

// One point of the conductor's AC resistance curve.
struct ResistancePoint {
  double temperature_c = 0.0;
  double ohm_per_m = 0.0;
};

struct Conductor {
  std::string_view name;    // library code word ("drake"); empty for explicit conductors
  double diameter_m = 0.0;  // outside diameter D0
  // Diameter of one strand of the outer layer; CIGRE TB 601 derives the surface roughness
  // Rs = d / (2 (D - d)) from it. 0 = unknown (the CIGRE model then refuses the conductor).
  double outer_strand_diameter_m = 0.0;
  ResistancePoint resistance_low;        // e.g. 25 C
  ResistancePoint resistance_high;       // e.g. 75 C; temperature must differ from resistance_low's
  double emissivity = 0.8;               // epsilon, 0..1
  double absorptivity = 0.8;             // solar absorptivity alpha, 0..1
  double heat_capacity_j_per_m_c = 0.0;  // m*Cp = sum of m_i*Cp_i per metre (transient model)
};

// R(T) by linear interpolation between the two points, extrapolated outside them
// (IEEE 738-2012 eq. (10); CIGRE TB 601 Annex E evaluates R(100 C) the same way).
double resistance_at(const Conductor& conductor, double temperature_c);

// The built-in library (at least Partridge, Linnet, Ibis, Drake, Cardinal, Lapwing, Bluebird).
std::span<const Conductor> conductor_library();

// Looks a code word up, case-insensitively; nullptr when it is not in the library.
const Conductor* find_conductor(std::string_view name);

}  // namespace ems::physics
