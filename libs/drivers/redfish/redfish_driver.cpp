// redfish driver over libs/protocols/redfish (RedfishClient). See driver.hpp for the wire
// behaviour; map_error() is the one place RedfishError becomes DriverError, and redfish_config()
// the one place a connection plus secrets entry becomes a client configuration.
#include <map>
#include <optional>

#include "driver_base.hpp"
#include "ems/protocols/redfish/client.hpp"

namespace ems::drivers::detail {
namespace {

namespace rf = protocols::redfish;

DriverError map_error(const std::string& endpoint, const rf::RedfishError& e) {
  ErrorKind kind = ErrorKind::protocol;
  switch (e.kind()) {
    case rf::ErrorKind::connection:
    case rf::ErrorKind::tls:
      kind = ErrorKind::connection;
      break;
    case rf::ErrorKind::timeout:
      kind = ErrorKind::timeout;
      break;
    case rf::ErrorKind::http_status:
      // 400 is a value the service rejected, unless its message is Base's PropertyNotWritable
      // (DSP0266 answers a PATCH of a read-only property with 400 too).
      if (e.http_status() == 400)
        kind = std::string_view(e.what()).find("PropertyNotWritable") != std::string_view::npos
                   ? ErrorKind::refused
                   : ErrorKind::bad_value;
      else
        kind = e.http_status() >= 500 ? ErrorKind::protocol : ErrorKind::refused;
      break;
    case rf::ErrorKind::unauthorized:
      kind = ErrorKind::refused;
      break;
    case rf::ErrorKind::invalid_json:
    case rf::ErrorKind::missing_pointer:
    case rf::ErrorKind::not_scalar:
      kind = ErrorKind::protocol;
      break;
    case rf::ErrorKind::invalid_argument:
      kind = ErrorKind::config;
      break;
  }
  return DriverError(kind, endpoint + ": " + e.what());
}

rf::RedfishClientConfig redfish_config(const contract::DeviceConnection& c,
                                       const runtime::SecretEntry* secret, const DriverOptions& o,
                                       const std::string& where) {
  rf::RedfishClientConfig config;
  config.base_url = c.scheme + "://" + c.host + ":" + std::to_string(c.port);
  config.connect_timeout = o.connect_timeout;
  config.read_timeout = o.timeout;
  if (secret != nullptr) {
    if (!secret->redfish)
      throw DriverError(ErrorKind::config,
                        where + ": credentials \"" + *c.credentials + "\" hold no redfish entry");
    const auto& r = *secret->redfish;
    config.auth = r.auth == runtime::RedfishSecret::Auth::session ? rf::AuthMode::session
                                                                  : rf::AuthMode::basic;
    config.username = r.user;
    config.password = r.password;
    if (r.ca_file) config.tls.ca_cert_file = *r.ca_file;
  }
  return config;
}

class RedfishDriver final : public DriverBase {
 public:
  RedfishDriver(const contract::DeviceConnection& c, const runtime::SecretEntry* secret,
                const DriverOptions& o)
      : DriverBase(contract::Protocol::redfish, endpoint_name(c)), root_(c.root) {
    try {
      client_ = std::make_unique<rf::RedfishClient>(redfish_config(c, secret, o, endpoint()));
    } catch (const rf::RedfishError& e) {
      throw map_error(endpoint(), e);
    }
  }

  // Session mode logs in (refused for wrong credentials); otherwise GETs the service root.
  void open() override {
    try {
      if (client_->config().auth == rf::AuthMode::session)
        client_->login();
      else
        client_->get(root_);
    } catch (const rf::RedfishError& e) {
      throw map_error(endpoint(), e);
    }
  }

  void close() override {
    try {
      client_->logout();
    } catch (const rf::RedfishError&) {
      // Best effort: the session expires on the service anyway.
    }
  }

  std::vector<PointReading> read(std::span<const contract::SourcePoint> points) override {
    std::vector<PointReading> out(points.size());
    std::vector<std::optional<std::string>> uri_of(points.size());
    std::vector<std::string> uris;  // distinct, first-use order
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        const auto& b = binding_of<contract::RedfishBinding>(points[i].binding, points[i].name);
        uri_of[i] = resource_path(b);
        if (std::find(uris.begin(), uris.end(), *uri_of[i]) == uris.end())
          uris.push_back(*uri_of[i]);
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    std::map<std::string, rf::Resource> resources;
    std::map<std::string, DriverError> errors;
    std::optional<DriverError> down;  // after a timeout/connection error, stop asking
    for (const auto& uri : uris) {
      if (down) {
        errors.emplace(uri, *down);
        continue;
      }
      try {
        resources.emplace(uri, client_->get(uri));
      } catch (const rf::RedfishError& e) {
        auto mapped = map_error(endpoint(), e);
        if (mapped.kind() == ErrorKind::timeout || mapped.kind() == ErrorKind::connection)
          down = mapped;
        errors.emplace(uri, mapped);
      }
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!uri_of[i]) continue;
      try {
        if (auto e = errors.find(*uri_of[i]); e != errors.end()) throw e->second;
        const auto& b = *points[i].binding.as<contract::RedfishBinding>();
        const auto scalar =
            rf::extract_scalar(resources.at(*uri_of[i]).body, *uri_of[i], b.json_pointer);
        if (const auto* flag = std::get_if<bool>(&scalar))
          out[i] = ok(points[i], typed_value(*flag ? 1.0 : 0.0, points[i]));
        else if (const auto* number = std::get_if<double>(&scalar))
          out[i] = ok(points[i], typed_value(*number * b.scale, points[i]));
        else
          out[i] = ok(points[i], typed_value(std::get<std::string>(scalar), points[i]));
      } catch (const rf::RedfishError& e) {
        out[i] = failed(points[i], map_error(endpoint(), e));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    return out;
  }

  void write(const contract::CommandPoint& command, const Value& value) override {
    const auto& b = binding_of<contract::RedfishBinding>(command.binding, command.name);
    rf::Json body;
    if (command.payload == contract::PayloadType::Bool) {
      body = command_number(command, value) != 0.0;
    } else if (command.payload == contract::PayloadType::Enum) {
      const auto* label = std::get_if<std::string>(&value);
      auto code = label != nullptr ? command.codec.code(*label) : std::nullopt;
      if (!code) command_number(command, value);  // throws the bad_value explaining why
      if (auto numeric = command.codec.numeric_code(*label))
        body = *numeric;
      else
        body = *code;
    } else {
      body = command_number(command, value) / b.scale;
    }
    try {
      client_->patch_value(resource_path(b), b.json_pointer, body);
    } catch (const rf::RedfishError& e) {
      throw map_error(endpoint(), e);
    }
  }

 private:
  std::string resource_path(const contract::RedfishBinding& b) const {
    return b.resource_path(root_);
  }

  std::string root_;
  std::unique_ptr<rf::RedfishClient> client_;
};

}  // namespace

std::unique_ptr<DeviceDriver> make_redfish_driver(const contract::DeviceConnection& c,
                                                  const runtime::SecretEntry* secret,
                                                  const DriverOptions& o) {
  return std::make_unique<RedfishDriver>(c, secret, o);
}

}  // namespace ems::drivers::detail
