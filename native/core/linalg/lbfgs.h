// Limited-memory BFGS for smooth unconstrained minimisation, the solver under the linear models.
//
// It follows scipy's L-BFGS-B (Zhu, Byrd, Lu, Nocedal; v3.0), which is what scikit-learn's
// `solver='lbfgs'` runs, restricted to the unbounded case, so that a fit here stops where
// scikit-learn's would:
// - direction: the two-loop recursion over the last `history` (s, y) pairs with H0 = (s'y / y'y) I,
//   which is what L-BFGS-B's compact form plus subspace minimisation reduce to without bounds;
//   a pair is skipped when s'y <= eps * (-s'g_old) (curvature too weak to keep H positive definite);
// - first step: length 1 / ||g0|| along -g0, then unit steps;
// - line search: More-Thuente (MINPACK-2 dcsrch / dcstep) for the strong Wolfe conditions with
//   ftol = 1e-3 (sufficient decrease), gtol = 0.9 (curvature), xtol = 0.1, at most 20 evaluations;
//   a failed search drops the history and retries along -g once before giving up;
// - stopping, tested after each iteration in this order: max_i |g_i| <= gtol; then the relative
//   decrease (f_old - f) / max(|f_old|, |f|, 1) <= ftol (scipy's factr * eps, default 2.2e-9);
//   then the iteration and evaluation budgets. max |g_0| <= gtol at the start stops at iteration 0.
#pragma once

#include <cstdint>
#include <functional>

#include "../parallel/work_control.h"

namespace ensemblekit {
namespace linalg {

struct LbfgsOptions {
  // Number of (s, y) pairs kept (scipy's maxcor).
  int history = 10;
  // Iterations (accepted line searches) at most; 0 returns after evaluating x0.
  int max_iter = 100;
  // Stop when max_i |g_i| <= gtol (scipy's pgtol / scikit-learn's tol).
  double gtol = 1e-5;
  // Stop when the relative decrease of f over one iteration is <= ftol (scipy's ftol, = factr * eps).
  double ftol = 2.2204460492503131e-09;
  // Function evaluations at most (scipy's maxfun).
  int max_evals = 15000;
  // Evaluations per line search at most (scipy's maxls).
  int max_linesearch = 20;
  // Progress label; progress is reported as iterations / max_iter after every iteration.
  const char* label = "lbfgs";
};

enum class LbfgsStatus {
  kGradientTolerance,  // max |g| <= gtol
  kFunctionTolerance,  // relative decrease of f <= ftol
  kMaxIterations,
  kMaxEvaluations,
  kLineSearchFailed,  // no acceptable step even along -g; x is the best point found
};

const char* lbfgs_status_name(LbfgsStatus status);

struct LbfgsResult {
  double f = 0;
  // Largest |g_i| at x.
  double grad_max = 0;
  int n_iter = 0;
  int n_evals = 0;
  LbfgsStatus status = LbfgsStatus::kMaxIterations;
  bool converged() const {
    return status == LbfgsStatus::kGradientTolerance || status == LbfgsStatus::kFunctionTolerance;
  }
};

// f(x) and its gradient: writes grad (n entries) and returns f. Must be deterministic. A non-finite
// f makes the line search shrink the step; a non-finite f at x0 throws InvalidInput.
using LbfgsObjective = std::function<double(const double* x, double* grad)>;

// Minimises from x (n entries), leaving the final point in x. Polls control between evaluations
// (throws Aborted) and reports progress. Throws InvalidParameter for bad options.
LbfgsResult lbfgs_minimize(int64_t n, double* x, const LbfgsObjective& objective, const LbfgsOptions& options,
                           const WorkControl& control = WorkControl::none());

// The More-Thuente line search as a reverse-communication state machine (exposed for tests): start()
// with f(0), f'(0) < 0 and a first trial step; then evaluate at step() and call next(f, f') until
// it returns kConverged or a warning (both mean: accept step()), or kError.
class MoreThuente {
 public:
  enum class State { kEvaluate, kConverged, kWarning, kError };

  MoreThuente(double ftol = 1e-3, double gtol = 0.9, double xtol = 0.1) : ftol_(ftol), gtol_(gtol), xtol_(xtol) {}

  State start(double f0, double g0, double step, double step_min, double step_max);
  State next(double f, double g);
  double step() const { return stp_; }

 private:
  void cstep(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy, double& stp, double fp,
             double dp, double stpmin, double stpmax);

  double ftol_, gtol_, xtol_;
  double stp_ = 0, stpmin_ = 0, stpmax_ = 0;
  double finit_ = 0, ginit_ = 0, gtest_ = 0, width_ = 0, width1_ = 0;
  double stx_ = 0, fx_ = 0, gx_ = 0, sty_ = 0, fy_ = 0, gy_ = 0, stmin_ = 0, stmax_ = 0;
  bool brackt_ = false;
  int stage_ = 1;
};

}  // namespace linalg
}  // namespace ensemblekit
