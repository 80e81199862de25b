#pragma once
// Rng: the model's own pseudo-random source (xoshiro256**, seeded through splitmix64), so a
// seed fixes every trace on every platform. std::random_device and the standard distributions
// are avoided on purpose: their output is implementation-defined.

#include <cmath>
#include <cstdint>

namespace ems::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) {
    for (auto& word : s_) word = splitmix(seed);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

  // Standard normal by Box-Muller (one value per call; the pair's twin is discarded to keep the
  // state a pure function of the call count).
  double normal() noexcept {
    double u1 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }

  // An independent stream derived from this seed and a salt (one per component).
  static Rng derive(std::uint64_t seed, std::uint64_t salt) noexcept {
    std::uint64_t x = seed ^ (salt * 0x9E3779B97F4A7C15ULL);
    return Rng(splitmix(x));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4];
};

// Ornstein-Uhlenbeck process x' = (mean - x)/tau + sigma*sqrt(2/tau)*noise, exact discretisation:
// the stationary standard deviation is `sigma` whatever dt is.
struct OuProcess {
  double value = 0.0;
  double step(Rng& rng, double mean, double sigma, double tau_s, double dt_s) noexcept {
    const double a = std::exp(-dt_s / tau_s);
    value = mean + (value - mean) * a + sigma * std::sqrt(1.0 - a * a) * rng.normal();
    return value;
  }
};

}  // namespace ems::sim
