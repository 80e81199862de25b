#include "ems/runtime/bearer.hpp"

#include "ems/runtime/problem.hpp"

namespace ems::runtime {

bool constant_time_equal(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

void require_bearer(const httplib::Request& req, const std::optional<std::string>& token) {
  if (!token)
    throw ProblemException(403, "Forbidden",
                           "writes are disabled: EMS_API_TOKEN is not configured");
  const std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0)
    throw ProblemException(401, "Unauthorized",
                           "this route needs 'Authorization: Bearer <EMS_API_TOKEN>'");
  if (!constant_time_equal(header.substr(prefix.size()), *token))
    throw ProblemException(403, "Forbidden", "the bearer token is not valid");
}

}  // namespace ems::runtime
