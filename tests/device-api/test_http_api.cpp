// device-api's HTTP API against a real PostgreSQL and a real mosquitto: every route, every error
// path, versions and events.

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "service_fixture.hpp"

namespace ems::device_api::testing {
namespace {

using nlohmann::json;

class HttpApiTest : public ServiceFixture {};

json body_of(const httplib::Result& r) {
  return json::parse(r->body);
}

void expect_problem(const httplib::Result& r, int status) {
  ASSERT_TRUE(r) << "no response";
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << r->body;
  json p = body_of(r);
  EXPECT_EQ(p["status"], status);
  EXPECT_TRUE(p.contains("title"));
}

// Walks a JSON document and calls `visit` with every object key.
void walk_keys(const json& j, const std::function<void(const std::string&)>& visit) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      visit(k);
      walk_keys(v, visit);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) walk_keys(v, visit);
  }
}

TEST_F(HttpApiTest, EmptyStoreAnswers404OnEveryRead) {
  for (const char* path :
       {"/topology", "/topology/view", "/asyncapi", "/asyncapi.yaml", "/topology/sld.svg"}) {
    SCOPED_TRACE(path);
    expect_problem(client().Get(path), 404);
  }
  auto versions = client().Get("/topology/versions");
  ASSERT_TRUE(versions);
  EXPECT_EQ(body_of(versions)["versions"].size(), 0u);
}

TEST_F(HttpApiTest, MutationsNeedTheBearerToken) {
  auto missing = client().Post("/topology", testdata::demo_dtm().dump(), "application/json");
  expect_problem(missing, 401);
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");
  auto wrong = client().Post("/topology", {{"Authorization", "Bearer nope"}},
                             testdata::demo_dtm().dump(), "application/json");
  expect_problem(wrong, 403);
  expect_problem(client().Delete("/devices/pdu_1"), 401);
  expect_problem(client().Patch("/devices/pdu_1", "{}", "application/json"), 401);
  EXPECT_TRUE(events_after(0).empty());
}

TEST_F(HttpApiTest, NoTokenConfiguredRefusesMutations) {
  start_service(std::nullopt);
  expect_problem(post_json("/topology", testdata::demo_dtm()), 403);
}

TEST_F(HttpApiTest, PostTopologyStoresVersionAndAnnouncesItOnce) {
  auto created = post_json("/topology", testdata::demo_dtm());
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(body_of(created)["version"], "1.0.0");
  EXPECT_EQ(created->get_header_value("ETag"), "\"1.0.0\"");

  // The identical document again: no version, no event.
  auto same = post_json("/topology", testdata::demo_dtm());
  ASSERT_EQ(same->status, 200) << same->body;
  EXPECT_EQ(body_of(same)["created"], false);
  EXPECT_EQ(body_of(same)["version"], "1.0.0");

  EXPECT_EQ(events_after(1), std::vector<std::string>{"1.0.0"});
  auto versions = body_of(client().Get("/topology/versions"))["versions"];
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0]["bump"], "initial");
}

TEST_F(HttpApiTest, ReadsServeTheCurrentVersionWithEtags) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  const contract::Dtm demo = contract::parse_dtm(testdata::demo_dtm(), &testdata::catalog());

  auto topology = client().Get("/topology");
  ASSERT_EQ(topology->status, 200);
  EXPECT_EQ(topology->get_header_value("ETag"), "\"1.0.0\"");
  json t = body_of(topology);
  EXPECT_EQ(t["version"], "1.0.0");
  EXPECT_EQ(t["dtm"]["devices"].size(), demo.devices.size());
  EXPECT_EQ(t["site_id"], "demo_site");

  auto asyncapi = client().Get("/asyncapi");
  ASSERT_EQ(asyncapi->status, 200);
  EXPECT_EQ(body_of(asyncapi)["info"]["version"], "1.0.0");
  EXPECT_EQ(body_of(asyncapi)["asyncapi"], "3.0.0");

  auto yaml = client().Get("/asyncapi.yaml");
  ASSERT_EQ(yaml->status, 200);
  EXPECT_EQ(yaml->get_header_value("Content-Type"), "application/yaml");
  EXPECT_NE(yaml->body.find("asyncapi:"), std::string::npos);

  auto view = client().Get("/topology/view");
  ASSERT_EQ(view->status, 200);
  const std::set<std::string> forbidden = {"connection", "binding",     "publisher",   "fanout",
                                           "host",       "port_number", "oid",         "uri",
                                           "address",    "unit_id",     "point_index", "can_id"};
  walk_keys(body_of(view), [&](const std::string& key) {
    EXPECT_FALSE(forbidden.count(key)) << "view leaks '" << key << "'";
  });
  EXPECT_EQ(view->body.find("127.0.0.1"), std::string::npos) << "view leaks a host";

  auto svg = client().Get("/topology/sld.svg");
  ASSERT_EQ(svg->status, 200);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml; charset=utf-8");
  for (const auto& [id, device] : demo.devices)
    EXPECT_NE(svg->body.find("id=\"device-" + id + "\""), std::string::npos) << id;
  for (const auto& bus : demo.buses)
    EXPECT_NE(svg->body.find("id=\"bus-" + bus.bus_id + "\""), std::string::npos) << bus.bus_id;

  auto cached = client().Get("/topology/view", {{"If-None-Match", "\"1.0.0\""}});
  EXPECT_EQ(cached->status, 304);

  auto v1 = client().Get("/topology/versions/1.0.0");
  ASSERT_EQ(v1->status, 200);
  EXPECT_EQ(body_of(v1)["dtm"]["deployment_uuid"], demo.deployment_uuid);
  expect_problem(client().Get("/topology/versions/9.9.9"), 404);
  expect_problem(client().Get("/topology/versions?limit=0"), 400);
}

TEST_F(HttpApiTest, InvalidBodiesAreProblemsWithPaths) {
  auto not_json = client().Post("/topology", auth(), "{not json", "application/json");
  expect_problem(not_json, 400);
  // nlohmann throws out_of_range, not parse_error, for a number beyond double: still a 400.
  for (const char* body : {R"({"schema_version":1e999})", "1e999"}) {
    auto overflow = client().Post("/topology", auth(), body, "application/json");
    expect_problem(overflow, 400);
    EXPECT_EQ(body_of(overflow)["title"], "Invalid JSON") << body;
    EXPECT_NE(body_of(overflow)["detail"].get<std::string>().find("out of range"),
              std::string::npos)
        << overflow->body;
  }
  auto devices_overflow = client().Post("/devices", auth(), R"({"x":-1e999})", "application/json");
  expect_problem(devices_overflow, 400);

  auto paths_of = [](const httplib::Result& r) {
    std::set<std::string> paths;
    const json problem = body_of(r);
    for (const auto& e : problem["errors"]) paths.insert(e["path"].get<std::string>());
    return paths;
  };
  json orphan = testdata::demo_dtm();
  orphan["devices"]["pdu_1"]["parent"] = "no_such_module";
  auto invalid = post_json("/topology", orphan);
  expect_problem(invalid, 400);
  EXPECT_TRUE(paths_of(invalid).count("/devices/pdu_1/parent")) << invalid->body;

  json unknown_key = testdata::demo_dtm();
  unknown_key["surprise"] = 1;
  auto strict = post_json("/topology", unknown_key);
  expect_problem(strict, 400);
  EXPECT_TRUE(paths_of(strict).count("/surprise")) << strict->body;

  std::string huge(5 * 1024 * 1024, ' ');
  expect_problem(client().Post("/topology", auth(), huge, "application/json"), 413);

  // Nothing above was stored or announced.
  EXPECT_EQ(body_of(client().Get("/topology/versions"))["versions"].size(), 0u);
  EXPECT_TRUE(events_after(0).empty());
}

TEST_F(HttpApiTest, AcceptsEveryInteropDtm) {
  const std::filesystem::path dir = std::filesystem::path(EMS_INTEROP_DIR) / "dtm";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    SCOPED_TRACE(entry.path().string());
    auto r =
        client().Post("/topology", auth(), testdata::read_file(entry.path()), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << r->body;
    EXPECT_EQ(client().Get("/asyncapi")->status, 200);
    ++count;
  }
  EXPECT_GE(count, 2);
}

TEST_F(HttpApiTest, DeviceCrudBumpsSemverAndAnnouncesEachVersion) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);

  auto renamed = client().Patch("/devices/pdu_1", auth({{"If-Match", "\"1.0.0\""}}),
                                R"({"display_name":"PDU A"})", "application/json");
  ASSERT_EQ(renamed->status, 201) << renamed->body;
  EXPECT_EQ(body_of(renamed)["version"], "1.0.1");
  EXPECT_EQ(body_of(renamed)["bump"], "patch");

  auto stale = client().Patch("/devices/pdu_1", auth({{"If-Match", "\"1.0.0\""}}),
                              R"({"display_name":"PDU B"})", "application/json");
  expect_problem(stale, 412);

  auto added = post_json(
      "/devices", {{"device_id", "pdu_3"},
                   {"template", "pdu"},
                   {"parent", "compute_module_1"},
                   {"display_name", "PDU C"},
                   {"connection", {{"host", "127.0.0.1"}, {"port", 16103}, {"unit_id", nullptr}}}});
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_EQ(body_of(added)["version"], "1.1.0");

  expect_problem(post_json("/devices", {{"device_id", "pdu_3"}, {"template", "pdu"}}), 409);
  expect_problem(post_json("/devices", {{"device_id", "x_9"}, {"template", "nope"}}), 400);
  expect_problem(
      client().Patch("/devices/ghost", auth(), R"({"display_name":"x"})", "application/json"), 404);
  expect_problem(
      client().Patch("/devices/pdu_1", auth(), R"({"parent":"pdu_1"})", "application/json"), 400);

  auto on_bus = client().Delete("/devices/pdu_1", auth());
  expect_problem(on_bus, 409);
  EXPECT_NE(on_bus->body.find("/buses/"), std::string::npos) << on_bus->body;
  expect_problem(client().Delete("/devices/ghost", auth()), 404);

  // A DELETE that stores a version answers 200 (it creates nothing the client asked for).
  auto removed = client().Delete("/devices/pdu_3", auth());
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(body_of(removed)["created"], true);
  EXPECT_EQ(removed->get_header_value("ETag"), "\"2.0.0\"");
  EXPECT_EQ(body_of(removed)["version"], "2.0.0");
  EXPECT_EQ(body_of(removed)["bump"], "major");

  EXPECT_EQ(events_after(4), (std::vector<std::string>{"1.0.0", "1.0.1", "1.1.0", "2.0.0"}));
  auto view = body_of(client().Get("/topology/view"));
  EXPECT_EQ(view["version"], "2.0.0");
}

TEST_F(HttpApiTest, BatchIsOneVersionAndOneEvent) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  json batch = {
      {"operations",
       {{{"op", "add"},
         {"device",
          {{"device_id", "gpu_node_5"}, {"template", "gpu_node"}, {"parent", "compute_module_1"}}}},
        {{"op", "update"},
         {"device_id", "gpu_node_5"},
         {"changes", {{"display_name", "GPU node 5"}}}},
        {{"op", "update"}, {"device_id", "pdu_2"}, {"changes", {{"display_name", "PDU two"}}}}}}};
  auto r = post_json("/topology/changes", batch);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(body_of(r)["version"], "1.1.0");

  // A failing batch changes nothing: the second operation references an unknown device.
  json failing = {
      {"operations",
       {{{"op", "update"}, {"device_id", "pdu_2"}, {"changes", {{"display_name", "changed"}}}},
        {{"op", "remove"}, {"device_id", "ghost"}}}}};
  expect_problem(post_json("/topology/changes", failing), 404);
  EXPECT_EQ(body_of(client().Get("/topology"))["dtm"]["devices"]["pdu_2"]["display_name"],
            "PDU two");
  EXPECT_EQ(events_after(2), (std::vector<std::string>{"1.0.0", "1.1.0"}));
}

TEST_F(HttpApiTest, ConcurrentPatchesGiveOneVersionEach) {
  ASSERT_EQ(post_json("/topology", testdata::demo_dtm())->status, 201);
  const std::vector<std::string> ids = {"pdu_1",      "pdu_2",      "gpu_node_1", "gpu_node_2",
                                        "gpu_node_3", "gpu_node_4", "cdu_1",      "pst_1"};
  std::vector<std::thread> threads;
  std::vector<int> statuses(ids.size(), 0);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      auto r =
          client().Patch(("/devices/" + ids[i]).c_str(), auth(),
                         json{{"display_name", "renamed " + ids[i]}}.dump(), "application/json");
      statuses[i] = r ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  for (int s : statuses) EXPECT_EQ(s, 201);

  auto versions = body_of(client().Get("/topology/versions"))["versions"];
  ASSERT_EQ(versions.size(), ids.size() + 1);
  std::set<std::string> distinct;
  for (const auto& v : versions) distinct.insert(v["version"].get<std::string>());
  EXPECT_EQ(distinct.size(), ids.size() + 1);
  EXPECT_TRUE(distinct.count("1.0.8"));
  auto dtm = body_of(client().Get("/topology"))["dtm"];
  for (const auto& id : ids) EXPECT_EQ(dtm["devices"][id]["display_name"], "renamed " + id);
  EXPECT_EQ(events_after(ids.size() + 1).size(), ids.size() + 1);
}

TEST_F(HttpApiTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(client().Get("/healthz")->status, 200);
  EXPECT_EQ(client().Get("/readyz")->status, 200);
  post_json("/topology", json::object());
  auto metrics = client().Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("ems_device_api_mutations_total"), std::string::npos);
  EXPECT_NE(metrics->body.find("ems_device_api_rejected_requests_total{status=\"400\"}"),
            std::string::npos)
      << metrics->body;
}

}  // namespace
}  // namespace ems::device_api::testing
