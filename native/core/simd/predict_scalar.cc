// Scalar dense tree walks (layout and contract in predict_kernels.h): the forced-scalar path and the
// reference the AVX2 kernels match leaf for leaf. Rows walk in lockstep, eight at a time, so the
// eight dependent load chains overlap.
#include "predict_kernels.h"

namespace ensemblekit {
namespace simd {
namespace scalar {

namespace {

constexpr int kLanes = 8;

void dense_leaves_f32(const float* x, int64_t rows, int64_t stride, const DenseSlotF32* slots, int depth,
                      int32_t* leaf) {
  const uint32_t first_leaf = (1u << depth) - 1;
  int64_t r = 0;
  for (; r + kLanes <= rows; r += kLanes) {
    uint32_t idx[kLanes] = {};
    for (int d = 0; d < depth; ++d) {
      for (int k = 0; k < kLanes; ++k) {
        const DenseSlotF32 s = slots[idx[k]];
        const float v = x[(r + k) * stride + (s.feat & ~kDenseNaNLeftBit)];
        const uint32_t left = static_cast<uint32_t>(v <= s.thr) | (static_cast<uint32_t>(v != v) & (s.feat >> 31));
        idx[k] = 2 * idx[k] + 2 - left;
      }
    }
    for (int k = 0; k < kLanes; ++k) leaf[r + k] = static_cast<int32_t>(idx[k] - first_leaf);
  }
  for (; r < rows; ++r) leaf[r] = dense_leaf(x + r * stride, slots, depth);
}

void dense_leaves_f64(const double* x, int64_t rows, int64_t stride, const int32_t* feat, const double* thr, int depth,
                      int32_t* leaf) {
  const uint32_t first_leaf = (1u << depth) - 1;
  int64_t r = 0;
  for (; r + kLanes <= rows; r += kLanes) {
    uint32_t idx[kLanes] = {};
    for (int d = 0; d < depth; ++d) {
      for (int k = 0; k < kLanes; ++k) {
        const uint32_t i = idx[k];
        const uint32_t w = static_cast<uint32_t>(feat[i]);
        const double v = x[(r + k) * stride + (w & ~kDenseNaNLeftBit)];
        const uint32_t left = static_cast<uint32_t>(v <= thr[i]) | (static_cast<uint32_t>(v != v) & (w >> 31));
        idx[k] = 2 * i + 2 - left;
      }
    }
    for (int k = 0; k < kLanes; ++k) leaf[r + k] = static_cast<int32_t>(idx[k] - first_leaf);
  }
  for (; r < rows; ++r) leaf[r] = dense_leaf(x + r * stride, feat, thr, depth);
}

}  // namespace

const PredictKernels kPredict = {&dense_leaves_f32, &dense_leaves_f64};

}  // namespace scalar
}  // namespace simd
}  // namespace ensemblekit
