#pragma once
// Oid: a numeric SNMP object identifier. The suite never loads MIB files; templates and the DTM
// name points by dotted numbers ("1.3.6.1.2.1.1.3.0", a leading dot is accepted), and order is
// the lexicographic order GETNEXT walks in.

#include <compare>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ems::protocols::snmp {

class Oid {
 public:
  Oid() = default;
  Oid(std::initializer_list<std::uint32_t> arcs) : arcs_(arcs) {}
  explicit Oid(std::vector<std::uint32_t> arcs) : arcs_(std::move(arcs)) {}

  // Parses "1.3.6.1.4.1.0" or ".1.3.6.1.4.1.0". Throws SnmpError(invalid_argument) on names,
  // empty arcs, arcs above 2^32-1, fewer than two arcs or more than 128 (RFC 2578 limit).
  static Oid parse(std::string_view text);

  std::string str() const;  // dotted, without leading dot
  const std::vector<std::uint32_t>& arcs() const noexcept { return arcs_; }
  std::size_t size() const noexcept { return arcs_.size(); }
  bool empty() const noexcept { return arcs_.empty(); }

  // True when `prefix` is this OID or one of its ancestors (walks stop when this turns false).
  bool starts_with(const Oid& prefix) const noexcept;
  Oid child(std::uint32_t arc) const;

  auto operator<=>(const Oid&) const = default;
  bool operator==(const Oid&) const = default;

 private:
  std::vector<std::uint32_t> arcs_;
};

}  // namespace ems::protocols::snmp
