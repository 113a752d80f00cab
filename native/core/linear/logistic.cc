#include "logistic.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "../errors.h"
#include "../linalg/gemm.h"
#include "../parallel/parallel_for.h"
#include "../simd/cpu.h"
#include "../simd/vmath_kernels.h"
#include "decision.h"

namespace ensemblekit {
namespace linear {

namespace {

// Rows per block: the block of X (~256 KiB of float64) stays in L2 between the two GEMMs.
constexpr int64_t kBlockElements = int64_t(1) << 15;
// Cap on the per-block partial gradients kept for the ordered reduction (doubles).
constexpr int64_t kPartialBudget = int64_t(1) << 22;

// The loss/gradient evaluator: owns the scratch for one fit. Not thread-safe itself; parallel inside.
class LogisticObjective {
 public:
  LogisticObjective(const double* x, int64_t n, int64_t d, const int32_t* y, int64_t n_classes, const double* sw,
                    const LogisticOptions& options, const WorkControl& control)
      : x_(x),
        n_(n),
        d_(d),
        y_(y),
        k_(n_classes == 2 ? 1 : n_classes),
        sw_(sw),
        fit_intercept_(options.fit_intercept),
        lambda_(options.penalty ? 1.0 / options.C : 0.0),
        threads_(resolve_threads(options.n_threads)),
        control_(control) {
    grain_ = std::max<int64_t>(64, kBlockElements / std::max<int64_t>(1, d_));
    const int64_t stride = k_ * (d_ + 1) + 1;
    while (block_count(n_, grain_) * stride > kPartialBudget && grain_ < n_) grain_ *= 2;
    blocks_ = block_count(n_, grain_);
    partial_stride_ = stride;
    partials_.resize(static_cast<size_t>(blocks_ * partial_stride_));
    // One coefficient row runs as two (the second all zero): GEMM sends single-column products to
    // GEMV, whose row-by-row dots are slow for narrow X; the direct GEMM tiles are not.
    kg_ = k_ == 1 ? 2 : k_;
    scores_.resize(static_cast<size_t>(n_ * kg_));
    wg_.assign(static_cast<size_t>(kg_ * d_), 0.0);
  }

  int64_t size() const { return k_ * (d_ + (fit_intercept_ ? 1 : 0)); }

  double operator()(const double* params, double* grad) {
    const double* b = fit_intercept_ ? params + k_ * d_ : nullptr;
    std::copy(params, params + k_ * d_, wg_.begin());
    const double* w = wg_.data();
    parallel_blocks(n_, grain_, threads_, [&](int64_t lo, int64_t hi, int64_t block) {
      if (control_.cancelled()) throw Aborted();
      run_block(w, b, lo, hi, &partials_[static_cast<size_t>(block * partial_stride_)]);
    });
    control_.check();
    // Ordered reduction: the same bits whatever the thread count.
    const int64_t kd = k_ * d_;
    double f = 0;
    std::fill(grad, grad + size(), 0.0);
    for (int64_t blk = 0; blk < blocks_; ++blk) {
      const double* p = &partials_[static_cast<size_t>(blk * partial_stride_)];
      f += p[0];
      const double* pg = p + 1;
      for (int64_t j = 0; j < kd; ++j) grad[j] += pg[j];
      if (fit_intercept_) {
        for (int64_t k = 0; k < k_; ++k) grad[kd + k] += pg[kd + k];
      }
    }
    if (lambda_ > 0) {
      double sq = 0;
      for (int64_t j = 0; j < kd; ++j) {
        sq += w[j] * w[j];
        grad[j] += lambda_ * w[j];
      }
      f += 0.5 * lambda_ * sq;
    }
    return f;
  }

 private:
  // One block of rows: scores, losses, residuals, then the block's gradient. out = [loss, G (k x d), g_b (k)].
  void run_block(const double* w, const double* b, int64_t lo, int64_t hi, double* out) {
    const int64_t rb = hi - lo;
    const int64_t k = k_;
    const int64_t kg = kg_;
    const double* xb = x_ + lo * d_;
    // Z (rb x kg) = X_b W^T: X_b is the GEMM's A operand, W^T the small B operand. This is the one
    // pass that streams X from memory; the gradient GEMM below re-reads the block from L2.
    double* z = scores_.data() + lo * kg;
    linalg::gemm<double>(linalg::Trans::kNo, linalg::Trans::kYes, rb, kg, d_, 1.0, xb, d_, w, d_, 0.0, z, kg, 1);
    double* gb = fit_intercept_ ? out + 1 + k * d_ : nullptr;
    const double loss = k == 1 ? binary_rows(b, lo, rb, z, gb) : softmax_rows(b, lo, rb, z, gb);
    out[0] = loss;
    // G (k x d) = R^T X_b (with one coefficient row, rows 0 and 1 of G, the second zero, go to scratch).
    double* g = k == 1 ? scratch_b(2 * d_) : out + 1;
    linalg::gemm<double>(linalg::Trans::kYes, linalg::Trans::kNo, kg, d_, rb, 1.0, z, kg, xb, d_, 0.0, g, d_, 1);
    if (k == 1) std::copy(g, g + d_, out + 1);
  }

  // Binary rows: z holds [z_i, pad] pairs; returns the weighted loss, leaves [r_i, 0] in z and, when
  // gb is given, the intercept gradient sum_i r_i there. log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
  // and the sigmoid comes from the same e^-|z|: one vector exp and one vector log per block; the
  // per-row loop is branch-free (labels and signs are random, so branches would mispredict).
  double binary_rows(const double* b, int64_t lo, int64_t rb, double* z, double* gb) const {
    const simd::VmathKernels& vm = simd::vmath_kernels(simd::active_isa());
    double* e = scratch_a(3 * rb);
    double* u = e + rb;
    double* l = u + rb;
    const double b0 = b != nullptr ? b[0] : 0.0;
    for (int64_t i = 0; i < rb; ++i) {
      const double zi = z[2 * i] + b0;
      z[2 * i] = zi;
      e[i] = -std::fabs(zi);
    }
    vm.exp(rb, e, e);
    for (int64_t i = 0; i < rb; ++i) u[i] = 1.0 + e[i];
    vm.log(rb, u, l);
    const int32_t* y = y_ + lo;  // class indices 0 / 1 are the targets themselves
    const double* sw = sw_ != nullptr ? sw_ + lo : nullptr;
    // Two interleaved sums each: shorter dependency chains; the order is fixed, so are the bits.
    double loss0 = 0, loss1 = 0, g0 = 0, g1 = 0;
    int64_t i = 0;
    auto row = [&](int64_t r, double& loss, double& g) {
      const double zi = z[2 * r];
      const double yi = static_cast<double>(y[r]);
      const double s = sw != nullptr ? sw[r] : 1.0;
      const double pos = static_cast<double>(zi >= 0);
      // sigmoid(z) = 1 / (1 + e^-|z|) for z >= 0, e^-|z| / (1 + e^-|z|) otherwise.
      const double sig = (e[r] + pos * (1.0 - e[r])) / u[r];
      loss += s * (std::max(zi, 0.0) + l[r] - yi * zi);
      const double res = s * (sig - yi);
      g += res;
      z[2 * r] = res;
      z[2 * r + 1] = 0.0;
    };
    for (; i + 2 <= rb; i += 2) {
      row(i, loss0, g0);
      row(i + 1, loss1, g1);
    }
    if (i < rb) row(i, loss0, g0);
    if (gb != nullptr) gb[0] = g0 + g1;
    return loss0 + loss1;
  }

  // Multinomial rows: stable log-sum-exp, lse_i - z_iy = log(sum_c e^(z_ic - m_i)) - (z_iy - m_i) with
  // m_i = max_c z_ic (every exponent <= 0, the sum >= 1); leaves R = s (P - Y) in z and, when gb is
  // given, the intercept gradient (column sums of R) there.
  double softmax_rows(const double* b, int64_t lo, int64_t rb, double* z, double* gb) const {
    const simd::VmathKernels& vm = simd::vmath_kernels(simd::active_isa());
    const int64_t k = k_;
    double* zy = scratch_a(3 * rb);
    double* sum = zy + rb;
    double* lsum = sum + rb;
    const int32_t* y = y_ + lo;
    for (int64_t i = 0; i < rb; ++i) {
      double* zr = z + i * k;
      if (b != nullptr) {
        for (int64_t c = 0; c < k; ++c) zr[c] += b[c];
      }
      double m = zr[0];
      for (int64_t c = 1; c < k; ++c) m = std::max(m, zr[c]);
      for (int64_t c = 0; c < k; ++c) zr[c] -= m;
      zy[i] = zr[y[i]];
    }
    vm.exp(rb * k, z, z);
    for (int64_t i = 0; i < rb; ++i) {
      const double* zr = z + i * k;
      double acc = 0;
      for (int64_t c = 0; c < k; ++c) acc += zr[c];
      sum[i] = acc;
    }
    vm.log(rb, sum, lsum);
    const double* sw = sw_ != nullptr ? sw_ + lo : nullptr;
    double loss = 0;
    for (int64_t i = 0; i < rb; ++i) {
      double* zr = z + i * k;
      const double s = sw != nullptr ? sw[i] : 1.0;
      loss += s * (lsum[i] - zy[i]);
      const double scale = s / sum[i];
      for (int64_t c = 0; c < k; ++c) zr[c] *= scale;
      zr[y[i]] -= s;
    }
    if (gb != nullptr) {
      double* acc = scratch_b(k);
      std::fill(acc, acc + k, 0.0);
      for (int64_t i = 0; i < rb; ++i) {
        const double* zr = z + i * k;
        for (int64_t c = 0; c < k; ++c) acc[c] += zr[c];
      }
      std::copy(acc, acc + k, gb);
    }
    return loss;
  }

  // Per-thread scratch (thread_local: blocks run on the pool's threads): the per-row temporaries of
  // the vector exp / log calls, and the padded gradient rows of the binary case.
  static double* scratch_a(int64_t size) {
    thread_local std::vector<double> buffer;
    if (static_cast<int64_t>(buffer.size()) < size) buffer.resize(static_cast<size_t>(size));
    return buffer.data();
  }
  static double* scratch_b(int64_t size) {
    thread_local std::vector<double> buffer;
    if (static_cast<int64_t>(buffer.size()) < size) buffer.resize(static_cast<size_t>(size));
    return buffer.data();
  }

  const double* x_;
  int64_t n_, d_;
  const int32_t* y_;
  int64_t k_;
  const double* sw_;
  bool fit_intercept_;
  double lambda_;
  int threads_;
  const WorkControl& control_;
  int64_t grain_ = 0, blocks_ = 0, partial_stride_ = 0, kg_ = 0;
  std::vector<double> partials_;
  std::vector<double> scores_;
  std::vector<double> wg_;
};

void check_inputs(const DenseMatrix& x, const int32_t* y, int64_t n_classes, const double* sw,
                  const LogisticOptions& o) {
  validate_matrix(x, "X");
  if (y == nullptr) throw InvalidInput("Expected class indices for y but received null");
  if (n_classes < 2) {
    throw InvalidInput("Expected at least 2 classes in y but received " + std::to_string(n_classes) +
                       " (logistic regression needs two classes to separate)");
  }
  for (int64_t i = 0; i < x.rows; ++i) {
    if (y[i] < 0 || y[i] >= n_classes) {
      throw InvalidInput("Expected a class index in [0, " + std::to_string(n_classes) + ") at y[" + std::to_string(i) +
                         "] but received " + std::to_string(y[i]));
    }
  }
  if (sw != nullptr) {
    double total = 0;
    for (int64_t i = 0; i < x.rows; ++i) {
      if (!std::isfinite(sw[i]) || sw[i] < 0) {
        throw InvalidInput("Expected a finite non-negative sample weight at sampleWeight[" + std::to_string(i) +
                           "] but received " + std::to_string(sw[i]));
      }
      total += sw[i];
    }
    if (!(total > 0)) throw InvalidInput("Expected sample weights with a positive sum but they sum to 0");
  }
  if (!(o.ftol >= 0)) throw InvalidParameter("Expected ftol >= 0 for LogisticRegression but received " + std::to_string(o.ftol));
  if (o.penalty && !(o.C > 0 && std::isfinite(o.C))) {
    throw InvalidParameter("Expected a finite C > 0 for LogisticRegression but received " + std::to_string(o.C));
  }
  if (!(o.tol >= 0)) throw InvalidParameter("Expected tol >= 0 for LogisticRegression but received " + std::to_string(o.tol));
  if (o.max_iter < 0) {
    throw InvalidParameter("Expected maxIter >= 0 for LogisticRegression but received " + std::to_string(o.max_iter));
  }
}

}  // namespace

double logistic_loss_gradient(const DenseMatrix& x, const int32_t* y, int64_t n_classes, const double* sample_weight,
                              const LogisticOptions& options, const double* params, double* grad) {
  check_inputs(x, y, n_classes, sample_weight, options);
  std::vector<double> widened;
  const double* xd = as_float64(x, widened, options.n_threads);
  LogisticObjective objective(xd, x.rows, x.cols, y, n_classes, sample_weight, options, WorkControl::none());
  return objective(params, grad);
}

LogisticModel logistic_fit(const DenseMatrix& x, const int32_t* y, int64_t n_classes, const double* sample_weight,
                           const LogisticOptions& options, const WorkControl& control) {
  check_inputs(x, y, n_classes, sample_weight, options);
  std::vector<double> widened;
  const double* xd = as_float64(x, widened, options.n_threads);
  LogisticObjective objective(xd, x.rows, x.cols, y, n_classes, sample_weight, options, control);

  std::vector<double> params(static_cast<size_t>(objective.size()), 0.0);
  linalg::LbfgsOptions lo;
  lo.history = options.history;
  lo.max_iter = options.max_iter;
  lo.gtol = options.tol;
  lo.ftol = options.ftol;
  lo.label = "LogisticRegression";
  const linalg::LbfgsResult r = linalg::lbfgs_minimize(
      objective.size(), params.data(), [&](const double* p, double* g) { return objective(p, g); }, lo, control);

  LogisticModel model;
  model.n_classes = n_classes;
  model.n_features = x.cols;
  model.rows = n_classes == 2 ? 1 : n_classes;
  const int64_t kd = model.rows * x.cols;
  model.coef.assign(params.begin(), params.begin() + kd);
  model.intercept.assign(static_cast<size_t>(model.rows), 0.0);
  if (options.fit_intercept) std::copy(params.begin() + kd, params.end(), model.intercept.begin());
  model.n_iter = r.n_iter;
  model.n_evals = r.n_evals;
  model.objective = r.f;
  model.grad_max = r.grad_max;
  model.status = r.status;
  return model;
}

void logistic_proba_from_scores(int64_t n, int64_t n_classes, const double* scores, double* proba, int n_threads) {
  if (n_classes == 2) {
    parallel_blocks(n, 4096, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t i = lo; i < hi; ++i) {
        const double z = scores[i];
        const double e = simd::scalar_exp(-std::fabs(z));
        const double p1 = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        const double p0 = z >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e);
        proba[2 * i] = p0;
        proba[2 * i + 1] = p1;
      }
    });
    return;
  }
  parallel_blocks(n, 2048, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) {
      const double* z = scores + i * n_classes;
      double* p = proba + i * n_classes;
      double m = -HUGE_VAL;
      for (int64_t c = 0; c < n_classes; ++c) m = std::max(m, z[c]);
      double sum = 0;
      for (int64_t c = 0; c < n_classes; ++c) {
        p[c] = simd::scalar_exp(z[c] - m);
        sum += p[c];
      }
      const double inv = 1.0 / sum;
      for (int64_t c = 0; c < n_classes; ++c) p[c] *= inv;
    }
  });
}

}  // namespace linear
}  // namespace ensemblekit
