#pragma once
// The one error type of the DNP3 library.
//
// Decoders never read past their input: anything malformed ends in a Dnp3Error carrying a
// machine-readable kind (for metrics and tests) and a readable message (for logs). The streaming
// link decoder does not throw; it counts the same kinds (see LinkDecoderStats).

#include <stdexcept>
#include <string>
#include <string_view>

namespace ems::protocols::dnp3 {

enum class ErrorKind {
  kBadStart,       // link frame does not begin with 0x05 0x64
  kBadLength,      // link LEN below 5, or a buffer shorter than its declared length
  kBadCrc,         // header or data block CRC mismatch
  kTruncated,      // input ends inside a field
  kBadTransport,   // transport segment out of sequence or without FIR
  kBadFunction,    // unknown or unexpected function code
  kBadQualifier,   // object qualifier not supported
  kUnknownObject,  // group/variation not supported
  kBadRange,       // start > stop, count too large, index out of the database
  kTooLarge,       // encoded data does not fit its limit (fragment size, LEN)
  kTimeout,        // no answer within the configured time
  kConnection,     // TCP connect/send/receive failed or closed
  kRejected,       // the outstation answered with an error (IIN2 bits or control status)
};

std::string_view to_string(ErrorKind kind) noexcept;

class Dnp3Error : public std::runtime_error {
 public:
  Dnp3Error(ErrorKind kind, const std::string& message);
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace ems::protocols::dnp3
