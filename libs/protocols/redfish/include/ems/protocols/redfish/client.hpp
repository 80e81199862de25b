#pragma once
// RedfishClient: the gateway's side of one BMC. GETs resources, reads values by JSON Pointer,
// PATCHes properties, over HTTP or HTTPS (optionally mutual TLS), with HTTP Basic or a Redfish
// session.
//
// Sessions: the first request logs in (POST /redfish/v1/SessionService/Sessions with
// {"UserName","Password"}; the answer's X-Auth-Token goes on every later request and its
// Location is DELETEd by logout() / the destructor). A 401 on a session request means the
// session expired: the client logs in again and retries that request once.
//
// One poll cycle: fetch_many(uris) GETs every distinct URI once, even when several bindings
// share it (gpu_node binds four values on each EnvironmentMetrics), and reports a failure per
// URI instead of failing the cycle.
//
// URIs may be relative to the service root ("/Chassis/1/Power", as templates bind them) or
// absolute ("/redfish/v1/Chassis/1/Power"). Every failure is a RedfishError whose message names
// the URL and, for value reads, the JSON Pointer. Thread-safe: requests are serialized on one
// connection (kept alive between requests).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/protocols/redfish/error.hpp"
#include "ems/protocols/redfish/json_pointer.hpp"

namespace ems::protocols::redfish {

enum class AuthMode { none, basic, session };

struct ClientTls {
  bool verify_peer = true;       // false accepts any certificate (self-signed lab BMCs)
  std::string ca_cert_file;      // PEM CA bundle to verify the BMC; empty = system store
  std::string client_cert_file;  // mutual TLS: client certificate and key (PEM)
  std::string client_key_file;
};

struct RedfishClientConfig {
  std::string base_url;  // "http://host:port" or "https://host:port"
  AuthMode auth = AuthMode::none;
  std::string username;
  std::string password;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{5000};
  ClientTls tls;
};

struct Resource {
  Json body;                        // always a JSON object
  std::optional<std::string> etag;  // the ETag header, if the service sent one
};

// One URI's outcome within a poll cycle: exactly one of resource / error is set.
struct FetchOutcome {
  std::optional<Resource> resource;
  std::optional<RedfishError> error;
  bool ok() const { return resource.has_value(); }
};

struct RedfishClientStats {
  std::uint64_t requests = 0;  // HTTP requests sent, logins and retries included
  std::uint64_t logins = 0;
  std::uint64_t relogins = 0;  // logins caused by a 401 on an established session
};

class RedfishClient {
 public:
  // Throws RedfishError(invalid_argument) for a base URL that is not http(s)://host:port.
  explicit RedfishClient(RedfishClientConfig config);
  // Ends the session (best effort, errors swallowed).
  ~RedfishClient();
  RedfishClient(const RedfishClient&) = delete;
  RedfishClient& operator=(const RedfishClient&) = delete;

  Resource get(std::string_view uri);
  // GET then extract_scalar; errors name the URI and the pointer.
  ScalarValue read_value(std::string_view uri, std::string_view pointer);
  // Each distinct URI fetched once, in order; the map is keyed by the URIs as given.
  std::map<std::string, FetchOutcome> fetch_many(const std::vector<std::string>& uris);

  // PATCHes `body`; with `if_match` the service must still hold that ETag (else 412 ->
  // RedfishError http_status). Returns the answer's resource (null when the answer is 204).
  Json patch(std::string_view uri, const Json& body,
             const std::optional<std::string>& if_match = std::nullopt);
  // patch(uri, patch_body_for(pointer, value)) - see json_pointer.hpp for the array convention.
  Json patch_value(std::string_view uri, std::string_view pointer, const Json& value,
                   const std::optional<std::string>& if_match = std::nullopt);

  // Session mode: log in now / end the session (DELETE its Location). Both no-ops otherwise.
  void login();
  void logout();
  bool has_session() const;

  RedfishClientStats stats() const;
  const RedfishClientConfig& config() const { return config_; }

 private:
  struct Impl;
  RedfishClientConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ems::protocols::redfish
