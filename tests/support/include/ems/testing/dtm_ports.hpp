#pragma once
// A DTM moved to free loopback ports, for tests that serve a real site (fixtures) next to other
// tests and services on the same machine.
#include <nlohmann/json.hpp>

namespace ems::testing {

// Gives every device whose connection has a numeric `port` its own free loopback port (distinct
// from the others: free_loopback_port() may hand out a port twice). Devices without a connection,
// or with a non-numeric port ("PROVISIONED_AT_COMMISSIONING"), are left alone. Hosts are not
// touched.
void move_devices_to_free_ports(nlohmann::json& dtm);

}  // namespace ems::testing
