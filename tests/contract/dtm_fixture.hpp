#pragma once
// A small DTM that is valid and touches every protocol and rule, for the DTM tests to mutate.
#include <string>

#include "ems/contract/dtm.hpp"

namespace ems::contract::testing {

inline Json base_dtm() {
  return Json::parse(R"({
  "deployment_uuid": "11111111-1111-4111-8111-111111111111",
  "site_id": "test_site",
  "sizing_params": {"P_compute_total_kW": 10, "E_BESS_total_kWh": 100.5, "T_coolant_setpoint_C": 30},
  "mode": "sim",
  "version": "1.0.0",
  "devices": {
    "bess_1": {"device_id": "bess_1", "template": "bess_module", "parent": null, "connection": null},
    "rack_1": {"device_id": "rack_1", "template": "bess_rack", "parent": "bess_1",
               "display_name": "Rack 1",
               "connection": {"host": "127.0.0.1", "port": 1502, "unit_id": "1"},
               "blocking": ["live_mode"], "has_placeholders": false, "mode": "sim",
               "extra_measurements": {"cabinet_temp": {"unit": "celsius", "type": "float",
                 "binding": {"protocol": "modbus_tcp", "function_code": 4, "address": 7}}}},
    "rack_2": {"device_id": "rack_2", "template": "bess_rack", "parent": "bess_1",
               "connection": {"host": "PROVISIONED_AT_COMMISSIONING",
                              "port": "PROVISIONED_AT_COMMISSIONING", "unit_id": null}},
    "field_1": {"device_id": "field_1", "template": "field_gear",
                "connection": {"host": "127.0.0.1", "port": 20000}}
  },
  "buses": [{"bus_id": "ac_main", "type": "ac",
             "members": [{"device_id": "rack_1", "port": "ac_out"}, {"device_id": "bess_1", "port": null}]}],
  "templates_used": {
    "bess_module": {
      "template": "bess_module", "kind": "module", "vendor": null, "model": null, "equipment_id": null,
      "description": "BESS aggregation",
      "contains": [{"template": "bess_rack", "qty": "scalable"}],
      "measurements": {
        "state_of_charge": {"unit": "percent", "type": "float", "publisher": "gateway",
          "binding": {"protocol": "synthetic", "operation": "weighted_mean",
                      "source_measurement": "state_of_charge", "inputs": null}},
        "headroom": {"unit": "watts", "type": "float", "publisher": "gateway",
          "binding": {"protocol": "synthetic", "operation": "subtract",
                      "inputs": ["sites/{site_id}/devices/a/measurements/x/watts",
                                 "sites/{site_id}/devices/{device_id}/measurements/y/watts"]}},
        "active_power": {"unit": "watts", "type": "float", "publisher": "line_controller"}},
      "commands": {
        "set_active_power": {"verb": "set", "target": "active_power", "unit": "watts", "payload": "float",
          "binding": {"protocol": "distribute", "allocation_policy": "soc_weighted",
                      "ramp_rate_per_sec": 0.1, "hysteresis_margin": 0.05, "hysteresis_dwell_secs": 30}},
        "set_rack_limit": {"verb": "set", "target": "rack_limit", "unit": "percent", "payload": "float",
          "binding": {"protocol": "power_cap", "child_template": "bess_rack",
                      "child_commands": ["set_active_power"], "ramp_rate_per_sec": 0.1,
                      "hysteresis_margin": 0.05, "hysteresis_dwell_secs": 30}}},
      "install_tasks": [{"name": "set_and_anchor", "est_minutes": 60, "crew_role": "general", "cx_level": "L1"},
                        {"name": "grounding", "depends_on": ["set_and_anchor"], "est_minutes": 30,
                         "crew_role": "electrician", "cx_level": "L2"}],
      "alarms": []
    },
    "bess_rack": {
      "template": "bess_rack", "kind": "leaf", "vendor": "Tesla", "model": "Megapack", "equipment_id": "EXT-1",
      "capacity_kwh": 3854, "description": "A rack", "contains": [],
      "measurements": {
        "state_of_charge": {"unit": "percent", "type": "float", "poll_rate_hz": 1,
          "bounds": {"min": 0, "max": 100, "nominal": 50},
          "thresholds": {"warn_min": 15, "warn_max": 90, "alarm_min": 5, "alarm_max": 95},
          "binding": {"protocol": "modbus_tcp", "function_code": 3, "address": 0, "data_type": "uint16",
                      "scale": 0.1, "value_map": null, "scale_factor_address": null}},
        "active_power": {"unit": "watts", "type": "float",
          "binding": {"protocol": "modbus_tcp", "function_code": 3, "address": 10, "data_type": "int32",
                      "word_order": "low_high"}},
        "operating_state": {"unit": "none", "type": "enum",
          "values": {"10": "OFFLINE", "2": "DISCHARGING", "0": "STANDBY", "1": "CHARGING"},
          "binding": {"protocol": "modbus_tcp", "function_code": 3, "address": 40, "data_type": "uint16",
                      "value_map": {"0": "STANDBY", "1": "CHARGING", "2": "DISCHARGING", "10": "OFFLINE"}}}},
      "commands": {
        "set_active_power": {"verb": "set", "target": "active_power", "unit": "watts", "payload": "float",
          "display_name_default": null, "fanout": null,
          "binding": {"protocol": "modbus_tcp", "function_code": 16, "address": 50, "data_type": "int32"}}},
      "install_tasks": [],
      "alarms": [{"id": "overcurrent", "description": "51 trip",
                  "condition_source": {"type": "discrete_register", "address": 0, "meaning_when_set": "alarm"},
                  "priority": "P1", "operator_action": "Investigate", "on_delay_ms": 0, "off_delay_ms": 0,
                  "reset": "latched", "reference_doc": "manual"},
                 {"id": "hot", "description": "too hot",
                  "condition_source": {"type": "analog_threshold", "address": 3, "threshold": 45.5,
                                       "direction": "above", "unit": "celsius", "deadband_pct": null},
                  "priority": "P3", "operator_action": "Check", "on_delay_ms": 500, "off_delay_ms": 0,
                  "reset": "auto", "reference_doc": "manual"}]
    },
    "field_gear": {
      "template": "field_gear", "kind": "leaf", "vendor": "Acme", "model": "Multi", "equipment_id": "ACME-1",
      "description": "One measurement per remaining protocol",
      "measurements": {
        "breaker_closed": {"unit": "none", "type": "bool",
          "binding": {"protocol": "dnp3_tcp", "point_index": 0, "point_type": "binary_input", "variation": null}},
        "input_power": {"unit": "watts", "type": "float",
          "binding": {"protocol": "snmp", "oid": "1.3.6.1.4.1.13742.6.5.2.3.1.4.1.1.5"}},
        "inlet_temp": {"unit": "celsius", "type": "float",
          "binding": {"protocol": "redfish", "uri": "/Chassis/1/Sensors/InletTemp", "json_pointer": "/Reading"}},
        "pack_voltage": {"unit": "volts", "type": "float",
          "binding": {"protocol": "can", "can_id": 513, "start_bit": 0, "length": 16, "scale": 0.01}},
        "cell_temp": {"unit": "celsius", "type": "float",
          "binding": {"protocol": "can", "can_id": 419430400, "extended": true, "start_bit": 8, "length": 8,
                      "byte_order": "big_endian", "signed": true, "offset": -40}},
        "fluid_temp": {"unit": "celsius", "type": "float",
          "binding": {"protocol": "bacnet_ip", "device_instance": 11001, "object_type": "analog_input",
                      "object_instance": 1}},
        "hall_temp": {"unit": "celsius", "type": "float",
          "binding": {"protocol": "bacnet_sc", "hub_url": "wss://hub.local:443", "device_vmac": "01:23:45:67:89:ab",
                      "object_type": "analog_input", "object_instance": 2}},
        "comm_status": {"unit": "none", "type": "enum", "values": {"0": "ONLINE", "1": "OFFLINE", "2": "DEGRADED"},
                        "publisher": "gateway"}},
      "commands": {
        "close_breaker": {"verb": "start", "target": "breaker_closed", "unit": "none", "payload": "bool",
                          "fanout": "fixtures"},
        "reset_trip": {"verb": "reset", "target": "breaker_closed", "unit": "none", "payload": "trigger",
                       "fanout": "line_controller"}}
    }
  },
  "pending_devices": [{"device_id": "later_1", "anything": "goes"}]
})");
}

}  // namespace ems::contract::testing
