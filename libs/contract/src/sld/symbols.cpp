// Which IEC-style symbol a device gets: a small table over data (template slug words, then IEC
// 61850 logical nodes), so that a new template needs no code.
#include <algorithm>
#include <array>
#include <cctype>

#include "ems/contract/sld.hpp"

namespace ems::contract {
namespace {

struct KeywordRule {
  SldSymbol symbol;
  std::vector<std::string_view> words;  // whole words of the slug ("bess_rack" -> bess, rack)
};

// Order matters: the first rule with a matching word wins ("network_switch" is a load, not a
// breaker; "bess_bms" is a battery even though its template has a contactor XSWI).
const std::vector<KeywordRule>& keyword_rules() {
  static const std::vector<KeywordRule> rules = {
      {SldSymbol::pst, {"pst", "phase", "shifter", "shifting"}},
      {SldSymbol::transformer, {"transformer", "xfmr", "trafo", "tx"}},
      {SldSymbol::meter, {"meter", "metering"}},
      {SldSymbol::relay, {"relay", "protection"}},
      {SldSymbol::load,
       {"network", "gpu", "compute", "server", "cdu", "load", "hvac", "chiller", "cooler",
        "cooling", "pump", "fan", "charger", "datacenter", "node"}},
      {SldSymbol::breaker,
       {"breaker", "switchgear", "switch", "recloser", "disconnector", "cb", "contactor"}},
      {SldSymbol::inverter, {"pv", "solar", "inverter", "pcs", "wind", "converter"}},
      {SldSymbol::battery, {"bess", "battery", "bms", "ess", "storage"}},
      {SldSymbol::generator, {"generator", "genset", "diesel", "gen", "chp"}},
      {SldSymbol::grid, {"grid", "utility", "infeed"}},
  };
  return rules;
}

// IEC 61850 logical node prefixes, for templates whose slug says nothing.
constexpr std::array<std::pair<std::string_view, SldSymbol>, 11> kLogicalNodes = {{
    {"YPSH", SldSymbol::pst},
    {"YPTR", SldSymbol::transformer},
    {"YLTC", SldSymbol::transformer},
    {"XCBR", SldSymbol::breaker},
    {"XSWI", SldSymbol::breaker},
    {"ZBAT", SldSymbol::battery},
    {"ZINV", SldSymbol::inverter},
    {"DPVC", SldSymbol::inverter},
    {"PTOC", SldSymbol::relay},
    {"PIOC", SldSymbol::relay},
    {"MMTR", SldSymbol::meter},
}};

std::vector<std::string_view> words_of(std::string_view slug) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start <= slug.size()) {
    const auto end = std::min(slug.find('_', start), slug.size());
    if (end > start) words.push_back(slug.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

}  // namespace

std::string_view to_string(SldSymbol s) noexcept {
  static constexpr std::array<std::string_view, 11> kNames = {
      "grid",    "meter", "breaker",   "transformer", "pst",    "inverter",
      "battery", "load",  "generator", "relay",       "generic"};
  return kNames[static_cast<std::size_t>(s)];
}

SldSymbol symbol_for(const std::string& slug, const Template* t) {
  const auto words = words_of(slug);
  for (const auto& rule : keyword_rules()) {
    for (const auto& w : words) {
      if (std::find(rule.words.begin(), rule.words.end(), w) != rule.words.end()) {
        return rule.symbol;
      }
    }
  }
  if (t == nullptr) return SldSymbol::generic;
  // Logical nodes in table order, so that a PST's YPTR temperatures do not make it a plain
  // transformer and a BESS's MMTR energy counter does not make it a meter.
  for (const auto& [prefix, symbol] : kLogicalNodes) {
    for (const auto& [name, m] : t->measurements) {
      if (m.iec_61850_ref && m.iec_61850_ref->rfind(prefix, 0) == 0) return symbol;
    }
  }
  return SldSymbol::generic;
}

std::string abbreviation_for(const std::string& slug) {
  const auto words = words_of(slug);
  std::string out;
  if (words.size() == 1) {
    out = std::string(words[0].substr(0, 3));
  } else {
    for (const auto& w : words) {
      if (out.size() < 3) out += w.front();
    }
  }
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace ems::contract
