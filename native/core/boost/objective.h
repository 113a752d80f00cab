// Loss functions for gradient boosting: per-row gradient and hessian of the loss at the current raw
// scores (sample weights folded in), the constant start score (LightGBM's boost_from_average), the
// output transform, and optional leaf re-estimation. Formulas and defaults follow LightGBM
// (src/objective/*) so results can be checked against it; differences are noted per objective.
//
// Layout: raw scores are row-major n x K (K = num_outputs(): 1, or num_class for softmax);
// gradients are written class-major, K arrays of n GradPair, so each class's tree reads a contiguous
// array.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../predict/compiled_forest.h"
#include "../tree/histogram.h"

namespace ensemblekit {

enum class ObjectiveKind : uint8_t {
  kSquaredError = 0,   // 1/2 (s - y)^2
  kAbsoluteError = 1,  // |s - y|, leaves re-estimated as the weighted median of residuals
  kHuber = 2,          // quadratic within huber_delta, linear beyond
  kQuantile = 3,       // pinball loss at quantile_alpha, leaves re-estimated as that quantile
  kPoisson = 4,        // log link, y >= 0
  kBinaryLogloss = 5,  // y in [0, 1] (0/1, or soft labels), sigmoid link
  kMulticlass = 6,     // softmax over num_class outputs, y in {0, .., num_class - 1}
};

struct ObjectiveConfig {
  ObjectiveKind kind = ObjectiveKind::kSquaredError;
  // Huber's transition point (LightGBM's `alpha` for huber, default 0.9).
  double huber_delta = 0.9;
  // Quantile to fit (LightGBM's `alpha` for quantile, default 0.9).
  double quantile_alpha = 0.9;
  // Poisson: the hessian is exp(score + this), a safeguard against huge first steps
  // (LightGBM's poisson_max_delta_step, default 0.7).
  double poisson_max_delta_step = 0.7;
  // Multiclass: number of classes (>= 2). Ignored otherwise.
  int num_class = 1;
  // Start from the loss-minimising constant (mean, log-odds, log-mean, median, quantile, log prior)
  // instead of 0.
  bool boost_from_average = true;

  void validate() const;
};

// Parses "regression"/"squared_error"/"l2", "l1"/"absolute_error"/"mae", "huber", "quantile",
// "poisson", "binary", "multiclass"/"softmax"; false for anything else.
bool parse_objective(const std::string& name, ObjectiveKind* out);
const char* objective_name(ObjectiveKind kind);

class Objective {
 public:
  virtual ~Objective() = default;
  virtual ObjectiveKind kind() const = 0;
  // Trees per boosting round (output groups).
  virtual int num_outputs() const { return 1; }
  virtual OutputTransform transform() const { return OutputTransform::kIdentity; }
  // Name of the metric reported when none is asked for (metric.h).
  virtual const char* default_metric() const = 0;
  // Throws InvalidInput naming the first label outside the objective's domain.
  virtual void check_labels(const double* labels, int64_t n) const;
  // The start score of each output (weights may be null). Only called with boost_from_average.
  virtual std::vector<double> init_score(const double* labels, const double* weights, int64_t n,
                                         int n_threads) const = 0;
  // grads[k * n + i] for raw scores[i * K + k].
  virtual void gradients(const double* scores, const double* labels, const double* weights, int64_t n, GradPair* grads,
                         int n_threads) const = 0;
  // Leaf re-estimation after a tree is grown (before shrinkage): true when leaf_output() applies.
  virtual bool renews_leaves() const { return false; }
  // The new (unshrunk) output of a leaf holding `rows`, given the scores before this tree (K = 1).
  virtual double renew_leaf(const uint32_t* rows, int64_t count, const double* scores, const double* labels,
                            const double* weights) const;
};

std::unique_ptr<Objective> make_objective(const ObjectiveConfig& config);

// A user-supplied loss (the addon bridges a JS function): given raw scores (n x K row-major) fill
// grad and hess (n x K row-major). Weights are not applied by the trainer: the function owns them.
using CustomObjectiveFn =
    std::function<void(const double* scores, int64_t n, int num_outputs, float* grad, float* hess)>;

// Weighted quantile of values (weights may be null): the alpha-quantile with linear interpolation
// between order statistics when unweighted (numpy's default), the smallest value whose cumulative
// weight reaches alpha of the total when weighted. Reorders `values` (and `weights`).
double weighted_quantile(std::vector<double>& values, std::vector<double>* weights, double alpha);

}  // namespace ensemblekit
