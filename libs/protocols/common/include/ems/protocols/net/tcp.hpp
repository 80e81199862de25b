#pragma once
// Opening TCP sockets over IPv4: an outgoing connection with a deadline, and a listener.
//
// Hosts are names or dotted quads, resolved with getaddrinfo to their first IPv4 address.
// Failures throw NetError: kAddress when the host does not resolve, kTimeout when connect
// misses its deadline, kConnection otherwise; messages name host:port and the errno text.

#include <chrono>
#include <cstdint>
#include <string>

#include "ems/protocols/net/socket.hpp"

namespace ems::protocols::net {

// A blocking, connected socket with TCP_NODELAY set (requests are small and latency-bound).
Socket connect_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);

// A listening socket with SO_REUSEADDR, so a restarted server can rebind at once. Port 0 picks
// an ephemeral port; read it back with Socket::local_port().
Socket listen_tcp(const std::string& host, std::uint16_t port, int backlog);

}  // namespace ems::protocols::net
