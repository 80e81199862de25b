#include "hmi_site.hpp"

#include <filesystem>
#include <stdexcept>

#include "ems/runtime/config.hpp"

namespace ems::hmi {

namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void require_scheme(const std::string& name, const std::string& url, bool websocket) {
  const bool ok = websocket ? (url.starts_with("ws://") || url.starts_with("wss://"))
                            : (url.starts_with("http://") || url.starts_with("https://"));
  if (!ok || url.find("://") + 3 >= url.size()) {
    throw std::invalid_argument(name + " must be a" +
                                (websocket ? " ws:// or wss://" : "n http:// or https://") +
                                " URL, got \"" + url + "\"");
  }
}

}  // namespace

HmiSiteOptions hmi_site_options_from_env() {
  HmiSiteOptions o;
  o.dist_dir = runtime::env_string("EMS_HMI_DIST_DIR", EMS_HMI_DIST_DIR);
  o.device_api_url = runtime::env_string("EMS_DEVICE_API_URL", "http://127.0.0.1:8400");
  o.historian_url = runtime::env_string("EMS_HISTORIAN_URL", "http://127.0.0.1:8410");
  o.analyst_url = runtime::env_string("EMS_ANALYST_URL", "http://127.0.0.1:8420");
  o.mqtt_ws_url = runtime::env_string("EMS_MQTT_WS_URL", "ws://127.0.0.1:9001");
  return o;
}

nlohmann::json hmi_config_json(const HmiSiteOptions& o) {
  require_scheme("EMS_DEVICE_API_URL", o.device_api_url, false);
  require_scheme("EMS_HISTORIAN_URL", o.historian_url, false);
  require_scheme("EMS_ANALYST_URL", o.analyst_url, false);
  require_scheme("EMS_MQTT_WS_URL", o.mqtt_ws_url, true);
  return {{"device_api_url", without_trailing_slash(o.device_api_url)},
          {"historian_url", without_trailing_slash(o.historian_url)},
          {"analyst_url", without_trailing_slash(o.analyst_url)},
          {"mqtt_ws_url", o.mqtt_ws_url}};
}

void mount_hmi_site(runtime::HttpServer& server, const HmiSiteOptions& options) {
  const std::filesystem::path index = std::filesystem::path(options.dist_dir) / "index.html";
  if (!std::filesystem::is_regular_file(index)) {
    throw std::runtime_error("no HMI bundle: " + index.string() +
                             " is missing (build it: cd hmi && npm ci && npm run build)");
  }
  const std::string config = hmi_config_json(options).dump();
  server.get("/config.json", [config](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(config, "application/json");
  });
  auto& raw = server.raw();
  if (!raw.set_mount_point("/", options.dist_dir)) {
    throw std::runtime_error("cannot serve " + options.dist_dir + ": not a readable folder");
  }
  raw.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  raw.set_file_extension_and_mimetype_mapping("map", "application/json");
  raw.set_file_request_handler([](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", req.path.starts_with("/assets/")
                                        ? "public, max-age=31536000, immutable"
                                        : "no-store");
  });
  server.set_readiness([index] {
    return std::filesystem::is_regular_file(index)
               ? runtime::Readiness::ok()
               : runtime::Readiness::not_ready("bundle missing: " + index.string());
  });
}

}  // namespace ems::hmi
