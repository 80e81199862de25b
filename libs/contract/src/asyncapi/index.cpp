#include "asyncapi/index.hpp"

namespace ems::contract::detail {

DtmIndex::DtmIndex(const Dtm& dtm, std::string site_id) : dtm_(dtm), site_id_(std::move(site_id)) {
  children_.reserve(dtm.devices.size());
  // dtm.devices is ordered by id, so every children list comes out sorted.
  for (const auto& [id, device] : dtm.devices) {
    if (device.parent) children_[*device.parent].push_back(&device);
    by_template_[device.template_slug].push_back(&device);
  }
}

const Template* DtmIndex::template_of(const Device& d) const {
  auto it = dtm_.templates_used.find(d.template_slug);
  return it == dtm_.templates_used.end() ? nullptr : &it->second;
}

const Measurement* DtmIndex::measurement_of(const Device& d, const std::string& name) const {
  if (d.extra_measurements) {
    auto it = d.extra_measurements->find(name);
    if (it != d.extra_measurements->end()) return &it->second;
  }
  const Template* t = template_of(d);
  if (!t) return nullptr;
  auto it = t->measurements.find(name);
  return it == t->measurements.end() ? nullptr : &it->second;
}

const std::vector<const Device*>& DtmIndex::children_of(const std::string& id) const {
  auto it = children_.find(id);
  return it == children_.end() ? none_ : it->second;
}

const std::vector<const Device*>& DtmIndex::devices_of(const std::string& template_slug) const {
  auto it = by_template_.find(template_slug);
  return it == by_template_.end() ? none_ : it->second;
}

bool DtmIndex::has_device(std::string_view id) const {
  return dtm_.devices.find(std::string(id)) != dtm_.devices.end();
}

std::string DtmIndex::measurement_topic(const std::string& device_id, const std::string& name,
                                        Unit unit) const {
  std::string t;
  t.reserve(40 + site_id_.size() + device_id.size() + name.size());
  t.append("sites/").append(site_id_).append("/devices/").append(device_id);
  t.append("/measurements/").append(name).append("/").append(to_string(unit));
  return t;
}

std::string DtmIndex::command_topic(const std::string& device_id, const Command& c) const {
  std::string t;
  t.reserve(40 + site_id_.size() + device_id.size() + c.target.size());
  t.append("sites/").append(site_id_).append("/devices/").append(device_id);
  t.append("/commands/").append(to_string(c.verb)).append("/").append(c.target);
  t.append("/").append(to_string(c.unit));
  return t;
}

std::string pointer(std::initializer_list<std::string_view> tokens) {
  std::string p;
  for (auto t : tokens) p = json_pointer_append(p, std::string(t));
  return p;
}

}  // namespace ems::contract::detail
