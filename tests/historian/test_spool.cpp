// The spool's frame codec and replay without a database: decode_spool_frame() on whole, torn,
// corrupt and oversized frames, and Spool::read() of a segment whose tail a crash left torn or
// corrupt (the frames before it are replayed, nothing after it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "spool.hpp"

namespace ems::historian {
namespace {

const std::string kTopic = "sites/s/devices/meter/measurements/active_power/watts";
const std::string kPayload = R"({"ts":"2026-12-04T10:00:00.000Z","value":1})";

TEST(SpoolFrame, RoundTrips) {
  const auto bytes = encode_spool_frame(kTopic, kPayload);
  ASSERT_EQ(bytes.size(), kSpoolFrameHeader + kTopic.size() + kPayload.size());
  const std::string with_more = bytes + "trailing";  // the views point into it
  const auto view = decode_spool_frame(with_more);
  EXPECT_EQ(view.status, SpoolFrameStatus::ok);
  EXPECT_EQ(view.size, bytes.size());
  EXPECT_EQ(view.topic, kTopic);
  EXPECT_EQ(view.payload, kPayload);
  EXPECT_EQ(decode_spool_frame(encode_spool_frame("", "")).status, SpoolFrameStatus::ok);
}

TEST(SpoolFrame, TornFrameIsIncompleteWithTheSizeItNeeds) {
  const auto bytes = encode_spool_frame(kTopic, kPayload);
  EXPECT_EQ(decode_spool_frame(bytes.substr(0, 5)).status, SpoolFrameStatus::incomplete);
  EXPECT_EQ(decode_spool_frame(bytes.substr(0, 5)).size, 0u);
  const auto torn = decode_spool_frame(bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(torn.status, SpoolFrameStatus::incomplete);
  EXPECT_EQ(torn.size, bytes.size());
  EXPECT_TRUE(torn.topic.empty());
}

TEST(SpoolFrame, BadChecksumOrOversizedLengthIsCorrupt) {
  auto bytes = encode_spool_frame(kTopic, kPayload);
  bytes.back() ^= 1;
  EXPECT_EQ(decode_spool_frame(bytes).status, SpoolFrameStatus::corrupt);
  // A payload length of 0xffffffff must not be trusted (nor allocated).
  std::string huge = encode_spool_frame("t", "p");
  huge.replace(4, 4, "\xff\xff\xff\xff");
  EXPECT_EQ(decode_spool_frame(huge).status, SpoolFrameStatus::corrupt);
}

TEST(SpoolReplay, StopsAtATornOrCorruptTail) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ems-spool-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    // What a crash leaves: two whole frames, then a corrupt one, then a whole one.
    auto corrupt = encode_spool_frame(kTopic, "x");
    corrupt.back() ^= 1;
    std::ofstream out(dir / "0000000000000001.spool", std::ios::binary);
    out << encode_spool_frame(kTopic, "a") << encode_spool_frame(kTopic, "b") << corrupt
        << encode_spool_frame(kTopic, "c");
  }
  {
    std::ofstream out(dir / "0000000000000002.spool", std::ios::binary);
    out << encode_spool_frame(kTopic, "d") << encode_spool_frame(kTopic, "e").substr(0, 20);
  }
  Spool spool(dir.string(), 1 << 20, 1 << 24);
  const auto frames = spool.read(spool.begin(), 100);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].payload, "a");
  EXPECT_EQ(frames[1].payload, "b");
  EXPECT_EQ(frames[1].end, (SpoolPosition{2, 0}));  // the rest of segment 1 is skipped
  EXPECT_EQ(frames[2].payload, "d");
  EXPECT_EQ(frames[2].topic, kTopic);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ems::historian
