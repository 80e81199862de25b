// Link layer: frame encoding, one-shot decoding and the streaming decoder.
#include <gtest/gtest.h>

#include <numeric>

#include "ems/protocols/dnp3/crc.hpp"
#include "ems/protocols/dnp3/error.hpp"
#include "ems/protocols/dnp3/link_decoder.hpp"
#include "ems/protocols/dnp3/link_frame.hpp"
#include "hex.hpp"

namespace ems::protocols::dnp3 {
namespace {

using test::hex;
using test::to_hex;

std::vector<std::uint8_t> payload(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), std::uint8_t{7});
  return v;
}

TEST(Dnp3Link, EncodesThePublishedResetLinkFrame) {
  LinkHeader h;
  h.dir = true;
  h.prm = true;
  h.function = static_cast<std::uint8_t>(PrimaryFunction::kResetLink);
  h.destination = 1;
  h.source = 1024;
  EXPECT_EQ(to_hex(encode_link_frame(h, {})), "05 64 05 C0 01 00 00 04 E9 21");
}

TEST(Dnp3Link, ControlByteFields) {
  const LinkHeader h = LinkHeader::from_control(0x73, 10, 20);  // PRM FCB FCV, CONFIRMED_USER_DATA
  EXPECT_FALSE(h.dir);
  EXPECT_TRUE(h.prm);
  EXPECT_TRUE(h.fcb);
  EXPECT_TRUE(h.fcv);
  EXPECT_EQ(h.function, 3);
  EXPECT_EQ(h.control(), 0x73);
  LinkHeader secondary;
  secondary.dir = false;
  secondary.prm = false;
  secondary.function = static_cast<std::uint8_t>(SecondaryFunction::kLinkStatus);
  EXPECT_EQ(secondary.control(), 0x0B);
}

TEST(Dnp3Link, RoundTripsEveryBlockBoundary) {
  for (std::size_t n : {0, 1, 15, 16, 17, 32, 33, 249, 250}) {
    const auto data = payload(n);
    const LinkHeader h = unconfirmed_user_data(true, 1024, 1);
    const auto bytes = encode_link_frame(h, data);
    EXPECT_EQ(bytes.size(), link_frame_size(static_cast<std::uint8_t>(5 + n))) << n;
    EXPECT_EQ(bytes[2], 5 + n);
    const LinkFrame f = decode_link_frame(bytes);
    EXPECT_EQ(f.header, h);
    EXPECT_EQ(f.user_data, data) << n;
  }
  EXPECT_EQ(link_frame_size(255), kMaxLinkFrameSize);
}

TEST(Dnp3Link, RejectsOversizeUserData) {
  try {
    encode_link_frame(LinkHeader{}, payload(251));
    FAIL() << "251 bytes accepted";
  } catch (const Dnp3Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTooLarge);
  }
}

// A bare header whose LEN is `len`, with a correct header CRC.
std::vector<std::uint8_t> with_len(std::uint8_t len) {
  auto h = hex("05 64 00 C4 01 00 00 04");
  h[2] = len;
  const std::uint16_t crc = crc16_dnp(h);
  h.push_back(static_cast<std::uint8_t>(crc & 0xFF));
  h.push_back(static_cast<std::uint8_t>(crc >> 8));
  return h;
}

ErrorKind decode_error(const std::vector<std::uint8_t>& bytes) {
  try {
    decode_link_frame(bytes);
  } catch (const Dnp3Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "decoded " << to_hex(bytes);
  return ErrorKind::kTimeout;
}

TEST(Dnp3Link, OneShotDecodeNamesEachDefect) {
  const auto good = encode_link_frame(unconfirmed_user_data(true, 1024, 1), payload(20));
  EXPECT_EQ(decode_error(hex("05 64 05")), ErrorKind::kTruncated);
  auto bad_start = good;
  bad_start[1] = 0x65;
  EXPECT_EQ(decode_error(bad_start), ErrorKind::kBadStart);
  auto bad_header = good;
  bad_header[4] ^= 0xFF;
  EXPECT_EQ(decode_error(bad_header), ErrorKind::kBadCrc);
  auto bad_block = good;
  bad_block[12] ^= 0x01;
  EXPECT_EQ(decode_error(bad_block), ErrorKind::kBadCrc);
  auto short_frame = good;
  short_frame.pop_back();
  EXPECT_EQ(decode_error(short_frame), ErrorKind::kBadLength);
  EXPECT_EQ(decode_error(with_len(4)), ErrorKind::kBadLength);
}

TEST(Dnp3LinkDecoder, DeliversFramesSplitAtEveryByte) {
  std::vector<std::uint8_t> stream;
  std::vector<LinkFrame> expected;
  for (std::size_t n : {0, 5, 16, 40, 250}) {
    LinkFrame f{unconfirmed_user_data(n % 2 == 0, 1, 1024), payload(n)};
    append_link_frame(stream, f.header, f.user_data);
    expected.push_back(f);
  }
  for (std::size_t chunk = 1; chunk <= 64; ++chunk) {
    LinkDecoder d;
    std::vector<LinkFrame> got;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
      d.feed(std::span(stream).subspan(pos, std::min(chunk, stream.size() - pos)), got);
    }
    EXPECT_EQ(got, expected) << "chunk " << chunk;
    EXPECT_EQ(d.stats().frames, expected.size());
    EXPECT_EQ(d.stats().bytes_discarded, 0u);
    EXPECT_EQ(d.buffered(), 0u);
  }
}

TEST(Dnp3LinkDecoder, ResynchronisesAfterGarbageAndCountsIt) {
  const auto frame = encode_link_frame(unconfirmed_user_data(true, 1024, 1), payload(30));
  std::vector<std::uint8_t> stream = hex("FF 00 05 05 64");  // noise, including a false start
  stream.insert(stream.end(), frame.begin(), frame.end());
  stream.insert(stream.end(), {0x64, 0x05});
  stream.insert(stream.end(), frame.begin(), frame.end());
  LinkDecoder d;
  const auto frames = d.feed(stream);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].user_data, payload(30));
  EXPECT_GE(d.stats().bytes_discarded, 5u);
}

TEST(Dnp3LinkDecoder, DropsBadCrcFramesAndKeepsGoing) {
  const auto good = encode_link_frame(unconfirmed_user_data(true, 1024, 1), payload(30));
  auto bad_data = good;
  bad_data[15] ^= 0x10;  // inside the first data block
  auto bad_header = good;
  bad_header[3] ^= 0x01;
  std::vector<std::uint8_t> stream;
  for (const auto& f : {bad_data, good, bad_header, good}) {
    stream.insert(stream.end(), f.begin(), f.end());
  }
  LinkDecoder d;
  const auto frames = d.feed(stream);
  EXPECT_EQ(frames.size(), 2u);
  EXPECT_EQ(d.stats().bad_data_crc, 1u);
  EXPECT_EQ(d.stats().bad_header_crc, 1u);
  EXPECT_EQ(d.last_error(), "link header CRC mismatch");
}

TEST(Dnp3LinkDecoder, RejectsLengthBelowFive) {
  const auto good = encode_link_frame(unconfirmed_user_data(true, 1024, 1), payload(3));
  std::vector<std::uint8_t> stream = with_len(0);
  stream.insert(stream.end(), good.begin(), good.end());
  LinkDecoder d;
  const auto frames = d.feed(stream);
  EXPECT_EQ(frames.size(), 1u);
  EXPECT_EQ(d.stats().bad_length, 1u);
  EXPECT_EQ(d.last_error(), "link LEN 0 below 5");
}

}  // namespace
}  // namespace ems::protocols::dnp3
