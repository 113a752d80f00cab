#include "objective.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {

namespace {

// Rows per block of gradient computation and of deterministic sums.
constexpr int64_t kGrain = 32768;

// Sum of term(i) over [0, n) in fixed blocks reduced in block order: the same bits for any thread
// count.
template <class F>
double blocked_sum(int64_t n, int threads, F&& term) {
  std::vector<double> partial(static_cast<size_t>(block_count(n, kGrain)), 0.0);
  parallel_blocks(n, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t b) {
    double s = 0.0;
    for (int64_t i = lo; i < hi; ++i) s += term(i);
    partial[static_cast<size_t>(b)] = s;
  });
  double s = 0.0;
  for (const double p : partial) s += p;
  return s;
}

inline double weight_of(const double* w, int64_t i) { return w != nullptr ? w[i] : 1.0; }

[[noreturn]] void bad_label(const char* objective, const char* expected, int64_t row, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  throw InvalidInput(std::string("Expected ") + expected + " labels for the " + objective + " objective but received " +
                     buf + " at row " + std::to_string(row));
}

double weighted_mean(const double* y, const double* w, int64_t n, int threads) {
  const double sy = blocked_sum(n, threads, [&](int64_t i) { return y[i] * weight_of(w, i); });
  const double sw = w != nullptr ? blocked_sum(n, threads, [&](int64_t i) { return w[i]; }) : static_cast<double>(n);
  return sw > 0.0 ? sy / sw : 0.0;
}

double label_quantile(const double* y, const double* w, int64_t n, double alpha) {
  std::vector<double> v(y, y + n);
  if (w == nullptr) return weighted_quantile(v, nullptr, alpha);
  std::vector<double> wv(w, w + n);
  return weighted_quantile(v, &wv, alpha);
}

// Elementwise objectives: grad/hess of row i depend on (score, label, weight) only.
template <class G>
void elementwise(const double* s, const double* y, const double* w, int64_t n, GradPair* out, int threads, G&& gh) {
  parallel_blocks(n, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) {
      double g, h;
      gh(s[i], y[i], &g, &h);
      const double wi = weight_of(w, i);
      out[i] = GradPair{static_cast<float>(g * wi), static_cast<float>(h * wi)};
    }
  });
}

class SquaredError : public Objective {
 public:
  ObjectiveKind kind() const override { return ObjectiveKind::kSquaredError; }
  const char* default_metric() const override { return "rmse"; }
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int threads) const override {
    return {weighted_mean(y, w, n, threads)};
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    elementwise(s, y, w, n, out, threads, [](double si, double yi, double* g, double* h) {
      *g = si - yi;
      *h = 1.0;
    });
  }
};

class Huber : public Objective {
 public:
  explicit Huber(double delta) : delta_(delta) {}
  ObjectiveKind kind() const override { return ObjectiveKind::kHuber; }
  const char* default_metric() const override { return "rmse"; }
  // LightGBM starts Huber from the mean too.
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int threads) const override {
    return {weighted_mean(y, w, n, threads)};
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    const double d = delta_;
    elementwise(s, y, w, n, out, threads, [d](double si, double yi, double* g, double* h) {
      const double diff = si - yi;
      *g = std::abs(diff) <= d ? diff : (diff > 0.0 ? d : -d);
      *h = 1.0;
    });
  }

 private:
  double delta_;
};

// Pinball loss at alpha; alpha = 0.5 is half the absolute error (same minimiser). Both fit their
// trees on sign gradients with unit hessians, then re-estimate each leaf as the alpha-quantile of its
// rows' residuals (LightGBM's RenewTreeOutput), since a Newton step on a piecewise-linear loss
// carries no scale information.
class QuantileLoss : public Objective {
 public:
  QuantileLoss(ObjectiveKind kind, double alpha) : kind_(kind), alpha_(alpha) {}
  ObjectiveKind kind() const override { return kind_; }
  const char* default_metric() const override { return kind_ == ObjectiveKind::kAbsoluteError ? "mae" : "quantile"; }
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int) const override {
    return {label_quantile(y, w, n, alpha_)};
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    const double a = alpha_;
    if (kind_ == ObjectiveKind::kAbsoluteError) {
      elementwise(s, y, w, n, out, threads, [](double si, double yi, double* g, double* h) {
        const double diff = si - yi;
        *g = diff > 0.0 ? 1.0 : (diff < 0.0 ? -1.0 : 0.0);
        *h = 1.0;
      });
    } else {
      elementwise(s, y, w, n, out, threads, [a](double si, double yi, double* g, double* h) {
        *g = si - yi >= 0.0 ? 1.0 - a : -a;
        *h = 1.0;
      });
    }
  }
  bool renews_leaves() const override { return true; }
  double renew_leaf(const uint32_t* rows, int64_t count, const double* scores, const double* labels,
                    const double* weights) const override {
    if (count <= 0) return 0.0;
    std::vector<double> r(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) r[static_cast<size_t>(i)] = labels[rows[i]] - scores[rows[i]];
    if (weights == nullptr) return weighted_quantile(r, nullptr, alpha_);
    std::vector<double> w(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) w[static_cast<size_t>(i)] = weights[rows[i]];
    return weighted_quantile(r, &w, alpha_);
  }

 private:
  ObjectiveKind kind_;
  double alpha_;
};

class Poisson : public Objective {
 public:
  explicit Poisson(double max_delta_step) : exp_step_(std::exp(max_delta_step)) {}
  ObjectiveKind kind() const override { return ObjectiveKind::kPoisson; }
  OutputTransform transform() const override { return OutputTransform::kExp; }
  const char* default_metric() const override { return "poisson"; }
  void check_labels(const double* y, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) {
      if (!(y[i] >= 0.0) || !std::isfinite(y[i])) bad_label("poisson", "non-negative finite", i, y[i]);
    }
  }
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int threads) const override {
    const double m = weighted_mean(y, w, n, threads);
    if (!(m > 0.0)) throw InvalidInput("Expected at least one positive label for the poisson objective");
    return {std::log(m)};
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    const double e = exp_step_;
    elementwise(s, y, w, n, out, threads, [e](double si, double yi, double* g, double* h) {
      const double mu = std::exp(si);
      *g = mu - yi;
      *h = mu * e;  // exp(score + max_delta_step)
    });
  }

 private:
  double exp_step_;
};

class BinaryLogloss : public Objective {
 public:
  ObjectiveKind kind() const override { return ObjectiveKind::kBinaryLogloss; }
  OutputTransform transform() const override { return OutputTransform::kSigmoid; }
  const char* default_metric() const override { return "logloss"; }
  void check_labels(const double* y, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) {
      if (!(y[i] >= 0.0 && y[i] <= 1.0)) bad_label("binary", "0/1 (or in [0, 1])", i, y[i]);
    }
  }
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int threads) const override {
    // Log-odds of the weighted prior, clamped away from 0 and 1 so a one-class data set starts finite.
    const double p = std::min(1.0 - 1e-15, std::max(1e-15, weighted_mean(y, w, n, threads)));
    return {std::log(p / (1.0 - p))};
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    elementwise(s, y, w, n, out, threads, [](double si, double yi, double* g, double* h) {
      const double p = 1.0 / (1.0 + std::exp(-si));
      *g = p - yi;
      *h = std::max(p * (1.0 - p), 1e-16);
    });
  }
};

// Softmax cross-entropy. Hessian: K/(K-1) p(1-p), LightGBM's choice (XGBoost uses 2 p(1-p), i.e. a
// Newton step 1.7x shorter for 7 classes, which is why XGBoost's multi_logloss lags after a fixed
// number of rounds at the same learning rate). The factor makes the diagonal approximation exact in
// the sense that the K outputs are over-parameterised by one (softmax is shift invariant).
class Multiclass : public Objective {
 public:
  explicit Multiclass(int k) : k_(k), factor_(static_cast<double>(k) / (k - 1.0)) {}
  ObjectiveKind kind() const override { return ObjectiveKind::kMulticlass; }
  int num_outputs() const override { return k_; }
  OutputTransform transform() const override { return OutputTransform::kSoftmax; }
  const char* default_metric() const override { return "multi_logloss"; }
  void check_labels(const double* y, int64_t n) const override {
    for (int64_t i = 0; i < n; ++i) {
      if (!(y[i] >= 0.0 && y[i] < k_ && y[i] == std::floor(y[i]))) {
        bad_label("multiclass", ("integer class indices in [0, " + std::to_string(k_) + ")").c_str(), i, y[i]);
      }
    }
  }
  // LightGBM: log of each class's weighted prior (softmax is shift invariant, so no normalisation).
  std::vector<double> init_score(const double* y, const double* w, int64_t n, int threads) const override {
    std::vector<double> out(static_cast<size_t>(k_));
    const double sw = w != nullptr ? blocked_sum(n, threads, [&](int64_t i) { return w[i]; }) : static_cast<double>(n);
    for (int k = 0; k < k_; ++k) {
      const double sk = blocked_sum(n, threads, [&](int64_t i) { return y[i] == k ? weight_of(w, i) : 0.0; });
      out[static_cast<size_t>(k)] = std::log(std::max(1e-15, sw > 0.0 ? sk / sw : 0.0));
    }
    return out;
  }
  void gradients(const double* s, const double* y, const double* w, int64_t n, GradPair* out,
                 int threads) const override {
    const int k = k_;
    const double factor = factor_;
    parallel_blocks(n, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
      std::vector<double> p(static_cast<size_t>(k));
      for (int64_t i = lo; i < hi; ++i) {
        const double* si = s + i * k;
        double m = si[0];
        for (int c = 1; c < k; ++c) m = std::max(m, si[c]);
        double z = 0.0;
        for (int c = 0; c < k; ++c) {
          p[static_cast<size_t>(c)] = std::exp(si[c] - m);
          z += p[static_cast<size_t>(c)];
        }
        const int label = static_cast<int>(y[i]);
        const double wi = weight_of(w, i);
        for (int c = 0; c < k; ++c) {
          const double pc = p[static_cast<size_t>(c)] / z;
          const double g = (c == label ? pc - 1.0 : pc) * wi;
          const double h = std::max(factor * pc * (1.0 - pc), 1e-16) * wi;
          out[static_cast<int64_t>(c) * n + i] = GradPair{static_cast<float>(g), static_cast<float>(h)};
        }
      }
    });
  }

 private:
  int k_;
  double factor_;
};

}  // namespace

void ObjectiveConfig::validate() const {
  if (kind == ObjectiveKind::kHuber && !(huber_delta > 0.0)) {
    throw InvalidParameter("Expected huber_delta > 0 but received " + std::to_string(huber_delta));
  }
  if (kind == ObjectiveKind::kQuantile && !(quantile_alpha > 0.0 && quantile_alpha < 1.0)) {
    throw InvalidParameter("Expected quantile_alpha in (0, 1) but received " + std::to_string(quantile_alpha));
  }
  if (kind == ObjectiveKind::kPoisson && !(poisson_max_delta_step >= 0.0 && poisson_max_delta_step < 50.0)) {
    throw InvalidParameter("Expected poisson_max_delta_step in [0, 50) but received " +
                           std::to_string(poisson_max_delta_step));
  }
  if (kind == ObjectiveKind::kMulticlass && !(num_class >= 2 && num_class <= 100000)) {
    throw InvalidParameter("Expected num_class >= 2 for the multiclass objective but received " +
                           std::to_string(num_class));
  }
  if (static_cast<int>(kind) > static_cast<int>(ObjectiveKind::kMulticlass)) {
    throw InvalidParameter("Expected a known objective");
  }
}

bool parse_objective(const std::string& name, ObjectiveKind* out) {
  static const struct {
    const char* name;
    ObjectiveKind kind;
  } k_names[] = {{"regression", ObjectiveKind::kSquaredError},   {"squared_error", ObjectiveKind::kSquaredError},
                 {"l2", ObjectiveKind::kSquaredError},           {"l1", ObjectiveKind::kAbsoluteError},
                 {"absolute_error", ObjectiveKind::kAbsoluteError}, {"mae", ObjectiveKind::kAbsoluteError},
                 {"huber", ObjectiveKind::kHuber},               {"quantile", ObjectiveKind::kQuantile},
                 {"poisson", ObjectiveKind::kPoisson},           {"binary", ObjectiveKind::kBinaryLogloss},
                 {"multiclass", ObjectiveKind::kMulticlass},     {"softmax", ObjectiveKind::kMulticlass}};
  for (const auto& e : k_names) {
    if (name == e.name) {
      *out = e.kind;
      return true;
    }
  }
  return false;
}

const char* objective_name(ObjectiveKind kind) {
  switch (kind) {
    case ObjectiveKind::kSquaredError:
      return "squared_error";
    case ObjectiveKind::kAbsoluteError:
      return "absolute_error";
    case ObjectiveKind::kHuber:
      return "huber";
    case ObjectiveKind::kQuantile:
      return "quantile";
    case ObjectiveKind::kPoisson:
      return "poisson";
    case ObjectiveKind::kBinaryLogloss:
      return "binary";
    case ObjectiveKind::kMulticlass:
      return "multiclass";
  }
  return "unknown";
}

void Objective::check_labels(const double* labels, int64_t n) const {
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(labels[i])) bad_label(objective_name(kind()), "finite", i, labels[i]);
  }
}

double Objective::renew_leaf(const uint32_t*, int64_t, const double*, const double*, const double*) const {
  return 0.0;
}

std::unique_ptr<Objective> make_objective(const ObjectiveConfig& c) {
  c.validate();
  switch (c.kind) {
    case ObjectiveKind::kSquaredError:
      return std::make_unique<SquaredError>();
    case ObjectiveKind::kAbsoluteError:
      return std::make_unique<QuantileLoss>(ObjectiveKind::kAbsoluteError, 0.5);
    case ObjectiveKind::kHuber:
      return std::make_unique<Huber>(c.huber_delta);
    case ObjectiveKind::kQuantile:
      return std::make_unique<QuantileLoss>(ObjectiveKind::kQuantile, c.quantile_alpha);
    case ObjectiveKind::kPoisson:
      return std::make_unique<Poisson>(c.poisson_max_delta_step);
    case ObjectiveKind::kBinaryLogloss:
      return std::make_unique<BinaryLogloss>();
    case ObjectiveKind::kMulticlass:
      return std::make_unique<Multiclass>(c.num_class);
  }
  throw InvalidParameter("Expected a known objective");
}

double weighted_quantile(std::vector<double>& values, std::vector<double>* weights, double alpha) {
  const size_t n = values.size();
  if (n == 0) return 0.0;
  if (weights == nullptr) {
    const double pos = alpha * static_cast<double>(n - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(lo);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
    const double a = values[lo];
    if (frac == 0.0 || lo + 1 >= n) return a;
    const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
    return a + frac * (b - a);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return values[a] < values[b] || (values[a] == values[b] && a < b);
  });
  double total = 0.0;
  for (const double w : *weights) total += w;
  const double target = alpha * total;
  double cum = 0.0;
  for (const size_t i : order) {
    cum += (*weights)[i];
    if (cum >= target && (*weights)[i] > 0.0) return values[i];
  }
  return values[order.back()];
}

}  // namespace ensemblekit
