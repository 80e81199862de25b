// CRC-16/DNP known answers from three independent sources.
#include <gtest/gtest.h>

#include <string_view>

#include "ems/protocols/dnp3/crc.hpp"
#include "hex.hpp"

namespace ems::protocols::dnp3 {
namespace {

using test::hex;

TEST(Dnp3Crc, ResetLinkHeaderMatchesPublishedFrame) {
  // Reset link states, master 1024 -> outstation 1: "05 64 05 C0 01 00 00 04 E9 21", the frame
  // opendnp3's CRC test uses (CRC 0x21E9, sent low byte first).
  const auto frame = hex("05 64 05 C0 01 00 00 04 E9 21");
  EXPECT_EQ(crc16_dnp(std::span(frame).first(8)), 0x21E9);
  EXPECT_TRUE(crc_matches(frame));
}

TEST(Dnp3Crc, CatalogueCheckValue) {
  // CRC-16/DNP in the RevEng CRC catalogue: check value over ASCII "123456789" is 0xEA82.
  constexpr std::string_view digits = "123456789";
  const std::vector<std::uint8_t> data(digits.begin(), digits.end());
  EXPECT_EQ(crc16_dnp(data), 0xEA82);
}

TEST(Dnp3Crc, SingleBytesMatchIeee1815AnnexTable) {
  // The standard's lookup table lists the register after one byte from 0: T[1] = 0x365E,
  // T[8] = 0xFF89; the final complement turns them into these CRCs.
  EXPECT_EQ(crc16_dnp(hex("01")), static_cast<std::uint16_t>(~0x365E));
  EXPECT_EQ(crc16_dnp(hex("08")), static_cast<std::uint16_t>(~0xFF89));
  EXPECT_EQ(crc16_dnp({}), 0xFFFF);
}

TEST(Dnp3Crc, DetectsAnyFlippedBit) {
  auto frame = hex("05 64 05 C0 01 00 00 04 E9 21");
  for (std::size_t bit = 0; bit < frame.size() * 8; ++bit) {
    auto copy = frame;
    copy[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    EXPECT_FALSE(crc_matches(copy)) << "bit " << bit;
  }
  EXPECT_FALSE(crc_matches(hex("05")));
}

}  // namespace
}  // namespace ems::protocols::dnp3
