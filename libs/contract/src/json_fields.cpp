#include "json_fields.hpp"

#include <algorithm>
#include <cmath>

#include "ems/contract/vocabulary.hpp"

namespace ems::contract::detail {

std::string type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    default:
      return "unsupported value";
  }
}

FieldReader::FieldReader(const Json& obj, std::string path, Issues& issues)
    : obj_(obj), path_(std::move(path)), issues_(issues), ok_(obj.is_object()) {
  if (!ok_) issues_.add(path_, "expected an object, got " + type_name(obj));
}

FieldReader::~FieldReader() {
  if (!ok_) return;
  for (const auto& [key, value] : obj_.items()) {
    if (std::find(seen_.begin(), seen_.end(), key) == seen_.end())
      issues_.add(path(key), "unknown field '" + key + "'");
  }
}

std::string FieldReader::path(std::string_view key) const {
  return json_pointer_append(path_, std::string(key));
}

const Json* FieldReader::get(std::string_view key) {
  if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) seen_.push_back(key);
  if (!ok_) return nullptr;
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

const Json* FieldReader::require(std::string_view key) {
  const Json* v = get(key);
  if (v == nullptr && ok_) issues_.add(path(key), "required field is missing");
  return v;
}

std::optional<std::string> FieldReader::string(std::string_view key, bool required) {
  const Json* v = required ? require(key) : get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    issues_.add(path(key), "expected a string, got " + type_name(*v));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::string> FieldReader::slug(std::string_view key, bool required) {
  auto s = string(key, required);
  if (s && !is_slug(*s)) {
    issues_.add(path(key),
                "'" + *s + "' is not a snake_case slug (^[a-z][a-z0-9_]{0,62}[a-z0-9]$)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldReader::one_of(std::string_view key,
                                               std::initializer_list<std::string_view> allowed,
                                               bool required) {
  return one_of(key, std::span<const std::string_view>(allowed.begin(), allowed.size()), required);
}

std::optional<std::string> FieldReader::one_of(std::string_view key,
                                               std::span<const std::string_view> allowed,
                                               bool required) {
  auto s = string(key, required);
  if (!s) return s;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : "|") + std::string(a);
  issues_.add(path(key), "'" + *s + "' is not one of " + list);
  return std::nullopt;
}

std::optional<double> FieldReader::number(std::string_view key, bool required) {
  const Json* v = required ? require(key) : get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) {
    issues_.add(path(key), "expected a number, got " + type_name(*v));
    return std::nullopt;
  }
  double d = v->get<double>();
  if (!std::isfinite(d)) {  // JSON text cannot carry it back: the DTM must stay serializable
    issues_.add(path(key), "expected a finite number");
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key, bool required) {
  const Json* v = required ? require(key) : get(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      issues_.add(path(key), "integer out of range");
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (!v->is_number_integer()) {
    issues_.add(path(key), "expected an integer, got " + type_name(*v));
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<std::int64_t> FieldReader::integer_in(std::string_view key, std::int64_t lo,
                                                    std::int64_t hi, bool required) {
  auto i = integer(key, required);
  if (i && (*i < lo || *i > hi)) {
    issues_.add(path(key), std::to_string(*i) + " is outside " + std::to_string(lo) + ".." +
                               std::to_string(hi));
    return std::nullopt;
  }
  return i;
}

std::optional<bool> FieldReader::boolean(std::string_view key, bool required) {
  const Json* v = required ? require(key) : get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    issues_.add(path(key), "expected a boolean, got " + type_name(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view key, bool required) {
  const Json* v = required ? require(key) : get(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    issues_.add(path(key), "expected an array of strings, got " + type_name(*v));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool good = true;
  for (std::size_t i = 0; i < v->size(); ++i) {
    auto s = as_string((*v)[i], json_pointer_append(path(key), std::to_string(i)), issues_);
    if (s)
      out.push_back(std::move(*s));
    else
      good = false;
  }
  if (!good) return std::nullopt;
  return out;
}

void FieldReader::error(std::string_view key, std::string message) {
  get(key);
  issues_.add(path(key), std::move(message));
}

void FieldReader::forbid(std::string_view key, std::string message) {
  get(key);
  if (ok_ && obj_.contains(key)) issues_.add(path(key), std::move(message));
}

std::optional<std::string> as_string(const Json& j, const std::string& path, Issues& issues) {
  if (!j.is_string()) {
    issues.add(path, "expected a string, got " + type_name(j));
    return std::nullopt;
  }
  auto s = j.get<std::string>();
  if (s.empty()) {
    issues.add(path, "must not be empty");
    return std::nullopt;
  }
  return s;
}

}  // namespace ems::contract::detail
