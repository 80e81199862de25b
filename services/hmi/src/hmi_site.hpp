#pragma once
// The HMI's HTTP side: the built single-page app served as static files from one folder, and
// GET /config.json, generated from the environment at start, so one bundle runs against any
// deployment (no host is compiled into it).
//
//   HmiSiteOptions o = hmi_site_options_from_env();
//   runtime::HttpServer server(runtime::http_options_from_env("EMS_HMI", 8480));
//   mount_hmi_site(server, o);   // throws std::runtime_error when dist_dir has no index.html
//   server.start();
//
// Caching: index.html and config.json are `no-store` (a new build or a new address is picked up by
// a reload); files under assets/ carry a content hash in their name and are `immutable`.
// Readiness: ready while dist_dir/index.html exists (a rebuild that removed the bundle shows).
// Threading: the handlers only read the options and files; safe on the server's worker threads.
#include <string>

#include <nlohmann/json.hpp>

#include "ems/runtime/http.hpp"

namespace ems::hmi {

struct HmiSiteOptions {
  std::string dist_dir;        // EMS_HMI_DIST_DIR, default <repo>/hmi/dist
  std::string device_api_url;  // EMS_DEVICE_API_URL, default http://127.0.0.1:8400
  std::string historian_url;   // EMS_HISTORIAN_URL, default http://127.0.0.1:8410
  std::string analyst_url;     // EMS_ANALYST_URL, default http://127.0.0.1:8420
  std::string mqtt_ws_url;     // EMS_MQTT_WS_URL, default ws://127.0.0.1:9001
};

HmiSiteOptions hmi_site_options_from_env();

// {"device_api_url","historian_url","analyst_url","mqtt_ws_url"}: what the browser reads first.
// Throws std::invalid_argument naming the variable when a URL has no http(s):// or ws(s):// scheme.
nlohmann::json hmi_config_json(const HmiSiteOptions& options);

// Adds GET /config.json, the static files of options.dist_dir at "/", and the readiness check.
void mount_hmi_site(runtime::HttpServer& server, const HmiSiteOptions& options);

}  // namespace ems::hmi
