#pragma once
// Private to libs/contract: lookups that AsyncAPI generation needs many times per device,
// computed once per generation so that the work stays linear in the number of devices
// (a 10,000-device DTM must generate well under a second: generate_asyncapi_text takes ~0.3 s
// of CPU for the benchmark's site).

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::contract::detail {

class DtmIndex {
 public:
  DtmIndex(const Dtm& dtm, std::string site_id);

  const Dtm& dtm() const { return dtm_; }
  const std::string& site_id() const { return site_id_; }

  // nullptr when the template is not in templates_used.
  const Template* template_of(const Device& d) const;
  // A measurement of the device: its extra measurements first (a per-device override), then
  // its template's. nullptr when neither has `name`.
  const Measurement* measurement_of(const Device& d, const std::string& name) const;
  // Children of `id`, sorted by device_id; empty when none.
  const std::vector<const Device*>& children_of(const std::string& id) const;
  // The devices of one template, sorted by device_id (poi_meter for {poi_meter_device_id},
  // operating_envelope for the distribute guard).
  const std::vector<const Device*>& devices_of(const std::string& template_slug) const;
  bool has_device(std::string_view id) const;

  // sites/<site>/devices/<device>/measurements/<name>/<unit>
  std::string measurement_topic(const std::string& device_id, const std::string& name,
                                Unit unit) const;
  // sites/<site>/devices/<device>/commands/<verb>/<target>/<unit>
  std::string command_topic(const std::string& device_id, const Command& c) const;

 private:
  const Dtm& dtm_;
  std::string site_id_;
  std::unordered_map<std::string_view, std::vector<const Device*>> children_;
  std::unordered_map<std::string_view, std::vector<const Device*>> by_template_;
  std::vector<const Device*> none_;
};

// "/devices/<id>" etc., escaped.
std::string pointer(std::initializer_list<std::string_view> tokens);

// One member of a JSON object, serialized once: key (raw, for ordering) and `"key":value` as
// nlohmann::json::dump() writes it. A document is written as text by splicing these.
struct JsonMember {
  std::string key;
  std::string text;
};
using JsonMembers = std::vector<JsonMember>;  // in key order, like Json's std::map

enum class Section { protocol, command };  // x-protocol-source, x-command-source

// The entries of both sections, for the Json and the text form of the document alike, so that
// the two cannot disagree (asyncapi/sources_writer.cpp; the shape is documented in sources.hpp).
class SourceEntries {
 public:
  explicit SourceEntries(const DtmIndex& index);

  const DtmIndex& index() const { return index_; }
  // {slug: {name: entry}} of the templates with device-protocol entries.
  Json templates(Section section) const;
  // The device's member of "devices" (template reference, connections, own entries), or null
  // when it has none. Throws ContractError when the DTM cannot be expressed (see
  // generate_asyncapi).
  Json device(const Device& d, Section section) const;

 private:
  struct Prepared {
    Json measurements, commands;  // {name: entry}, device-protocol bindings only
    std::set<Protocol> measurement_protocols, command_protocols;
  };
  const DtmIndex& index_;
  std::unordered_map<const Template*, Prepared> prepared_;
};

// Template measurement name -> resolved label, the device-independent part of x-display-name.
std::map<std::string, Json> template_labels(const Dtm& dtm);

// comm_status (CONTRACT.md section 6): declared for every polled device.
inline constexpr std::string_view kCommStatusLabel = "Communication status";
bool any_polled(const Dtm& dtm);
Json comm_status_labels();  // ["ONLINE", "DEGRADED", "OFFLINE"]

// The parts of the document (asyncapi/*.cpp).
Json protocol_sources(const SourceEntries& sources);
Json command_sources(const SourceEntries& sources);
Json enum_values(const Dtm& dtm);
Json display_names(const Dtm& dtm);
Json alarms_by_device(const Dtm& dtm);

}  // namespace ems::contract::detail
