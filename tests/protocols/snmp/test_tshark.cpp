// Integration (LABELS integration): our client <-> our agent v2c exchange, recorded by a UDP
// relay and written as a pcap, must dissect cleanly with Wireshark's SNMP dissector and show
// every PDU type we sent.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "ems/protocols/snmp/error.hpp"
#include "process.hpp"
#include "site.hpp"
#include "udp_recorder.hpp"

namespace ems::protocols::snmp {
namespace {

TEST(TsharkSnmp, DissectorAcceptsOurV2cExchange) {
  if (!test::have("tshark")) GTEST_SKIP() << "apt-get install -y tshark";
  test::Site site;
  const auto pcap =
      std::filesystem::temp_directory_path() / ("ems_snmp_" + std::to_string(::getpid()) + ".pcap");
  constexpr std::uint16_t kShownPort = 16161;
  {
    test::UdpRecorder recorder(site.agent.port());
    SnmpClientConfig config = site.v2c("private");
    config.port = recorder.port();
    SnmpClient client(config);
    EXPECT_EQ(client.get({test::kPower, test::kBytes, test::kName}).size(), 3u);
    EXPECT_EQ(client.get_next({test::kBase}).size(), 1u);
    EXPECT_EQ(client.walk(test::kBase, 100, 4).size(), 7u);
    client.set({{test::kSetpoint, Value::gauge32(42)}});
    EXPECT_EQ(client.get(Oid::parse("1.3.6.1.4.1.99999.9.0")).type(), ValueType::no_such_object);
    EXPECT_GE(recorder.datagrams().size(), 12u);
    recorder.write_pcap(pcap.string(), kShownPort);
  }
  const std::string decode =
      "tshark -r " + pcap.string() + " -d udp.port==" + std::to_string(kShownPort) + ",snmp";
  const auto malformed =
      test::run(decode + " -Y '!snmp || _ws.malformed || _ws.expert.severity >= error'");
  EXPECT_EQ(malformed.exit_code, 0) << malformed.err;
  EXPECT_EQ(malformed.out, "") << "tshark flagged packets:\n" << malformed.out;

  const auto fields = test::run(decode + " -T fields -e snmp.data -e snmp.community");
  EXPECT_EQ(fields.exit_code, 0) << fields.err;
  std::set<std::string> pdu_types;
  std::istringstream lines(fields.out);
  std::size_t packets = 0;
  for (std::string line; std::getline(lines, line); ++packets) {
    pdu_types.insert(line.substr(0, line.find('\t')));
    EXPECT_NE(line.find("private"), std::string::npos) << line;
  }
  EXPECT_GE(packets, 12u);
  // 0 get-request, 1 get-next-request, 2 get-response, 3 set-request, 5 getBulkRequest
  EXPECT_EQ(pdu_types, (std::set<std::string>{"0", "1", "2", "3", "5"})) << fields.out;

  const auto verbose = test::run(decode + " -V");
  EXPECT_NE(verbose.out.find("noSuchObject"), std::string::npos);
  EXPECT_NE(verbose.out.find("1.3.6.1.4.1.99999.1.7.0"), std::string::npos);
  std::filesystem::remove(pcap);
}

// The same filter must flag the agent's injected malformed answer (tshark shows it as a frame
// that is not SNMP), or the test above proves nothing.
TEST(TsharkSnmp, DissectorFlagsTheMalformedFault) {
  if (!test::have("tshark")) GTEST_SKIP() << "apt-get install -y tshark";
  test::Site site;
  const auto pcap = std::filesystem::temp_directory_path() /
                    ("ems_snmp_bad_" + std::to_string(::getpid()) + ".pcap");
  {
    test::UdpRecorder recorder(site.agent.port());
    SnmpClientConfig config = site.v2c();
    config.port = recorder.port();
    SnmpClient client(config);
    site.agent.set_fault({FaultPlan::Kind::malformed, {}});
    EXPECT_THROW(client.get(test::kPower), SnmpError);
    recorder.write_pcap(pcap.string(), 16161);
  }
  const auto flagged = test::run("tshark -r " + pcap.string() +
                                 " -d udp.port==16161,snmp -Y '!snmp || _ws.malformed'");
  EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_NE(flagged.out, "");
  if (::testing::Test::HasFailure())
    std::printf("kept %s\n", pcap.c_str());
  else
    std::filesystem::remove(pcap);
}

}  // namespace
}  // namespace ems::protocols::snmp
