// Concurrent clients against one service while the model writes, and many services in one
// process (a fixture serves a device per port).
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "site.hpp"

using namespace redfish_test;
using rf::Json;

TEST(Concurrency, ClientsReadAndPatchWhileTheModelWrites) {
  rf::RedfishService service(service_config([&](rf::RedfishServiceConfig& c) { c.threads = 4; }));
  build_gpu_site(service);
  service.set("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 5000.0);
  service.start();
  constexpr int kClients = 6;
  constexpr int kRounds = 40;
  std::atomic<bool> model_running{true};
  std::thread model([&] {
    for (int i = 0; i < 100000 && model_running; ++i) {
      service.set("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 5000.0 + i % 100);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      rf::RedfishClient client(client_config(service));
      for (int r = 0; r < kRounds; ++r) {
        const auto v = client.read_value("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts");
        const double watts = std::get<double>(v);
        if (watts >= 5000.0 && watts < 5100.0) ++good;
        if (c % 2 == 0)
          client.patch_value(gpu_metrics(1 + c % 4 / 2), "/PowerLimitWatts/SetPoint", 200 + r);
      }
    });
  }
  for (auto& t : clients) t.join();
  model_running = false;
  model.join();
  EXPECT_EQ(good.load(), kClients * kRounds);
  EXPECT_EQ(service.stats().patches_applied, static_cast<std::uint64_t>(kClients / 2 * kRounds));
}

TEST(Concurrency, ManyInstancesEachOnItsOwnPort) {
  constexpr int kInstances = 24;
  std::vector<std::unique_ptr<rf::RedfishService>> services;
  std::set<std::uint16_t> ports;
  for (int i = 0; i < kInstances; ++i) {
    auto service = std::make_unique<rf::RedfishService>(
        service_config([&](rf::RedfishServiceConfig& c) { c.threads = 2; }));
    service->add_binding("/Chassis/1/Sensors/InletTemp", "/Reading", 20.0 + i);
    service->start();
    ports.insert(service->port());
    services.push_back(std::move(service));
  }
  EXPECT_EQ(ports.size(), static_cast<std::size_t>(kInstances));
  services[3]->set_fault({ems::protocols::FaultPlan::Kind::drop_connection});
  for (int i = 0; i < kInstances; ++i) {
    rf::RedfishClient client(client_config(*services[i]));
    if (i == 3) {
      EXPECT_THROW(client.get("/Chassis/1/Sensors/InletTemp"), rf::RedfishError);
      continue;
    }
    EXPECT_EQ(client.read_value("/Chassis/1/Sensors/InletTemp", "/Reading"),
              rf::ScalarValue(20.0 + i));
  }
  for (auto& s : services) s->stop();
}

TEST(Concurrency, FixedPortInUseFailsClearly) {
  rf::RedfishService first;
  first.start();
  rf::RedfishService second(
      service_config([&](rf::RedfishServiceConfig& c) { c.port = first.port(); }));
  try {
    second.start();
    FAIL();
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::connection);
    EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos);
  }
}
