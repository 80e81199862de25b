#pragma once
// Errors that device-api answers with a specific HTTP status. Validation problems stay
// ems::contract::ContractError (400); everything here carries its own status.

#include <stdexcept>
#include <string>
#include <vector>

#include "ems/contract/issue.hpp"

namespace ems::device_api {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string title, std::vector<contract::Issue> issues)
      : std::runtime_error(title),
        status_(status),
        title_(std::move(title)),
        issues_(std::move(issues)) {}
  int status() const noexcept { return status_; }
  const std::string& title() const noexcept { return title_; }
  const std::vector<contract::Issue>& issues() const noexcept { return issues_; }

 private:
  int status_;
  std::string title_;
  std::vector<contract::Issue> issues_;
};

inline ApiError not_found(std::string path, std::string message) {
  return ApiError(404, "Not Found", {{std::move(path), std::move(message)}});
}
inline ApiError conflict(std::vector<contract::Issue> issues) {
  return ApiError(409, "Conflict", std::move(issues));
}
inline ApiError precondition_failed(std::string message) {
  return ApiError(412, "Precondition Failed", {{"", std::move(message)}});
}

}  // namespace ems::device_api
