#pragma once
// What the historian stores of one MQTT message: a measurement sample, a command or an ack,
// parsed strictly by libs/contract (topic grammar and payload schema, CONTRACT.md sections 2-3).
// Pure; thread-compatible.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "ems/contract/payload.hpp"
#include "ems/contract/topic.hpp"

namespace ems::historian {

struct SampleRecord {
  contract::MeasurementTopic topic;
  contract::Timestamp ts;
  contract::SampleValue value;  // double, bool or the enum label (never a trigger)
};

struct CommandRecord {
  contract::CommandTopic topic;
  contract::CommandPayload payload;
};

struct AckRecord {
  contract::AckTopic topic;
  contract::Ack ack;
};

using Record = std::variant<SampleRecord, CommandRecord, AckRecord>;

// Why a message was not stored: "topic" (not a measurement/command/ack topic of the contract)
// or "payload" (the payload does not match its schema); `message` says what exactly.
struct RejectReason {
  std::string kind;
  std::string message;
};

// Parses one message. Never throws: a malformed topic or payload yields nullopt and fills
// *reason (when not null).
std::optional<Record> parse_record(std::string_view topic, std::string_view payload,
                                   RejectReason* reason = nullptr);

// Milliseconds since the Unix epoch.
inline std::int64_t epoch_ms(contract::Timestamp ts) {
  return ts.time_since_epoch().count();
}

}  // namespace ems::historian
