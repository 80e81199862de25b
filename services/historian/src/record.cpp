#include "record.hpp"

#include <exception>

namespace ems::historian {
namespace {

void fill(RejectReason* reason, std::string kind, std::string message) {
  if (reason != nullptr) *reason = RejectReason{std::move(kind), std::move(message)};
}

}  // namespace

std::optional<Record> parse_record(std::string_view topic, std::string_view payload,
                                   RejectReason* reason) {
  contract::TopicError topic_error;
  auto parsed = contract::try_parse_topic(topic, &topic_error);
  if (!parsed) {
    fill(reason, "topic", topic_error.message);
    return std::nullopt;
  }
  try {
    if (auto* m = std::get_if<contract::MeasurementTopic>(&*parsed)) {
      auto sample = contract::decode_sample(payload);
      if (sample.type() == contract::PayloadType::Trigger) {
        fill(reason, "payload", "/value: a measurement sample needs a value");
        return std::nullopt;
      }
      return SampleRecord{std::move(*m), sample.ts, std::move(sample.value)};
    }
    if (auto* c = std::get_if<contract::CommandTopic>(&*parsed)) {
      return CommandRecord{std::move(*c), contract::decode_command(payload)};
    }
    if (auto* a = std::get_if<contract::AckTopic>(&*parsed)) {
      return AckRecord{std::move(*a), contract::decode_ack(payload)};
    }
  } catch (const std::exception& e) {
    fill(reason, "payload", e.what());
    return std::nullopt;
  }
  fill(reason, "topic", "not a measurement, command or ack topic");
  return std::nullopt;
}

}  // namespace ems::historian
