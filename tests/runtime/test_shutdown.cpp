#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "ems/runtime/shutdown.hpp"

namespace ems::runtime {
namespace {

using namespace std::chrono_literals;

TEST(Shutdown, RequestWakesWaiters) {
  reset_shutdown_for_testing();
  EXPECT_FALSE(shutdown_requested());
  EXPECT_FALSE(wait_for_shutdown(10ms));
  std::thread waker([] {
    std::this_thread::sleep_for(50ms);
    request_shutdown();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_for_shutdown(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  waker.join();
  wait_for_shutdown();  // already requested: returns at once
  reset_shutdown_for_testing();
}

TEST(Shutdown, AStopTokenEndsTheWaitWithoutAShutdown) {
  reset_shutdown_for_testing();
  std::stop_source stop;
  EXPECT_FALSE(wait_for_shutdown(10ms, stop.get_token()));
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_for_shutdown(10s, stop.get_token()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  stopper.join();
  EXPECT_FALSE(shutdown_requested());
  EXPECT_TRUE(wait_for_shutdown(10s, stop.get_token()));  // already requested: at once

  // A shutdown still ends a wait whose token is never stopped.
  std::stop_source idle;
  request_shutdown();
  EXPECT_TRUE(wait_for_shutdown(10s, idle.get_token()));
  reset_shutdown_for_testing();
}

TEST(Shutdown, SigtermSetsTheFlag) {
  reset_shutdown_for_testing();
  install_shutdown_handlers();
  std::raise(SIGTERM);
  EXPECT_TRUE(wait_for_shutdown(5s));
  reset_shutdown_for_testing();
  std::raise(SIGINT);
  EXPECT_TRUE(wait_for_shutdown(5s));
  reset_shutdown_for_testing();
}

}  // namespace
}  // namespace ems::runtime
