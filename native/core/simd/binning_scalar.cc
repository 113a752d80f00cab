// Scalar value -> bin kernel: the reference twin of binning_avx2.cc and the path on CPUs without
// AVX2 (and on arm64). Kept free of auto-vectorisation so it stays the plain reference whatever the
// build's -O level.
//
// A branchless binary search over the padded split points. It is latency-bound (each probe's
// address waits for the previous compare): about 10 ns a value on a current x86 core, against 2 ns
// for the AVX2 count. What keeps it that fast is its shape: the depth is a template parameter (one
// switch per column block, not a data-dependent loop exit per value), the comparison is added as an
// integer (no branch to mispredict on random data), and consecutive values are independent, so the
// out-of-order core overlaps several searches.
#include <cstdint>

#include "binning_kernels.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif
#if defined(__clang__)
#define EK_NO_VECTORIZE _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define EK_NO_VECTORIZE
#endif

namespace ensemblekit {
namespace simd {
namespace scalar {

namespace {

template <class T, int kSteps>
void map_fixed(const T* x, int64_t n, int64_t stride, const T* table, uint8_t missing, uint8_t* out) {
  const T* search = table + kTablePivots;
  EK_NO_VECTORIZE
  for (int64_t i = 0; i < n; ++i) {
    const T v = x[i * stride];
    int idx = 0;
    for (int k = kSteps - 1; k >= 0; --k) idx += static_cast<int>(search[idx + (1 << k) - 1] < v) << k;
    // NaN compares false everywhere, so idx is 0 here and only the select is needed.
    out[i * stride] = v != v ? missing : static_cast<uint8_t>(idx);
  }
}

template <class T>
void map_bins(const T* x, int64_t n, int64_t stride, const T* table, int steps, uint8_t missing, uint8_t* out) {
  switch (steps) {
    case 0: return map_fixed<T, 0>(x, n, stride, table, missing, out);
    case 1: return map_fixed<T, 1>(x, n, stride, table, missing, out);
    case 2: return map_fixed<T, 2>(x, n, stride, table, missing, out);
    case 3: return map_fixed<T, 3>(x, n, stride, table, missing, out);
    case 4: return map_fixed<T, 4>(x, n, stride, table, missing, out);
    case 5: return map_fixed<T, 5>(x, n, stride, table, missing, out);
    case 6: return map_fixed<T, 6>(x, n, stride, table, missing, out);
    case 7: return map_fixed<T, 7>(x, n, stride, table, missing, out);
    default: return map_fixed<T, 8>(x, n, stride, table, missing, out);
  }
}

}  // namespace

extern const BinningKernels<float> kBinningF32 = {&map_bins<float>};
extern const BinningKernels<double> kBinningF64 = {&map_bins<double>};

}  // namespace scalar
}  // namespace simd
}  // namespace ensemblekit
