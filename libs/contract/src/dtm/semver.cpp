#include "ems/contract/semver.hpp"

#include <array>
#include <limits>

#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {
constexpr std::array<std::string_view, 4> kBumpNames = {"none", "patch", "minor", "major"};

// One numeric identifier of semver 2.0.0: digits, no leading zero unless it is "0".
bool parse_part(std::string_view s, int& out) {
  if (s.empty() || s.size() > 10) return false;
  if (s.size() > 1 && s.front() == '0') return false;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (v > std::numeric_limits<int>::max()) return false;
  out = static_cast<int>(v);
  return true;
}
}  // namespace

SemVer parse_semver(std::string_view text) {
  SemVer v;
  const auto dot1 = text.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || !parse_part(text.substr(0, dot1), v.major) ||
      !parse_part(text.substr(dot1 + 1, dot2 - dot1 - 1), v.minor) ||
      !parse_part(text.substr(dot2 + 1), v.patch)) {
    throw ContractError("", "\"" + std::string(text) + "\" is not a version M.m.p");
  }
  return v;
}

std::string to_string(const SemVer& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
}

std::string_view to_string(Bump b) noexcept {
  return kBumpNames[static_cast<std::size_t>(b)];
}

SemVer next(SemVer v, Bump b) {
  switch (b) {
    case Bump::major:
      return {v.major + 1, 0, 0};
    case Bump::minor:
      return {v.major, v.minor + 1, 0};
    case Bump::patch:
      return {v.major, v.minor, v.patch + 1};
    case Bump::none:
      break;
  }
  return v;
}

}  // namespace ems::contract
