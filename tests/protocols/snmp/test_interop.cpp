// Integration (LABELS integration) with independent SNMP implementations: Debian's net-snmp
// command-line tools read and write OUR agent (v2c and v3 authPriv), and OUR client reads a
// private Debian snmpd started on a free loopback port with a generated configuration.
// Every tool's stderr must stay empty (no MIB warnings: numeric OIDs only).
#include <gtest/gtest.h>

#include "ems/protocols/snmp/error.hpp"
#include "process.hpp"
#include "site.hpp"

namespace ems::protocols::snmp {
namespace {

using test::run;

const std::string kV3Args =
    "-v3 -l authPriv -u ems-priv -a SHA-256 -A authpass-256 -x AES -X privpass-128";

// Lines that carry a value; snmpwalk adds an endOfMibView line when the agent's table ends
// inside the walked subtree, as ours does.
long value_lines(const std::string& out) {
  std::istringstream in(out);
  long n = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find(" = ") != std::string::npos &&
        line.find("No more variables") == std::string::npos)
      ++n;
  return n;
}

std::string target(const test::Site& site) {
  return "-On -t 1 -r 1 127.0.0.1:" + std::to_string(site.agent.port());
}

TEST(InteropTools, SnmpgetReadsOurAgentV2c) {
  if (!test::have("snmpget")) GTEST_SKIP() << "apt-get install -y snmp";
  test::Site site;
  const auto r = run("snmpget -v2c -c public " + target(site) + " " + test::kPower.str() + " " +
                     test::kEnergy.str() + " " + test::kBytes.str() + " " + test::kName.str() +
                     " " + test::kUptime.str() + " 1.3.6.1.4.1.99999.9.0");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(".1.3.6.1.4.1.99999.1.1.0 = INTEGER: -1500"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(".1.3.6.1.4.1.99999.1.2.0 = Gauge32: 1000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Counter64: 1099511627781"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("STRING: \"inverter-1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Timeticks: (360000)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(".1.3.6.1.4.1.99999.9.0 = No Such Object"), std::string::npos) << r.out;
}

TEST(InteropTools, SnmpwalkAndSnmpbulkwalkOurAgent) {
  if (!test::have("snmpwalk")) GTEST_SKIP() << "apt-get install -y snmp";
  test::Site site;
  for (const std::string tool : {"snmpwalk", "snmpbulkwalk"}) {
    const auto r = run(tool + " -v2c -c public " + target(site) + " " + test::kBase.str());
    EXPECT_EQ(r.exit_code, 0) << tool << ": " << r.err;
    EXPECT_EQ(r.err, "") << tool;
    EXPECT_EQ(value_lines(r.out), 7) << tool << ":\n" << r.out;
    EXPECT_NE(r.out.find("Counter32: 123456"), std::string::npos) << r.out;
  }
}

TEST(InteropTools, SnmpgetAndSnmpwalkOurAgentV3AuthPriv) {
  if (!test::have("snmpget")) GTEST_SKIP() << "apt-get install -y snmp";
  test::Site site;
  auto r = run("snmpget " + kV3Args + " " + target(site) + " " + test::kEnergy.str());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Gauge32: 1000"), std::string::npos) << r.out;
  r = run("snmpwalk " + kV3Args + " " + target(site) + " " + test::kBase.str());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(value_lines(r.out), 7) << r.out;
  r =
      run("snmpget -v3 -l authPriv -u ems-aes256 -a SHA -A authpass-sha1 -x AES-256 -X "
          "privpass-256 " +
          target(site) + " " + test::kName.str());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inverter-1"), std::string::npos) << r.out;
}

TEST(InteropTools, WrongV3PasswordIsAnAuthenticationFailure) {
  if (!test::have("snmpget")) GTEST_SKIP() << "apt-get install -y snmp";
  test::Site site;
  const auto r = run(
      "snmpget -v3 -l authPriv -u ems-priv -a SHA-256 -A wrong-password -x AES -X privpass-128 " +
      target(site) + " " + test::kEnergy.str());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("Authentication failure"), std::string::npos) << r.err;
  EXPECT_EQ(site.agent.stats().requests, 0u);
}

TEST(InteropTools, SnmpsetReachesTheModelAndReadOnlyIsNotWritable) {
  if (!test::have("snmpset")) GTEST_SKIP() << "apt-get install -y snmp";
  test::Site site;
  auto r = run("snmpset -v2c -c private " + target(site) + " " + test::kSetpoint.str() + " u 66 " +
               test::kName.str() + " s renamed");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(site.agent.table().get(test::kSetpoint), Value::gauge32(66));
  EXPECT_EQ(site.agent.table().get(test::kName), Value::octet_string("renamed"));
  EXPECT_EQ(site.sets.load(), 2);
  r = run("snmpset " + kV3Args + " " + target(site) + " " + test::kEnergy.str() + " u 1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("notWritable"), std::string::npos) << r.err;
}

// A private snmpd: generated configuration, persistent state in a temporary directory, loopback
// port found free, stopped (SIGTERM, then SIGKILL) when the test ends.
class PrivateSnmpd {
 public:
  PrivateSnmpd() : port_(test::free_udp_port()) {
    dir_ = std::filesystem::temp_directory_path() /
           ("ems_snmpd_" + std::to_string(::getpid()) + "_" + std::to_string(port_));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "snmpd.conf")
        << "rocommunity public 127.0.0.1\n"
        << "createUser ems-snmpd SHA-256 \"authpass-256\" AES \"privpass-128\"\n"
        << "rouser ems-snmpd priv\n"
        << "sysLocation ems-interop-lab\n"
        << "sysContact ems@example.org\n";
    child_ = std::make_unique<test::Child>("env MIBS= SNMP_PERSISTENT_DIR=" + dir_.string() +
                                           " snmpd -f -Lo -C -c " + (dir_ / "snmpd.conf").string() +
                                           " -I -smux udp:127.0.0.1:" + std::to_string(port_) +
                                           " >" + (dir_ / "snmpd.log").string() + " 2>&1");
  }
  ~PrivateSnmpd() {
    child_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::uint16_t port() const { return port_; }
  std::string log() const { return test::slurp(dir_ / "snmpd.log"); }

  // Bounded wait for the daemon to answer.
  bool wait_ready(SnmpClient& client) {
    for (int i = 0; i < 40 && child_->running(); ++i) {
      try {
        client.get(Oid::parse("1.3.6.1.2.1.1.6.0"));
        return true;
      } catch (const SnmpError&) {
      }
    }
    return false;
  }

 private:
  std::uint16_t port_;
  std::filesystem::path dir_;
  std::unique_ptr<test::Child> child_;
};

TEST(InteropSnmpd, OurClientReadsDebianSnmpdV2cAndV3) {
  if (!test::have("snmpd")) GTEST_SKIP() << "apt-get install -y snmpd";
  PrivateSnmpd snmpd;
  SnmpClientConfig v2c;
  v2c.port = snmpd.port();
  v2c.timeout = std::chrono::milliseconds(250);
  v2c.retries = 0;
  SnmpClient client(v2c);
  ASSERT_TRUE(snmpd.wait_ready(client)) << snmpd.log();

  const Oid sys_descr = Oid::parse("1.3.6.1.2.1.1.1.0");
  const Oid sys_uptime = Oid::parse("1.3.6.1.2.1.1.3.0");
  const Oid sys_location = Oid::parse("1.3.6.1.2.1.1.6.0");
  const auto got =
      client.get({sys_descr, sys_uptime, sys_location, Oid::parse("1.3.6.1.2.1.1.99.0")});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].value.type(), ValueType::octet_string);
  EXPECT_FALSE(got[0].value.as_string().empty());
  EXPECT_EQ(got[1].value.type(), ValueType::timeticks);
  EXPECT_EQ(got[2].value.as_string(), "ems-interop-lab");
  EXPECT_TRUE(got[3].value.is_exception()) << got[3].value.describe();

  const auto system = client.walk(Oid::parse("1.3.6.1.2.1.1"), 200, 10);
  EXPECT_GE(system.size(), 7u);
  for (std::size_t i = 1; i < system.size(); ++i) EXPECT_LT(system[i - 1].oid, system[i].oid);
  const auto next = client.get_next({sys_descr});
  EXPECT_GT(next.at(0).oid, sys_descr);

  SnmpClientConfig v3 = v2c;
  v3.version = SnmpVersion::v3;
  v3.timeout = std::chrono::milliseconds(1000);
  v3.user = {"ems-snmpd", AuthProtocol::sha256, "authpass-256", PrivProtocol::aes128,
             "privpass-128"};
  SnmpClient secure(v3);
  EXPECT_EQ(secure.get(sys_location).as_string(), "ems-interop-lab");
  EXPECT_GE(secure.walk(Oid::parse("1.3.6.1.2.1.1"), 200, 10).size(), 7u);

  // snmpd is read-only for this user: a SET comes back as an error-status, not a timeout.
  try {
    secure.set({{sys_location, Value::octet_string("x")}});
    ADD_FAILURE() << "read-only user wrote";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::error_status) << e.what();
  }

  SnmpClientConfig wrong = v3;
  wrong.user.name = "ems-snmpd-wrong";  // a fresh USM entry, so our keys are used
  wrong.user.auth_password = "not-the-password";
  SnmpClient rejected(wrong);
  try {
    rejected.get(sys_location);
    ADD_FAILURE() << "unknown user read snmpd";
  } catch (const SnmpError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::authentication) << e.what();
  }
}

}  // namespace
}  // namespace ems::protocols::snmp
