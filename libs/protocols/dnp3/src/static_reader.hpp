#pragma once
// Turns READ request headers into response blocks from the point database: static data (class 0
// or one group) as contiguous start-stop runs, and selected events as index-prefixed blocks.

#include <cstdint>
#include <vector>

#include "ems/protocols/dnp3/app_header.hpp"
#include "ems/protocols/dnp3/event_buffer.hpp"
#include "ems/protocols/dnp3/objects.hpp"
#include "ems/protocols/dnp3/point_database.hpp"

namespace ems::protocols::dnp3::detail {

// Appends all static points (g60v1).
void append_class0(const PointDatabase& db, std::vector<ObjectBlock>& out);

// Appends the static points of `request.group` selected by its qualifier, reported with
// `request.variation` (0 = each point's configured variation). Sets IIN2 bits in `iin` for an
// unsupported variation (object unknown) or indices that do not exist (parameter error).
void append_static(const PointDatabase& db, const ObjectBlock& request,
                   std::vector<ObjectBlock>& out, Iin& iin);

// True for the groups append_static serves.
bool is_static_group(std::uint8_t group) noexcept;

// Groups events into blocks, consecutive events of one group/variation sharing a block.
// `variation` overrides each event's own variation when not 0.
void append_events(const std::vector<Event>& events, std::uint8_t variation,
                   std::vector<ObjectBlock>& out);

}  // namespace ems::protocols::dnp3::detail
