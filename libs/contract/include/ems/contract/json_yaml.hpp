#pragma once
// JSON -> YAML text (block style), for GET /asyncapi/yaml and files written by tools.
//
// Round-trips through any YAML 1.2 core-schema reader: a string is written plain only when it
// cannot be read back as anything else; strings that look like numbers, booleans or null
// ("1", "true", "no", "~", ""), that start with an indicator or contain ": ", " #", quotes,
// braces or control characters are double-quoted with JSON escapes (valid YAML). Numbers are
// written as nlohmann::json prints them; empty objects and arrays as {} and [].

#include <string>

#include <nlohmann/json.hpp>

namespace ems::contract {

std::string to_yaml(const nlohmann::json& doc);

}  // namespace ems::contract
