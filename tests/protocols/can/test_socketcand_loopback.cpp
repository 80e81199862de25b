// SocketcandClient <-> SocketcandServer over loopback: handshake, published frames, the
// latest-by-id cache, client sends reaching the model and the other clients, strict handling of
// malformed lines, and every fault (observable, then cleared).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_client.hpp"
#include "ems/protocols/can/socketcand_server.hpp"

namespace ems::protocols::can {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

struct Site {
  Site() { server.start(); }
  SocketcandClientConfig config(std::chrono::milliseconds timeout = 1000ms) const {
    return SocketcandClientConfig{"127.0.0.1", server.port(), "vcan0", timeout};
  }
  // publish() reaches only RAW clients: wait until `n` have switched.
  void wait_raw(std::size_t n) const {
    for (int i = 0; i < 200 && server.raw_clients() < n; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_GE(server.raw_clients(), n);
  }
  SocketcandServer server{SocketcandServerConfig{"127.0.0.1", 0, {"vcan0", "vcan1"}, 8, 64}};
};

// A raw TCP peer for speaking the protocol by hand.
class RawPeer {
 public:
  explicit RawPeer(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawPeer() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& s) { ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL); }
  // Reads until `expected` has arrived (or 2 s); returns everything read. "" + closed on EOF.
  std::string read_until(const std::string& expected) {
    for (int i = 0; i < 40 && got_.find(expected) == std::string::npos; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[512];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got_.append(buf, static_cast<std::size_t>(n));
    }
    return got_;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string got_;
};

TEST(SocketcandLoopback, HandshakeAndPublishedFrames) {
  Site site;
  SocketcandClient client(site.config());
  client.open();
  EXPECT_TRUE(client.is_open());
  site.wait_raw(1);
  const auto f1 = make_frame(0x123, Bytes{0x11, 0x22, 0x33});
  const auto f2 = make_frame(0x18FF50E5, Bytes{1, 2, 3, 4, 5, 6, 7, 8}, true);
  site.server.publish(f1);
  site.server.publish(f2);
  site.server.publish("vcan1", make_frame(0x7FF, Bytes{}));  // other bus: not seen
  const auto r1 = client.receive_timed(1000ms);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->frame, f1);
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  EXPECT_LT(std::chrono::abs(now - r1->timestamp), 5s);
  EXPECT_EQ(client.receive(1000ms), f2);
  EXPECT_FALSE(client.receive(100ms));
  ASSERT_TRUE(client.latest(0x18FF50E5, true));
  EXPECT_EQ(client.latest(0x18FF50E5, true)->frame, f2);
  EXPECT_FALSE(client.latest(0x18FF50E5, false));
  EXPECT_TRUE(client.echo(1000ms));
}

TEST(SocketcandLoopback, LatestByIdCacheAndCallback) {
  Site site;
  SocketcandClient client(site.config());
  int callbacks = 0;
  client.set_frame_callback([&](const ReceivedFrame&) { ++callbacks; });
  client.open();
  site.wait_raw(1);
  for (std::uint8_t i = 0; i < 10; ++i) site.server.publish(make_frame(0x100, Bytes{i}));
  site.server.publish(make_frame(0x200, Bytes{0xAA}));
  for (int i = 0; i < 40 && callbacks < 11; ++i) client.pump(50ms);
  EXPECT_EQ(callbacks, 11);
  EXPECT_EQ(client.latest(0x100)->frame.data[0], 9);
  EXPECT_EQ(client.latest(0x200)->frame.data[0], 0xAA);
}

TEST(SocketcandLoopback, SendsReachTheModelAndTheOtherClients) {
  Site site;
  std::mutex m;
  std::vector<std::pair<std::string, CanFrame>> sent;
  site.server.set_send_callback([&](const std::string& bus, const CanFrame& f) {
    std::lock_guard lock(m);
    sent.emplace_back(bus, f);
  });
  SocketcandClient a(site.config());
  SocketcandClient b(site.config());
  a.open();
  b.open();
  site.wait_raw(2);
  const auto f = make_frame(0x321, Bytes{0xDE, 0xAD});
  a.send(f);
  EXPECT_EQ(b.receive(1000ms), f);  // the bus shows a node's frame to the others
  EXPECT_FALSE(a.receive(100ms));   // but not to the sender (like CAN_RAW_RECV_OWN_MSGS off)
  std::lock_guard lock(m);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "vcan0");
  EXPECT_EQ(sent[0].second, f);
  EXPECT_EQ(site.server.stats().frames_received, 1u);
}

TEST(SocketcandLoopback, UnknownBusIsRefusedAndClosed) {
  Site site;
  SocketcandClientConfig config = site.config();
  config.bus = "can7";
  SocketcandClient client(config);
  try {
    client.open();
    FAIL() << "opened an unknown bus";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
    EXPECT_NE(std::string(e.what()).find("could not open bus can7"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(client.is_open());
}

TEST(SocketcandLoopback, ServerAnswersMalformedLinesWithErrors) {
  Site site;
  RawPeer peer(site.server.port());
  ASSERT_TRUE(peer.connected());
  EXPECT_NE(peer.read_until("< hi >").find("< hi >"), std::string::npos);
  peer.send("< rawmode >");  // no bus yet
  EXPECT_NE(peer.read_until("no bus open").find("< error no bus open >"), std::string::npos);
  peer.send("< open vcan0 >< rawmode >< send 12G 1 00 >");
  const std::string got = peer.read_until("not 1..8 hex digits");
  EXPECT_NE(got.find("< ok >< ok >"), std::string::npos) << got;
  EXPECT_NE(got.find("< error socketcand message "), std::string::npos) << got;
  peer.send("< send 123 2 01 >< subscribe 0 0 123 >");
  const std::string more = peer.read_until("unknown command");
  EXPECT_NE(more.find("dlc 2 but 1 data bytes"), std::string::npos) << more;
  EXPECT_FALSE(peer.closed());
  EXPECT_EQ(site.server.stats().frames_received, 0u);
  EXPECT_GE(site.server.stats().protocol_errors, 3u);
  peer.send("garbage");  // outside "< >": the server hangs up
  peer.read_until("never");
  EXPECT_TRUE(peer.closed());
}

TEST(SocketcandLoopback, ClientRejectsAMalformedServer) {
  // A hand-written server that greets and then sends a broken frame line.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread fake([&] {
    const int fd = ::accept(listener, nullptr, nullptr);
    const std::string script =
        "< hi >< ok >< ok >< frame 123 1.000000 1G >< frame 124 1.000000 01 >";
    ::send(fd, script.data(), script.size(), MSG_NOSIGNAL);
    char buf[256];
    pollfd p{fd, POLLIN, 0};
    for (int i = 0; i < 20 && ::poll(&p, 1, 100) >= 0; ++i) {
      if ((p.revents & POLLIN) && ::recv(fd, buf, sizeof(buf), 0) <= 0) break;
    }
    ::close(fd);
  });
  SocketcandClient client({"127.0.0.1", ntohs(addr.sin_port), "vcan0", 1000ms});
  client.open();
  try {
    client.receive(1000ms);
    ADD_FAILURE() << "malformed frame accepted";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
    EXPECT_NE(std::string(e.what()).find("is not hex"), std::string::npos) << e.what();
  }
  // The stream is still framed: the next frame is fine.
  const auto next = client.receive(1000ms);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, 0x124u);
  client.close();
  fake.join();
  ::close(listener);
}

TEST(SocketcandFaults, SilentMeansNoFramesAndNoGreeting) {
  Site site;
  SocketcandClient client(site.config(300ms));
  client.open();
  site.wait_raw(1);
  site.server.set_fault({FaultPlan::Kind::silent});
  site.server.publish(make_frame(0x10, Bytes{1}));
  EXPECT_FALSE(client.receive(300ms));
  SocketcandClient late(site.config(300ms));
  try {
    late.open();
    FAIL() << "greeted while silent";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTimeout) << e.what();
  }
  site.server.set_fault({});
  site.server.publish(make_frame(0x10, Bytes{2}));
  const auto f = client.receive(1000ms);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data[0], 2);
}

TEST(SocketcandFaults, DropConnectionResetsTheClient) {
  Site site;
  SocketcandClient client(site.config());
  client.open();
  site.wait_raw(1);
  site.server.set_fault({FaultPlan::Kind::drop_connection});
  try {
    client.receive(1000ms);
    FAIL() << "no error after the server dropped the connection";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConnection) << e.what();
  }
  EXPECT_FALSE(client.is_open());
  EXPECT_THROW(client.open(), CanError);  // still dropping
  site.server.set_fault({});
  client.open();
  site.wait_raw(1);
  site.server.publish(make_frame(0x11, Bytes{}));
  EXPECT_TRUE(client.receive(1000ms));
}

TEST(SocketcandFaults, DelayHoldsFramesBack) {
  Site site;
  SocketcandClient client(site.config());
  client.open();
  site.wait_raw(1);
  site.server.set_fault({FaultPlan::Kind::delay, 300ms});
  const auto t0 = std::chrono::steady_clock::now();
  site.server.publish(make_frame(0x12, Bytes{7}));
  EXPECT_FALSE(client.receive(150ms));
  EXPECT_TRUE(client.receive(1000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 290ms);
  site.server.set_fault({});
  const auto t1 = std::chrono::steady_clock::now();
  site.server.publish(make_frame(0x12, Bytes{8}));
  EXPECT_TRUE(client.receive(1000ms));
  EXPECT_LT(std::chrono::steady_clock::now() - t1, 250ms);
}

TEST(SocketcandFaults, MalformedFramesAreRejected) {
  Site site;
  SocketcandClient client(site.config());
  client.open();
  site.wait_raw(1);
  site.server.set_fault({FaultPlan::Kind::malformed});
  site.server.publish(make_frame(0x13, Bytes{1, 2}));
  try {
    client.receive(1000ms);
    FAIL() << "malformed frame accepted";
  } catch (const CanError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocol) << e.what();
  }
  site.server.set_fault({});
  site.server.publish(make_frame(0x13, Bytes{3}));
  const auto f = client.receive(1000ms);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data[0], 3);
}

}  // namespace
}  // namespace ems::protocols::can
