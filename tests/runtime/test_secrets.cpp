#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/runtime/secrets.hpp"

namespace ems::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const SecretsError& e) {
    return e.what();
  }
  return "no error";
}

// A file in a fresh temporary directory, removed with the guard.
class TempFile {
 public:
  TempFile(const std::string& text, mode_t mode) {
    char dir[] = "/tmp/ems_secrets_XXXXXX";
    dir_ = ::mkdtemp(dir);
    path_ = dir_ + "/secrets.json";
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

constexpr const char* kFull = R"({
  "ups-v3": {"snmp": {"version": "v3", "user": "ems", "auth_protocol": "SHA-256",
                      "auth_password": "auth-secret-1", "priv_protocol": "AES",
                      "priv_password": "priv-secret-1"}},
  "pdu": {"snmp": {"version": "v2c", "read_community": "ro-secret"}},
  "bmc": {"redfish": {"user": "admin", "password": "pw-secret", "auth": "session",
                      "ca_file": "/etc/ems/ca.pem"},
          "snmp": {"read_community": "c1", "write_community": "c2"}}
})";

TEST(Secrets, ParsesEveryKindOfEntry) {
  auto s = Secrets::parse(kFull);
  EXPECT_EQ(s.size(), 3u);
  const auto* v3 = s.find("ups-v3");
  ASSERT_NE(v3, nullptr);
  ASSERT_TRUE(v3->snmp);
  EXPECT_FALSE(v3->redfish);
  EXPECT_EQ(v3->snmp->version, SnmpSecret::Version::v3);
  EXPECT_EQ(v3->snmp->user, "ems");
  EXPECT_EQ(v3->snmp->auth_protocol, "SHA-256");
  EXPECT_EQ(v3->snmp->auth_password, "auth-secret-1");
  EXPECT_EQ(v3->snmp->priv_protocol, "AES");
  EXPECT_EQ(v3->snmp->priv_password, "priv-secret-1");

  const auto* pdu = s.find("pdu");
  ASSERT_NE(pdu, nullptr);
  EXPECT_EQ(pdu->snmp->version, SnmpSecret::Version::v2c);
  EXPECT_EQ(pdu->snmp->read_community, "ro-secret");
  EXPECT_EQ(pdu->snmp->write_community, "ro-secret");  // defaults to the read community

  const auto* bmc = s.find("bmc");
  ASSERT_NE(bmc, nullptr);
  ASSERT_TRUE(bmc->redfish);
  EXPECT_EQ(bmc->redfish->user, "admin");
  EXPECT_EQ(bmc->redfish->password, "pw-secret");
  EXPECT_EQ(bmc->redfish->auth, RedfishSecret::Auth::session);
  EXPECT_EQ(bmc->redfish->ca_file, "/etc/ems/ca.pem");
  EXPECT_EQ(bmc->snmp->write_community, "c2");

  EXPECT_EQ(s.find("nobody"), nullptr);
}

TEST(Secrets, NormalizesProtocolAliasesToTheSnmpLibrarysNames) {
  auto s = Secrets::parse(R"({"a": {"snmp": {"version": "v3", "user": "u",
      "auth_protocol": "SHA1", "auth_password": "12345678",
      "priv_protocol": "AES-256", "priv_password": "abcdefgh"}},
    "b": {"snmp": {"version": "v3", "user": "u"}}})");
  EXPECT_EQ(s.find("a")->snmp->auth_protocol, "SHA");
  EXPECT_EQ(s.find("a")->snmp->priv_protocol, "AES-256");
  EXPECT_EQ(s.find("b")->snmp->auth_protocol, "none");
  EXPECT_EQ(s.find("b")->snmp->priv_protocol, "none");
}

TEST(Secrets, RedfishDefaultsToBasicWithoutCaFile) {
  auto s = Secrets::parse(R"({"r": {"redfish": {"user": "u", "password": "p"}}})");
  EXPECT_EQ(s.find("r")->redfish->auth, RedfishSecret::Auth::basic);
  EXPECT_FALSE(s.find("r")->redfish->ca_file);
}

TEST(Secrets, StrictErrorsNameEntryAndFieldButNeverAValue) {
  struct Case {
    const char* doc;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"e": {"snmp": {"read_community": "topsecret", "color": "x"}}})", "snmp.color"},
      {R"({"e": {"snmp": {"read_community": 5}}})", "snmp.read_community: must be a string"},
      {R"({"e": {"snmp": {"version": "topsecret"}}})", "snmp.version"},
      {R"({"e": {"snmp": {"version": "v2c"}}})", "snmp.read_community: is required"},
      {R"({"e": {"snmp": {"version": "v3", "user": "u", "auth_protocol": "MD5",
                          "auth_password": "topsecret"}}})",
       "snmp.auth_protocol"},
      {R"({"e": {"snmp": {"version": "v3", "user": "u", "auth_protocol": "SHA"}}})",
       "snmp.auth_password: is required"},
      {R"({"e": {"snmp": {"version": "v3", "user": "u", "auth_protocol": "SHA",
                          "auth_password": "short"}}})",
       "snmp.auth_password: needs at least 8"},
      {R"({"e": {"snmp": {"version": "v3", "user": "u", "priv_protocol": "AES",
                          "priv_password": "topsecret"}}})",
       "privacy needs auth_protocol"},
      {R"({"e": {"snmp": {"version": "v3", "user": "u", "auth_password": "topsecret"}}})",
       "snmp.auth_password: given without auth_protocol"},
      {R"({"e": {"redfish": {"user": "u"}}})", "redfish.password: is required"},
      {R"({"e": {"redfish": {"user": "u", "password": "topsecret", "auth": "digest"}}})",
       "redfish.auth"},
      {R"({"e": {"redfish": {"user": "u", "password": "topsecret", "token": "t"}}})",
       "redfish.token: unknown key"},
      {R"({"e": {"ssh": {}}})", ".ssh: unknown key"},
      {R"({"e": {}})", "holds neither"},
      {R"({"e": "topsecret"})", "must be an object"},
      {R"(["topsecret"])", "must be a JSON object"},
  };
  for (const auto& c : cases) {
    auto err = error_of([&] { Secrets::parse(c.doc, "site.json"); });
    EXPECT_THAT(err, HasSubstr(c.expected)) << c.doc;
    EXPECT_THAT(err, HasSubstr("site.json")) << c.doc;
    EXPECT_THAT(err, Not(HasSubstr("topsecret"))) << c.doc;
    if (std::string_view(c.doc).starts_with("{\"e\": {")) {
      EXPECT_THAT(err, HasSubstr("entry \"e\"")) << c.doc;
    }
  }
}

TEST(Secrets, InvalidJsonDoesNotEchoTheText) {
  auto err = error_of([] { Secrets::parse(R"({"e": {"snmp": {"read_community": "topsecret)"); });
  EXPECT_THAT(err, HasSubstr("not valid JSON"));
  EXPECT_THAT(err, Not(HasSubstr("topsecret")));
}

TEST(Secrets, NumberBeyondDoubleIsInvalidJsonNotACrash) {
  auto err = error_of([] { Secrets::parse(R"({"e": {"snmp": {"port": 1e999}}})"); });
  EXPECT_THAT(err, HasSubstr("not valid JSON"));
  EXPECT_THAT(err, HasSubstr("out of range"));
}

TEST(Secrets, LoadsAFileOfMode600Or400) {
  TempFile f600(kFull, 0600);
  EXPECT_EQ(Secrets::load(f600.path()).size(), 3u);
  TempFile f400(kFull, 0400);
  EXPECT_EQ(Secrets::load(f400.path()).size(), 3u);
}

TEST(Secrets, RefusesAFileGroupOrOthersCanAccess) {
  for (mode_t mode : {0640, 0604, 0644, 0660, 0602}) {
    TempFile f(kFull, mode);
    auto err = error_of([&] { Secrets::load(f.path()); });
    EXPECT_THAT(err, HasSubstr("group and others must have no access")) << std::oct << mode;
    EXPECT_THAT(err, HasSubstr("chmod 600")) << std::oct << mode;
    EXPECT_THAT(err, Not(HasSubstr("ro-secret")));
  }
}

TEST(Secrets, MissingFileIsAnErrorNamingThePath) {
  auto err = error_of([] { Secrets::load("/nonexistent/ems/secrets.json"); });
  EXPECT_THAT(err, HasSubstr("/nonexistent/ems/secrets.json"));
  EXPECT_THAT(err, HasSubstr("No such file"));
}

TEST(Secrets, FromEnvUnsetMeansNoSecretsAndSetMeansLoad) {
  ::unsetenv("EMS_SECRETS_PATH");
  EXPECT_TRUE(Secrets::from_env().empty());
  TempFile f(kFull, 0600);
  ::setenv("EMS_SECRETS_PATH", f.path().c_str(), 1);
  EXPECT_EQ(Secrets::from_env().size(), 3u);
  TempFile open(kFull, 0644);
  ::setenv("EMS_SECRETS_PATH", open.path().c_str(), 1);
  EXPECT_THROW(Secrets::from_env(), SecretsError);
  ::unsetenv("EMS_SECRETS_PATH");
}

}  // namespace
}  // namespace ems::runtime
