// x-enum-values, x-display-name and x-alarms: what a UI needs to label values.
#include "asyncapi/index.hpp"
#include "ems/contract/sources.hpp"
#include "ems/contract/view.hpp"

namespace ems::contract::detail {
namespace {

Json labels(const Measurement& m) {
  Json a = Json::array();
  for (const auto& v : m.values) a.push_back(v.label);  // values are kept in code order
  return a;
}

}  // namespace

bool any_polled(const Dtm& dtm) {
  for (const auto& [id, d] : dtm.devices)
    if (dtm.is_polled(d)) return true;
  return false;
}

Json comm_status_labels() {
  Json a = Json::array();
  for (auto v : kCommStatusValues) a.push_back(std::string(v));
  return a;
}

Json enum_values(const Dtm& dtm) {
  Json out = Json::object();
  for (const auto& [slug, t] : dtm.templates_used)
    for (const auto& [name, m] : t.measurements)
      if (m.type == ValueType::Enum) out[slug + "." + name] = labels(m);
  // comm_status, which the reader of every polled device publishes: a key without a '.'.
  if (any_polled(dtm)) out[std::string(kCommStatus)] = comm_status_labels();
  // Slugs contain no '.', so a three-part key can never equal a template key.
  for (const auto& [id, d] : dtm.devices) {
    if (!d.extra_measurements) continue;
    for (const auto& [name, m] : *d.extra_measurements)
      if (m.type == ValueType::Enum) out["devices." + id + "." + name] = labels(m);
  }
  return out;
}

// Template measurement labels are the same for every device of a template: resolved once.
std::map<std::string, Json> template_labels(const Dtm& dtm) {
  std::map<std::string, Json> per_template;
  for (const auto& [slug, t] : dtm.templates_used) {
    Json labels = Json::object();
    for (const auto& [name, m] : t.measurements) labels[name] = measurement_label(name, m);
    per_template.emplace(slug, std::move(labels));
  }
  return per_template;
}

Json display_names(const Dtm& dtm) {
  const std::map<std::string, Json> per_template = template_labels(dtm);
  Json out = Json::object();
  for (const auto& [id, d] : dtm.devices) {
    auto it = per_template.find(d.template_slug);
    Json measurements = it == per_template.end() ? Json::object() : it->second;
    if (d.extra_measurements)
      for (const auto& [name, m] : *d.extra_measurements)
        measurements[name] = measurement_label(name, m);
    if (dtm.is_polled(d) && !measurements.contains(kCommStatus))
      measurements[std::string(kCommStatus)] = kCommStatusLabel;
    out[id] = {{"display_name", device_label(d)}, {"measurements", std::move(measurements)}};
  }
  return out;
}

Json alarms_by_device(const Dtm& dtm) {
  Json out = Json::object();
  for (const auto& [id, d] : dtm.devices) {
    auto it = dtm.templates_used.find(d.template_slug);
    if (it != dtm.templates_used.end() && it->second.alarms.is_array() &&
        !it->second.alarms.empty())
      out[id] = it->second.alarms;
  }
  return out;
}

}  // namespace ems::contract::detail
