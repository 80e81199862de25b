// SocketCAN: this project's CI kernels have no CAN; opening must fail with a clear error rather
// than crash or hang. On a host with CAN support but no such interface it fails the same way.
#include <gtest/gtest.h>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcan_transport.hpp"

namespace ems::protocols::can {
namespace {

TEST(SocketCan, OpeningAMissingInterfaceFailsClearly) {
  SocketCanTransport transport({"emsnocan0"});
  try {
    transport.open();
    FAIL() << "opened a CAN interface that does not exist";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnavailable);
    const std::string what = e.what();
    EXPECT_NE(what.find("SocketCAN"), std::string::npos) << what;
    EXPECT_TRUE(what.find("emsnocan0") != std::string::npos ||
                what.find("PF_CAN") != std::string::npos)
        << what;
  }
  EXPECT_FALSE(transport.is_open());
  EXPECT_THROW(transport.send(CanFrame{}), CanError);
  EXPECT_THROW(transport.receive(std::chrono::milliseconds(1)), CanError);
}

TEST(SocketCan, RejectsAnOverlongInterfaceName) {
  SocketCanTransport transport({"a_name_longer_than_ifnamsiz"});
  EXPECT_THROW(transport.open(), CanError);
}

}  // namespace
}  // namespace ems::protocols::can
