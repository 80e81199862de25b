#pragma once
// The bundled device templates rendered as documents: one per template, with its equipment,
// measurements (unit, type, bounds, thresholds, how it is read) and commands, so that a search
// for "which register holds the rack setpoint" finds the template. Pure.
#include <string>

#include <nlohmann/json.hpp>

#include "ems/knowledge/document.hpp"

namespace ems::mcp {

// `tpl`: a template as JSON (templates/*.yaml through contract::yaml_to_json).
knowledge::ParsedDocument render_template_document(const std::string& slug,
                                                   const nlohmann::json& tpl);

}  // namespace ems::mcp
