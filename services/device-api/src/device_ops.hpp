#pragma once
// Device operations on a topology (CONTRACT.md section 5 "referential rules"), as pure
// transformations of the normalized DTM JSON. Each operation checks what only it can know
// (the device exists, is not on a bus, ...) and leaves full validation to parse_dtm, which the
// caller runs once on the result - so a batch is validated as a whole, atomically.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/contract/catalog.hpp"

namespace ems::device_api {

using Json = nlohmann::json;

// Adds `device` (a DTM Device object). The template is taken from templates_used, or copied from
// the catalog when the DTM does not use it yet. 409 if the id exists; 400 for an unknown template.
void add_device(Json& dtm, const Json& device, const contract::TemplateCatalog& catalog,
                const std::string& path = "");

// Applies a partial update: only display_name, connection, parent and extra_measurements may be
// given; null clears. 404 for an unknown device.
void update_device(Json& dtm, const std::string& device_id, const Json& changes,
                   const std::string& path = "");

// Removes the device and its subtree (parent chain). 404 if unknown; 409 while any device of the
// subtree is a bus member. Templates no device uses any more leave templates_used.
void remove_device(Json& dtm, const std::string& device_id, const std::string& path = "");

// {"operations": [{"op": "add", "device": {...}} | {"op": "update", "device_id": "...",
//  "changes": {...}} | {"op": "remove", "device_id": "..."}]} - applied in order.
void apply_batch(Json& dtm, const Json& batch, const contract::TemplateCatalog& catalog);

}  // namespace ems::device_api
