#pragma once
// Sun position from day of year, solar hour and latitude (IEEE 738-2012 eqs. (16)-(17) and
// Table 2), and the angle of the sun's beam to a line. Pure functions, any thread.
//
//   SolarPosition sun = solar_position(30.0, ieee738_declination_deg(161), 11.0);
//   // sun.altitude_deg 74.89, sun.azimuth_deg 113.95 (clockwise from north)
//   double theta = incidence_angle_deg(sun, 90.0);  // 76.22 for an east-west line
namespace ems::physics {

struct SolarPosition {
  double altitude_deg = 0.0;  // H_c; negative below the horizon
  double azimuth_deg = 0.0;   // Z_c, clockwise from north, 0..360
};

// delta = 23.46 sin((284 + N) / 365 * 360 deg), IEEE 738-2012 eq. (16b).
double ieee738_declination_deg(int day_of_year);
// delta = 23.3 sin((284 + N) / 365 * 360 deg), CIGRE TB 601's declination.
double cigre601_declination_deg(int day_of_year);

// Hour angle omega = 15 deg * (solar_hour - 12); altitude H_c = asin(cos Lat cos delta cos omega
// + sin Lat sin delta); azimuth Z_c = C + atan(chi), chi = sin omega / (sin Lat cos omega -
// cos Lat tan delta), with C from the standard's Table 2 (the quadrant of the sun).
SolarPosition solar_position(double latitude_deg, double declination_deg, double solar_hour);

// theta = acos(cos H_c cos(Z_c - Z_l)): the angle between the sun's beam and the line axis
// (IEEE 738-2012 eq. (9); CIGRE TB 601 calls it eta). 0..90 deg.
double incidence_angle_deg(const SolarPosition& sun, double line_azimuth_deg);

}  // namespace ems::physics
