#pragma once
// Blocking stream I/O on a connected Socket with timeouts, for the protocol clients and servers.
//
// Both byte flavours are offered (binary protocols use uint8_t, socketcand's text protocol char)
// so callers never cast. send_all ignores SIGPIPE (MSG_NOSIGNAL): a vanished peer is a NetError,
// not a dead process. Errors throw NetError(kConnection) with the errno text.

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "ems/protocols/net/socket.hpp"

namespace ems::protocols::net {

// Writes every byte, retrying partial writes and EINTR.
void send_all(const Socket& s, std::span<const std::uint8_t> data);
void send_all(const Socket& s, std::string_view data);

// True when the socket becomes readable (data, end of stream or an error) within `timeout`;
// a negative timeout counts as zero.
bool wait_readable(const Socket& s, std::chrono::milliseconds timeout);

// Waits up to `timeout` for data. Returns the bytes read (> 0), 0 when the peer closed, or -1
// when nothing arrived in time.
long receive_some(const Socket& s, std::span<std::uint8_t> buffer,
                  std::chrono::milliseconds timeout);
long receive_some(const Socket& s, std::span<char> buffer, std::chrono::milliseconds timeout);

}  // namespace ems::protocols::net
