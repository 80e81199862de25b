#pragma once
// A small HTTP client for service-to-service reads that must survive the other side starting
// later (e.g. the gateway fetching device-api's /asyncapi at boot).
//
// fetch_with_backoff() GETs `url` and retries connection failures, timeouts and 5xx answers
// with exponential backoff; 2xx..4xx answers are returned as they are (a 404 is an answer, not
// an outage). Waits between attempts end early on shutdown (see shutdown.hpp) or when the
// caller's `stop` token is requested. A request in flight is not interrupted: it ends within
// connect_timeout + read_timeout.
#include <chrono>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ems::runtime {

struct FetchOptions {
  int max_attempts = 10;  // <= 0: retry until success or shutdown
  std::chrono::milliseconds initial_delay{250};
  std::chrono::milliseconds max_delay{10000};
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{10000};
  std::vector<std::pair<std::string, std::string>> headers;
  std::stop_token stop;  // a stop request abandons the retries like a shutdown does
};

struct FetchResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string etag;  // the ETag header as sent (quotes included), "" when absent
  int attempts = 0;
};

// Throws std::runtime_error (with the last failure) when attempts are exhausted or shutdown (or
// `options.stop`) is requested; std::invalid_argument for a URL that is not
// http://host[:port][/path].
FetchResult fetch_with_backoff(const std::string& url, const FetchOptions& options = {});

// "http://host:port/a/b?q" -> {"http://host:port", "/a/b?q"}; throws std::invalid_argument.
std::pair<std::string, std::string> split_http_url(std::string_view url);

}  // namespace ems::runtime
