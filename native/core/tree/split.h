// Split evaluation on a node's histogram: the second-order gain with L1/L2 regularisation (as
// XGBoost and LightGBM define it), the child constraints, learned missing-value direction, and the
// leaf output formula. Written so that the later constraint task slots in without new plumbing:
// NodeConstraints bounds the outputs (monotone constraints narrow it per node; gains are then taken
// at the clamped outputs), and SplitInfo can carry a category bitset for categorical splits.
//
// Gain. For sums (G, H) of a child, T = ThresholdL1(G, alpha) = sign(G) max(|G| - alpha, 0) and
// w = clamp(-T / (H + lambda)) (clamped to +-max_delta_step when > 0, then to the node's bounds); the
// child's score is -(2 T w + (H + lambda) w^2), which is T^2 / (H + lambda) when nothing clamps. A
// split's gain is score(L) + score(R) - score(parent); it must exceed min_split_gain (strictly, as
// LightGBM's min_gain_to_split), and each child needs count >= max(1, min_child_samples) and hessian
// sum >= min_child_weight. No factor 1/2, as in both references, so min_split_gain means the same.
//
// Missing values (the feature's missing bin: NaN, and rare categories for categorical features):
//  - node has missing rows: both sides are tried, missing-left first; missing-right must be strictly
//    better (LightGBM's tie rule). Thresholds run over every value bin, so "all values | NaN" is a
//    candidate (default_left = false), as in both references.
//  - feature had NaN in training but none reach this node: default_left = true (LightGBM's rule:
//    its missing-left scan is first and wins ties).
//  - feature had no NaN anywhere in training: the learner sets default_left to the side where 0.0
//    falls (x = 0 <= threshold), which is what LightGBM does for such features (it predicts NaN as 0).
#pragma once

#include <array>
#include <cstdint>
#include <limits>

#include "histogram.h"
#include "tree.h"

namespace ensemblekit {

struct SplitParams {
  double lambda_l2 = 0.0;
  double alpha_l1 = 0.0;
  double min_child_weight = 1e-3;
  int64_t min_child_samples = 20;
  double min_split_gain = 0.0;
  // > 0: leaf outputs are clipped to [-max_delta_step, max_delta_step] before shrinkage.
  double max_delta_step = 0.0;
};

// Bounds on the outputs of a node's children (monotone constraints narrow them per node).
struct NodeConstraints {
  double min_output = -std::numeric_limits<double>::infinity();
  double max_output = std::numeric_limits<double>::infinity();
  bool unbounded() const {
    return min_output == -std::numeric_limits<double>::infinity() &&
           max_output == std::numeric_limits<double>::infinity();
  }
};

struct SplitInfo {
  int feature = -1;
  SplitType type = SplitType::kNumerical;
  // Numerical: rows with bin <= threshold_bin go left (missing bin: default side).
  int threshold_bin = 0;
  bool default_left = true;
  // Loss reduction of the split (already known to exceed min_split_gain).
  double gain = -std::numeric_limits<double>::infinity();
  GradStats left, right;
  double left_output = 0.0;
  double right_output = 0.0;
  // Categorical: the value bins going left (bins < 256, one bit each).
  std::array<uint64_t, 4> left_bins{};

  bool valid() const { return feature >= 0; }
  // Higher gain wins; equal gains go to the lower feature index, so the winner does not depend on
  // the order in which (parallel) feature evaluations finish.
  bool better_than(const SplitInfo& o) const {
    if (!valid()) return false;
    if (!o.valid()) return true;
    return gain > o.gain || (gain == o.gain && feature < o.feature);
  }
};

inline double threshold_l1(double g, double alpha) {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0.0;
}

// The output of a leaf with sums (grad, hess): -ThresholdL1(G) / (H + lambda), clipped.
double leaf_output(double grad, double hess, const SplitParams& p, const NodeConstraints& c);
// The score -(2 T w + (H + lambda) w^2) of a leaf with output w (see the header comment).
double leaf_score_given_output(double grad, double hess, const SplitParams& p, double w);
// The score of a leaf at its (clipped) optimal output.
double leaf_score(double grad, double hess, const SplitParams& p, const NodeConstraints& c);

// Scans one numerical feature's histogram slice hist[0 .. num_bins) (missing bin last) of a node
// with sums `node` and score `parent_score`, and replaces *best when it finds a better split
// (gain and outputs filled in).
void find_best_numerical_split(const GradStats* hist, int num_bins, int feature, const GradStats& node,
                               double parent_score, const SplitParams& p, const NodeConstraints& c,
                               SplitInfo* best);

}  // namespace ensemblekit
