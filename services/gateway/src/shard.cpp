#include "shard.hpp"

#include <charconv>
#include <stdexcept>

namespace ems::gateway {

std::uint64_t stable_hash(std::string_view text) noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool Shard::owns(std::string_view device_id) const noexcept {
  if (count <= 1) return true;
  return int(stable_hash(device_id) % std::uint64_t(count)) + 1 == index;
}

std::string Shard::service_id() const {
  if (count <= 1) return "gateway";
  return "gateway-" + std::to_string(index) + "-of-" + std::to_string(count);
}

Shard parse_shard(std::string_view text) {
  if (text.empty()) return {};
  const auto slash = text.find('/');
  auto number = [&](std::string_view part) {
    int v = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || end != part.data() + part.size() || part.empty())
      throw std::invalid_argument("EMS_GATEWAY_SHARD: '" + std::string(text) +
                                  "' is not i/n (e.g. 1/2)");
    return v;
  };
  if (slash == std::string_view::npos)
    throw std::invalid_argument("EMS_GATEWAY_SHARD: '" + std::string(text) +
                                "' is not i/n (e.g. 1/2)");
  Shard s{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (s.count < 1 || s.count > 1024 || s.index < 1 || s.index > s.count)
    throw std::invalid_argument("EMS_GATEWAY_SHARD: '" + std::string(text) +
                                "' needs 1 <= i <= n <= 1024");
  return s;
}

}  // namespace ems::gateway
