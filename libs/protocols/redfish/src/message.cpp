#include "ems/protocols/redfish/message.hpp"

namespace ems::protocols::redfish {

Json base_message(std::string_view id, std::string message, std::vector<std::string> args,
                  std::string_view related_pointer) {
  Json m = {
      {"@odata.type", "#Message.v1_1_2.Message"},
      {"MessageId", std::string(kBaseRegistry) + "." + std::string(id)},
      {"Message", std::move(message)},
      {"MessageArgs", std::move(args)},
      {"Severity", "Warning"},
      {"Resolution", "Correct the request and resubmit it."},
  };
  if (!related_pointer.empty())
    m["RelatedProperties"] = Json::array({"#" + std::string(related_pointer)});
  return m;
}

Json error_body(const std::vector<Json>& messages) {
  const Json& first = messages.front();
  return {{"error",
           {{"code", first.at("MessageId")},
            {"message", first.at("Message")},
            {"@Message.ExtendedInfo", messages}}}};
}

std::string error_summary(std::string_view body_text) try {
  const Json body = Json::parse(body_text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return {};
  const Json& error = body["error"];
  std::string out = error.value("code", "");
  const std::string message = error.value("message", "");
  if (!message.empty()) out += (out.empty() ? "" : ": ") + message;
  if (const auto info = error.find("@Message.ExtendedInfo");
      info != error.end() && info->is_array()) {
    for (std::size_t i = 1; i < info->size(); ++i)
      if ((*info)[i].is_object()) out += "; " + (*info)[i].value("Message", "");
  }
  return out;
} catch (const Json::exception&) {
  return {};  // an error body with the wrong types is not a Redfish error body
}

}  // namespace ems::protocols::redfish
