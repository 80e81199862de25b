// HTTPS and mutual TLS with a throwaway PKI made by the openssl CLI at test time: a CA, a server
// certificate for 127.0.0.1 and a client certificate, all signed by that CA.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "site.hpp"

using namespace redfish_test;
namespace fs = std::filesystem;

namespace {

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ems-redfish-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    const std::string script =
        "cd '" + d +
        "' && "
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ems-test-ca "
        "-keyout ca.key -out ca.pem && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key "
        "-out server.csr && "
        "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.ext -out server.pem && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=gateway -keyout client.key "
        "-out client.csr && "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-out client.pem";
    ready_ = std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override {
    if (!ready_) GTEST_SKIP() << "openssl CLI could not make the test PKI";
  }
  static std::string file(const char* name) { return (dir_ / name).string(); }
  static rf::ServerTls server_tls(bool mutual) {
    return rf::ServerTls{file("server.pem"), file("server.key"), mutual ? file("ca.pem") : ""};
  }
  static inline fs::path dir_;
  static inline bool ready_ = false;
};

rf::ErrorKind kind_of(rf::RedfishClient& client) {
  try {
    client.get("/Chassis/1/Sensors/InletTemp");
  } catch (const rf::RedfishError& e) {
    return e.kind();
  }
  return rf::ErrorKind::invalid_argument;  // no error
}

}  // namespace

TEST_F(Tls, HttpsWithVerificationAgainstTheCa) {
  rf::RedfishService service(
      service_config([&](rf::RedfishServiceConfig& c) { c.tls = server_tls(false); }));
  build_gpu_site(service);
  service.start();
  EXPECT_EQ(service.base_url().substr(0, 8), "https://");
  auto config = client_config(service);
  config.tls.ca_cert_file = file("ca.pem");
  rf::RedfishClient client(config);
  EXPECT_EQ(client.read_value("/Chassis/1/Sensors/InletTemp", "/Reading"), rf::ScalarValue(24.5));
  client.patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 600);
  EXPECT_EQ(service.get(gpu_metrics(1), "/PowerLimitWatts/SetPoint"), rf::Json(600));
}

TEST_F(Tls, UntrustedCertificateIsATlsErrorUnlessVerificationIsOff) {
  rf::RedfishService service(
      service_config([&](rf::RedfishServiceConfig& c) { c.tls = server_tls(false); }));
  build_gpu_site(service);
  service.start();
  auto config = client_config(service);
  config.tls.ca_cert_file = file("client.pem");  // not the issuer of the server certificate
  rf::RedfishClient strict(config);
  EXPECT_EQ(kind_of(strict), rf::ErrorKind::tls);
  config.tls = {};
  config.tls.verify_peer = false;  // self-signed lab BMCs
  rf::RedfishClient lax(config);
  EXPECT_EQ(lax.read_value("/Chassis/1/Sensors/InletTemp", "/Reading"), rf::ScalarValue(24.5));
}

TEST_F(Tls, MutualTlsRequiresAClientCertificate) {
  rf::RedfishService service(
      service_config([&](rf::RedfishServiceConfig& c) { c.tls = server_tls(true); }));
  build_gpu_site(service);
  service.start();
  auto config = client_config(service);
  config.tls.ca_cert_file = file("ca.pem");
  rf::RedfishClient anonymous(config);
  const auto anonymous_kind = kind_of(anonymous);
  EXPECT_TRUE(anonymous_kind == rf::ErrorKind::tls || anonymous_kind == rf::ErrorKind::connection)
      << rf::to_string(anonymous_kind);
  config.tls.client_cert_file = file("client.pem");
  config.tls.client_key_file = file("client.key");
  rf::RedfishClient gateway(config);
  EXPECT_EQ(gateway.read_value("/Chassis/1/Sensors/InletTemp", "/Reading"), rf::ScalarValue(24.5));
}

TEST_F(Tls, MissingServerCertificateFailsAtStart) {
  rf::RedfishService service(service_config([&](rf::RedfishServiceConfig& c) {
    c.tls = rf::ServerTls{file("absent.pem"), file("absent.key"), ""};
  }));
  try {
    service.start();
    FAIL();
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::tls);
    EXPECT_NE(std::string(e.what()).find("absent.pem"), std::string::npos);
  }
}

TEST_F(Tls, HttpClientAgainstHttpsServiceFails) {
  rf::RedfishService service(
      service_config([&](rf::RedfishServiceConfig& c) { c.tls = server_tls(false); }));
  service.start();
  rf::RedfishClientConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(service.port());
  config.read_timeout = std::chrono::milliseconds(500);
  rf::RedfishClient client(config);
  EXPECT_THROW(client.get("/redfish/v1"), rf::RedfishError);
}
