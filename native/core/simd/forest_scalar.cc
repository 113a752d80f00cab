// Scalar forest byte kernels (forest_kernels.h): the reference twin of forest_avx2.cc and the path on
// CPUs without AVX2 (and on arm64). Plain loops, branch-free where the data decides (a random
// threshold makes "bin <= t" a coin flip per row), and kept free of auto-vectorisation so the
// forced-scalar test run exercises a truly different path.
#include <cstdint>
#include <cstring>

#include "forest_kernels.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif

namespace ensemblekit {
namespace simd {
namespace scalar {

namespace {

int64_t bin_range(const uint8_t* col, int64_t m, uint8_t missing, uint8_t* lo, uint8_t* hi) {
  unsigned l = 255, h = 0;
  int64_t miss = 0;
  for (int64_t i = 0; i < m; ++i) {
    const unsigned b = col[i];
    const unsigned is_miss = b == missing;
    miss += is_miss;
    // A missing row counts as 255 for the minimum and 0 for the maximum: neither can win over a
    // value bin (value bins are < missing <= 255).
    const unsigned for_min = b | (0u - is_miss);
    const unsigned for_max = b & (is_miss - 1u);
    l = for_min < l ? for_min : l;
    h = for_max > h ? for_max : h;
  }
  *lo = static_cast<uint8_t>(l);
  *hi = static_cast<uint8_t>(h);
  return miss;
}

void count_binary(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t t, uint8_t missing, int64_t out[4]) {
  int64_t left = 0, left_pos = 0, miss = 0, miss_pos = 0;
  for (int64_t i = 0; i < m; ++i) {
    const int64_t in_left = col[i] <= t;
    const int64_t in_miss = col[i] == missing;
    const int64_t y = label[i];
    left += in_left;
    left_pos += in_left & y;
    miss += in_miss;
    miss_pos += in_miss & y;
  }
  out[0] = left;
  out[1] = left_pos;
  out[2] = miss;
  out[3] = miss_pos;
}

int extra_binary(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t missing, uint64_t r, int* t,
                 int64_t out[4]) {
  uint8_t lo = 0, hi = 0;
  const int64_t miss = bin_range(col, m, missing, &lo, &hi);
  if (miss == m || (lo == hi && miss == 0)) return 0;
  // floor(r * (hi - lo) / 2^64) without a 128-bit type: (hi - lo) < 256 fits in 8 bits.
  const uint64_t span = static_cast<uint64_t>(hi - lo);
  const uint64_t draw = (((r & 0xFFFFFFFFu) * span) >> 32) + (r >> 32) * span;
  *t = lo < hi ? lo + static_cast<int>(draw >> 32) : hi;
  count_binary(col, label, m, static_cast<uint8_t>(*t), missing, out);
  return lo < hi ? 1 : 2;
}

int64_t left_bits(const uint8_t* col, int64_t m, uint8_t t, uint8_t missing, bool missing_left, uint64_t* bits) {
  const uint64_t ml = missing_left ? 1u : 0u;
  int64_t nl = 0;
  for (int64_t w = 0; w * 64 < m; ++w) {
    const int64_t end = m - w * 64 < 64 ? m - w * 64 : 64;
    const uint8_t* c = col + w * 64;
    uint64_t word = 0;
    for (int64_t j = 0; j < end; ++j) {
      const uint64_t left = (c[j] <= t) | (ml & (c[j] == missing));
      word |= left << j;
    }
    bits[w] = word;
    nl += __builtin_popcountll(word);
  }
  return nl;
}

void partition_columns(uint8_t* seg, int64_t stride, int columns, int64_t m, const uint64_t* bits, uint8_t* scratch) {
  for (int c = 0; c < columns; ++c) {
    uint8_t* col = seg + c * stride;
    int64_t nl = 0, nr = 0;
    for (int64_t i = 0; i < m; ++i) {
      const uint8_t v = col[i];
      const int64_t left = static_cast<int64_t>((bits[i >> 6] >> (i & 63)) & 1u);
      // Both writes happen; the counters decide which one is kept (nl <= i: col[nl] is read already).
      col[nl] = v;
      scratch[nr] = v;
      nl += left;
      nr += 1 - left;
    }
    std::memcpy(col + nl, scratch, static_cast<size_t>(nr));
  }
}

}  // namespace

extern const ForestKernels kForest = {&bin_range, &extra_binary, &left_bits, &partition_columns};

}  // namespace scalar

const ForestKernels& forest_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
#if defined(ENSEMBLEKIT_HAVE_AVX512) && defined(__GNUC__)
  static const bool vbmi = __builtin_cpu_supports("avx512vbmi") != 0 && __builtin_cpu_supports("avx512vbmi2") != 0;
  if (isa == Isa::kAvx512 && vbmi) return avx512::kForest;
#endif
  if (isa == Isa::kAvx2 || isa == Isa::kAvx512) return avx2::kForest;
#endif
  (void)isa;
  return scalar::kForest;
}

}  // namespace simd
}  // namespace ensemblekit
