// parse_dtm: the top level, devices, buses and sizing parameters (CONTRACT.md section 5,
// device-api.md 1.1-1.4). Templates, measurements and bindings have their own files.
#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "dtm/internal.hpp"

namespace ems::contract::detail {
namespace {

constexpr std::size_t kMaxDtmDepth = 64;

// RFC 9562 textual form: 8-4-4-4-12 hex, version 1-8, variant 10xx; nil and max also accepted.
bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  if (s == "00000000-0000-0000-0000-000000000000") return true;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "ffffffff-ffff-ffff-ffff-ffffffffffff") return true;
  char version = lower[14], variant = lower[19];
  return version >= '1' && version <= '8' &&
         (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

// Deepest nesting of containers, computed without recursion (the input is untrusted).
std::size_t depth_of(const Json& doc, std::size_t limit) {
  std::vector<std::pair<const Json*, std::size_t>> stack{{&doc, 1}};
  std::size_t deepest = 0;
  while (!stack.empty()) {
    auto [j, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    if (deepest > limit) return deepest;
    if (j->is_structured())
      for (const auto& child : *j)
        if (child.is_structured()) stack.push_back({&child, depth + 1});
  }
  return deepest;
}

Json read_sizing(FieldReader& top) {
  Json out = Json::object();
  const Json* j = top.require("sizing_params");
  if (j == nullptr) return out;
  FieldReader r(*j, top.path("sizing_params"), top.issues());
  for (auto key : {"P_compute_total_kW", "E_BESS_total_kWh", "T_coolant_setpoint_C"})
    if (const Json* v = r.require(key)) {
      if (r.number(key, true)) out[key] = *v;
    }
  for (auto key :
       {"ride_through_hours", "bess_reserve_floor_mwh", "bess_readiness_mwh", "bess_recharge_mw"}) {
    const Json* v = r.get(key);
    if (v == nullptr)
      out[key] = 0.0;
    else if (r.number(key, false))
      out[key] = *v;
  }
  out["compute_shed_enabled"] = r.boolean("compute_shed_enabled", false).value_or(false);
  return out;
}

std::optional<Connection> read_connection(FieldReader& dev) {
  const Json* j = dev.get("connection");
  if (j == nullptr) return std::nullopt;
  FieldReader r(*j, dev.path("connection"), dev.issues());
  if (!r.ok()) return std::nullopt;
  Connection c;
  if (auto h = r.string("host", true)) {
    if (h->empty()) r.issues().add(r.path("host"), "host must not be empty");
    c.host = *h;
  }
  if (const Json* p = r.require("port")) {
    if (p->is_string()) {
      if (p->get<std::string>() != kProvisionedAtCommissioning)
        r.issues().add(r.path("port"),
                       "port must be an integer or \"PROVISIONED_AT_COMMISSIONING\"");
    } else if (auto n = r.integer_in("port", 0, 65535, true)) {
      c.port = static_cast<int>(*n);
    }
  }
  c.unit_id = r.string("unit_id", false);
  // ext: the name of a site secrets entry (never a secret itself).
  c.credentials = r.slug("credentials", false);
  return c;
}

Device read_device(const Json& j, const std::string& key, const std::string& path, Issues& issues) {
  Device d;
  FieldReader r(j, path, issues);
  if (!r.ok()) return d;
  if (auto id = r.slug("device_id", true)) {
    d.device_id = *id;
    if (*id != key)
      issues.add(r.path("device_id"),
                 "device_id '" + *id + "' differs from its key '" + key + "' in devices");
  }
  if (auto t = r.slug("template", true)) d.template_slug = *t;
  d.parent = r.string("parent", false);
  d.display_name = r.string("display_name", false);
  d.connection = read_connection(r);
  if (const Json* em = r.get("extra_measurements")) {
    if (!em->is_object()) {
      issues.add(r.path("extra_measurements"), "expected an object {name: Measurement}");
    } else {
      std::map<std::string, Measurement> extra;
      for (const auto& [name, value] : em->items()) {
        std::string mpath = json_pointer_append(r.path("extra_measurements"), name);
        if (!is_slug(name)) issues.add(mpath, "'" + name + "' is not a snake_case slug");
        extra.emplace(name, read_measurement(value, mpath, issues));
      }
      d.extra_measurements = std::move(extra);
    }
  }
  // Configurator bookkeeping: accepted, validated, carried verbatim.
  if (auto b = r.strings("blocking", false)) d.carried["blocking"] = *b;
  if (auto h = r.boolean("has_placeholders", false)) d.carried["has_placeholders"] = *h;
  if (auto m = r.one_of("mode", {"sim", "live"}, false)) d.carried["mode"] = *m;
  return d;
}

std::vector<Bus> read_buses(FieldReader& top) {
  std::vector<Bus> out;
  const Json* j = top.get("buses");
  if (j == nullptr) return out;
  if (!j->is_array()) {
    top.issues().add(top.path("buses"), "expected an array, got " + type_name(*j));
    return out;
  }
  for (std::size_t i = 0; i < j->size(); ++i) {
    FieldReader r((*j)[i], json_pointer_append(top.path("buses"), std::to_string(i)), top.issues());
    if (!r.ok()) continue;
    Bus bus;
    if (auto id = r.slug("bus_id", true)) bus.bus_id = *id;
    if (auto t = r.one_of("type", {"ac", "dc"}, true))
      bus.type = *t == "dc" ? BusType::dc : BusType::ac;
    if (const Json* members = r.require("members")) {
      if (!members->is_array()) {
        r.issues().add(r.path("members"), "expected an array, got " + type_name(*members));
      } else {
        for (std::size_t k = 0; k < members->size(); ++k) {
          FieldReader m((*members)[k], json_pointer_append(r.path("members"), std::to_string(k)),
                        r.issues());
          if (!m.ok()) continue;
          BusMember member;
          if (auto id = m.string("device_id", true)) member.device_id = *id;
          member.port = m.string("port", false);
          bus.members.push_back(std::move(member));
        }
      }
    }
    out.push_back(std::move(bus));
  }
  return out;
}

}  // namespace

Dtm read_dtm(const Json& doc, Issues& issues) {
  Dtm dtm;
  // Real DTMs nest about 8 levels. Carried parts (pending_devices) are copied, and copying a
  // JSON value recurses: refuse absurd nesting before touching anything.
  if (depth_of(doc, kMaxDtmDepth) > kMaxDtmDepth) {
    issues.add("", "document nests deeper than " + std::to_string(kMaxDtmDepth) + " levels");
    return dtm;
  }
  FieldReader r(doc, "", issues);
  if (!r.ok()) return dtm;
  if (auto u = r.string("deployment_uuid", true)) {
    if (is_uuid(*u))
      dtm.deployment_uuid = *u;
    else
      issues.add(r.path("deployment_uuid"), "'" + *u + "' is not an RFC 9562 UUID");
  }
  dtm.site_id = r.slug("site_id", false);
  dtm.site_display_name = r.string("site_display_name", false);
  dtm.sizing_ref = r.string("sizing_ref", false);
  dtm.sizing_params = read_sizing(r);
  dtm.mode = r.one_of("mode", {"sim", "live"}, false);
  dtm.version = r.string("version", false);

  if (const Json* devices = r.require("devices")) {
    if (!devices->is_object()) {
      issues.add(r.path("devices"),
                 "expected an object {device_id: Device}, got " + type_name(*devices));
    } else {
      for (const auto& [key, value] : devices->items())
        dtm.devices.emplace(
            key, read_device(value, key, json_pointer_append(r.path("devices"), key), issues));
    }
  }
  dtm.buses = read_buses(r);
  if (const Json* used = r.require("templates_used")) {
    if (!used->is_object()) {
      issues.add(r.path("templates_used"),
                 "expected an object {slug: Template}, got " + type_name(*used));
    } else {
      for (const auto& [slug, value] : used->items()) {
        std::string path = json_pointer_append(r.path("templates_used"), slug);
        Template t = read_template(value, path, issues);
        if (!t.slug.empty() && t.slug != slug)
          issues.add(json_pointer_append(path, "template"),
                     "template slug '" + t.slug + "' differs from its key '" + slug + "'");
        dtm.templates_used.emplace(slug, std::move(t));
      }
    }
  }
  if (const Json* pending = r.get("pending_devices")) {
    if (!pending->is_array()) {
      issues.add(r.path("pending_devices"), "expected an array, got " + type_name(*pending));
    } else {
      for (std::size_t i = 0; i < pending->size(); ++i)
        if (!(*pending)[i].is_object())
          issues.add(json_pointer_append(r.path("pending_devices"), std::to_string(i)),
                     "expected an object, got " + type_name((*pending)[i]));
      dtm.pending_devices = *pending;
    }
  }
  return dtm;
}

}  // namespace ems::contract::detail

namespace ems::contract {

Dtm parse_dtm(const Json& doc, const TemplateCatalog* catalog) {
  detail::Issues issues;
  Dtm dtm = detail::read_dtm(doc, issues);
  // Referential rules only make sense on a structurally valid document; otherwise they would
  // repeat the same problem (an unparsable parent is also an unresolved one).
  if (issues.empty()) detail::check_references_into(dtm, catalog, issues);
  issues.throw_if_any();
  return dtm;
}

std::vector<Issue> check_references(const Dtm& dtm, const TemplateCatalog* catalog) {
  detail::Issues issues;
  detail::check_references_into(dtm, catalog, issues);
  return std::move(issues.list());
}

}  // namespace ems::contract
