// The real ems-device-api binary: BOOT_DTM_PATH semantics (seed only an empty store; a missing
// or invalid file is fatal with a clear message) and SIGTERM shutdown.

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <httplib.h>

#include "demo.hpp"
#include "ems/testing/servers.hpp"

namespace ems::device_api {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_url_ = ems::testing::PostgresServer::shared().create_database();
    dir_ = fs::temp_directory_path() /
           ("ems-device-api-boot-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    process_.terminate();
    fs::remove_all(dir_);
  }

  // Runs the binary with `boot_path`; returns once it is healthy or has exited.
  bool start(const std::string& boot_path) {
    port_ = ems::testing::free_loopback_port();
    log_ = (dir_ / ("device-api-" + std::to_string(port_) + ".log")).string();
    process_.spawn({"/usr/bin/env", "EMS_DATABASE_URL=" + database_url_,
                    "EMS_MQTT_URL=" + ems::testing::MosquittoServer::shared().url(),
                    "EMS_DEVICE_API_HOST=127.0.0.1", "EMS_DEVICE_API_PORT=" + std::to_string(port_),
                    "EMS_API_TOKEN=t", "BOOT_DTM_PATH=" + boot_path, EMS_DEVICE_API_BINARY},
                   log_);
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 300 && process_.running(); ++i) {
      if (auto r = client.Get("/healthz"); r && r->status == 200) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  json get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    auto r = client.Get(path.c_str());
    if (!r || r->status != 200) return json();
    return json::parse(r->body);
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  std::string database_url_;
  fs::path dir_;
  int port_ = 0;
  std::string log_;
  ems::testing::ChildProcess process_;
};

TEST_F(BootTest, SeedsAnEmptyStoreOnlyAndStopsOnSigterm) {
  ASSERT_TRUE(start(testdata::kDemoPath)) << ems::testing::tail_file(log_);
  json first = get("/topology");
  EXPECT_EQ(first["version"], "1.0.0");
  EXPECT_EQ(first["actor"], "boot");
  EXPECT_EQ(first["site_id"], "demo_site");

  ::kill(process_.pid(), SIGTERM);
  for (int i = 0; i < 200 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(process_.running());
  EXPECT_EQ(process_.exit_code(), 0) << ems::testing::tail_file(log_);

  // A populated store is never overwritten by the boot file, even a different valid one.
  json other = testdata::demo_dtm();
  other["site_display_name"] = "Another site";
  ASSERT_TRUE(start(write("other.json", other.dump()))) << ems::testing::tail_file(log_);
  json second = get("/topology");
  EXPECT_EQ(second["version"], "1.0.0");
  EXPECT_EQ(second["dtm"]["site_display_name"], first["dtm"]["site_display_name"]);
  EXPECT_EQ(get("/topology/versions")["versions"].size(), 1u);
}

TEST_F(BootTest, MissingBootFileIsFatalWithAClearMessage) {
  EXPECT_FALSE(start((dir_ / "does-not-exist.json").string()));
  for (int i = 0; i < 100 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(process_.exit_code(), 0);
  EXPECT_NE(ems::testing::tail_file(log_).find("cannot be read"), std::string::npos)
      << ems::testing::tail_file(log_);
}

TEST_F(BootTest, InvalidBootFileIsFatalWithItsPath) {
  json bad = testdata::demo_dtm();
  bad["devices"]["pdu_1"]["template"] = "no_such_template";
  EXPECT_FALSE(start(write("bad.json", bad.dump())));
  for (int i = 0; i < 100 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(process_.exit_code(), 0);
  const std::string log = ems::testing::tail_file(log_);
  EXPECT_NE(log.find("/devices/pdu_1/template"), std::string::npos) << log;

  EXPECT_FALSE(start(write("garbage.json", "{\"devices\": [")));
  for (int i = 0; i < 100 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(ems::testing::tail_file(log_).find("not valid JSON"), std::string::npos)
      << ems::testing::tail_file(log_);

  // A number beyond double (nlohmann's out_of_range, not parse_error): the same clear exit,
  // not an uncaught exception (abort, 128 + SIGABRT).
  EXPECT_FALSE(start(write("overflow.json", R"({"schema_version": 1e999})")));
  for (int i = 0; i < 100 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(process_.exit_code(), 0);
  EXPECT_NE(process_.exit_code(), 128 + SIGABRT);
  const std::string overflow_log = ems::testing::tail_file(log_);
  EXPECT_NE(overflow_log.find("not valid JSON"), std::string::npos) << overflow_log;
  EXPECT_NE(overflow_log.find("out of range"), std::string::npos) << overflow_log;
}

// A boot file that validates but cannot be served (two poi_meters) is refused like an invalid
// one: the service exits naming the file and the JSON path, and stores nothing.
TEST_F(BootTest, UnservableBootFileIsFatalWithItsPath) {
  json bad = testdata::demo_dtm();
  json meter = bad["devices"]["poi_meter_1"];
  meter["device_id"] = "poi_meter_2";
  bad["devices"]["poi_meter_2"] = meter;
  EXPECT_FALSE(start(write("unservable.json", bad.dump())));
  for (int i = 0; i < 100 && process_.running(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(process_.exit_code(), 0);
  const std::string log = ems::testing::tail_file(log_);
  EXPECT_NE(log.find("BOOT_DTM_PATH"), std::string::npos) << log;
  EXPECT_NE(log.find("/binding/inputs"), std::string::npos) << log;
  EXPECT_NE(log.find("is ambiguous"), std::string::npos) << log;

  // Nothing was stored: a valid boot file seeds the still empty store.
  ASSERT_TRUE(start(testdata::kDemoPath)) << ems::testing::tail_file(log_);
  EXPECT_EQ(get("/topology")["version"], "1.0.0");
}

}  // namespace
}  // namespace ems::device_api
