#include "ems/protocols/dnp3/link_channel.hpp"

namespace ems::protocols::dnp3 {

LinkChannel::LinkChannel(LinkChannelConfig config)
    : config_(config), remote_(config.remote_address.value_or(1)), transport_(config.max_apdu) {}

std::vector<std::uint8_t> LinkChannel::frame_apdu(std::span<const std::uint8_t> apdu) {
  std::vector<std::uint8_t> out;
  const LinkHeader header =
      unconfirmed_user_data(config_.is_master, remote_, config_.local_address);
  for (const auto& segment : segment_apdu(apdu, transport_seq_)) {
    append_link_frame(out, header, segment);
  }
  return out;
}

LinkChannel::Received LinkChannel::receive(std::span<const std::uint8_t> bytes) {
  Received r;
  for (auto& frame : decoder_.feed(bytes)) {
    const LinkHeader& h = frame.header;
    // A master accepts frames sent by outstations (DIR = 0) and vice versa.
    const bool from_peer = h.dir != config_.is_master;
    const bool source_ok = !config_.remote_address || h.source == *config_.remote_address;
    if (!from_peer || h.destination != config_.local_address || !source_ok) {
      ++stats_.frames_ignored;
      continue;
    }
    remote_ = h.source;
    if (!h.prm) continue;  // we never send frames that expect a secondary answer
    LinkHeader reply;
    reply.dir = config_.is_master;
    reply.prm = false;
    reply.destination = h.source;
    reply.source = config_.local_address;
    switch (static_cast<PrimaryFunction>(h.function)) {
      case PrimaryFunction::kResetLink:
      case PrimaryFunction::kTestLink:
        reply.function = static_cast<std::uint8_t>(SecondaryFunction::kAck);
        break;
      case PrimaryFunction::kRequestLinkStatus:
        reply.function = static_cast<std::uint8_t>(SecondaryFunction::kLinkStatus);
        break;
      case PrimaryFunction::kConfirmedUserData:
        reply.function = static_cast<std::uint8_t>(SecondaryFunction::kAck);
        append_link_frame(r.link_replies, reply, {});
        ++stats_.link_requests;
        if (auto apdu = transport_.push(frame.user_data)) r.apdus.push_back(std::move(*apdu));
        continue;
      case PrimaryFunction::kUnconfirmedUserData:
        if (auto apdu = transport_.push(frame.user_data)) r.apdus.push_back(std::move(*apdu));
        continue;
      default:
        reply.function = static_cast<std::uint8_t>(SecondaryFunction::kNotSupported);
        break;
    }
    ++stats_.link_requests;
    append_link_frame(r.link_replies, reply, {});
  }
  return r;
}

}  // namespace ems::protocols::dnp3
