#pragma once
// The JSON face of libs/physics: one rating request in, one result out. Shared by the
// `ems-line-controller rate` CLI and POST /rate; the field list is in services/line-controller/
// README.md.
//
//   nlohmann::json out = rate_json(nlohmann::json::parse(R"({"method":"ieee738", ...})"));
//
// Errors: RateInputError, whose field() is the dotted path of the offending input
// ("weather.wind_speed_mps", "[2].conductor.name" inside an array) and whose what() starts with
// it. Pure (no I/O); safe from any thread.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace ems::line_controller {

class RateInputError : public std::runtime_error {
 public:
  RateInputError(std::string field, const std::string& message)
      : std::runtime_error(field.empty() ? message : field + ": " + message),
        field_(std::move(field)) {}
  const std::string& field() const { return field_; }
  // The field as a JSON Pointer ("/weather/wind_speed_mps", "/2/conductor/name").
  std::string json_pointer() const;

 private:
  std::string field_;
};

// One request object -> one result object.
nlohmann::json rate_one(const nlohmann::json& request);

// An object -> its result; an array of objects -> the array of results (in order; the first bad
// element stops it, its index leads the error's field).
nlohmann::json rate_json(const nlohmann::json& body);

}  // namespace ems::line_controller
