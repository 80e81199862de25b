// Every FaultPlan kind is observable from our client, and clearing the plan restores service.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback_site.hpp"

namespace ems::protocols::modbus {
namespace {

using namespace std::chrono_literals;

ErrorKind read_error(ModbusClient& client) {
  try {
    client.read_holding_registers(0, 2);
  } catch (const ModbusError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "read succeeded under a fault";
  return ErrorKind::kInvalidArgument;
}

void expect_restored(test::LoopbackSite& site, ModbusClient& client) {
  site.server.set_fault({});
  EXPECT_EQ(client.read_holding_registers(0, 2), (std::vector<std::uint16_t>{10, 11}));
}

TEST(Faults, SilentIsATimeout) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config(200ms));
  client.connect();
  site.server.set_fault({FaultPlan::Kind::silent});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(read_error(client), ErrorKind::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 190ms);
  expect_restored(site, client);
}

TEST(Faults, DropConnectionIsAReset) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config(500ms));
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{10});
  site.server.set_fault({FaultPlan::Kind::drop_connection});
  EXPECT_EQ(read_error(client), ErrorKind::kConnection);
  EXPECT_FALSE(client.connected());
  expect_restored(site, client);
}

TEST(Faults, DelayWithinAndBeyondTheTimeout) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config(600ms));
  site.server.set_fault({FaultPlan::Kind::delay, 250ms});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{10});
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 240ms);
  site.server.set_fault({FaultPlan::Kind::delay, 900ms});
  EXPECT_EQ(read_error(client), ErrorKind::kTimeout);
  expect_restored(site, client);
}

TEST(Faults, MalformedResponseIsRejected) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config(500ms));
  site.server.set_fault({FaultPlan::Kind::malformed});
  try {
    client.read_holding_registers(0, 2);
    FAIL() << "malformed response accepted";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kMalformed) << e.what();
    EXPECT_NE(std::string(e.what()).find("malformed"), std::string::npos) << e.what();
  }
  expect_restored(site, client);
  EXPECT_GE(site.server.stats().faults_applied, 1u);
}

TEST(Faults, ServerDropsAConnectionWithABadMbapHeader) {
  test::LoopbackSite site;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(site.server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::uint8_t bad[] = {0, 1, 0, 7, 0, 6, 1, 3, 0, 0, 0, 1};  // protocol id 7
  ASSERT_EQ(::send(fd, bad, sizeof(bad), MSG_NOSIGNAL), static_cast<ssize_t>(sizeof(bad)));
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  std::uint8_t byte = 0;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // closed without an answer
  ::close(fd);
  EXPECT_EQ(site.server.stats().bad_frames, 1u);
  ModbusClient client(site.client_config());
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{10});
}

}  // namespace
}  // namespace ems::protocols::modbus
