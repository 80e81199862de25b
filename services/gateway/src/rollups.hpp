#pragma once
// Rollups: the synthetic measurements of this gateway's devices (sum, mean, max, min, subtract,
// weighted_mean, unbalance), computed from their input topics as they arrive on MQTT and
// published at each roll-up's poll rate.
//
// Staleness: an input whose latest sample is older than 3 of its poll periods (its `ts`, so a
// stale retained value counts as stale), or that never arrived, makes the result stale: it is not
// published, rather than a wrong total. The input's period is its measurement's poll rate in
// the document, else the roll-up's own.
//
// Operations (values as floats; a bool input counts 1/0):
//   sum, mean, max, min   over the inputs
//   subtract              inputs[0] - inputs[1] - ... - inputs[n-1]
//   weighted_mean         sum(w_i * v_i) / sum(w_i) over the pairs
//   unbalance             max |v_i - mean| / |mean| * 100 (percent; 0 when the mean is 0)
//
// Threading: one thread of its own publishes; offer() is called from MQTT's delivery thread;
// configure() from the follower's thread. All public methods are thread-safe.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ems/contract/sources.hpp"
#include "ems/contract/time.hpp"
#include "ems/runtime/metrics.hpp"

namespace ems::gateway {

struct RollupSpec {
  std::string topic;  // where the result goes
  contract::SyntheticPoint point;
};

// The result of one operation over the input values; nullopt when there are no inputs.
std::optional<double> evaluate(contract::SyntheticOperation op, const std::vector<double>& values,
                               const std::vector<double>& weights = {});

class Rollups {
 public:
  using Publish = std::function<void(const std::string& topic, double value, contract::Timestamp)>;
  // Asks for MQTT samples of a topic (called once per new input topic, on configure()'s thread).
  using Subscribe = std::function<void(const std::string& topic)>;

  Rollups(Publish publish, Subscribe subscribe, runtime::metrics::Registry& registry);
  ~Rollups();  // stop()s

  void start();
  void stop();

  // Replaces the set of roll-ups; `period_s` gives the poll period of input topics.
  void configure(std::vector<RollupSpec> specs, std::map<std::string, double> period_s);

  // A sample arrived on an input topic (payload as received). Malformed samples are ignored.
  void offer(const std::string& topic, std::string_view payload);
  // The latest value heard on an input topic, whatever its age; nullopt when none arrived.
  std::optional<double> latest(const std::string& topic);

 private:
  struct Input {
    double value = 0;
    contract::Timestamp ts{};
    bool seen = false;
  };
  struct Running {
    RollupSpec spec;
    std::chrono::steady_clock::time_point next_due;
  };
  void run();
  void compute(Running& r, std::chrono::system_clock::time_point now);

  Publish publish_;
  Subscribe subscribe_;
  runtime::metrics::Counter& published_;
  runtime::metrics::Counter& stale_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Running> running_;
  std::map<std::string, double> period_s_;
  std::map<std::string, Input> inputs_;
  std::set<std::string> subscribed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ems::gateway
