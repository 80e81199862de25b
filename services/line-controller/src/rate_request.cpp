#include "rate_request.hpp"

#include <cmath>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "ems/physics/conductor.hpp"
#include "ems/physics/heat_balance.hpp"

namespace ems::line_controller {

using nlohmann::json;
namespace physics = ems::physics;

std::string RateInputError::json_pointer() const {
  std::string out;
  std::string token;
  auto flush = [&] {
    if (!token.empty()) out += "/" + token;
    token.clear();
  };
  for (char ch : field_) {
    if (ch == '.' || ch == '[' || ch == ']') {
      flush();
    } else if (ch == '~') {
      token += "~0";
    } else if (ch == '/') {
      token += "~1";
    } else {
      token += ch;
    }
  }
  flush();
  return out;
}

namespace {

std::string join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// Reads one object's members by name, with the object's path for the errors.
class Fields {
 public:
  Fields(const json& j, std::string path, std::initializer_list<std::string_view> allowed)
      : j_(j), path_(std::move(path)) {
    if (!j.is_object()) throw RateInputError(path_, "must be an object");
    for (const auto& [key, value] : j.items()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) throw RateInputError(join(path_, key), "unknown field");
    }
  }

  bool has(std::string_view key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  const json& at(std::string_view key) const {
    if (!has(key)) throw RateInputError(join(path_, key), "required");
    return j_.at(key);
  }
  std::string field(std::string_view key) const { return join(path_, key); }

  double number(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number()) throw RateInputError(field(key), "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw RateInputError(field(key), "must be finite");
    return d;
  }
  double number_or(std::string_view key, double fallback) const {
    return has(key) ? number(key) : fallback;
  }
  std::optional<double> optional_number(std::string_view key) const {
    if (!has(key)) return std::nullopt;
    return number(key);
  }
  int integer(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) throw RateInputError(field(key), "must be an integer");
    const auto i = v.get<long long>();
    if (i < -1000000 || i > 1000000) throw RateInputError(field(key), "out of range");
    return static_cast<int>(i);
  }
  std::string string(std::string_view key) const {
    const json& v = at(key);
    if (!v.is_string()) throw RateInputError(field(key), "must be a string");
    return v.get<std::string>();
  }

 private:
  const json& j_;
  std::string path_;
};

physics::Method parse_method(const Fields& f) {
  const std::string m = f.string("method");
  if (m == "ieee738") return physics::Method::ieee738;
  if (m == "cigre601") return physics::Method::cigre601;
  throw RateInputError(f.field("method"), "must be \"ieee738\" or \"cigre601\"");
}

physics::Conductor parse_conductor(const json& j, const std::string& path) {
  const Fields f(j, path,
                 {"name", "diameter_m", "outer_strand_diameter_m", "resistance_ohm_per_m",
                  "emissivity", "absorptivity", "heat_capacity_j_per_m_c"});
  physics::Conductor c;
  if (f.has("name")) {
    const std::string name = f.string("name");
    const physics::Conductor* known = physics::find_conductor(name);
    if (!known) {
      std::string names;
      for (const physics::Conductor& k : physics::conductor_library())
        names += (names.empty() ? "" : ", ") + std::string(k.name);
      throw RateInputError(f.field("name"),
                           "unknown conductor \"" + name + "\" (known: " + names + ")");
    }
    c = *known;
    for (std::string_view key : {"diameter_m", "outer_strand_diameter_m", "resistance_ohm_per_m"})
      if (f.has(key))
        throw RateInputError(f.field(key), "give either name or the explicit data, not both");
  } else {
    c.diameter_m = f.number("diameter_m");
    c.outer_strand_diameter_m = f.number_or("outer_strand_diameter_m", 0.0);
    const json& points = f.at("resistance_ohm_per_m");
    const std::string rpath = f.field("resistance_ohm_per_m");
    if (!points.is_array() || points.size() != 2)
      throw RateInputError(rpath, "must be an array of two {temperature_c, ohm_per_m} points");
    physics::ResistancePoint p[2];
    for (std::size_t i = 0; i < 2; ++i) {
      const Fields pf(points[i], rpath + "[" + std::to_string(i) + "]",
                      {"temperature_c", "ohm_per_m"});
      p[i] = {pf.number("temperature_c"), pf.number("ohm_per_m")};
    }
    c.resistance_low = p[0];
    c.resistance_high = p[1];
  }
  // Library values are defaults the request may override.
  c.emissivity = f.number_or("emissivity", c.emissivity);
  c.absorptivity = f.number_or("absorptivity", c.absorptivity);
  c.heat_capacity_j_per_m_c = f.number_or("heat_capacity_j_per_m_c", c.heat_capacity_j_per_m_c);
  return c;
}

physics::Conditions parse_conditions(const Fields& top, const std::string& prefix) {
  physics::Conditions k;
  const Fields w(top.at("weather"), join(prefix, "weather"),
                 {"ambient_c", "wind_speed_mps", "wind_angle_deg", "atmosphere",
                  "solar_flux_w_per_m2", "clearness_ratio", "albedo"});
  k.weather.ambient_c = w.number("ambient_c");
  k.weather.wind_speed_mps = w.number("wind_speed_mps");
  k.weather.wind_angle_deg = w.number("wind_angle_deg");
  if (w.has("atmosphere")) {
    const std::string a = w.string("atmosphere");
    if (a == "clear")
      k.weather.atmosphere = physics::Atmosphere::clear;
    else if (a == "industrial")
      k.weather.atmosphere = physics::Atmosphere::industrial;
    else
      throw RateInputError(w.field("atmosphere"), "must be \"clear\" or \"industrial\"");
  }
  k.weather.solar_flux_w_per_m2 = w.optional_number("solar_flux_w_per_m2");
  k.weather.clearness_ratio = w.number_or("clearness_ratio", k.weather.clearness_ratio);
  k.weather.albedo = w.number_or("albedo", k.weather.albedo);

  const Fields s(top.at("site"), join(prefix, "site"),
                 {"latitude_deg", "elevation_m", "line_azimuth_deg"});
  k.site.latitude_deg = s.number("latitude_deg");
  k.site.elevation_m = s.number_or("elevation_m", 0.0);
  k.site.line_azimuth_deg = s.number("line_azimuth_deg");

  const Fields t(top.at("time"), join(prefix, "time"), {"day_of_year", "solar_hour"});
  k.time.day_of_year = t.integer("day_of_year");
  k.time.solar_hour = t.number("solar_hour");
  return k;
}

// libs/physics names the offending member first ("weather.ambient_c must be ..."); the JSON
// input uses the same names, so that first word is the field.
[[noreturn]] void rethrow_physics(const std::invalid_argument& e, const std::string& prefix,
                                  const std::string& subtree = {}) {
  const std::string message = e.what();
  const auto space = message.find(' ');
  std::string member = message.substr(0, space);
  if (!subtree.empty()) member = subtree + "." + member;
  const std::string rest = space == std::string::npos ? "" : message.substr(space + 1);
  throw RateInputError(join(prefix, member), rest);
}

json rate_at(const json& request, const std::string& prefix) {
  const Fields f(
      request, prefix,
      {"method", "conductor", "weather", "site", "time", "max_conductor_c", "transient"});
  const physics::Method method = parse_method(f);
  const physics::Conductor conductor = parse_conductor(f.at("conductor"), f.field("conductor"));
  if (method == physics::Method::cigre601 && conductor.outer_strand_diameter_m <= 0.0)
    throw RateInputError(f.field("conductor.outer_strand_diameter_m"),
                         "required by cigre601 (surface roughness)");
  const physics::Conditions conditions = parse_conditions(f, prefix);
  if (method == physics::Method::cigre601 &&
      conditions.weather.atmosphere == physics::Atmosphere::industrial &&
      !f.at("weather").contains("clearness_ratio"))
    throw RateInputError(f.field("weather.clearness_ratio"),
                         "required by cigre601 with an industrial atmosphere (TB 601 models "
                         "turbidity by the clearness ratio)");
  const double max_c = f.number("max_conductor_c");

  physics::Rating r;
  try {
    r = physics::rate(method, conductor, conditions, max_c);
  } catch (const std::invalid_argument& e) {
    rethrow_physics(e, prefix);
  }
  const physics::HeatBalance& b = r.balance;
  json out = {{"method", physics::to_string(method)},
              {"max_conductor_c", max_c},
              {"rating_amps", r.amps},
              {"convection_w_per_m", b.convection_w_per_m},
              {"convection_regime", physics::to_string(b.regime)},
              {"radiation_w_per_m", b.radiation_w_per_m},
              {"solar_w_per_m", b.solar_w_per_m},
              {"resistance_ohm_per_m", b.resistance_ohm_per_m},
              {"solar_altitude_deg", b.sun.altitude_deg},
              {"solar_azimuth_deg", b.sun.azimuth_deg},
              {"air_density_kg_per_m3", b.air_density_kg_per_m3}};
  if (!conductor.name.empty()) out["conductor"] = conductor.name;

  if (f.has("transient")) {
    const Fields t(
        f.at("transient"), f.field("transient"),
        {"initial_current_a", "final_current_a", "duration_s", "step_s", "initial_conductor_c"});
    const double initial_a = t.number("initial_current_a");
    const double final_a = t.number("final_current_a");
    const double duration = t.number("duration_s");
    const double step = t.number("step_s");
    // Every integration step is reported, so a step of at most 60 s keeps the series at least
    // once a minute.
    if (!(step > 0.0 && step <= 60.0))
      throw RateInputError(t.field("step_s"), "must be in (0, 60]");
    if (initial_a < 0.0) throw RateInputError(t.field("initial_current_a"), "must be >= 0");
    if (final_a < 0.0) throw RateInputError(t.field("final_current_a"), "must be >= 0");
    std::vector<physics::TemperaturePoint> points;
    double initial_c = 0.0;
    try {
      initial_c = t.has("initial_conductor_c")
                      ? t.number("initial_conductor_c")
                      : physics::steady_state_temperature(method, conductor, conditions, initial_a);
    } catch (const std::invalid_argument&) {
      throw RateInputError(t.field("initial_current_a"),
                           "heats the conductor more than 500 C above the ambient");
    }
    try {
      points =
          physics::transient(method, conductor, conditions, initial_c, final_a, duration, step);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      if (what.rfind("conductor.", 0) == 0) rethrow_physics(e, prefix);
      rethrow_physics(e, prefix, "transient");
    }
    json series = json::array();
    for (const physics::TemperaturePoint& p : points)
      series.push_back({{"t_s", p.t_s}, {"conductor_c", p.conductor_c}});
    out["initial_conductor_c"] = initial_c;
    out["temperatures"] = std::move(series);
    out["final_conductor_c"] = points.back().conductor_c;
  }
  return out;
}

}  // namespace

json rate_one(const json& request) {
  return rate_at(request, "");
}

json rate_json(const json& body) {
  if (!body.is_array()) return rate_one(body);
  if (body.empty()) throw RateInputError("", "empty array: give at least one request");
  json out = json::array();
  for (std::size_t i = 0; i < body.size(); ++i)
    out.push_back(rate_at(body[i], "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace ems::line_controller
