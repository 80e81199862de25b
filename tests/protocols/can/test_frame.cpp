// CanFrame construction limits and candump-style printing.
#include <gtest/gtest.h>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/frame.hpp"

namespace ems::protocols::can {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(CanFrame, BuildsAndPrints) {
  const auto f = make_frame(0x123, Bytes{0x11, 0x22, 0x33});
  EXPECT_EQ(f.dlc, 3);
  EXPECT_EQ(to_string(f), "123#112233");
  EXPECT_EQ(to_string(make_frame(0x1ABCDEF0, Bytes{}, true)), "1ABCDEF0#");
  EXPECT_EQ(f.payload().size(), 3u);
}

TEST(CanFrame, RejectsOutOfRangeIdsAndLengths) {
  EXPECT_THROW(make_frame(0x800, Bytes{}), CanError);
  EXPECT_NO_THROW(make_frame(0x800, Bytes{}, true));
  EXPECT_THROW(make_frame(0x20000000, Bytes{}, true), CanError);
  EXPECT_THROW(make_frame(1, Bytes(9, 0)), CanError);
  CanFrame f;
  f.dlc = 1;
  f.data[5] = 1;
  try {
    validate(f);
    FAIL() << "no error";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidFrame);
  }
}

}  // namespace
}  // namespace ems::protocols::can
