#include "ems/protocols/redfish/client.hpp"

#include <httplib.h>

#include <mutex>
#include <regex>
#include <set>

#include "ems/protocols/redfish/message.hpp"
#include "ems/protocols/redfish/uri.hpp"

namespace ems::protocols::redfish {
namespace {

const std::string kSessions = std::string(kServiceRoot) + "/SessionService/Sessions";

bool is_transport(ErrorKind kind) {
  return kind == ErrorKind::connection || kind == ErrorKind::timeout || kind == ErrorKind::tls;
}

// "https://bmc:443/redfish/v1/x" -> "/redfish/v1/x"; a path stays as it is.
std::string path_of(const std::string& location) {
  static const std::regex kAbsolute(R"(^https?://[^/]+(/.*)$)");
  std::smatch m;
  return std::regex_match(location, m, kAbsolute) ? m[1].str() : location;
}

struct Answer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
};

// Sends one request; maps transport failures to RedfishError. Caller holds the mutex.
Answer send_locked(httplib::Client& http, const RedfishClientConfig& config,
                   RedfishClientStats& stats, const std::string& method, const std::string& path,
                   const std::string& body, httplib::Headers headers) {
  headers.emplace("Accept", "application/json");
  headers.emplace("OData-Version", "4.0");
  const std::string what = "redfish " + method + " " + config.base_url + path;
  ++stats.requests;
  const auto started = std::chrono::steady_clock::now();
  httplib::Result result = [&] {
    if (method == "GET") return http.Get(path, headers);
    if (method == "PATCH") return http.Patch(path, headers, body, "application/json");
    if (method == "POST") return http.Post(path, headers, body, "application/json");
    return http.Delete(path, headers);
  }();
  if (result) return Answer{result->status, result->body, result->headers};

  const auto elapsed = std::chrono::steady_clock::now() - started;
  const httplib::Error error = result.error();
  switch (error) {
    case httplib::Error::ConnectionTimeout:
      throw RedfishError(ErrorKind::timeout, what + ": connect timeout after " +
                                                 std::to_string(config.connect_timeout.count()) +
                                                 " ms");
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: {
      std::string detail = httplib::to_string(error);
      if (const long verify = http.get_openssl_verify_result(); verify != X509_V_OK)
        detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      throw RedfishError(ErrorKind::tls, what + ": TLS failure: " + detail);
    }
    case httplib::Error::Read:
      // httplib reports a read timeout as a read error; the clock tells them apart.
      if (elapsed >= config.read_timeout * 9 / 10)
        throw RedfishError(
            ErrorKind::timeout,
            what + ": no answer within " + std::to_string(config.read_timeout.count()) + " ms");
      throw RedfishError(ErrorKind::connection, what + ": connection closed mid-response");
    default:
      throw RedfishError(ErrorKind::connection, what + ": " + httplib::to_string(error));
  }
}

void check_status(const Answer& answer, const std::string& what) {
  if (answer.status >= 200 && answer.status < 300) return;
  std::string message = what + ": HTTP " + std::to_string(answer.status);
  if (const std::string summary = error_summary(answer.body); !summary.empty())
    message += " " + summary;
  throw RedfishError(answer.status == 401 ? ErrorKind::unauthorized : ErrorKind::http_status,
                     message, answer.status);
}

Json parse_object(const Answer& answer, const std::string& what) {
  try {
    Json body = Json::parse(answer.body);
    if (!body.is_object())
      throw RedfishError(ErrorKind::invalid_json,
                         what + ": body is a JSON " + body.type_name() + ", not an object");
    return body;
  } catch (const Json::exception& e) {
    // parse_error, and out_of_range for a number beyond double (1e999): both are a bad body.
    throw RedfishError(ErrorKind::invalid_json, what + ": invalid JSON body (" +
                                                    std::to_string(answer.body.size()) +
                                                    " bytes): " + e.what());
  }
}

}  // namespace

struct RedfishClient::Impl {
  std::mutex mutex;  // one request at a time on the kept-alive connection; guards all below
  std::unique_ptr<httplib::Client> http;
  std::string token;
  std::string session_location;
  RedfishClientStats stats;

  void login_locked(const RedfishClientConfig& config);
  // Sends with the session token (logging in first if needed), re-logs in once on a 401, and
  // throws RedfishError for transport failures and non-2xx answers.
  Answer request_locked(const RedfishClientConfig& config, const std::string& method,
                        const std::string& path, const std::string& body,
                        const std::optional<std::string>& if_match);
};

RedfishClient::RedfishClient(RedfishClientConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  static const std::regex kBase(
      R"(^(https?)://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?/?$)");
  if (!std::regex_match(config_.base_url, kBase))
    throw RedfishError(ErrorKind::invalid_argument,
                       "redfish: base URL '" + config_.base_url + "' is not http(s)://host[:port]");
  if (config_.base_url.ends_with('/')) config_.base_url.pop_back();
  const ClientTls& tls = config_.tls;
  if (!tls.client_cert_file.empty() || !tls.client_key_file.empty())
    impl_->http = std::make_unique<httplib::Client>(config_.base_url, tls.client_cert_file,
                                                    tls.client_key_file);
  else
    impl_->http = std::make_unique<httplib::Client>(config_.base_url);
  if (!impl_->http->is_valid())
    throw RedfishError(ErrorKind::tls,
                       "redfish " + config_.base_url + ": cannot load the client certificate '" +
                           tls.client_cert_file + "' / key '" + tls.client_key_file + "'");
  httplib::Client& http = *impl_->http;
  const auto split = [](std::chrono::milliseconds ms) {
    return std::pair<time_t, time_t>{ms.count() / 1000, (ms.count() % 1000) * 1000};
  };
  const auto [cs, cus] = split(config_.connect_timeout);
  const auto [rs, rus] = split(config_.read_timeout);
  http.set_connection_timeout(cs, cus);
  http.set_read_timeout(rs, rus);
  http.set_write_timeout(rs, rus);
  http.set_keep_alive(true);
  http.enable_server_certificate_verification(tls.verify_peer);
  if (!tls.ca_cert_file.empty()) http.set_ca_cert_path(tls.ca_cert_file);
  if (config_.auth == AuthMode::basic) http.set_basic_auth(config_.username, config_.password);
}

RedfishClient::~RedfishClient() {
  try {
    logout();
  } catch (const std::exception&) {
    // Best effort: an unreachable BMC expires the session itself.
  }
}

void RedfishClient::Impl::login_locked(const RedfishClientConfig& config) {
  const Json credentials = {{"UserName", config.username}, {"Password", config.password}};
  const std::string what = "redfish POST " + config.base_url + kSessions;
  const Answer answer =
      send_locked(*http, config, stats, "POST", kSessions, credentials.dump(), {});
  check_status(answer, what);
  auto header = answer.headers.find("X-Auth-Token");
  if (header == answer.headers.end() || header->second.empty())
    throw RedfishError(ErrorKind::unauthorized, what + ": the answer has no X-Auth-Token",
                       answer.status);
  token = header->second;
  if (auto location = answer.headers.find("Location"); location != answer.headers.end()) {
    session_location = path_of(location->second);
  } else {
    const Json body = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    session_location = body.is_object() ? body.value("@odata.id", "") : "";
  }
  ++stats.logins;
}

Answer RedfishClient::Impl::request_locked(const RedfishClientConfig& config,
                                           const std::string& method, const std::string& path,
                                           const std::string& body,
                                           const std::optional<std::string>& if_match) {
  const bool session = config.auth == AuthMode::session;
  for (int attempt = 0;; ++attempt) {
    if (session && token.empty()) login_locked(config);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("X-Auth-Token", token);
    if (if_match) headers.emplace("If-Match", *if_match);
    Answer answer = send_locked(*http, config, stats, method, path, body, std::move(headers));
    if (answer.status == 401 && session && attempt == 0) {
      // The session expired or the BMC restarted: log in again and retry once.
      token.clear();
      session_location.clear();
      ++stats.relogins;
      continue;
    }
    check_status(answer, "redfish " + method + " " + config.base_url + path);
    return answer;
  }
}

void RedfishClient::login() {
  if (config_.auth != AuthMode::session) return;
  std::lock_guard lock(impl_->mutex);
  impl_->login_locked(config_);
}

void RedfishClient::logout() {
  if (config_.auth != AuthMode::session) return;
  std::lock_guard lock(impl_->mutex);
  Impl& d = *impl_;
  const std::string token = std::exchange(d.token, {});
  const std::string location = std::exchange(d.session_location, {});
  if (token.empty() || location.empty()) return;
  const Answer answer =
      send_locked(*d.http, config_, d.stats, "DELETE", location, {}, {{"X-Auth-Token", token}});
  // 401/404: the service already forgot the session, which is what logout wants.
  if (answer.status != 401 && answer.status != 404)
    check_status(answer, "redfish DELETE " + config_.base_url + location);
}

bool RedfishClient::has_session() const {
  std::lock_guard lock(impl_->mutex);
  return !impl_->token.empty();
}

RedfishClientStats RedfishClient::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

Resource RedfishClient::get(std::string_view uri) {
  const std::string path = normalize_uri(uri);
  Answer answer;
  {
    std::lock_guard lock(impl_->mutex);
    answer = impl_->request_locked(config_, "GET", path, {}, std::nullopt);
  }
  Resource resource{parse_object(answer, "redfish GET " + config_.base_url + path), std::nullopt};
  if (auto etag = answer.headers.find("ETag"); etag != answer.headers.end())
    resource.etag = etag->second;
  return resource;
}

ScalarValue RedfishClient::read_value(std::string_view uri, std::string_view pointer) {
  const Resource resource = get(uri);
  return extract_scalar(resource.body, config_.base_url + normalize_uri(uri), pointer);
}

std::map<std::string, FetchOutcome> RedfishClient::fetch_many(
    const std::vector<std::string>& uris) {
  std::map<std::string, FetchOutcome> out;
  std::optional<RedfishError> unreachable;
  for (const auto& uri : uris) {
    if (out.contains(uri)) continue;
    FetchOutcome& outcome = out[uri];
    if (unreachable) {
      // One unreachable BMC costs one timeout per cycle, not one per URI.
      outcome.error = RedfishError(unreachable->kind(),
                                   "redfish GET " + config_.base_url + uri +
                                       ": skipped, the service is unreachable this cycle (" +
                                       unreachable->what() + ")");
      continue;
    }
    try {
      outcome.resource = get(uri);
    } catch (const RedfishError& e) {
      outcome.error = e;
      if (is_transport(e.kind())) unreachable = e;
    }
  }
  return out;
}

Json RedfishClient::patch(std::string_view uri, const Json& body,
                          const std::optional<std::string>& if_match) {
  const std::string path = normalize_uri(uri);
  Answer answer;
  {
    std::lock_guard lock(impl_->mutex);
    answer = impl_->request_locked(config_, "PATCH", path, body.dump(), if_match);
  }
  if (answer.status == 204 || answer.body.empty()) return nullptr;
  return parse_object(answer, "redfish PATCH " + config_.base_url + path);
}

Json RedfishClient::patch_value(std::string_view uri, std::string_view pointer, const Json& value,
                                const std::optional<std::string>& if_match) {
  return patch(uri, patch_body_for(pointer, value), if_match);
}

}  // namespace ems::protocols::redfish
