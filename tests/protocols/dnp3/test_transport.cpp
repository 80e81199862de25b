// Transport function: segmentation and reassembly with sequence checks.
#include <gtest/gtest.h>

#include <numeric>

#include "ems/protocols/dnp3/transport.hpp"

namespace ems::protocols::dnp3 {
namespace {

std::vector<std::uint8_t> apdu(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), std::uint8_t{1});
  return v;
}

TEST(Dnp3Transport, HeaderByte) {
  EXPECT_EQ((TransportHeader{true, true, 5}.byte()), 0xC5);
  EXPECT_EQ((TransportHeader{false, true, 63}.byte()), 0x7F);
  EXPECT_EQ(TransportHeader::from_byte(0x81), (TransportHeader{true, false, 1}));
}

TEST(Dnp3Transport, SegmentsAtTwoHundredFortyNineBytes) {
  std::uint8_t seq = 62;
  const auto segments = segment_apdu(apdu(600), seq);
  ASSERT_EQ(segments.size(), 3u);
  EXPECT_EQ(segments[0].size(), 250u);
  EXPECT_EQ(segments[1].size(), 250u);
  EXPECT_EQ(segments[2].size(), 1u + 600 - 2 * 249);
  EXPECT_EQ(segments[0][0], (TransportHeader{false, true, 62}.byte()));
  EXPECT_EQ(segments[1][0], (TransportHeader{false, false, 63}.byte()));
  EXPECT_EQ(segments[2][0], (TransportHeader{true, false, 0}.byte()));  // sequence wraps
  EXPECT_EQ(seq, 1);
  std::uint8_t s2 = 0;
  EXPECT_EQ(segment_apdu(apdu(249), s2).size(), 1u);
  EXPECT_EQ(segment_apdu(apdu(250), s2).size(), 2u);
  EXPECT_EQ(segment_apdu({}, s2).size(), 1u);
}

TEST(Dnp3Transport, ReassemblesWhatItSegments) {
  for (std::size_t n : {1, 249, 250, 498, 2048}) {
    std::uint8_t seq = 40;
    TransportReassembler r;
    std::optional<std::vector<std::uint8_t>> out;
    for (const auto& s : segment_apdu(apdu(n), seq)) {
      EXPECT_FALSE(out.has_value());
      out = r.push(s);
    }
    ASSERT_TRUE(out.has_value()) << n;
    EXPECT_EQ(*out, apdu(n));
  }
}

TEST(Dnp3Transport, DropsOutOfSequenceAndOrphanSegments) {
  std::uint8_t seq = 0;
  const auto segs = segment_apdu(apdu(600), seq);
  TransportReassembler r;
  EXPECT_FALSE(r.push(segs[1]).has_value());  // no FIR yet
  EXPECT_FALSE(r.push(segs[0]).has_value());
  EXPECT_FALSE(r.push(segs[2]).has_value());  // skips segs[1]
  EXPECT_EQ(r.stats().discarded_segments, 2u);
  EXPECT_FALSE(r.push({}).has_value());
  EXPECT_EQ(r.stats().discarded_segments, 3u);
  // A new FIR restarts cleanly.
  for (std::size_t i = 0; i < segs.size(); ++i) {
    auto out = r.push(segs[i]);
    EXPECT_EQ(out.has_value(), i + 1 == segs.size());
  }
  EXPECT_EQ(r.stats().apdus, 1u);
}

TEST(Dnp3Transport, DropsApduAboveTheLimit) {
  std::uint8_t seq = 0;
  TransportReassembler r(300);
  std::optional<std::vector<std::uint8_t>> out;
  for (const auto& s : segment_apdu(apdu(400), seq)) out = r.push(s);
  EXPECT_FALSE(out.has_value());
  EXPECT_EQ(r.stats().discarded_segments, 1u);
}

}  // namespace
}  // namespace ems::protocols::dnp3
