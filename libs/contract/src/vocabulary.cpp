#include "ems/contract/vocabulary.hpp"

#include <algorithm>

namespace ems::contract {
namespace {
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  auto it = std::find(names.begin(), names.end(), s);
  if (it == names.end()) return std::nullopt;
  return static_cast<E>(it - names.begin());
}
constexpr std::array<std::string_view, 3> kValueTypeNames = {"float", "bool", "enum"};
constexpr std::array<std::string_view, 4> kPayloadNames = {"float", "bool", "enum", "trigger"};
}  // namespace

bool is_slug(std::string_view s) noexcept {
  if (s.size() < 2 || s.size() > 64) return false;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!lower(s.front())) return false;
  if (!(lower(s.back()) || digit(s.back()))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return lower(c) || digit(c) || c == '_'; });
}

std::optional<Unit> parse_unit(std::string_view s) noexcept {
  return lookup<Unit>(kUnitNames, s);
}
std::string_view to_string(Unit u) noexcept {
  return kUnitNames[static_cast<std::size_t>(u)];
}
std::optional<Verb> parse_verb(std::string_view s) noexcept {
  return lookup<Verb>(kVerbNames, s);
}
std::string_view to_string(Verb v) noexcept {
  return kVerbNames[static_cast<std::size_t>(v)];
}
std::optional<ValueType> parse_value_type(std::string_view s) noexcept {
  return lookup<ValueType>(kValueTypeNames, s);
}
std::string_view to_string(ValueType t) noexcept {
  return kValueTypeNames[static_cast<std::size_t>(t)];
}
std::optional<PayloadType> parse_payload_type(std::string_view s) noexcept {
  return lookup<PayloadType>(kPayloadNames, s);
}
std::string_view to_string(PayloadType t) noexcept {
  return kPayloadNames[static_cast<std::size_t>(t)];
}

}  // namespace ems::contract
