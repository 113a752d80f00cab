// Evaluation metrics for boosting (validation history, early stopping). Every metric takes raw
// scores (n x K row-major) and applies the model's output transform itself, so the trainer can keep
// raw margins only. Weighted where weights are given; sums are blocked in a fixed order so values
// do not depend on the thread count.
#pragma once

#include <cstdint>
#include <string>

#include "../predict/compiled_forest.h"

namespace ensemblekit {

enum class MetricKind : uint8_t {
  kRmse = 0,
  kMae = 1,
  kLogloss = 2,       // binary cross-entropy of sigmoid(score)
  kAuc = 3,           // binary ROC AUC, ties counted half
  kError = 4,         // binary error rate at probability 0.5
  kMultiLogloss = 5,  // softmax cross-entropy
  kMultiError = 6,    // argmax != label
  kPoissonNll = 7,    // mu - y log(mu), mu = exp(score) (LightGBM's "poisson", without log(y!))
  kQuantile = 8,      // pinball loss at the objective's alpha
};

// Parses rmse, mae (l1), logloss (binary_logloss), auc, error (binary_error), multi_logloss
// (mlogloss), multi_error (merror), poisson, quantile.
bool parse_metric(const std::string& name, MetricKind* out);
const char* metric_name(MetricKind kind);
bool higher_is_better(MetricKind kind);

// The metric over n rows. scores: raw margins, n x k row-major; transform: the model's output
// transform (rmse/mae compare transform(score) with y). quantile_alpha is for kQuantile only.
// Throws InvalidInput when the metric does not fit k (binary metrics need k == 1, multi need k >= 2).
double evaluate_metric(MetricKind kind, const double* scores, int k, const double* labels, const double* weights,
                       int64_t n, OutputTransform transform, double quantile_alpha = 0.5, int n_threads = 0);

}  // namespace ensemblekit
