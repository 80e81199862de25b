// Payload codecs (CONTRACT.md section 3): round trips and strict decoding with JSON paths.
#include "ems/contract/payload.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

using ::testing::HasSubstr;

constexpr const char* kTs = "2026-11-26T07:05:11.123Z";
constexpr const char* kUuid = "3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f708192";
const Timestamp kTime = parse_timestamp(kTs);

// ---- encode: exact compact output ----

TEST(PayloadEncode, ExactCompactJson) {
  EXPECT_EQ(encode(FloatSample{kTime, 1.5}), R"({"ts":"2026-11-26T07:05:11.123Z","value":1.5})");
  EXPECT_EQ(encode(FloatSample{kTime, -2}), R"({"ts":"2026-11-26T07:05:11.123Z","value":-2.0})");
  EXPECT_EQ(encode(BooleanSample{kTime, true}),
            R"({"ts":"2026-11-26T07:05:11.123Z","value":true})");
  EXPECT_EQ(encode(EnumSample{kTime, "ONLINE"}),
            R"({"ts":"2026-11-26T07:05:11.123Z","value":"ONLINE"})");
  EXPECT_EQ(encode(EnumSample{kTime, "say \"hi\"\n"}),
            R"({"ts":"2026-11-26T07:05:11.123Z","value":"say \"hi\"\n"})");
  EXPECT_EQ(encode(TriggerSample{kTime}), R"({"ts":"2026-11-26T07:05:11.123Z"})");
  EXPECT_EQ(encode(CommandPayload{kTime, kUuid, 5000.0}),
            R"({"ts":"2026-11-26T07:05:11.123Z","value":5000.0,"command_id":")" +
                std::string(kUuid) + R"("})");
  EXPECT_EQ(encode(CommandPayload{kTime, kUuid, Trigger{}}),
            R"({"ts":"2026-11-26T07:05:11.123Z","command_id":")" + std::string(kUuid) + R"("})");
  EXPECT_EQ(encode(Ack{kTime, kUuid, AckState::rejected, "above max 5000"}),
            R"({"ts":"2026-11-26T07:05:11.123Z","command_id":")" + std::string(kUuid) +
                R"(","state":"rejected","reason":"above max 5000"})");
  EXPECT_EQ(encode(Ack{kTime, kUuid, AckState::received, std::nullopt}),
            R"({"ts":"2026-11-26T07:05:11.123Z","command_id":")" + std::string(kUuid) +
                R"(","state":"received"})");
  EXPECT_EQ(encode(TopologyChanged{kTime, "1.12.0"}),
            R"({"ts":"2026-11-26T07:05:11.123Z","version":"1.12.0"})");
  EXPECT_EQ(encode(ServiceStatus{kTime, ServiceState::offline}),
            R"({"ts":"2026-11-26T07:05:11.123Z","value":"OFFLINE"})");
}

TEST(PayloadEncode, RefusesWhatADecoderWouldReject) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::function<std::string()> encode_it;
    std::string path;
  };
  const std::vector<Case> cases = {
      {[&] {
         return encode(FloatSample{kTime, nan});
       },
       "/value"},
      {[&] {
         return encode(FloatSample{kTime, -inf});
       },
       "/value"},
      {[&] {
         return encode(EnumSample{kTime, ""});
       },
       "/value"},
      {[&] {
         return encode(CommandPayload{kTime, kUuid, inf});
       },
       "/value"},
      {[&] {
         return encode(CommandPayload{kTime, "not-a-uuid", true});
       },
       "/command_id"},
      {[&] {
         return encode(CommandPayload{kTime, kUuid, std::string()});
       },
       "/value"},
      {[&] {
         return encode(Ack{kTime, "", AckState::done, std::nullopt});
       },
       "/command_id"},
      {[&] {
         return encode(Ack{kTime, kUuid, AckState::failed, ""});
       },
       "/reason"},
      {[&] {
         return encode(Ack{kTime, kUuid, static_cast<AckState>(9), {}});
       },
       "/state"},
      {[&] {
         return encode(TopologyChanged{kTime, "1.2"});
       },
       "/version"},
      {[&] {
         return encode(ServiceStatus{kTime, static_cast<ServiceState>(5)});
       },
       "/value"},
      {[&] { return encode(TriggerSample{Timestamp{std::chrono::milliseconds{-62167219200001}}}); },
       ""},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    try {
      cases[i].encode_it();
      ADD_FAILURE() << "encoded";
    } catch (const ContractError& e) {
      EXPECT_EQ(e.issues().at(0).path, cases[i].path);
    }
  }
}

// ---- round trips ----

TEST(PayloadRoundTrip, EverySchema) {
  for (double v : {0.0, -0.0, 1.5, -273.15, 1e-300, 1.7976931348623157e308, 0.1 + 0.2,
                   123456789.123456789, 5e-324}) {
    FloatSample s{kTime, v};
    FloatSample back = decode_float_sample(encode(s));
    EXPECT_EQ(back, s) << v;
    EXPECT_EQ(std::signbit(back.value), std::signbit(v)) << v;
  }
  for (bool v : {true, false}) {
    BooleanSample s{kTime, v};
    EXPECT_EQ(decode_boolean_sample(encode(s)), s);
  }
  for (const char* label : {"ONLINE", "DEGRADED", "Tap 3", "ü-ñ ✓", "a\"b\\c"}) {
    EnumSample s{kTime, label};
    EXPECT_EQ(decode_enum_sample(encode(s)), s) << label;
  }
  TriggerSample t{Timestamp{std::chrono::milliseconds{0}}};
  EXPECT_EQ(decode_trigger_sample(encode(t)), t);

  const std::vector<CommandValue> values = {42.25, true, false, std::string("AUTO"), Trigger{}};
  for (const auto& v : values) {
    CommandPayload c{kTime, kUuid, v};
    EXPECT_EQ(decode_command(encode(c)), c) << v.index();
    EXPECT_EQ(decode_command(encode(c), c.payload_type()), c) << v.index();
  }
  for (auto state : {AckState::received, AckState::accepted, AckState::done, AckState::failed,
                     AckState::rejected, AckState::timeout}) {
    Ack a{kTime, kUuid, state, std::nullopt};
    EXPECT_EQ(decode_ack(encode(a)), a);
    a.reason = "device said no";
    EXPECT_EQ(decode_ack(encode(a)), a);
  }
  TopologyChanged tc{kTime, "10.0.3"};
  EXPECT_EQ(decode_topology_changed(encode(tc)), tc);
  for (auto st : {ServiceState::online, ServiceState::offline}) {
    ServiceStatus s{kTime, st};
    EXPECT_EQ(decode_service_status(encode(s)), s);
  }
}

TEST(PayloadDecode, AcceptsOtherPublishersFormatting) {
  // Key order, whitespace, integer numbers, a "+00:00" timestamp and uppercase UUIDs are fine.
  auto s = decode_float_sample(R"( { "value" : 7 , "ts" : "2026-11-26T07:05:11.123+00:00" } )");
  EXPECT_EQ(s, (FloatSample{kTime, 7.0}));
  auto c = decode_command(
      R"({"command_id":"3F2B8C1E-9A4D-4C7E-8B1A-2D5E6F708192","ts":"2026-11-26T07:05:11Z"})");
  EXPECT_EQ(c.payload_type(), PayloadType::Trigger);
  EXPECT_EQ(c.command_id, "3F2B8C1E-9A4D-4C7E-8B1A-2D5E6F708192");
  EXPECT_EQ(decode_float_sample(R"({"ts":"2026-11-26T07:05:11.123Z","value":-1.5e3})").value,
            -1500.0);
}

TEST(PayloadDecode, CommandInfersItsPayloadType) {
  auto with = [](const std::string& value_json) {
    return std::string(R"({"ts":"2026-11-26T07:05:11.123Z","command_id":")") + kUuid + "\"" +
           value_json + "}";
  };
  EXPECT_EQ(decode_command(with(R"(,"value":3)")).payload_type(), PayloadType::Float);
  EXPECT_EQ(decode_command(with(R"(,"value":false)")).payload_type(), PayloadType::Bool);
  EXPECT_EQ(decode_command(with(R"(,"value":"AUTO")")).payload_type(), PayloadType::Enum);
  EXPECT_EQ(decode_command(with("")).payload_type(), PayloadType::Trigger);
  EXPECT_EQ(std::get<double>(decode_command(with(R"(,"value":3)")).value), 3.0);
  EXPECT_EQ(std::get<std::string>(decode_command(with(R"(,"value":"AUTO")")).value), "AUTO");

  struct Mismatch {
    std::string value_json;
    PayloadType expected;
    std::string message_part;
  };
  const std::vector<Mismatch> mismatches = {
      {R"(,"value":true)", PayloadType::Float, "expected a number (float command), got boolean"},
      {R"(,"value":"1")", PayloadType::Float, "expected a number (float command), got string"},
      {R"(,"value":1)", PayloadType::Bool, "expected a boolean (bool command), got number"},
      {R"(,"value":1)", PayloadType::Enum, "expected a label string (enum command), got number"},
      {R"(,"value":1)", PayloadType::Trigger, "expected no value (trigger command), got number"},
      {"", PayloadType::Float, "is required: expected a number (float command)"},
  };
  for (const auto& m : mismatches) {
    SCOPED_TRACE(m.value_json + " as " + std::string(to_string(m.expected)));
    try {
      decode_command(with(m.value_json), m.expected);
      ADD_FAILURE() << "accepted";
    } catch (const ContractError& e) {
      ASSERT_EQ(e.issues().size(), 1u) << e.what();
      EXPECT_EQ(e.issues()[0].path, "/value");
      EXPECT_THAT(e.issues()[0].message, HasSubstr(m.message_part));
    }
  }
}

TEST(PayloadSample, UntypedSampleMatchesTheTypedCodecs) {
  EXPECT_EQ(encode(Sample{kTime, 1.5}), encode(FloatSample{kTime, 1.5}));
  EXPECT_EQ(encode(Sample{kTime, true}), encode(BooleanSample{kTime, true}));
  EXPECT_EQ(encode(Sample{kTime, std::string("ON")}), encode(EnumSample{kTime, "ON"}));
  EXPECT_EQ(encode(Sample{kTime, Trigger{}}), encode(TriggerSample{kTime}));

  EXPECT_EQ(decode_sample(encode(FloatSample{kTime, -3.25})), (Sample{kTime, -3.25}));
  EXPECT_EQ(decode_sample(encode(BooleanSample{kTime, false})), (Sample{kTime, false}));
  EXPECT_EQ(decode_sample(encode(EnumSample{kTime, "DEGRADED"})).type(), PayloadType::Enum);
  EXPECT_EQ(decode_sample(encode(TriggerSample{kTime})).type(), PayloadType::Trigger);
  EXPECT_EQ(decode_sample(encode(FloatSample{kTime, 2}), PayloadType::Float).type(),
            PayloadType::Float);

  EXPECT_THROW(encode(Sample{kTime, std::numeric_limits<double>::infinity()}), ContractError);
  // A command is not a sample: command_id is an unknown key here.
  EXPECT_THROW(decode_sample(encode(CommandPayload{kTime, kUuid, 1.0})), ContractError);
}

TEST(PayloadSample, DeclaredTypeIsEnforcedWithOneIssue) {
  struct Case {
    std::string json;
    PayloadType expected;
    std::string message;
  };
  const std::string ts = R"({"ts":"2026-11-26T07:05:11.123Z")";
  const std::vector<Case> cases = {
      {ts + R"(,"value":"ON"})", PayloadType::Float,
       "expected a number (float sample), got string"},
      {ts + R"(,"value":1})", PayloadType::Bool, "expected a boolean (bool sample), got number"},
      {ts + "}", PayloadType::Enum, "is required: expected a label string (enum sample)"},
      {ts + R"(,"value":false})", PayloadType::Trigger,
       "expected no value (trigger sample), got boolean"},
      {ts + R"(,"value":null})", PayloadType::Bool,
       "expected a number, a boolean or a string, got null"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.json);
    try {
      decode_sample(c.json, c.expected);
      ADD_FAILURE() << "accepted";
    } catch (const ContractError& e) {
      ASSERT_EQ(e.issues().size(), 1u) << e.what();
      EXPECT_EQ(e.issues()[0].path, "/value");
      EXPECT_EQ(e.issues()[0].message, c.message);
    }
  }
}

// ---- strictness, table-driven: decoder, input, expected path, message part ----

using Decoder = std::function<void(std::string_view)>;
struct Invalid {
  const char* schema;
  Decoder decode;
  std::string json;
  std::string path;
  std::string message_part;
};

std::vector<Invalid> invalid_payloads() {
  const Decoder f = [](std::string_view j) { decode_float_sample(j); };
  const Decoder b = [](std::string_view j) { decode_boolean_sample(j); };
  const Decoder e = [](std::string_view j) { decode_enum_sample(j); };
  const Decoder t = [](std::string_view j) { decode_trigger_sample(j); };
  const Decoder c = [](std::string_view j) { decode_command(j); };
  const Decoder a = [](std::string_view j) { decode_ack(j); };
  const Decoder v = [](std::string_view j) { decode_topology_changed(j); };
  const Decoder s = [](std::string_view j) { decode_service_status(j); };
  const std::string ts = R"("ts":"2026-11-26T07:05:11.123Z")";
  const std::string id = std::string(R"("command_id":")") + kUuid + "\"";
  return {
      // document level
      {"float", f, "", "", "invalid JSON at byte"},
      {"float", f, "{", "", "invalid JSON at byte"},
      {"float", f, "{" + ts + R"(,"value":1.0} x)", "", "invalid JSON"},
      {"float", f, "[1,2]", "", "FloatSample: expected a JSON object, got array"},
      {"float", f, "1.5", "", "expected a JSON object, got number"},
      {"float", f, "null", "", "expected a JSON object, got null"},
      {"float", f, "{" + ts + R"(,"value":NaN})", "", "invalid JSON"},
      {"float", f, "{" + ts + R"(,"value":Infinity})", "", "invalid JSON"},
      {"enum", e, "{" + ts + ",\"value\":\"\xff\"}", "", "invalid JSON"},
      // timestamp
      {"float", f, R"({"value":1})", "/ts", "is required"},
      {"float", f, R"({"ts":1764140711123,"value":1})", "/ts",
       "expected an RFC 3339 timestamp string, got number"},
      {"float", f, R"({"ts":"2026-11-26T07:05:11.123+02:00","value":1})", "/ts", "is not UTC"},
      {"trigger", t, R"({"ts":"yesterday"})", "/ts", "invalid timestamp 'yesterday'"},
      {"trigger", t, R"({"ts":null})", "/ts", "got null"},
      // values
      {"float", f, "{" + ts + "}", "/value", "is required"},
      {"float", f, "{" + ts + R"(,"value":"1.5"})", "/value", "expected a number, got string"},
      {"float", f, "{" + ts + R"(,"value":null})", "/value", "expected a number, got null"},
      {"float", f, "{" + ts + R"(,"value":true})", "/value", "expected a number, got boolean"},
      {"float", f, "{" + ts + R"(,"value":1e999})", "/value", "must be a finite number"},
      {"float", f, "{" + ts + R"(,"value":-1e400})", "/value", "must be a finite number"},
      {"float", f, "{" + ts + R"(,"value":[1]})", "/value", "expected a number, got array"},
      {"bool", b, "{" + ts + R"(,"value":1})", "/value", "expected a boolean, got number"},
      {"bool", b, "{" + ts + R"(,"value":"true"})", "/value", "expected a boolean, got string"},
      {"enum", e, "{" + ts + R"(,"value":2})", "/value", "expected a string, got number"},
      {"enum", e, "{" + ts + R"(,"value":""})", "/value", "must not be empty"},
      {"enum", e, "{" + ts + R"(,"value":{"label":"A"}})", "/value", "got object"},
      // unknown and duplicate keys
      {"float", f, "{" + ts + R"(,"value":1,"quality":"good"})", "/quality",
       "unknown key in FloatSample"},
      {"float", f, "{" + ts + R"(,"value":1,"a/b":0})", "/a~1b", "unknown key"},
      {"trigger", t, "{" + ts + R"(,"value":1})", "/value", "unknown key in TriggerSample"},
      {"float", f, "{" + ts + R"(,"value":1,"value":2})", "/value", "duplicate key"},
      {"float", f, "{" + ts + R"(,)" + ts + R"(,"value":1})", "/ts", "duplicate key"},
      // command
      {"command", c, "{" + ts + R"(,"value":1})", "/command_id", "is required"},
      {"command", c, "{" + ts + R"(,"value":1,"command_id":"abc"})", "/command_id",
       "expected a UUID"},
      {"command", c, "{" + ts + R"(,"command_id":"3f2b8c1e9a4d4c7e8b1a2d5e6f708192"})",
       "/command_id", "expected a UUID"},
      {"command", c, "{" + ts + R"(,"command_id":"{3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f70819}"})",
       "/command_id", "expected a UUID"},
      {"command", c, "{" + ts + R"(,"command_id":"3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f70819g"})",
       "/command_id", "expected a UUID"},
      {"command", c, "{" + ts + R"(,"command_id":7})", "/command_id",
       "expected a string, got number"},
      {"command", c, "{" + ts + "," + id + R"(,"value":null})", "/value",
       "expected a number, a boolean or a string, got null"},
      {"command", c, "{" + ts + "," + id + R"(,"value":[true]})", "/value", "got array"},
      {"command", c, "{" + ts + "," + id + R"(,"value":1e999})", "/value", "finite"},
      {"command", c, "{" + ts + "," + id + R"(,"target":"p"})", "/target", "unknown key"},
      // ack
      {"ack", a, "{" + ts + "," + id + "}", "/state", "is required"},
      {"ack", a, "{" + ts + "," + id + R"(,"state":"DONE"})", "/state",
       "'DONE' is not one of received accepted done failed rejected timeout"},
      {"ack", a, "{" + ts + "," + id + R"(,"phase":"done"})", "/phase", "unknown key in Ack"},
      {"ack", a, "{" + ts + "," + id + R"(,"state":"failed","reason":null})", "/reason",
       "expected a string, got null"},
      {"ack", a, "{" + ts + "," + id + R"(,"state":"failed","reason":""})", "/reason",
       "must not be empty"},
      {"ack", a, "{" + ts + R"(,"state":"done"})", "/command_id", "is required"},
      // topology changed
      {"topology", v, "{" + ts + "}", "/version", "is required"},
      {"topology", v, "{" + ts + R"(,"version":"1.2"})", "/version",
       "expected a semantic version M.m.p, got '1.2'"},
      {"topology", v, "{" + ts + R"(,"version":"01.2.3"})", "/version", "semantic version"},
      {"topology", v, "{" + ts + R"(,"version":"1.2.3-rc1"})", "/version", "semantic version"},
      {"topology", v, "{" + ts + R"(,"version":"v1.2.3"})", "/version", "semantic version"},
      {"topology", v, "{" + ts + R"(,"version":1.2})", "/version", "expected a string"},
      // service status
      {"status", s, "{" + ts + R"(,"value":"online"})", "/value",
       "'online' is not ONLINE or OFFLINE"},
      {"status", s, "{" + ts + R"(,"value":"DEGRADED"})", "/value", "is not ONLINE or OFFLINE"},
      {"status", s, "{" + ts + R"(,"value":true})", "/value", "expected a string, got boolean"},
  };
}

TEST(PayloadDecode, RejectsWithJsonPath) {
  for (const auto& c : invalid_payloads()) {
    SCOPED_TRACE(std::string(c.schema) + ": " + c.json);
    try {
      c.decode(c.json);
      ADD_FAILURE() << "accepted";
    } catch (const ContractError& e) {
      ASSERT_FALSE(e.issues().empty());
      bool found = false;
      for (const auto& issue : e.issues()) {
        found = found ||
                (issue.path == c.path && issue.message.find(c.message_part) != std::string::npos);
      }
      EXPECT_TRUE(found) << e.what();
    }
  }
}

TEST(PayloadDecode, CollectsEveryProblemAtOnce) {
  try {
    decode_ack(R"({"ts":"noon","command_id":"x","state":"maybe","extra":1})");
    FAIL() << "accepted";
  } catch (const ContractError& e) {
    std::vector<std::string> paths;
    for (const auto& i : e.issues()) paths.push_back(i.path);
    EXPECT_THAT(paths, ::testing::UnorderedElementsAre("/ts", "/command_id", "/state", "/extra"));
    EXPECT_THAT(e.what(), HasSubstr("/state: 'maybe' is not one of"));
  }
}

TEST(PayloadVocabulary, StatesUuidsAndVersions) {
  EXPECT_EQ(parse_ack_state("timeout"), AckState::timeout);
  EXPECT_FALSE(parse_ack_state("Timeout").has_value());
  EXPECT_EQ(to_string(AckState::accepted), "accepted");
  EXPECT_FALSE(is_terminal(AckState::received));
  EXPECT_FALSE(is_terminal(AckState::accepted));
  for (auto s : {AckState::done, AckState::failed, AckState::rejected, AckState::timeout}) {
    EXPECT_TRUE(is_terminal(s)) << to_string(s);
  }
  EXPECT_EQ(parse_service_state("OFFLINE"), ServiceState::offline);
  EXPECT_FALSE(parse_service_state("offline").has_value());

  EXPECT_TRUE(is_uuid(kUuid));
  EXPECT_TRUE(is_uuid("00000000-0000-0000-0000-000000000000"));
  for (const char* bad :
       {"", "3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f70819", "3f2b8c1e-9a4d-4c7e-8b1a_2d5e6f708192",
        "3f2b8c1e-9a4d-4c7e-8b1a-2d5e6f7081921", "g f2b8c1e-9a4d-4c7e-8b1a-2d5e6f70819"}) {
    EXPECT_FALSE(is_uuid(bad)) << bad;
  }
  // random_uuid: version 4, variant 10, lowercase, distinct.
  const std::string a = random_uuid(), b = random_uuid();
  EXPECT_TRUE(is_uuid(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos) << a;
  // The version grammar is semver.hpp's; the codec must apply it on both sides.
  for (const char* ok : {"0.0.0", "1.2.3", "10.20.30", "2147483647.0.1"}) {
    EXPECT_EQ(decode_topology_changed(encode(TopologyChanged{kTime, ok})).version, ok);
  }
  for (const char* bad :
       {"", "1", "1.2", "1.2.3.4", "1..3", ".1.2", "1.2.", "01.2.3", "1.02.3", "1.2.03",
        "1.2.3-rc.1", "1.2.3+b", "a.b.c", "2147483648.0.0", " 1.2.3", "-1.2.3"}) {
    EXPECT_THROW(encode(TopologyChanged{kTime, bad}), ContractError) << bad;
    EXPECT_THROW(decode_topology_changed(
                     std::string(R"({"ts":"2026-11-26T07:05:11.123Z","version":")") + bad + "\"}"),
                 ContractError)
        << bad;
  }
}

}  // namespace
}  // namespace ems::contract
