// Integration (LABELS integration): a real master <-> outstation exchange over loopback, written
// to a pcap from the bytes the master saw, must dissect cleanly with Wireshark's DNP3 dissector
// and show the function codes and object groups we sent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "ems/protocols/dnp3/link_channel.hpp"
#include "ems/protocols/pcap_writer.hpp"
#include "ems/testing/process.hpp"
#include "loopback_site.hpp"

namespace ems::protocols::dnp3 {
namespace {

TEST(TsharkDnp3, DissectorAcceptsOurExchange) {
  if (!ems::testing::have_program("tshark"))
    GTEST_SKIP() << "tshark not installed: apt-get install -y tshark";
  const auto pcap =
      std::filesystem::temp_directory_path() / ("ems_dnp3_" + std::to_string(::getpid()) + ".pcap");
  test::LoopbackSite site;
  const std::uint16_t port = site.server.port();
  {
    PcapWriter writer(pcap.string(), 40001, port);
    Master master(site.master_config());
    master.set_wire_observer([&](bool from_master, std::span<const std::uint8_t> bytes) {
      writer.data(from_master, bytes);
    });
    master.integrity_poll();
    master.clear_restart();
    site.outstation.with_database([](PointDatabase& db) {
      db.update_analog_input(0, Analog{111.5});
      db.update_binary_input(24, Binary{true}, 1764150000000ULL);
      db.update_analog_input(10, Analog{42});
    });
    EXPECT_EQ(master.event_poll().event_count(), 3u);  // confirmed by the master
    master.read_range(30, 1, 0, 0);
    EXPECT_EQ(master.select_and_operate(0, Crob::latch(true)), CommandStatus::kSuccess);
    EXPECT_EQ(master.direct_operate_analog(0, 12.5, 3), CommandStatus::kSuccess);
    EXPECT_EQ(master.direct_operate_analog(1, -7, 1), CommandStatus::kSuccess);
  }
  const std::string base =
      "tshark -r " + pcap.string() + " -d tcp.port==" + std::to_string(port) + ",dnp3 ";

  const std::string errors = ems::testing::shell_output(
      base + "-Y \"_ws.malformed || _ws.expert.severity==error\" 2>/dev/null");
  EXPECT_TRUE(errors.empty()) << "tshark reported problems:\n" << errors;
  // The dissector reports a bad DNP3 CRC as a warning, so warnings on DNP3 packets count too.
  const std::string warnings = ems::testing::shell_output(
      base + "-Y \"dnp3 && _ws.expert.severity >= warning\" 2>/dev/null");
  EXPECT_TRUE(warnings.empty()) << "tshark warned:\n" << warnings;

  const std::string fields = ems::testing::shell_output(
      base + "-Y dnp3.al.func -T fields -e dnp3.al.func -e dnp3.al.obj 2>/dev/null");
  std::set<int> functions;
  std::set<int> objects;
  std::istringstream lines(fields);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cols(line);
    std::string func;
    std::string objs;
    std::getline(cols, func, '\t');
    std::getline(cols, objs, '\t');
    if (!func.empty()) functions.insert(std::stoi(func, nullptr, 0));
    std::istringstream list(objs);
    std::string obj;
    while (std::getline(list, obj, ',')) {
      if (!obj.empty()) objects.insert(std::stoi(obj, nullptr, 0));
    }
  }
  for (int fc : {0, 1, 2, 3, 4, 5, 129}) {
    EXPECT_TRUE(functions.count(fc)) << "function " << fc << " missing in:\n" << fields;
  }
  // dnp3.al.obj is group << 8 | variation.
  for (int gv : {0x3C01, 0x3C02, 0x3C03, 0x3C04, 0x5001, 0x0102, 0x0201, 0x0A02, 0x0C01, 0x1401,
                 0x1E01, 0x1E05, 0x1E02, 0x2001, 0x2005, 0x2803, 0x2903, 0x2901}) {
    EXPECT_TRUE(objects.count(gv)) << "object 0x" << std::hex << gv << " missing in:\n" << fields;
  }
  if (!HasFailure() && std::getenv("EMS_KEEP_PCAP") == nullptr) std::filesystem::remove(pcap);
}

// Proves the checks above can fail: one flipped data byte must be flagged by the dissector.
TEST(TsharkDnp3, FlagsACorruptedFrame) {
  if (!ems::testing::have_program("tshark"))
    GTEST_SKIP() << "tshark not installed: apt-get install -y tshark";
  const auto pcap = std::filesystem::temp_directory_path() /
                    ("ems_dnp3_bad_" + std::to_string(::getpid()) + ".pcap");
  Apdu read;
  read.function = FunctionCode::kRead;
  read.objects = {ObjectBlock::all(60, 1)};
  LinkChannel channel(LinkChannelConfig{true, 1, 1024, kDefaultMaxApdu});
  auto bytes = channel.frame_apdu(encode_apdu(read));
  {
    PcapWriter writer(pcap.string(), 40002, 20000);
    writer.data(true, bytes);
    bytes[12] ^= 0x40;  // inside the first data block
    writer.data(true, bytes);
  }
  const std::string base = "tshark -r " + pcap.string() + " -d tcp.port==20000,dnp3 ";
  const std::string all = ems::testing::shell_output(base + "-Y dnp3 2>/dev/null");
  const std::string flagged = ems::testing::shell_output(
      base + "-Y \"dnp3 && _ws.expert.severity >= warning\" 2>/dev/null");
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 2) << all;
  EXPECT_EQ(std::count(flagged.begin(), flagged.end(), '\n'), 1) << flagged;
  std::filesystem::remove(pcap);
}

}  // namespace
}  // namespace ems::protocols::dnp3
