#pragma once
// device-api's HTTP surface (see README "device-api"): reads are open, mutations need
// `Authorization: Bearer <EMS_API_TOKEN>`; every response about a topology carries
// `ETag: "<version>"`, mutations honour `If-Match`, errors are application/problem+json.

#include <memory>
#include <optional>
#include <string>

#include "ems/runtime/http.hpp"
#include "ems/runtime/metrics.hpp"
#include "topology_service.hpp"

namespace ems::device_api {

struct HttpApiOptions {
  std::optional<std::string> api_token;  // nullopt: every mutation is refused (403)
};

// Owns the route handlers; must outlive the server it is installed on.
class HttpApi {
 public:
  HttpApi(TopologyService& service, TopologyStore& store, HttpApiOptions options,
          runtime::metrics::Registry& registry);
  ~HttpApi();
  // Registers the routes, readiness and error mapping on `server`.
  void install(runtime::HttpServer& server);

 private:
  class Routes;
  HttpApiOptions options_;
  std::unique_ptr<Routes> routes_;
};

}  // namespace ems::device_api
