// Pure helpers: RFC 6901 extraction, auto-creating writes, PATCH bodies and URI normalization.
#include <gtest/gtest.h>

#include "ems/protocols/redfish/error.hpp"
#include "ems/protocols/redfish/json_pointer.hpp"
#include "ems/protocols/redfish/uri.hpp"

namespace rf = ems::protocols::redfish;
using rf::Json;

namespace {

rf::ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rf::RedfishError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no RedfishError thrown";
  return rf::ErrorKind::connection;
}

const Json kPower = Json::parse(R"({
  "PowerControl": [{"PowerConsumedWatts": 5400, "PowerLimit": {"LimitInWatts": 8000.5}}],
  "Status": {"State": "Enabled", "Healthy": true},
  "a/b": {"m~n": 7},
  "Nothing": null
})");

}  // namespace

TEST(JsonPointer, ExtractsNumbersStringsAndBools) {
  EXPECT_EQ(rf::extract_scalar(kPower, "u", "/PowerControl/0/PowerConsumedWatts"),
            rf::ScalarValue(5400.0));
  EXPECT_EQ(rf::extract_scalar(kPower, "u", "/PowerControl/0/PowerLimit/LimitInWatts"),
            rf::ScalarValue(8000.5));
  EXPECT_EQ(rf::extract_scalar(kPower, "u", "/Status/State"),
            rf::ScalarValue(std::string("Enabled")));
  EXPECT_EQ(rf::extract_scalar(kPower, "u", "/Status/Healthy"), rf::ScalarValue(true));
  EXPECT_EQ(rf::extract_scalar(kPower, "u", "/a~1b/m~0n"), rf::ScalarValue(7.0));
}

TEST(JsonPointer, MissingPointerNamesUriAndPointer) {
  try {
    rf::extract_scalar(kPower, "/redfish/v1/Chassis/1/Power", "/PowerControl/1/PowerConsumedWatts");
    FAIL() << "expected an error";
  } catch (const rf::RedfishError& e) {
    EXPECT_EQ(e.kind(), rf::ErrorKind::missing_pointer);
    EXPECT_NE(std::string(e.what()).find("/redfish/v1/Chassis/1/Power"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("/PowerControl/1/PowerConsumedWatts"), std::string::npos);
  }
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/PowerControl/x"); }),
            rf::ErrorKind::missing_pointer);
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/PowerControl/00"); }),
            rf::ErrorKind::missing_pointer);
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/Status/State/x"); }),
            rf::ErrorKind::missing_pointer);
}

TEST(JsonPointer, ContainersAndNullAreNotScalars) {
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/PowerControl"); }),
            rf::ErrorKind::not_scalar);
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/Status"); }), rf::ErrorKind::not_scalar);
  EXPECT_EQ(kind_of([] { rf::extract_scalar(kPower, "u", "/Nothing"); }),
            rf::ErrorKind::not_scalar);
}

TEST(JsonPointer, RejectsMalformedPointers) {
  EXPECT_EQ(kind_of([] { rf::split_pointer("Status"); }), rf::ErrorKind::invalid_argument);
  EXPECT_EQ(kind_of([] { rf::split_pointer("/a~2"); }), rf::ErrorKind::invalid_argument);
  EXPECT_EQ(kind_of([] { rf::split_pointer("/a~"); }), rf::ErrorKind::invalid_argument);
  EXPECT_EQ(rf::split_pointer("/a~1b/~0/"), (std::vector<std::string>{"a/b", "~", ""}));
  EXPECT_EQ(rf::join_pointer({"a/b", "~", "0"}), "/a~1b/~0/0");
}

TEST(JsonPointer, AssignCreatesObjectsAndPaddedArrays) {
  Json doc;
  rf::assign_at(doc, "/Fans/2/Reading", 40);
  rf::assign_at(doc, "/Oem/Nvidia/ThrottleReasons/0", "NA");
  EXPECT_EQ(doc, Json::parse(R"({"Fans":[{},{},{"Reading":40}],
                                 "Oem":{"Nvidia":{"ThrottleReasons":["NA"]}}})"));
  rf::assign_at(doc, "/Fans/0/Reading", 10);
  EXPECT_EQ(doc["Fans"][0]["Reading"], 10);
  EXPECT_EQ(kind_of([&] { rf::assign_at(doc, "/Fans/2/Reading/x", 1); }),
            rf::ErrorKind::invalid_argument);
  EXPECT_EQ(kind_of([&] { rf::assign_at(doc, "/Fans/x", 1); }), rf::ErrorKind::invalid_argument);
}

TEST(JsonPointer, PatchBodyUsesEmptyObjectsForUnchangedArrayElements) {
  EXPECT_EQ(rf::patch_body_for("/PowerControl/0/PowerLimit/LimitInWatts", 500),
            Json::parse(R"({"PowerControl":[{"PowerLimit":{"LimitInWatts":500}}]})"));
  EXPECT_EQ(rf::patch_body_for("/PowerControl/2/PowerLimit/LimitInWatts", 500),
            Json::parse(R"({"PowerControl":[{},{},{"PowerLimit":{"LimitInWatts":500}}]})"));
  EXPECT_EQ(rf::patch_body_for("/PowerLimitWatts/SetPoint", 700.0),
            Json::parse(R"({"PowerLimitWatts":{"SetPoint":700.0}})"));
  EXPECT_EQ(kind_of([] { rf::patch_body_for("", 1); }), rf::ErrorKind::invalid_argument);
}

TEST(JsonPointer, PatchLeavesInvertPatchBodies) {
  for (const char* pointer : {"/PowerControl/2/PowerLimit/LimitInWatts", "/a~1b/c", "/X"}) {
    const auto leaves = rf::patch_leaves(rf::patch_body_for(pointer, 1));
    ASSERT_EQ(leaves.size(), 1u) << pointer;
    EXPECT_EQ(leaves[0].first, pointer);
    EXPECT_EQ(leaves[0].second, 1);
  }
  const auto leaves =
      rf::patch_leaves(Json::parse(R"({"A":{"B":1,"C":null},"D":[{},{"E":"x"}],"F":{}})"));
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].first, "/A/B");
  EXPECT_EQ(leaves[1].first, "/A/C");
  EXPECT_TRUE(leaves[1].second.is_null());
  EXPECT_EQ(leaves[2].first, "/D/1/E");
}

TEST(Uri, NormalizesRelativeAndAbsoluteForms) {
  EXPECT_EQ(rf::normalize_uri("/Chassis/1/Power"), "/redfish/v1/Chassis/1/Power");
  EXPECT_EQ(rf::normalize_uri("Chassis/1/Power/"), "/redfish/v1/Chassis/1/Power");
  EXPECT_EQ(rf::normalize_uri("/redfish/v1/Chassis/1/Power"), "/redfish/v1/Chassis/1/Power");
  EXPECT_EQ(rf::normalize_uri("/redfish/v1/"), "/redfish/v1");
  EXPECT_EQ(rf::normalize_uri(""), "/redfish/v1");
  EXPECT_EQ(rf::normalize_uri("/redfish/v10"), "/redfish/v1/redfish/v10");
  for (const char* bad : {"/Chassis//1", "/Chassis/../x", "/Chassis?$expand=*", "/a#b"})
    EXPECT_EQ(kind_of([&] { rf::normalize_uri(bad); }), rf::ErrorKind::invalid_argument) << bad;
  EXPECT_EQ(rf::parent_uri("/redfish/v1/Chassis/1"), "/redfish/v1/Chassis");
  EXPECT_EQ(rf::parent_uri("/redfish/v1"), "");
  EXPECT_EQ(rf::last_segment("/redfish/v1/Chassis/1"), "1");
}
