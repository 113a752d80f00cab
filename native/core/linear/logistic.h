// L2-penalised logistic regression, binary and multinomial, fitted by L-BFGS (linalg/lbfgs.h) with
// scikit-learn's formulation (1.2, solver='lbfgs'), so coefficients can be checked against it:
//
//   minimise  sum_i s_i * loss_i(W, b) + (lambda / 2) * ||W||_F^2,   lambda = 1 / C (0 without penalty)
//
// which has the same minimiser as liblinear's 0.5 ||W||^2 + C * sum_i s_i loss_i; the intercept b is
// not penalised, and the gradient test max |g| <= tol applies to this scaling, as in scikit-learn.
// - Binary (n_classes == 2): one coefficient row w, z_i = x_i.w + b, loss_i = log(1 + e^z_i) - y_i z_i
//   with y_i = 1 for class 1 (scikit-learn's HalfBinomialLoss), not a two-column softmax.
// - Multinomial (n_classes > 2): K rows, z_i = W x_i + b, loss_i = logsumexp(z_i) - z_i[y_i]
//   (HalfMultinomialLoss); the full K-row parameterisation, which the L2 penalty makes identifiable.
//
// One evaluation of f and its gradient is one pass over X in fixed blocks of rows (~256 KiB each):
// per block, Z = X_b W^T (GEMM; the only read of the block from memory), the losses and residuals
// R = s (P - Y) in place of Z (stable log-sum-exp; exp and log through the vector kernels of
// simd/vmath_kernels.h), then G_b = R^T X_b (GEMM) while the block is still in L2. Binary fits run
// the GEMMs with a zero second coefficient row (GEMM hands one-column products to GEMV, whose
// per-row dots are slow on narrow X). Per-block partial sums are added in block order, so the result
// has the same bits for any thread count; SIMD paths differ in the last bits only.
#pragma once

#include <cstdint>
#include <vector>

#include "../data/matrix_view.h"
#include "../linalg/lbfgs.h"
#include "../parallel/work_control.h"

namespace ensemblekit {
namespace linear {

struct LogisticOptions {
  // Inverse regularisation strength (> 0); ignored when penalty is false.
  double C = 1.0;
  // L2 penalty on W (true) or none.
  bool penalty = true;
  bool fit_intercept = true;
  int max_iter = 100;
  // Gradient tolerance: stop when max |g| <= tol (scikit-learn's tol).
  double tol = 1e-4;
  // Relative-decrease tolerance (scipy's factr * eps; scikit-learn leaves it at this default).
  double ftol = 2.2204460492503131e-09;
  // L-BFGS history (scipy's maxcor).
  int history = 10;
  int n_threads = 0;
};

struct LogisticModel {
  int64_t n_classes = 0;
  int64_t n_features = 0;
  // Coefficient rows: 1 when n_classes == 2, else n_classes. coef is rows x n_features row-major.
  int64_t rows = 0;
  std::vector<double> coef;
  std::vector<double> intercept;
  int n_iter = 0;
  int n_evals = 0;
  // The objective above at the solution, and max |gradient| there.
  double objective = 0;
  double grad_max = 0;
  linalg::LbfgsStatus status = linalg::LbfgsStatus::kMaxIterations;
};

// Fits the model. y holds class indices in [0, n_classes), n_classes >= 2; sample_weight is null
// (all 1) or x.rows non-negative finite weights (class weights already multiplied in). float32 X is
// widened to float64 once (the solver works in float64, as scikit-learn's lbfgs does).
// Throws InvalidInput / InvalidParameter naming the problem; Aborted when cancelled.
LogisticModel logistic_fit(const DenseMatrix& x, const int32_t* y, int64_t n_classes, const double* sample_weight,
                           const LogisticOptions& options, const WorkControl& control = WorkControl::none());

// The objective and its gradient at params (rows * (n_features + fit_intercept) values: W row-major,
// then b). Exposed for tests (finite-difference checks) and the benchmark.
double logistic_loss_gradient(const DenseMatrix& x, const int32_t* y, int64_t n_classes, const double* sample_weight,
                              const LogisticOptions& options, const double* params, double* grad);

// Class probabilities, x.rows x n_classes row-major, from decision scores (x.rows x rows) computed by
// linear_decision(): the logistic function for one row of coefficients, softmax otherwise.
void logistic_proba_from_scores(int64_t n, int64_t n_classes, const double* scores, double* proba, int n_threads);

}  // namespace linear
}  // namespace ensemblekit
