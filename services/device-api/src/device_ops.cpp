#include "device_ops.hpp"

#include <set>

#include "api_error.hpp"
#include "ems/contract/vocabulary.hpp"

namespace ems::device_api {
namespace {

using contract::ContractError;
using contract::Issue;
using contract::json_pointer_append;

Json& devices_of(Json& dtm) {
  if (!dtm.contains("devices") || !dtm["devices"].is_object()) dtm["devices"] = Json::object();
  return dtm["devices"];
}

const std::string* string_at(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

// Device ids of `root` and every device below it in the parent chain.
std::set<std::string> subtree(const Json& devices, const std::string& root) {
  std::set<std::string> out{root};
  // Iterate to a fixed point; parse_dtm guarantees the chain has no cycle, and the set bounds
  // the loop even if it had one.
  bool grew = true;
  while (grew) {
    grew = false;
    for (const auto& [id, dev] : devices.items()) {
      if (out.count(id)) continue;
      const std::string* parent = string_at(dev, "parent");
      if (parent && out.count(*parent)) {
        out.insert(id);
        grew = true;
      }
    }
  }
  return out;
}

void prune_unused_templates(Json& dtm) {
  if (!dtm.contains("templates_used") || !dtm["templates_used"].is_object()) return;
  std::set<std::string> used;
  for (const auto& [id, dev] : devices_of(dtm).items())
    if (const std::string* t = string_at(dev, "template")) used.insert(*t);
  Json& templates = dtm["templates_used"];
  std::vector<std::string> unused;
  for (const auto& [slug, body] : templates.items())
    if (!used.count(slug)) unused.push_back(slug);
  for (const auto& slug : unused) templates.erase(slug);
}

}  // namespace

void add_device(Json& dtm, const Json& device, const contract::TemplateCatalog& catalog,
                const std::string& path) {
  if (!device.is_object()) throw ContractError(path, "a device must be a JSON object");
  const std::string* id = string_at(device, "device_id");
  if (!id) throw ContractError(json_pointer_append(path, "device_id"), "device_id is required");
  if (!contract::is_slug(*id))
    throw ContractError(json_pointer_append(path, "device_id"),
                        "device_id '" + *id + "' is not a snake_case slug");
  Json& devices = devices_of(dtm);
  if (devices.contains(*id))
    throw conflict(
        {{json_pointer_append(path, "device_id"), "device '" + *id + "' already exists"}});
  const std::string* slug = string_at(device, "template");
  if (!slug) throw ContractError(json_pointer_append(path, "template"), "template is required");
  Json& templates = dtm["templates_used"];
  if (!templates.is_object()) templates = Json::object();
  if (!templates.contains(*slug)) {
    const contract::Template* t = catalog.find(*slug);
    if (!t)
      throw ContractError(json_pointer_append(path, "template"),
                          "template '" + *slug + "' is not in the bundled catalog");
    templates[*slug] = contract::to_json(*t);
  }
  devices[*id] = device;
}

void update_device(Json& dtm, const std::string& device_id, const Json& changes,
                   const std::string& path) {
  Json& devices = devices_of(dtm);
  auto it = devices.find(device_id);
  if (it == devices.end()) throw not_found(path, "device '" + device_id + "' does not exist");
  if (!changes.is_object()) throw ContractError(path, "changes must be a JSON object");
  static const std::set<std::string> kMutable = {"display_name", "connection", "parent",
                                                 "extra_measurements"};
  std::vector<Issue> issues;
  for (const auto& [key, value] : changes.items()) {
    if (!kMutable.count(key))
      issues.push_back({json_pointer_append(path, key),
                        "'" + key +
                            "' cannot be changed here (allowed: display_name, connection, "
                            "parent, extra_measurements)"});
  }
  if (!issues.empty()) throw ContractError(std::move(issues));
  for (const auto& [key, value] : changes.items()) (*it)[key] = value;
}

void remove_device(Json& dtm, const std::string& device_id, const std::string& path) {
  Json& devices = devices_of(dtm);
  if (!devices.contains(device_id))
    throw not_found(path, "device '" + device_id + "' does not exist");
  const std::set<std::string> doomed = subtree(devices, device_id);
  std::vector<Issue> on_bus;
  if (dtm.contains("buses") && dtm["buses"].is_array()) {
    const Json& buses = dtm["buses"];
    for (std::size_t b = 0; b < buses.size(); ++b) {
      const Json& members = buses[b].value("members", Json::array());
      for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string* member = string_at(members[m], "device_id");
        if (member && doomed.count(*member)) {
          std::string bus_id = buses[b].value("bus_id", std::string("?"));
          on_bus.push_back(
              {"/buses/" + std::to_string(b) + "/members/" + std::to_string(m) + "/device_id",
               "device '" + *member + "' is a member of bus '" + bus_id +
                   "'; update the bus before removing it"});
        }
      }
    }
  }
  if (!on_bus.empty()) throw conflict(std::move(on_bus));
  for (const auto& id : doomed) devices.erase(id);
  prune_unused_templates(dtm);
}

void apply_batch(Json& dtm, const Json& batch, const contract::TemplateCatalog& catalog) {
  if (!batch.is_object()) throw ContractError("", "the body must be a JSON object");
  for (const auto& [key, value] : batch.items())
    if (key != "operations")
      throw ContractError("/" + key, "unknown key (expected only 'operations')");
  auto ops = batch.find("operations");
  if (ops == batch.end() || !ops->is_array() || ops->empty())
    throw ContractError("/operations", "operations must be a non-empty array");
  for (std::size_t i = 0; i < ops->size(); ++i) {
    const Json& op = (*ops)[i];
    const std::string path = "/operations/" + std::to_string(i);
    if (!op.is_object()) throw ContractError(path, "an operation must be a JSON object");
    const std::string* kind = string_at(op, "op");
    if (!kind) throw ContractError(path + "/op", "op is required (add, update or remove)");
    auto allow = [&](std::set<std::string> keys) {
      for (const auto& [key, value] : op.items())
        if (!keys.count(key))
          throw ContractError(path + "/" + key, "unknown key for op '" + *kind + "'");
    };
    auto device_id = [&]() -> std::string {
      const std::string* id = string_at(op, "device_id");
      if (!id) throw ContractError(path + "/device_id", "device_id is required");
      return *id;
    };
    if (*kind == "add") {
      allow({"op", "device"});
      if (!op.contains("device")) throw ContractError(path + "/device", "device is required");
      add_device(dtm, op["device"], catalog, path + "/device");
    } else if (*kind == "update") {
      allow({"op", "device_id", "changes"});
      if (!op.contains("changes")) throw ContractError(path + "/changes", "changes is required");
      update_device(dtm, device_id(), op["changes"], path + "/changes");
    } else if (*kind == "remove") {
      allow({"op", "device_id"});
      remove_device(dtm, device_id(), path);
    } else {
      throw ContractError(path + "/op",
                          "unknown op '" + *kind + "' (expected add, update or remove)");
    }
  }
}

}  // namespace ems::device_api
