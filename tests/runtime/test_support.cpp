// Tests of tests/support's process helpers (the servers are exercised by the integration suites).
#include <gtest/gtest.h>

#include "ems/runtime/http.hpp"
#include "ems/runtime/shutdown.hpp"
#include "ems/testing/process.hpp"

namespace ems::testing {
namespace {

using namespace std::chrono_literals;

TEST(TestSupport, RunCommandReportsExitCodeAndOutput) {
  std::string output;
  EXPECT_EQ(run_command({"/bin/sh", "-c", "echo hello; exit 3"}, 10s, &output), 3);
  EXPECT_EQ(output, "hello\n");
  EXPECT_EQ(run_command({"/nonexistent/binary"}, 10s), 127);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_command({"/bin/sleep", "30"}, 200ms), -1);  // killed at the timeout
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(TestSupport, ChildProcessTerminateAndKill) {
  // With the service's SIGTERM handler installed, a child signalled at once must still die of
  // the default action (and not run the parent's handler between fork and exec).
  ems::runtime::install_shutdown_handlers();
  ems::runtime::reset_shutdown_for_testing();
  ChildProcess child;
  child.spawn({"/bin/sleep", "30"}, "/dev/null");
  EXPECT_TRUE(child.running());
  child.terminate(2s);
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_code(), 128 + 15);
  EXPECT_FALSE(ems::runtime::shutdown_requested());
  child.spawn({"/bin/sleep", "30"}, "/dev/null");
  child.kill();
  EXPECT_EQ(child.exit_code(), 128 + 9);
}

TEST(TestSupport, WaitForHttpOk) {
  ems::runtime::metrics::Registry registry;
  ems::runtime::HttpServerOptions o;
  o.host = "127.0.0.1";
  o.port = free_loopback_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(o.port) + "/healthz";
  EXPECT_FALSE(wait_for_http_ok(url, 200ms));
  ems::runtime::HttpServer server(o, registry);
  server.start();
  EXPECT_TRUE(wait_for_http_ok(url, 10s));
}

}  // namespace
}  // namespace ems::testing
