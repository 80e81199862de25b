#pragma once
// Errors that device-api answers with a specific HTTP status. Validation problems stay
// ems::contract::ContractError (400); everything here carries its own status. A valid DTM whose
// documents cannot be generated is refused like an invalid one: unservable() (400).

#include <stdexcept>
#include <string>
#include <vector>

#include "ems/contract/issue.hpp"

namespace ems::device_api {

// what() is the problem's detail: `detail`, or the title when none is given.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string title, std::vector<contract::Issue> issues,
           const std::string& detail = {})
      : std::runtime_error(detail.empty() ? title : detail),
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
// The candidate DTM is valid, but the AsyncAPI document, the view or the single-line diagram
// cannot be generated from it (`why` carries the JSON paths): refused like any invalid DTM.
inline ApiError unservable(const contract::ContractError& why) {
  return ApiError(400, "Topology Cannot Be Served", why.issues(),
                  std::string("the topology cannot be expressed as the documents device-api "
                              "serves (AsyncAPI, view, single-line diagram), so it was not "
                              "stored: ") +
                      why.what());
}
inline ApiError precondition_failed(std::string message) {
  return ApiError(412, "Precondition Failed", {{"", std::move(message)}});
}

}  // namespace ems::device_api
