#pragma once
// OidTable: the agent's data and its command-responder semantics (RFC 3416), free of sockets
// and of net-snmp so it can be tested alone. The site model writes values with set(); requests
// are answered by get / get_next / get_bulk / apply_set.
//
// Thread-safe: every member takes the table's mutex. The SET handler runs under that mutex too
// (so a SET is atomic with respect to model updates) and therefore must not call back into the
// table.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "ems/protocols/snmp/error.hpp"
#include "ems/protocols/snmp/value.hpp"

namespace ems::protocols::snmp {

enum class Access { read_only, read_write };

// Called for every varbind of an accepted SET, in order, after type and access checks. Return
// no_error to accept (the table then stores the value) or a status such as wrong_value to
// reject; the PDU stops at the first rejection (earlier varbinds stay applied: SETs of several
// varbinds are not transactional).
using SetHandler = std::function<ErrorStatus(const Oid& oid, const Value& value)>;

struct ResponderResult {
  ErrorStatus status = ErrorStatus::no_error;
  int index = 0;  // 1-based varbind index for a non-zero status
  std::vector<VarBind> varbinds;
};

class OidTable {
 public:
  // Adds or replaces an entry. Exceptions and null are rejected (SnmpError invalid_argument).
  void define(const Oid& oid, Value value, Access access = Access::read_only);
  // Updates an entry's value, defining it read-only if absent. The model's write path.
  void set(const Oid& oid, Value value);
  std::optional<Value> get(const Oid& oid) const;
  bool remove(const Oid& oid);
  std::size_t size() const;
  void on_set(SetHandler handler);

  // GET: each OID's value, or noSuchObject for an OID without an entry (the table has no
  // object/instance split, so noSuchInstance is never produced).
  ResponderResult get(const std::vector<Oid>& oids) const;
  // GETNEXT: the first entry strictly after each OID, or endOfMibView.
  ResponderResult get_next(const std::vector<Oid>& oids) const;
  // GETBULK (RFC 3416 4.2.3). The answer holds at most max_varbinds varbinds (the agent's size
  // guard); repetitions stop early when every repeater reached endOfMibView.
  ResponderResult get_bulk(const std::vector<Oid>& oids, int non_repeaters, int max_repetitions,
                           std::size_t max_varbinds = 256) const;
  // SET: unknown OID -> noCreation, read-only -> notWritable, other type -> wrongType, then the
  // handler decides. The answer echoes the request's varbinds.
  ResponderResult apply_set(const std::vector<VarBind>& varbinds);

 private:
  struct Entry {
    Value value;
    Access access = Access::read_only;
  };
  VarBind next_locked(const Oid& oid) const;

  mutable std::mutex mutex_;
  std::map<Oid, Entry> entries_;
  SetHandler handler_;
};

}  // namespace ems::protocols::snmp
