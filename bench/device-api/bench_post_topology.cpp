// Load run: POST /topology with a generated 10,000-device DTM against device-api wired as in
// main(), on a private real PostgreSQL. Prints the latency of each request and the median.
// Bounded: EMS_BENCH_ROUNDS (default 5) requests, each with a 120 s timeout.
//
//   build/bench/device-api/bench_post_topology [devices]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <httplib.h>

#include "ems/contract/asyncapi.hpp"
#include "ems/runtime/http.hpp"
#include "ems/testing/servers.hpp"
#include "http_api.hpp"
#include "synthetic_site.hpp"
#include "topology_service.hpp"
#include "topology_store.hpp"

int main(int argc, char** argv) {
  using namespace ems;
  using clock = std::chrono::steady_clock;
  const int devices = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int rounds =
      std::getenv("EMS_BENCH_ROUNDS") ? std::atoi(std::getenv("EMS_BENCH_ROUNDS")) : 5;
  const auto catalog = contract::TemplateCatalog::load(EMS_TEMPLATE_DIR);

  testing::PostgresServer postgres;
  device_api::TopologyStore store(postgres.create_database());
  store.open();
  device_api::TopologyService service(store, catalog, "bench_site", nullptr);
  service.load();
  runtime::metrics::Registry registry;
  runtime::HttpServerOptions http;
  http.host = "127.0.0.1";
  http.payload_limit_bytes = 512u * 1024 * 1024;
  runtime::HttpServer server(http, registry);
  device_api::HttpApi api(service, store, {std::string("bench")}, registry);
  api.install(server);
  server.start();

  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(120, 0);
  client.set_write_timeout(120, 0);
  nlohmann::json dtm = bench::synthetic_site(catalog, devices);
  std::vector<double> post_ms, asyncapi_ms;
  std::size_t body_bytes = 0, asyncapi_bytes = 0;
  for (int i = 0; i < rounds; ++i) {
    // A different site name each round: every request stores a new (patch) version.
    dtm["site_display_name"] = "Bench site round " + std::to_string(i);
    const std::string body = dtm.dump();
    body_bytes = body.size();
    auto t0 = clock::now();
    auto r =
        client.Post("/topology", {{"Authorization", "Bearer bench"}}, body, "application/json");
    auto t1 = clock::now();
    if (!r || (r->status != 201 && r->status != 200)) {
      std::fprintf(stderr, "POST /topology failed: %s\n", r ? r->body.c_str() : "no response");
      return 1;
    }
    auto a = client.Get("/asyncapi");  // first GET after a version generates the document
    auto t2 = clock::now();
    if (!a || a->status != 200) return 1;
    asyncapi_bytes = a->body.size();
    post_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    asyncapi_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    std::printf("round %d: POST /topology %.0f ms, first GET /asyncapi %.0f ms\n", i,
                post_ms.back(), asyncapi_ms.back());
  }
  server.stop();
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "devices=%d dtm_bytes=%zu asyncapi_bytes=%zu median POST /topology=%.0f ms "
      "median first GET /asyncapi=%.0f ms\n",
      devices, body_bytes, asyncapi_bytes, median(post_ms), median(asyncapi_ms));
  return 0;
}
