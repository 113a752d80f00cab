#include "decision.h"

#include <algorithm>

#include "../linalg/gemm.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {
namespace linear {

namespace {

// Rows per block when float32 X is widened on the fly: ~256 KiB of float64 per block.
int64_t widen_grain(int64_t cols) { return std::max<int64_t>(16, (int64_t(1) << 15) / std::max<int64_t>(1, cols)); }

}  // namespace

const double* as_float64(const DenseMatrix& x, std::vector<double>& storage, int n_threads) {
  if (x.dtype == DType::kFloat64) return x.f64();
  storage.resize(static_cast<size_t>(x.rows * x.cols));
  const float* src = x.f32();
  double* dst = storage.data();
  parallel_blocks(x.rows * x.cols, int64_t(1) << 16, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) dst[i] = static_cast<double>(src[i]);
  });
  return storage.data();
}

void linear_decision(const DenseMatrix& x, const double* coef, int64_t rows, const double* intercept, double* out,
                     int n_threads) {
  validate_matrix(x, "X");
  const int64_t n = x.rows, d = x.cols;
  if (x.dtype == DType::kFloat64) {
    linalg::gemm<double>(linalg::Trans::kNo, linalg::Trans::kYes, n, rows, d, 1.0, x.f64(), d, coef, d, 0.0, out, rows,
                         n_threads);
  } else {
    const int64_t grain = widen_grain(d);
    const float* src = x.f32();
    parallel_blocks(n, grain, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
      std::vector<double> block(static_cast<size_t>((hi - lo) * d));
      for (int64_t i = 0; i < (hi - lo) * d; ++i) block[i] = static_cast<double>(src[lo * d + i]);
      linalg::gemm<double>(linalg::Trans::kNo, linalg::Trans::kYes, hi - lo, rows, d, 1.0, block.data(), d, coef, d,
                           0.0, out + lo * rows, rows, 1);
    });
  }
  if (intercept != nullptr) {
    parallel_blocks(n, 4096, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t i = lo; i < hi; ++i) {
        for (int64_t k = 0; k < rows; ++k) out[i * rows + k] += intercept[k];
      }
    });
  }
}

}  // namespace linear
}  // namespace ensemblekit
