#include "http_api.hpp"

#include "ems/runtime/bearer.hpp"
#include "ems/runtime/json_input.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;
using runtime::ProblemError;
using runtime::ProblemException;

constexpr const char* kJson = "application/json";

[[noreturn]] void bad_field(const std::string& path, const std::string& message) {
  throw ProblemException(400, "Bad Request", "invalid training request: " + message,
                         {ProblemError{path, message}});
}

int int_field(const json& obj, const char* key, const std::string& path, int lo, int hi,
              int fallback) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj[key];
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
    bad_field(path + "/" + key, std::string(key) + " must be an integer " + std::to_string(lo) +
                                    ".." + std::to_string(hi));
  return v.get<int>();
}

double fraction_field(const json& obj, const char* key, const std::string& path, double fallback) {
  if (!obj.contains(key)) return fallback;
  const auto& v = obj[key];
  if (!v.is_number() || !(v.get<double>() > 0.0) || v.get<double>() > 1.0)
    bad_field(path + "/" + key, std::string(key) + " must be a number in (0, 1]");
  return v.get<double>();
}

json model_ref(const ModelRecord& r) {
  return {{"id", r.id}, {"name", r.name}, {"version", r.version}};
}

void answer(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

}  // namespace

TrainRequest parse_train_request(const std::string& body) {
  const json j = runtime::parse_json_body(body);
  if (!j.is_object()) bad_field("", "the body must be a JSON object");
  static const std::set<std::string> kKeys = {"target",        "model",      "params",
                                              "backtest_days", "refit_days", "data_to"};
  for (const auto& [key, value] : j.items())
    if (!kKeys.count(key)) bad_field("/" + key, "unknown field '" + key + "'");
  TrainRequest r;
  if (!j.contains("target") || !j["target"].is_string() || j["target"].get<std::string>().empty())
    bad_field("/target", "target must be a non-empty string");
  r.target = j["target"].get<std::string>();
  if (j.contains("model")) {
    if (!j["model"].is_string()) bad_field("/model", "model must be a string");
    r.model = j["model"].get<std::string>();
  }
  if (j.contains("params")) {
    const auto& p = j["params"];
    if (!p.is_object()) bad_field("/params", "params must be an object");
    static const std::set<std::string> kParams = {"trees", "max_depth", "learning_rate",
                                                  "subsample", "train_days"};
    for (const auto& [key, value] : p.items())
      if (!kParams.count(key)) bad_field("/params/" + key, "unknown parameter '" + key + "'");
    r.params.trees = int_field(p, "trees", "/params", 1, 2000, r.params.trees);
    r.params.max_depth = int_field(p, "max_depth", "/params", 1, 12, r.params.max_depth);
    r.params.train_days = int_field(p, "train_days", "/params", 7, 730, r.params.train_days);
    r.params.learning_rate = fraction_field(p, "learning_rate", "/params", r.params.learning_rate);
    r.params.subsample = fraction_field(p, "subsample", "/params", r.params.subsample);
  }
  r.backtest_days = int_field(j, "backtest_days", "", 7, 366, r.backtest_days);
  r.refit_days = int_field(j, "refit_days", "", 1, 366, r.refit_days);
  if (j.contains("data_to")) {
    const auto day = j["data_to"].is_string()
                         ? forecasting::parse_day(j["data_to"].get<std::string>())
                         : std::nullopt;
    if (!day) bad_field("/data_to", "data_to must be a date YYYY-MM-DD");
    r.data_to_day = *day;
  }
  return r;
}

void install_http_api(runtime::HttpServer& server, const HttpApiOptions& options,
                      const TargetCatalog& targets, ModelRegistry& registry, Trainer& trainer,
                      Forecaster& forecaster) {
  server.get("/forecast", [&forecaster](const httplib::Request& req, httplib::Response& res) {
    ForecastQuery q;
    q.target = req.get_param_value("target");
    if (req.has_param("from")) q.from = req.get_param_value("from");
    if (req.has_param("to")) q.to = req.get_param_value("to");
    if (req.has_param("model")) q.model = req.get_param_value("model");
    answer(res, forecaster.forecast(q));
  });

  server.get("/models", [&registry](const httplib::Request& req, httplib::Response& res) {
    json models = json::array();
    for (const auto& m : registry.list(req.get_param_value("target")))
      models.push_back(m.to_json());
    answer(res, {{"models", models}});
  });

  server.get(R"(/models/([^/]+))", [&registry](const httplib::Request& req,
                                               httplib::Response& res) {
    const std::string text = req.matches[1];
    std::int64_t id = 0;
    const bool digits = !text.empty() && text.size() <= 18 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits)
      throw ProblemException(400, "Bad Request", "model id must be a number, got '" + text + "'");
    id = std::stoll(text);
    const auto m = registry.get(id);
    if (!m) throw ProblemException(404, "Not Found", "no model " + text);
    answer(res, m->to_json());
  });

  server.post("/models/train", [&, token = options.api_token](const httplib::Request& req,
                                                              httplib::Response& res) {
    try {
      runtime::require_bearer(req, token);
    } catch (const ProblemException& e) {
      runtime::problem(res, e.problem());
      res.set_header("WWW-Authenticate", "Bearer");
      return;
    }
    const TrainRequest request = parse_train_request(req.body);
    TrainOutcome out;
    try {
      out = trainer.train(request);
    } catch (const TrainError& e) {
      throw ProblemException(e.status, std::string(runtime::status_title(e.status)), e.what());
    }
    const auto champion = registry.champion(request.target);
    answer(res,
           {{"model", out.model.to_json()},
            {"promoted", out.model.promoted},
            {"decision", out.model.decision},
            {"champion", champion ? model_ref(*champion) : json(nullptr)}},
           201);
  });

  server.get("/targets", [&](const httplib::Request&, httplib::Response& res) {
    json list = json::array();
    for (const auto& name : targets.names()) {
      const Target* t = targets.find(name);
      const auto champion = registry.champion(name);
      list.push_back({{"name", name},
                      {"site", t->site},
                      {"source", t->source->describe(name)},
                      {"champion", champion ? model_ref(*champion) : json(nullptr)}});
    }
    answer(res, {{"targets", list}});
  });
}

}  // namespace ems::analyst
