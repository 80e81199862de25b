#pragma once
// JSON from untrusted bytes (HTTP request and response bodies, files named by EMS_* variables).
//
//   nlohmann::json doc = runtime::parse_json(req.body);       // throws JsonInputError
//   nlohmann::json doc = runtime::parse_json_body(req.body);  // throws ProblemException 400
//
// nlohmann::json::parse throws json::parse_error for bad syntax but json::out_of_range (406) for
// a number beyond double's range such as `1e999`; a catch of parse_error alone lets the second
// escape as a 500 or kill a thread. These functions turn every json::exception of the parse into
// one error type with a clear message. Use them instead of a per-site try/catch.
//
// MQTT payloads of the contract are parsed by contract::parse_*_payload (ems/contract/payload.hpp),
// which already reports 1e999 as an Issue; consumers that parse with allow_exceptions=false get a
// discarded value for it and need nothing more.
//
// Threading: stateless; safe from any thread.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ems::runtime {

// The bytes are not one JSON value. what() is "invalid JSON at byte N: <reason>" or
// "number out of range (beyond a double): <reason>"; byte() is the 1-based offset of the
// error, when the parser knows it.
class JsonInputError : public std::runtime_error {
 public:
  JsonInputError(std::string message, std::optional<std::size_t> byte)
      : std::runtime_error(std::move(message)), byte_(byte) {}
  std::optional<std::size_t> byte() const { return byte_; }

 private:
  std::optional<std::size_t> byte_;
};

// Parses text as exactly one JSON value (any type; the caller checks the shape).
// Throws JsonInputError for empty input, bad syntax, trailing bytes, or a number out of range.
nlohmann::json parse_json(std::string_view text);

// parse_json for an HTTP request body: throws ProblemException(400, "Invalid JSON", <message>)
// instead, which HttpServer renders as application/problem+json.
nlohmann::json parse_json_body(std::string_view body);

}  // namespace ems::runtime
