// Internal: the per-ISA byte kernels of the forest tree learner (forest/forest_tree_learner.cc).
// The learner keeps a tree's sample column-major, one byte per bin, each node's rows one contiguous
// segment per column; these kernels scan a segment of one column and move segments when a node
// splits. Nothing here is public API.
//
// Bins: value bins are 0 .. missing - 1 and the missing bin is `missing`, the largest bin of the
// feature (BinMapper), so "a value bin <= t" for a threshold t < missing is simply "bin <= t".
//
// Every kernel returns exact integer results, so each ISA gives the same answer bit for bit.
//
// ISA files (forest_avx2.cc) define only the table below and functions with internal linkage.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

struct ForestKernels {
  // Over col[0 .. m): the smallest and largest value bin (bins != missing) in *lo / *hi, and the
  // number of missing rows (returned). With no value bin, *lo and *hi are unspecified.
  int64_t (*bin_range)(const uint8_t* col, int64_t m, uint8_t missing, uint8_t* lo, uint8_t* hi);
  // An extra-trees candidate for two classes at unit weights, in one call: the value-bin range
  // [lo, hi] and the missing count as bin_range, then the threshold t = lo + floor(r (hi - lo) / 2^64)
  // when lo < hi (t = hi otherwise) and the counts at t, labels 0/1 in label[0 .. m): out[0] rows
  // with bin <= t, out[1] those of class 1, out[2] rows in the missing bin, out[3] those of class
  // 1. Returns 0 when the feature is constant in the segment (no value bin, or one and no missing
  // row; out and *t are then unset), 1 when lo < hi, 2 for one value bin plus missing rows.
  int (*extra_binary)(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t missing, uint64_t r, int* t,
                      int64_t out[4]);
  // Side of each row of a split at t (< missing): bin <= t goes left, the missing bin goes left iff
  // missing_left. Bit i of bits[i / 64] is 1 for a left row; bits has (m + 63) / 64 words (the
  // unused high bits are zero). Returns the number of left rows.
  int64_t (*left_bits)(const uint8_t* col, int64_t m, uint8_t t, uint8_t missing, bool missing_left, uint64_t* bits);
  // Stable in-place partition of seg[0 .. m) by bits (left rows first, each side in order), for
  // `columns` segments at seg + c * stride. scratch holds at least m + 64 bytes; every segment may
  // be read and rewritten (with its own bytes) up to 64 bytes past its end.
  void (*partition_columns)(uint8_t* seg, int64_t stride, int columns, int64_t m, const uint64_t* bits, uint8_t* scratch);
};

// The table for `isa` (defined in forest_scalar.cc; callers pass active_isa()). The AVX-512 kernels
// also need VBMI and VBMI2; AVX-512 CPUs without them get the AVX2 kernels.
const ForestKernels& forest_kernels(Isa isa);

namespace scalar {
extern const ForestKernels kForest;
}  // namespace scalar

#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 {
extern const ForestKernels kForest;
}  // namespace avx2
#if defined(__GNUC__)
namespace avx512 {
extern const ForestKernels kForest;
}  // namespace avx512
#endif
#endif

}  // namespace simd
}  // namespace ensemblekit
