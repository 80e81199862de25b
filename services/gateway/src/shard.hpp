#pragma once
// Sharding (EMS_GATEWAY_SHARD=i/n): each of n gateway instances owns the devices whose stable
// hash falls in its share, so n instances together cover every device exactly once.
//
// The rule is one for every device, leaf or module: a device belongs to shard
// 1 + fnv1a64(device_id) % n. Its polling, its comm_status, its synthetic roll-ups and the
// commands addressed to it (a module's distribute included) run on that shard only. Roll-ups
// and distribute read their inputs and reach their children over MQTT, so they work whichever
// shard owns the children, and nothing is published twice.
//
// Pure; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace ems::gateway {

struct Shard {
  int index = 1;  // 1..count
  int count = 1;

  bool owns(std::string_view device_id) const noexcept;
  // "gateway" for 1/1, else "gateway-{i}-of-{n}" (CONTRACT.md section 2).
  std::string service_id() const;
  bool operator==(const Shard&) const = default;
};

// FNV-1a 64: stable across runs, platforms and compilers (std::hash is not).
std::uint64_t stable_hash(std::string_view text) noexcept;

// "i/n" with 1 <= i <= n <= 1024; "" is 1/1. Throws std::invalid_argument naming the problem.
Shard parse_shard(std::string_view text);

}  // namespace ems::gateway
