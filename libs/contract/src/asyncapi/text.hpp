#pragma once
// Private to libs/contract: the AsyncAPI document written straight to JSON text.
//
// A 10,000-device document is ~28 MB, most of it in the per-device sections; building them as
// one Json tree, dumping it and freeing it costs several times the text in malloc/free and map
// walks. Here those sections are written device by device from the same SourceEntries and
// labels as the Json form (each device's small entry dumped as it is made), and the display
// names splice each template's pre-serialized labels. The output is byte for byte what
// generate_asyncapi(...).dump() writes: members in std::map key order, the same string
// escaping, numbers formatted by nlohmann::json.

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asyncapi/index.hpp"

namespace ems::contract::detail {

// `s` as a JSON string literal, as dump() writes it (and, like dump(), throws on invalid UTF-8).
void append_json_string(std::string& out, std::string_view s);

// The members of a Json object, serialized, in key order.
JsonMembers members_of(const Json& object);

// `{...}`: the members of `base` with those of `over` merged in (`over` wins on equal keys).
void append_merged_object(std::string& out, const JsonMembers& base, const JsonMembers& over);

// The per-device sections, as values (`{...}`).
void write_protocol_sources(std::string& out, const SourceEntries& sources);
void write_command_sources(std::string& out, const SourceEntries& sources);
void write_display_names(std::string& out, const Dtm& dtm);
// Returns false (having written nothing) when no device has alarms: x-alarms is then omitted.
bool write_alarms(std::string& out, const Dtm& dtm);

// A section written in place: appends its value and returns true, or returns false to be
// omitted from the document.
using SectionWriter = std::function<bool(std::string& out)>;

// The document: the members of `skeleton` with `sections` (key -> writer) spliced in key order.
// Sections are written in key order, each exactly once.
void write_document(std::string& out, const Json& skeleton,
                    const std::vector<std::pair<std::string, SectionWriter>>& sections);

}  // namespace ems::contract::detail
