#include "ems/protocols/dnp3/link_frame.hpp"

#include <algorithm>
#include <string>

#include "ems/protocols/dnp3/crc.hpp"
#include "ems/protocols/dnp3/error.hpp"

namespace ems::protocols::dnp3 {
namespace {

constexpr std::size_t kBlockSize = 16;

void append_crc(std::vector<std::uint8_t>& out, std::size_t from) {
  const std::uint16_t crc =
      crc16_dnp(std::span<const std::uint8_t>(out.data() + from, out.size() - from));
  out.push_back(static_cast<std::uint8_t>(crc & 0xFFU));
  out.push_back(static_cast<std::uint8_t>(crc >> 8));
}

}  // namespace

std::uint8_t LinkHeader::control() const noexcept {
  return static_cast<std::uint8_t>((dir ? 0x80U : 0U) | (prm ? 0x40U : 0U) | (fcb ? 0x20U : 0U) |
                                   (fcv ? 0x10U : 0U) | (function & 0x0FU));
}

LinkHeader LinkHeader::from_control(std::uint8_t control, std::uint16_t destination,
                                    std::uint16_t source) noexcept {
  LinkHeader h;
  h.dir = (control & 0x80U) != 0;
  h.prm = (control & 0x40U) != 0;
  h.fcb = (control & 0x20U) != 0;
  h.fcv = (control & 0x10U) != 0;
  h.function = control & 0x0FU;
  h.destination = destination;
  h.source = source;
  return h;
}

LinkHeader unconfirmed_user_data(bool from_master, std::uint16_t destination,
                                 std::uint16_t source) noexcept {
  LinkHeader h;
  h.dir = from_master;
  h.prm = true;
  h.function = static_cast<std::uint8_t>(PrimaryFunction::kUnconfirmedUserData);
  h.destination = destination;
  h.source = source;
  return h;
}

std::size_t link_frame_size(std::uint8_t len) noexcept {
  if (len < 5) return kLinkHeaderSize;
  const std::size_t data = len - 5U;
  return kLinkHeaderSize + data + 2 * ((data + kBlockSize - 1) / kBlockSize);
}

void append_link_frame(std::vector<std::uint8_t>& out, const LinkHeader& header,
                       std::span<const std::uint8_t> user_data) {
  if (user_data.size() > kMaxLinkUserData) {
    throw Dnp3Error(ErrorKind::kTooLarge,
                    "link user data of " + std::to_string(user_data.size()) + " bytes exceeds 250");
  }
  const std::size_t start = out.size();
  out.push_back(0x05);
  out.push_back(0x64);
  out.push_back(static_cast<std::uint8_t>(5 + user_data.size()));
  out.push_back(header.control());
  out.push_back(static_cast<std::uint8_t>(header.destination & 0xFFU));
  out.push_back(static_cast<std::uint8_t>(header.destination >> 8));
  out.push_back(static_cast<std::uint8_t>(header.source & 0xFFU));
  out.push_back(static_cast<std::uint8_t>(header.source >> 8));
  append_crc(out, start);
  for (std::size_t i = 0; i < user_data.size(); i += kBlockSize) {
    const std::size_t block_start = out.size();
    const std::size_t n = std::min(kBlockSize, user_data.size() - i);
    out.insert(out.end(), user_data.begin() + static_cast<std::ptrdiff_t>(i),
               user_data.begin() + static_cast<std::ptrdiff_t>(i + n));
    append_crc(out, block_start);
  }
}

std::vector<std::uint8_t> encode_link_frame(const LinkHeader& header,
                                            std::span<const std::uint8_t> user_data) {
  std::vector<std::uint8_t> out;
  out.reserve(
      link_frame_size(static_cast<std::uint8_t>(5 + std::min<std::size_t>(user_data.size(), 250))));
  append_link_frame(out, header, user_data);
  return out;
}

LinkFrame decode_link_frame(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kLinkHeaderSize) {
    throw Dnp3Error(ErrorKind::kTruncated,
                    "link frame of " + std::to_string(bytes.size()) + " bytes, header needs 10");
  }
  if (bytes[0] != 0x05 || bytes[1] != 0x64) {
    throw Dnp3Error(ErrorKind::kBadStart, "link frame does not start with 05 64");
  }
  if (!crc_matches(bytes.first(kLinkHeaderSize))) {
    throw Dnp3Error(ErrorKind::kBadCrc, "link header CRC mismatch");
  }
  const std::uint8_t len = bytes[2];
  if (len < 5) {
    throw Dnp3Error(ErrorKind::kBadLength, "link LEN " + std::to_string(len) + " below 5");
  }
  const std::size_t total = link_frame_size(len);
  if (bytes.size() != total) {
    throw Dnp3Error(ErrorKind::kBadLength, "link LEN " + std::to_string(len) + " needs " +
                                               std::to_string(total) + " bytes, got " +
                                               std::to_string(bytes.size()));
  }
  LinkFrame frame;
  frame.header =
      LinkHeader::from_control(bytes[3], static_cast<std::uint16_t>(bytes[4] | (bytes[5] << 8)),
                               static_cast<std::uint16_t>(bytes[6] | (bytes[7] << 8)));
  const std::size_t data_len = len - 5U;
  frame.user_data.reserve(data_len);
  std::size_t pos = kLinkHeaderSize;
  for (std::size_t done = 0; done < data_len;) {
    const std::size_t n = std::min(kBlockSize, data_len - done);
    const auto block = bytes.subspan(pos, n + 2);
    if (!crc_matches(block)) {
      throw Dnp3Error(ErrorKind::kBadCrc,
                      "link data block " + std::to_string(done / kBlockSize) + " CRC mismatch");
    }
    frame.user_data.insert(frame.user_data.end(), block.begin(), block.begin() + n);
    pos += n + 2;
    done += n;
  }
  return frame;
}

}  // namespace ems::protocols::dnp3
