// The can driver against libs/protocols' SocketcandServer, with a model thread publishing frames.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ems/drivers/codec.hpp"
#include "ems/protocols/can/frame.hpp"
#include "ems/protocols/can/socketcand_server.hpp"
#include "points.hpp"

namespace ems::drivers::test {
namespace {

namespace cn = protocols::can;
using contract::PayloadType;
using contract::Protocol;
using contract::ValueType;

Json sig(std::uint32_t id, int start, int length, Json extra = Json::object()) {
  Json j = {{"protocol", "can"}, {"can_id", id}, {"start_bit", start}, {"length", length}};
  j.update(extra);
  return j;
}

cn::DbcSignal signal_of(const Json& binding) {
  return dbc_signal(*contract::parse_binding(binding).as<contract::CanBinding>());
}

class CanDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Frame 0x120: voltage (16 bit LE, 0.1 V) | alarm (1 bit at 16) | state (4 bits at 20).
    std::array<std::uint8_t, 8> payload{};
    cn::encode_signal(
        payload,
        dbc_signal(
            *point("v", sig(0x120, 0, 16, {{"scale", 0.1}})).binding.as<contract::CanBinding>()),
        403.7);
    cn::insert_raw(payload, signal_of(sig(0x120, 16, 1)), 1);
    cn::insert_raw(payload, signal_of(sig(0x120, 20, 4)), 2);
    frame_ = cn::make_frame(0x120, std::span<const std::uint8_t>(payload.data(), 3));
    // Frame 0x18FF0001 (extended): temperature, signed big-endian 12 bits from bit 7.
    std::array<std::uint8_t, 8> ext{};
    cn::encode_signal(
        ext,
        signal_of(
            sig(0x1, 7, 12, {{"byte_order", "big_endian"}, {"signed", true}, {"scale", 0.5}})),
        -20.5);
    ext_ = cn::make_frame(0x18FF0001, std::span<const std::uint8_t>(ext.data(), 2), true);

    server_.set_send_callback([this](const std::string& bus, const cn::CanFrame& f) {
      std::lock_guard lock(mutex_);
      sent_.emplace_back(bus, f);
      cv_.notify_all();
    });
    server_.start();
    model_ = std::thread([this] {
      while (!stop_) {
        if (publishing_) {
          server_.publish(frame_);
          server_.publish(ext_);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  void TearDown() override {
    stop_ = true;
    model_.join();
    server_.stop();
  }

  contract::DeviceConnection conn(std::string channel = "can1") const {
    auto c = connection(Protocol::can, server_.port());
    c.channel = std::move(channel);
    return c;
  }
  std::unique_ptr<DeviceDriver> driver(std::string channel = "can1") const {
    DriverOptions o;
    o.timeout = std::chrono::milliseconds(300);
    o.connect_timeout = std::chrono::milliseconds(500);
    return make_driver(conn(std::move(channel)), runtime::Secrets{}, o);
  }
  std::vector<contract::SourcePoint> points() const {
    return {point("voltage", sig(0x120, 0, 16, {{"scale", 0.1}})),
            point("alarm", sig(0x120, 16, 1), ValueType::Bool),
            point("state", sig(0x120, 20, 4, {{"value_map", {{"1", "IDLE"}, {"2", "CHARGING"}}}}),
                  ValueType::Enum),
            point("temp", sig(0x18FF0001, 7, 12,
                              {{"extended", true},
                               {"byte_order", "big_endian"},
                               {"signed", true},
                               {"scale", 0.5}}))};
  }
  std::optional<std::pair<std::string, cn::CanFrame>> next_sent() {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(2), [&] { return !sent_.empty(); }))
      return std::nullopt;
    auto f = sent_.front();
    sent_.erase(sent_.begin());
    return f;
  }

  cn::SocketcandServer server_{cn::SocketcandServerConfig{"127.0.0.1", 0, {"can1"}}};
  cn::CanFrame frame_, ext_;
  std::atomic<bool> stop_{false}, publishing_{true};
  std::thread model_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, cn::CanFrame>> sent_;
};

TEST_F(CanDriverTest, DecodesTheLatestFramesTyped) {
  auto d = driver();
  d->open();
  const auto r = d->read(points());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_NEAR(number(r[0]), 403.7, 1e-9);
  EXPECT_EQ(flag(r[1]), true);
  EXPECT_EQ(label(r[2]), "CHARGING");
  EXPECT_EQ(number(r[3]), -20.5);
  // Again: the cache keeps up with new frames.
  EXPECT_NEAR(number(d->read(points())[0]), 403.7, 1e-9);
}

TEST_F(CanDriverTest, AnIdThatSendsNothingTimesOut) {
  auto d = driver();
  auto ps = points();
  ps.push_back(point("silent", sig(0x7AA, 0, 8)));
  const auto started = std::chrono::steady_clock::now();
  const auto r = d->read(ps);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_NEAR(number(r[0]), 403.7, 1e-9);
  EXPECT_EQ(r[4].status, ReadStatus::timeout) << describe(r[4]);
  EXPECT_EQ(r[4].kind, ErrorKind::timeout);
  // The bus goes quiet: once the frames still in flight are drained and the timeout has passed,
  // every point reads timeout (a frame's age counts from when the driver read it).
  publishing_ = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  d->read(points());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  for (const auto& x : d->read(points())) EXPECT_EQ(x.status, ReadStatus::timeout) << describe(x);
  publishing_ = true;
  EXPECT_NEAR(number(d->read(points())[0]), 403.7, 1e-9);
}

TEST_F(CanDriverTest, WriteSendsOneEncodedFrame) {
  auto d = driver();
  auto setpoint = command("setpoint", sig(0x200, 8, 16, {{"scale", 0.1}, {"signed", true}}),
                          PayloadType::Float, -500, 500);
  d->write(setpoint, -12.3);
  auto sent = next_sent();
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->first, "can1");
  EXPECT_EQ(sent->second.id, 0x200u);
  EXPECT_FALSE(sent->second.extended);
  EXPECT_EQ(sent->second.dlc, 3);
  EXPECT_NEAR(cn::decode_signal(sent->second.payload(),
                                signal_of(sig(0x200, 8, 16, {{"scale", 0.1}, {"signed", true}}))),
              -12.3, 1e-9);
  auto enable = command("enable", sig(0x18FF0002, 0, 1, {{"extended", true}}), PayloadType::Bool);
  d->write(enable, true);
  sent = next_sent();
  ASSERT_TRUE(sent);
  EXPECT_TRUE(sent->second.extended);
  EXPECT_EQ(sent->second.id, 0x18FF0002u);
  EXPECT_EQ(sent->second.data[0] & 1, 1);
  // A value the signal cannot carry never reaches the bus.
  auto narrow = command("narrow", sig(0x201, 0, 4));
  EXPECT_EQ(kind_of([&] { d->write(narrow, 16.0); }), ErrorKind::bad_value);
  EXPECT_FALSE(next_sent());
}

TEST_F(CanDriverTest, UnknownBusIsRefused) {
  auto d = driver("can7");
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::refused);
}

TEST_F(CanDriverTest, DroppedConnectionIsAConnectionErrorAndReconnects) {
  auto d = driver();
  EXPECT_TRUE(d->read(points())[0].ok());
  server_.set_fault({protocols::FaultPlan::Kind::drop_connection});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto r = d->read(points());
  EXPECT_NE(r[0].status, ReadStatus::ok) << describe(r[0]);
  EXPECT_EQ(r[0].kind, ErrorKind::connection) << describe(r[0]);
  server_.set_fault({});
  EXPECT_NEAR(number(d->read(points())[0]), 403.7, 1e-9);
}

TEST(CanDriver, NoListenerIsAConnectionError) {
  auto d = make_driver(connection(Protocol::can, closed_port()), runtime::Secrets{});
  EXPECT_EQ(kind_of([&] { d->open(); }), ErrorKind::connection);
  EXPECT_EQ(d->read(std::vector{point("x", sig(0x1, 0, 8))})[0].kind, ErrorKind::connection);
}

}  // namespace
}  // namespace ems::drivers::test
