#include "template_documents.hpp"

namespace ems::mcp {

namespace {

using nlohmann::json;

std::string s(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return {};
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string humanize(std::string slug) {
  for (auto& c : slug)
    if (c == '_') c = ' ';
  return slug;
}

std::string binding_text(const json& b) {
  if (!b.is_object()) return {};
  const std::string protocol = s(b, "protocol");
  std::string out = "Read over " + protocol;
  if (protocol == "modbus_tcp")
    out += ": function code " + s(b, "function_code") + ", register address " + s(b, "address") +
           ", data type " + s(b, "data_type") + ", word order " + s(b, "word_order") + ", scale " +
           s(b, "scale");
  else if (protocol == "snmp")
    out += ": OID " + s(b, "oid");
  else if (protocol == "dnp3_tcp")
    out += ": " + s(b, "point_type") + " point index " + s(b, "point_index");
  else if (protocol == "redfish")
    out += ": resource " + s(b, "uri") + " at " + s(b, "json_pointer");
  else if (protocol == "can")
    out += ": CAN id " + s(b, "can_id") + ", start bit " + s(b, "start_bit") + ", length " +
           s(b, "length");
  else if (protocol == "synthetic")
    out += " (computed by the gateway: " + s(b, "operation") + ")";
  return out + ".";
}

}  // namespace

knowledge::ParsedDocument render_template_document(const std::string& slug, const json& tpl) {
  knowledge::ParsedDocument doc;
  doc.kind = knowledge::DocumentKind::markdown;
  doc.title = "Device template " + slug + " (" + humanize(slug) + ")";
  std::string overview = "Template `" + slug + "` is a " + s(tpl, "kind") + " template";
  if (!s(tpl, "vendor").empty()) overview += " for " + s(tpl, "vendor") + " " + s(tpl, "model");
  overview += ".\n\n" + s(tpl, "description");
  if (!s(tpl, "capacity_kwh").empty())
    overview += "\n\nCapacity: " + s(tpl, "capacity_kwh") + " kWh.";
  if (tpl.contains("contains") && tpl["contains"].is_array() && !tpl["contains"].empty()) {
    overview += "\n\nContains:";
    for (const auto& c : tpl["contains"])
      overview += " " + s(c, "qty") + " x " + s(c, "template") + ";";
  }
  doc.sections.push_back({{"Overview"}, overview});
  if (tpl.contains("measurements") && tpl["measurements"].is_object()) {
    for (const auto& [name, m] : tpl["measurements"].items()) {
      std::string text = "Measurement `" + name + "` of " + humanize(slug) + " (" +
                         s(m, "display_name_default") + "): unit " + s(m, "unit") + ", type " +
                         s(m, "type") + ", polled at " + s(m, "poll_rate_hz") + " Hz.";
      if (m.contains("bounds") && m["bounds"].is_object())
        text += " Bounds: min " + s(m["bounds"], "min") + ", max " + s(m["bounds"], "max") +
                ", nominal " + s(m["bounds"], "nominal") + ".";
      if (m.contains("thresholds") && m["thresholds"].is_object())
        text += " Thresholds: warning below " + s(m["thresholds"], "warn_min") + " or above " +
                s(m["thresholds"], "warn_max") + ", alarm below " +
                s(m["thresholds"], "alarm_min") + " or above " + s(m["thresholds"], "alarm_max") +
                ".";
      if (m.contains("values") && m["values"].is_object())
        text += " Values: " + m["values"].dump() + ".";
      if (!s(m, "iec_61850_ref").empty())
        text += " IEC 61850 reference " + s(m, "iec_61850_ref") + ".";
      if (m.contains("binding")) text += " " + binding_text(m["binding"]);
      if (!s(m, "publisher").empty()) text += " Published by " + s(m, "publisher") + ".";
      doc.sections.push_back({{"Measurements", name}, text});
    }
  }
  if (tpl.contains("commands") && tpl["commands"].is_object()) {
    for (const auto& [name, c] : tpl["commands"].items()) {
      std::string text = "Command `" + name + "` of " + humanize(slug) + ": verb " + s(c, "verb") +
                         " on target " + s(c, "target") + " (" + s(c, "unit") + ", payload " +
                         s(c, "payload") + ").";
      if (c.contains("binding") && c["binding"].is_object()) {
        std::string b = binding_text(c["binding"]);
        if (b.rfind("Read over", 0) == 0) b = "Written over" + b.substr(9);
        text += " " + b;
        if (s(c, "verb") == "set")
          text += " This register holds the " + s(c, "target") + " setpoint.";
      }
      if (!s(c, "fanout").empty()) text += " Executed by " + s(c, "fanout") + ".";
      doc.sections.push_back({{"Commands", name}, text});
    }
  }
  return doc;
}

}  // namespace ems::mcp
