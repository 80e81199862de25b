// The redfish driver against libs/protocols' RedfishService (no auth, Basic, sessions).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "ems/protocols/redfish/service.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace rf = protocols::redfish;
using contract::PayloadType;
using contract::Protocol;
using contract::ValueType;

const char* kPower = "/Chassis/1/Power";
const char* kGpu = "/Systems/1/Processors/GPU_1/EnvironmentMetrics";

class RedfishDriverTest : public ::testing::Test {
 protected:
  void build(rf::RedfishService& s) {
    s.add_binding(kPower, "/PowerControl/0/PowerConsumedWatts", 5400.0);
    s.add_binding(kPower, "/PowerControl/0/Status/State", "Enabled");
    s.add_binding(kPower, "/PowerControl/0/Redundant", true);
    s.add_binding(kGpu, "/PowerLimitWatts/SetPoint", 700.0);
    s.add_binding(kGpu, "/TemperatureCelsius/Reading", 613);  // tenths
    s.set_writable(kGpu, "/PowerLimitWatts/SetPoint");
    s.on_patch([](const std::string&, const std::string&,
                  const rf::Json& v) -> std::optional<std::string> {
      if (!v.is_number() || v.get<double>() > 1000) return "value outside the allowed range";
      return std::nullopt;
    });
    s.start();
  }
  void SetUp() override {
    build(open_);
    build(locked_);
  }

  std::vector<contract::SourcePoint> points() const {
    return {
        point("power", {{"protocol", "redfish"},
                        {"uri", kPower},
                        {"json_pointer", "/PowerControl/0/PowerConsumedWatts"}}),
        point("state",
              {{"protocol", "redfish"},
               {"uri", kPower},
               {"json_pointer", "/PowerControl/0/Status/State"},
               {"value_map", {{"Enabled", "ENABLED"}, {"Disabled", "DISABLED"}}}},
              ValueType::Enum),
        point("redundant",
              {{"protocol", "redfish"},
               {"uri", kPower},
               {"json_pointer", "/PowerControl/0/Redundant"}},
              ValueType::Bool),
        point("limit", {{"protocol", "redfish"},
                        {"uri", kGpu},
                        {"json_pointer", "/PowerLimitWatts/SetPoint"}}),
        point("temp", {{"protocol", "redfish"},
                       {"uri", std::string("/redfish/v1") + kGpu},
                       {"json_pointer", "/TemperatureCelsius/Reading"},
                       {"scale", 0.1}}),
    };
  }
  void expect_values(const std::vector<PointReading>& r) const {
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(number(r[0]), 5400.0);
    EXPECT_EQ(label(r[1]), "ENABLED");
    EXPECT_EQ(flag(r[2]), true);
    EXPECT_EQ(number(r[3]), 700.0);
    EXPECT_NEAR(number(r[4]), 61.3, 1e-9);
  }
  contract::DeviceConnection conn(const rf::RedfishService& s,
                                  std::optional<std::string> credentials = std::nullopt) const {
    auto c = connection(Protocol::redfish, s.port());
    c.credentials = std::move(credentials);
    return c;
  }
  static runtime::Secrets secrets(const char* auth, const char* password = "s3cret-pw") {
    return runtime::Secrets::parse(
        std::string(R"({"bmc": {"redfish": {"user": "admin", "password": ")") + password +
        R"(", "auth": ")" + auth + R"("}}})");
  }
  static DriverOptions fast() {
    DriverOptions o;
    o.timeout = std::chrono::milliseconds(300);
    o.connect_timeout = std::chrono::milliseconds(300);
    return o;
  }

  rf::RedfishService open_;
  rf::RedfishService locked_{rf::RedfishServiceConfig{
      "127.0.0.1", 0, 4, rf::Credentials{"admin", "s3cret-pw"}, std::nullopt}};
};

TEST_F(RedfishDriverTest, OneGetPerResourceWithoutAuth) {
  auto d = make_driver(conn(open_), runtime::Secrets{}, fast());
  d->open();
  const auto before = open_.stats().requests;
  expect_values(d->read(points()));
  EXPECT_EQ(open_.stats().requests - before, 2u);  // two resources, five pointers
}

TEST_F(RedfishDriverTest, BasicAuthFromSecrets) {
  auto d = make_driver(conn(locked_, "bmc"), secrets("basic"), fast());
  d->open();
  expect_values(d->read(points()));
}

TEST_F(RedfishDriverTest, SessionAuthFromSecrets) {
  auto d = make_driver(conn(locked_, "bmc"), secrets("session"), fast());
  d->open();
  EXPECT_EQ(locked_.session_count(), 1u);
  expect_values(d->read(points()));
  locked_.end_all_sessions();  // the driver logs in again by itself
  expect_values(d->read(points()));
  d->close();
  EXPECT_EQ(locked_.session_count(), 0u);
}

TEST_F(RedfishDriverTest, WrongCredentialsAreRefused) {
  auto basic = make_driver(conn(locked_, "bmc"), secrets("basic", "wrong-pw"), fast());
  for (const auto& x : basic->read(points())) EXPECT_EQ(x.kind, ErrorKind::refused) << describe(x);
  auto session = make_driver(conn(locked_, "bmc"), secrets("session", "wrong-pw"), fast());
  EXPECT_EQ(kind_of([&] { session->open(); }), ErrorKind::refused);
  auto none = make_driver(conn(locked_), runtime::Secrets{}, fast());
  EXPECT_EQ(none->read(points())[0].kind, ErrorKind::refused);
}

TEST_F(RedfishDriverTest, PatchRoundTripAndRejectedValue) {
  auto d = make_driver(conn(locked_, "bmc"), secrets("session"), fast());
  auto limit = command(
      "limit",
      {{"protocol", "redfish"}, {"uri", kGpu}, {"json_pointer", "/PowerLimitWatts/SetPoint"}},
      PayloadType::Float, 0, 2000);
  d->write(limit, 550.0);
  EXPECT_EQ(locked_.get(kGpu, "/PowerLimitWatts/SetPoint"), rf::Json(550.0));
  EXPECT_EQ(number(d->read(std::vector{points()[3]})[0]), 550.0);
  EXPECT_EQ(kind_of([&] { d->write(limit, 1500.0); }), ErrorKind::bad_value);  // the BMC says 400
  EXPECT_EQ(locked_.get(kGpu, "/PowerLimitWatts/SetPoint"), rf::Json(550.0));
  auto readonly = command("ro", {{"protocol", "redfish"},
                                 {"uri", kPower},
                                 {"json_pointer", "/PowerControl/0/PowerConsumedWatts"}});
  EXPECT_EQ(kind_of([&] { d->write(readonly, 1.0); }), ErrorKind::refused);
}

TEST_F(RedfishDriverTest, MissingPointerFailsOnlyItsPoint) {
  auto d = make_driver(conn(open_), runtime::Secrets{}, fast());
  auto ps = points();
  ps.push_back(
      point("missing", {{"protocol", "redfish"}, {"uri", kPower}, {"json_pointer", "/Nope"}}));
  const auto r = d->read(ps);
  expect_values({r.begin(), r.begin() + 5});
  EXPECT_EQ(r[5].kind, ErrorKind::protocol) << describe(r[5]);
}

TEST_F(RedfishDriverTest, SilentServiceTimesOut) {
  auto d = make_driver(conn(open_), runtime::Secrets{}, fast());
  open_.set_fault({protocols::FaultPlan::Kind::silent});
  for (const auto& x : d->read(points())) {
    EXPECT_EQ(x.status, ReadStatus::timeout) << describe(x);
  }
  open_.set_fault({protocols::FaultPlan::Kind::malformed});
  EXPECT_EQ(d->read(points())[0].kind, ErrorKind::protocol);
  open_.set_fault({});
  expect_values(d->read(points()));
}

// HTTPS verified against the CA file the secrets entry names (a throwaway CA and a server
// certificate for 127.0.0.1, made by the openssl CLI).
TEST(RedfishDriver, HttpsVerifiesTheServiceAgainstTheSecretsCaFile) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ems-drivers-tls-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string script =
      "cd '" + dir.string() +
      "' && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=drivers-ca "
      "-keyout ca.key -out ca.pem && openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -CA ca.pem -CAkey ca.key "
      "-keyout bmc.key -out bmc.pem";
  if (std::system(("(" + script + ") >/dev/null 2>&1").c_str()) != 0) {
    fs::remove_all(dir);
    GTEST_SKIP() << "openssl CLI could not make the test certificates";
  }
  rf::RedfishService bmc(rf::RedfishServiceConfig{
      "127.0.0.1", 0, 2, rf::Credentials{"admin", "tls-pw"},
      rf::ServerTls{(dir / "bmc.pem").string(), (dir / "bmc.key").string(), ""}});
  bmc.add_binding(kPower, "/PowerControl/0/PowerConsumedWatts", 5400.0);
  bmc.start();
  auto c = connection(Protocol::redfish, bmc.port());
  c.scheme = "https";
  c.credentials = "bmc";
  const auto p = point("power", {{"protocol", "redfish"},
                                 {"uri", kPower},
                                 {"json_pointer", "/PowerControl/0/PowerConsumedWatts"}});
  auto with_ca = runtime::Secrets::parse(
      R"({"bmc": {"redfish": {"user": "admin", "password": "tls-pw", "ca_file": ")" +
      (dir / "ca.pem").string() + R"("}}})");
  EXPECT_EQ(number(make_driver(c, with_ca)->read(std::vector{p})[0]), 5400.0);
  // Without the CA file the system store cannot verify the service: a connection error.
  auto without_ca =
      runtime::Secrets::parse(R"({"bmc": {"redfish": {"user": "admin", "password": "tls-pw"}}})");
  EXPECT_EQ(make_driver(c, without_ca)->read(std::vector{p})[0].kind, ErrorKind::connection);
  bmc.stop();
  fs::remove_all(dir);
}

TEST(RedfishDriver, NoListenerIsAConnectionError) {
  auto d = make_driver(connection(Protocol::redfish, closed_port()), runtime::Secrets{});
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::connection);
  const auto r = d->read(
      std::vector{point("p", {{"protocol", "redfish"}, {"uri", kPower}, {"json_pointer", "/A"}})});
  EXPECT_EQ(r[0].kind, ErrorKind::connection) << describe(r[0]);
}

TEST(RedfishDriver, CredentialsWithoutARedfishEntryAreAConfigError) {
  auto c = connection(Protocol::redfish, 443);
  c.credentials = "ups";
  auto snmp_only = runtime::Secrets::parse(R"({"ups": {"snmp": {"read_community": "x"}}})");
  EXPECT_EQ(kind_of([&] { make_driver(c, snmp_only); }), ErrorKind::config);
}

}  // namespace
}  // namespace ems::drivers::test
