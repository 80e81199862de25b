// can driver over libs/protocols/can (socketcand client, DBC codec). See driver.hpp for the wire
// behaviour; map_error() is the one place CanError becomes DriverError.
#include <array>
#include <map>
#include <optional>

#include "driver_base.hpp"
#include "ems/drivers/codec.hpp"
#include "ems/protocols/can/error.hpp"
#include "ems/protocols/can/socketcand_client.hpp"

namespace ems::drivers::detail {
namespace {

namespace cn = protocols::can;
using Clock = std::chrono::steady_clock;
using Key = std::pair<std::uint32_t, bool>;  // (id, extended)

DriverError map_error(const std::string& endpoint, const cn::CanError& e) {
  ErrorKind kind = ErrorKind::protocol;
  switch (e.kind()) {
    case cn::ErrorKind::kInvalidFrame:
    case cn::ErrorKind::kInvalidSignal:
      kind = ErrorKind::config;
      break;
    case cn::ErrorKind::kOutOfRange:
      kind = ErrorKind::bad_value;
      break;
    case cn::ErrorKind::kProtocol:
      kind = ErrorKind::protocol;
      break;
    case cn::ErrorKind::kTimeout:
      kind = ErrorKind::timeout;
      break;
    case cn::ErrorKind::kConnection:
    case cn::ErrorKind::kUnavailable:
      kind = ErrorKind::connection;
      break;
  }
  return DriverError(kind, endpoint + ": " + e.what());
}

std::string id_text(const Key& k) {
  char buf[16];
  std::snprintf(buf, sizeof buf, k.second ? "0x%08X" : "0x%03X", k.first);
  return buf;
}

class CanDriver final : public DriverBase {
 public:
  CanDriver(const contract::DeviceConnection& c, const DriverOptions& o)
      : DriverBase(contract::Protocol::can, endpoint_name(c)),
        client_(cn::SocketcandClientConfig{c.host, c.port, c.channel, o.connect_timeout}),
        timeout_(o.timeout) {
    client_.set_frame_callback([this](const cn::ReceivedFrame& f) {
      seen_[{f.frame.id, f.frame.extended}] = Clock::now();
    });
  }

  void open() override {
    try {
      if (!client_.is_open()) {
        seen_.clear();
        client_.open();
      }
    } catch (const cn::CanError& e) {
      client_.close();
      // A malformed answer to the handshake is the daemon refusing it (e.g. an unknown bus).
      if (e.kind() == cn::ErrorKind::kProtocol)
        throw error(ErrorKind::refused, std::string("handshake refused: ") + e.what());
      throw map_error(endpoint(), e);
    }
  }

  void close() override { client_.close(); }

  std::vector<PointReading> read(std::span<const contract::SourcePoint> points) override {
    std::vector<PointReading> out(points.size());
    std::vector<const contract::CanBinding*> bindings(points.size(), nullptr);
    std::vector<Key> wanted;
    for (std::size_t i = 0; i < points.size(); ++i) {
      try {
        bindings[i] = &binding_of<contract::CanBinding>(points[i].binding, points[i].name);
        wanted.emplace_back(bindings[i]->can_id, bindings[i]->extended);
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    if (wanted.empty()) return out;
    try {
      open();
      collect(wanted);
    } catch (const DriverError& e) {
      for (std::size_t i = 0; i < points.size(); ++i)
        if (bindings[i]) out[i] = failed(points[i], e);
      return out;
    }
    const auto now = Clock::now();
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (!bindings[i]) continue;
      const auto& b = *bindings[i];
      const Key key{b.can_id, b.extended};
      try {
        auto seen = seen_.find(key);
        auto frame = client_.latest(b.can_id, b.extended);
        if (seen == seen_.end() || !frame || now - seen->second > timeout_)
          throw error(ErrorKind::timeout, points[i].name + ": no frame " + id_text(key) +
                                              " within " + std::to_string(timeout_.count()) +
                                              " ms");
        out[i] = ok(points[i], typed_value(cn::decode_signal(frame->frame.payload(), dbc_signal(b)),
                                           points[i]));
      } catch (const cn::CanError& e) {
        out[i] = failed(points[i], map_error(endpoint(), e));
      } catch (const DriverError& e) {
        out[i] = failed(points[i], e);
      }
    }
    return out;
  }

  void write(const contract::CommandPoint& command, const Value& value) override {
    const auto& b = binding_of<contract::CanBinding>(command.binding, command.name);
    const double number = command_number(command, value);
    try {
      const auto signal = dbc_signal(b);
      cn::validate(signal);
      std::array<std::uint8_t, 8> payload{};
      cn::encode_signal(payload, signal, number);
      const auto frame = cn::make_frame(
          b.can_id, std::span<const std::uint8_t>(payload.data(), cn::bytes_needed(signal)),
          b.extended);
      open();
      client_.send(frame);
    } catch (const cn::CanError& e) {
      if (e.kind() == cn::ErrorKind::kConnection) client_.close();
      throw map_error(endpoint(), e);
    }
  }

 private:
  // Drains the frames that already arrived, then waits (up to the timeout) until every wanted
  // id has been seen within the last timeout.
  void collect(const std::vector<Key>& wanted) {
    try {
      while (client_.receive(std::chrono::milliseconds(0))) {
      }
      const auto deadline = Clock::now() + timeout_;
      for (;;) {
        const auto now = Clock::now();
        bool all = true;
        for (const auto& k : wanted) {
          auto it = seen_.find(k);
          if (it == seen_.end() || now - it->second > timeout_) all = false;
        }
        if (all || now >= deadline) return;
        client_.receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                        std::chrono::milliseconds(1));
      }
    } catch (const cn::CanError& e) {
      if (e.kind() == cn::ErrorKind::kConnection) client_.close();
      throw map_error(endpoint(), e);
    }
  }

  cn::SocketcandClient client_;
  std::chrono::milliseconds timeout_;
  std::map<Key, Clock::time_point> seen_;  // local arrival time of the latest frame per id
};

}  // namespace

std::unique_ptr<DeviceDriver> make_can_driver(const contract::DeviceConnection& c,
                                              const DriverOptions& o) {
  return std::make_unique<CanDriver>(c, o);
}

}  // namespace ems::drivers::detail
