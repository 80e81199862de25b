#include "ems/forecasting/models.hpp"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ems::forecasting {

namespace {

DayForecast nan_day() {
  DayForecast f;
  f.fill(kMissing);
  return f;
}

class Persistence final : public Model {
 public:
  std::string name() const override { return "persistence"; }
  DayForecast predict(const Series& history, int day) const override {
    DayForecast f = nan_day();
    for (int h = 0; h < 24; ++h) f[h] = history.at(day - 1, h);
    return f;
  }
};

// Mean of the same hour over the last `days` days (missing days skipped).
class MeanOfDays final : public Model {
 public:
  MeanOfDays(std::string name, int days) : name_(std::move(name)), days_(days) {}
  std::string name() const override { return name_; }
  DayForecast predict(const Series& history, int day) const override {
    DayForecast f = nan_day();
    for (int h = 0; h < 24; ++h) f[h] = mean_of_hour(history, day, h, days_);
    return f;
  }

 private:
  std::string name_;
  int days_;
};

class ClearSkyScaled final : public Model {
 public:
  explicit ClearSkyScaled(Place place) : place_(place) {}
  std::string name() const override { return "clear_sky"; }
  // The clearest of the last 7 days (highest day_clearness) carried to day D hour by hour, each
  // hour scaled by the change of its clear-sky GHI: the fleet's own clear-day profile (trackers,
  // orientation) with the sun of day D.
  DayForecast predict(const Series& history, int day) const override {
    DayForecast f = nan_day();
    double best = kMissing;
    int clearest = 0;
    for (int k = 1; k <= 7; ++k) {
      const double c = day_clearness(history, place_, day - k);
      if (!std::isnan(c) && (std::isnan(best) || c > best)) {
        best = c;
        clearest = day - k;
      }
    }
    if (std::isnan(best)) return f;
    for (int h = 0; h < 24; ++h) {
      const double then = clear_sky_for(place_, clearest, h);
      const double now = clear_sky_for(place_, day, h);
      const double v = history.at(clearest, h);
      // Below 20 W/m2 the ratio is noise (dawn, dusk): keep the clearest day's value.
      f[h] = then > 20.0 && now > 0.0 ? v * now / then : v;
    }
    return f;
  }

 private:
  Place place_;
};

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("xgboost ") + what + ": " + XGBGetLastError());
}

struct Matrix {
  DMatrixHandle handle = nullptr;
  Matrix(const std::vector<FeatureRow>& rows) {
    check(XGDMatrixCreateFromMat(rows.empty() ? nullptr : rows.front().data(),
                                 static_cast<bst_ulong>(rows.size()), kFeatureCount, std::nanf(""),
                                 &handle),
          "XGDMatrixCreateFromMat");
  }
  ~Matrix() {
    if (handle) XGDMatrixFree(handle);
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
};

}  // namespace

GbtModel::GbtModel(std::string target, GbtParams params)
    : target_(std::move(target)), place_(place_for_target(target_)), params_(params) {}

GbtModel::GbtModel(std::string target, GbtParams params, Place place)
    : target_(std::move(target)), place_(place), params_(params) {}

std::string GbtModel::save() const {
  if (!booster_) throw std::runtime_error("gbt: save() before a successful fit()");
  bst_ulong len = 0;
  const char* raw = nullptr;
  check(XGBoosterSaveModelToBuffer(booster_, R"({"format": "json"})", &len, &raw),
        "XGBoosterSaveModelToBuffer");
  const nlohmann::json envelope = {{"format", "ems-gbt-1"},
                                   {"nonnegative", nonnegative_},
                                   {"trained_rows", trained_rows_},
                                   {"booster", std::string(raw, len)}};
  return envelope.dump();
}

void GbtModel::load(const std::string& text) {
  nlohmann::json envelope;
  try {
    envelope = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("gbt: saved model is not JSON: ") + e.what());
  }
  if (!envelope.is_object() || envelope.value("format", "") != "ems-gbt-1" ||
      !envelope.contains("booster") || !envelope["booster"].is_string())
    throw std::runtime_error("gbt: saved model has no 'ems-gbt-1' envelope with a booster");
  const std::string model = envelope["booster"].get<std::string>();
  BoosterHandle booster = nullptr;
  check(XGBoosterCreate(nullptr, 0, &booster), "XGBoosterCreate");
  if (XGBoosterLoadModelFromBuffer(booster, model.data(), model.size()) != 0 ||
      XGBoosterSetParam(booster, "nthread", std::to_string(params_.threads).c_str()) != 0) {
    const std::string err = XGBGetLastError();
    XGBoosterFree(booster);
    throw std::runtime_error("gbt: saved model cannot be loaded: " + err);
  }
  if (booster_) XGBoosterFree(booster_);
  booster_ = booster;
  nonnegative_ = envelope.value("nonnegative", false);
  trained_rows_ = envelope.value("trained_rows", std::size_t{0});
}

std::string GbtModel::name() const {
  if (params_.quantile <= 0.0 || params_.quantile >= 1.0) return "gbt";
  const long percent = std::lround(params_.quantile * 100.0);
  if (percent == 50) return "gbt_median";
  return std::string("gbt_q") + char('0' + percent / 10) + char('0' + percent % 10);
}

GbtModel::~GbtModel() {
  if (booster_) XGBoosterFree(booster_);
}

GbtModel::TrainingSet GbtModel::training_set(const Series& history) const {
  TrainingSet set;
  const int end = history.end_day();
  const int begin = std::max(history.first_day + 7, end - params_.train_days);
  for (int day = begin; day < end; ++day) {
    const auto rows = features_for_day(history, place_, day);
    const double scale = target_scale(history, day);
    for (int h = 0; h < 24; ++h) {
      const double y = history.at(day, h);
      if (std::isnan(y)) continue;
      set.rows.push_back(rows[h]);
      set.labels.push_back(static_cast<float>(y / scale));
      set.slots.emplace_back(day, h);
    }
  }
  return set;
}

void GbtModel::fit(const Series& history) {
  const TrainingSet set = training_set(history);
  if (set.rows.size() < 24 * 7)
    throw std::runtime_error("gbt: not enough history to train (" +
                             std::to_string(set.rows.size()) + " labelled hours, need 168)");
  Matrix train(set.rows);
  check(XGDMatrixSetFloatInfo(train.handle, "label", set.labels.data(),
                              static_cast<bst_ulong>(set.labels.size())),
        "XGDMatrixSetFloatInfo");
  BoosterHandle booster = nullptr;
  check(XGBoosterCreate(&train.handle, 1, &booster), "XGBoosterCreate");
  const auto set_param = [&](const char* k, const std::string& v) {
    if (XGBoosterSetParam(booster, k, v.c_str()) != 0) {
      const std::string err = XGBGetLastError();
      XGBoosterFree(booster);
      throw std::runtime_error("xgboost parameter " + std::string(k) + ": " + err);
    }
  };
  set_param("objective", "reg:squarederror");
  set_param("max_depth", std::to_string(params_.max_depth));
  set_param("eta", std::to_string(params_.learning_rate));
  set_param("subsample", std::to_string(params_.subsample));
  set_param("nthread", std::to_string(params_.threads));
  set_param("tree_method", "hist");
  set_param("seed", "42");
  set_param("verbosity", "0");
  const bool pinball = params_.quantile > 0.0 && params_.quantile < 1.0;
  if (pinball) {
    // Start from the labels' quantile, then boost on the pinball loss's gradient (hessian 1):
    // xgboost 1.7 has no quantile objective, its C API takes custom gradients.
    std::vector<float> sorted = set.labels;
    const auto k = static_cast<std::ptrdiff_t>(params_.quantile * (sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + k, sorted.end());
    set_param("base_score", std::to_string(sorted[static_cast<std::size_t>(k)]));
  }
  std::vector<float> grad(set.labels.size()), hess(set.labels.size(), 1.0f);
  for (int i = 0; i < params_.trees; ++i) {
    int rc = 0;
    if (pinball) {
      bst_ulong len = 0;
      const float* pred = nullptr;
      rc = XGBoosterPredict(booster, train.handle, 0, 0, 1, &len, &pred);
      if (rc == 0 && len != grad.size()) rc = -1;
      for (std::size_t j = 0; rc == 0 && j < grad.size(); ++j)
        grad[j] = pred[j] >= set.labels[j] ? static_cast<float>(1.0 - params_.quantile)
                                           : static_cast<float>(-params_.quantile);
      if (rc == 0)
        rc = XGBoosterBoostOneIter(booster, train.handle, grad.data(), hess.data(),
                                   static_cast<bst_ulong>(grad.size()));
    } else {
      rc = XGBoosterUpdateOneIter(booster, i, train.handle);
    }
    if (rc != 0) {
      const std::string err = XGBGetLastError();
      XGBoosterFree(booster);
      throw std::runtime_error("xgboost training: " + err);
    }
  }
  if (booster_) XGBoosterFree(booster_);
  booster_ = booster;
  nonnegative_ = std::all_of(history.values.begin(), history.values.end(),
                             [](double v) { return std::isnan(v) || v >= 0.0; });
  trained_rows_ = set.rows.size();
}

DayForecast GbtModel::predict(const Series& history, int day) const {
  if (!booster_) throw std::runtime_error("gbt: predict() before a successful fit()");
  const auto day_rows = features_for_day(history, place_, day);
  const std::vector<FeatureRow> rows(day_rows.begin(), day_rows.end());
  const double scale = target_scale(history, day);
  Matrix m(rows);
  bst_ulong len = 0;
  const float* out = nullptr;
  check(XGBoosterPredict(booster_, m.handle, 0, 0, 0, &len, &out), "XGBoosterPredict");
  if (len != 24) throw std::runtime_error("xgboost returned " + std::to_string(len) + " values");
  DayForecast f;
  for (int h = 0; h < 24; ++h) f[h] = out[h] * scale;
  if (nonnegative_)  // a series that never went below zero (solar) is not forecast below it
    for (double& v : f) v = std::max(v, 0.0);
  return f;
}

std::vector<std::string> model_names() {
  return {"persistence", "seasonal_naive", "climatology", "clear_sky", "gbt", "gbt_median"};
}

std::unique_ptr<Model> make_model(std::string_view name, const std::string& target, GbtParams gbt,
                                  std::optional<Place> place) {
  const Place where = place.value_or(place_for_target(target));
  if (name == "persistence") return std::make_unique<Persistence>();
  if (name == "seasonal_naive") return std::make_unique<MeanOfDays>("seasonal_naive", 7);
  if (name == "climatology") return std::make_unique<MeanOfDays>("climatology", 28);
  if (name == "clear_sky") return std::make_unique<ClearSkyScaled>(where);
  if (name == "gbt") return std::make_unique<GbtModel>(target, gbt, where);
  if (name == "gbt_median") {
    gbt.quantile = 0.5;
    return std::make_unique<GbtModel>(target, gbt, where);
  }
  if (name.size() == 7 && name.substr(0, 5) == "gbt_q" && std::isdigit(name[5]) &&
      std::isdigit(name[6]) && name.substr(5) != "00") {
    gbt.quantile = ((name[5] - '0') * 10 + (name[6] - '0')) / 100.0;
    return std::make_unique<GbtModel>(target, gbt, where);
  }
  std::string names;
  for (const auto& n : model_names()) names += (names.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown model '" + std::string(name) + "' (models: " + names + ")");
}

}  // namespace ems::forecasting
