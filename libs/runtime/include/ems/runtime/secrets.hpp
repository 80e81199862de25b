#pragma once
// The site secrets file (`EMS_SECRETS_PATH`): credentials a reader needs to reach a device,
// named by a connection's `credentials` reference in the AsyncAPI document. Secrets never enter
// the DTM, the document, a log line or an error message.
//
// File format (JSON object, one entry per name; an entry holds "snmp", "redfish" or both):
//
//   {"<name>": {
//      "snmp": {"version": "v2c", "read_community": "...", "write_community": "..."}
//            | {"version": "v3", "user": "...",
//               "auth_protocol": "none|SHA|SHA-256", "auth_password": "...",
//               "priv_protocol": "none|AES|AES-256", "priv_password": "..."},
//      "redfish": {"user": "...", "password": "...", "auth": "basic|session",
//                  "ca_file": "..."}}}
//
//   SNMP v2c: read_community is required, write_community defaults to read_community.
//   SNMP v3: user is required; auth_protocol / priv_protocol default to "none" and are spelled as
//     libs/protocols/snmp's to_string(AuthProtocol / PrivProtocol) ("SHA", "SHA-256", "AES",
//     "AES-256"; "SHA1", "SHA-1" and "AES-128"/"AES128" are accepted as aliases and normalized);
//     a password is required exactly when its protocol is not "none"; priv needs auth.
//   Redfish: user and password are required; auth defaults to "basic"; ca_file is optional
//     (a PEM file verifying an https service; absent = the system's CA store).
//
// Loading is strict: unknown keys, wrong types, missing required fields and unknown protocol
// names are errors (SecretsError naming the file, the entry and the field - never a value).
// The file must not be readable or writable by group or others (mode 600 or stricter): a file
// that is refuses to load, so a leaked secret is noticed at start-up instead of silently used.
//
// Pure data after loading; a const Secrets is safe to share between threads.

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::runtime {

class SecretsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SnmpSecret {
  enum class Version { v2c, v3 };
  Version version = Version::v2c;
  // v2c
  std::string read_community;
  std::string write_community;
  // v3 (USM)
  std::string user;
  std::string auth_protocol = "none";  // "none", "SHA" or "SHA-256"
  std::string auth_password;
  std::string priv_protocol = "none";  // "none", "AES" or "AES-256"
  std::string priv_password;
};

struct RedfishSecret {
  enum class Auth { basic, session };
  std::string user;
  std::string password;
  Auth auth = Auth::basic;
  std::optional<std::string> ca_file;
};

struct SecretEntry {
  std::optional<SnmpSecret> snmp;
  std::optional<RedfishSecret> redfish;
};

class Secrets {
 public:
  Secrets() = default;  // no secrets

  // Reads and parses the file. Throws SecretsError when it cannot be read, when group or others
  // have any permission on it, or when its content is malformed.
  static Secrets load(const std::string& path);
  // The file named by EMS_SECRETS_PATH; unset or empty = no secrets (an empty Secrets).
  static Secrets from_env();
  // Parses a document already in memory (no permission check). `origin` names it in errors.
  static Secrets parse(std::string_view json_text, std::string_view origin = "secrets");

  // The entry `name`, or nullptr when there is none. The pointer lives as long as this object.
  const SecretEntry* find(std::string_view name) const;
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  std::map<std::string, SecretEntry, std::less<>> entries_;
};

}  // namespace ems::runtime
