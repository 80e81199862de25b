// The follower's pure parts: versions, trigger sets, option checks.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <httplib.h>

#include "ems/follower/topology_follower.hpp"

namespace ems::follower {
namespace {

using nlohmann::json;

TEST(DocumentVersion, AsyncApiTopologyAndETag) {
  const json asyncapi = {{"asyncapi", "3.0.0"}, {"info", {{"version", "1.2.0"}}}};
  EXPECT_EQ(document_version(asyncapi, "", ""), "1.2.0");
  // /topology: the top-level version, not the DTM's informational one.
  const json topology = {{"version", "2.0.1"}, {"dtm", {{"version", "9.9.9"}}}};
  EXPECT_EQ(document_version(topology, "", "\"ignored\""), "2.0.1");
  // Neither: the ETag, without quotes or the weak prefix.
  EXPECT_EQ(document_version(json::object(), "", "\"3.1.4\""), "3.1.4");
  EXPECT_EQ(document_version(json::array(), "", "W/\"3.1.5\""), "3.1.5");
  EXPECT_EQ(document_version(json::object(), "", "bare"), "bare");
  EXPECT_EQ(document_version(json::object(), "", ""), std::nullopt);
  EXPECT_EQ(document_version(json::object(), "", "\"\""), std::nullopt);
  // Not strings, or empty ones, are not versions.
  EXPECT_EQ(document_version(json{{"version", 3}}, "", ""), std::nullopt);
  EXPECT_EQ(document_version(json{{"info", {{"version", ""}}}, {"version", "1.0.0"}}, "", ""),
            "1.0.0");
  EXPECT_EQ(document_version(json("text"), "", ""), std::nullopt);
}

TEST(DocumentVersion, AnExplicitPointerIsTheOnlyPlaceLooked) {
  const json doc = {{"version", "1.0.0"}, {"meta", {{"rev", "r7"}}}};
  EXPECT_EQ(document_version(doc, "/meta/rev", "\"etag\""), "r7");
  EXPECT_EQ(document_version(doc, "/meta/missing", "\"etag\""), std::nullopt);
  EXPECT_EQ(document_version(doc, "/version/deeper", ""), std::nullopt);
  EXPECT_EQ(document_version(doc, "not-a-pointer", ""), std::nullopt);
}

TEST(Triggers, NamesJoinedInOrder) {
  EXPECT_EQ(Triggers().to_string(), "");
  EXPECT_TRUE(Triggers().empty());
  const Triggers t(static_cast<unsigned>(Trigger::event) | static_cast<unsigned>(Trigger::connect));
  EXPECT_EQ(t.to_string(), "event+connect");
  EXPECT_TRUE(t.has(Trigger::event));
  EXPECT_FALSE(t.has(Trigger::start));
  EXPECT_EQ(Triggers(63).to_string(), "start+event+connect+periodic+retry+refresh");
  EXPECT_EQ(outcome_name(FetchReport::Outcome::callback_failed), "callback_failed");
}

TEST(FollowerOptions, BadOptionsAreRefusedAtConstruction) {
  runtime::metrics::Registry registry;
  const auto ignore = [](TopologyUpdate) {};
  FollowerOptions o;
  EXPECT_NO_THROW(TopologyFollower(o, nullptr, ignore, registry));
  o.base_url = "http://127.0.0.1:8400/";  // a trailing slash is fine
  EXPECT_NO_THROW(TopologyFollower(o, nullptr, ignore, registry));
  o.base_url = "https://127.0.0.1:8400";
  EXPECT_THROW(TopologyFollower(o, nullptr, ignore, registry), std::invalid_argument);
  o.base_url = "http://127.0.0.1:8400/api";  // behind a proxy's prefix
  EXPECT_NO_THROW(TopologyFollower(o, nullptr, ignore, registry));
  o.base_url = "http://:8400";
  EXPECT_THROW(TopologyFollower(o, nullptr, ignore, registry), std::invalid_argument);
  o = FollowerOptions();
  o.path = "asyncapi";
  EXPECT_THROW(TopologyFollower(o, nullptr, ignore, registry), std::invalid_argument);
  o = FollowerOptions();
  o.version_pointer = "info/version";
  EXPECT_THROW(TopologyFollower(o, nullptr, ignore, registry), std::invalid_argument);
  EXPECT_THROW(TopologyFollower(FollowerOptions(), nullptr, nullptr, registry),
               std::invalid_argument);
}

TEST(FollowerOptions, FromEnv) {
  ::setenv("EMS_DEVICE_API_URL", "http://10.0.0.5:9400", 1);
  ::setenv("EMS_TOPOLOGY_RECHECK_INTERVAL", "90s", 1);
  auto o = FollowerOptions::from_env("/topology");
  EXPECT_EQ(o.base_url, "http://10.0.0.5:9400");
  EXPECT_EQ(o.path, "/topology");
  EXPECT_EQ(o.recheck_interval, std::chrono::seconds(90));
  ::setenv("EMS_TOPOLOGY_RECHECK_INTERVAL", "0", 1);
  EXPECT_EQ(FollowerOptions::from_env().recheck_interval.count(), 0);
  ::setenv("EMS_TOPOLOGY_RECHECK_INTERVAL", "soon", 1);
  EXPECT_THROW(FollowerOptions::from_env(), std::runtime_error);
  ::unsetenv("EMS_DEVICE_API_URL");
  ::unsetenv("EMS_TOPOLOGY_RECHECK_INTERVAL");
  o = FollowerOptions::from_env();
  EXPECT_EQ(o.base_url, "http://127.0.0.1:8400");
  EXPECT_EQ(o.path, "/asyncapi");
  EXPECT_EQ(o.recheck_interval, std::chrono::minutes(5));
}

TEST(TopologyFollower, RefreshBeforeStartAndAfterStopAnswersNothing) {
  runtime::metrics::Registry registry;
  TopologyFollower follower(
      FollowerOptions(), nullptr, [](TopologyUpdate) {}, registry);
  EXPECT_EQ(follower.refresh(std::chrono::milliseconds(10)), std::nullopt);
  follower.stop();  // before start: harmless
  EXPECT_FALSE(follower.ready());
  EXPECT_EQ(follower.current_version(), "");
}

// A body nlohmann refuses with out_of_range (a number beyond double), not parse_error, is a
// failed fetch like any other bad body: reported, never delivered, never thrown at the thread.
TEST(TopologyFollower, ABodyWithANumberBeyondDoubleIsAFailedFetch) {
  httplib::Server server;
  server.Get("/topology", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"version":"1.0.0","dtm":{"schema_version":1e999}})", "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  // bind_to_any_port also listens: a connection made before the accept loop runs just waits.
  std::thread listener([&] { server.listen_after_bind(); });

  runtime::metrics::Registry registry;
  FollowerOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.path = "/topology";
  o.recheck_interval = std::chrono::milliseconds(0);
  o.initial_delay = std::chrono::milliseconds(50);
  o.max_delay = std::chrono::milliseconds(200);
  int delivered = 0;
  TopologyFollower follower(
      o, nullptr, [&](TopologyUpdate) { ++delivered; }, registry);
  follower.start();
  const auto report = follower.refresh(std::chrono::seconds(10));
  follower.stop();
  server.stop();
  listener.join();

  ASSERT_TRUE(report);
  EXPECT_EQ(report->outcome, FetchReport::Outcome::failed);
  ASSERT_TRUE(report->error);
  try {
    std::rethrow_exception(report->error);
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not JSON"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  }
  EXPECT_EQ(delivered, 0);
  EXPECT_FALSE(follower.ready());
}

}  // namespace
}  // namespace ems::follower
