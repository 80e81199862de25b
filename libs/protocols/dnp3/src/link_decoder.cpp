#include "ems/protocols/dnp3/link_decoder.hpp"

#include "ems/protocols/dnp3/crc.hpp"

namespace ems::protocols::dnp3 {

void LinkDecoder::reset() noexcept {
  buffer_.clear();
  head_ = 0;
}

void LinkDecoder::discard(std::size_t n) noexcept {
  head_ += n;
}

void LinkDecoder::feed(std::span<const std::uint8_t> bytes, std::vector<LinkFrame>& out) {
  // Compact before growing so the buffer stays bounded by one frame plus one chunk.
  if (head_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());

  while (buffered() > 0) {
    const std::span<const std::uint8_t> avail(buffer_.data() + head_, buffered());
    if (avail[0] != 0x05 || (avail.size() >= 2 && avail[1] != 0x64)) {
      ++stats_.bytes_discarded;
      discard(1);
      continue;
    }
    if (avail.size() < kLinkHeaderSize) break;
    if (!crc_matches(avail.first(kLinkHeaderSize))) {
      ++stats_.bad_header_crc;
      ++stats_.bytes_discarded;
      last_error_ = "link header CRC mismatch";
      discard(1);
      continue;
    }
    const std::uint8_t len = avail[2];
    if (len < 5) {
      ++stats_.bad_length;
      ++stats_.bytes_discarded;
      last_error_ = "link LEN " + std::to_string(len) + " below 5";
      discard(1);
      continue;
    }
    const std::size_t total = link_frame_size(len);
    if (avail.size() < total) break;
    // Data block CRCs are checked here so a bad frame costs no exception.
    LinkFrame frame;
    frame.header =
        LinkHeader::from_control(avail[3], static_cast<std::uint16_t>(avail[4] | (avail[5] << 8)),
                                 static_cast<std::uint16_t>(avail[6] | (avail[7] << 8)));
    const std::size_t data_len = len - 5U;
    frame.user_data.reserve(data_len);
    bool ok = true;
    std::size_t pos = kLinkHeaderSize;
    for (std::size_t done = 0; done < data_len;) {
      const std::size_t n = std::min<std::size_t>(16, data_len - done);
      const auto block = avail.subspan(pos, n + 2);
      if (!crc_matches(block)) {
        ok = false;
        break;
      }
      frame.user_data.insert(frame.user_data.end(), block.begin(), block.begin() + n);
      pos += n + 2;
      done += n;
    }
    discard(total);
    if (!ok) {
      ++stats_.bad_data_crc;
      last_error_ = "link data block CRC mismatch";
      continue;
    }
    ++stats_.frames;
    out.push_back(std::move(frame));
  }
}

std::vector<LinkFrame> LinkDecoder::feed(std::span<const std::uint8_t> bytes) {
  std::vector<LinkFrame> out;
  feed(bytes, out);
  return out;
}

}  // namespace ems::protocols::dnp3
