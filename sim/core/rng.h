// Seedable random streams with no global state.
//
// Every random draw in an episode comes from a stream derived from the
// episode seed and a key (what the draw is for: "breakdown of operation
// (j,k)", "failures of machine m", "the random policy"). Keys make draws
// independent of the order in which the simulation asks for them, so two
// policies run on one seed see the same disruptions (common random numbers).
//
// Generator: SplitMix64 (Steele, Lea, Flood 2014) -- 64-bit state, passes
// BigCrush, and its output function doubles as the key mixer.
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/core/check.h"

namespace dispatchlab {

inline constexpr std::uint64_t SplitMix64Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Stable stream tags. Never renumber: traces depend on them.
enum class StreamTag : std::uint64_t {
  kJobShopBreakdown = 1,
  kJobShopMtbf = 2,
  kPolicy = 3,
  kGenerator = 4,
  kUamDemand = 16,
  kUamDelay = 17,
  kUamWeather = 18,
  kUamDowntime = 19,
};

class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) : state_(SplitMix64Mix(seed)) {}

  // A stream for (seed, tag, a, b); distinct keys give independent streams.
  static constexpr Rng Stream(std::uint64_t seed, StreamTag tag,
                              std::uint64_t a = 0, std::uint64_t b = 0) {
    std::uint64_t k = SplitMix64Mix(seed ^ 0x9e3779b97f4a7c15ULL);
    k = SplitMix64Mix(k ^ static_cast<std::uint64_t>(tag));
    k = SplitMix64Mix(k ^ (a * 0xd6e8feb86659fd93ULL));
    k = SplitMix64Mix(k ^ (b * 0xa0761d6478bd642fULL));
    return Rng(k);
  }

  constexpr std::uint64_t NextU64() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return SplitMix64Mix(state_);
  }

  // Uniform in [0, 1) with 53 bits.
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

  // Uniform integer in [lo, hi], inclusive. Lemire's multiply-shift; the
  // bias for ranges far below 2^64 is negligible (< range / 2^64).
  std::int64_t UniformInt(std::int64_t lo, std::int64_t hi) {
    DL_DCHECK(lo <= hi);
    const auto range = static_cast<unsigned __int128>(
        static_cast<std::uint64_t>(hi - lo) + 1);
    const auto prod = static_cast<unsigned __int128>(NextU64()) * range;
    return lo + static_cast<std::int64_t>(prod >> 64);
  }

  bool Bernoulli(double p) { return p > 0 && Uniform() < p; }

  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }

  // Standard normal by Box-Muller (one of the pair is discarded: simple and
  // stateless; speed does not matter where this is used).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

}  // namespace dispatchlab
