#include "ems/runtime/http_client.hpp"

#include <stdexcept>

#include <httplib.h>

#include "ems/runtime/backoff.hpp"
#include "ems/runtime/log.hpp"
#include "ems/runtime/shutdown.hpp"

namespace ems::runtime {

std::pair<std::string, std::string> split_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) {
    throw std::invalid_argument("not an http:// URL: \"" + std::string(url) + "\"");
  }
  const auto rest = url.substr(scheme.size());
  const auto slash = rest.find_first_of("/?");
  const auto authority = rest.substr(0, slash);
  if (authority.empty() || authority.front() == ':') {
    throw std::invalid_argument("URL has no host: \"" + std::string(url) + "\"");
  }
  std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (path.front() == '?') path.insert(path.begin(), '/');
  return {std::string(scheme) + std::string(authority), path};
}

FetchResult fetch_with_backoff(const std::string& url, const FetchOptions& options) {
  const auto [base, path] = split_http_url(url);
  httplib::Client client(base);
  client.set_connection_timeout(options.connect_timeout);
  client.set_read_timeout(options.read_timeout);
  client.set_tcp_nodelay(true);
  httplib::Headers headers;
  for (const auto& [k, v] : options.headers) headers.emplace(k, v);

  Backoff backoff(options.initial_delay, options.max_delay);
  std::string last_failure;
  for (int attempt = 1; options.max_attempts <= 0 || attempt <= options.max_attempts; ++attempt) {
    auto res = client.Get(path, headers);
    if (res && res->status < 500) {
      return FetchResult{res->status, res->body, res->get_header_value("Content-Type"),
                         res->get_header_value("ETag"), attempt};
    }
    last_failure = res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error());
    const bool last = options.max_attempts > 0 && attempt == options.max_attempts;
    if (last) break;
    const auto delay = backoff.next();
    log::warn("fetch failed, retrying", {{"url", url},
                                         {"attempt", attempt},
                                         {"error", last_failure},
                                         {"retry_in_ms", delay.count()}});
    if (wait_for_shutdown(delay, options.stop)) {
      throw std::runtime_error("fetch " + url +
                               " abandoned: " + (shutdown_requested() ? "shutdown" : "stop") +
                               " requested (last failure: " + last_failure + ")");
    }
  }
  throw std::runtime_error("fetch " + url + " failed after " +
                           std::to_string(options.max_attempts) + " attempts: " + last_failure);
}

}  // namespace ems::runtime
