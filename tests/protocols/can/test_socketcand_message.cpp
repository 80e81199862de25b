// The socketcand message codec: the daemon's own examples, our formatting, stream splitting and
// strict rejection of malformed messages.
#include <gtest/gtest.h>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_message.hpp"

namespace ems::protocols::can {
namespace {

using Kind = SocketcandMessage::Kind;

TEST(SocketcandMessage, ParsesProtocolExamples) {
  EXPECT_EQ(parse_message("< hi >").kind, Kind::kHi);
  EXPECT_EQ(parse_message("< ok >").kind, Kind::kOk);
  EXPECT_EQ(parse_message("< rawmode >").kind, Kind::kRawMode);
  const auto open = parse_message("< open can0 >");
  EXPECT_EQ(open.kind, Kind::kOpen);
  EXPECT_EQ(open.text, "can0");
  // protocol.md writes one token per byte, the daemon (state_raw.c) one token for all bytes.
  for (const char* text :
       {"< frame 123 23.424242 11 22 33 44 >", "< frame 123 23.424242 11223344 >"}) {
    const auto f = parse_message(text);
    EXPECT_EQ(f.kind, Kind::kFrame);
    EXPECT_EQ(f.frame, make_frame(0x123, std::vector<std::uint8_t>{0x11, 0x22, 0x33, 0x44}));
    EXPECT_EQ(f.timestamp.count(), 23424242);
  }
  const auto empty = parse_message("< frame 7FF 1700000000.000001  >");  // daemon, dlc 0
  EXPECT_EQ(empty.frame.dlc, 0);
  EXPECT_EQ(empty.timestamp.count(), 1700000000000001);
  const auto send = parse_message("< send 1AAAAAAA 2 1 F1 >");
  EXPECT_EQ(send.kind, Kind::kSend);
  EXPECT_TRUE(send.frame.extended);
  EXPECT_EQ(send.frame, make_frame(0x1AAAAAAA, std::vector<std::uint8_t>{0x01, 0xF1}, true));
  EXPECT_EQ(parse_message("< send 123 0 >").frame.dlc, 0);
  EXPECT_EQ(parse_message("< error unknown command >").text, "unknown command");
}

TEST(SocketcandMessage, FormatsLikeTheDaemonAndRoundTrips) {
  const auto f = make_frame(0x12, std::vector<std::uint8_t>{0xAB, 0x01});
  EXPECT_EQ(format_message(frame_message(f, std::chrono::microseconds(1700000000000042))),
            "< frame 012 1700000000.000042 AB01 >");
  EXPECT_EQ(
      format_message(send_message(make_frame(0x1ABCDEF0, std::vector<std::uint8_t>{1}, true))),
      "< send 1ABCDEF0 1 01 >");
  for (const char* text : {"< hi >", "< ok >", "< echo >", "< bcmmode >", "< open vcan0 >",
                           "< error could not open bus >", "< send 7FF 8 01 02 03 04 05 06 07 08 >",
                           "< frame 00000001 5.000000 0102030405060708 >"}) {
    EXPECT_EQ(format_message(parse_message(text)), text);
  }
}

TEST(SocketcandMessage, RejectsMalformedMessages) {
  const char* bad[] = {
      "<hi>",                                       // no spaces
      "< hi",                                       // not closed
      "< >",                                        // empty
      "< hello >",                                  // unknown command
      "< hi there >",                               // arguments on hi
      "< open >",                                   // no bus
      "< open bus/0 >",                             // bad bus name
      "< open abcdefghijklmnopq >",                 // 17 characters
      "< frame 12G 1.000000 11 >",                  // bad hex id
      "< frame 800 1.000000 11 >",                  // standard id out of range
      "< frame 123456789 1.000000 >",               // 9 digits
      "< frame 123 1.5 11 >",                       // not 6 fractional digits
      "< frame 123 abc.000000 11 >",                // bad seconds
      "< frame 123 1.000000 1 >",                   // odd hex
      "< frame 123 1.000000 zz >",                  // not hex
      "< frame 123 1.000000 010203040506070809 >",  // 9 bytes
      "< send 123 3 11 22 >",                       // dlc mismatch
      "< send 123 9 1 2 3 4 5 6 7 8 9 >",           // dlc > 8
      "< send 123 1 123 >",                         // 3 hex digits for a byte
      "< send 123 x >",                             // dlc not decimal
      "< frame 123 1.000000 \x01 >",                // control character
  };
  for (const char* text : bad) {
    try {
      parse_message(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const CanError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
      EXPECT_NE(std::string(e.what()).find("socketcand message"), std::string::npos);
    }
  }
  EXPECT_THROW(parse_message("< error " + std::string(300, 'x') + " >"), CanError);
}

TEST(SocketcandMessage, SplitterHandlesChunksAndBackToBack) {
  MessageSplitter s;
  s.feed("< hi >< ok >\n  < fra");
  EXPECT_EQ(s.next(), "< hi >");
  EXPECT_EQ(s.next(), "< ok >");
  EXPECT_FALSE(s.next());
  s.feed("me 1 0.000000 >");
  EXPECT_EQ(s.next(), "< frame 1 0.000000 >");
  EXPECT_FALSE(s.next());
  EXPECT_EQ(s.buffered(), 0u);
}

TEST(SocketcandMessage, SplitterRejectsGarbageAndEndlessMessages) {
  MessageSplitter garbage;
  garbage.feed("hi >");
  EXPECT_THROW(garbage.next(), CanError);
  MessageSplitter endless;
  endless.feed(std::string("< ") + std::string(300, 'a'));
  EXPECT_THROW(endless.next(), CanError);
}

}  // namespace
}  // namespace ems::protocols::can
