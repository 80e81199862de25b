#pragma once
// DNP3 link layer frame (IEEE 1815 clause 9): 0x05 0x64, LEN, CTRL, destination, source (little
// endian), header CRC, then the user data in blocks of at most 16 bytes, each followed by its CRC.
// LEN counts CTRL + addresses + user data (5..255), never the CRCs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ems::protocols::dnp3 {

// Function codes of frames sent by the initiating station (PRM = 1).
enum class PrimaryFunction : std::uint8_t {
  kResetLink = 0,
  kTestLink = 2,
  kConfirmedUserData = 3,
  kUnconfirmedUserData = 4,
  kRequestLinkStatus = 9,
};

// Function codes of frames answering a primary frame (PRM = 0).
enum class SecondaryFunction : std::uint8_t {
  kAck = 0,
  kNack = 1,
  kLinkStatus = 11,
  kNotSupported = 15,
};

inline constexpr std::size_t kLinkHeaderSize = 10;     // start(2) LEN CTRL dest(2) src(2) CRC(2)
inline constexpr std::size_t kMaxLinkUserData = 250;   // LEN 255 minus CTRL and addresses
inline constexpr std::size_t kMaxLinkFrameSize = 292;  // 10 + 250 + 16 block CRCs

struct LinkHeader {
  bool dir = true;            // true: sent by the master
  bool prm = true;            // true: primary (initiating) frame
  bool fcb = false;           // primary: frame count bit; secondary: ACD
  bool fcv = false;           // primary: FCB valid; secondary: DFC
  std::uint8_t function = 0;  // PrimaryFunction or SecondaryFunction, 4 bits
  std::uint16_t destination = 0;
  std::uint16_t source = 0;

  std::uint8_t control() const noexcept;
  static LinkHeader from_control(std::uint8_t control, std::uint16_t destination,
                                 std::uint16_t source) noexcept;
  bool operator==(const LinkHeader&) const = default;
};

// A primary frame carrying user data the way masters and outstations usually send it.
LinkHeader unconfirmed_user_data(bool from_master, std::uint16_t destination,
                                 std::uint16_t source) noexcept;

struct LinkFrame {
  LinkHeader header;
  std::vector<std::uint8_t> user_data;
  bool operator==(const LinkFrame&) const = default;
};

// Bytes on the wire for a frame whose LEN field is `len` (5..255).
std::size_t link_frame_size(std::uint8_t len) noexcept;

// Appends one encoded frame to `out`. Throws Dnp3Error(kTooLarge) above kMaxLinkUserData.
void append_link_frame(std::vector<std::uint8_t>& out, const LinkHeader& header,
                       std::span<const std::uint8_t> user_data);
std::vector<std::uint8_t> encode_link_frame(const LinkHeader& header,
                                            std::span<const std::uint8_t> user_data);

// Decodes exactly one frame occupying all of `bytes`. Throws Dnp3Error on any defect.
LinkFrame decode_link_frame(std::span<const std::uint8_t> bytes);

}  // namespace ems::protocols::dnp3
