// One CART tree grown for a forest (random forest, extra trees, a single decision tree) on the shared
// BinnedDataset, with scikit-learn's semantics (sklearn/tree/_tree.pyx, _splitter.pyx, _criterion.pyx)
// carried over to bins:
//
//  - criteria: gini and entropy (log2) on per-class weighted counts, squared error (variance) and
//    absolute error (deviation from the weighted median) for regression. A split maximises the proxy
//    -(W_L * impurity_L + W_R * impurity_R), i.e. it minimises the children's weighted impurity
//    (gini's decrease is the squared-error gain of one-hot class indicators);
//  - stopping: max_depth, min_samples_split (taken as max(min_samples_split, 2 * min_samples_leaf)),
//    min_samples_leaf (both count distinct rows, as scikit-learn counts the non-zero-weight samples
//    of a bootstrap), a pure node, and min_impurity_decrease on scikit-learn's weighted decrease
//    (W_t / W) * (imp - W_R / W_t * imp_R - W_L / W_t * imp_L);
//  - max_leaf_nodes: best-first growth (the leaf with the largest weighted impurity decrease is split
//    next), otherwise depth-first;
//  - max_features per node: candidate features are drawn FIRST (without replacement, skipping the
//    features already known constant in an ancestor) and only those get a histogram; when every
//    drawn feature is constant in the node, drawing goes on one at a time until a non-constant one is
//    found or none is left (scikit-learn's loop). A drawn feature without a valid split (too few rows
//    on a side) does not trigger more draws, as in scikit-learn;
//  - extra trees: one threshold per candidate feature, uniform over the bins between the node's
//    smallest and largest non-missing bin;
//  - missing values (the missing bin): every threshold is tried with the missing rows on the left and
//    on the right, and "missing vs the rest" is a candidate too; a node whose rows have no missing
//    value in the split feature sends NaN to the child with more rows (scikit-learn >= 1.3's rule).
//
// Thresholds: a split between the non-empty bins a < b of the node uses the bin halfway between them
// (a + (b - a - 1) / 2), so the raw threshold falls in the gap as scikit-learn's midpoint does.
//
// Speed: the tree copies its sample's bins once into a node-ordered, column-major store (one byte
// column per feature, plus the labels as a byte column for up to 256 classes) and moves every
// column with the rows when a node splits (a stable partition by simd/forest_kernels.h: 8 rows per
// shuffle on AVX2, 64 per vpcompressb on AVX-512, one permutation per column for a node of <= 32
// or <= 64 rows), so a node's rows are one contiguous run of bytes in each column. The few
// drawn features of a node are then scanned as contiguous bytes instead of one scattered row (a
// cache miss) per row and feature of the shared matrix; deep nodes, most of a full-depth tree, fit
// in L1. Only the non-empty bins are scanned: a feature's histogram marks the bins it touches in a
// 256-bit map and reads them back in order, clearing them behind, so a node with a handful of rows
// neither sorts nor clears 256 bins. Gini, the usual criterion, scans with the class count fixed
// at compile time; extra trees with two classes and unit weights get the range, the threshold draw
// and the counts from one kernel call. Children at max_depth (a stump's) do not move their rows. A
// tree is grown on one thread in the learner's warm arrays, then copied at its exact size into the
// learner's NodeSlab (memory.h); forests run trees in parallel (forest.h). Memory per learner: the
// store (rows x (features + 1) bytes), a transposed copy of the dataset when trees take every row,
// 8 bytes per row of scratch, and the growing tree and its node states.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../data/binned_dataset.h"
#include "../parallel/work_control.h"
#include "../tree/tree.h"

namespace ensemblekit {

enum class ForestCriterion : uint8_t { kGini = 0, kEntropy = 1, kSquaredError = 2, kAbsoluteError = 3 };

inline bool is_classification(ForestCriterion c) { return c == ForestCriterion::kGini || c == ForestCriterion::kEntropy; }

struct ForestTreeParams {
  ForestCriterion criterion = ForestCriterion::kGini;
  // Classification: number of classes (labels are 0 .. num_classes-1). Ignored for regression.
  int num_classes = 2;
  // Deepest a leaf may be (root = 0); < 0: unlimited.
  int max_depth = -1;
  int64_t min_samples_split = 2;
  int64_t min_samples_leaf = 1;
  // > 1: best-first growth up to this many leaves; <= 0: unlimited (depth-first).
  int max_leaf_nodes = 0;
  // Candidate features per node, 1 .. num_features.
  int max_features = 1;
  double min_impurity_decrease = 0.0;
  bool extra_trees = false;

  // Throws InvalidParameter for a value outside its domain.
  void validate(int64_t num_features) const;
};

// The training inputs shared (read-only) by all trees of a forest.
struct ForestInput {
  const BinnedDataset* data = nullptr;
  // Classification: class index per row. Regression: nullptr.
  const int32_t* labels = nullptr;
  // Regression: target per row. Classification: nullptr.
  const double* targets = nullptr;
};

// A grown tree. Node values: regression, the mean (squared error) or weighted median (absolute
// error); classification, P(class 1) (meaningful for two classes). `distribution` holds, for
// classification, the weighted class frequencies of every node (num_nodes x num_classes, each row
// summing to 1); it is empty for regression. Node gain = W_t * imp_t - W_L * imp_L - W_R * imp_R
// (the unnormalised impurity decrease, scikit-learn's importance term), sum_hess = W_t (weighted
// rows), count = distinct rows.
struct ForestTree {
  Tree tree;
  NodeArray<double> distribution;
};

// Grows trees one after another on the calling thread, keeping its buffers (the node-ordered store,
// histograms) between trees: a forest keeps one learner per thread.
class ForestTreeLearner {
 public:
  ForestTreeLearner(const ForestInput& input, const ForestTreeParams& params);
  ~ForestTreeLearner();
  ForestTreeLearner(const ForestTreeLearner&) = delete;
  ForestTreeLearner& operator=(const ForestTreeLearner&) = delete;

  // See grow_forest_tree.
  ForestTree grow(const double* weights, const uint32_t* rows, int64_t num_rows, uint64_t seed,
                  const WorkControl& control = WorkControl::none());

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Grows one tree on `rows` (ascending, each with weights[row] > 0); weights has one entry per row
// of the dataset (bootstrap counts times sample weights). `seed` fixes every random draw (feature
// sampling, extra-trees thresholds), so the tree does not depend on the thread that grows it. Polls
// control between nodes (throws Aborted).
ForestTree grow_forest_tree(const ForestInput& input, const ForestTreeParams& params, const double* weights,
                            const uint32_t* rows, int64_t num_rows, uint64_t seed,
                            const WorkControl& control = WorkControl::none());

}  // namespace ensemblekit
