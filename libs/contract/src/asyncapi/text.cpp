// Writing the AsyncAPI document as JSON text (see text.hpp for why).
#include "asyncapi/text.hpp"

#include <algorithm>

#include "ems/contract/sources.hpp"
#include "ems/contract/view.hpp"

namespace ems::contract::detail {

void append_json_string(std::string& out, std::string_view s) {
  // Slugs, topics, hosts and labels are plain printable ASCII almost always: no escaping.
  const bool plain = std::all_of(
      s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += Json(std::string(s)).dump();
}

JsonMembers members_of(const Json& object) {
  JsonMembers out;
  out.reserve(object.size());
  for (const auto& [key, value] : object.items()) {
    JsonMember m{key, {}};
    append_json_string(m.text, key);
    m.text += ':';
    m.text += value.dump();
    out.push_back(std::move(m));
  }
  return out;
}

void append_merged_object(std::string& out, const JsonMembers& base, const JsonMembers& over) {
  out += '{';
  std::size_t i = 0, j = 0;
  bool first = true;
  while (i < base.size() || j < over.size()) {
    const JsonMember* m = nullptr;
    if (j == over.size() || (i < base.size() && base[i].key < over[j].key)) {
      m = &base[i++];
    } else {
      if (i < base.size() && base[i].key == over[j].key) ++i;  // replaced
      m = &over[j++];
    }
    if (!first) out += ',';
    first = false;
    out += m->text;
  }
  out += '}';
}

namespace {

// Opens the member `"key":` of an object being written, with the comma when not the first.
void open_member(std::string& out, std::string_view key, bool& first) {
  if (!first) out += ',';
  first = false;
  append_json_string(out, key);
  out += ':';
}

void write_section(std::string& out, const SourceEntries& sources, Section section) {
  out += "{\"devices\":{";
  bool first = true;
  for (const auto& [id, d] : sources.index().dtm().devices) {
    const Json e = sources.device(d, section);
    if (e.is_null()) continue;
    open_member(out, id, first);
    out += e.dump();
  }
  out += "},\"templates\":";
  out += sources.templates(section).dump();
  out += '}';
}

}  // namespace

void write_protocol_sources(std::string& out, const SourceEntries& sources) {
  write_section(out, sources, Section::protocol);
}

void write_command_sources(std::string& out, const SourceEntries& sources) {
  write_section(out, sources, Section::command);
}

namespace {

// comm_status joins the labels of a polled device unless it has a measurement of that name.
void add_comm_status(const JsonMembers& base, JsonMembers& extra) {
  auto named = [](const JsonMembers& ms) {
    return std::any_of(ms.begin(), ms.end(),
                       [](const JsonMember& m) { return m.key == kCommStatus; });
  };
  if (named(base) || named(extra)) return;
  JsonMember m{std::string(kCommStatus), {}};
  append_json_string(m.text, kCommStatus);
  m.text += ':';
  append_json_string(m.text, kCommStatusLabel);
  extra.insert(
      std::lower_bound(extra.begin(), extra.end(), m,
                       [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; }),
      std::move(m));
}

}  // namespace

void write_display_names(std::string& out, const Dtm& dtm) {
  std::map<std::string, JsonMembers> per_template;
  for (const auto& [slug, labels] : template_labels(dtm))
    per_template.emplace(slug, members_of(labels));
  const JsonMembers none;
  out += '{';
  bool first = true;
  for (const auto& [id, d] : dtm.devices) {
    auto it = per_template.find(d.template_slug);
    JsonMembers extra;
    if (d.extra_measurements) {
      Json labels = Json::object();
      for (const auto& [name, m] : *d.extra_measurements) labels[name] = measurement_label(name, m);
      extra = members_of(labels);
    }
    if (dtm.is_polled(d)) add_comm_status(it == per_template.end() ? none : it->second, extra);
    open_member(out, id, first);
    out += "{\"display_name\":";
    append_json_string(out, device_label(d));
    out += ",\"measurements\":";
    append_merged_object(out, it == per_template.end() ? none : it->second, extra);
    out += '}';
  }
  out += '}';
}

bool write_alarms(std::string& out, const Dtm& dtm) {
  std::map<std::string_view, std::string> per_template;
  for (const auto& [slug, t] : dtm.templates_used)
    if (t.alarms.is_array() && !t.alarms.empty()) per_template.emplace(slug, t.alarms.dump());
  bool first = true;
  for (const auto& [id, d] : dtm.devices) {
    auto it = per_template.find(d.template_slug);
    if (it == per_template.end()) continue;
    if (first) out += '{';
    open_member(out, id, first);
    out += it->second;
  }
  if (first) return false;
  out += '}';
  return true;
}

void write_document(std::string& out, const Json& skeleton,
                    const std::vector<std::pair<std::string, SectionWriter>>& sections) {
  std::vector<const std::pair<std::string, SectionWriter>*> pending;
  for (const auto& s : sections) pending.push_back(&s);
  std::sort(pending.begin(), pending.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  auto next = pending.begin();
  bool first = true;
  auto write_section = [&out, &first](const std::pair<std::string, SectionWriter>& s) {
    const std::size_t mark = out.size();
    const bool was_first = first;
    open_member(out, s.first, first);
    if (s.second(out)) return;
    out.resize(mark);  // omitted
    first = was_first;
  };
  out += '{';
  for (const auto& [key, value] : skeleton.items()) {
    for (; next != pending.end() && (*next)->first < key; ++next) write_section(**next);
    if (next != pending.end() && (*next)->first == key) {  // the section replaces the member
      write_section(**next++);
      continue;
    }
    open_member(out, key, first);
    out += value.dump();
  }
  for (; next != pending.end(); ++next) write_section(**next);
  out += '}';
}

}  // namespace ems::contract::detail
