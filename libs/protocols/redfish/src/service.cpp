#include "ems/protocols/redfish/service.hpp"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "ems/protocols/redfish/dmtf_schema.hpp"
#include "ems/protocols/redfish/error.hpp"
#include "ems/protocols/redfish/message.hpp"
#include "ems/protocols/redfish/resource_tree.hpp"
#include "ems/protocols/redfish/uri.hpp"

namespace ems::protocols::redfish {
namespace {

constexpr std::string_view kJson = "application/json";
const std::string kSessions = std::string(kServiceRoot) + "/SessionService/Sessions";

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string etag_of(std::uint64_t version) {
  return "W/\"" + std::to_string(version) + "\"";
}

std::string canonical_pointer(std::string_view pointer) {
  return join_pointer(split_pointer(pointer));
}

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), std::string(kJson));
}

void send_error(httplib::Response& res, int status, const std::vector<Json>& messages) {
  send_json(res, status, error_body(messages));
}

}  // namespace

struct RedfishService::Impl {
  explicit Impl(RedfishServiceConfig c) : config(std::move(c)) {}

  RedfishServiceConfig config;
  std::unique_ptr<httplib::Server> server;
  std::thread listener;
  std::atomic<std::uint16_t> port{0};

  mutable std::mutex mutex;  // guards everything below
  std::condition_variable fault_changed;
  bool stopping = false;
  ResourceTree tree;
  std::set<std::pair<std::string, std::string>> writable;  // (absolute uri, pointer)
  struct Session {
    std::string uri;
    std::chrono::steady_clock::time_point last_used;
  };
  std::map<std::string, Session, std::less<>> sessions;  // by token
  std::uint64_t next_session = 1;
  std::mt19937_64 random{std::random_device{}()};
  PatchHandler on_patch;
  FaultPlan fault;
  RedfishServiceStats stats;

  void handle(const httplib::Request& req, httplib::Response& res);
  // Returns false when the request must not be answered normally (silent / drop_connection).
  bool apply_fault_before(httplib::Response& res, FaultPlan::Kind& kind);
  bool authorized(const httplib::Request& req, const std::string& uri);
  void dispatch(const httplib::Request& req, httplib::Response& res, const std::string& uri);
  void get(const httplib::Request& req, httplib::Response& res, const std::string& uri);
  void patch(const httplib::Request& req, httplib::Response& res, const std::string& uri);
  void login(const httplib::Request& req, httplib::Response& res);
  void logout(const httplib::Request& req, httplib::Response& res, const std::string& uri);
};

void RedfishService::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  FaultPlan::Kind kind = FaultPlan::Kind::none;
  if (!apply_fault_before(res, kind)) return;

  if (req.path == "/redfish" || req.path == "/redfish/") {
    send_json(res, 200, {{"v1", std::string(kServiceRoot) + "/"}});
  } else {
    std::string uri;
    try {
      if (!req.path.starts_with(kServiceRoot)) throw RedfishError(ErrorKind::invalid_argument, "");
      uri = normalize_uri(req.path);
    } catch (const RedfishError&) {
      send_error(
          res, 404,
          {base_message("ResourceMissingAtURI",
                        "The resource at the URI " + req.path + " was not found.", {req.path})});
    }
    if (!uri.empty()) {
      if (authorized(req, uri)) {
        dispatch(req, res, uri);
      } else {
        {
          std::lock_guard lock(mutex);
          ++stats.unauthorized;
        }
        res.set_header("WWW-Authenticate", "Basic realm=\"Redfish\"");
        send_error(res, 401,
                   {base_message("NoValidSession",
                                 "There is no valid session established with the "
                                 "implementation.")});
      }
    }
  }

  if (kind == FaultPlan::Kind::malformed) {
    // A body the client must reject: the answer cut in half, still labelled JSON with 200.
    const std::string body = res.body.empty() ? std::string("{\"@odata.id\": ") : res.body;
    res.status = 200;
    res.set_content(body.substr(0, std::max<std::size_t>(1, body.size() / 2)), std::string(kJson));
  }
}

bool RedfishService::Impl::apply_fault_before(httplib::Response& res, FaultPlan::Kind& kind) {
  std::unique_lock lock(mutex);
  ++stats.requests;
  const FaultPlan plan = fault;
  kind = plan.kind;
  if (plan.kind == FaultPlan::Kind::none) return true;
  ++stats.faults_applied;
  bool answer = true;
  switch (plan.kind) {
    case FaultPlan::Kind::silent:
      // Held until the plan changes or the service stops; the client has timed out by then.
      fault_changed.wait(lock, [&] { return stopping || fault.kind != FaultPlan::Kind::silent; });
      answer = false;
      break;
    case FaultPlan::Kind::drop_connection:
      answer = false;
      break;
    case FaultPlan::Kind::delay:
      fault_changed.wait_for(lock, plan.delay, [&] { return stopping; });
      break;
    case FaultPlan::Kind::malformed:
    case FaultPlan::Kind::none:
      break;
  }
  if (!answer) {
    // Headers go out, then the provider fails and httplib closes the socket mid-response.
    res.status = 200;
    res.set_content_provider(1024, std::string(kJson),
                             [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
  }
  return answer;
}

bool RedfishService::Impl::authorized(const httplib::Request& req, const std::string& uri) {
  if (!config.credentials) return true;
  // DSP0266: the service root is readable without authentication; login needs none.
  if (req.method == "GET" && uri == kServiceRoot) return true;
  if (req.method == "POST" && uri == kSessions) return true;
  if (req.has_header("X-Auth-Token")) {
    std::lock_guard lock(mutex);
    auto it = sessions.find(req.get_header_value("X-Auth-Token"));
    if (it == sessions.end()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - it->second.last_used > config.session_timeout) {
      tree.erase(it->second.uri);
      sessions.erase(it);
      return false;
    }
    it->second.last_used = now;
    return true;
  }
  const std::string expected =
      "Basic " + base64(config.credentials->username + ":" + config.credentials->password);
  return req.get_header_value("Authorization") == expected;
}

void RedfishService::Impl::dispatch(const httplib::Request& req, httplib::Response& res,
                                    const std::string& uri) {
  if (req.method == "GET" || req.method == "HEAD") return get(req, res, uri);
  if (req.method == "PATCH") return patch(req, res, uri);
  if (req.method == "POST" && uri == kSessions) return login(req, res);
  if (req.method == "DELETE" && uri.starts_with(kSessions + "/")) return logout(req, res, uri);
  std::lock_guard lock(mutex);
  const int status = tree.find(uri) == nullptr ? 404 : 405;
  send_error(res, status,
             {base_message(status == 404 ? "ResourceMissingAtURI" : "OperationNotAllowed",
                           req.method + " is not allowed on " + uri + ".", {uri})});
}

void RedfishService::Impl::get(const httplib::Request&, httplib::Response& res,
                               const std::string& uri) {
  std::lock_guard lock(mutex);
  const Json* doc = tree.find(uri);
  if (doc == nullptr)
    return send_error(res, 404,
                      {base_message("ResourceMissingAtURI",
                                    "The resource at the URI " + uri + " was not found.", {uri})});
  res.set_header("ETag", etag_of(tree.version(uri)));
  send_json(res, 200, *doc);
}

void RedfishService::Impl::patch(const httplib::Request& req, httplib::Response& res,
                                 const std::string& uri) {
  const Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object())
    return send_error(res, 400,
                      {base_message("MalformedJSON",
                                    "The request body submitted was malformed JSON and "
                                    "could not be parsed by the receiving service.")});
  const auto leaves = patch_leaves(body);
  {
    std::lock_guard lock(mutex);
    const Json* doc = tree.find(uri);
    if (doc == nullptr)
      return send_error(
          res, 404,
          {base_message("ResourceMissingAtURI",
                        "The resource at the URI " + uri + " was not found.", {uri})});
    if (req.has_header("If-Match")) {
      const std::string wanted = req.get_header_value("If-Match");
      if (wanted != "*" && wanted != etag_of(tree.version(uri)))
        return send_error(res, 412,
                          {base_message("PreconditionFailed",
                                        "The ETag supplied did not match the ETag "
                                        "required to change this resource.")});
    }
    if (leaves.empty())
      return send_error(res, 400,
                        {base_message("EmptyJSON",
                                      "The request body submitted contained an empty "
                                      "JSON object and the service is unable to "
                                      "process it.")});
    std::vector<Json> problems;
    for (const auto& [pointer, value] : leaves) {
      const std::string name = split_pointer(pointer).back();
      if (find_at(*doc, pointer) == nullptr)
        problems.push_back(base_message("PropertyUnknown",
                                        "The property " + name +
                                            " is not in the list of valid properties for the "
                                            "resource.",
                                        {name}, pointer));
      else if (!writable.contains({uri, pointer}))
        problems.push_back(base_message(
            "PropertyNotWritable",
            "The property " + name + " is a read only property and cannot be assigned a value.",
            {name}, pointer));
    }
    if (!problems.empty()) {
      ++stats.patches_rejected;
      return send_error(res, 400, problems);
    }
  }
  PatchHandler handler;
  {
    std::lock_guard lock(mutex);
    handler = on_patch;
  }
  if (handler) {
    // Every property is offered before any is written, so a rejection leaves nothing half-set.
    for (const auto& [pointer, value] : leaves) {
      if (auto reason = handler(uri, pointer, value)) {
        const std::string name = split_pointer(pointer).back();
        std::lock_guard lock(mutex);
        ++stats.patches_rejected;
        return send_error(res, 400,
                          {base_message("PropertyValueOutOfRange",
                                        "The value " + value.dump() + " for the property " + name +
                                            " is not in the supported range: " + *reason,
                                        {value.dump(), name}, pointer)});
      }
    }
  }
  std::lock_guard lock(mutex);
  for (const auto& [pointer, value] : leaves) tree.set(uri, pointer, value);
  ++stats.patches_applied;
  res.set_header("ETag", etag_of(tree.version(uri)));
  send_json(res, 200, *tree.find(uri));
}

void RedfishService::Impl::login(const httplib::Request& req, httplib::Response& res) {
  const Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("UserName") ||
      !body.contains("Password") || !body["UserName"].is_string() || !body["Password"].is_string())
    return send_error(res, 400,
                      {base_message("MalformedJSON",
                                    "The session request needs string UserName and "
                                    "Password properties.")});
  const std::string user = body["UserName"];
  if (config.credentials && (user != config.credentials->username ||
                             body["Password"].get<std::string>() != config.credentials->password)) {
    std::lock_guard lock(mutex);
    ++stats.unauthorized;
    return send_error(res, 401,
                      {base_message("ResourceAtUriUnauthorized",
                                    "While accessing the resource at " + kSessions +
                                        ", the service received an authorization "
                                        "error: invalid credentials.",
                                    {kSessions, "invalid credentials"})});
  }
  std::lock_guard lock(mutex);
  const std::string id = std::to_string(next_session++);
  char token[33];
  std::snprintf(token, sizeof token, "%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  const std::string location = kSessions + "/" + id;
  tree.put(location, {{"@odata.type", odata_type_of("Session")},
                      {"Id", id},
                      {"Name", "User Session"},
                      {"UserName", user}});
  sessions[token] = Session{location, std::chrono::steady_clock::now()};
  ++stats.sessions_created;
  res.set_header("X-Auth-Token", token);
  res.set_header("Location", location);
  send_json(res, 201, *tree.find(location));
}

void RedfishService::Impl::logout(const httplib::Request&, httplib::Response& res,
                                  const std::string& uri) {
  std::lock_guard lock(mutex);
  bool found = false;
  for (auto it = sessions.begin(); it != sessions.end();) {
    if (it->second.uri == uri) {
      it = sessions.erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  if (!found)
    return send_error(res, 404,
                      {base_message("ResourceMissingAtURI",
                                    "The resource at the URI " + uri + " was not found.", {uri})});
  tree.erase(uri);
  res.status = 204;
}

RedfishService::RedfishService(RedfishServiceConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(impl_->config.session_timeout);
  impl_->tree.set(std::string(kServiceRoot) + "/SessionService", "/SessionTimeout",
                  seconds.count());
}

RedfishService::~RedfishService() {
  stop();
}

void RedfishService::add_binding(std::string_view uri, std::string_view pointer,
                                 const Json& initial) {
  std::lock_guard lock(impl_->mutex);
  impl_->tree.add_binding(uri, pointer, initial);
}

void RedfishService::put_resource(std::string_view uri, Json document) {
  std::lock_guard lock(impl_->mutex);
  impl_->tree.put(uri, std::move(document));
}

void RedfishService::set_writable(std::string_view uri, std::string_view pointer) {
  const std::string absolute = normalize_uri(uri);
  std::lock_guard lock(impl_->mutex);
  const Json* doc = impl_->tree.find(absolute);
  if (doc == nullptr || find_at(*doc, pointer) == nullptr)
    throw RedfishError(ErrorKind::invalid_argument, "redfish " + absolute + ": no value at " +
                                                        std::string(pointer) +
                                                        " to make writable (add_binding first)");
  impl_->writable.emplace(absolute, canonical_pointer(pointer));
}

void RedfishService::on_patch(PatchHandler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->on_patch = std::move(handler);
}

void RedfishService::set(std::string_view uri, std::string_view pointer, const Json& value) {
  std::lock_guard lock(impl_->mutex);
  impl_->tree.set(uri, pointer, value);
}

std::optional<Json> RedfishService::get(std::string_view uri, std::string_view pointer) const {
  const std::string absolute = normalize_uri(uri);
  std::lock_guard lock(impl_->mutex);
  const Json* doc = impl_->tree.find(absolute);
  if (doc == nullptr) return std::nullopt;
  const Json* value = find_at(*doc, pointer);
  return value == nullptr ? std::nullopt : std::optional<Json>(*value);
}

std::optional<Json> RedfishService::resource(std::string_view uri) const {
  return get(uri, "");
}

std::vector<std::string> RedfishService::uris() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tree.uris();
}

void RedfishService::start() {
  Impl& d = *impl_;
  if (d.server) return;
  std::unique_ptr<httplib::Server> server;
  if (d.config.tls) {
    const auto& tls = *d.config.tls;
    server = std::make_unique<httplib::SSLServer>(
        tls.cert_file.c_str(), tls.key_file.c_str(),
        tls.client_ca_file.empty() ? nullptr : tls.client_ca_file.c_str());
  } else {
    server = std::make_unique<httplib::Server>();
  }
  if (!server->is_valid())
    throw RedfishError(ErrorKind::tls, "redfish service: cannot load TLS certificate '" +
                                           d.config.tls->cert_file + "' / key '" +
                                           d.config.tls->key_file + "'");
  const std::size_t threads = std::max<std::size_t>(1, d.config.threads);
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server->set_keep_alive_timeout(d.config.keep_alive_timeout.count());
  server->set_payload_max_length(1 << 20);
  // httplib's default adds SO_REUSEPORT, which would let a second device silently share a port
  // taken by another; fixtures must fail loudly instead.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  const auto handler = [&d](const httplib::Request& req, httplib::Response& res) {
    d.handle(req, res);
  };
  server->Get(".*", handler);
  server->Post(".*", handler);
  server->Patch(".*", handler);
  server->Delete(".*", handler);
  server->Put(".*", handler);

  int port = d.config.port;
  if (port == 0) {
    port = server->bind_to_any_port(d.config.bind_address);
  } else if (!server->bind_to_port(d.config.bind_address, port)) {
    port = -1;
  }
  if (port <= 0)
    throw RedfishError(ErrorKind::connection, "redfish service: cannot bind " +
                                                  d.config.bind_address + ":" +
                                                  std::to_string(d.config.port));
  d.port = static_cast<std::uint16_t>(port);
  {
    std::lock_guard lock(d.mutex);
    d.stopping = false;
  }
  d.server = std::move(server);
  d.listener = std::thread([&d] { d.server->listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; a stop() right after start() would
  // otherwise leave the listener accepting forever. The socket is bound, so this is quick.
  for (int i = 0; i < 5000 && !d.server->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void RedfishService::stop() {
  Impl& d = *impl_;
  if (!d.server) return;
  {
    std::lock_guard lock(d.mutex);
    d.stopping = true;
  }
  d.fault_changed.notify_all();
  d.server->stop();
  if (d.listener.joinable()) d.listener.join();
  d.server.reset();
}

std::uint16_t RedfishService::port() const noexcept {
  return impl_->port;
}

std::string RedfishService::base_url() const {
  return std::string(impl_->config.tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port());
}

void RedfishService::set_fault(FaultPlan plan) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->fault = plan;
  }
  impl_->fault_changed.notify_all();
}

FaultPlan RedfishService::fault() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->fault;
}

void RedfishService::end_all_sessions() {
  std::lock_guard lock(impl_->mutex);
  for (const auto& [token, session] : impl_->sessions) impl_->tree.erase(session.uri);
  impl_->sessions.clear();
}

std::size_t RedfishService::session_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

RedfishServiceStats RedfishService::stats() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats;
}

}  // namespace ems::protocols::redfish
