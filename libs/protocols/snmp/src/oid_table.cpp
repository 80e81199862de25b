#include "ems/protocols/snmp/oid_table.hpp"

#include <algorithm>

namespace ems::protocols::snmp {

void OidTable::define(const Oid& oid, Value value, Access access) {
  if (value.is_exception() || value.type() == ValueType::null)
    throw SnmpError(ErrorKind::invalid_argument,
                    "OID " + oid.str() + ": an agent cannot serve " + value.describe());
  if (oid.size() < 2)
    throw SnmpError(ErrorKind::invalid_argument, "OID '" + oid.str() + "' has fewer than 2 arcs");
  std::lock_guard lock(mutex_);
  entries_[oid] = Entry{std::move(value), access};
}

void OidTable::set(const Oid& oid, Value value) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(oid); it != entries_.end()) {
      if (value.is_exception() || value.type() == ValueType::null)
        throw SnmpError(ErrorKind::invalid_argument,
                        "OID " + oid.str() + ": an agent cannot serve " + value.describe());
      it->second.value = std::move(value);
      return;
    }
  }
  define(oid, std::move(value), Access::read_only);
}

std::optional<Value> OidTable::get(const Oid& oid) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(oid);
  if (it == entries_.end()) return std::nullopt;
  return it->second.value;
}

bool OidTable::remove(const Oid& oid) {
  std::lock_guard lock(mutex_);
  return entries_.erase(oid) != 0;
}

std::size_t OidTable::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void OidTable::on_set(SetHandler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

ResponderResult OidTable::get(const std::vector<Oid>& oids) const {
  ResponderResult out;
  std::lock_guard lock(mutex_);
  for (const Oid& oid : oids) {
    auto it = entries_.find(oid);
    out.varbinds.push_back({oid, it == entries_.end() ? Value::exception(ValueType::no_such_object)
                                                      : it->second.value});
  }
  return out;
}

VarBind OidTable::next_locked(const Oid& oid) const {
  auto it = entries_.upper_bound(oid);
  if (it == entries_.end()) return {oid, Value::exception(ValueType::end_of_mib_view)};
  return {it->first, it->second.value};
}

ResponderResult OidTable::get_next(const std::vector<Oid>& oids) const {
  ResponderResult out;
  std::lock_guard lock(mutex_);
  for (const Oid& oid : oids) out.varbinds.push_back(next_locked(oid));
  return out;
}

ResponderResult OidTable::get_bulk(const std::vector<Oid>& oids, int non_repeaters,
                                   int max_repetitions, std::size_t max_varbinds) const {
  ResponderResult out;
  const std::size_t n = oids.size();
  const std::size_t nr = std::min(n, static_cast<std::size_t>(std::max(non_repeaters, 0)));
  const std::size_t reps = static_cast<std::size_t>(std::max(max_repetitions, 0));
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < nr && out.varbinds.size() < max_varbinds; ++i)
    out.varbinds.push_back(next_locked(oids[i]));
  std::vector<Oid> cursor(oids.begin() + static_cast<std::ptrdiff_t>(nr), oids.end());
  for (std::size_t r = 0; r < reps && !cursor.empty(); ++r) {
    bool all_ended = true;
    for (Oid& c : cursor) {
      if (out.varbinds.size() >= max_varbinds) return out;
      VarBind vb = next_locked(c);
      if (vb.value.type() != ValueType::end_of_mib_view) {
        all_ended = false;
        c = vb.oid;
      }
      out.varbinds.push_back(std::move(vb));
    }
    if (all_ended) break;
  }
  return out;
}

ResponderResult OidTable::apply_set(const std::vector<VarBind>& varbinds) {
  ResponderResult out;
  out.varbinds = varbinds;
  std::lock_guard lock(mutex_);
  auto reject = [&](ErrorStatus s, std::size_t i) {
    out.status = s;
    out.index = static_cast<int>(i + 1);
    return out;
  };
  // Check every varbind before the handler sees any, so a bad type in varbind 3 does not leave
  // varbinds 1 and 2 applied.
  for (std::size_t i = 0; i < varbinds.size(); ++i) {
    auto it = entries_.find(varbinds[i].oid);
    if (it == entries_.end()) return reject(ErrorStatus::no_creation, i);
    if (it->second.access != Access::read_write) return reject(ErrorStatus::not_writable, i);
    if (it->second.value.type() != varbinds[i].value.type())
      return reject(ErrorStatus::wrong_type, i);
  }
  for (std::size_t i = 0; i < varbinds.size(); ++i) {
    if (handler_) {
      const ErrorStatus s = handler_(varbinds[i].oid, varbinds[i].value);
      if (s != ErrorStatus::no_error) return reject(s, i);
    }
    entries_[varbinds[i].oid].value = varbinds[i].value;
  }
  return out;
}

}  // namespace ems::protocols::snmp
