// Every FaultPlan kind is observable from the client, and clearing it restores service.
#include <gtest/gtest.h>

#include "site.hpp"

using namespace redfish_test;
using ems::protocols::FaultPlan;
using Clock = std::chrono::steady_clock;

namespace {

class Faults : public ::testing::Test {
 protected:
  void SetUp() override {
    build_gpu_site(service_);
    service_.start();
    auto config = client_config(service_);
    config.read_timeout = std::chrono::milliseconds(400);
    client_ = std::make_unique<rf::RedfishClient>(config);
    ASSERT_NO_THROW(read());
  }
  rf::ScalarValue read() { return client_->read_value("/Chassis/1/Sensors/InletTemp", "/Reading"); }
  rf::ErrorKind failure() {
    try {
      read();
    } catch (const rf::RedfishError& e) {
      message_ = e.what();
      return e.kind();
    }
    ADD_FAILURE() << "the read succeeded under a fault";
    return rf::ErrorKind::invalid_argument;
  }
  void expect_restored() {
    service_.set_fault({});
    EXPECT_EQ(read(), rf::ScalarValue(24.5));
  }
  rf::RedfishService service_;
  std::unique_ptr<rf::RedfishClient> client_;
  std::string message_;
};

}  // namespace

TEST_F(Faults, SilentIsATimeout) {
  service_.set_fault({FaultPlan::Kind::silent});
  const auto started = Clock::now();
  EXPECT_EQ(failure(), rf::ErrorKind::timeout) << message_;
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(350));
  EXPECT_NE(message_.find("/redfish/v1/Chassis/1/Sensors/InletTemp"), std::string::npos);
  expect_restored();
}

TEST_F(Faults, DropConnectionIsAConnectionError) {
  service_.set_fault({FaultPlan::Kind::drop_connection});
  EXPECT_EQ(failure(), rf::ErrorKind::connection) << message_;
  EXPECT_EQ(failure(), rf::ErrorKind::connection) << message_;
  expect_restored();
}

TEST_F(Faults, DelayIsSlowButAnswers) {
  service_.set_fault({FaultPlan::Kind::delay, std::chrono::milliseconds(150)});
  const auto started = Clock::now();
  EXPECT_EQ(read(), rf::ScalarValue(24.5));
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(140));
  // A delay beyond the client's read timeout is a timeout.
  service_.set_fault({FaultPlan::Kind::delay, std::chrono::milliseconds(800)});
  EXPECT_EQ(failure(), rf::ErrorKind::timeout) << message_;
  expect_restored();
}

TEST_F(Faults, MalformedJsonIsRejectedWithAClearError) {
  service_.set_fault({FaultPlan::Kind::malformed});
  EXPECT_EQ(failure(), rf::ErrorKind::invalid_json) << message_;
  EXPECT_NE(message_.find("invalid JSON"), std::string::npos) << message_;
  EXPECT_NE(message_.find("/redfish/v1/Chassis/1/Sensors/InletTemp"), std::string::npos);
  expect_restored();
}

TEST_F(Faults, FaultAffectsPatchAndCountsAndClearsWhileARequestIsHeld) {
  service_.set_fault({FaultPlan::Kind::silent});
  std::thread clearer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    service_.set_fault({});
  });
  // The held PATCH is released when the plan clears (it is not answered); the next one works.
  EXPECT_THROW(client_->patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 400),
               rf::RedfishError);
  clearer.join();
  EXPECT_NO_THROW(client_->patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 400));
  EXPECT_GE(service_.stats().faults_applied, 1u);
}

TEST_F(Faults, FetchManySpendsOneTimeoutOnAnUnreachableService) {
  service_.set_fault({FaultPlan::Kind::silent});
  const auto started = Clock::now();
  const auto cycle = client_->fetch_many(
      {"/Chassis/1/Power", gpu_metrics(1), gpu_metrics(2), "/Chassis/1/Thermal"});
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(1200));
  ASSERT_EQ(cycle.size(), 4u);
  for (const auto& [uri, outcome] : cycle) {
    ASSERT_FALSE(outcome.ok()) << uri;
    EXPECT_EQ(outcome.error->kind(), rf::ErrorKind::timeout) << uri;
  }
  service_.set_fault({});
  for (const auto& [uri, outcome] : client_->fetch_many({"/Chassis/1/Power", gpu_metrics(1)}))
    EXPECT_TRUE(outcome.ok()) << uri;
}

TEST_F(Faults, StopReleasesHeldRequests) {
  service_.set_fault({FaultPlan::Kind::silent});
  std::thread reader([&] { EXPECT_THROW(read(), rf::RedfishError); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto started = Clock::now();
  service_.stop();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(3));
  reader.join();
}
