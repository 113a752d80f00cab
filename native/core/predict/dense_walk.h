// Internal: the dense tree form's slot layout and its one-row steps, used by CompiledForest
// (compiled_forest.h). Nothing here is public API.
//
// A tree of depth D <= 8 (or the top D levels of a larger one) is stored as a perfect binary tree
// of 2^D - 1 split slots in breadth-first order (slot i has children 2i + 1 and 2i + 2) and 2^D
// bottom slots. A split slot holds
//   feat[i]  the feature index, bit 31 set when NaN takes the left side;
//   thr[i]   the threshold: x <= thr goes left (float32 rounded down from the double threshold, so a
//            float32 x compares exactly as it does against the double; or the double itself).
// The float32 path packs both into one 8-byte slot (DenseSlotF32); the float64 path keeps two arrays.
// Leaves shallower than D are padded with always-left slots (thr = +inf, NaN left), so every row
// takes exactly D steps and the walk has no data-dependent exit:
//   i = 0; repeat D times: i = 2i + 2 - goes_left(x[feat[i]], thr[i]);   bottom = i - (2^D - 1).
//
// The batch walk (compiled_forest.cc) runs these steps for 8 rows at a time in plain code. Gather
// kernels were measured against it on this project's AMD EPYC (Zen 5), model A of
// bench/predict.mjs, 1 thread: an AVX2 kernel (8 float rows per vector, three gathers a step) was
// as fast as the 8-row scalar walk with its NaN test, an AVX-512 one (16 rows) no faster; once rows
// without a NaN walk with the step below that skips the test, the scalar walk ran 1.2x faster than
// the AVX2 kernel (1.62-1.65 against 1.30-1.35 M rows/s). The kernels were removed: the walk is the
// same code on every ISA.
// QuickScorer (bitvector layout for trees of <= 64 leaves) was measured too, by
// bench/native/quickscorer_probe.cc on the same model, rows and thread: against the walk's
// 1.64-1.69 M rows/s, scalar QuickScorer ran 0.26x, 4 rows per AVX2 vector 0.55x, 8 rows per AVX-512
// vector 0.75-0.79x (same margins bit for bit). Its per-row cost is the false nodes of every tree
// (about half of model A's 6261 splits), against 6 dense steps per tree here.
#pragma once

#include <cstdint>

namespace ensemblekit {
namespace dense {

constexpr int kDenseMaxDepth = 8;
constexpr uint32_t kDenseNaNLeftBit = 1u << 31;

// A float32 slot: threshold and feature word side by side, one 8-byte load per step.
struct DenseSlotF32 {
  float thr;
  uint32_t feat;
};

// One step of a dense walk: the next slot. kNaN false: the row holds no NaN, so the missing-value
// test is skipped (the batch walk sorts its rows by that).
template <bool kNaN = true>
inline uint32_t dense_step(const float* x, const DenseSlotF32* slots, uint32_t i) {
  const DenseSlotF32 s = slots[i];
  const float v = x[s.feat & ~kDenseNaNLeftBit];
  uint32_t left = static_cast<uint32_t>(v <= s.thr);
  if (kNaN) left |= static_cast<uint32_t>(v != v) & (s.feat >> 31);
  return 2 * i + 2 - left;
}
template <bool kNaN = true>
inline uint32_t dense_step(const double* x, const int32_t* feat, const double* thr, uint32_t i) {
  const uint32_t w = static_cast<uint32_t>(feat[i]);
  const double v = x[w & ~kDenseNaNLeftBit];
  uint32_t left = static_cast<uint32_t>(v <= thr[i]);
  if (kNaN) left |= static_cast<uint32_t>(v != v) & (w >> 31);
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

}  // namespace dense
}  // namespace ensemblekit
