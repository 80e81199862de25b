#pragma once
// ResourceTree: the Redfish resource documents a simulated BMC serves, one JSON document per
// absolute URI, built from data (bindings) rather than code per device.
//
// ensure(uri) creates a resource and everything above it the way a DMTF service shapes it:
// @odata.id / @odata.type / Id / Name on every resource, collections (Chassis, Systems,
// Processors, Sensors, CDUs, Pumps, ...) with Members and Members@odata.count, and a navigation
// link {"@odata.id": ...} from a parent resource to a singleton child (Chassis/1 -> Power). The
// schema names come from a small DMTF table (dmtf_schema.hpp); unknown names get an unversioned
// "#<Name>.<Name>" type. Not thread-safe: RedfishService guards it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ems/protocols/redfish/json_pointer.hpp"

namespace ems::protocols::redfish {

class ResourceTree {
 public:
  // Starts with the service root and its Chassis, Systems, ThermalEquipment and SessionService
  // (with its Sessions collection).
  ResourceTree();

  // Creates the resource at `uri` (relative or absolute) and its ancestors if missing; returns
  // its absolute URI.
  std::string ensure(std::string_view uri);

  // ensure(uri), then writes `initial` at `pointer` unless a value is already there (creating
  // intermediate objects / arrays).
  std::string add_binding(std::string_view uri, std::string_view pointer, const Json& initial);

  // Replaces the document at `uri` (ancestors are created; @odata.id is forced to the URI).
  void put(std::string_view uri, Json document);

  // Writes `value` at `pointer` of an existing resource. Throws RedfishError(invalid_argument)
  // naming the URI when the resource does not exist.
  void set(std::string_view uri, std::string_view pointer, const Json& value);

  // Removes a resource (not its children) and its entry in the parent collection's Members.
  void erase(std::string_view uri);

  const Json* find(std::string_view absolute_uri) const;
  bool contains(std::string_view uri) const;
  // Bumped on every change of that document; RedfishService derives the ETag from it.
  std::uint64_t version(std::string_view absolute_uri) const;
  std::vector<std::string> uris() const;
  std::size_t size() const { return resources_.size(); }

 private:
  struct Entry {
    Json document;
    std::uint64_t version = 1;
  };
  Entry& entry(std::string_view uri_for_message, const std::string& absolute_uri);
  std::map<std::string, Entry, std::less<>> resources_;
};

}  // namespace ems::protocols::redfish
