#pragma once
// RedfishService: a simulated BMC. One instance = one httplib server on its own port with its
// own small thread pool, so a fixture process can serve a device per port.
//
// The resources are data (a ResourceTree): the model creates them from (uri, pointer) bindings
// and updates values with set(); GETs serve the current documents with an ETag. PATCH accepts
// only properties registered with set_writable(); every accepted property goes through the
// PatchHandler, which may reject a value (400) - the model reacts to writes there. A rejected
// PATCH changes nothing.
//
// Authentication when `credentials` is set: HTTP Basic or a session (POST
// /redfish/v1/SessionService/Sessions -> X-Auth-Token + Location; DELETE ends it). /redfish and
// /redfish/v1 stay readable without credentials, as DSP0266 requires. Errors use the Redfish
// error body {"error":{"code":"Base.1.15.0.<Id>","message":...,"@Message.ExtendedInfo":[...]}}.
//
// FaultPlan (ems/protocols/fault.hpp) is read at every request: silent holds the request
// unanswered until the plan changes (the client times out), drop_connection sends the status
// line and headers then closes before the body (cpp-httplib gives handlers no socket, so a
// close before any byte is not possible; the client still sees the connection end
// mid-response), delay answers late, malformed sends a truncated JSON body with status 200.
// Thread-safe: set(), set_fault() etc. may be called from any thread while serving.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/protocols/fault.hpp"
#include "ems/protocols/redfish/json_pointer.hpp"

namespace ems::protocols::redfish {

struct Credentials {
  std::string username;
  std::string password;
};

struct ServerTls {
  std::string cert_file;       // PEM certificate (chain)
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // non-empty = mutual TLS: client certificates are required
};

struct RedfishServiceConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = an ephemeral port, see RedfishService::port()
  std::size_t threads = 4;
  std::optional<Credentials> credentials;  // nullopt = no authentication (e.g. mTLS only)
  std::optional<ServerTls> tls;            // nullopt = plain HTTP
  std::chrono::seconds keep_alive_timeout{2};
  // A session unused this long is ended (DSP0266 SessionTimeout); advertised in SessionService.
  std::chrono::milliseconds session_timeout{std::chrono::minutes(30)};
};

// (absolute uri, pointer, value); return an error message to reject the value with 400
// (Base PropertyValueOutOfRange), nullopt to accept. Called without the service lock held, so
// it may call set(); called for every property of a PATCH before any is written.
using PatchHandler = std::function<std::optional<std::string>(
    const std::string& uri, const std::string& pointer, const Json& value)>;

struct RedfishServiceStats {
  std::uint64_t requests = 0;
  std::uint64_t unauthorized = 0;
  std::uint64_t patches_applied = 0;
  std::uint64_t patches_rejected = 0;
  std::uint64_t sessions_created = 0;
  std::uint64_t faults_applied = 0;
};

class RedfishService {
 public:
  explicit RedfishService(RedfishServiceConfig config = {});
  ~RedfishService();
  RedfishService(const RedfishService&) = delete;
  RedfishService& operator=(const RedfishService&) = delete;

  // Builds the tree: the resource at `uri` (relative to /redfish/v1 or absolute) with its
  // ancestors and collections, and `initial` at `pointer` unless a value is there already.
  void add_binding(std::string_view uri, std::string_view pointer, const Json& initial = 0.0);
  // Replaces a whole resource document (ancestors are created).
  void put_resource(std::string_view uri, Json document);
  // Registers (uri, pointer) as writable by PATCH; the value must exist (add_binding first).
  void set_writable(std::string_view uri, std::string_view pointer);
  void on_patch(PatchHandler handler);

  // The model's hook: writes a value. Throws RedfishError(invalid_argument) for an unknown URI.
  void set(std::string_view uri, std::string_view pointer, const Json& value);
  // Current value / document; nullopt if absent.
  std::optional<Json> get(std::string_view uri, std::string_view pointer) const;
  std::optional<Json> resource(std::string_view uri) const;
  std::vector<std::string> uris() const;

  // Binds and serves on a background thread. Throws RedfishError(connection) if the port cannot
  // be bound, (tls) if the certificate or key cannot be loaded.
  void start();
  // Stops serving and joins; held (silent) requests are released. Idempotent.
  void stop();
  std::uint16_t port() const noexcept;
  std::string base_url() const;  // "http(s)://127.0.0.1:<port>"

  void set_fault(FaultPlan plan);
  FaultPlan fault() const;

  // Ends every session (clients must log in again - how tests force a re-login).
  void end_all_sessions();
  std::size_t session_count() const;
  RedfishServiceStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ems::protocols::redfish
