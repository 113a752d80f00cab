// Seeded randomness for tree learning: row subsampling, column sampling. Counter-based where the
// draw for an item must not depend on which thread handles it (row i of round r gets the same coin
// whatever n_threads is), sequential splitmix64 where one thread draws a short list (features).
// std::*_distribution is avoided on purpose: its output differs between standard libraries.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ensemblekit {

// The splitmix64 finaliser: a strong 64-bit mix, so hash_mix(seed ^ k) behaves like an independent
// uniform draw per key k.
inline uint64_t hash_mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed derived from a parent seed and a few integers (round, class, node), each mixed in turn.
inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return hash_mix(hash_mix(hash_mix(seed ^ hash_mix(a)) ^ b) ^ c);
}

// Uniform in [0, 1) from 53 bits of a hash.
inline double hash_uniform(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// The high 64 bits of a * b (the same on every compiler: MSVC has no 128-bit integer type).
inline uint64_t mul_high(uint64_t a, uint64_t b) {
#if defined(__SIZEOF_INT128__)
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
#else
  const uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + lo_hi;
  return hi_hi + (hi_lo >> 32) + (cross >> 32);
#endif
}

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    const uint64_t z = hash_mix(state_);
    state_ += 0x9e3779b97f4a7c15ULL;
    return z;
  }
  double uniform() { return hash_uniform(next()); }
  // Uniform in [0, n) (n > 0); the modulo bias is below 2^-40 for any n we draw from.
  uint64_t below(uint64_t n) { return next() % n; }
  // Uniform in [0, n) (n > 0) by a multiply instead of a division (Lemire's method without its
  // rejection step; the bias is below n / 2^64). For hot loops: a 64-bit division costs tens of
  // cycles, and a forest draws a threshold per candidate feature per node.
  uint64_t below_fast(uint64_t n) { return mul_high(next(), n); }

 private:
  uint64_t state_;
};

// `count` distinct items of `from`, in their original (ascending) order: a partial Fisher-Yates
// shuffle, then sorted, so the result is a set and histogram/feature loops stay in feature order.
inline std::vector<int> sample_subset(const std::vector<int>& from, size_t count, uint64_t seed) {
  if (count >= from.size()) return from;
  std::vector<int> pool = from;
  SplitMix64 rng(seed);
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i + static_cast<size_t>(rng.below(pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  std::sort(pool.begin(), pool.end());
  return pool;
}

}  // namespace ensemblekit
