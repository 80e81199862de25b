// ems-analyst end to end over HTTP on a real PostgreSQL: train on the shipped ERCOT history,
// see the model in the registry with its backtest metrics, serve its forecast, and the rules
// around it (promotion, token, problem+json).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "analyst_process.hpp"

namespace {

using ems::testing::AnalystProcess;
using nlohmann::json;

class AnalystServiceIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    analyst_ = new AnalystProcess();
    analyst_->start();
  }
  static void TearDownTestSuite() {
    delete analyst_;
    analyst_ = nullptr;
  }
  static AnalystProcess* analyst_;
};
AnalystProcess* AnalystServiceIntegration::analyst_ = nullptr;

void expect_problem(const ems::testing::AnalystAnswer& a, int status, const std::string& words) {
  EXPECT_EQ(a.status, status) << a.body;
  EXPECT_EQ(a.content_type, "application/problem+json") << a.body;
  const auto body = json::parse(a.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << a.body;
  EXPECT_EQ(body["status"], status);
  EXPECT_NE(body["detail"].get<std::string>().find(words), std::string::npos) << a.body;
}

TEST_F(AnalystServiceIntegration, TrainingNeedsTheBearerToken) {
  const std::string body = R"({"target":"system_load","model":"persistence"})";
  auto a = analyst_->post("/models/train", body, "");
  expect_problem(a, 401, "Bearer");
  EXPECT_EQ(a.www_authenticate, "Bearer");
  expect_problem(analyst_->post("/models/train", body, "wrong-token"), 403, "not valid");
  EXPECT_EQ(json::parse(analyst_->get("/models").body)["models"].size(), 0u)
      << "a refused request trained nothing";
}

TEST_F(AnalystServiceIntegration, BadInputIsAProblemNotACrash) {
  expect_problem(analyst_->post("/models/train", "{not json"), 400, "parse");
  auto a = analyst_->post("/models/train", R"({"target":"system_load","trees":5})");
  expect_problem(a, 400, "unknown field");
  EXPECT_EQ(json::parse(a.body)["errors"][0]["path"], "/trees");
  a = analyst_->post("/models/train", R"({"target":"system_load","params":{"trees":0}})");
  expect_problem(a, 400, "trees");
  EXPECT_EQ(json::parse(a.body)["errors"][0]["path"], "/params/trees");
  expect_problem(analyst_->post("/models/train", R"({"model":"gbt"})"), 400, "target");
  expect_problem(analyst_->post("/models/train", R"({"target":"nope"})"), 400, "unknown target");
  expect_problem(analyst_->post("/models/train", R"({"target":"system_load","model":"magic"})"),
                 400, "unknown model");
  expect_problem(
      analyst_->post("/models/train", R"({"target":"system_load","data_to":"2023-13-01"})"), 400,
      "data_to");
  // Too little history before the cut to train anything.
  expect_problem(
      analyst_->post("/models/train", R"({"target":"system_load","data_to":"2022-06-10"})"), 422,
      "not enough history");
  // The site's history comes from the historian, which is not running here.
  expect_problem(analyst_->post("/models/train", R"({"target":"site_pv"})"), 503, "historian");

  expect_problem(analyst_->get("/models/abc"), 400, "number");
  expect_problem(analyst_->get("/models/424242"), 404, "no model");
  expect_problem(analyst_->get("/forecast"), 400, "target");
  expect_problem(analyst_->get("/forecast?target=nope"), 400, "unknown target");
  expect_problem(analyst_->get("/forecast?target=solar_farwest"), 404, "no champion");
  expect_problem(analyst_->get("/forecast?target=solar_system&model=gbt"), 400,
                 "serving never trains");
  expect_problem(analyst_->get("/forecast?target=solar_system&model=persistence&from=x"), 400,
                 "'from'");
  expect_problem(
      analyst_->get(
          "/forecast?target=solar_system&model=persistence&from=2023-01-01&to=2023-03-01"),
      400, "31 days");
  expect_problem(
      analyst_->get(
          "/forecast?target=solar_system&model=persistence&from=2025-01-01&to=2025-01-01"),
      400, "must lie within");
  EXPECT_EQ(analyst_->get("/healthz").status, 200) << "still alive";
}

TEST_F(AnalystServiceIntegration, BaselinesAreServedByNameWithoutTraining) {
  const auto a = analyst_->get(
      "/forecast?target=solar_system&model=persistence&from=2023-12-01&to=2023-12-02");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto body = json::parse(a.body);
  EXPECT_EQ(body["model"]["name"], "persistence");
  EXPECT_TRUE(body["model"]["id"].is_null());
  ASSERT_EQ(body["points"].size(), 48u);
  // Noon of 2023-12-01 (label "2023-12-01 12:00:00", CST) is yesterday's noon value.
  const auto& noon = body["points"][12];
  EXPECT_EQ(noon["label"], "2023-12-01 12:00:00");
  EXPECT_EQ(noon["ts"], "2023-12-01T17:00:00.000Z");
  const auto prev = json::parse(
      analyst_->get("/forecast?target=solar_system&model=persistence&from=2023-11-30&to=2023-11-30")
          .body);
  EXPECT_DOUBLE_EQ(noon["value"].get<double>(), prev["points"][12]["actual"].get<double>());
}

// The end-to-end path of issue 11: train on history, see the model in the registry with its
// metrics, serve its forecast over HTTP; a worse model is not promoted.
TEST_F(AnalystServiceIntegration, TrainServeAndSeeTheChampionInTheRegistry) {
  // The gbt trees beat persistence on system_load's last 28 days (README backtest table).
  auto a = analyst_->post("/models/train", R"({"target":"system_load","model":"gbt"})");
  ASSERT_EQ(a.status, 201) << a.body;
  const auto trained = json::parse(a.body);
  ASSERT_TRUE(trained["promoted"].get<bool>()) << trained["decision"];
  const auto id = trained["model"]["id"].get<std::int64_t>();
  EXPECT_EQ(trained["champion"]["id"], id);
  EXPECT_EQ(trained["model"]["version"], 1);

  // The registry has it with features, data range, parameters and backtest metrics.
  a = analyst_->get("/models/" + std::to_string(id));
  ASSERT_EQ(a.status, 200) << a.body;
  const auto model = json::parse(a.body);
  EXPECT_EQ(model["target"], "system_load");
  EXPECT_EQ(model["name"], "gbt");
  EXPECT_TRUE(model["champion"].get<bool>());
  EXPECT_EQ(model["features"].size(), 19u);
  EXPECT_EQ(model["data_to"], "2023-12-31");
  EXPECT_EQ(model["params"]["trees"], 100);
  const auto& m = model["metrics"];
  EXPECT_EQ(m["backtest_from"], "2023-12-04");
  EXPECT_EQ(m["backtest_to"], "2023-12-31");
  EXPECT_GT(m["hours"].get<int>(), 600);
  EXPECT_LT(m["mae"].get<double>(), m["persistence_mae"].get<double>());
  EXPECT_NEAR(m["skill"].get<double>(),
              1.0 - m["mae"].get<double>() / m["persistence_mae"].get<double>(), 1e-9);
  EXPECT_FALSE(model.contains("artifact"));

  // Served: the default range is the day after the data, from the stored model.
  a = analyst_->get("/forecast?target=system_load");
  ASSERT_EQ(a.status, 200) << a.body;
  auto f = json::parse(a.body);
  EXPECT_EQ(f["model"]["id"], id);
  EXPECT_EQ(f["model"]["name"], "gbt");
  EXPECT_EQ(f["model"]["version"], 1);
  EXPECT_EQ(f["from"], "2024-01-01");
  ASSERT_EQ(f["points"].size(), 24u);
  for (const auto& p : f["points"]) {
    ASSERT_TRUE(p["value"].is_number()) << p;
    EXPECT_GT(p["value"].get<double>(), 20000.0);  // ERCOT system load, MW
    EXPECT_LE(p["lower"].get<double>(), p["upper"].get<double>());
    EXPECT_FALSE(p.contains("actual"));
  }
  EXPECT_EQ(f["points"][0]["ts"], "2024-01-01T05:00:00.000Z");  // label 00:00 CST = 23-24h
  // A past range shows the actuals beside the forecast.
  a = analyst_->get("/forecast?target=system_load&from=2023-12-20&to=2023-12-21");
  ASSERT_EQ(a.status, 200) << a.body;
  f = json::parse(a.body);
  ASSERT_EQ(f["points"].size(), 48u);
  EXPECT_TRUE(f["points"][30]["actual"].is_number());

  // A worse model is stored but not promoted: seasonal naive loses to persistence, and tiny
  // trees lose to the champion.
  a = analyst_->post("/models/train", R"({"target":"system_load","model":"seasonal_naive"})");
  ASSERT_EQ(a.status, 201) << a.body;
  auto worse = json::parse(a.body);
  EXPECT_FALSE(worse["promoted"].get<bool>());
  EXPECT_NE(worse["decision"].get<std::string>().find("persistence"), std::string::npos);
  EXPECT_EQ(worse["champion"]["id"], id);
  a = analyst_->post(
      "/models/train",
      R"({"target":"system_load","model":"gbt","params":{"trees":3,"max_depth":1}})");
  ASSERT_EQ(a.status, 201) << a.body;
  worse = json::parse(a.body);
  EXPECT_FALSE(worse["promoted"].get<bool>()) << worse["decision"];
  EXPECT_EQ(worse["model"]["version"], 2);
  EXPECT_EQ(worse["champion"]["id"], id);
  EXPECT_EQ(json::parse(analyst_->get("/forecast?target=system_load").body)["model"]["id"], id);

  const auto targets = json::parse(analyst_->get("/targets").body)["targets"];
  bool listed = false;
  for (const auto& t : targets)
    if (t["name"] == "system_load") {
      listed = true;
      EXPECT_EQ(t["champion"]["id"], id);
      EXPECT_FALSE(t["site"].get<bool>());
    }
  EXPECT_TRUE(listed) << targets;
  const auto list = json::parse(analyst_->get("/models?target=system_load").body)["models"];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2]["id"], id);

  // /metrics: the champion's MAE and skill, the last training time.
  const auto metrics = analyst_->get("/metrics").body;
  EXPECT_NE(metrics.find("ems_analyst_champion_mae{target=\"system_load\"} " +
                         nlohmann::json(m["mae"].get<double>()).dump()),
            std::string::npos)
      << metrics.substr(0, 3000);
  EXPECT_NE(metrics.find("ems_analyst_champion_skill{target=\"system_load\"}"), std::string::npos);
  EXPECT_NE(metrics.find("ems_analyst_last_training_timestamp_seconds{target=\"system_load\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find(
                "ems_analyst_trainings_total{target=\"system_load\",outcome=\"not_promoted\"} 2"),
            std::string::npos);
}

// The schedule trains a target that has no model yet right after the start, then every
// EMS_ANALYST_TRAIN_INTERVAL; scheduled trainings follow the same promotion rule.
TEST(AnalystProcessIntegration, TheScheduleTrainsUntrainedTargetsAfterTheStart) {
  AnalystProcess analyst(
      {"EMS_ANALYST_TRAIN_INTERVAL=1h", "EMS_ANALYST_TRAIN_TARGETS=system_load,solar_farwest"});
  analyst.start();
  json models;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (std::chrono::steady_clock::now() < deadline) {
    models = json::parse(analyst.get("/models").body)["models"];
    if (models.size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(models.size(), 2u) << analyst.log();
  for (const auto& m : models) {
    EXPECT_EQ(m["name"], "gbt");
    EXPECT_TRUE(m["metrics"]["mae"].is_number());
    // Promoted exactly when it beat persistence on its backtest (no champion before it).
    EXPECT_EQ(m["promoted"].get<bool>(),
              m["metrics"]["comparison"]["mae"].get<double>() <
                  m["metrics"]["comparison"]["persistence_mae"].get<double>())
        << m;
  }
  EXPECT_NE(analyst.get("/metrics")
                .body.find("ems_analyst_last_training_timestamp_seconds{target=\"solar_farwest\"}"),
            std::string::npos);
  EXPECT_EQ(analyst.stop(), 0) << analyst.log();
}

TEST(AnalystProcessIntegration, StopsCleanlyOnSigterm) {
  AnalystProcess analyst;
  analyst.start();
  EXPECT_EQ(analyst.get("/healthz").status, 200);
  EXPECT_EQ(analyst.get("/readyz").status, 200);
  EXPECT_EQ(analyst.stop(), 0) << analyst.log();
}

}  // namespace
