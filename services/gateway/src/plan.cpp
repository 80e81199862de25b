#include "plan.hpp"

#include "ems/contract/issue.hpp"
#include "ems/contract/topic.hpp"

namespace ems::gateway {

namespace {

using contract::Json;

// The entries of one device in one section, its template's shared entries included.
Json section_entries(const Json& doc, const char* section, const std::string& device_id) {
  Json out = Json::object();
  const auto s = doc.find(section);
  if (s == doc.end() || !s->is_object()) return out;
  const auto devices = s->find("devices");
  if (devices == s->end() || !devices->contains(device_id)) return out;
  const Json& d = (*devices)[device_id];
  out["device"] = d;
  if (d.contains("template") && d["template"].is_string() && s->contains("templates")) {
    const Json& templates = (*s)["templates"];
    const std::string slug = d["template"].get<std::string>();
    if (templates.contains(slug)) out["template"] = templates[slug];
  }
  return out;
}

double period_of(double rate_hz) {
  return rate_hz > 0 ? 1.0 / rate_hz : 1.0;
}

}  // namespace

GatewayPlan make_plan(const Json& asyncapi, const Shard& shard) {
  GatewayPlan plan;
  if (asyncapi.contains("info") && asyncapi["info"].contains("version") &&
      asyncapi["info"]["version"].is_string())
    plan.version = asyncapi["info"]["version"].get<std::string>();
  const auto site = asyncapi.find("x-site-id");
  if (site == asyncapi.end() || !site->is_string())
    throw contract::ContractError("/x-site-id", "the document names no site (x-site-id)");
  plan.site_id = site->get<std::string>();

  auto sources = contract::read_sources(asyncapi);
  for (auto& [id, device] : sources) {
    for (const auto& p : device.points)
      plan.topic_period_s[contract::measurement_topic(plan.site_id, id, p.name, p.unit)] =
          period_of(p.poll_rate_hz);
    for (const auto& s : device.synthetic)
      plan.topic_period_s[contract::measurement_topic(plan.site_id, id, s.name, s.unit)] =
          period_of(s.poll_rate_hz);
    const bool owned = shard.owns(id);
    plan.all_devices[id] = owned;
    if (!owned) continue;
    PlannedDevice pd;
    Json fp = Json::object();
    fp["source"] = section_entries(asyncapi, "x-protocol-source", id);
    fp["command"] = section_entries(asyncapi, "x-command-source", id);
    pd.fingerprint = fp.dump();
    for (const auto& p : device.points)
      pd.topics.push_back(contract::measurement_topic(plan.site_id, id, p.name, p.unit));
    for (const auto& s : device.synthetic)
      pd.topics.push_back(contract::measurement_topic(plan.site_id, id, s.name, s.unit));
    if (!device.connections.empty())
      pd.topics.push_back(contract::measurement_topic(plan.site_id, id, contract::kCommStatus,
                                                      contract::Unit::none));
    pd.sources = std::move(device);
    plan.devices.emplace(id, std::move(pd));
  }
  return plan;
}

}  // namespace ems::gateway
