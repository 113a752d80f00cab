// What every linear model predicts through: scores = X W^T + b, on the GEMM kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "../data/matrix_view.h"

namespace ensemblekit {
namespace linear {

// out (x.rows x rows, row-major) = x * coef^T + intercept, with coef rows x x.cols row-major and
// intercept null (zeros) or `rows` values. float32 X is widened block by block (no full copy).
// Deterministic for any n_threads. Throws InvalidInput on an unreadable X.
void linear_decision(const DenseMatrix& x, const double* coef, int64_t rows, const double* intercept, double* out,
                     int n_threads);

// X as float64: a view of the caller's buffer when it already is, else a widened copy in `storage`.
const double* as_float64(const DenseMatrix& x, std::vector<double>& storage, int n_threads);

}  // namespace linear
}  // namespace ensemblekit
