#include "trainer.hpp"

#include <chrono>
#include <cmath>

#include "ems/runtime/log.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;
namespace fc = forecasting;

json number_or_null(double v) {
  return std::isnan(v) ? json(nullptr) : json(v);
}

bool is_gbt(const std::string& name) {
  return name.rfind("gbt", 0) == 0;
}

json features_of(const std::string& name) {
  if (is_gbt(name)) {
    json names = json::array();
    for (const auto n : fc::feature_names()) names.push_back(std::string(n));
    return names;
  }
  if (name == "persistence") return {"lag_1d"};
  if (name == "seasonal_naive") return {"mean_7d"};
  if (name == "climatology") return {"mean_28d"};
  return {"clearest_of_7d", "clear_sky_ghi"};  // clear_sky
}

std::unique_ptr<fc::GbtModel> fit_quantile(const Target& target, fc::GbtParams params, double q,
                                           const fc::Series& history) {
  params.quantile = q;
  auto m = std::make_unique<fc::GbtModel>(target.name, params, target.place);
  m->fit(history);
  return m;
}

double seconds_since_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

const Target* TargetCatalog::find(const std::string& name) const {
  const auto it = targets_.find(name);
  return it == targets_.end() ? nullptr : &it->second;
}

std::vector<std::string> TargetCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : targets_) out.push_back(name);
  return out;
}

Promotion decide_promotion(const std::vector<fc::HourResult>& candidate,
                           const std::vector<fc::HourResult>* champion) {
  Promotion p;
  double cand = 0.0, pers = 0.0, champ = 0.0;
  for (std::size_t i = 0; i < candidate.size(); ++i) {
    const auto& h = candidate[i];
    if (std::isnan(h.actual) || std::isnan(h.forecast) || std::isnan(h.persistence)) continue;
    if (champion && (i >= champion->size() || std::isnan((*champion)[i].forecast))) continue;
    ++p.hours;
    cand += std::fabs(h.forecast - h.actual);
    pers += std::fabs(h.persistence - h.actual);
    if (champion) champ += std::fabs((*champion)[i].forecast - h.actual);
  }
  if (p.hours == 0) {
    p.reason = "not promoted: no backtest hour where every forecast and the actual are known";
    return p;
  }
  const double n = static_cast<double>(p.hours);
  p.candidate_mae = cand / n;
  p.persistence_mae = pers / n;
  if (champion) p.champion_mae = champ / n;
  char buf[256];
  if (!(p.candidate_mae < p.persistence_mae)) {
    std::snprintf(buf, sizeof buf,
                  "not promoted: MAE %.3f does not beat persistence's %.3f on the same %zu hours",
                  p.candidate_mae, p.persistence_mae, p.hours);
  } else if (champion && !(p.candidate_mae < p.champion_mae)) {
    std::snprintf(buf, sizeof buf,
                  "not promoted: MAE %.3f does not beat the champion's %.3f on the same %zu hours "
                  "(persistence %.3f)",
                  p.candidate_mae, p.champion_mae, p.hours, p.persistence_mae);
  } else {
    p.promote = true;
    if (champion)
      std::snprintf(buf, sizeof buf,
                    "promoted: MAE %.3f beats the champion's %.3f and persistence's %.3f on the "
                    "same %zu hours",
                    p.candidate_mae, p.champion_mae, p.persistence_mae, p.hours);
    else
      std::snprintf(buf, sizeof buf,
                    "promoted: first champion; MAE %.3f beats persistence's %.3f on the same %zu "
                    "hours",
                    p.candidate_mae, p.persistence_mae, p.hours);
  }
  p.reason = buf;
  return p;
}

fc::GbtParams gbt_params_from_json(const json& params) {
  fc::GbtParams p;
  if (!params.is_object()) return p;
  p.trees = params.value("trees", p.trees);
  p.max_depth = params.value("max_depth", p.max_depth);
  p.learning_rate = params.value("learning_rate", p.learning_rate);
  p.subsample = params.value("subsample", p.subsample);
  p.train_days = params.value("train_days", p.train_days);
  p.quantile = params.value("quantile", p.quantile);
  return p;
}

json gbt_params_to_json(const fc::GbtParams& p) {
  json j = {{"trees", p.trees},
            {"max_depth", p.max_depth},
            {"learning_rate", p.learning_rate},
            {"subsample", p.subsample},
            {"train_days", p.train_days}};
  if (p.quantile > 0.0 && p.quantile < 1.0) j["quantile"] = p.quantile;
  return j;
}

std::shared_ptr<const ServedModel> load_served_model(const ModelRecord& record,
                                                     const fc::Place& place) {
  auto served = std::make_shared<ServedModel>();
  served->record = record;
  const fc::GbtParams params = gbt_params_from_json(record.params);
  served->model = fc::make_model(record.name, record.target, params, place);
  if (auto* gbt = dynamic_cast<fc::GbtModel*>(served->model.get())) {
    json artifact;
    try {
      artifact = json::parse(record.artifact);
    } catch (const json::exception& e) {
      throw std::runtime_error("model " + std::to_string(record.id) +
                               " has no loadable artifact: " + e.what());
    }
    gbt->load(artifact.value("model", std::string()));
    served->nonnegative = gbt->nonnegative();
    for (auto [key, slot] : {std::pair{"lower", &served->lower}, {"upper", &served->upper}}) {
      if (!artifact.contains(key)) continue;
      fc::GbtParams q = params;
      q.quantile = key == std::string("lower") ? 0.1 : 0.9;
      *slot = std::make_unique<fc::GbtModel>(record.target, q, place);
      (*slot)->load(artifact[key].get<std::string>());
    }
  }
  return served;
}

Trainer::Trainer(const TargetCatalog& targets, ModelRegistry& registry,
                 runtime::metrics::Registry& metrics)
    : targets_(targets),
      registry_(registry),
      champion_mae_(metrics.gauge("ems_analyst_champion_mae",
                                  "Backtest MAE of the target's champion model", {"target"})),
      champion_skill_(metrics.gauge("ems_analyst_champion_skill",
                                    "Backtest skill (1 - MAE / persistence MAE) of the champion",
                                    {"target"})),
      champion_id_(metrics.gauge("ems_analyst_champion_model_id",
                                 "Registry id of the target's champion model", {"target"})),
      last_training_(metrics.gauge("ems_analyst_last_training_timestamp_seconds",
                                   "Unix time of the target's last finished training", {"target"})),
      trainings_(metrics.counter("ems_analyst_trainings_total",
                                 "Trainings by outcome (promoted, not_promoted, failed)",
                                 {"target", "outcome"})),
      training_seconds_(metrics.histogram(
          "ems_analyst_training_seconds", "Wall time of one training (backtests and final fit)",
          {"target"}, {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300})) {}

void Trainer::publish(const ModelRecord& champion) {
  champion_mae_.with({champion.target})
      .set(champion.metrics.value("mae", json(nullptr)).is_number()
               ? champion.metrics["mae"].get<double>()
               : std::nan(""));
  champion_skill_.with({champion.target})
      .set(champion.metrics.value("skill", json(nullptr)).is_number()
               ? champion.metrics["skill"].get<double>()
               : std::nan(""));
  champion_id_.with({champion.target}).set(static_cast<double>(champion.id));
}

void Trainer::publish_champion_metrics() {
  for (const auto& c : registry_.champions()) publish(c);
}

TrainOutcome Trainer::train(const TrainRequest& request) {
  const Target* target = targets_.find(request.target);
  if (!target) {
    std::string names;
    for (const auto& n : targets_.names()) names += (names.empty() ? "" : ", ") + n;
    throw TrainError(400, "unknown target '" + request.target + "' (targets: " + names + ")");
  }
  std::lock_guard lock(mutex_);
  const auto started = std::chrono::steady_clock::now();
  try {
    std::unique_ptr<fc::Model> candidate;
    try {
      candidate = fc::make_model(request.model, target->name, request.params, target->place);
    } catch (const std::invalid_argument& e) {
      throw TrainError(400, e.what());
    }
    fc::Series all;
    try {
      all = target->source->history(target->name);
    } catch (const std::invalid_argument& e) {
      throw TrainError(400, e.what());
    } catch (const std::exception& e) {
      throw TrainError(503, e.what());
    }
    int end = target->source->complete_end_day(all);
    if (request.data_to_day) end = std::min(end, *request.data_to_day + 1);
    const fc::Series history = all.before(end);
    // The first backtest day needs two weeks before it (a week of features, a week to train),
    // plus a spare day: the first day of a live history is usually partial.
    const int first = history.first_day + 15;
    const int bt_to = end - 1;
    const int bt_from = std::max(end - request.backtest_days, first);
    if (history.values.empty() || bt_to - bt_from + 1 < 7)
      throw TrainError(422, "not enough history for '" + target->name +
                                "': " + std::to_string(std::max(0, end - history.first_day)) +
                                " whole days before " + fc::format_day(end) +
                                ", need at least 22 (15 before a 7-day backtest)");
    const fc::BacktestOptions window{bt_from, bt_to, request.refit_days};

    fc::BacktestResult cand;
    try {
      cand = fc::backtest(history, *candidate, window);
    } catch (const std::invalid_argument& e) {
      throw TrainError(422, e.what());
    } catch (const std::runtime_error& e) {
      throw TrainError(422, e.what());
    }
    const auto champion = registry_.champion(target->name);
    std::optional<fc::BacktestResult> champ;
    if (champion) {
      auto model = fc::make_model(champion->name, target->name,
                                  gbt_params_from_json(champion->params), target->place);
      champ = fc::backtest(history, *model, window);
    }
    const Promotion promotion = decide_promotion(cand.hours, champ ? &champ->hours : nullptr);

    // The model that will be served: fitted on the whole cut history.
    json artifact = "";
    if (auto* gbt = dynamic_cast<fc::GbtModel*>(candidate.get())) {
      try {
        gbt->fit(history);
        json a = {{"model", gbt->save()}};
        if (request.params.quantile <= 0.0 || request.params.quantile >= 1.0) {
          a["lower"] = fit_quantile(*target, request.params, 0.1, history)->save();
          a["upper"] = fit_quantile(*target, request.params, 0.9, history)->save();
        }
        artifact = a.dump();
      } catch (const std::runtime_error& e) {
        throw TrainError(422, e.what());
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    ModelRecord record;
    record.target = target->name;
    record.name = candidate->name();
    record.source = target->source->describe(target->name);
    record.features = features_of(record.name);
    record.data_from = fc::format_day(history.first_day);
    record.data_to = fc::format_day(end - 1);
    record.params = is_gbt(record.name) ? gbt_params_to_json(request.params) : json::object();
    const auto& m = cand.metrics;
    record.metrics = {{"backtest_from", fc::format_day(bt_from)},
                      {"backtest_to", fc::format_day(bt_to)},
                      {"refit_days", request.refit_days},
                      {"hours", m.hours},
                      {"mae", number_or_null(m.mae)},
                      {"rmse", number_or_null(m.rmse)},
                      {"persistence_mae", number_or_null(m.persistence_mae)},
                      {"skill", number_or_null(m.skill)},
                      {"fits", cand.fits},
                      {"comparison",
                       {{"hours", promotion.hours},
                        {"mae", number_or_null(promotion.candidate_mae)},
                        {"persistence_mae", number_or_null(promotion.persistence_mae)},
                        {"champion_id", champion ? json(champion->id) : json(nullptr)},
                        {"champion_mae", number_or_null(promotion.champion_mae)}}}};
    record.artifact = artifact.is_string() ? artifact.get<std::string>() : artifact.dump();
    record.train_seconds = seconds;
    record.decision = promotion.reason;
    TrainOutcome out;
    out.promotion = promotion;
    out.previous_champion = champion;
    out.model =
        registry_.insert(record, promotion.promote,
                         champion ? std::optional<std::int64_t>(champion->id) : std::nullopt);
    out.model.artifact.clear();
    out.promotion.promote = out.model.promoted;
    out.promotion.reason = out.model.decision;
    if (out.model.promoted) publish(out.model);
    last_training_.with({target->name}).set(seconds_since_epoch());
    trainings_.with({target->name, out.model.promoted ? "promoted" : "not_promoted"}).inc();
    training_seconds_.with({target->name}).observe(seconds);
    runtime::log::info("model trained", {{"target", target->name},
                                         {"model", record.name},
                                         {"id", out.model.id},
                                         {"version", out.model.version},
                                         {"mae", number_or_null(m.mae)},
                                         {"skill", number_or_null(m.skill)},
                                         {"promoted", out.model.promoted},
                                         {"seconds", seconds}});
    return out;
  } catch (const TrainError& e) {
    trainings_.with({target->name, "failed"}).inc();
    runtime::log::warn("training failed", {{"target", target->name}, {"error", e.what()}});
    throw;
  }
}

}  // namespace ems::analyst
