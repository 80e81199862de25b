#pragma once
// Private to libs/contract: strict reading of one JSON object while collecting Issues.
//
// A FieldReader wraps one object of the input document. Every accessor marks its key as known;
// when the reader is destroyed, every key that no accessor asked for is reported as unknown
// (the DTM is strict). Accessors treat an absent key and an explicit null the same way, because
// the reference configurator emits explicit nulls for optional fields.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/contract/issue.hpp"

namespace ems::contract::detail {

using Json = nlohmann::json;

class Issues {
 public:
  void add(std::string path, std::string message) {
    list_.push_back({std::move(path), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  std::vector<Issue>& list() { return list_; }
  // Throws ContractError when anything was collected.
  void throw_if_any() {
    if (!list_.empty()) throw ContractError(std::move(list_));
  }

 private:
  std::vector<Issue> list_;
};

// "the JSON type" for messages: "string", "number", ...
std::string type_name(const Json& j);

class FieldReader {
 public:
  // Reports an issue (and reads nothing) when `obj` is not an object.
  FieldReader(const Json& obj, std::string path, Issues& issues);
  ~FieldReader();
  FieldReader(const FieldReader&) = delete;
  FieldReader& operator=(const FieldReader&) = delete;

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const;
  Issues& issues() { return issues_; }

  // The raw value, nullptr when absent or null. Marks the key as known.
  const Json* get(std::string_view key);
  // True when the key is present with a non-null value (marks it as known).
  bool has(std::string_view key) { return get(key) != nullptr; }
  // Reports an issue at the key when it is absent or null.
  const Json* require(std::string_view key);

  std::optional<std::string> string(std::string_view key, bool required);
  // A string that must match is_slug.
  std::optional<std::string> slug(std::string_view key, bool required);
  // A string that must be one of `allowed`.
  std::optional<std::string> one_of(std::string_view key,
                                    std::initializer_list<std::string_view> allowed, bool required);
  std::optional<std::string> one_of(std::string_view key, std::span<const std::string_view> allowed,
                                    bool required);
  std::optional<double> number(std::string_view key, bool required);
  std::optional<std::int64_t> integer(std::string_view key, bool required);
  // Integer in [lo, hi].
  std::optional<std::int64_t> integer_in(std::string_view key, std::int64_t lo, std::int64_t hi,
                                         bool required);
  std::optional<bool> boolean(std::string_view key, bool required);
  // Array of strings (each non-empty); absent/null -> nullopt.
  std::optional<std::vector<std::string>> strings(std::string_view key, bool required);

  // Reports an issue at the key (marks the key as known).
  void error(std::string_view key, std::string message);
  // Explicitly rejects a key with a specific message if it is present (even as null).
  void forbid(std::string_view key, std::string message);

 private:
  const Json& obj_;
  std::string path_;
  Issues& issues_;
  bool ok_ = false;
  std::vector<std::string_view> seen_;
};

// Helpers for values that are not object members (array items, map values).
std::optional<std::string> as_string(const Json& j, const std::string& path, Issues& issues);

}  // namespace ems::contract::detail
