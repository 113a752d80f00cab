// Internal: the per-ISA tree walks behind CompiledForest's batch and single-row prediction
// (predict/compiled_forest.cc owns the dispatch). Nothing here is public API.
//
// The walks run on the forest's dense form (predict/compiled_forest.h): a tree of depth D <= 8 is
// stored as a perfect binary tree of 2^D - 1 split slots in breadth-first order (slot i has children
// 2i + 1 and 2i + 2) and 2^D leaf slots. A slot holds
//   feat[i]  the feature index, bit 31 set when NaN takes the left side;
//   thr[i]   the threshold: x <= thr goes left (float32 rounded down from the double threshold, so a
//            float32 x compares exactly as it does against the double; or the double itself).
// The float32 path packs both into one 8-byte slot (DenseSlotF32); the float64 path keeps two arrays.
// Leaves shallower than D are padded with always-left slots (thr = +inf, NaN left), so every row
// takes exactly D steps and the walk has no data-dependent exit:
//   i = 0; repeat D times: i = 2i + 2 - goes_left(x[feat[i]], thr[i]);   leaf = i - (2^D - 1).
//
// Contract shared by every ISA: dense_leaves_*(x, rows, stride, slots, depth, leaf) writes, for
// each of `rows` rows starting at x (row r at x + r * stride), the leaf slot it reaches in [0, 2^D).
// rows * stride must fit in int32 (callers pass blocks). The AVX2 kernel walks 8 float rows per
// vector with gathers and gives the same leaves as the scalar twin; float64 input walks the scalar
// kernel on every ISA (predict_avx2.cc has the measurement).
//
// ISA files (predict_avx2.cc) are compiled with their -m flags; they only define the tables below
// and functions with internal linkage.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

constexpr int kDenseMaxDepth = 8;
constexpr uint32_t kDenseNaNLeftBit = 1u << 31;

// A float32 slot: threshold and feature word side by side, one 8-byte load (or one 64-bit gather
// lane) per step.
struct DenseSlotF32 {
  float thr;
  uint32_t feat;
};

struct PredictKernels {
  void (*dense_leaves_f32)(const float* x, int64_t rows, int64_t stride, const DenseSlotF32* slots, int depth,
                           int32_t* leaf);
  // Null in ISA tables that keep the scalar float64 walk.
  void (*dense_leaves_f64)(const double* x, int64_t rows, int64_t stride, const int32_t* feat, const double* thr,
                           int depth, int32_t* leaf);
};

// The table for `isa` (defined in predict/compiled_forest.cc). AVX-512 CPUs get the AVX2 kernels.
const PredictKernels& predict_kernels(Isa isa);

namespace scalar {
extern const PredictKernels kPredict;
}  // namespace scalar

#if defined(__x86_64__) || defined(_M_X64)
#ifndef ENSEMBLEKIT_HAVE_X86_KERNELS
#define ENSEMBLEKIT_HAVE_X86_KERNELS 1
#endif
namespace avx2 {
extern const PredictKernels kPredict;
}  // namespace avx2
#endif

// One step of a dense walk in plain code: the next slot (the scalar kernels' step; also the
// single-row path).
inline uint32_t dense_step(const float* x, const DenseSlotF32* slots, uint32_t i) {
  const DenseSlotF32 s = slots[i];
  const float v = x[s.feat & ~kDenseNaNLeftBit];
  const uint32_t left = static_cast<uint32_t>(v <= s.thr) | (static_cast<uint32_t>(v != v) & (s.feat >> 31));
  return 2 * i + 2 - left;
}
inline uint32_t dense_step(const double* x, const int32_t* feat, const double* thr, uint32_t i) {
  const uint32_t w = static_cast<uint32_t>(feat[i]);
  const double v = x[w & ~kDenseNaNLeftBit];
  const uint32_t left = static_cast<uint32_t>(v <= thr[i]) | (static_cast<uint32_t>(v != v) & (w >> 31));
  return 2 * i + 2 - left;
}

// A whole dense walk: the leaf slot in [0, 2^depth).
inline int32_t dense_leaf(const float* x, const DenseSlotF32* slots, int depth) {
  uint32_t i = 0;
  for (int d = 0; d < depth; ++d) i = dense_step(x, slots, i);
  return static_cast<int32_t>(i - ((1u << depth) - 1));
}
inline int32_t dense_leaf(const double* x, const int32_t* feat, const double* thr, int depth) {
  uint32_t i = 0;
  for (int d = 0; d < depth; ++d) i = dense_step(x, feat, thr, i);
  return static_cast<int32_t>(i - ((1u << depth) - 1));
}

}  // namespace simd
}  // namespace ensemblekit
