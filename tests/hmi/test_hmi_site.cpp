// services/hmi's HTTP side on a real HttpServer (port 0): the generated /config.json, the static
// bundle with its cache headers, readiness, and clear refusals of a missing bundle or a bad URL.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "hmi_site.hpp"

namespace {

namespace fs = std::filesystem;
using ems::hmi::HmiSiteOptions;

class HmiSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ems-hmi-site-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "assets");
    std::ofstream(dir_ / "index.html") << "<!doctype html><div id=root></div>";
    std::ofstream(dir_ / "assets" / "index-abc123.js") << "console.log(1)";
    options_.dist_dir = dir_.string();
    options_.device_api_url = "http://10.0.0.5:8400/";
    options_.historian_url = "http://10.0.0.5:8410";
    options_.analyst_url = "https://analyst.example";
    options_.mqtt_ws_url = "ws://10.0.0.5:9001";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  HmiSiteOptions options_;
};

TEST_F(HmiSiteTest, ServesConfigAndBundle) {
  ems::runtime::HttpServerOptions http;
  http.host = "127.0.0.1";
  ems::runtime::HttpServer server(http);
  ems::hmi::mount_hmi_site(server, options_);
  server.start();
  httplib::Client client("127.0.0.1", server.port());

  auto config = client.Get("/config.json");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->status, 200);
  EXPECT_EQ(config->get_header_value("Cache-Control"), "no-store");
  const auto j = nlohmann::json::parse(config->body);
  EXPECT_EQ(j["device_api_url"], "http://10.0.0.5:8400");  // trailing slash dropped
  EXPECT_EQ(j["historian_url"], "http://10.0.0.5:8410");
  EXPECT_EQ(j["analyst_url"], "https://analyst.example");
  EXPECT_EQ(j["mqtt_ws_url"], "ws://10.0.0.5:9001");

  auto index = client.Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("id=root"), std::string::npos);
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-store");

  auto asset = client.Get("/assets/index-abc123.js");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->status, 200);
  EXPECT_NE(asset->get_header_value("Content-Type").find("javascript"), std::string::npos);
  EXPECT_NE(asset->get_header_value("Cache-Control").find("immutable"), std::string::npos);

  auto missing = client.Get("/assets/nope.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  fs::remove(dir_ / "index.html");
  auto not_ready = client.Get("/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("bundle missing"), std::string::npos);
  server.stop();
}

TEST_F(HmiSiteTest, RefusesMissingBundle) {
  options_.dist_dir = (dir_ / "nothing-here").string();
  ems::runtime::HttpServer server(ems::runtime::HttpServerOptions{});
  try {
    ems::hmi::mount_hmi_site(server, options_);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("npm run build"), std::string::npos) << e.what();
  }
}

TEST_F(HmiSiteTest, RefusesUrlsWithoutScheme) {
  options_.mqtt_ws_url = "127.0.0.1:9001";
  EXPECT_THROW(
      {
        try {
          (void)ems::hmi::hmi_config_json(options_);
        } catch (const std::invalid_argument& e) {
          EXPECT_NE(std::string(e.what()).find("EMS_MQTT_WS_URL"), std::string::npos);
          throw;
        }
      },
      std::invalid_argument);
  options_.mqtt_ws_url = "ws://127.0.0.1:9001";
  options_.historian_url = "ftp://x";
  EXPECT_THROW((void)ems::hmi::hmi_config_json(options_), std::invalid_argument);
}

}  // namespace
