// The model registry on a real PostgreSQL, and the promotion rule on hand-made backtests.
#include <gtest/gtest.h>

#include <cmath>

#include "ems/testing/servers.hpp"
#include "model_registry.hpp"
#include "trainer.hpp"

namespace {

using ems::analyst::ModelRecord;
using ems::analyst::ModelRegistry;
using ems::forecasting::HourResult;

ModelRecord sample(const std::string& target, const std::string& name, double mae) {
  ModelRecord m;
  m.target = target;
  m.name = name;
  m.source = "file test.csv column " + target;
  m.features = {"lag_1d", "mean_7d"};
  m.data_from = "2023-01-01";
  m.data_to = "2023-06-30";
  m.params = {{"trees", 100}};
  m.metrics = {{"mae", mae}, {"skill", 0.1}, {"hours", 672}};
  m.artifact = name == "gbt" ? R"({"model":"trees"})" : "";
  m.train_seconds = 1.5;
  m.decision = "test";
  return m;
}

TEST(RegistryIntegration, StoresEveryModelWithItsMetricsAndTracksTheChampion) {
  const std::string url = ems::testing::PostgresServer::shared().create_database();
  ModelRegistry registry(url);
  registry.open();
  EXPECT_FALSE(registry.champion("system_load"));
  EXPECT_TRUE(registry.list().empty());

  const auto first = registry.insert(sample("system_load", "gbt", 1700.0), true, std::nullopt);
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.version, 1);
  EXPECT_TRUE(first.promoted);
  EXPECT_TRUE(first.champion);
  EXPECT_EQ(first.trained_at.size(), 24u) << first.trained_at;  // 2026-12-04T17:05:11.123Z

  const auto got = registry.get(first.id, true);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->features, nlohmann::json({"lag_1d", "mean_7d"}));
  EXPECT_EQ(got->metrics["mae"].get<double>(), 1700.0);
  EXPECT_EQ(got->params["trees"], 100);
  EXPECT_EQ(got->data_from, "2023-01-01");
  EXPECT_EQ(got->data_to, "2023-06-30");
  EXPECT_EQ(got->artifact, R"({"model":"trees"})");
  EXPECT_EQ(registry.get(first.id, false)->artifact, "");  // listings leave the artifact out

  // A second gbt is version 2; not promoted, the champion stays.
  const auto second = registry.insert(sample("system_load", "gbt", 1800.0), false, first.id);
  EXPECT_EQ(second.version, 2);
  EXPECT_FALSE(second.promoted);
  EXPECT_FALSE(second.champion);
  EXPECT_EQ(registry.champion_id("system_load"), first.id);
  // Another kind starts its own versions.
  EXPECT_EQ(registry.insert(sample("system_load", "persistence", 1900.0), false, first.id).version,
            1);

  // A decision made against a champion that has changed since is not applied.
  const auto stale = registry.insert(sample("system_load", "gbt", 1600.0), true, std::nullopt);
  EXPECT_FALSE(stale.promoted);
  EXPECT_NE(stale.decision.find("champion changed"), std::string::npos) << stale.decision;
  EXPECT_EQ(registry.champion_id("system_load"), first.id);

  const auto better = registry.insert(sample("system_load", "gbt", 1500.0), true, first.id);
  EXPECT_TRUE(better.promoted);
  EXPECT_EQ(registry.champion("system_load")->id, better.id);
  EXPECT_FALSE(registry.get(first.id)->champion);

  registry.insert(sample("solar_system", "gbt", 800.0), true, std::nullopt);
  EXPECT_EQ(registry.list().size(), 6u);
  EXPECT_EQ(registry.list("system_load").size(), 5u);
  EXPECT_EQ(registry.list("system_load").front().id, better.id);  // newest first
  EXPECT_EQ(registry.champions().size(), 2u);
  EXPECT_FALSE(registry.get(999999));

  // Opening again (a restart) applies no migration twice and keeps everything.
  ModelRegistry again(url);
  again.open();
  EXPECT_EQ(again.list().size(), 6u);
  EXPECT_EQ(again.champion_id("system_load"), better.id);
}

std::vector<HourResult> hours(std::initializer_list<std::array<double, 3>> rows) {
  std::vector<HourResult> out;
  int i = 0;
  for (const auto& r : rows) out.push_back({0, i++, r[0], r[1], r[2]});  // forecast, actual, pers
  return out;
}

TEST(PromotionRule, BeatsPersistenceAndTheChampionOnTheSameHours) {
  const double nan = std::nan("");
  // candidate errors 1, 1; persistence errors 2, 2
  const auto cand = hours({{11, 10, 12}, {9, 10, 8}});
  auto p = ems::analyst::decide_promotion(cand, nullptr);
  EXPECT_TRUE(p.promote) << p.reason;
  EXPECT_DOUBLE_EQ(p.candidate_mae, 1.0);
  EXPECT_DOUBLE_EQ(p.persistence_mae, 2.0);
  EXPECT_NE(p.reason.find("first champion"), std::string::npos);

  // A worse model than persistence is not promoted, champion or not.
  const auto worse = hours({{13, 10, 12}, {7, 10, 8}});
  p = ems::analyst::decide_promotion(worse, nullptr);
  EXPECT_FALSE(p.promote);
  EXPECT_NE(p.reason.find("persistence"), std::string::npos);
  // Equal to persistence is not better.
  EXPECT_FALSE(ems::analyst::decide_promotion(hours({{12, 10, 12}}), nullptr).promote);

  // Beats persistence but not the champion (errors 0.5).
  const auto champion = hours({{10.5, 10, 12}, {9.5, 10, 8}});
  p = ems::analyst::decide_promotion(cand, &champion);
  EXPECT_FALSE(p.promote);
  EXPECT_DOUBLE_EQ(p.champion_mae, 0.5);
  EXPECT_NE(p.reason.find("champion"), std::string::npos);
  // ... and the champion would beat the candidate.
  EXPECT_TRUE(ems::analyst::decide_promotion(champion, &cand).promote);

  // Only hours where all of them exist count: the candidate's missing hour drops the
  // champion's hour too (here the champion's good hour).
  const auto gappy = hours({{nan, 10, 12}, {9, 10, 8}});
  const auto champ2 = hours({{10, 10, 12}, {8.5, 10, 8}});
  p = ems::analyst::decide_promotion(gappy, &champ2);
  EXPECT_EQ(p.hours, 1u);
  EXPECT_TRUE(p.promote) << p.reason;

  EXPECT_FALSE(ems::analyst::decide_promotion(hours({{nan, 10, 12}}), nullptr).promote);
}

}  // namespace
