#pragma once
// The historian's HTTP API (README "historian"): GET /series, /samples, /latest, /commands on
// a runtime::HttpServer (which adds /healthz, /readyz, /metrics, CORS and problem+json).
//
// Every parameter is checked before any query runs; a bad one answers 400 problem+json whose
// detail starts with the parameter's name ("from: ..."). Unknown parameters are refused too,
// so a misspelt one never silently changes an answer.
#include <cstdint>
#include <string>
#include <string_view>

#include "ems/runtime/http.hpp"
#include "query.hpp"

namespace ems::historian {

// RFC 3339 with any offset ("Z", "+02:00", "-05:30"; a '+' decoded from a query string as a
// space is taken as '+') -> ms since the epoch. Throws ProblemException 400 naming `name`.
std::int64_t parse_time_param(std::string_view name, std::string_view text);

// Parses a /samples request (from/to defaults: to = now, from = to - 1 h).
SamplesRequest parse_samples_request(const httplib::Request& req, std::size_t max_points,
                                     std::int64_t now_ms);

// "ts,value[,comm_status]\n" then one row per point.
std::string samples_csv(const SamplesAnswer& answer, bool with_comm_status);
nlohmann::json samples_json(const SamplesAnswer& answer, const SamplesRequest& request);

void install_routes(runtime::HttpServer& server, QueryService& queries);

}  // namespace ems::historian
