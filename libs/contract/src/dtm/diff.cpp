// classify_change: the semver rules of CONTRACT.md section 7, documented in semver.hpp.
#include <algorithm>
#include <set>

#include "ems/contract/semver.hpp"

namespace ems::contract {
namespace {

// Collects reasons and keeps the largest bump.
class Diff {
 public:
  void add(Bump b, std::string reason) {
    report_.bump = std::max(report_.bump, b);
    report_.reasons.push_back(std::move(reason));
  }
  ChangeReport take() { return std::move(report_); }

 private:
  ChangeReport report_;
};

std::string or_root(const std::optional<std::string>& s) {
  return s ? *s : "(none)";
}

template <typename Map>
std::set<std::string> key_union(const Map& a, const Map& b) {
  std::set<std::string> keys;
  for (const auto& [k, v] : a) keys.insert(k);
  for (const auto& [k, v] : b) keys.insert(k);
  return keys;
}

// A measurement as seen by consumers: its topic carries the unit and its payload the type; the
// rest is metadata.
void diff_measurement(Diff& d, const std::string& what, const Measurement& a,
                      const Measurement& b) {
  if (a.unit != b.unit) {
    d.add(Bump::major, what + " unit changed from " + std::string(to_string(a.unit)) + " to " +
                           std::string(to_string(b.unit)));
  }
  if (a.type != b.type) {
    d.add(Bump::major, what + " type changed from " + std::string(to_string(a.type)) + " to " +
                           std::string(to_string(b.type)));
  }
  Measurement meta_a = a, meta_b = b;
  meta_b.unit = meta_a.unit;
  meta_b.type = meta_a.type;
  if (meta_a != meta_b) d.add(Bump::patch, what + " metadata changed");
}

void diff_measurements(Diff& d, const std::string& owner,
                       const std::map<std::string, Measurement>& a,
                       const std::map<std::string, Measurement>& b) {
  for (const auto& name : key_union(a, b)) {
    const auto ia = a.find(name), ib = b.find(name);
    const std::string what = owner + " " + name;
    if (ib == b.end()) {
      d.add(Bump::major, what + " removed");
    } else if (ia == a.end()) {
      d.add(Bump::minor, what + " added");
    } else {
      diff_measurement(d, what, ia->second, ib->second);
    }
  }
}

void diff_command(Diff& d, const std::string& what, const Command& a, const Command& b) {
  if (a.unit != b.unit) {
    d.add(Bump::major, what + " unit changed from " + std::string(to_string(a.unit)) + " to " +
                           std::string(to_string(b.unit)));
  }
  // verb and target are topic segments, the payload type is the message schema.
  if (a.verb != b.verb || a.target != b.target || a.payload != b.payload) {
    d.add(Bump::major, what + " verb, target or payload changed");
  }
  Command meta_a = a, meta_b = b;
  meta_b.unit = meta_a.unit;
  meta_b.verb = meta_a.verb;
  meta_b.target = meta_a.target;
  meta_b.payload = meta_a.payload;
  if (meta_a != meta_b) d.add(Bump::patch, what + " metadata changed");
}

void diff_template(Diff& d, const Template& a, const Template& b) {
  const std::string owner = "template " + a.slug;
  diff_measurements(d, owner + " measurement", a.measurements, b.measurements);
  for (const auto& name : key_union(a.commands, b.commands)) {
    const auto ia = a.commands.find(name), ib = b.commands.find(name);
    const std::string what = owner + " command " + name;
    if (ib == b.commands.end()) {
      d.add(Bump::major, what + " removed");
    } else if (ia == a.commands.end()) {
      d.add(Bump::minor, what + " added");
    } else {
      diff_command(d, what, ia->second, ib->second);
    }
  }
  Template meta_a = a, meta_b = b;
  meta_a.measurements.clear();
  meta_b.measurements.clear();
  meta_a.commands.clear();
  meta_b.commands.clear();
  if (meta_a != meta_b) d.add(Bump::patch, owner + " descriptive fields changed");
}

void diff_device(Diff& d, const Device& a, const Device& b) {
  const std::string owner = "device " + a.device_id;
  if (a.template_slug != b.template_slug) {
    d.add(Bump::major,
          owner + " template changed from " + a.template_slug + " to " + b.template_slug);
  }
  if (a.parent != b.parent) {
    d.add(Bump::minor,
          owner + " re-parented from " + or_root(a.parent) + " to " + or_root(b.parent));
  }
  if (a.display_name != b.display_name) d.add(Bump::patch, owner + " display_name changed");
  if (a.connection != b.connection) d.add(Bump::patch, owner + " connection changed");
  static const std::map<std::string, Measurement> kNone;
  diff_measurements(d, owner + " extra measurement",
                    a.extra_measurements ? *a.extra_measurements : kNone,
                    b.extra_measurements ? *b.extra_measurements : kNone);
  // null and {} extra_measurements mean the same: nothing is reported for that alone.
  if (!a.carried.is_object() || !b.carried.is_object()) {
    if (a.carried != b.carried) d.add(Bump::patch, owner + " carried fields changed");
    return;
  }
  std::set<std::string> carried_keys;
  for (auto it = a.carried.begin(); it != a.carried.end(); ++it) carried_keys.insert(it.key());
  for (auto it = b.carried.begin(); it != b.carried.end(); ++it) carried_keys.insert(it.key());
  for (const auto& key : carried_keys) {
    const Json na = a.carried.contains(key) ? a.carried[key] : Json();
    const Json nb = b.carried.contains(key) ? b.carried[key] : Json();
    if (na != nb) d.add(Bump::patch, owner + " " + key + " changed");
  }
}

std::string member_key(const BusMember& m) {
  return m.device_id + ":" + (m.port ? *m.port : std::string());
}

void diff_bus(Diff& d, const Bus& a, const Bus& b) {
  const std::string owner = "bus " + a.bus_id;
  if (a.type != b.type) d.add(Bump::major, owner + " type changed");
  std::vector<std::string> ka, kb;
  for (const auto& m : a.members) ka.push_back(member_key(m));
  for (const auto& m : b.members) kb.push_back(member_key(m));
  const std::set<std::string> sa(ka.begin(), ka.end()), sb(kb.begin(), kb.end());
  for (const auto& k : sa) {
    if (!sb.count(k)) d.add(Bump::major, owner + " member " + k + " removed");
  }
  for (const auto& k : sb) {
    if (!sa.count(k)) d.add(Bump::minor, owner + " member " + k + " added");
  }
  if (sa == sb && ka != kb) d.add(Bump::patch, owner + " member order changed");
}

void diff_top_level(Diff& d, const Dtm& a, const Dtm& b) {
  if (a.deployment_uuid != b.deployment_uuid) d.add(Bump::major, "deployment_uuid changed");
  if (a.site_id != b.site_id) d.add(Bump::major, "site_id changed");
  if (a.site_display_name != b.site_display_name) {
    d.add(Bump::patch, "site_display_name changed");
  }
  if (a.sizing_ref != b.sizing_ref) d.add(Bump::patch, "sizing_ref changed");
  if (a.sizing_params != b.sizing_params) d.add(Bump::patch, "sizing_params changed");
  if (a.mode != b.mode) d.add(Bump::patch, "mode changed");
  if (a.pending_devices != b.pending_devices) d.add(Bump::patch, "pending_devices changed");
}

}  // namespace

ChangeReport classify_change(const Dtm& before, const Dtm& after) {
  Diff d;
  diff_top_level(d, before, after);

  for (const auto& id : key_union(before.devices, after.devices)) {
    const auto ia = before.devices.find(id), ib = after.devices.find(id);
    if (ib == after.devices.end()) {
      d.add(Bump::major, "device " + id + " removed");
    } else if (ia == before.devices.end()) {
      d.add(Bump::minor, "device " + id + " added");
    } else {
      diff_device(d, ia->second, ib->second);
    }
  }

  std::map<std::string, const Bus*> buses_a, buses_b;
  for (const auto& bus : before.buses) buses_a.emplace(bus.bus_id, &bus);
  for (const auto& bus : after.buses) buses_b.emplace(bus.bus_id, &bus);
  for (const auto& id : key_union(buses_a, buses_b)) {
    const auto ia = buses_a.find(id), ib = buses_b.find(id);
    if (ib == buses_b.end()) {
      d.add(Bump::major, "bus " + id + " removed");
    } else if (ia == buses_a.end()) {
      d.add(Bump::minor, "bus " + id + " added");
    } else {
      diff_bus(d, *ia->second, *ib->second);
    }
  }
  std::vector<std::string> order_a, order_b;
  for (const auto& bus : before.buses) order_a.push_back(bus.bus_id);
  for (const auto& bus : after.buses) order_b.push_back(bus.bus_id);
  std::vector<std::string> common_a, common_b;
  std::copy_if(order_a.begin(), order_a.end(), std::back_inserter(common_a),
               [&](const std::string& id) { return buses_b.count(id) > 0; });
  std::copy_if(order_b.begin(), order_b.end(), std::back_inserter(common_b),
               [&](const std::string& id) { return buses_a.count(id) > 0; });
  if (common_a != common_b) d.add(Bump::patch, "bus order changed");

  for (const auto& slug : key_union(before.templates_used, after.templates_used)) {
    const auto ia = before.templates_used.find(slug), ib = after.templates_used.find(slug);
    if (ib == after.templates_used.end()) {
      d.add(Bump::major, "template " + slug + " removed");
    } else if (ia == before.templates_used.end()) {
      d.add(Bump::minor, "template " + slug + " added");
    } else {
      diff_template(d, ia->second, ib->second);
    }
  }
  return d.take();
}

}  // namespace ems::contract
