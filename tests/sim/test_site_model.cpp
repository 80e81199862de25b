#include <gtest/gtest.h>

#include <cmath>

#include "demo_site.hpp"
#include "ems/physics/heat_balance.hpp"
#include "ems/sim/site_model.hpp"

using namespace ems::sim;
using ems::sim::testing::demo_model;

namespace {

double q(const SiteModel& m, const std::string& id, const std::string& name) {
  auto v = m.value(id, name);
  EXPECT_TRUE(v.has_value()) << id << "." << name;
  return v.value_or(NAN);
}

// The balance recomputed from what the devices report, not from the model's own totals.
void expect_balance(const SiteModel& m, std::uint64_t step) {
  double load = m.params().aux_load_w + m.extra_load_w(), pv = 0, ch = 0, dis = 0;
  for (const auto& c : m.components()) {
    auto v = [&](const char* n) { return c.q[*quantity_slot(c.role, n)]; };
    switch (c.role) {
      case Role::gpu_node:
        load += v("power_consumed");
        break;
      case Role::network_switch:
      case Role::cdu:
        load += v("power");
        break;
      case Role::pv_inverter:
        pv += v("active_power");
        break;
      case Role::bess_rack:
        (v("active_power") >= 0 ? dis : ch) += std::abs(v("active_power"));
        break;
      default:
        break;
    }
  }
  const double poi = q(m, "poi_meter_1", "active_power");
  const double expected = load + ch - pv - dis;
  const double scale = std::max({std::abs(load), pv, ch, dis, 1.0});
  ASSERT_LE(std::abs(poi - expected), 1e-6 * scale) << "step " << step;
}

}  // namespace

TEST(SiteModel, EnergyBalanceHoldsAtEveryStepOverADay) {
  auto m = demo_model(7);
  m.set_bess_setpoint("bess_rack_1", 800000);
  m.set_bess_setpoint("bess_rack_2", -600000);
  const std::uint64_t steps = std::uint64_t(86400.0 / m.params().dt_s);
  double max_pv = 0;
  for (std::uint64_t i = 0; i < steps; ++i) {
    m.step();
    expect_balance(m, i);
    if (i == steps / 3) m.set_breaker(false);
    if (i == steps / 3 + 1000) m.set_breaker(true);
    if (i == steps / 2) m.set_bess_setpoint("bess_rack_1", -1500000);
    max_pv = std::max(max_pv, q(m, "pv_inverter_1", "active_power"));
  }
  EXPECT_GT(max_pv, 1e5);  // the sun rose
}

TEST(SiteModel, SameSeedSameTraceDifferentSeedDifferentTrace) {
  auto a = demo_model(42), b = demo_model(42), c = demo_model(43);
  bool differs = false;
  for (int i = 0; i < 3000; ++i) {
    a.step();
    b.step();
    c.step();
    for (std::size_t k = 0; k < a.components().size(); ++k)
      ASSERT_EQ(a.components()[k].q, b.components()[k].q);
    if (a.balance().poi_w != c.balance().poi_w) differs = true;
  }
  EXPECT_TRUE(differs);
}

TEST(SiteModel, SocRateMatchesPowerEfficiencyAndCapacity) {
  auto m = demo_model(1);
  const double cap = q(m, "bess_rack_1", "capacity");
  const double dt = m.params().dt_s;
  m.set_bess_setpoint("bess_rack_1", 1000000);  // discharge
  m.advance(5.0);                               // ramp done
  ASSERT_DOUBLE_EQ(q(m, "bess_rack_1", "active_power"), 1000000);
  double soc0 = q(m, "bess_rack_1", "state_of_charge");
  m.step();
  double expected = 1000000 * dt / 3600.0 / m.params().bess_discharge_efficiency / cap * 100.0;
  EXPECT_NEAR(soc0 - q(m, "bess_rack_1", "state_of_charge"), expected, 1e-9);
  m.set_bess_setpoint("bess_rack_1", -1000000);  // charge
  m.advance(5.0);
  soc0 = q(m, "bess_rack_1", "state_of_charge");
  m.step();
  expected = 1000000 * dt / 3600.0 * m.params().bess_charge_efficiency / cap * 100.0;
  EXPECT_NEAR(q(m, "bess_rack_1", "state_of_charge") - soc0, expected, 1e-9);
  EXPECT_EQ(*m.label(*m.find("bess_rack_1"), *quantity_slot(Role::bess_rack, "operating_state")),
            "CHARGING");
}

TEST(SiteModel, BessRespectsPowerAndSocLimits) {
  auto m = demo_model(1);
  EXPECT_EQ(m.set_bess_setpoint("bess_rack_1", 5e6), CommandResult::out_of_range);
  EXPECT_EQ(m.set_bess_setpoint("bess_rack_1", 1927000), CommandResult::applied);
  m.advance(4 * 3600.0);  // far past empty at full power (2 h rack)
  EXPECT_GE(q(m, "bess_rack_1", "state_of_charge"), 0.0);
  EXPECT_LE(q(m, "bess_rack_1", "state_of_charge"), 5.0 + 1e-6);
  EXPECT_NEAR(q(m, "bess_rack_1", "active_power"), 0.0, 1.0);
  m.set_bess_setpoint("bess_rack_1", -1927000);
  m.advance(6 * 3600.0);
  EXPECT_LE(q(m, "bess_rack_1", "state_of_charge"), 100.0);
  EXPECT_GE(q(m, "bess_rack_1", "state_of_charge"), 95.0 - 1e-6);
}

TEST(SiteModel, SetpointChangesRackPowerWithinOneStep) {
  auto m = demo_model(3);
  m.set_bess_setpoint("bess_rack_2", 500000);
  m.step();
  EXPECT_GT(q(m, "bess_rack_2", "active_power"), 0.0);
}

TEST(SiteModel, PvCurtailmentCapsOutput) {
  auto m = demo_model(5, 1781949600.0 + 10 * 3600.0);  // 20:00Z ~ solar noon in California
  m.advance(1.0);
  const double rated = q(m, "pv_inverter_1", "rating");
  ASSERT_GT(q(m, "pv_inverter_1", "active_power"), 0.2 * rated);
  m.set_pv_limit("pv_inverter_1", 10);
  m.set_pv_limit_enabled("pv_inverter_1", true);
  m.step();
  EXPECT_LE(q(m, "pv_inverter_1", "active_power"), 0.1 * rated + 1e-6);
  EXPECT_EQ(
      *m.label(*m.find("pv_inverter_1"), *quantity_slot(Role::pv_inverter, "operating_state")),
      "THROTTLED");
}

TEST(SiteModel, PstTapShiftsLineFlowByTheTwoPathEquation) {
  auto m = demo_model(9);
  const auto& p = m.params();
  m.step();
  const double i0 = q(m, "pst_1", "line_current");
  ASSERT_EQ(m.set_pst_tap("pst_1", -4), CommandResult::applied);
  EXPECT_EQ(m.set_pst_tap("pst_1", 40), CommandResult::out_of_range);
  m.advance(4 * p.tap_change_s + 1.0);
  EXPECT_EQ(q(m, "pst_1", "tap_position"), -4);
  EXPECT_EQ(q(m, "pst_1", "tap_operations"), 4);
  // P1 + P2 = P; P1 - P1(tap 0) = alpha V^2 / (X1' + X2).
  const double p1 = q(m, "pst_1", "active_power"), p2 = q(m, "pst_1", "parallel_path_power");
  const double alpha = -4 * p.tap_step_deg * 3.14159265358979323846 / 180.0;
  const double total = p1 + p2;
  const double x1 = p.x_line1_ohm + p.x_pst_ohm, x2 = p.x_line2_ohm;
  EXPECT_NEAR(p1, (x2 * total + alpha * p.line_voltage_v * p.line_voltage_v) / (x1 + x2),
              1e-6 * std::abs(total));
  EXPECT_LT(q(m, "pst_1", "line_current"), i0);  // retard relieves the monitored line
  EXPECT_NEAR(q(m, "conductor_sensor_1", "line_current"), q(m, "pst_1", "line_current"), 1e-9);
}

TEST(SiteModel, PduCurrentsAndCduTemperaturesAreConsistent) {
  auto m = demo_model(11);
  m.advance(10.0);
  for (const char* pdu : {"pdu_1", "pdu_2"}) {
    double p = 0;
    for (int ph = 1; ph <= 3; ++ph)
      p += q(m, pdu, "input_current_l" + std::to_string(ph)) *
           q(m, pdu, "input_voltage_l" + std::to_string(ph)) * q(m, pdu, "power_factor");
    EXPECT_NEAR(p, q(m, pdu, "input_power"), 1e-6 * p);
  }
  const double load = q(m, "cdu_1", "thermal_load");
  const double m_dot = q(m, "cdu_1", "pump_flow_rate") / 60.0;
  EXPECT_NEAR(q(m, "cdu_1", "return_temp") - q(m, "cdu_1", "supply_temp"), load / (m_dot * 4186.0),
              1e-9);
  double nodes = 0;
  for (int n = 1; n <= 4; ++n) nodes += q(m, "gpu_node_" + std::to_string(n), "power_consumed");
  EXPECT_NEAR(load, nodes, 1e-6);
}

TEST(SiteModel, GpuPowerLimitThrottles) {
  auto m = demo_model(2);
  ASSERT_EQ(m.set_utilisation("gpu_node_1", 1.0), CommandResult::applied);
  ASSERT_EQ(m.command("gpu_node_1", "gpu_3_power_limit", 300), CommandResult::applied);
  m.step();
  EXPECT_LE(q(m, "gpu_node_1", "gpu_3_power"), 300.0);
  EXPECT_EQ(
      *m.label(*m.find("gpu_node_1"), *quantity_slot(Role::gpu_node, "gpu_3_throttle_reason")),
      "SW_POWER_CAP");
  EXPECT_EQ(m.command("gpu_node_1", "no_such_thing", 1), CommandResult::unknown_target);
  EXPECT_EQ(m.command("nobody", "active_power", 1), CommandResult::unknown_device);
}

TEST(SiteModel, BreakerOpenDeenergisesTheSite) {
  auto m = demo_model(4);
  m.set_breaker(false);
  m.step();
  EXPECT_EQ(q(m, "poi_meter_1", "active_power"), 0.0);
  EXPECT_EQ(q(m, "protective_relay_1", "breaker_closed"), 0.0);
  EXPECT_EQ(q(m, "switchgear_1", "breaker_state"), 0.0);
}

TEST(SiteFromDtm, UnknownTemplatesAndMeasurementsServePlausibleConstants) {
  auto dtm = ems::sim::testing::demo_dtm();
  auto m = demo_model(1);
  // A measurement the model does not compute: its bounds.nominal.
  ems::contract::Measurement spec;
  spec.type = ems::contract::ValueType::Float;
  spec.bounds = ems::contract::Bounds{0, 10, 7.5};
  auto src = point_source(m, "poi_meter_1", "no_such_quantity", spec);
  EXPECT_FALSE(src.from_model());
  EXPECT_EQ(read_point(m, src).number, 7.5);
  // An enum without physics: its first label; a bool: false.
  spec.type = ems::contract::ValueType::Enum;
  spec.bounds.reset();
  spec.values = {{"1", "ON"}, {"2", "OFF"}};
  EXPECT_EQ(read_point(m, point_source(m, "ghost", "state", spec)).label, "ON");
  spec.type = ems::contract::ValueType::Bool;
  EXPECT_EQ(read_point(m, point_source(m, "ghost", "flag", spec)).number, 0.0);
  // A measurement the model computes comes from the model, enums as labels.
  const auto& bess = dtm.devices.at("bess_rack_1");
  const auto ms = dtm.measurements_of(bess);
  auto soc = point_source(m, "bess_rack_1", "state_of_charge", ms.at("state_of_charge"));
  ASSERT_TRUE(soc.from_model());
  EXPECT_EQ(read_point(m, soc).number, 50.0);
  EXPECT_EQ(
      read_point(m, point_source(m, "bess_rack_1", "operating_state", ms.at("operating_state")))
          .label,
      "STANDBY");
  // Modules and role-less templates have no component.
  EXPECT_FALSE(m.find("bess_module_1"));
  EXPECT_EQ(template_role("dc_external"), Role::none);
  EXPECT_EQ(template_role("revenue_meter"), Role::poi_meter);
}

// The conductor temperature is libs/physics' IEEE 738 transient: one step of it from the
// previous temperature, under the weather and current the model reports for that step.
TEST(SiteModel, ConductorTemperatureIsThePhysicsTransient) {
  auto m = demo_model(5);
  const auto& p = m.params();
  for (int k = 0; k < 20; ++k) {
    const double t0 = q(m, "conductor_sensor_1", "conductor_temperature");
    m.step();
    ems::physics::Conditions c;
    c.weather.ambient_c = q(m, "dlr_weather_station_1", "ambient_temperature");
    c.weather.wind_speed_mps = q(m, "dlr_weather_station_1", "wind_speed");
    c.weather.wind_angle_deg = q(m, "dlr_weather_station_1", "wind_direction") - p.line_azimuth_deg;
    c.weather.solar_flux_w_per_m2 = q(m, "dlr_weather_station_1", "solar_irradiance");
    c.site = {p.latitude_deg, 0.0, p.line_azimuth_deg};
    c.time = ems::physics::solar_time_utc(m.time_s(), p.longitude_deg);
    const double expected =
        ems::physics::transient(ems::physics::Method::ieee738,
                                *ems::physics::find_conductor("drake"), c, t0,
                                q(m, "line_meter_1", "line_current"), p.dt_s, p.dt_s)
            .back()
            .conductor_c;
    ASSERT_NEAR(q(m, "conductor_sensor_1", "conductor_temperature"), expected, 1e-9) << k;
  }
  // It started at the steady state of the first current: a minute later it has barely moved.
  auto fresh = demo_model(5);
  const double start = q(fresh, "conductor_sensor_1", "conductor_temperature");
  fresh.advance(60.0);
  EXPECT_NEAR(q(fresh, "conductor_sensor_1", "conductor_temperature"), start, 3.0);
}

// Extra datacenter load flows through the POI and splits over the two paths: the monitored line
// takes X2 / (X1' + X2) of it.
TEST(SiteModel, ExtraLoadRaisesTheMonitoredLineFlow) {
  auto base = demo_model(3), loaded = demo_model(3);
  EXPECT_EQ(loaded.set_extra_load(-1.0), CommandResult::out_of_range);
  EXPECT_EQ(loaded.set_extra_load(NAN), CommandResult::out_of_range);
  ASSERT_EQ(loaded.set_extra_load(10e6), CommandResult::applied);
  base.step();
  loaded.step();
  expect_balance(loaded, 1);
  const auto& p = base.params();
  const double share = p.x_line2_ohm / (p.x_line1_ohm + p.x_pst_ohm + p.x_line2_ohm);
  EXPECT_NEAR(q(loaded, "poi_meter_1", "active_power") - q(base, "poi_meter_1", "active_power"),
              10e6, 1.0);
  EXPECT_NEAR(q(loaded, "line_meter_1", "active_power") - q(base, "line_meter_1", "active_power"),
              share * 10e6, 1.0);
  EXPECT_GT(q(loaded, "line_meter_1", "line_current"), q(base, "line_meter_1", "line_current"));
}
