#include "metric.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "../errors.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {

namespace {

constexpr int64_t kGrain = 32768;

// Weighted mean of term(i): sum(w term) / sum(w), blocked for determinism.
template <class F>
double weighted_average(int64_t n, const double* w, int threads, F&& term) {
  const int64_t blocks = block_count(n, kGrain);
  std::vector<double> num(static_cast<size_t>(blocks), 0.0), den(static_cast<size_t>(blocks), 0.0);
  parallel_blocks(n, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t b) {
    double s = 0.0, sw = 0.0;
    for (int64_t i = lo; i < hi; ++i) {
      const double wi = w != nullptr ? w[i] : 1.0;
      s += wi * term(i);
      sw += wi;
    }
    num[static_cast<size_t>(b)] = s;
    den[static_cast<size_t>(b)] = sw;
  });
  double s = 0.0, sw = 0.0;
  for (int64_t b = 0; b < blocks; ++b) {
    s += num[static_cast<size_t>(b)];
    sw += den[static_cast<size_t>(b)];
  }
  return sw > 0.0 ? s / sw : 0.0;
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

inline double transformed(double s, OutputTransform t) {
  switch (t) {
    case OutputTransform::kSigmoid:
      return sigmoid(s);
    case OutputTransform::kExp:
      return std::exp(s);
    default:
      return s;
  }
}

double auc(const double* s, const double* y, const double* w, int64_t n) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  // Descending score; index breaks ties so the order (and the float sums below) is deterministic.
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
  double pos = 0.0, neg = 0.0, area = 0.0;
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    double tp = 0.0, fp = 0.0;
    while (j < order.size() && s[order[j]] == s[order[i]]) {
      const int64_t r = order[j];
      const double wi = w != nullptr ? w[r] : 1.0;
      tp += wi * y[r];
      fp += wi * (1.0 - y[r]);
      ++j;
    }
    // Negatives in this tie group rank below the positives seen before it, half of those in it.
    area += fp * (pos + 0.5 * tp);
    pos += tp;
    neg += fp;
    i = j;
  }
  if (pos <= 0.0 || neg <= 0.0) return 0.5;
  return area / (pos * neg);
}

}  // namespace

bool parse_metric(const std::string& name, MetricKind* out) {
  static const struct {
    const char* name;
    MetricKind kind;
  } k_names[] = {{"rmse", MetricKind::kRmse},          {"l2_root", MetricKind::kRmse},
                 {"mae", MetricKind::kMae},            {"l1", MetricKind::kMae},
                 {"logloss", MetricKind::kLogloss},    {"binary_logloss", MetricKind::kLogloss},
                 {"auc", MetricKind::kAuc},            {"error", MetricKind::kError},
                 {"binary_error", MetricKind::kError}, {"multi_logloss", MetricKind::kMultiLogloss},
                 {"mlogloss", MetricKind::kMultiLogloss}, {"multi_error", MetricKind::kMultiError},
                 {"merror", MetricKind::kMultiError},  {"poisson", MetricKind::kPoissonNll},
                 {"quantile", MetricKind::kQuantile}};
  for (const auto& e : k_names) {
    if (name == e.name) {
      *out = e.kind;
      return true;
    }
  }
  return false;
}

const char* metric_name(MetricKind kind) {
  switch (kind) {
    case MetricKind::kRmse:
      return "rmse";
    case MetricKind::kMae:
      return "mae";
    case MetricKind::kLogloss:
      return "logloss";
    case MetricKind::kAuc:
      return "auc";
    case MetricKind::kError:
      return "error";
    case MetricKind::kMultiLogloss:
      return "multi_logloss";
    case MetricKind::kMultiError:
      return "multi_error";
    case MetricKind::kPoissonNll:
      return "poisson";
    case MetricKind::kQuantile:
      return "quantile";
  }
  return "unknown";
}

bool higher_is_better(MetricKind kind) { return kind == MetricKind::kAuc; }

double evaluate_metric(MetricKind kind, const double* s, int k, const double* y, const double* w, int64_t n,
                       OutputTransform transform, double quantile_alpha, int n_threads) {
  const bool multi = kind == MetricKind::kMultiLogloss || kind == MetricKind::kMultiError;
  if (multi && k < 2) throw InvalidInput(std::string("Expected a multiclass model for metric ") + metric_name(kind));
  if (!multi && k != 1) {
    throw InvalidInput(std::string("Expected a single-output model for metric ") + metric_name(kind));
  }
  if (n <= 0) return 0.0;
  switch (kind) {
    case MetricKind::kRmse:
      return std::sqrt(weighted_average(n, w, n_threads, [&](int64_t i) {
        const double d = transformed(s[i], transform) - y[i];
        return d * d;
      }));
    case MetricKind::kMae:
      return weighted_average(n, w, n_threads, [&](int64_t i) { return std::abs(transformed(s[i], transform) - y[i]); });
    case MetricKind::kLogloss:
      return weighted_average(n, w, n_threads, [&](int64_t i) {
        const double p = std::min(1.0 - 1e-15, std::max(1e-15, sigmoid(s[i])));
        return -(y[i] * std::log(p) + (1.0 - y[i]) * std::log(1.0 - p));
      });
    case MetricKind::kError:
      return weighted_average(n, w, n_threads, [&](int64_t i) { return (s[i] > 0.0) != (y[i] > 0.5) ? 1.0 : 0.0; });
    case MetricKind::kAuc:
      return auc(s, y, w, n);
    case MetricKind::kPoissonNll:
      return weighted_average(n, w, n_threads, [&](int64_t i) { return std::exp(s[i]) - y[i] * s[i]; });
    case MetricKind::kQuantile:
      return weighted_average(n, w, n_threads, [&](int64_t i) {
        const double d = y[i] - transformed(s[i], transform);
        return d >= 0.0 ? quantile_alpha * d : (quantile_alpha - 1.0) * d;
      });
    case MetricKind::kMultiLogloss:
    case MetricKind::kMultiError:
      return weighted_average(n, w, n_threads, [&](int64_t i) {
        const double* si = s + i * k;
        const int label = static_cast<int>(y[i]);
        if (kind == MetricKind::kMultiError) {
          int best = 0;
          for (int c = 1; c < k; ++c) {
            if (si[c] > si[best]) best = c;
          }
          return best != label ? 1.0 : 0.0;
        }
        double m = si[0];
        for (int c = 1; c < k; ++c) m = std::max(m, si[c]);
        double z = 0.0;
        for (int c = 0; c < k; ++c) z += std::exp(si[c] - m);
        const double logp = si[label] - m - std::log(z);
        return -std::max(logp, std::log(1e-15));
      });
  }
  return 0.0;
}

}  // namespace ensemblekit
