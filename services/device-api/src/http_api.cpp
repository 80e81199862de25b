#include "http_api.hpp"

#include <charconv>

#include "api_error.hpp"
#include "device_ops.hpp"
#include "ems/runtime/bearer.hpp"
#include "ems/runtime/json_input.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::device_api {
namespace {

using nlohmann::json;
using runtime::ProblemError;
using runtime::ProblemException;

constexpr const char* kJson = "application/json";

std::vector<ProblemError> to_problem_errors(const std::vector<contract::Issue>& issues) {
  std::vector<ProblemError> out;
  out.reserve(issues.size());
  for (const auto& i : issues) out.push_back({i.path, i.message});
  return out;
}

std::string etag(const std::string& version) {
  return "\"" + version + "\"";
}

std::shared_ptr<const Snapshot> require_current(const TopologyService& service) {
  auto snap = service.current();
  if (!snap) throw ProblemException(404, "Not Found", "no topology has been stored yet");
  return snap;
}

// Answers 304 when the client already has this version.
bool not_modified(const httplib::Request& req, httplib::Response& res, const Snapshot& snap) {
  res.set_header("ETag", etag(snap.version()));
  if (req.has_header("If-None-Match") &&
      req.get_header_value("If-None-Match") == etag(snap.version())) {
    res.status = 304;
    return true;
  }
  return false;
}

json parse_body(const httplib::Request& req) {
  if (req.body.empty()) throw ProblemException(400, "Invalid JSON", "the request body is empty");
  return runtime::parse_json_body(req.body);
}

int query_int(const httplib::Request& req, const char* name, int fallback, int min, int max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max)
    throw ProblemException(
        400, "Bad Request", "",
        {{std::string("?") + name,
          "expected an integer from " + std::to_string(min) + " to " + std::to_string(max)}});
  return value;
}

}  // namespace

class HttpApi::Routes {
 public:
  Routes(TopologyService& service, TopologyStore& store, const HttpApiOptions& options,
         runtime::metrics::Registry& registry)
      : service_(service),
        store_(store),
        options_(options),
        mutations_(registry.counter("ems_device_api_mutations_total",
                                    "Topology mutations by operation and outcome",
                                    {"operation", "outcome"})),
        rejected_(registry.counter("ems_device_api_rejected_requests_total",
                                   "Requests rejected by status", {"status"})),
        devices_(registry.gauge("ems_device_api_devices", "Devices in the current topology")) {}

  void install(runtime::HttpServer& server) {
    server.set_exception_mapper(
        [this](const std::exception& e, httplib::Response& res) { return map_exception(e, res); });
    server.set_readiness([this] {
      if (!store_.healthy()) return runtime::Readiness::not_ready("database not reachable");
      return runtime::Readiness::ok();
    });

    server.get("/asyncapi", [this](const auto& req, auto& res) {
      auto snap = require_current(service_);
      if (not_modified(req, res, *snap)) return;
      res.set_content(snap->asyncapi_json(), kJson);
    });
    server.get(R"(/asyncapi\.yaml)", [this](const auto& req, auto& res) {
      auto snap = require_current(service_);
      if (not_modified(req, res, *snap)) return;
      res.set_content(snap->asyncapi_yaml(), "application/yaml");
    });
    server.get("/topology", [this](const auto& req, auto& res) {
      auto snap = require_current(service_);
      if (not_modified(req, res, *snap)) return;
      res.set_content(snap->topology_json(), kJson);
    });
    server.get("/topology/view", [this](const auto& req, auto& res) {
      auto snap = require_current(service_);
      if (not_modified(req, res, *snap)) return;
      res.set_content(snap->view_json(), kJson);
    });
    server.get(R"(/topology/sld\.svg)", [this](const auto& req, auto& res) {
      auto snap = require_current(service_);
      if (not_modified(req, res, *snap)) return;
      res.set_content(snap->sld_svg(), "image/svg+xml; charset=utf-8");
    });
    server.get("/topology/versions", [this](const auto& req, auto& res) {
      const int limit = query_int(req, "limit", 100, 1, 1000);
      const int offset = query_int(req, "offset", 0, 0, 1 << 30);
      json items = json::array();
      for (const auto& v : store_.list(limit, offset)) items.push_back(record_json(v));
      res.set_content(json{{"versions", items}, {"limit", limit}, {"offset", offset}}.dump(),
                      kJson);
    });
    server.get(R"(/topology/versions/([^/]+))", [this](const auto& req, auto& res) {
      const std::string version = req.matches[1];
      auto stored = store_.get(version);
      if (!stored)
        throw ProblemException(404, "Not Found", "no topology version '" + version + "'");
      json body = record_json(stored->meta);
      body["dtm"] = stored->dtm;
      res.set_header("ETag", etag(stored->meta.version));
      res.set_content(body.dump(), kJson);
    });

    server.post("/topology", [this](const auto& req, auto& res) {
      mutate("replace", req, res, [&](const ChangeRequest& change) {
        return service_.replace(parse_body(req), change);
      });
    });
    server.post("/topology/changes", [this](const auto& req, auto& res) {
      mutate("batch", req, res, [&](const ChangeRequest& change) {
        json batch = parse_body(req);
        return service_.edit([&](json& dtm) { apply_batch(dtm, batch, service_.catalog()); },
                             change);
      });
    });
    server.post("/devices", [this](const auto& req, auto& res) {
      mutate("add_device", req, res, [&](const ChangeRequest& change) {
        json device = parse_body(req);
        return service_.edit([&](json& dtm) { add_device(dtm, device, service_.catalog()); },
                             change);
      });
    });
    server.patch(R"(/devices/([^/]+))", [this](const auto& req, auto& res) {
      mutate("update_device", req, res, [&](const ChangeRequest& change) {
        const std::string id = req.matches[1];
        json changes = parse_body(req);
        return service_.edit([&](json& dtm) { update_device(dtm, id, changes); }, change);
      });
    });
    server.del(R"(/devices/([^/]+))", [this](const auto& req, auto& res) {
      mutate("remove_device", req, res, [&](const ChangeRequest& change) {
        const std::string id = req.matches[1];
        return service_.edit([&](json& dtm) { remove_device(dtm, id); }, change);
      });
    });
  }

 private:
  static json record_json(const VersionRecord& v) {
    return json{{"version", v.version}, {"bump", v.bump},   {"reasons", v.reasons},
                {"reason", v.reason},   {"actor", v.actor}, {"created_at", v.created_at}};
  }

  void authorize(const httplib::Request& req) const {
    runtime::require_bearer(req, options_.api_token);
  }

  // 201 when the request stored a new version (the version is the created resource), except
  // for DELETE, which answers 200 (a removal creates nothing a client asked for); 200 for a
  // write identical to the current DTM (no version, no event).
  template <typename Fn>
  void mutate(const char* operation, const httplib::Request& req, httplib::Response& res, Fn&& fn) {
    try {
      authorize(req);
    } catch (const ProblemException& e) {
      mutations_.with({operation, "unauthorized"}).inc();
      rejected_.with({std::to_string(e.problem().status)}).inc();
      runtime::problem(res, e.problem());
      res.set_header("WWW-Authenticate", "Bearer");
      return;
    }
    ChangeRequest change;
    if (req.has_header("If-Match")) change.if_match = req.get_header_value("If-Match");
    change.actor = req.has_header("X-EMS-Actor") ? req.get_header_value("X-EMS-Actor") : "api";
    change.reason = req.get_header_value("X-EMS-Reason");
    try {
      ChangeResult result = fn(change);
      mutations_.with({operation, result.created ? "created" : "unchanged"}).inc();
      if (auto snap = service_.current())
        devices_.with().set(static_cast<double>(snap->dtm().devices.size()));
      res.status = result.created && req.method != "DELETE" ? 201 : 200;
      res.set_header("ETag", etag(result.version));
      res.set_content(json{{"version", result.version},
                           {"bump", result.bump},
                           {"created", result.created},
                           {"reasons", result.reasons}}
                          .dump(),
                      kJson);
    } catch (...) {
      mutations_.with({operation, "rejected"}).inc();
      throw;
    }
  }

  bool map_exception(const std::exception& e, httplib::Response& res) {
    if (auto* ce = dynamic_cast<const contract::ContractError*>(&e)) {
      rejected_.with({"400"}).inc();
      runtime::problem(res, 400, "Invalid Request", ce->what(), to_problem_errors(ce->issues()));
      return true;
    }
    if (auto* ae = dynamic_cast<const ApiError*>(&e)) {
      rejected_.with({std::to_string(ae->status())}).inc();
      runtime::problem(res, ae->status(), ae->title(), ae->what(), to_problem_errors(ae->issues()));
      return true;
    }
    return false;
  }

  TopologyService& service_;
  TopologyStore& store_;
  const HttpApiOptions& options_;
  runtime::metrics::CounterFamily& mutations_;
  runtime::metrics::CounterFamily& rejected_;
  runtime::metrics::GaugeFamily& devices_;
};

HttpApi::HttpApi(TopologyService& service, TopologyStore& store, HttpApiOptions options,
                 runtime::metrics::Registry& registry)
    : options_(std::move(options)),
      routes_(std::make_unique<Routes>(service, store, options_, registry)) {}

HttpApi::~HttpApi() = default;

void HttpApi::install(runtime::HttpServer& server) {
  routes_->install(server);
}

}  // namespace ems::device_api
