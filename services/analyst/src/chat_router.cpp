#include "chat_router.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "rfc3339.hpp"

namespace ems::analyst {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Whole-word (or whole-phrase) containment: "line" is not found in "online".
bool has(const std::string& text, const std::string& phrase) {
  for (std::size_t at = text.find(phrase); at != std::string::npos;
       at = text.find(phrase, at + 1)) {
    const bool start = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
    const std::size_t end = at + phrase.size();
    const bool stop = end >= text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
    if (start && stop) return true;
  }
  return false;
}

bool any(const std::string& text, std::initializer_list<const char*> phrases) {
  return std::any_of(phrases.begin(), phrases.end(), [&](const char* p) { return has(text, p); });
}

std::string spaced(std::string id) {
  std::replace(id.begin(), id.end(), '_', ' ');
  return id;
}

// Template words people use for a device kind.
const std::map<std::string, std::vector<std::string>>& template_words() {
  static const std::map<std::string, std::vector<std::string>> kWords = {
      {"bess_module", {"battery", "bess", "battery module", "storage"}},
      {"bess_rack", {"rack", "battery rack"}},
      {"bess_bms", {"bms", "battery management system"}},
      {"pv_inverter", {"pv", "solar", "inverter", "pv inverter", "solar inverter"}},
      {"pst", {"pst", "phase shifter", "phase shifting transformer", "phase-shifting transformer"}},
      {"dlr_line", {"line", "overhead line", "dlr"}},
      {"line_meter", {"line meter"}},
      {"dlr_weather_station", {"weather", "weather station", "wind"}},
      {"conductor_sensor", {"conductor", "conductor sensor"}},
      {"compute_module", {"datacenter", "data center", "compute", "compute module"}},
      {"gpu_node", {"gpu node", "gpu"}},
      {"pdu", {"pdu"}},
      {"cdu", {"cdu", "cooling"}},
      {"network_switch", {"network switch"}},
      {"poi_meter",
       {"poi", "poi meter", "grid meter", "point of interconnection", "grid connection"}},
      {"switchgear", {"switchgear"}},
      {"protective_relay", {"relay", "protective relay"}},
      {"operating_envelope", {"envelope", "operating envelope"}},
      {"grid_module", {"grid module"}}};
  return kWords;
}

// The number written right after `phrase` in `text` ("rack 2" -> "2"), "" when none.
std::string number_after(const std::string& text, const std::string& phrase) {
  for (std::size_t at = text.find(phrase); at != std::string::npos;
       at = text.find(phrase, at + 1)) {
    std::size_t i = at + phrase.size();
    while (i < text.size() && (text[i] == ' ' || text[i] == '#' || text[i] == '_')) ++i;
    std::string n;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) n += text[i++];
    if (!n.empty()) return n;
  }
  return "";
}

// The device the question names: the longest alias found wins.
std::string find_device(const std::string& q, const json& view) {
  if (!view.is_object() || !view.contains("devices")) return "";
  std::string best;
  std::size_t best_len = 0;
  const auto consider = [&](const std::string& id, const std::string& alias) {
    if (alias.size() > best_len && has(q, alias)) {
      best = id;
      best_len = alias.size();
    }
  };
  std::map<std::string, std::vector<std::string>> by_template;
  for (const auto& [id, d] : view["devices"].items()) {
    consider(id, id);
    consider(id, spaced(id));
    const std::string name = lower(d.value("display_name", std::string()));
    if (name.size() > 3) consider(id, name);
    by_template[d.value("template", std::string())].push_back(id);
  }
  for (const auto& [tmpl, words] : template_words()) {
    const auto it = by_template.find(tmpl);
    if (it == by_template.end()) continue;
    auto ids = it->second;
    std::sort(ids.begin(), ids.end());
    for (const auto& w : words) {
      if (!has(q, w) && number_after(q, w).empty()) continue;
      const std::string n = number_after(q, w);
      std::string pick = ids.front();
      if (!n.empty())
        for (const auto& id : ids)
          if (id.size() > n.size() &&
              id.compare(id.size() - n.size() - 1, n.size() + 1, "_" + n) == 0)
            pick = id;
      // A numbered mention counts as longer than the bare word.
      consider(pick, n.empty() ? w : w + " " + n);
      if (!n.empty() && best == pick) best_len = std::max(best_len, w.size() + n.size() + 1);
    }
  }
  return best;
}

const std::map<std::string, std::vector<std::string>>& measurement_synonyms() {
  static const std::map<std::string, std::vector<std::string>> kWords = {
      {"charge", {"soc", "state of charge", "charged", "charge"}},
      {"power",
       {"power", "output", "producing", "production", "consumption", "consuming", "load",
        "generation", "do", "doing", "did"}},
      {"temperature", {"temperature", "temp", "hot"}},
      {"loading", {"loading", "loaded"}},
      {"current", {"current", "amps"}},
      {"voltage", {"voltage", "volts"}},
      {"frequency", {"frequency", "hz"}},
      {"tap", {"tap"}},
      {"rating", {"rating", "ampacity"}},
      {"state", {"state", "status", "mode"}}};
  return kWords;
}

// The measurement of `device` the question is about (by name words and synonyms).
std::string find_measurement(const std::string& q, const std::string& device, const json& view) {
  if (device.empty() || !view.is_object()) return "";
  const auto& d = view["devices"][device];
  const std::string tmpl = d.value("template", std::string());
  if (!view.contains("templates_used") || !view["templates_used"].contains(tmpl) ||
      !view["templates_used"][tmpl].contains("measurements"))
    return "";
  const auto& ms = view["templates_used"][tmpl]["measurements"];
  std::string best;
  int best_score = 0;
  for (const auto& [name, m] : ms.items()) {
    int score = 0;
    if (has(q, spaced(name)) || has(q, name)) score += 10;
    const std::string display = lower(m.value("display_name", std::string()));
    if (!display.empty() && has(q, display)) score += 8;
    std::string word;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i == name.size() || name[i] == '_') {
        if (word.size() > 2 && has(q, word)) score += 2;
        const auto syn = measurement_synonyms().find(word);
        if (syn != measurement_synonyms().end())
          for (const auto& s : syn->second)
            if (has(q, s)) {
              score += 1;
              break;
            }
        word.clear();
      } else {
        word += name[i];
      }
    }
    // Among equals prefer the plain one (active_power over dc_power or max_charge_power).
    const auto rank = [](const std::string& n) {
      return n == "active_power" || n == "total_power" || n == "state_of_charge" ? 0 : 1;
    };
    if (score > best_score ||
        (score == best_score && score > 0 &&
         std::pair(rank(name), name.size()) < std::pair(rank(best), best.size()))) {
      best = name;
      best_score = score;
    }
  }
  if (best_score > 0) return best;
  for (const char* fallback : {"active_power", "total_power", "state_of_charge"})
    if (ms.contains(fallback)) return fallback;
  return ms.empty() ? "" : ms.begin().key();
}

std::string forecast_target(const std::string& q) {
  const bool load = any(q, {"load", "demand", "consumption", "datacenter", "data center"});
  if (any(q, {"ercot", "texas", "system"})) {
    if (load) return "system_load";
    static const std::pair<const char*, const char*> kRegions[] = {
        {"far west", "solar_farwest"},       {"farwest", "solar_farwest"},
        {"center west", "solar_centerwest"}, {"centerwest", "solar_centerwest"},
        {"north west", "solar_northwest"},   {"northwest", "solar_northwest"},
        {"far east", "solar_fareast"},       {"fareast", "solar_fareast"},
        {"south east", "solar_southeast"},   {"southeast", "solar_southeast"},
        {"center east", "solar_centereast"}, {"centereast", "solar_centereast"}};
    for (const auto& [words, column] : kRegions)
      if (has(q, words)) return column;
    return "solar_system";
  }
  return load ? "site_load" : "site_pv";
}

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string num(const json& v, int decimals = 1) {
  return v.is_number() ? fixed(v.get<double>(), decimals) : std::string("n/a");
}

// Up to `limit` characters of `text`: from the start when it fits, else from the sentence that
// holds most of the query's words (of four letters or more), so a long chunk shows the part that
// answers.
std::string excerpt(const std::string& text, const std::string& query, std::size_t limit = 400) {
  if (text.size() <= limit) return text;
  std::vector<std::string> words;
  std::string w;
  for (std::size_t i = 0; i <= query.size(); ++i) {
    if (i < query.size() && std::isalnum(static_cast<unsigned char>(query[i]))) {
      w += query[i];
      continue;
    }
    if (w.size() >= 4) words.push_back(w);
    w.clear();
  }
  const std::string low = lower(text);
  std::size_t best = 0;
  int best_hits = 0;
  for (std::size_t start = 0; start < low.size();) {
    std::size_t stop = low.find_first_of(".\n", start);
    if (stop == std::string::npos) stop = low.size();
    const std::string window = low.substr(start, std::min(limit, low.size() - start));
    int hits = 0;
    for (const auto& q : words) hits += window.find(q) != std::string::npos ? 1 : 0;
    if (hits > best_hits) best = start, best_hits = hits;
    start = stop + 1;
    while (start < low.size() && (low[start] == ' ' || low[start] == '\n')) ++start;
  }
  return (best > 0 ? "..." : "") + text.substr(best, limit) +
         (best + limit < text.size() ? "..." : "");
}

std::string describe_outcome(const PlannedCall& call, const ToolOutcome& o) {
  if (!o.ok) return "I could not get " + call.tool + " " + call.arguments.dump() + ": " + o.error;
  const json& r = o.result;
  std::string out;
  if (call.tool == "site_status" && r.contains("devices")) {
    out = "The site " + r.value("site_id", std::string()) + " has " +
          std::to_string(r["devices"].size()) + " devices:";
    for (const auto& d : r["devices"])
      out += " " + d["device_id"].get<std::string>() + " (" + d.value("display_name", "") + ")" +
             (d["parent"].is_string() ? " under " + d["parent"].get<std::string>() : "") + ";";
    return out;
  }
  if (call.tool == "site_status") {
    out = r.value("display_name", "") + " (`" + r.value("device_id", "") + "`, template " +
          r.value("template", "") + ")";
    out += r["parent"].is_string() ? ", part of " + r["parent"].get<std::string>() + "."
                                   : ", a top-level device.";
    if (!r["children"].empty()) {
      out += " It contains:";
      for (const auto& c : r["children"]) out += " " + c.get<std::string>();
      out += ".";
    }
    if (r.contains("measurements")) {
      out += " Measurements:";
      for (const auto& [name, m] : r["measurements"].items())
        out += " " + name + " (" + m.value("unit", "") + ")";
      out += ".";
    }
    if (r.contains("latest") && r["latest"].is_array()) {
      out += " Latest values:";
      for (const auto& v : r["latest"])
        out += " " + v.value("measurement", "") + " = " +
               (v["value"].is_number() ? num(v["value"], 2) : v["value"].dump()) + " " +
               v.value("unit", "") + " at " + v.value("ts", "") + ";";
    } else if (r.contains("latest_error")) {
      out += " Its latest values could not be read: " + r["latest_error"].get<std::string>();
    }
    return out;
  }
  if (call.tool == "site_history") {
    const auto& s = r["summary"];
    const std::string unit = s.value("unit", "");
    out = r.value("device", "") + "/" + r.value("measurement", "") + " from " +
          r.value("from", "") + " to " + r.value("to", "") + " (" + r.value("bucket", "") + " " +
          r.value("agg", "") + "): ";
    if (s.value("count", 0) == 0) return out + "no samples in this range.";
    return out + "mean " + num(s["mean"], 2) + " " + unit + ", min " + num(s["min"], 2) + " at " +
           s.value("min_ts", "") + ", max " + num(s["max"], 2) + " at " + s.value("max_ts", "") +
           ", last " + num(s["last"], 2) + " " + unit + " (" +
           std::to_string(s["count"].get<int>()) + " points).";
  }
  if (call.tool == "site_forecast") {
    const auto& m = r["model"];
    out =
        "Forecast of " + r.value("target", "") + " from " + r.value("from", "") + " to " +
        r.value("to", "") + " by model " + m.value("name", "") +
        (m["version"].is_number() ? " v" + std::to_string(m["version"].get<int>()) : "") +
        (m["id"].is_number() ? " (registry id " + std::to_string(m["id"].get<std::int64_t>()) + ")"
                             : "") +
        ": peak " + num(r["summary"]["peak"], 1) + " at " + r["summary"].value("peak_ts", "") +
        ", " + std::to_string(r["summary"]["hours"].get<int>()) + " hourly values.";
    if (m.contains("metrics") && m["metrics"].is_object())
      out += " Backtest " + m["metrics"].value("backtest_from", "") + ".." +
             m["metrics"].value("backtest_to", "") + ": MAE " + num(m["metrics"]["mae"], 1) +
             ", persistence MAE " + num(m["metrics"]["persistence_mae"], 1) + ", skill " +
             (m["metrics"]["skill"].is_number()
                  ? fixed(m["metrics"]["skill"].get<double>() * 100.0, 1) + "%"
                  : std::string("n/a")) +
             ".";
    return out;
  }
  if (call.tool == "forecast_models") {
    if (r["champions"].empty()) return "No target has a champion model yet.";
    out = "Champion models:";
    for (const auto& c : r["champions"])
      out += " " + c["target"].get<std::string>() + ": " + c["name"].get<std::string>() + " v" +
             std::to_string(c["version"].get<int>()) + " (id " +
             std::to_string(c["id"].get<std::int64_t>()) + "), MAE " + num(c["mae"], 1) +
             ", skill " +
             (c["skill"].is_number() ? fixed(c["skill"].get<double>() * 100.0, 1) + "%" : "n/a") +
             ", trained " + c["trained_at"].get<std::string>() + ";";
    return out;
  }
  if (call.tool == "search_knowledge") {
    const json& chunks = r.is_object() && r.contains("chunks") ? r["chunks"] : r;
    if (!chunks.is_array() || chunks.empty()) return "The documents have nothing on this.";
    out = "From the documents:";
    const std::string query = lower(call.arguments.value("query", std::string()));
    for (const auto& c : chunks)
      out += "\n- [" + c.value("chunk_id", json("")).dump() + "] " + c.value("title", "") +
             (c.value("section", "").empty() ? "" : " > " + c.value("section", "")) + ": " +
             excerpt(c.value("text", ""), query);
    return out;
  }
  std::string dump = r.dump();
  if (dump.size() > 1200) dump = dump.substr(0, 1200) + "...";
  return call.tool + ": " + dump;
}

}  // namespace

ChatPlan route_question(const std::string& question, const json& view) {
  const std::string q = lower(question);
  ChatPlan plan;
  const std::string device = find_device(q, view);
  const bool forecast_words =
      any(q, {"forecast", "forecasts", "predict", "prediction", "tomorrow", "expected", "expect",
              "will", "next day", "day ahead", "day-ahead", "intraday"});
  if (any(q, {"champion", "which model", "what model", "skill", "accuracy", "backtest", "mae"}) ||
      (has(q, "model") && any(q, {"trained", "best", "models", "registry"}))) {
    plan.intent = "models";
    const std::string t = forecast_target(q);
    json args = json::object();
    if (any(q, {"solar", "pv", "load", "demand", "ercot"})) args["target"] = t;
    plan.calls.push_back({"forecast_models", args});
  } else if (forecast_words) {
    plan.intent = "forecast";
    json args = {{"target", forecast_target(q)}};
    plan.calls.push_back({"site_forecast", args});
  } else if (any(q, {"upstream", "feeds", "fed by", "supplies", "supplied by", "powered by"}) &&
             !device.empty()) {
    plan.intent = "upstream";
    plan.calls.push_back({"upstream", {{"device", device}}});
  } else if (!device.empty() &&
             any(q, {"last night", "yesterday", "history", "trend", "average", "peak", "maximum",
                     "minimum", "past", "did", "last week", "over the last", "last 24 hours",
                     "today so far", "highest", "lowest"})) {
    plan.intent = "history";
    json args = {{"device", device}, {"measurement", find_measurement(q, device, view)}};
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (any(q, {"last week", "past week", "7 days", "seven days"}))
      args["from"] = format_rfc3339(now - 7 * 86400);
    if (any(q, {"highest", "maximum", "peak"})) args["agg"] = "max";
    if (any(q, {"lowest", "minimum"})) args["agg"] = "min";
    plan.calls.push_back({"site_history", args});
  } else if (any(q, {"how do", "how to", "how should", "why", "procedure", "runbook", "register",
                     "explain", "what does", "what happens", "document", "standard", "ieee",
                     "cigre", "contract", "topic", "steps", "should i", "what to do"})) {
    plan.intent = "documents";
    plan.calls.push_back({"search_knowledge", {{"query", question}, {"k", 5}}});
  } else if (!device.empty() &&
             any(q, {"what is", "what's", "whats", "current", "currently", "now", "latest", "value",
                     "reading", "state", "status", "how much", "level", "right now"}) &&
             !any(q, {"children", "parent", "template", "contains", "part of", "under which",
                      "belongs", "measurements", "what kind"})) {
    plan.intent = "latest";
    plan.calls.push_back({"site_status", {{"device", device}}});
  } else if (any(q, {"device", "devices", "children", "child", "under", "parent", "template",
                     "contains", "contain", "part of", "belongs", "belong", "inside", "list",
                     "measurements", "how many", "what kind", "topology", "equipment"})) {
    plan.intent = "topology";
    plan.calls.push_back(
        {"site_status", device.empty() ? json::object() : json{{"device", device}}});
  } else if (!device.empty()) {
    plan.intent = "latest";
    plan.calls.push_back({"site_status", {{"device", device}}});
  } else {
    plan.intent = "documents";
    plan.calls.push_back({"search_knowledge", {{"query", question}, {"k", 5}}});
  }
  return plan;
}

std::string sources_text(const std::vector<ToolOutcome>& outcomes) {
  if (outcomes.empty()) return "Sources: none (no tool was called).";
  std::string out = "Sources:";
  for (const auto& o : outcomes) {
    out += "\n- " + o.source.value("tool", std::string()) + " " +
           o.source.value("arguments", json::object()).dump() + (o.ok ? "" : " (failed)");
    for (const auto& r : o.source.value("read", json::array())) out += " " + r.get<std::string>();
    if (o.source.contains("chunk_ids")) out += " chunks " + o.source["chunk_ids"].dump();
  }
  return out;
}

std::string compose_answer(const ChatPlan& plan, const std::vector<ToolOutcome>& outcomes) {
  std::string out = kNoLlmNotice;
  for (std::size_t i = 0; i < plan.calls.size() && i < outcomes.size(); ++i)
    out += "\n\n" + describe_outcome(plan.calls[i], outcomes[i]);
  out += "\n\n" + sources_text(outcomes);
  return out;
}

}  // namespace ems::analyst
