#include "ems/protocols/snmp/oid.hpp"

#include <algorithm>
#include <charconv>

#include "ems/protocols/snmp/error.hpp"

namespace ems::protocols::snmp {

namespace {
constexpr std::size_t kMaxArcs = 128;
}

Oid Oid::parse(std::string_view text) {
  const std::string original(text);
  auto fail = [&](const std::string& why) {
    return SnmpError(ErrorKind::invalid_argument,
                     "invalid OID '" + original + "': " + why + " (numeric OIDs only)");
  };
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);
  if (text.empty()) throw fail("empty");
  std::vector<std::uint32_t> arcs;
  while (true) {
    const auto dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    if (part.empty()) throw fail("empty arc");
    std::uint32_t arc = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
    if (ec != std::errc{} || end != part.data() + part.size())
      throw fail("arc '" + std::string(part) + "' is not a number below 2^32");
    arcs.push_back(arc);
    if (arcs.size() > kMaxArcs) throw fail("more than 128 arcs");
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  if (arcs.size() < 2) throw fail("fewer than two arcs");
  return Oid(std::move(arcs));
}

std::string Oid::str() const {
  std::string out;
  for (std::size_t i = 0; i < arcs_.size(); ++i) {
    if (i != 0) out += '.';
    out += std::to_string(arcs_[i]);
  }
  return out;
}

bool Oid::starts_with(const Oid& prefix) const noexcept {
  return prefix.arcs_.size() <= arcs_.size() &&
         std::equal(prefix.arcs_.begin(), prefix.arcs_.end(), arcs_.begin());
}

Oid Oid::child(std::uint32_t arc) const {
  Oid out = *this;
  out.arcs_.push_back(arc);
  return out;
}

}  // namespace ems::protocols::snmp
