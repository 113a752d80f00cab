#include "lbfgs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../errors.h"

namespace ensemblekit {
namespace linalg {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// L-BFGS-B's largest step for an unbounded problem.
constexpr double kStepMax = 1e10;
// dcsrch's extrapolation bounds before a minimiser is bracketed.
constexpr double kExtrapolateLower = 1.1;
constexpr double kExtrapolateUpper = 4.0;

double dot(int64_t n, const double* a, const double* b) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

double max_abs(int64_t n, const double* a) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i]));
  return m;
}

}  // namespace

const char* lbfgs_status_name(LbfgsStatus status) {
  switch (status) {
    case LbfgsStatus::kGradientTolerance: return "converged: max |gradient| <= tol";
    case LbfgsStatus::kFunctionTolerance: return "converged: relative decrease of the objective <= ftol";
    case LbfgsStatus::kMaxIterations: return "stopped: maximum number of iterations reached";
    case LbfgsStatus::kMaxEvaluations: return "stopped: maximum number of function evaluations reached";
    case LbfgsStatus::kLineSearchFailed: return "stopped: the line search found no acceptable step";
  }
  return "unknown";
}

// ---- More-Thuente line search ------------------------------------------------------------------
// After Moré & Thuente, "Line search algorithms with guaranteed sufficient decrease" (ACM TOMS 20,
// 1994), as MINPACK-2's dcsrch/dcstep organise it: the step is kept in an interval [stx, sty] that
// is known to contain a point satisfying the strong Wolfe conditions once it is bracketed; trial
// steps come from cubic and quadratic interpolation of f and f' at the interval ends, safeguarded
// so the interval shrinks geometrically. While f is above the sufficient-decrease line and f' < 0
// (stage 1) the search works on the modified function psi(a) = f(a) - f(0) - ftol * a * f'(0).

MoreThuente::State MoreThuente::start(double f0, double g0, double step, double step_min, double step_max) {
  if (!(step > 0) || step < step_min || step > step_max || !(g0 < 0) || !std::isfinite(f0)) return State::kError;
  stp_ = step;
  stpmin_ = step_min;
  stpmax_ = step_max;
  brackt_ = false;
  stage_ = 1;
  finit_ = f0;
  ginit_ = g0;
  gtest_ = ftol_ * ginit_;
  width_ = stpmax_ - stpmin_;
  width1_ = width_ / 0.5;
  stx_ = 0;
  fx_ = finit_;
  gx_ = ginit_;
  sty_ = 0;
  fy_ = finit_;
  gy_ = ginit_;
  stmin_ = 0;
  stmax_ = stp_ + kExtrapolateUpper * stp_;
  return State::kEvaluate;
}

MoreThuente::State MoreThuente::next(double f, double g) {
  if (!std::isfinite(f) || !std::isfinite(g)) {
    // Guard (not in dcsrch): an overflowing trial step. Pull back halfway to the best step so far
    // and cap the interval there; interpolation resumes from finite values.
    stmax_ = stp_;
    stp_ = stx_ + 0.5 * (stp_ - stx_);
    if (stp_ - stx_ <= kEps * std::max(1.0, stx_)) return State::kWarning;
    return State::kEvaluate;
  }
  const double ftest = finit_ + stp_ * gtest_;
  if (stage_ == 1 && f <= ftest && g >= 0) stage_ = 2;

  // Warnings: the search cannot make progress; the caller accepts the current step.
  if (brackt_ && (stp_ <= stmin_ || stp_ >= stmax_)) return State::kWarning;
  if (brackt_ && stmax_ - stmin_ <= xtol_ * stmax_) return State::kWarning;
  if (stp_ == stpmax_ && f <= ftest && g <= gtest_) return State::kWarning;
  if (stp_ == stpmin_ && (f > ftest || g >= gtest_)) return State::kWarning;
  // Strong Wolfe conditions.
  if (f <= ftest && std::fabs(g) <= gtol_ * (-ginit_)) return State::kConverged;

  if (stage_ == 1 && f <= fx_ && f > ftest) {
    double fm = f - stp_ * gtest_;
    double fxm = fx_ - stx_ * gtest_;
    double fym = fy_ - sty_ * gtest_;
    double gm = g - gtest_;
    double gxm = gx_ - gtest_;
    double gym = gy_ - gtest_;
    cstep(stx_, fxm, gxm, sty_, fym, gym, stp_, fm, gm, stmin_, stmax_);
    fx_ = fxm + stx_ * gtest_;
    fy_ = fym + sty_ * gtest_;
    gx_ = gxm + gtest_;
    gy_ = gym + gtest_;
  } else {
    cstep(stx_, fx_, gx_, sty_, fy_, gy_, stp_, f, g, stmin_, stmax_);
  }

  if (brackt_) {
    // Force a sufficient shrink of the interval (bisect when two steps did not halve it).
    if (std::fabs(sty_ - stx_) >= 0.66 * width1_) stp_ = stx_ + 0.5 * (sty_ - stx_);
    width1_ = width_;
    width_ = std::fabs(sty_ - stx_);
    stmin_ = std::min(stx_, sty_);
    stmax_ = std::max(stx_, sty_);
  } else {
    stmin_ = stp_ + kExtrapolateLower * (stp_ - stx_);
    stmax_ = stp_ + kExtrapolateUpper * (stp_ - stx_);
  }
  stp_ = std::min(std::max(stp_, stpmin_), stpmax_);
  // No further progress possible: fall back to the best step so far.
  if ((brackt_ && (stp_ <= stmin_ || stp_ >= stmax_)) || (brackt_ && stmax_ - stmin_ <= xtol_ * stmax_)) stp_ = stx_;
  return State::kEvaluate;
}

// One safeguarded step (dcstep): from the interval ends (stx: best so far, sty: the other end) and
// the trial (stp, fp, dp), picks the next trial and updates the interval.
void MoreThuente::cstep(double& stx, double& fx, double& dx, double& sty, double& fy, double& dy, double& stp,
                        double fp, double dp, double stpmin, double stpmax) {
  const double sgnd = dp * (dx / std::fabs(dx));
  double stpf;
  if (fp > fx) {
    // Case 1: higher function value; the minimum is bracketed. Cubic step if closer to stx than the
    // quadratic one, else their average.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::fabs(theta), std::fabs(dx), std::fabs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp < stx) gamma = -gamma;
    const double p = (gamma - dx) + theta;
    const double q = ((gamma - dx) + gamma) + dp;
    const double r = p / q;
    const double stpc = stx + r * (stp - stx);
    const double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
    stpf = std::fabs(stpc - stx) < std::fabs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
    brackt_ = true;
  } else if (sgnd < 0) {
    // Case 2: lower value, derivatives of opposite sign; bracketed. The step farther from stp of
    // the cubic and the secant one.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::fabs(theta), std::fabs(dx), std::fabs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = ((gamma - dp) + gamma) + dx;
    const double r = p / q;
    const double stpc = stp + r * (stx - stp);
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
    brackt_ = true;
  } else if (std::fabs(dp) < std::fabs(dx)) {
    // Case 3: lower value, same-sign derivative decreasing in magnitude. The cubic step only if it
    // goes the right way (its minimiser may be at infinity), else the secant step; kept inside
    // the bracket or the extrapolation bounds.
    const double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
    const double s = std::max({std::fabs(theta), std::fabs(dx), std::fabs(dp)});
    double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const double p = (gamma - dp) + theta;
    const double q = (gamma + (dx - dp)) + gamma;
    const double r = p / q;
    double stpc;
    if (r < 0 && gamma != 0) {
      stpc = stp + r * (stx - stp);
    } else if (stp > stx) {
      stpc = stpmax;
    } else {
      stpc = stpmin;
    }
    const double stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt_) {
      stpf = std::fabs(stpc - stp) < std::fabs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? std::min(stp + 0.66 * (sty - stp), stpf) : std::max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = std::fabs(stpc - stp) > std::fabs(stpq - stp) ? stpc : stpq;
      stpf = std::max(stpmin, std::min(stpmax, stpf));
    }
  } else {
    // Case 4: lower value, same-sign derivative not decreasing: cubic through stp and sty when
    // bracketed, else go to the extrapolation bound.
    if (brackt_) {
      const double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
      const double s = std::max({std::fabs(theta), std::fabs(dy), std::fabs(dp)});
      double gamma = s * std::sqrt(std::max(0.0, (theta / s) * (theta / s) - (dy / s) * (dp / s)));
      if (stp > sty) gamma = -gamma;
      const double p = (gamma - dp) + theta;
      const double q = ((gamma - dp) + gamma) + dy;
      const double r = p / q;
      stpf = stp + r * (sty - stp);
    } else {
      stpf = stp > stx ? stpmax : stpmin;
    }
  }
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  stp = stpf;
}

// ---- L-BFGS driver -----------------------------------------------------------------------------

LbfgsResult lbfgs_minimize(int64_t n, double* x, const LbfgsObjective& objective, const LbfgsOptions& options,
                           const WorkControl& control) {
  if (n <= 0) throw InvalidParameter("lbfgs: expected at least one variable but received " + std::to_string(n));
  if (options.history < 1) throw InvalidParameter("lbfgs: expected history >= 1 but received " + std::to_string(options.history));
  if (options.max_iter < 0) throw InvalidParameter("lbfgs: expected max_iter >= 0 but received " + std::to_string(options.max_iter));
  if (!(options.gtol >= 0) || !(options.ftol >= 0)) throw InvalidParameter("lbfgs: expected gtol >= 0 and ftol >= 0");
  if (options.max_linesearch < 1 || options.max_evals < 1) throw InvalidParameter("lbfgs: expected max_linesearch >= 1 and max_evals >= 1");

  const auto un = static_cast<size_t>(n);
  const int m = options.history;
  std::vector<double> g(un), d(un), x_old(un), g_old(un), alpha(static_cast<size_t>(m));
  std::vector<double> s_hist(static_cast<size_t>(m) * un), y_hist(static_cast<size_t>(m) * un), rho(static_cast<size_t>(m));
  int hist_count = 0;  // pairs stored
  int hist_head = 0;   // slot of the next pair

  LbfgsResult result;
  control.check();
  double f = objective(x, g.data());
  result.n_evals = 1;
  if (!std::isfinite(f)) throw InvalidInput("lbfgs: the objective is not finite at the starting point");
  result.f = f;
  result.grad_max = max_abs(n, g.data());
  if (result.grad_max <= options.gtol) {
    result.status = LbfgsStatus::kGradientTolerance;
    return result;
  }
  if (options.max_iter == 0) {
    result.status = LbfgsStatus::kMaxIterations;
    return result;
  }

  MoreThuente search;
  bool first = true;
  for (;;) {
    control.check();
    // Direction d = -H g by the two-loop recursion.
    for (int64_t i = 0; i < n; ++i) d[i] = -g[i];
    if (hist_count > 0) {
      for (int j = 0; j < hist_count; ++j) {
        const int slot = (hist_head - 1 - j + m) % m;
        const double* s = &s_hist[static_cast<size_t>(slot) * un];
        const double* y = &y_hist[static_cast<size_t>(slot) * un];
        const double a = rho[slot] * dot(n, s, d.data());
        alpha[slot] = a;
        for (int64_t i = 0; i < n; ++i) d[i] -= a * y[i];
      }
      const int newest = (hist_head - 1 + m) % m;
      const double* yn = &y_hist[static_cast<size_t>(newest) * un];
      const double gamma = 1.0 / (rho[newest] * dot(n, yn, yn));  // s'y / y'y
      for (int64_t i = 0; i < n; ++i) d[i] *= gamma;
      for (int j = hist_count - 1; j >= 0; --j) {
        const int slot = (hist_head - 1 - j + m) % m;
        const double* s = &s_hist[static_cast<size_t>(slot) * un];
        const double* y = &y_hist[static_cast<size_t>(slot) * un];
        const double b = rho[slot] * dot(n, y, d.data());
        for (int64_t i = 0; i < n; ++i) d[i] += (alpha[slot] - b) * s[i];
      }
    }
    double gd = dot(n, g.data(), d.data());
    if (!(gd < 0)) {
      // Not a descent direction (rounding in a badly conditioned history): restart along -g.
      hist_count = 0;
      for (int64_t i = 0; i < n; ++i) d[i] = -g[i];
      gd = dot(n, g.data(), d.data());
    }
    const double dnorm = std::sqrt(dot(n, d.data(), d.data()));
    const double step0 = first ? std::min(1.0 / dnorm, kStepMax) : 1.0;

    std::copy(x, x + n, x_old.begin());
    std::copy(g.begin(), g.end(), g_old.begin());
    const double f_old = f;
    const double gd_old = gd;

    // Line search along d.
    bool accepted = false;
    double dg = gd;
    MoreThuente::State state = search.start(f, gd, step0, 0.0, kStepMax);
    int ls_evals = 0;
    while (state == MoreThuente::State::kEvaluate) {
      control.check();
      const double stp = search.step();
      for (int64_t i = 0; i < n; ++i) x[i] = x_old[i] + stp * d[i];
      f = objective(x, g.data());
      ++result.n_evals;
      ++ls_evals;
      dg = dot(n, g.data(), d.data());
      state = search.next(f, dg);
      if (state == MoreThuente::State::kConverged || state == MoreThuente::State::kWarning) {
        accepted = std::isfinite(f);
        break;
      }
      if (ls_evals >= options.max_linesearch || result.n_evals >= options.max_evals) break;
    }
    if (accepted && search.step() != 0 && f > f_old) accepted = false;  // a warning may land uphill
    if (!accepted) {
      std::copy(x_old.begin(), x_old.end(), x);
      std::copy(g_old.begin(), g_old.end(), g.begin());
      f = f_old;
      if (result.n_evals >= options.max_evals) {
        result.status = LbfgsStatus::kMaxEvaluations;
        break;
      }
      if (hist_count == 0) {
        result.status = LbfgsStatus::kLineSearchFailed;
        break;
      }
      hist_count = 0;  // L-BFGS-B: drop the history and retry along -g
      continue;
    }
    first = false;
    ++result.n_iter;
    result.f = f;
    result.grad_max = max_abs(n, g.data());
    control.progress(std::min(1.0, static_cast<double>(result.n_iter) / options.max_iter), options.label);
    if (result.grad_max <= options.gtol) {
      result.status = LbfgsStatus::kGradientTolerance;
      break;
    }
    if (f_old - f <= options.ftol * std::max({std::fabs(f_old), std::fabs(f), 1.0})) {
      result.status = LbfgsStatus::kFunctionTolerance;
      break;
    }
    // New pair s = x - x_old, y = g - g_old, kept only with enough curvature (L-BFGS-B's test).
    const double stp = search.step();
    const double sy = stp * (dg - gd_old);
    if (sy > kEps * (-stp * gd_old)) {
      double* s = &s_hist[static_cast<size_t>(hist_head) * un];
      double* y = &y_hist[static_cast<size_t>(hist_head) * un];
      for (int64_t i = 0; i < n; ++i) {
        s[i] = stp * d[i];
        y[i] = g[i] - g_old[i];
      }
      rho[hist_head] = 1.0 / sy;
      hist_head = (hist_head + 1) % m;
      hist_count = std::min(hist_count + 1, m);
    }
    if (result.n_iter >= options.max_iter) {
      result.status = LbfgsStatus::kMaxIterations;
      break;
    }
    if (result.n_evals >= options.max_evals) {
      result.status = LbfgsStatus::kMaxEvaluations;
      break;
    }
  }
  result.f = f;
  result.grad_max = max_abs(n, g.data());
  return result;
}

}  // namespace linalg
}  // namespace ensemblekit
