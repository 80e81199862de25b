// Integration (LABELS integration): a real libmodbus client <-> our server exchange over
// loopback, written to a pcap from the bytes the server saw, must dissect cleanly with
// Wireshark's Modbus/TCP dissector and show the function codes we used.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>

#include "ems/protocols/pcap_writer.hpp"
#include "ems/testing/process.hpp"
#include "loopback_site.hpp"

namespace ems::protocols::modbus {
namespace {

std::filesystem::path temp_pcap(const char* name) {
  return std::filesystem::temp_directory_path() /
         (std::string(name) + std::to_string(::getpid()) + ".pcap");
}

std::set<int> function_codes(const std::string& base) {
  std::set<int> codes;
  std::istringstream lines(
      ems::testing::shell_output(base + "-Y modbus -T fields -e modbus.func_code 2>/dev/null"));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cols(line);
    std::string code;
    while (std::getline(cols, code, ',')) {
      if (!code.empty()) codes.insert(std::stoi(code, nullptr, 0));
    }
  }
  return codes;
}

TEST(TsharkModbus, DissectorAcceptsOurExchange) {
  if (!ems::testing::have_program("tshark"))
    GTEST_SKIP() << "tshark not installed: apt-get install -y tshark";
  const auto pcap = temp_pcap("ems_modbus_");
  test::LoopbackSite site;
  const std::uint16_t port = site.server.port();
  {
    PcapWriter writer(pcap.string(), 40011, port);
    std::mutex m;
    site.server.set_wire_observer([&](bool from_client, std::span<const std::uint8_t> bytes) {
      std::lock_guard lock(m);
      writer.data(from_client, bytes);
    });
    ModbusClient client(site.client_config());
    client.read_coils(0, 4);
    client.read_discrete_inputs(0, 4);
    client.read_holding_registers(0, 8);
    client.read_input_registers(2, 3);
    client.write_coil(1, true);
    client.write_register(0, 4242);
    const bool bits[] = {true, false, true};
    client.write_coils(0, bits);
    const std::uint16_t regs[] = {1, 2, 3, 4};
    client.write_registers(2, regs);
    EXPECT_THROW(client.read_holding_registers(100, 1), ModbusError);  // exception response
    client.close();
    site.server.stop();
  }
  const std::string base =
      "tshark -r " + pcap.string() + " -d tcp.port==" + std::to_string(port) + ",mbtcp ";
  const std::string errors = ems::testing::shell_output(
      base + "-Y \"_ws.malformed || _ws.expert.severity==error\" 2>/dev/null");
  EXPECT_TRUE(errors.empty()) << "tshark reported problems:\n" << errors;
  const std::string mbtcp = ems::testing::shell_output(base + "-Y mbtcp 2>/dev/null");
  EXPECT_EQ(std::count(mbtcp.begin(), mbtcp.end(), '\n'), 18) << mbtcp;  // 9 requests + 9 answers
  const auto codes = function_codes(base);
  for (int fc : {1, 2, 3, 4, 5, 6, 15, 16}) {
    EXPECT_TRUE(codes.count(fc)) << "function " << fc << " missing";
  }
  const std::string exceptions =
      ems::testing::shell_output(base + "-Y \"modbus.exception_code == 2\" 2>/dev/null");
  EXPECT_EQ(std::count(exceptions.begin(), exceptions.end(), '\n'), 1) << exceptions;
  if (!HasFailure() && std::getenv("EMS_KEEP_PCAP") == nullptr) std::filesystem::remove(pcap);
}

// Proves the check above can fail: the malformed fault's response (MBAP length one too large)
// must be flagged by the dissector.
TEST(TsharkModbus, FlagsTheMalformedFault) {
  if (!ems::testing::have_program("tshark"))
    GTEST_SKIP() << "tshark not installed: apt-get install -y tshark";
  const auto pcap = temp_pcap("ems_modbus_bad_");
  test::LoopbackSite site;
  const std::uint16_t port = site.server.port();
  {
    PcapWriter writer(pcap.string(), 40012, port);
    std::mutex m;
    site.server.set_wire_observer([&](bool from_client, std::span<const std::uint8_t> bytes) {
      std::lock_guard lock(m);
      writer.data(from_client, bytes);
    });
    site.server.set_fault({FaultPlan::Kind::malformed});
    ModbusClient client(site.client_config(std::chrono::milliseconds(300)));
    EXPECT_THROW(client.read_holding_registers(0, 2), ModbusError);
    site.server.stop();
  }
  const std::string base =
      "tshark -r " + pcap.string() + " -d tcp.port==" + std::to_string(port) + ",mbtcp ";
  const std::string flagged = ems::testing::shell_output(
      base + "-Y \"_ws.malformed || _ws.expert.severity >= warning\" 2>/dev/null");
  EXPECT_FALSE(flagged.empty()) << ems::testing::shell_output(base + "-V 2>/dev/null");
  std::filesystem::remove(pcap);
}

}  // namespace
}  // namespace ems::protocols::modbus
