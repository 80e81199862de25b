// Pure parts of the gateway: roll-up operations, the distribute split, shards.
#include <gtest/gtest.h>

#include <set>

#include "distribute.hpp"
#include "rollups.hpp"
#include "shard.hpp"

namespace ems::gateway {
namespace {

using Op = contract::SyntheticOperation;

TEST(GatewayRollupOperations, EveryOperation) {
  const std::vector<double> v = {10, 20, 30};
  EXPECT_DOUBLE_EQ(*evaluate(Op::sum, v), 60);
  EXPECT_DOUBLE_EQ(*evaluate(Op::mean, v), 20);
  EXPECT_DOUBLE_EQ(*evaluate(Op::max, v), 30);
  EXPECT_DOUBLE_EQ(*evaluate(Op::min, v), 10);
  EXPECT_DOUBLE_EQ(*evaluate(Op::subtract, v), 10 - 20 - 30);
  EXPECT_DOUBLE_EQ(*evaluate(Op::weighted_mean, {10, 20}, {3, 1}), 12.5);
  EXPECT_DOUBLE_EQ(*evaluate(Op::unbalance, v), 50);  // max |x - 20| = 10 -> 50 % of 20
  EXPECT_DOUBLE_EQ(*evaluate(Op::unbalance, {0, 0}), 0);
  EXPECT_FALSE(evaluate(Op::sum, {}).has_value());
  EXPECT_FALSE(evaluate(Op::weighted_mean, {1, 2}, {0, 0}).has_value());
}

TEST(GatewayDistribute, SocWeightedAboveTheFloorWithinBounds) {
  std::vector<ChildState> c = {{"a", -100, 100, true, 80.0}, {"b", -100, 100, true, 40.0}};
  auto s = split("soc_weighted", 120, c, 20);  // weights 60 and 20
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s[0].value, 90, 1e-9);
  EXPECT_NEAR(s[1].value, 30, 1e-9);
  // A share beyond a child's bound goes to the others.
  c[0].power_max = 70;
  s = split("soc_weighted", 120, c, 20);
  EXPECT_NEAR(s[0].value, 70, 1e-9);
  EXPECT_NEAR(s[1].value, 50, 1e-9);
  // Charging weights by the room below 100 %.
  s = split("soc_weighted", -80, c, 20);  // rooms 20 and 60
  EXPECT_NEAR(s[0].value, -20, 1e-9);
  EXPECT_NEAR(s[1].value, -60, 1e-9);
}

TEST(GatewayDistribute, EqualSplitExcludesUnavailableChildren) {
  std::vector<ChildState> c = {{"a", -100, 100, true, std::nullopt},
                               {"b", -100, 100, false, 50.0},
                               {"c", -100, 100, true, std::nullopt}};
  const auto s = split("equal_split", 60, c);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].device_id, "a");
  EXPECT_EQ(s[1].device_id, "c");
  EXPECT_NEAR(s[0].value + s[1].value, 60, 1e-9);
  c[0].available = c[2].available = false;
  EXPECT_THROW(split("equal_split", 60, c), std::invalid_argument);
  EXPECT_THROW(split("round_robin", 60, c), std::invalid_argument);
}

TEST(GatewayDistribute, EnvelopeRangeAtThePoiOrOnTheModule) {
  // At the POI: importing 1 MW with the module discharging 200 kW; import limit 5 MW, no export.
  auto r = envelope_range({5e6, 0.0, 1e6, 2e5});
  EXPECT_DOUBLE_EQ(r.max, 1.2e6);   // the module may discharge until the POI reaches 0
  EXPECT_DOUBLE_EQ(r.min, -3.8e6);  // and charge until the POI imports 5 MW
  // Without the POI the limits bound the module's own power.
  r = envelope_range({5e6, 1e5, std::nullopt, std::nullopt});
  EXPECT_DOUBLE_EQ(r.max, 1e5);
  EXPECT_DOUBLE_EQ(r.min, -5e6);
  // The POI already exports 2 MW past a zero export limit: no more discharge than now (0), any
  // charge; an unknown import limit leaves that side open.
  r = envelope_range({std::nullopt, 0.0, -2e6, 0.0});
  EXPECT_DOUBLE_EQ(r.max, 0.0);
  EXPECT_LT(r.min, -1e299);
}

TEST(GatewayShard, ParsesAndPartitions) {
  EXPECT_EQ(parse_shard(""), (Shard{1, 1}));
  EXPECT_EQ(parse_shard("2/3"), (Shard{2, 3}));
  for (const char* bad : {"0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2", "1/2000"})
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
  EXPECT_EQ(parse_shard("2/3").service_id(), "gateway-2-of-3");
  EXPECT_EQ(Shard{}.service_id(), "gateway");
  // Every device in exactly one of n shards, and the hash is stable across runs.
  EXPECT_EQ(stable_hash("bess_rack_1"), stable_hash("bess_rack_1"));
  EXPECT_EQ(stable_hash(""), 1469598103934665603ULL);
  for (int n : {1, 2, 3, 7}) {
    for (int d = 0; d < 200; ++d) {
      const std::string id = "device_" + std::to_string(d);
      int count = 0;
      for (int i = 1; i <= n; ++i) count += Shard{i, n}.owns(id);
      EXPECT_EQ(count, 1) << id << " in " << n << " shards";
    }
  }
}

}  // namespace
}  // namespace ems::gateway
