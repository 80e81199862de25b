#include "ems/protocols/redfish/json_pointer.hpp"

#include <charconv>

#include "ems/protocols/redfish/error.hpp"

namespace ems::protocols::redfish {
namespace {

RedfishError bad_pointer(std::string_view pointer, std::string_view why) {
  return RedfishError(
      ErrorKind::invalid_argument,
      "redfish: invalid JSON Pointer '" + std::string(pointer) + "': " + std::string(why));
}

std::size_t to_index(std::string_view token) {
  std::size_t index = 0;
  std::from_chars(token.data(), token.data() + token.size(), index);
  return index;
}

std::string escape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

void collect_leaves(const Json& node, std::string& prefix,
                    std::vector<std::pair<std::string, Json>>& out) {
  const std::size_t size = prefix.size();
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      prefix += '/';
      prefix += escape(key);
      collect_leaves(child, prefix, out);
      prefix.resize(size);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (node[i].is_object() && node[i].empty()) continue;  // DSP0266: {} = unchanged
      prefix += '/';
      prefix += std::to_string(i);
      collect_leaves(node[i], prefix, out);
      prefix.resize(size);
    }
  } else {
    out.emplace_back(prefix, node);
  }
}

}  // namespace

std::vector<std::string> split_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') throw bad_pointer(pointer, "must start with '/'");
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
        throw bad_pointer(pointer, "'~' must be followed by 0 or 1");
      token += pointer[++i] == '0' ? '~' : '/';
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

std::string join_pointer(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    out += '/';
    out += escape(t);
  }
  return out;
}

bool is_array_index(std::string_view token) noexcept {
  if (token.empty() || token.size() > 9) return false;
  if (token.size() > 1 && token.front() == '0') return false;  // RFC 6901: no leading zeros
  for (char c : token)
    if (c < '0' || c > '9') return false;
  return true;
}

const Json* find_at(const Json& body, std::string_view pointer) {
  const Json* node = &body;
  for (const auto& token : split_pointer(pointer)) {
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (!is_array_index(token)) return nullptr;
      const std::size_t index = to_index(token);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

ScalarValue extract_scalar(const Json& body, std::string_view uri, std::string_view pointer) {
  const Json* node = find_at(body, pointer);
  const std::string where = "redfish " + std::string(uri) + ": ";
  if (node == nullptr)
    throw RedfishError(ErrorKind::missing_pointer,
                       where + "no value at JSON Pointer " + std::string(pointer));
  if (node->is_boolean()) return node->get<bool>();
  if (node->is_number()) return node->get<double>();
  if (node->is_string()) return node->get<std::string>();
  throw RedfishError(ErrorKind::not_scalar, where + "value at JSON Pointer " +
                                                std::string(pointer) + " is " + node->type_name() +
                                                ", not a number, string or boolean");
}

void assign_at(Json& doc, std::string_view pointer, const Json& value) {
  const auto tokens = split_pointer(pointer);
  Json* node = &doc;
  for (const auto& token : tokens) {
    if (node->is_null()) *node = is_array_index(token) ? Json::array() : Json::object();
    if (node->is_object()) {
      node = &(*node)[token];
    } else if (node->is_array()) {
      if (!is_array_index(token)) throw bad_pointer(pointer, "'" + token + "' indexes an array");
      const std::size_t index = to_index(token);
      while (node->size() <= index) node->push_back(Json::object());
      node = &(*node)[index];
    } else {
      throw bad_pointer(pointer, "a " + std::string(node->type_name()) + " is in the way");
    }
  }
  *node = value;
}

Json patch_body_for(std::string_view pointer, const Json& value) {
  if (split_pointer(pointer).empty()) throw bad_pointer(pointer, "cannot PATCH the whole resource");
  Json body;
  assign_at(body, pointer, value);
  return body;
}

std::vector<std::pair<std::string, Json>> patch_leaves(const Json& body) {
  std::vector<std::pair<std::string, Json>> out;
  std::string prefix;
  collect_leaves(body, prefix, out);
  return out;
}

std::string to_string(const ScalarValue& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(&value)) return Json(*d).dump();
  return std::get<std::string>(value);
}

}  // namespace ems::protocols::redfish
