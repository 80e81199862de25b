#include "ems/protocols/redfish/resource_tree.hpp"

#include "ems/protocols/redfish/dmtf_schema.hpp"
#include "ems/protocols/redfish/error.hpp"
#include "ems/protocols/redfish/uri.hpp"

namespace ems::protocols::redfish {
namespace {

Json link_to(const std::string& uri) {
  return Json{{"@odata.id", uri}};
}

bool is_collection(const Json& document) {
  return document.contains("Members");
}

}  // namespace

ResourceTree::ResourceTree() {
  const std::string root(kServiceRoot);
  resources_[root].document = {
      {"@odata.id", root},
      {"@odata.type", odata_type_of("ServiceRoot")},
      {"Id", "RootService"},
      {"Name", "Root Service"},
      {"RedfishVersion", "1.17.0"},
      {"Links", {{"Sessions", link_to(root + "/SessionService/Sessions")}}},
  };
  for (const char* child : {"Chassis", "Systems", "ThermalEquipment", "SessionService"})
    ensure(root + "/" + child);
  ensure(root + "/SessionService/Sessions");
  Json& sessions = entry("", root + "/SessionService").document;
  sessions["ServiceEnabled"] = true;
  sessions["SessionTimeout"] = 1800;
}

std::string ResourceTree::ensure(std::string_view uri) {
  std::string absolute = normalize_uri(uri);
  if (resources_.contains(absolute)) return absolute;
  const std::string parent = parent_uri(absolute);
  const std::string segment = last_segment(absolute);
  ensure(parent);
  Entry& parent_entry = resources_.find(parent)->second;
  Json& parent_doc = parent_entry.document;

  Json document = {{"@odata.id", absolute}};
  if (is_collection(parent_doc)) {
    // A member: its schema is what the parent collection holds.
    const auto schema = collection_member_schema(last_segment(parent)).value_or(segment);
    document["@odata.type"] = odata_type_of(schema);
    document["Id"] = segment;
    document["Name"] = std::string(schema) + " " + segment;
    parent_doc["Members"].push_back(link_to(absolute));
    parent_doc["Members@odata.count"] = parent_doc["Members"].size();
  } else {
    if (auto member = collection_member_schema(segment)) {
      document["@odata.type"] = collection_odata_type(*member);
      document["Name"] = std::string(*member) + " Collection";
      document["Members"] = Json::array();
      document["Members@odata.count"] = 0;
    } else {
      document["@odata.type"] = odata_type_of(segment);
      document["Id"] = segment;
      document["Name"] = segment;
    }
    if (!parent_doc.contains(segment)) parent_doc[segment] = link_to(absolute);
  }
  ++parent_entry.version;
  resources_[absolute].document = std::move(document);
  return absolute;
}

std::string ResourceTree::add_binding(std::string_view uri, std::string_view pointer,
                                      const Json& initial) {
  std::string absolute = ensure(uri);
  Entry& e = resources_.find(absolute)->second;
  if (!pointer.empty() && find_at(e.document, pointer) == nullptr) {
    assign_at(e.document, pointer, initial);
    ++e.version;
  }
  return absolute;
}

void ResourceTree::put(std::string_view uri, Json document) {
  if (!document.is_object())
    throw RedfishError(ErrorKind::invalid_argument,
                       "redfish " + std::string(uri) + ": a resource must be a JSON object");
  const std::string absolute = ensure(uri);
  Entry& e = resources_.find(absolute)->second;
  for (const char* key : {"@odata.type", "Id", "Name"})
    if (!document.contains(key) && e.document.contains(key)) document[key] = e.document[key];
  document["@odata.id"] = absolute;
  e.document = std::move(document);
  ++e.version;
}

void ResourceTree::set(std::string_view uri, std::string_view pointer, const Json& value) {
  Entry& e = entry(uri, normalize_uri(uri));
  assign_at(e.document, pointer, value);
  ++e.version;
}

void ResourceTree::erase(std::string_view uri) {
  const std::string absolute = normalize_uri(uri);
  if (resources_.erase(absolute) == 0) return;
  auto parent = resources_.find(parent_uri(absolute));
  if (parent == resources_.end()) return;
  Json& doc = parent->second.document;
  if (is_collection(doc)) {
    auto& members = doc["Members"];
    for (auto it = members.begin(); it != members.end(); ++it) {
      if (it->value("@odata.id", "") == absolute) {
        members.erase(it);
        break;
      }
    }
    doc["Members@odata.count"] = members.size();
  } else {
    doc.erase(last_segment(absolute));
  }
  ++parent->second.version;
}

ResourceTree::Entry& ResourceTree::entry(std::string_view uri_for_message,
                                         const std::string& absolute_uri) {
  auto it = resources_.find(absolute_uri);
  if (it == resources_.end())
    throw RedfishError(
        ErrorKind::invalid_argument,
        "redfish: no resource at " + std::string(uri_for_message) + " (" + absolute_uri + ")");
  return it->second;
}

const Json* ResourceTree::find(std::string_view absolute_uri) const {
  auto it = resources_.find(absolute_uri);
  return it == resources_.end() ? nullptr : &it->second.document;
}

bool ResourceTree::contains(std::string_view uri) const {
  return resources_.contains(normalize_uri(uri));
}

std::uint64_t ResourceTree::version(std::string_view absolute_uri) const {
  auto it = resources_.find(absolute_uri);
  return it == resources_.end() ? 0 : it->second.version;
}

std::vector<std::string> ResourceTree::uris() const {
  std::vector<std::string> out;
  out.reserve(resources_.size());
  for (const auto& [uri, e] : resources_) out.push_back(uri);
  return out;
}

}  // namespace ems::protocols::redfish
