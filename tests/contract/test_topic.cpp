// Topic grammar (CONTRACT.md section 2) and QoS/retain (section 4).
#include "ems/contract/topic.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {

using ::testing::HasSubstr;

struct ValidCase {
  std::string text;
  Topic expected;
};

std::vector<ValidCase> valid_cases() {
  return {
      {"sites/site_a/devices/bess_1/measurements/active_power/watts",
       MeasurementTopic{"site_a", "bess_1", "active_power", Unit::watts}},
      {"sites/s1/devices/pcs_01/measurements/state/none",
       MeasurementTopic{"s1", "pcs_01", "state", Unit::none}},
      {"sites/s1/devices/met_1/measurements/irradiance/watts_per_m2",
       MeasurementTopic{"s1", "met_1", "irradiance", Unit::watts_per_m2}},
      {"sites/s1/devices/bess_1/commands/set/active_power/watts",
       CommandTopic{"s1", "bess_1", Verb::set, "active_power", Unit::watts}},
      {"sites/s1/devices/bess_1/commands/reset/fault/none",
       CommandTopic{"s1", "bess_1", Verb::reset, "fault", Unit::none}},
      {"sites/s1/devices/pst_1/commands/disable/tap_control/none",
       CommandTopic{"s1", "pst_1", Verb::disable, "tap_control", Unit::none}},
      {"sites/s1/devices/bess_1/acks/start/inverter/none",
       AckTopic{"s1", "bess_1", Verb::start, "inverter", Unit::none}},
      {"sites/s1/devices/line_1/acks/clear/alarm/seconds",
       AckTopic{"s1", "line_1", Verb::clear, "alarm", Unit::seconds}},
      {"system/topology_changed", SystemTopic{"topology_changed"}},
      // Service ids are names with hyphens (CONTRACT.md section 2), not slugs.
      {"services/device-api/status", ServiceStatusTopic{"device-api"}},
      {"services/line-controller/status", ServiceStatusTopic{"line-controller"}},
      {"services/gateway-1-of-2/status", ServiceStatusTopic{"gateway-1-of-2"}},
      {"services/g/status", ServiceStatusTopic{"g"}},
  };
}

TEST(ServiceId, FollowsTheContractRule) {
  static_assert(is_service_id("device-api"));  // usable at compile time (header-only)
  for (const char* ok :
       {"device-api", "gateway", "line-controller", "gateway-1-of-2", "g", "a-", "historian2"}) {
    EXPECT_TRUE(is_service_id(ok)) << ok;
  }
  for (const char* bad : {"", "device_api", "Gateway", "1gateway", "-gateway", "gateway/1", "gw+",
                          "gw#", "gw 1", "gateway.1", "g\xc3\xa9"}) {
    EXPECT_FALSE(is_service_id(bad)) << bad;
  }
}

TEST(Topic, ParsesEveryShape) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(parse_topic(c.text), c.expected);
  }
}

TEST(Topic, FormatIsTheInverseOfParse) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(format_topic(c.expected), c.text);
    EXPECT_EQ(format_topic(parse_topic(c.text)), c.text);
  }
}

TEST(Topic, EveryUnitAndVerbRoundTrips) {
  for (auto unit_name : kUnitNames) {
    std::string m = "sites/s1/devices/d1/measurements/m1/" + std::string(unit_name);
    auto t = std::get<MeasurementTopic>(parse_topic(m));
    EXPECT_EQ(to_string(t.unit), unit_name);
    EXPECT_EQ(format_topic(t), m);
    for (auto verb_name : kVerbNames) {
      std::string c = "sites/s1/devices/d1/commands/" + std::string(verb_name) + "/m1/" +
                      std::string(unit_name);
      auto ct = std::get<CommandTopic>(parse_topic(c));
      EXPECT_EQ(to_string(ct.verb), verb_name);
      EXPECT_EQ(format_topic(ct), c);
    }
  }
}

struct InvalidCase {
  std::string text;
  std::size_t segment;  // npos: the whole topic
  std::string message_part;
};

std::vector<InvalidCase> invalid_cases() {
  constexpr auto kWhole = std::string_view::npos;
  return {
      {"", 0, "segment 0 '' is not a topic root"},
      {"site/s1/devices/d1/measurements/m1/watts", 0, "segment 0 'site' is not a topic root"},
      {"/sites/s1/devices/d1/measurements/m1/watts", 0, "segment 0 ''"},
      {"Sites/s1/devices/d1/measurements/m1/watts", 0, "segment 0 'Sites'"},
      // depth
      {"sites/s1/devices/d1", kWhole, "topic has 4 segments; a site topic has 7"},
      {"sites/s1/devices/d1/measurements/m1", kWhole,
       "topic has 6 segments; a measurements topic has 7"},
      {"sites/s1/devices/d1/measurements/m1/watts/extra", 7,
       "segment 7 'extra' is one too many: a measurements topic has 7 segments"},
      {"sites/s1/devices/d1/measurements/m1/watts/", 7, "segment 7 '' is one too many"},
      {"sites/s1/devices/d1/commands/set/p1/watts/x/y", 8, "segment 8 'x' is one too many"},
      {"sites/s1/devices/d1/commands/set/p", kWhole,
       "topic has 7 segments; a commands topic has 8"},
      {"sites/s1/devices/d1/acks/set/p", kWhole, "topic has 7 segments; an acks topic has 8"},
      {"system", kWhole, "topic has 1 segments; a system topic has 2"},
      {"system/topology_changed/x", 2, "segment 2 'x' is one too many"},
      {"services/gateway", kWhole, "a service status topic has 3 segments"},
      {"services/gateway/status/x", 3, "segment 3 'x' is one too many"},
      // literals and family
      {"sites/s1/device/d1/measurements/m1/watts", 2, "segment 2 'device' must be 'devices'"},
      {"sites/s1/devices/d1/measurement/m1/watts", 4,
       "segment 4 (family) 'measurement' is not a family (measurements, commands, acks)"},
      {"sites/s1/devices/d1/alarms/m1/watts", 4, "segment 4 (family) 'alarms' is not a family"},
      {"sites/s1/devices/d1/#", 4, "segment 4 (family) '#' is not a family"},
      {"services/gateway/state", 2, "segment 2 'state' must be 'status'"},
      // verbs and units
      {"sites/s1/devices/d1/commands/toggle/p1/watts", 5,
       "segment 5 (verb) 'toggle' is not a verb (set reset clear"},
      {"sites/s1/devices/d1/acks/SET/p1/watts", 5, "segment 5 (verb) 'SET' is not a verb"},
      {"sites/s1/devices/d1/measurements/m1/kilowatts", 6,
       "segment 6 (unit) 'kilowatts' is not a unit"},
      {"sites/s1/devices/d1/measurements/m1/W", 6, "segment 6 (unit) 'W' is not a unit"},
      {"sites/s1/devices/d1/measurements/m1/+", 6, "segment 6 (unit) '+' is not a unit"},
      {"sites/s1/devices/d1/commands/set/p1/kilowatt_hours", 7,
       "segment 7 (unit) 'kilowatt_hours' is not a unit"},
      // slugs
      {"sites/Site_A/devices/d1/measurements/m1/watts", 1,
       "segment 1 (site_id) 'Site_A' is not a slug"},
      {"sites/+/devices/d1/measurements/m1/watts", 1, "segment 1 (site_id) '+' is not a slug"},
      {"sites/{site_id}/devices/d1/measurements/m1/watts", 1,
       "segment 1 (site_id) '{site_id}' is not a slug"},
      {"sites//devices/d1/measurements/m1/watts", 1, "segment 1 (site_id) '' is not a slug"},
      {"sites/s1/devices/bess-1/measurements/m1/watts", 3,
       "segment 3 (device_id) 'bess-1' is not a slug"},
      {"sites/s1/devices/1bess/measurements/m1/watts", 3, "segment 3 (device_id) '1bess'"},
      {"sites/s1/devices/d/measurements/m1/watts", 3, "segment 3 (device_id) 'd' is not a slug"},
      {"sites/s1/devices/d1/measurements/power_/watts", 5,
       "segment 5 (measurement) 'power_' is not a slug"},
      {"sites/s1/devices/d1/commands/set/Power/watts", 6,
       "segment 6 (target) 'Power' is not a slug"},
      {"system/TopologyChanged", 1, "segment 1 (event) 'TopologyChanged' is not a slug"},
      {"system/", 1, "segment 1 (event) '' is not a slug"},
      {"services/+/status", 1,
       "segment 1 (service_id) '+' is not a service id (^[a-z][a-z0-9-]*$)"},
      {"services/device_api/status", 1, "segment 1 (service_id) 'device_api' is not a service id"},
      {"services/Gateway/status", 1, "segment 1 (service_id) 'Gateway' is not a service id"},
      {"services/1-gateway/status", 1, "segment 1 (service_id) '1-gateway' is not a service id"},
      {"services/-gateway/status", 1, "segment 1 (service_id) '-gateway' is not a service id"},
      {"services//status", 1, "segment 1 (service_id) '' is not a service id"},
      {std::string("sites/s1/devices/d\x01/measurements/m1/watts"), 3,
       "segment 3 (device_id) 'd\\x01' is not a slug"},
  };
}

TEST(Topic, RejectsWithTheOffendingSegment) {
  for (const auto& c : invalid_cases()) {
    SCOPED_TRACE(c.text);
    TopicError error;
    EXPECT_FALSE(try_parse_topic(c.text, &error).has_value());
    EXPECT_EQ(error.segment, c.segment);
    EXPECT_THAT(error.message, HasSubstr(c.message_part));
    try {
      parse_topic(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const ContractError& e) {
      ASSERT_EQ(e.issues().size(), 1u);
      EXPECT_EQ(e.issues()[0].path, "");
      EXPECT_THAT(e.issues()[0].message, HasSubstr(c.message_part));
      EXPECT_THAT(e.what(), HasSubstr(c.message_part));
    }
  }
}

TEST(Topic, TryParseWithoutErrorSlot) {
  EXPECT_FALSE(try_parse_topic("nope").has_value());
  EXPECT_TRUE(try_parse_topic("system/topology_changed").has_value());
}

TEST(Topic, LongAndBinarySegmentsAreQuotedSafely) {
  std::string long_id(200, 'x');
  TopicError error;
  EXPECT_FALSE(try_parse_topic("sites/s1/devices/" + long_id + "/measurements/m1/watts", &error));
  EXPECT_EQ(error.segment, 3u);
  EXPECT_THAT(error.message, HasSubstr("...'"));
  EXPECT_LT(error.message.size(), 200u);
}

TEST(TopicTemplate, AcceptsTheSitePlaceholderOnlyThere) {
  auto t = parse_topic_template("sites/{site_id}/devices/bess_1/measurements/soc/percent");
  EXPECT_EQ(t, (Topic{MeasurementTopic{"{site_id}", "bess_1", "soc", Unit::percent}}));
  EXPECT_EQ(format_topic_template(t), "sites/{site_id}/devices/bess_1/measurements/soc/percent");
  EXPECT_THROW(format_topic(t), ContractError);

  auto c = parse_topic_template("sites/{site_id}/devices/bess_1/commands/set/p1/watts");
  EXPECT_EQ(std::get<CommandTopic>(c).site_id, "{site_id}");
  // A concrete site is still fine in a template.
  EXPECT_EQ(parse_topic_template("sites/s1/devices/d1/measurements/m1/watts"),
            parse_topic("sites/s1/devices/d1/measurements/m1/watts"));

  for (const char* bad :
       {"sites/{device_id}/devices/d1/measurements/m1/watts",
        "sites/s1/devices/{device_id}/measurements/m1/watts",
        "sites/{site_id}/devices/d1/measurements/{measurement}/watts",
        "sites/{site_id}/devices/d1/measurements/m1/{unit}",
        "sites/{SITE_ID}/devices/d1/measurements/m1/watts", "services/{site_id}/status"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_topic_template(bad), ContractError);
  }
}

TEST(TopicFormat, RejectsNonSlugFields) {
  struct Case {
    Topic topic;
    std::string message_part;
  };
  std::vector<Case> cases = {
      {MeasurementTopic{"S1", "d1", "m1", Unit::watts}, "site_id 'S1' is not a slug"},
      {MeasurementTopic{"s1", "d1/x", "m1", Unit::watts}, "device_id 'd1/x' is not a slug"},
      {MeasurementTopic{"s1", "d1", "", Unit::watts}, "measurement '' is not a slug"},
      {CommandTopic{"s1", "d1", Verb::set, "a+", Unit::watts}, "target 'a+' is not a slug"},
      {AckTopic{"s1", "+", Verb::set, "p1", Unit::watts}, "device_id '+' is not a slug"},
      {SystemTopic{"topology/changed"}, "event 'topology/changed' is not a slug"},
      {ServiceStatusTopic{"Gateway"}, "service_id 'Gateway' is not a service id"},
      {ServiceStatusTopic{"line_controller"}, "service_id 'line_controller' is not a service id"},
      {ServiceStatusTopic{""}, "service_id '' is not a service id"},
      {MeasurementTopic{"s1", "d1", "m1", static_cast<Unit>(99)}, "invalid unit"},
      {CommandTopic{"s1", "d1", static_cast<Verb>(42), "p1", Unit::watts}, "invalid verb"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message_part);
    try {
      format_topic(c.topic);
      ADD_FAILURE() << "formatted";
    } catch (const ContractError& e) {
      EXPECT_THAT(e.what(), HasSubstr(c.message_part));
    }
  }
}

TEST(TopicFormat, ConvenienceFormatters) {
  EXPECT_EQ(measurement_topic("s1", "bess_1", "soc", Unit::percent),
            "sites/s1/devices/bess_1/measurements/soc/percent");
  EXPECT_EQ(command_topic("s1", "bess_1", Verb::set, "active_power", Unit::watts),
            "sites/s1/devices/bess_1/commands/set/active_power/watts");
  EXPECT_EQ(ack_topic("s1", "bess_1", Verb::stop, "inverter", Unit::none),
            "sites/s1/devices/bess_1/acks/stop/inverter/none");
  EXPECT_EQ(system_topic("topology_changed"), "system/topology_changed");
  EXPECT_EQ(service_status_topic("historian"), "services/historian/status");
  EXPECT_EQ(service_status_topic("gateway-1-of-2"), "services/gateway-1-of-2/status");
  EXPECT_THROW(service_status_topic("gateway/1"), ContractError);
  EXPECT_THROW(measurement_topic("s1", "bess_1", "State Of Charge", Unit::percent), ContractError);
  EXPECT_THROW(command_topic("s1", "#", Verb::set, "p1", Unit::watts), ContractError);
  EXPECT_THROW(system_topic(""), ContractError);

  auto command = std::get<CommandTopic>(parse_topic("sites/s1/devices/d1/commands/set/p1/watts"));
  EXPECT_EQ(format_topic(ack_for(command)), "sites/s1/devices/d1/acks/set/p1/watts");
}

TEST(TopicFamily, QosAndRetainFollowTheContract) {
  struct Case {
    std::string topic;
    TopicFamily family;
    Delivery delivery;
  };
  std::vector<Case> cases = {
      {"sites/s1/devices/d1/measurements/m1/watts", TopicFamily::measurements, {0, true}},
      {"sites/s1/devices/d1/commands/set/m1/watts", TopicFamily::commands, {1, false}},
      {"sites/s1/devices/d1/acks/set/m1/watts", TopicFamily::acks, {1, false}},
      {"system/topology_changed", TopicFamily::system, {1, false}},
      {"services/gateway/status", TopicFamily::service_status, {1, true}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.topic);
    Topic t = parse_topic(c.topic);
    EXPECT_EQ(family_of(t), c.family);
    EXPECT_EQ(delivery_for(c.family), c.delivery);
    EXPECT_EQ(delivery_for(t), c.delivery);
  }
  EXPECT_EQ(to_string(TopicFamily::service_status), "service_status");
  EXPECT_EQ(to_string(TopicFamily::acks), "acks");
}

TEST(TopicFilter, FiltersMatchExactlyTheirFamily) {
  EXPECT_EQ(measurements_filter(), "sites/+/devices/+/measurements/+/+");
  EXPECT_EQ(measurements_filter("s1"), "sites/s1/devices/+/measurements/+/+");
  EXPECT_EQ(commands_filter("s1", "bess_1"), "sites/s1/devices/bess_1/commands/+/+/+");
  EXPECT_EQ(acks_filter(), "sites/+/devices/+/acks/+/+/+");
  EXPECT_THROW(measurements_filter("#"), ContractError);
  EXPECT_THROW(commands_filter("s1", "Bess"), ContractError);

  const std::vector<std::string> topics = {
      "sites/s1/devices/d1/measurements/m1/watts",
      "sites/s1/devices/d1/commands/set/m1/watts",
      "sites/s1/devices/d1/acks/set/m1/watts",
      "system/topology_changed",
      "services/gateway/status",
  };
  const std::vector<std::string> filters = {measurements_filter(), commands_filter(), acks_filter(),
                                            std::string(kSystemFilter),
                                            std::string(kServiceStatusFilter)};
  for (std::size_t f = 0; f < filters.size(); ++f) {
    for (std::size_t t = 0; t < topics.size(); ++t) {
      EXPECT_EQ(topic_matches(filters[f], topics[t]), f == t) << filters[f] << " vs " << topics[t];
    }
  }
  EXPECT_FALSE(topic_matches(measurements_filter("s2"), topics[0]));
  EXPECT_TRUE(topic_matches(measurements_filter("s1", "d1"), topics[0]));
}

TEST(TopicFilter, MqttMatchingRules) {
  struct Case {
    const char* filter;
    const char* topic;
    bool match;
  };
  const Case cases[] = {
      {"#", "a/b/c", true},
      {"#", "a", true},
      {"a/#", "a", true},
      {"a/#", "a/b", true},
      {"a/#", "a/b/c", true},
      {"a/#", "ab", false},
      {"a/#", "b/a", false},
      {"a/+", "a/b", true},
      {"a/+", "a/b/c", false},
      {"a/+", "a", false},
      {"a/+", "a/", true},
      {"+/+", "/a", true},
      {"+", "/a", false},
      {"a/b", "a/b", true},
      {"a/b", "a/b/", false},
      {"a/b", "a/c", false},
      {"a/b/c", "a/b", false},
      {"sites/+/devices/+/measurements/#", "sites/s1/devices/d1/measurements/m1/watts", true},
      {"sites/+/devices/+/measurements/#", "sites/s1/devices/d1/commands/set/m1/watts", false},
      {"#", "$SYS/broker/uptime", false},
      {"+/broker/uptime", "$SYS/broker/uptime", false},
      {"$SYS/#", "$SYS/broker/uptime", true},
      {"a/#/b", "a/x/b", false},
      {"", "a", false},
      {"a", "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(topic_matches(c.filter, c.topic), c.match) << c.filter << " vs " << c.topic;
  }
}

}  // namespace
}  // namespace ems::contract
