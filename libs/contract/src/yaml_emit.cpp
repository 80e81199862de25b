// JSON -> block-style YAML with conservative quoting (see json_yaml.hpp).
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "ems/contract/json_yaml.hpp"

namespace ems::contract {
namespace {

using Json = nlohmann::json;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

// Words that a YAML 1.1 or 1.2 reader turns into a boolean or null when unquoted.
bool is_reserved_word(std::string_view s) {
  static constexpr std::array<std::string_view, 11> kWords = {
      "true", "false", "yes", "no", "on", "off", "null", "y", "n", "nan", "inf"};
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return iequals(s, w); });
}

// Plain only for the shapes our documents are made of (slugs, labels, topic templates without
// braces, JSON pointers): a letter, '_' or '/' first, then letters, digits and " _./-+()".
// Such a string cannot be a number (numbers start with a digit, a sign or '.'), an indicator or
// a comment, so a reader gets the same string back.
bool can_be_plain(std::string_view s) {
  if (s.empty() || is_reserved_word(s)) return false;
  const auto first = static_cast<unsigned char>(s.front());
  if (!(std::isalpha(first) || first == '_' || first == '/')) return false;
  if (s.back() == ' ') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return false;
    if (std::isalnum(u)) continue;
    if (c == '_' || c == ' ' || c == '.' || c == '/' || c == '-' || c == '+' || c == '(' ||
        c == ')')
      continue;
    return false;
  }
  return true;
}

void append_string(std::string& out, const std::string& s) {
  if (can_be_plain(s)) {
    out += s;
    return;
  }
  // A JSON string literal is a valid YAML double-quoted scalar (same escapes).
  out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void append_scalar(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      append_string(out, v.get_ref<const std::string&>());
      break;
    case Json::value_t::object:
      out += "{}";
      break;
    case Json::value_t::array:
      out += "[]";
      break;
    default:  // null, boolean, numbers: JSON spelling is YAML core-schema spelling
      out += v.dump();
  }
}

bool is_block(const Json& v) {
  return (v.is_object() || v.is_array()) && !v.empty();
}

void append_node(std::string& out, const Json& v, int indent, bool first_line_indented);

void append_object(std::string& out, const Json& obj, int indent, bool first_line_indented) {
  bool first = true;
  for (const auto& [key, value] : obj.items()) {
    if (!first || first_line_indented) out.append(static_cast<std::size_t>(indent), ' ');
    first = false;
    append_string(out, key);
    out += ':';
    if (is_block(value)) {
      out += '\n';
      append_node(out, value, indent + 2, true);
    } else {
      out += ' ';
      append_scalar(out, value);
      out += '\n';
    }
  }
}

void append_array(std::string& out, const Json& arr, int indent, bool first_line_indented) {
  bool first = true;
  for (const auto& item : arr) {
    if (!first || first_line_indented) out.append(static_cast<std::size_t>(indent), ' ');
    first = false;
    out += "- ";
    if (is_block(item)) {
      // The item's first line continues after "- "; its other lines align with it.
      append_node(out, item, indent + 2, false);
    } else {
      append_scalar(out, item);
      out += '\n';
    }
  }
}

void append_node(std::string& out, const Json& v, int indent, bool first_line_indented) {
  if (v.is_object() && !v.empty()) {
    append_object(out, v, indent, first_line_indented);
  } else if (v.is_array() && !v.empty()) {
    append_array(out, v, indent, first_line_indented);
  } else {
    if (first_line_indented) out.append(static_cast<std::size_t>(indent), ' ');
    append_scalar(out, v);
    out += '\n';
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& doc) {
  std::string out;
  append_node(out, doc, 0, true);
  return out;
}

}  // namespace ems::contract
