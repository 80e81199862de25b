// Basic auth and Redfish sessions (login, logout, re-login after the session ends).
#include <gtest/gtest.h>

#include <thread>

#include "site.hpp"

using namespace redfish_test;
using rf::Json;

namespace {

class Auth : public ::testing::Test {
 protected:
  void SetUp() override {
    build_gpu_site(service_);
    service_.start();
  }
  rf::RedfishClientConfig config(rf::AuthMode mode, std::string password = "s3cret") const {
    auto c = client_config(service_);
    c.auth = mode;
    c.username = "admin";
    c.password = std::move(password);
    return c;
  }
  rf::RedfishService service_{service_config([](rf::RedfishServiceConfig& c) {
    c.credentials = rf::Credentials{"admin", "s3cret"};
  })};
};

}  // namespace

TEST_F(Auth, WithoutCredentialsIs401ButTheServiceRootIsOpen) {
  rf::RedfishClient client(config(rf::AuthMode::none));
  EXPECT_EQ(client.get("/redfish/v1").body["@odata.id"], "/redfish/v1");
  try {
    client.get("/Chassis/1/Power");
    FAIL();
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::unauthorized);
    EXPECT_EQ(e.http_status(), 401);
    EXPECT_NE(std::string(e.what()).find("NoValidSession"), std::string::npos) << e.what();
  }
  EXPECT_GE(service_.stats().unauthorized, 1u);
}

TEST_F(Auth, BasicAuth) {
  rf::RedfishClient good(config(rf::AuthMode::basic));
  EXPECT_EQ(good.read_value("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts"),
            rf::ScalarValue(5400.0));
  good.patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 500);
  rf::RedfishClient bad(config(rf::AuthMode::basic, "wrong"));
  EXPECT_THROW(bad.get("/Chassis/1/Power"), rf::RedfishError);
}

TEST_F(Auth, SessionLoginLogout) {
  {
    rf::RedfishClient client(config(rf::AuthMode::session));
    EXPECT_FALSE(client.has_session());
    EXPECT_EQ(client.read_value("/Chassis/1/Thermal", "/Fans/0/Reading"), rf::ScalarValue(42.0));
    EXPECT_TRUE(client.has_session());
    EXPECT_EQ(service_.session_count(), 1u);
    // The session is a resource in the Sessions collection.
    const Json sessions = client.get("/SessionService/Sessions").body;
    ASSERT_EQ(sessions["Members"].size(), 1u);
    const Json session = client.get(sessions["Members"][0]["@odata.id"].get<std::string>()).body;
    EXPECT_EQ(session["UserName"], "admin");
    client.logout();
    EXPECT_FALSE(client.has_session());
    EXPECT_EQ(service_.session_count(), 0u);
    // The next request logs in again.
    client.get("/Chassis/1/Power");
    EXPECT_EQ(service_.session_count(), 1u);
    EXPECT_EQ(client.stats().logins, 2u);
  }
  // The destructor ends the session.
  EXPECT_EQ(service_.session_count(), 0u);
  EXPECT_EQ(service_.stats().sessions_created, 2u);
}

TEST_F(Auth, ReLoginAfterTheSessionEnds) {
  rf::RedfishClient client(config(rf::AuthMode::session));
  client.login();
  service_.end_all_sessions();
  EXPECT_EQ(client.read_value(gpu_metrics(2), "/PowerWatts/Reading"), rf::ScalarValue(602.0));
  EXPECT_EQ(client.stats().relogins, 1u);
  service_.end_all_sessions();
  client.patch_value(gpu_metrics(2), "/PowerLimitWatts/SetPoint", 300);
  EXPECT_EQ(client.stats().relogins, 2u);
  EXPECT_EQ(service_.get(gpu_metrics(2), "/PowerLimitWatts/SetPoint"), Json(300));
}

TEST_F(Auth, WrongSessionPasswordIsUnauthorized) {
  rf::RedfishClient client(config(rf::AuthMode::session, "nope"));
  try {
    client.get("/Chassis/1/Power");
    FAIL();
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::unauthorized) << e.what();
    EXPECT_NE(std::string(e.what()).find("SessionService/Sessions"), std::string::npos);
  }
  EXPECT_EQ(service_.session_count(), 0u);
}

TEST_F(Auth, ForeignTokenIsRefused) {
  rf::RedfishClient client(config(rf::AuthMode::session));
  client.login();
  service_.end_all_sessions();
  // Basic clients are unaffected by sessions.
  rf::RedfishClient basic(config(rf::AuthMode::basic));
  EXPECT_NO_THROW(basic.get("/Chassis/1/Power"));
}

TEST(AuthTimeout, AnIdleSessionExpiresAndTheClientLogsInAgain) {
  rf::RedfishService service(service_config([](rf::RedfishServiceConfig& c) {
    c.credentials = rf::Credentials{"admin", "s3cret"};
    c.session_timeout = std::chrono::milliseconds(300);
  }));
  build_gpu_site(service);
  service.start();
  auto config = client_config(service);
  config.auth = rf::AuthMode::session;
  config.username = "admin";
  config.password = "s3cret";
  rf::RedfishClient client(config);
  EXPECT_EQ(client.get("/SessionService").body["SessionTimeout"], 1);
  client.get("/Chassis/1/Power");  // use keeps it alive
  EXPECT_EQ(client.stats().relogins, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(client.read_value("/Chassis/1/Thermal", "/Fans/0/Reading"), rf::ScalarValue(42.0));
  EXPECT_EQ(client.stats().relogins, 1u);
  EXPECT_EQ(service.session_count(), 1u);  // the expired one is gone, the new one is live
}
