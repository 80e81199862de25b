#pragma once
// Bearer-token check of the suite's write APIs (`Authorization: Bearer <EMS_API_TOKEN>`).
//
//   require_bearer(req, token);   // throws ProblemException, or returns when authorized
//
// 401 when the header is missing or not a Bearer header, 403 when the token is wrong or when no
// token is configured (writes are then disabled, never open). The comparison reads every byte
// whatever the first difference, so its time does not tell where a wrong token differs.
// Callers answering 401/403 should add `WWW-Authenticate: Bearer`. Pure and thread-safe.
#include <optional>
#include <string>

#include <httplib.h>

namespace ems::runtime {

bool constant_time_equal(const std::string& a, const std::string& b);

void require_bearer(const httplib::Request& req, const std::optional<std::string>& token);

}  // namespace ems::runtime
