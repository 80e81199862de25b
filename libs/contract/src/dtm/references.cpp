// Referential rules of a DTM (CONTRACT.md section 5): everything that names something else must
// resolve, and the parent relation must be a forest. Linear in the size of the DTM.
#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "dtm/internal.hpp"
#include "ems/contract/catalog.hpp"

namespace ems::contract::detail {
namespace {

std::string device_path(const std::string& id, std::string_view field) {
  return json_pointer_append(json_pointer_append("/devices", id), std::string(field));
}

// Colors each device once (0 new, 1 on the current walk, 2 done): O(devices) overall.
void check_parent_cycles(const Dtm& dtm, Issues& issues) {
  std::unordered_map<std::string, int> state;
  state.reserve(dtm.devices.size());
  for (const auto& [start, unused] : dtm.devices) {
    if (state[start] != 0) continue;
    std::vector<std::string> walk;
    std::string id = start;
    while (true) {
      auto it = dtm.devices.find(id);
      if (it == dtm.devices.end()) break;  // dangling parent: reported separately
      int& s = state[id];
      if (s == 2) break;
      if (s == 1) {
        // The cycle is the tail of the walk that starts at `id`.
        std::size_t from = 0;
        while (walk[from] != id) ++from;
        std::string text;
        for (std::size_t i = from; i < walk.size(); ++i) text += walk[i] + " -> ";
        text += id;
        issues.add(device_path(id, "parent"), "parent chain has a cycle: " + text);
        break;
      }
      s = 1;
      walk.push_back(id);
      if (!it->second.parent) break;
      id = *it->second.parent;
    }
    for (const auto& w : walk) state[w] = 2;
  }
}

void check_buses(const Dtm& dtm, Issues& issues) {
  std::unordered_set<std::string> bus_ids;
  for (std::size_t i = 0; i < dtm.buses.size(); ++i) {
    const Bus& bus = dtm.buses[i];
    std::string path = json_pointer_append("/buses", std::to_string(i));
    if (!is_slug(bus.bus_id))
      issues.add(path + "/bus_id", "'" + bus.bus_id + "' is not a snake_case slug");
    else if (!bus_ids.insert(bus.bus_id).second)
      issues.add(path + "/bus_id", "bus_id '" + bus.bus_id + "' is used by another bus");
    std::set<std::pair<std::string, std::string>> members;
    for (std::size_t k = 0; k < bus.members.size(); ++k) {
      const BusMember& m = bus.members[k];
      std::string mpath = path + "/members/" + std::to_string(k) + "/device_id";
      if (!dtm.devices.count(m.device_id))
        issues.add(mpath, "bus member '" + m.device_id + "' is not a device of this DTM");
      if (!members.insert({m.device_id, m.port.value_or("")}).second)
        issues.add(mpath, "bus member '" + m.device_id + "' (port '" + m.port.value_or("") +
                              "') is listed twice on bus '" + bus.bus_id + "'");
    }
  }
}

const Template* resolve(const Dtm& dtm, const TemplateCatalog* catalog, const std::string& slug) {
  auto it = dtm.templates_used.find(slug);
  if (it != dtm.templates_used.end()) return &it->second;
  return catalog != nullptr ? catalog->find(slug) : nullptr;
}

void check_templates(const Dtm& dtm, const TemplateCatalog* catalog, Issues& issues) {
  std::unordered_set<std::string> used;
  for (const auto& [id, d] : dtm.devices) {
    used.insert(d.template_slug);
    if (!dtm.templates_used.count(d.template_slug))
      issues.add(device_path(id, "template"),
                 "template '" + d.template_slug + "' is not in templates_used");
  }
  for (const auto& [slug, t] : dtm.templates_used) {
    std::string path = json_pointer_append("/templates_used", slug);
    if (t.slug != slug)
      issues.add(path + "/template",
                 "template slug '" + t.slug + "' differs from its key '" + slug + "'");
    if (!used.count(slug))
      issues.add(path,
                 "template '" + slug +
                     "' is not used by any device (templates_used lists exactly the templates "
                     "the devices use)");
    if (catalog != nullptr && !catalog->contains(slug))
      issues.add(path, "template '" + slug + "' is not in the bundled template catalog");
    check_child_names(
        t, path, [&](const std::string& slug) { return resolve(dtm, catalog, slug); }, issues);
    for (std::size_t i = 0; i < t.contains.size(); ++i) {
      const std::string& child = t.contains[i].template_slug;
      bool known =
          dtm.templates_used.count(child) || (catalog != nullptr && catalog->contains(child));
      if (!known)
        issues.add(
            path + "/contains/" + std::to_string(i) + "/template",
            "contained template '" + child + "' is neither in templates_used nor in the catalog");
    }
  }
}

}  // namespace

// Roll-ups read a measurement of the children and power caps write commands of the children:
// those names must exist in the child templates (when the child templates are known).
void check_child_names(const Template& t, const std::string& path, const TemplateResolver& resolve,
                       Issues& issues) {
  for (const auto& [name, m] : t.measurements) {
    if (!m.binding || !m.binding->fields.contains("source_measurement")) continue;
    const auto source = m.binding->fields["source_measurement"].get<std::string>();
    std::vector<const Template*> children;
    if (m.binding->fields.contains("child_template")) {
      if (auto* c = resolve(m.binding->fields["child_template"].get<std::string>()))
        children.push_back(c);
    } else {
      for (const auto& c : t.contains)
        if (auto* child = resolve(c.template_slug)) children.push_back(child);
    }
    if (children.empty()) continue;
    bool found = std::any_of(children.begin(), children.end(),
                             [&](const Template* c) { return c->measurements.count(source) > 0; });
    if (!found)
      issues.add(path + "/measurements/" + name + "/binding/source_measurement",
                 "no child template of '" + t.slug + "' has a measurement '" + source + "'");
  }
  for (const auto& [name, c] : t.commands) {
    if (!c.binding || c.binding->protocol != Protocol::power_cap) continue;
    const Template* child = resolve(c.binding->fields.value("child_template", std::string()));
    if (child == nullptr || !c.binding->fields.contains("child_commands")) continue;
    const Json& cmds = c.binding->fields["child_commands"];
    for (std::size_t k = 0; k < cmds.size(); ++k)
      if (!child->commands.count(cmds[k].get<std::string>()))
        issues.add(path + "/commands/" + name + "/binding/child_commands/" + std::to_string(k),
                   "'" + cmds[k].get<std::string>() + "' is not a command of template '" +
                       child->slug + "'");
  }
}

void check_references_into(const Dtm& dtm, const TemplateCatalog* catalog, Issues& issues) {
  for (const auto& [key, d] : dtm.devices) {
    if (d.device_id != key)
      issues.add(device_path(key, "device_id"),
                 "device_id '" + d.device_id + "' differs from its key '" + key + "' in devices");
    if (d.parent && !dtm.devices.count(*d.parent))
      issues.add(device_path(key, "parent"),
                 "parent '" + *d.parent + "' is not a device of this DTM");
    if (d.extra_measurements) {
      auto t = dtm.templates_used.find(d.template_slug);
      for (const auto& [name, m] : *d.extra_measurements)
        if (t != dtm.templates_used.end() && t->second.measurements.count(name))
          issues.add(json_pointer_append(device_path(key, "extra_measurements"), name),
                     "extra measurement '" + name + "' shadows a measurement of template '" +
                         d.template_slug + "'");
    }
  }
  check_parent_cycles(dtm, issues);
  check_templates(dtm, catalog, issues);
  check_buses(dtm, issues);
}

}  // namespace ems::contract::detail
