#include "ridge.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"
#include "../linalg/cholesky.h"
#include "../linalg/gemm.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {
namespace linear {

namespace {

// Cholesky pivots below this fraction of their diagonal entry mean (near-)collinear columns.
constexpr double kPivotTolerance = 1e-11;

// Rows per block for the weighted column sums (same split for any thread count).
constexpr int64_t kSumGrain = 4096;

// s-weighted column means of a (rows x cols, float32 or float64), reduced in block order.
template <class T>
std::vector<double> weighted_means(const T* a, int64_t rows, int64_t cols, const double* sw, double total, int threads) {
  const int64_t blocks = block_count(rows, kSumGrain);
  std::vector<double> partial(static_cast<size_t>(blocks * cols), 0.0);
  parallel_blocks(rows, kSumGrain, threads, [&](int64_t lo, int64_t hi, int64_t b) {
    double* p = &partial[static_cast<size_t>(b * cols)];
    for (int64_t i = lo; i < hi; ++i) {
      const double s = sw != nullptr ? sw[i] : 1.0;
      const T* row = a + i * cols;
      for (int64_t c = 0; c < cols; ++c) p[c] += s * static_cast<double>(row[c]);
    }
  });
  std::vector<double> mean(static_cast<size_t>(cols), 0.0);
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t c = 0; c < cols; ++c) mean[c] += partial[static_cast<size_t>(b * cols + c)];
  }
  for (double& m : mean) m /= total;
  return mean;
}

// out = sqrt(s_i) * (a_i - mean) as float64.
template <class T>
void center_scale(const T* a, int64_t rows, int64_t cols, const double* mean, const double* sw, double* out, int threads) {
  parallel_blocks(rows, kSumGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) {
      const double r = sw != nullptr ? std::sqrt(sw[i]) : 1.0;
      const T* row = a + i * cols;
      double* o = out + i * cols;
      for (int64_t c = 0; c < cols; ++c) o[c] = r * (static_cast<double>(row[c]) - (mean != nullptr ? mean[c] : 0.0));
    }
  });
}

}  // namespace

RidgeModel ridge_fit(const DenseMatrix& x, const double* y, int64_t n_targets, const double* sw,
                     const RidgeOptions& options, const WorkControl& control) {
  validate_matrix(x, "X");
  if (y == nullptr || n_targets < 1) throw InvalidInput("Expected at least one target column in y");
  if (!(options.alpha >= 0) || !std::isfinite(options.alpha)) {
    throw InvalidParameter("Expected a finite alpha >= 0 but received " + std::to_string(options.alpha));
  }
  const int64_t n = x.rows, d = x.cols, t = n_targets;
  double total = static_cast<double>(n);
  if (sw != nullptr) {
    total = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(sw[i]) || sw[i] < 0) {
        throw InvalidInput("Expected a finite non-negative sample weight at sampleWeight[" + std::to_string(i) +
                           "] but received " + std::to_string(sw[i]));
      }
      total += sw[i];
    }
    if (!(total > 0)) throw InvalidInput("Expected sample weights with a positive sum but they sum to 0");
  }
  const int threads = resolve_threads(options.n_threads);

  std::vector<double> x_mean, y_mean;
  if (options.fit_intercept) {
    x_mean = visit_dtype(x.dtype, [&](auto tag) {
      using T = decltype(tag);
      return weighted_means<T>(x.typed<T>(), n, d, sw, total, threads);
    });
    y_mean = weighted_means<double>(y, n, t, sw, total, threads);
  }
  control.check();
  std::vector<double> xc(static_cast<size_t>(n * d)), yc(static_cast<size_t>(n * t));
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    center_scale<T>(x.typed<T>(), n, d, options.fit_intercept ? x_mean.data() : nullptr, sw, xc.data(), threads);
  });
  center_scale<double>(y, n, t, options.fit_intercept ? y_mean.data() : nullptr, sw, yc.data(), threads);
  control.progress(0.2, "normal equations");

  // A = Xc^T Xc + alpha I (d x d), B = Xc^T Yc (d x t).
  std::vector<double> a(static_cast<size_t>(d * d)), b(static_cast<size_t>(d * t));
  linalg::gemm<double>(linalg::Trans::kYes, linalg::Trans::kNo, d, d, n, 1.0, xc.data(), d, xc.data(), d, 0.0, a.data(),
                       d, threads, control);
  linalg::gemm<double>(linalg::Trans::kYes, linalg::Trans::kNo, d, t, n, 1.0, xc.data(), d, yc.data(), t, 0.0, b.data(),
                       t, threads, control);
  for (int64_t j = 0; j < d; ++j) a[static_cast<size_t>(j * d + j)] += options.alpha;
  control.progress(0.8, "solve");
  control.check();

  RidgeModel model;
  model.n_targets = t;
  model.n_features = d;
  // Copies made by size-then-copy: a vector copy constructor would pull in a libstdc++ symbol newer
  // than the prebuild's ceiling (std::__throw_bad_array_new_length, GCC 11).
  std::vector<double> factor(a.size());
  std::copy(a.begin(), a.end(), factor.begin());
  std::vector<double> w(b.size());  // d x t, overwritten with the solution
  std::copy(b.begin(), b.end(), w.begin());
  if (linalg::cholesky_factor(d, factor.data(), d, kPivotTolerance) < 0) {
    linalg::cholesky_solve(d, factor.data(), d, t, w.data(), t);
    model.solver = "cholesky";
    model.rank = d;
  } else {
    std::copy(b.begin(), b.end(), w.begin());
    const double rcond = static_cast<double>(std::max(n, d)) * std::numeric_limits<double>::epsilon();
    model.rank = linalg::symmetric_pinv_solve(d, a.data(), d, t, w.data(), t, rcond);
    model.solver = "eigen";
  }
  model.coef.resize(static_cast<size_t>(t * d));
  for (int64_t j = 0; j < d; ++j) {
    for (int64_t c = 0; c < t; ++c) model.coef[static_cast<size_t>(c * d + j)] = w[static_cast<size_t>(j * t + c)];
  }
  model.intercept.assign(static_cast<size_t>(t), 0.0);
  if (options.fit_intercept) {
    for (int64_t c = 0; c < t; ++c) {
      double s = y_mean[c];
      for (int64_t j = 0; j < d; ++j) s -= x_mean[j] * model.coef[static_cast<size_t>(c * d + j)];
      model.intercept[c] = s;
    }
  }
  for (double v : model.coef) {
    if (!std::isfinite(v)) throw InvalidInput("The least-squares solution is not finite (X or y too large in magnitude)");
  }
  control.progress(1.0, "solve");
  return model;
}

}  // namespace linear
}  // namespace ensemblekit
