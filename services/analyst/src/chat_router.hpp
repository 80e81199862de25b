#pragma once
// The no-LLM mode of the chat (the default when EMS_LLM_URL is unset): a question is routed by
// its words to the tools that answer it, and the answer is composed from their results - no
// language model, and the answer says so.
//
//   intent      words (lower case)                                   tool
//   models      champion, which model, skill, accuracy               forecast_models
//   forecast    forecast, predict, tomorrow, expect, will            site_forecast (site_pv,
//                                                                     site_load, or an ERCOT
//                                                                     column when "ercot" is said)
//   upstream    upstream, feeds, fed by, supplies                    upstream (MCP)
//   history     last night, yesterday, history, trend, average,      site_history
//               peak, maximum, minimum, past, did
//   latest      a device plus what is, current, now, latest, state   site_status {device}
//   topology    devices, children, under, parent, template, list,    site_status {device?}
//               measurements, how many
//   documents   how, why, procedure, runbook, register, explain,     search_knowledge (MCP)
//               anything else
// Devices are found in the topology view (ids, display names, template words such as
// "battery" -> the bess_module, "rack 2" -> bess_rack_2); measurements among the device's
// template measurements (synonyms: soc, charge, power, temperature, loading, current ...).
//
// Pure functions; thread-safe.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat_tools.hpp"

namespace ems::analyst {

struct PlannedCall {
  std::string tool;
  nlohmann::json arguments;
};

struct ChatPlan {
  std::string intent;
  std::vector<PlannedCall> calls;
};

// `view`: device-api's /topology/view (null when unknown: no device is recognised then).
ChatPlan route_question(const std::string& question, const nlohmann::json& view);

// The answer text for `plan`'s outcomes (same order as plan.calls), starting with the no-LLM
// notice and ending with the sources.
std::string compose_answer(const ChatPlan& plan, const std::vector<ToolOutcome>& outcomes);

// "Sources: ..." lines for tool outcomes (shared with the LLM mode).
std::string sources_text(const std::vector<ToolOutcome>& outcomes);

inline constexpr const char* kNoLlmNotice =
    "No language model is configured (EMS_LLM_URL is unset): this answer was composed directly "
    "from the site's tools.";

}  // namespace ems::analyst
