#pragma once
// A publisher of numbered samples at a steady rate (value i at ts base + i * 10 ms), for the
// no-loss tests: what was published is known exactly, so what was stored can be counted.
#include <atomic>
#include <thread>

#include "historian_process.hpp"

namespace ems::historian::testing {

class NumberedPublisher {
 public:
  NumberedPublisher(const std::string& mqtt_url, std::string topic, int qos, int count, int rate_hz,
                    const std::string& id = "numbered-publisher")
      : registry_(std::make_unique<runtime::metrics::Registry>()),
        client_(std::make_unique<runtime::MqttClient>(publisher_options(mqtt_url, id), *registry_)),
        topic_(std::move(topic)),
        qos_(qos),
        count_(count),
        rate_hz_(rate_hz),
        base_ms_((now_ms() / 1000 - 3600) * 1000) {
    client_->start();
    EXPECT_TRUE(client_->wait_connected(10s));
  }
  ~NumberedPublisher() {
    join();
    client_->stop();
  }

  void start() {
    thread_ = std::thread([this] {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < count_; ++i) {
        std::this_thread::sleep_until(t0 + std::chrono::microseconds(1000000LL * i / rate_hz_));
        const auto payload = float_sample(base_ms_ + 10LL * i, i);
        while (!client_->publish(topic_, payload, qos_, false)) {
          std::this_thread::sleep_for(1ms);
        }
        sent_ = i + 1;
      }
    });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  int sent() const { return sent_.load(); }
  int count() const { return count_; }
  // Waits until `n` samples were handed to the client.
  void wait_sent(int n) const {
    while (sent_.load() < n) std::this_thread::sleep_for(5ms);
  }

 private:
  std::unique_ptr<runtime::metrics::Registry> registry_;
  std::unique_ptr<runtime::MqttClient> client_;
  std::string topic_;
  int qos_;
  int count_;
  int rate_hz_;
  std::int64_t base_ms_;
  std::atomic<int> sent_{0};
  std::thread thread_;
};

struct Stored {
  std::int64_t rows = 0;      // rows of the series
  std::int64_t distinct = 0;  // distinct numbers among them
  std::int64_t in_range = 0;  // numbers within 0..count-1
};

inline Stored stored_numbers(const std::string& db, int count) {
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  const auto r = tx.exec(
      "SELECT count(*), count(DISTINCT value), count(*) FILTER (WHERE value >= 0 AND value < " +
      std::to_string(count) + " AND value = floor(value)) FROM ts.samples");
  return {r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::int64_t>()};
}

}  // namespace ems::historian::testing
