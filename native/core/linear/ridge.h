// Ordinary least squares and ridge regression in closed form (scikit-learn's LinearRegression and
// Ridge(solver='cholesky') semantics, several targets at once):
//
//   minimise  sum_i s_i ||y_i - W x_i - b||^2 + alpha ||W||_F^2      (b not penalised)
//
// With an intercept, X and Y are centred on their s-weighted means first and b = y_mean - W x_mean.
// Rows are scaled by sqrt(s_i); then (X^T X + alpha I) W^T = X^T Y is formed with GEMM and solved by
// Cholesky. When that matrix is not safely positive definite (a pivot below 1e-11 of its diagonal
// entry: collinear or constant columns, more columns than rows, alpha = 0), the solve falls back to
// the minimum-norm solution through a symmetric eigendecomposition (pseudo-inverse with cutoff
// max(n, d) * eps * largest eigenvalue), which is what scipy's lstsq (scikit-learn's
// LinearRegression) returns for a rank-deficient X.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../data/matrix_view.h"
#include "../parallel/work_control.h"

namespace ensemblekit {
namespace linear {

struct RidgeOptions {
  // L2 penalty (>= 0); 0 is ordinary least squares.
  double alpha = 1.0;
  bool fit_intercept = true;
  int n_threads = 0;
};

struct RidgeModel {
  int64_t n_targets = 0;
  int64_t n_features = 0;
  std::vector<double> coef;       // n_targets x n_features
  std::vector<double> intercept;  // n_targets
  // "cholesky" or "eigen" (the minimum-norm fallback), and the numerical rank of the system solved.
  std::string solver;
  int64_t rank = 0;
};

// y is x.rows x n_targets row-major (finite); sample_weight null or x.rows non-negative weights.
RidgeModel ridge_fit(const DenseMatrix& x, const double* y, int64_t n_targets, const double* sample_weight,
                     const RidgeOptions& options, const WorkControl& control = WorkControl::none());

}  // namespace linear
}  // namespace ensemblekit
