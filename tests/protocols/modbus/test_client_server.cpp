// Our libmodbus client against our server over loopback: typed round trips, writes reaching the
// model's callback, exception codes, batching, concurrency and reconnection.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ems/protocols/modbus/read_plan.hpp"
#include "loopback_site.hpp"

namespace ems::protocols::modbus {
namespace {

constexpr auto kHr = Table::kHoldingRegisters;

TEST(ClientServer, EveryDataTypeAndWordOrderRoundTrips) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config());
  const double values[] = {-1234, 54321, -123456789, 3000000000.0, -5000000000123.0, -3.25};
  std::uint16_t address = 1000;
  int i = 0;
  for (DataType type : {DataType::kInt16, DataType::kUint16, DataType::kInt32, DataType::kUint32,
                        DataType::kInt64, DataType::kFloat32}) {
    for (WordOrder order : {WordOrder::kHighLow, WordOrder::kLowHigh}) {
      const ValueFormat f{type, order, 1.0, 0.0};
      // Model -> client.
      site.server.set_value(1, Table::kInputRegisters, address, values[i], f);
      EXPECT_DOUBLE_EQ(client.read_value(Table::kInputRegisters, address, f), values[i])
          << to_string(type) << " " << to_string(order);
      // Client -> model (FC6 for one register, FC16 otherwise).
      site.server.set_value(1, kHr, address, 0, f);
      client.write_value(kHr, address, values[i], f);
      const auto stored = site.server.bank().registers(
          1, kHr, address, static_cast<std::uint16_t>(register_count(type)));
      ASSERT_TRUE(stored);
      EXPECT_DOUBLE_EQ(decode_value(*stored, f), values[i]) << to_string(type) << to_string(order);
      address += 4;
    }
    ++i;
  }
}

TEST(ClientServer, ScaleOffsetAndSunSpecScaleFactor) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config());
  const ValueFormat temp{DataType::kInt16, WordOrder::kHighLow, 0.1, -40.0};
  site.server.set_value(1, kHr, 50, 21.5, temp);
  EXPECT_EQ(site.server.bank().registers(1, kHr, 50, 1), std::vector<std::uint16_t>{615});
  EXPECT_DOUBLE_EQ(client.read_value(kHr, 50, temp), 21.5);

  const std::uint16_t sf[] = {0xFFFE};  // -2
  site.server.set_holding(1, 60, sf);
  const std::uint16_t watts[] = {12345};
  site.server.set_holding(1, 61, watts);
  EXPECT_DOUBLE_EQ(client.read_value(kHr, 61, {DataType::kUint16}, 60), 123.45);
  client.write_value(kHr, 61, 99.99, {DataType::kUint16}, 60);
  EXPECT_EQ(site.server.bank().registers(1, kHr, 61, 1), std::vector<std::uint16_t>{9999});

  const std::uint16_t not_implemented[] = {0x8000};
  site.server.set_holding(1, 60, not_implemented);
  try {
    client.read_value(kHr, 61, {DataType::kUint16}, 60);
    FAIL() << "no error";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kOutOfRange) << e.what();
  }
}

TEST(ClientServer, CoilsAndDiscreteInputs) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config());
  EXPECT_EQ(client.read_coils(0, 4), (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(client.read_discrete_inputs(1, 3), (std::vector<bool>{false, true, false}));
  client.write_coil(1, true);
  const bool pattern[] = {false, false, false, true};
  client.write_coils(0, pattern);
  EXPECT_EQ(client.read_coils(0, 4), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(client.read_value(Table::kDiscreteInputs, 2, {}), 1.0);
  client.write_value(Table::kCoils, 0, 1.0, {});
  EXPECT_EQ(site.server.bank().bits(1, Table::kCoils, 0, 1), std::vector<bool>{true});
  EXPECT_THROW(client.write_value(Table::kInputRegisters, 0, 1.0, {}), ModbusError);
}

TEST(ClientServer, WritesReachTheModelCallback) {
  test::LoopbackSite site;
  std::mutex m;
  std::vector<WriteRequest> seen;
  site.server.set_write_callback([&](const WriteRequest& w) {
    std::lock_guard lock(m);
    seen.push_back(w);
    return w.address == 7 ? ExceptionCode::kIllegalDataValue : ExceptionCode::kNone;
  });
  ModbusClient client(site.client_config());
  client.write_register(2, 222);
  const std::uint16_t regs[] = {1, 2, 3};
  client.write_registers(3, regs);
  client.write_coil(3, true);
  const bool bits[] = {true, true};
  client.write_coils(0, bits);
  try {
    client.write_register(7, 1);
    FAIL() << "the callback's veto did not reach the client";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.exception_code(), ExceptionCode::kIllegalDataValue);
  }
  std::lock_guard lock(m);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].function, FunctionCode::kWriteSingleRegister);
  EXPECT_EQ(seen[0].values, std::vector<std::uint16_t>{222});
  EXPECT_EQ(seen[1].function, FunctionCode::kWriteMultipleRegisters);
  EXPECT_EQ(seen[1].address, 3);
  EXPECT_EQ(seen[1].values, (std::vector<std::uint16_t>{1, 2, 3}));
  EXPECT_EQ(seen[2].function, FunctionCode::kWriteSingleCoil);
  EXPECT_EQ(seen[3].function, FunctionCode::kWriteMultipleCoils);
  EXPECT_EQ(seen[3].values, (std::vector<std::uint16_t>{1, 1}));
  EXPECT_EQ(client.read_holding_registers(7, 1), std::vector<std::uint16_t>{17});  // not stored
}

TEST(ClientServer, ExceptionCodesAreNamed) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config());
  try {
    client.read_holding_registers(6, 4);  // 8 and 9 are not in the map
    FAIL() << "no error";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kException);
    EXPECT_EQ(e.exception_code(), ExceptionCode::kIllegalDataAddress);
    EXPECT_NE(std::string(e.what()).find("illegal_data_address"), std::string::npos) << e.what();
  }
  client.set_unit_id(42);
  try {
    client.read_holding_registers(0, 1);
    FAIL() << "no error";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.exception_code(), ExceptionCode::kGatewayTargetFailedToRespond) << e.what();
  }
  client.set_unit_id(1);
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{10});
  EXPECT_TRUE(client.connected());  // an exception response keeps the connection
  EXPECT_THROW(client.read_holding_registers(0, 126), ModbusError);
  EXPECT_GE(site.server.stats().exceptions, 2u);
}

TEST(ClientServer, BatchedReadsFollowThePlan) {
  test::LoopbackSite site;
  ModbusClient client(site.client_config());
  const PointSpan points[] = {
      {1, kHr, 0, 2}, {1, kHr, 4, 1}, {1, kHr, 2, 2}, {1, Table::kCoils, 2, 1}};
  const auto plan = plan_reads(points);
  ASSERT_EQ(plan.size(), 2u);
  std::vector<std::vector<std::uint16_t>> per_point(4);
  for (const auto& request : plan) {
    const auto block = client.read_block(request.table, request.start, request.count);
    for (std::size_t p : request.points) {
      const auto s = slice_for<std::uint16_t>(request, points[p], block);
      per_point[p].assign(s.begin(), s.end());
    }
  }
  EXPECT_EQ(per_point[0], (std::vector<std::uint16_t>{10, 11}));
  EXPECT_EQ(per_point[1], std::vector<std::uint16_t>{14});
  EXPECT_EQ(per_point[2], (std::vector<std::uint16_t>{12, 13}));
  EXPECT_EQ(per_point[3], std::vector<std::uint16_t>{1});
  EXPECT_EQ(site.server.stats().requests, 2u);
}

TEST(ClientServer, ManyConcurrentClients) {
  test::LoopbackSite site;
  constexpr int kClients = 8;
  for (int c = 0; c < kClients; ++c) {
    const std::uint16_t init[] = {0};
    site.server.set_holding(1, static_cast<std::uint16_t>(500 + c), init);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      try {
        ModbusClient client(site.client_config());
        const auto address = static_cast<std::uint16_t>(500 + c);
        for (std::uint16_t i = 1; i <= 50; ++i) {
          client.write_register(address, i);
          if (client.read_holding_registers(address, 1).at(0) != i) ++failures;
          if (client.read_input_registers(0, 8).at(7) != 17) ++failures;
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(site.server.stats().accepted, static_cast<std::uint64_t>(kClients));
  EXPECT_EQ(site.server.stats().requests, static_cast<std::uint64_t>(kClients * 150));
}

TEST(ClientServer, ConnectionsBeyondTheLimitAreRefused) {
  ModbusServer server(ModbusServerConfig{"127.0.0.1", 0, 1});
  const std::uint16_t regs[] = {5};
  server.set_holding(1, 0, regs);
  server.start();
  ModbusClient first({"127.0.0.1", server.port(), 1, std::chrono::milliseconds(500)});
  EXPECT_EQ(first.read_holding_registers(0, 1), std::vector<std::uint16_t>{5});
  ModbusClient second({"127.0.0.1", server.port(), 1, std::chrono::milliseconds(500)});
  EXPECT_THROW(second.read_holding_registers(0, 1), ModbusError);
  EXPECT_EQ(server.stats().refused, 1u);
  first.close();
  for (int i = 0; i < 50 && server.active_connections() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(second.read_holding_registers(0, 1), std::vector<std::uint16_t>{5});
}

TEST(ClientServer, ReconnectsAfterServerRestart) {
  auto site = std::make_unique<test::LoopbackSite>();
  const std::uint16_t port = site->server.port();
  ModbusClient client(site->client_config());
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{10});
  site->server.stop();
  ModbusServer restarted(ModbusServerConfig{"127.0.0.1", port, 4});
  const std::uint16_t regs[] = {77};
  restarted.set_holding(1, 0, regs);
  restarted.start();
  EXPECT_EQ(client.read_holding_registers(0, 1), std::vector<std::uint16_t>{77});
  restarted.stop();
  try {
    client.read_holding_registers(0, 1);
    FAIL() << "no error with the server gone";
  } catch (const ModbusError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConnection) << e.what();
  }
}

}  // namespace
}  // namespace ems::protocols::modbus
