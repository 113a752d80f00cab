// Split evaluation on a node's histogram: the second-order gain with L1/L2 regularisation (as
// XGBoost and LightGBM define it), the child constraints, learned missing-value direction, the leaf
// output formula, monotone constraints and categorical splits.
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
//
// Monotone constraints (LightGBM's "basic" method). NodeConstraints bounds every output of a node's
// subtree; a candidate split on a feature constrained +1 (-1) is rejected unless its (clamped) left
// output is <= (>=) its right output, and its gain is taken at the clamped outputs. After such a
// split the learner narrows the children's bounds at the midpoint of the two outputs (left max / right
// min for +1, the reverse for -1), so every leaf left of the split stays <= every leaf right of it.
//
// Categorical splits (LightGBM's method; the "other" group below is our addition). The value bins of
// a categorical feature are categories in no particular order; a split sends a SET of them left.
//  - "Other": the missing bin (NaN, rare and unseen categories) plus the categories the search
//    cannot place (sorted mode: fewer than cat_smooth rows at the node). They always travel together.
//  - One-vs-rest when the node has at most max_cat_to_onehot non-empty value bins (LightGBM counts
//    the feature's bins instead; counting the node's is what makes the rule mean "few categories
//    here"): candidates {c} | everything else for each non-empty c, and, when "other" has rows,
//    all values | other. Plain lambda_l2.
//  - Otherwise the categories with >= cat_smooth rows are sorted by G / (H + cat_smooth) (ties by
//    bin) and prefixes of at most min(max_cat_threshold, (n + 1) / 2) categories are scanned from
//    both ends, each with "other" on the far side and, when it has rows, also joining the prefix
//    (so the missing bin's side is learned). lambda_l2 + cat_l2 for the children's scores and
//    outputs (the parent term keeps lambda_l2, as LightGBM); each side needs min_data_per_group
//    rows, and a prefix is only evaluated once the categories added since the last evaluated prefix
//    hold min_data_per_group rows (LightGBM's grouping).
//  - The result is normalised so that "other" is always on the right: left_bins holds the
//    categories of the other side (non-empty at this node), default_left = false. Everything not in
//    left_bins, including categories absent at this node, then goes right in bin space and in raw
//    space alike (see tree.h for why this keeps raw and binned predictions identical).
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
  // Categorical splits (LightGBM's names and defaults; see the header comment).
  int max_cat_to_onehot = 4;
  int max_cat_threshold = 32;
  double cat_smooth = 10.0;
  double cat_l2 = 10.0;
  int64_t min_data_per_group = 100;
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
  // L2 added to lambda_l2 for the outputs of this split (cat_l2 for sorted categorical splits).
  double extra_l2 = 0.0;

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
// (gain and outputs filled in). `monotone` (-1, 0, +1) is the feature's monotone constraint.
void find_best_numerical_split(const GradStats* hist, int num_bins, int feature, const GradStats& node,
                               double parent_score, const SplitParams& p, const NodeConstraints& c,
                               SplitInfo* best, int monotone = 0);

// Same for a categorical feature (see the header comment): the split found has type kCategorical,
// left_bins set and default_left = false. `eligible` (null: all) marks the value bins that may be
// named in left_bins; the others are placed with "other" (the learner uses it to keep raw bitsets
// small, see kMaxSplitCategory).
void find_best_categorical_split(const GradStats* hist, int num_bins, int feature, const GradStats& node,
                                 double parent_score, const SplitParams& p, const NodeConstraints& c,
                                 SplitInfo* best, const std::array<uint64_t, 4>* eligible = nullptr);

// Categories >= this never appear in a split's left set (they travel with "other", like rare ones):
// raw bitsets are sized by their largest category, so this caps one at 128 KiB. Ids should be small
// integers anyway (LightGBM gives the same advice); hashes and database keys should be re-coded.
constexpr int kMaxSplitCategory = 1 << 20;

}  // namespace ensemblekit
