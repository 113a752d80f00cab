// Training and prediction of multi-layer perceptrons with scikit-learn's semantics (1.2,
// `MLPClassifier` / `MLPRegressor`), so that fits can be checked against it:
//
//   minimise  (1/n) sum_i loss_i + (alpha / 2n) sum_l ||W_l||_F^2      (biases not penalised)
//
// with loss_i the squared error sum_o (y_io - p_io)^2 / 2, the binary log-loss (one logistic unit) or
// the multinomial log-loss (softmax). Stochastic solvers (adam, sgd) take mini-batches of the
// shuffled rows and apply the penalty per batch (alpha / 2b with b the batch size), as scikit-learn
// does; lbfgs minimises the full objective with linalg/lbfgs.h (scipy's L-BFGS-B rules).
//
// Epoch bookkeeping follows `_fit_stochastic`: the epoch loss is the row-weighted mean of the batch
// losses; with early stopping a validation fraction (stratified for classifiers) is held out and
// scored after every epoch (accuracy or R^2), and the best parameters seen are returned; otherwise
// the training loss is watched. More than n_iter_no_change epochs without an improvement of at
// least tol stops the fit (sgd 'adaptive' first divides its rate by 5 until it is <= 1e-6).
//
// Parallelism and determinism: a mini-batch is cut into fixed blocks of rows (the cut depends on
// the batch size only); each block runs its forward and backward passes on one thread (GEMMs on
// that thread's cache) into its own gradient buffer, and the buffers are summed in block order,
// fused with the optimizer update, in parallel over parameter chunks. So the same seed gives the
// same bits for any thread count; SIMD paths differ in the last bits only.
//
// Multi-output regression: the reported loss is sum_o (y - p)^2 / 2 per row, the function whose
// gradient both libraries step along; scikit-learn reports it divided by the number of outputs.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "../data/matrix_view.h"
#include "../parallel/work_control.h"
#include "network.h"
#include "optimizer.h"

namespace ensemblekit {
namespace nn {

struct MlpOptions {
  Architecture arch;
  OptimizerOptions optimizer;
  double alpha = 1e-4;
  // <= 0: min(200, n), scikit-learn's 'auto'; otherwise clipped to [1, n].
  int64_t batch_size = 0;
  int max_iter = 200;
  bool shuffle = true;
  uint64_t seed = 0;
  double tol = 1e-4;
  int n_iter_no_change = 10;
  bool early_stopping = false;
  double validation_fraction = 0.1;
  int max_fun = 15000;
  // Compute precision: float32 or float64 (X of either type is converted per batch).
  DType dtype = DType::kFloat64;
  // Class count for classifiers (labels are indices); 0 for regression.
  int64_t n_classes = 0;
  int n_threads = 0;
};

// State carried from a previous fit into a warm start (scikit-learn keeps these on the estimator).
struct MlpWarmState {
  std::vector<double> params;  // empty: initialise from the seed
  int n_iter = 0;              // epochs run before (also varies the shuffles of this fit)
  double t = 0;                // samples seen before (sgd invscaling)
  double best_loss = HUGE_VAL;
  int no_improvement = 0;
};

struct MlpResult {
  std::vector<double> params;
  std::vector<double> loss_curve;         // this fit's epochs (lbfgs: one value per iteration)
  std::vector<double> validation_scores;  // early stopping only
  double loss = 0;                        // the last epoch's loss (lbfgs: the final objective)
  double best_loss = HUGE_VAL;            // not tracked with early stopping
  double best_validation_score = -HUGE_VAL;
  int n_iter = 0;                         // epochs (or lbfgs iterations) of this fit
  double t = 0;                           // samples seen, including earlier fits
  int no_improvement = 0;
  bool stopped = false;                   // stopped by tol / n_iter_no_change (or lbfgs converged)
  int n_evals = 0;                        // lbfgs function evaluations
  const char* status = "";
};

// Fits on x (rows x inputs) against labels (class indices, n_classes > 0) or values (rows x
// outputs, regression). Progress per epoch: fraction of max_iter, label "epoch E loss L".
// Throws InvalidInput / InvalidParameter naming the problem; Aborted when cancelled.
MlpResult mlp_fit(const DenseMatrix& x, const Targets& y, const MlpOptions& options, const MlpWarmState& warm,
                  const WorkControl& control = WorkControl::none());

// The objective above over all rows (one full batch) and its gradient, in float64; for gradient
// checks. grad has arch.n_params() entries.
double mlp_loss_gradient(const DenseMatrix& x, const Targets& y, const MlpOptions& options, const double* params,
                         double* grad);

// Network outputs (after the output activation), rows x outputs, in float64.
void mlp_predict(const Architecture& arch, const double* params, const DenseMatrix& x, double* out, int n_threads);

}  // namespace nn
}  // namespace ensemblekit
