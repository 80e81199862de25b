#pragma once
// The DTM (device topology manifest) as value types: CONTRACT.md section 5 and
// ../shared/reference/device-api.md section 1.
//
// Structure that the suite reasons about (devices, parents, buses, templates, measurements,
// commands, protocol bindings - see binding.hpp) is typed. Parts that are only carried (alarms,
// install tasks, sizing parameters) stay JSON, validated and with defaults filled in by
// parse_dtm, so that to_json(parse_dtm(x)) is the normalized document we store.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ems/contract/binding.hpp"
#include "ems/contract/issue.hpp"
#include "ems/contract/vocabulary.hpp"

namespace ems::contract {

using Json = nlohmann::json;

struct Bounds {
  double min = 0, max = 0, nominal = 0;
  bool operator==(const Bounds&) const = default;
};

struct Thresholds {
  double warn_min = 0, warn_max = 0, alarm_min = 0, alarm_max = 0;
  bool operator==(const Thresholds&) const = default;
};

struct Measurement {
  Unit unit = Unit::none;
  ValueType type = ValueType::Float;
  std::optional<double> poll_rate_hz;
  std::optional<std::string> display_name_default;
  std::optional<std::string> iec_61850_ref;
  std::optional<Bounds> bounds;          // float only
  std::optional<Thresholds> thresholds;  // float only
  std::vector<EnumValue> values;         // enum only; ordered by numeric code, then code text
  std::optional<Binding> binding;        // exactly one of binding / publisher
  std::optional<std::string> publisher;  // (synthetic bindings carry publisher "gateway" too)
  bool operator==(const Measurement&) const = default;
};

struct Command {
  Verb verb = Verb::set;
  std::string target;  // a measurement of the same template (power_cap: a child target)
  Unit unit = Unit::none;
  PayloadType payload = PayloadType::Float;
  std::optional<std::string> display_name_default;
  std::optional<Binding> binding;     // exactly one of binding / fanout
  std::optional<std::string> fanout;  // service that executes it
  bool operator==(const Command&) const = default;
};

struct ContainedTemplate {
  std::string template_slug;
  std::optional<int> qty;  // nullopt = "scalable"
  std::vector<std::string> power_from;
  bool operator==(const ContainedTemplate&) const = default;
};

enum class TemplateKind { leaf, module };

struct Template {
  std::string slug;
  TemplateKind kind = TemplateKind::leaf;
  std::optional<std::string> vendor, model, equipment_id;
  std::optional<double> capacity_kwh;
  std::string description;
  std::vector<ContainedTemplate> contains;
  std::map<std::string, Measurement> measurements;
  std::map<std::string, Command> commands;
  Json alarms = Json::array();         // validated Alarm objects, carried
  Json install_tasks = Json::array();  // validated install tasks, carried
  bool operator==(const Template&) const = default;
};

struct Connection {
  std::string host;         // may be kProvisionedAtCommissioning
  std::optional<int> port;  // nullopt = kProvisionedAtCommissioning
  std::optional<std::string> unit_id;
  // ext: name of the site secrets entry a reader uses for this device (SNMP community or v3
  // user, Redfish user/password, TLS CA); the secret itself never enters the DTM.
  std::optional<std::string> credentials;
  // True when the device exists but must not be polled yet.
  bool provisioned_at_commissioning() const {
    return host == kProvisionedAtCommissioning || !port.has_value();
  }
  bool operator==(const Connection&) const = default;
};

struct Device {
  std::string device_id;
  std::string template_slug;
  std::optional<std::string> parent;
  std::optional<std::string> display_name;
  std::optional<Connection> connection;
  std::optional<std::map<std::string, Measurement>> extra_measurements;
  // Configurator fields accepted and carried verbatim: blocking, has_placeholders, mode.
  Json carried = Json::object();
  bool operator==(const Device&) const = default;
};

enum class BusType { ac, dc };

struct BusMember {
  std::string device_id;
  std::optional<std::string> port;
  bool operator==(const BusMember&) const = default;
};

struct Bus {
  std::string bus_id;
  BusType type = BusType::ac;
  std::vector<BusMember> members;
  bool operator==(const Bus&) const = default;
};

struct Dtm {
  std::string deployment_uuid;
  std::optional<std::string> site_id;            // ext
  std::optional<std::string> site_display_name;  // ext
  std::optional<std::string> sizing_ref;
  Json sizing_params = Json::object();  // validated, defaults filled
  std::optional<std::string> mode;      // "sim" | "live"
  std::optional<std::string> version;   // informational only
  std::map<std::string, Device> devices;
  std::vector<Bus> buses;
  std::map<std::string, Template> templates_used;
  std::optional<Json> pending_devices;  // carried
  bool operator==(const Dtm&) const = default;

  const Template* template_of(const Device& d) const;
  // Template measurements merged with the device's extra measurements.
  std::map<std::string, Measurement> measurements_of(const Device& d) const;
  // A device some reader polls: a connection with host and port, and at least one measurement
  // bound over a device protocol. Its reader publishes comm_status for it.
  bool is_polled(const Device& d) const;
  // Devices whose parent is `id`, sorted by device_id.
  std::vector<const Device*> children_of(const std::string& id) const;
};

class TemplateCatalog;

// Parses and validates a DTM: strict keys, types, slugs, per-protocol binding fields, and every
// referential rule of CONTRACT.md section 5 (parents resolve, no parent cycle, templates resolve
// in templates_used and - when a catalog is given - in the catalog, bus members resolve, map keys
// equal device_ids). Collects all issues, then throws ContractError with JSON paths.
Dtm parse_dtm(const Json& doc, const TemplateCatalog* catalog = nullptr);

// Only the referential rules, for a Dtm built in code (device CRUD).
std::vector<Issue> check_references(const Dtm& dtm, const TemplateCatalog* catalog = nullptr);

// Template and measurement parsing, shared by parse_dtm and the catalog loader.
Template parse_template(const Json& doc, const std::string& path = "");
Measurement parse_measurement(const Json& doc, const std::string& path = "");

// Normalized JSON (defaults filled, nulls for absent optional fields that the configurator
// emits). parse_dtm(to_json(d)) == d.
Json to_json(const Dtm& dtm);
Json to_json(const Template& t);
Json to_json(const Measurement& m);
Json to_json(const Device& d);

}  // namespace ems::contract
