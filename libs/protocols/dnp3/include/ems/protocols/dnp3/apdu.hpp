#pragma once
// A whole application fragment: header plus object blocks, and its encoder and decoder.
//
// Which blocks carry data follows the function code: READ requests name objects only; responses,
// WRITE, SELECT, OPERATE and DIRECT_OPERATE carry the objects' values; CONFIRM carries nothing.

#include <cstdint>
#include <span>
#include <vector>

#include "ems/protocols/dnp3/app_header.hpp"
#include "ems/protocols/dnp3/objects.hpp"

namespace ems::protocols::dnp3 {

struct Apdu {
  AppControl control;
  FunctionCode function = FunctionCode::kRead;
  Iin iin;  // encoded only when `function` is a response
  std::vector<ObjectBlock> objects;
  bool operator==(const Apdu&) const = default;
};

// True when blocks of an APDU with this function code carry object values.
bool carries_data(FunctionCode fc) noexcept;

// Appends the encoded APDU. Throws Dnp3Error when a block is inconsistent (kBadRange: points do
// not match the header range; kUnknownObject: group/variation not in find_object_type; a value of
// the wrong type for its object).
void append_apdu(std::vector<std::uint8_t>& out, const Apdu& apdu);
std::vector<std::uint8_t> encode_apdu(const Apdu& apdu);

// Decodes a complete APDU with full bounds checks. Throws Dnp3Error (kTruncated, kBadQualifier,
// kBadRange, kUnknownObject, kBadFunction) describing the first defect.
Apdu decode_apdu(std::span<const std::uint8_t> bytes);

// Encoded size of one block, for fitting responses into a fragment.
std::size_t encoded_size(const ObjectBlock& block, FunctionCode fc);

}  // namespace ems::protocols::dnp3
