// Client <-> service over loopback HTTP: reads, pointer extraction, PATCH, ETags, errors.
#include <gtest/gtest.h>

#include "ems/protocols/redfish/message.hpp"
#include "site.hpp"

using namespace redfish_test;
using rf::Json;

namespace {

class RoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    build_gpu_site(service_, &patch_calls_);
    service_.start();
  }
  rf::RedfishService service_;
  std::atomic<int> patch_calls_{0};
};

rf::RedfishError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rf::RedfishError& e) {
    return e;
  }
  ADD_FAILURE() << "no RedfishError thrown";
  return rf::RedfishError(rf::ErrorKind::connection, "none");
}

}  // namespace

TEST_F(RoundTrip, ServiceRootAndCollections) {
  rf::RedfishClient client(client_config(service_));
  const Json root = client.get("/redfish/v1").body;
  EXPECT_EQ(root["@odata.id"], "/redfish/v1");
  EXPECT_EQ(root["Chassis"]["@odata.id"], "/redfish/v1/Chassis");
  const Json chassis = client.get("/Chassis").body;
  EXPECT_EQ(chassis["Members"][0]["@odata.id"], "/redfish/v1/Chassis/1");
  const Json version = client.get("/redfish/v1/Chassis/1").body;
  EXPECT_EQ(version["Power"]["@odata.id"], "/redfish/v1/Chassis/1/Power");
}

TEST_F(RoundTrip, ReadsValuesByPointer) {
  rf::RedfishClient client(client_config(service_));
  EXPECT_EQ(client.read_value("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts"),
            rf::ScalarValue(5400.0));
  EXPECT_EQ(client.read_value("/Chassis/1/Sensors/InletTemp", "/Reading"), rf::ScalarValue(24.5));
  EXPECT_EQ(client.read_value("/Chassis/1/Power", "/Id"), rf::ScalarValue(std::string("Power")));
  service_.set("/Chassis/1/Thermal", "/Fans/0/Reading", 77.5);
  EXPECT_EQ(client.read_value("/Chassis/1/Thermal", "/Fans/0/Reading"), rf::ScalarValue(77.5));

  const auto e = error_of([&] { client.read_value("/Chassis/1/Power", "/PowerControl/0/Nope"); });
  EXPECT_EQ(e.kind(), rf::ErrorKind::missing_pointer);
  EXPECT_NE(std::string(e.what()).find("/redfish/v1/Chassis/1/Power"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("/PowerControl/0/Nope"), std::string::npos);
}

TEST_F(RoundTrip, UnknownUriIs404WithRedfishError) {
  rf::RedfishClient client(client_config(service_));
  const auto e = error_of([&] { client.get("/Chassis/2/Power"); });
  EXPECT_EQ(e.kind(), rf::ErrorKind::http_status);
  EXPECT_EQ(e.http_status(), 404);
  EXPECT_NE(std::string(e.what()).find("ResourceMissingAtURI"), std::string::npos) << e.what();
  EXPECT_EQ(error_of([&] { client.get("/redfish/v2"); }).http_status(), 404);
}

TEST_F(RoundTrip, PatchOfALimitCallsTheHandlerAndChangesTheValue) {
  rf::RedfishClient client(client_config(service_));
  const std::string uri = gpu_metrics(1);
  const Json answer = client.patch_value(uri, "/PowerLimitWatts/SetPoint", 700.0);
  EXPECT_EQ(answer["PowerLimitWatts"]["SetPoint"], 700.0);
  EXPECT_EQ(patch_calls_.load(), 1);
  EXPECT_EQ(client.read_value(uri, "/PowerLimitWatts/SetPoint"), rf::ScalarValue(700.0));
  EXPECT_EQ(service_.get(uri, "/PowerLimitWatts/SetPoint"), Json(700.0));
  // The other GPU is untouched.
  EXPECT_EQ(client.read_value(gpu_metrics(2), "/PowerLimitWatts/SetPoint"),
            rf::ScalarValue(1000.0));

  // Array element: DSP0266 PATCH with the element as an object.
  client.patch_value("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts", 900);
  EXPECT_EQ(client.read_value("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts"),
            rf::ScalarValue(900.0));
  EXPECT_EQ(client.read_value("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts"),
            rf::ScalarValue(5400.0));
  EXPECT_EQ(service_.stats().patches_applied, 2u);
}

TEST_F(RoundTrip, OutOfRangeIsRejectedAndChangesNothing) {
  rf::RedfishClient client(client_config(service_));
  const auto e =
      error_of([&] { client.patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 50); });
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_NE(std::string(e.what()).find("PropertyValueOutOfRange"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("200..1000"), std::string::npos) << e.what();
  EXPECT_EQ(service_.get(gpu_metrics(1), "/PowerLimitWatts/SetPoint"), Json(1000.0));
}

TEST_F(RoundTrip, NotWritablePropertyIsRejectedWithRedfishErrorBody) {
  rf::RedfishClient client(client_config(service_));
  const auto e = error_of(
      [&] { client.patch_value("/Chassis/1/Power", "/PowerControl/0/PowerConsumedWatts", 1); });
  EXPECT_EQ(e.http_status(), 400);
  EXPECT_NE(std::string(e.what()).find("Base.1.15.0.PropertyNotWritable"), std::string::npos)
      << e.what();
  EXPECT_EQ(patch_calls_.load(), 0);
  // A mixed body changes nothing either.
  const Json mixed = Json::parse(
      R"({"PowerControl":[{"PowerConsumedWatts":1,"PowerLimit":{"LimitInWatts":500}}]})");
  EXPECT_EQ(error_of([&] { client.patch("/Chassis/1/Power", mixed); }).http_status(), 400);
  EXPECT_EQ(service_.get("/Chassis/1/Power", "/PowerControl/0/PowerLimit/LimitInWatts"),
            Json(8000.0));
  // Unknown property and malformed bodies.
  EXPECT_NE(
      std::string(error_of([&] { client.patch_value("/Chassis/1/Power", "/Bogus", 1); }).what())
          .find("PropertyUnknown"),
      std::string::npos);
  EXPECT_EQ(error_of([&] { client.patch("/Chassis/1/Power", Json::object()); }).http_status(), 400);
  EXPECT_EQ(error_of([&] { client.patch("/Chassis/9", Json{{"A", 1}}); }).http_status(), 404);
}

TEST_F(RoundTrip, ErrorBodyIsRedfishShaped) {
  const Json body =
      rf::error_body({rf::base_message("PropertyNotWritable", "read only", {"X"}, "/X")});
  EXPECT_EQ(body["error"]["code"], "Base.1.15.0.PropertyNotWritable");
  EXPECT_EQ(body["error"]["@Message.ExtendedInfo"][0]["RelatedProperties"][0], "#/X");
  EXPECT_EQ(rf::error_summary(body.dump()), "Base.1.15.0.PropertyNotWritable: read only");
  EXPECT_EQ(rf::error_summary("not json"), "");
  EXPECT_EQ(rf::error_summary(R"({"error":{"code":7}})"), "");
}

TEST_F(RoundTrip, ETagsAndIfMatch) {
  rf::RedfishClient client(client_config(service_));
  const rf::Resource first = client.get(gpu_metrics(1));
  ASSERT_TRUE(first.etag.has_value());
  client.patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 800, first.etag);
  // The ETag moved on: a PATCH based on the stale read is refused.
  const auto e = error_of(
      [&] { client.patch_value(gpu_metrics(1), "/PowerLimitWatts/SetPoint", 900, first.etag); });
  EXPECT_EQ(e.http_status(), 412);
  EXPECT_EQ(service_.get(gpu_metrics(1), "/PowerLimitWatts/SetPoint"), Json(800));
  service_.set(gpu_metrics(1), "/PowerWatts/Reading", 1.0);
  EXPECT_NE(client.get(gpu_metrics(1)).etag, first.etag);
}

TEST_F(RoundTrip, FetchManyFetchesEachUriOncePerCycle) {
  rf::RedfishClient client(client_config(service_));
  const std::vector<std::string> bindings = {"/Chassis/1/Power", "/Chassis/1/Power",
                                             gpu_metrics(1),     gpu_metrics(1),
                                             gpu_metrics(2),     "/Chassis/404"};
  const auto before = service_.stats().requests;
  const auto cycle = client.fetch_many(bindings);
  EXPECT_EQ(service_.stats().requests - before, 4u);
  ASSERT_EQ(cycle.size(), 4u);
  EXPECT_TRUE(cycle.at("/Chassis/1/Power").ok());
  EXPECT_EQ(cycle.at(gpu_metrics(2)).resource->body["PowerWatts"]["Reading"], 602.0);
  ASSERT_FALSE(cycle.at("/Chassis/404").ok());
  EXPECT_EQ(cycle.at("/Chassis/404").error->http_status(), 404);
}

TEST(RoundTripConfig, RejectsBadBaseUrls) {
  for (const char* bad : {"", "ftp://x:1", "http://", "http://a:b", "http://host:80/redfish"}) {
    rf::RedfishClientConfig config;
    config.base_url = bad;
    EXPECT_THROW(rf::RedfishClient{config}, rf::RedfishError) << bad;
  }
}

TEST(RoundTripConfig, ConnectionRefusedIsAConnectionError) {
  rf::RedfishService service;
  service.start();
  const std::uint16_t port = service.port();
  service.stop();
  rf::RedfishClientConfig config;
  config.base_url = "http://127.0.0.1:" + std::to_string(port);
  config.connect_timeout = std::chrono::milliseconds(500);
  rf::RedfishClient client(config);
  try {
    client.get("/Chassis");
    FAIL();
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::connection) << e.what();
  }
}
