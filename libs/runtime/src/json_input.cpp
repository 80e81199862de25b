#include "ems/runtime/json_input.hpp"

#include "ems/runtime/problem.hpp"

namespace ems::runtime {

nlohmann::json parse_json(std::string_view text) {
  using nlohmann::json;
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw JsonInputError("invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what(),
                         e.byte);
  } catch (const json::out_of_range& e) {
    // 406: the lexer read a number a double cannot hold (1e999).
    throw JsonInputError(std::string("number out of range (beyond a double): ") + e.what(),
                         std::nullopt);
  } catch (const json::exception& e) {
    throw JsonInputError(std::string("invalid JSON: ") + e.what(), std::nullopt);
  }
}

nlohmann::json parse_json_body(std::string_view body) {
  try {
    return parse_json(body);
  } catch (const JsonInputError& e) {
    throw ProblemException(400, "Invalid JSON", e.what());
  }
}

}  // namespace ems::runtime
