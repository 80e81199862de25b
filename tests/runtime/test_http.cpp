#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ems/runtime/http.hpp"
#include "ems/runtime/http_client.hpp"
#include "ems/testing/servers.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() : server_(options(), registry_) {}

  static HttpServerOptions options() {
    HttpServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 4;
    o.payload_limit_bytes = 1024;
    o.cors_origins = {"http://hmi.local"};
    return o;
  }

  void SetUp() override {
    server_.get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"hello":"world"})", "application/json");
    });
    server_.get(R"(/devices/([^/]+))", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.matches[1].str(), "text/plain");
    });
    server_.post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "text/plain");
    });
    server_.get("/boom", [](const httplib::Request&, httplib::Response&) {
      throw std::logic_error("secret internals");
    });
    server_.post("/invalid", [](const httplib::Request&, httplib::Response&) {
      throw ProblemException(422, "Invalid DTM", "1 problem", {{"/devices/0/id", "missing"}});
    });
    server_.get("/mapped", [](const httplib::Request&, httplib::Response&) {
      throw std::out_of_range("no such version");
    });
    server_.set_exception_mapper([](const std::exception& e, httplib::Response& res) {
      if (dynamic_cast<const std::out_of_range*>(&e) == nullptr) return false;
      problem(res, 404, "Not Found", e.what());
      return true;
    });
    server_.start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
    client_->set_read_timeout(10s);
  }

  metrics::Registry registry_;
  HttpServer server_;
  std::unique_ptr<httplib::Client> client_;
};

nlohmann::json problem_body(const httplib::Result& res) {
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  return nlohmann::json::parse(res->body);
}

TEST_F(HttpServerTest, ServesRoutesWithCaptures) {
  EXPECT_GT(server_.port(), 0);
  auto res = client_->Get("/hello");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"hello":"world"})");
  res = client_->Get("/devices/bess-1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "bess-1");
}

TEST_F(HttpServerTest, HealthzAlwaysOkReadyzFollowsTheCallback) {
  auto res = client_->Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);  // no callback: ready

  server_.set_readiness([] { return Readiness::not_ready("database not connected"); });
  res = client_->Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  const auto body = problem_body(res);
  EXPECT_EQ(body["status"], 503);
  EXPECT_EQ(body["detail"], "database not connected");
  EXPECT_EQ(client_->Get("/healthz")->status, 200);

  server_.set_readiness([] { return Readiness::ok(); });
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
}

TEST_F(HttpServerTest, MetricsCountRequestsPerRouteAndStatus) {
  ASSERT_TRUE(client_->Get("/devices/a"));
  ASSERT_TRUE(client_->Get("/devices/b"));
  ASSERT_TRUE(client_->Get("/nowhere"));
  auto res = client_->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("version=0.0.4"));
  EXPECT_THAT(res->body, HasSubstr("# TYPE ems_http_requests_total counter\n"));
  EXPECT_THAT(res->body, HasSubstr("ems_http_requests_total{method=\"GET\",route=\"/devices/"
                                   "([^/]+)\",status=\"200\"} 2\n"));
  EXPECT_THAT(
      res->body,
      HasSubstr("ems_http_requests_total{method=\"GET\",route=\"unrouted\",status=\"404\"} 1"));
  EXPECT_THAT(res->body, HasSubstr("ems_http_request_duration_seconds_bucket{method=\"GET\","
                                   "route=\"/devices/([^/]+)\",status=\"200\",le=\"+Inf\"} 2\n"));
}

TEST_F(HttpServerTest, UnknownRouteIsProblem404) {
  auto res = client_->Get("/nowhere");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  const auto body = problem_body(res);
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr("/nowhere"));
}

TEST_F(HttpServerTest, OversizedBodyIsProblem413) {
  auto ok = client_->Post("/echo", std::string(1000, 'a'), "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto res = client_->Post("/echo", std::string(5000, 'a'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  const auto body = problem_body(res);
  EXPECT_EQ(body["status"], 413);
  EXPECT_THAT(body["detail"].get<std::string>(), HasSubstr("1024 bytes"));
}

TEST_F(HttpServerTest, HandlerExceptionIsProblem500WithoutInternals) {
  auto res = client_->Get("/boom");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  const auto body = problem_body(res);
  EXPECT_EQ(body["status"], 500);
  EXPECT_EQ(res->body.find("secret internals"), std::string::npos);
  // The server keeps serving.
  EXPECT_EQ(client_->Get("/hello")->status, 200);
}

TEST_F(HttpServerTest, ProblemExceptionCarriesErrorsList) {
  auto res = client_->Post("/invalid", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422);
  const auto body = problem_body(res);
  EXPECT_EQ(body, nlohmann::json::parse(R"({"type":"about:blank","title":"Invalid DTM",
      "status":422,"detail":"1 problem","errors":[{"path":"/devices/0/id","message":"missing"}]})"));
}

TEST_F(HttpServerTest, ExceptionMapperTranslatesDomainErrors) {
  auto res = client_->Get("/mapped");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(problem_body(res)["detail"], "no such version");
}

TEST_F(HttpServerTest, CorsPreflightAndSimpleRequests) {
  httplib::Headers allowed = {{"Origin", "http://hmi.local"},
                              {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "content-type"}};
  auto res = client_->Options("/echo", allowed);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "http://hmi.local");
  EXPECT_THAT(res->get_header_value("Access-Control-Allow-Methods"), HasSubstr("POST"));
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Headers"), "content-type");

  httplib::Headers denied = {{"Origin", "http://evil.example"},
                             {"Access-Control-Request-Method", "POST"}};
  res = client_->Options("/echo", denied);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));

  res = client_->Get("/hello", httplib::Headers{{"Origin", "http://hmi.local"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "http://hmi.local");
  res = client_->Get("/hello", httplib::Headers{{"Origin", "http://evil.example"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));
}

TEST_F(HttpServerTest, StopIsGracefulAndIdempotent) {
  server_.stop();
  EXPECT_FALSE(server_.running());
  client_->set_connection_timeout(1s);
  EXPECT_FALSE(client_->Get("/healthz"));
  server_.stop();
}

TEST(HttpServer, BindFailureThrows) {
  metrics::Registry registry;
  HttpServerOptions o;
  o.host = "127.0.0.1";
  HttpServer first(o, registry);
  first.start();
  o.port = first.port();
  HttpServer second(o, registry);
  EXPECT_THROW(second.start(), std::runtime_error);
}

TEST(Problem, JsonShape) {
  Problem p{400, "", "bad", {}};
  EXPECT_EQ(p.to_json(), nlohmann::json::parse(
                             R"({"type":"about:blank","title":"Bad Request","status":400,
                                 "detail":"bad"})"));
  EXPECT_EQ(status_title(413), "Content Too Large");
}

TEST(HttpClient, SplitUrl) {
  EXPECT_EQ(split_http_url("http://127.0.0.1:8400/asyncapi"),
            (std::pair<std::string, std::string>{"http://127.0.0.1:8400", "/asyncapi"}));
  EXPECT_EQ(split_http_url("http://h").second, "/");
  EXPECT_EQ(split_http_url("http://h?x=1").second, "/?x=1");
  EXPECT_THROW(split_http_url("ftp://h/x"), std::invalid_argument);
  EXPECT_THROW(split_http_url("http:///x"), std::invalid_argument);
}

TEST(HttpClient, RetriesUntilTheServerComesUp) {
  metrics::Registry registry;
  const int port = ems::testing::free_loopback_port();
  HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  HttpServer late(o, registry);
  late.get("/asyncapi", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  std::thread starter([&] {
    std::this_thread::sleep_for(300ms);
    late.start();
  });
  FetchOptions f;
  f.initial_delay = 100ms;
  f.max_delay = 200ms;
  f.max_attempts = 50;
  const auto result =
      fetch_with_backoff("http://127.0.0.1:" + std::to_string(port) + "/asyncapi", f);
  starter.join();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "{}");
  EXPECT_EQ(result.content_type, "application/json");
  EXPECT_GT(result.attempts, 1);

  // A 4xx is an answer, not an outage: no retry.
  const auto missing =
      fetch_with_backoff("http://127.0.0.1:" + std::to_string(port) + "/nothing", f);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.attempts, 1);
}

TEST(HttpClient, GivesUpAfterMaxAttempts) {
  const int port = ems::testing::free_loopback_port();  // nothing listens there
  FetchOptions f;
  f.initial_delay = 10ms;
  f.max_delay = 20ms;
  f.max_attempts = 3;
  try {
    fetch_with_backoff("http://127.0.0.1:" + std::to_string(port) + "/asyncapi", f);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  }
}

TEST(HttpClient, ReturnsTheETag) {
  metrics::Registry registry;
  HttpServerOptions o;
  o.host = "127.0.0.1";
  HttpServer server(o, registry);
  server.get("/doc", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("ETag", "\"1.2.0\"");
    res.set_content("{}", "application/json");
  });
  server.get("/plain", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  server.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(fetch_with_backoff(base + "/doc").etag, "\"1.2.0\"");
  EXPECT_EQ(fetch_with_backoff(base + "/plain").etag, "");
}

TEST(HttpClient, AStopRequestEndsTheBackoffAtOnce) {
  const int port = ems::testing::free_loopback_port();  // nothing listens there
  std::stop_source stop;
  FetchOptions f;
  f.initial_delay = 30s;  // without the stop request the test would wait this long
  f.max_delay = 30s;
  f.max_attempts = 0;
  f.stop = stop.get_token();
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    fetch_with_backoff("http://127.0.0.1:" + std::to_string(port) + "/asyncapi", f);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("abandoned: stop requested"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  stopper.join();
}

TEST(HttpServer, OptionsFromEnv) {
  ::setenv("EMS_T_PORT", "8499", 1);
  ::setenv("EMS_T_HTTP_THREADS", "3", 1);
  ::setenv("EMS_CORS_ORIGINS", "http://a,http://b", 1);
  const auto o = http_options_from_env("EMS_T", 8400);
  EXPECT_EQ(o.port, 8499);
  EXPECT_EQ(o.threads, 3u);
  EXPECT_EQ(o.cors_origins, (std::vector<std::string>{"http://a", "http://b"}));
  ::setenv("EMS_T_PORT", "70000", 1);
  EXPECT_THROW(http_options_from_env("EMS_T", 8400), std::runtime_error);
  ::unsetenv("EMS_T_PORT");
  ::unsetenv("EMS_T_HTTP_THREADS");
  ::unsetenv("EMS_CORS_ORIGINS");
  EXPECT_EQ(http_options_from_env("EMS_T", 8400).port, 8400);
}

}  // namespace
}  // namespace ems::runtime
