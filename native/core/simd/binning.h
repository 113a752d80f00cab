// Bulk value -> bin kernels for numerical features (the hot loop of dataset binning: one lookup per
// cell of X). Each maps n values read with a stride (one column of a row-major block) and writes
// out[i * stride]; NaN -> missing.
//
// Bound table (built by BinMapper, float32 or float64 like the input), kTablePivots + 2^steps
// entries but at least kTablePivots + kTableSegment:
//   table[0 .. 15]   pivots: search[16 j + 15] for the j < 2^steps / 16, padded with +inf;
//   table[16 ..]     search: the finite split points ascending, padded with +inf.
//   bin = #{ j : search[j] < v } (so NaN, below nothing, lands on bin 0 and is then replaced).
// The scalar twin runs a branchless binary search over `search` (steps probes); the AVX2 kernel
// counts instead: 16 pivots, then the 16 bounds of the chosen segment, two vector compares each.
// One file per ISA (binning_scalar.cc, binning_avx2.cc); the entry points below pick the variant
// from simd::active_isa() at call time, so ENSEMBLEKIT_SIMD=scalar forces the twin in tests.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

constexpr int kTablePivots = 16;
constexpr int kTableSegment = 16;
// Entries of a bound table for a search depth (see the layout above).
constexpr int binning_table_size(int steps) {
  return kTablePivots + ((1 << steps) > kTableSegment ? (1 << steps) : kTableSegment);
}

namespace scalar {
void map_bins_f32(const float* x, int64_t n, int64_t stride, const float* table, int steps, uint8_t missing,
                  uint8_t* out);
void map_bins_f64(const double* x, int64_t n, int64_t stride, const double* table, int steps, uint8_t missing,
                  uint8_t* out);
}  // namespace scalar

#if defined(__x86_64__) || defined(_M_X64)
#define ENSEMBLEKIT_HAVE_AVX2_KERNELS 1
namespace avx2 {
void map_bins_f32(const float* x, int64_t n, int64_t stride, const float* table, int steps, uint8_t missing,
                  uint8_t* out);
void map_bins_f64(const double* x, int64_t n, int64_t stride, const double* table, int steps, uint8_t missing,
                  uint8_t* out);
}  // namespace avx2
#endif

inline void map_bins_f32(const float* x, int64_t n, int64_t stride, const float* table, int steps, uint8_t missing,
                         uint8_t* out) {
#ifdef ENSEMBLEKIT_HAVE_AVX2_KERNELS
  if (active_isa() >= Isa::kAvx2) return avx2::map_bins_f32(x, n, stride, table, steps, missing, out);
#endif
  scalar::map_bins_f32(x, n, stride, table, steps, missing, out);
}

inline void map_bins_f64(const double* x, int64_t n, int64_t stride, const double* table, int steps,
                         uint8_t missing, uint8_t* out) {
#ifdef ENSEMBLEKIT_HAVE_AVX2_KERNELS
  if (active_isa() >= Isa::kAvx2) return avx2::map_bins_f64(x, n, stride, table, steps, missing, out);
#endif
  scalar::map_bins_f64(x, n, stride, table, steps, missing, out);
}

}  // namespace simd
}  // namespace ensemblekit
