#include "ems/runtime/secrets.hpp"

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ems/runtime/config.hpp"
#include "ems/runtime/json_input.hpp"

namespace ems::runtime {
namespace {

using Json = nlohmann::json;

// Errors name the origin, the entry and the field; they never quote a value from the file.
class Reader {
 public:
  Reader(std::string_view origin, std::string_view entry) : origin_(origin), entry_(entry) {}

  [[noreturn]] void fail(std::string_view field, std::string_view problem) const {
    std::string msg = std::string(origin_);
    if (!entry_.empty()) msg += ": entry \"" + std::string(entry_) + "\"";
    if (!field.empty()) msg += ": " + std::string(field);
    msg += ": " + std::string(problem);
    throw SecretsError(msg);
  }

  void only_keys(const Json& obj, std::string_view where,
                 std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : obj.items()) {
      bool known = false;
      for (auto a : allowed) known = known || key == a;
      if (!known) fail(std::string(where) + "." + key, "unknown key");
    }
  }

  std::optional<std::string> optional_string(const Json& obj, std::string_view where,
                                             const char* key) const {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_string()) fail(std::string(where) + "." + key, "must be a string");
    return it->get<std::string>();
  }

  std::string required_string(const Json& obj, std::string_view where, const char* key) const {
    auto v = optional_string(obj, where, key);
    if (!v) fail(std::string(where) + "." + key, "is required");
    if (v->empty()) fail(std::string(where) + "." + key, "must not be empty");
    return *v;
  }

 private:
  std::string_view origin_;
  std::string_view entry_;
};

// The names libs/protocols/snmp's to_string(AuthProtocol/PrivProtocol) gives, with aliases.
std::optional<std::string> normalize_auth(std::string_view s) {
  if (s == "none") return "none";
  if (s == "SHA" || s == "SHA1" || s == "SHA-1") return "SHA";
  if (s == "SHA-256" || s == "SHA256") return "SHA-256";
  return std::nullopt;
}
std::optional<std::string> normalize_priv(std::string_view s) {
  if (s == "none") return "none";
  if (s == "AES" || s == "AES128" || s == "AES-128") return "AES";
  if (s == "AES-256" || s == "AES256") return "AES-256";
  return std::nullopt;
}

SnmpSecret parse_snmp(const Reader& r, const Json& j) {
  if (!j.is_object()) r.fail("snmp", "must be an object");
  SnmpSecret s;
  auto version = r.optional_string(j, "snmp", "version").value_or("v2c");
  if (version == "v2c") {
    r.only_keys(j, "snmp", {"version", "read_community", "write_community"});
    s.version = SnmpSecret::Version::v2c;
    s.read_community = r.required_string(j, "snmp", "read_community");
    s.write_community = r.optional_string(j, "snmp", "write_community").value_or(s.read_community);
    if (s.write_community.empty()) r.fail("snmp.write_community", "must not be empty");
    return s;
  }
  if (version != "v3") r.fail("snmp.version", "must be \"v2c\" or \"v3\"");
  r.only_keys(
      j, "snmp",
      {"version", "user", "auth_protocol", "auth_password", "priv_protocol", "priv_password"});
  s.version = SnmpSecret::Version::v3;
  s.user = r.required_string(j, "snmp", "user");
  auto auth = normalize_auth(r.optional_string(j, "snmp", "auth_protocol").value_or("none"));
  if (!auth) r.fail("snmp.auth_protocol", "must be one of none, SHA, SHA-256");
  auto priv = normalize_priv(r.optional_string(j, "snmp", "priv_protocol").value_or("none"));
  if (!priv) r.fail("snmp.priv_protocol", "must be one of none, AES, AES-256");
  s.auth_protocol = *auth;
  s.priv_protocol = *priv;
  if (s.auth_protocol != "none") {
    s.auth_password = r.required_string(j, "snmp", "auth_password");
    if (s.auth_password.size() < 8) r.fail("snmp.auth_password", "needs at least 8 characters");
  } else if (j.contains("auth_password")) {
    r.fail("snmp.auth_password", "given without auth_protocol");
  }
  if (s.priv_protocol != "none") {
    if (s.auth_protocol == "none") r.fail("snmp.priv_protocol", "privacy needs auth_protocol");
    s.priv_password = r.required_string(j, "snmp", "priv_password");
    if (s.priv_password.size() < 8) r.fail("snmp.priv_password", "needs at least 8 characters");
  } else if (j.contains("priv_password")) {
    r.fail("snmp.priv_password", "given without priv_protocol");
  }
  return s;
}

RedfishSecret parse_redfish(const Reader& r, const Json& j) {
  if (!j.is_object()) r.fail("redfish", "must be an object");
  r.only_keys(j, "redfish", {"user", "password", "auth", "ca_file"});
  RedfishSecret s;
  s.user = r.required_string(j, "redfish", "user");
  s.password = r.required_string(j, "redfish", "password");
  auto auth = r.optional_string(j, "redfish", "auth").value_or("basic");
  if (auth == "basic") {
    s.auth = RedfishSecret::Auth::basic;
  } else if (auth == "session") {
    s.auth = RedfishSecret::Auth::session;
  } else {
    r.fail("redfish.auth", "must be \"basic\" or \"session\"");
  }
  s.ca_file = r.optional_string(j, "redfish", "ca_file");
  if (s.ca_file && s.ca_file->empty()) r.fail("redfish.ca_file", "must not be empty");
  return s;
}

}  // namespace

Secrets Secrets::parse(std::string_view json_text, std::string_view origin) {
  Json doc;
  try {
    doc = parse_json(json_text);
  } catch (const JsonInputError& e) {
    // The parser's message quotes the offending text (a secret); report only the byte offset.
    throw SecretsError(std::string(origin) + ": not valid JSON" +
                       (e.byte() ? " (near byte " + std::to_string(*e.byte()) + ")"
                                 : std::string(" (a number out of range)")));
  }
  Reader top(origin, "");
  if (!doc.is_object()) top.fail("", "must be a JSON object of named entries");
  Secrets out;
  for (const auto& [name, value] : doc.items()) {
    Reader r(origin, name);
    if (name.empty()) top.fail("", "an entry name must not be empty");
    if (!value.is_object()) r.fail("", "must be an object with \"snmp\" and/or \"redfish\"");
    r.only_keys(value, "", {"snmp", "redfish"});
    SecretEntry entry;
    if (auto it = value.find("snmp"); it != value.end()) entry.snmp = parse_snmp(r, *it);
    if (auto it = value.find("redfish"); it != value.end()) entry.redfish = parse_redfish(r, *it);
    if (!entry.snmp && !entry.redfish) r.fail("", "holds neither \"snmp\" nor \"redfish\"");
    out.entries_.emplace(name, std::move(entry));
  }
  return out;
}

Secrets Secrets::load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw SecretsError("secrets file " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw SecretsError("secrets file " + path + ": not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    throw SecretsError("secrets file " + path + " has mode " + mode +
                       ": group and others must have no access (chmod 600 " + path + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SecretsError("secrets file " + path + ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), "secrets file " + path);
}

Secrets Secrets::from_env() {
  auto path = env_optional("EMS_SECRETS_PATH");
  if (!path) return Secrets{};
  return load(*path);
}

const SecretEntry* Secrets::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace ems::runtime
