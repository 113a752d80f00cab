// Random forests, extra trees and single decision trees (scikit-learn's RandomForest*, ExtraTrees*,
// DecisionTree*): trees grown by forest_tree_learner.h on one shared BinnedDataset, in parallel
// across threads (each tree on one thread, trees handed out dynamically), averaged at prediction
// through the compiled forest.
//
// Determinism: one seed per tree is derived from the forest's seed up front (tree t's seed depends on
// (seed, t) only), and every draw of a tree (bootstrap, features, thresholds) comes from it, so the
// model is identical for any thread count and any assignment of trees to threads. Reductions over
// trees (importances, out-of-bag sums) run in tree order.
//
// Bootstrap as scikit-learn: num_bootstrap row indices drawn uniformly with replacement; the count of
// each row multiplies its sample weight; rows drawn zero times are the tree's out-of-bag rows.
//
// Compiled layout: regression and two classes use one output group and leaf value v / num_trees
// (two classes: v = P(class 1)), so the group sum is the forest average. With K > 2 classes each tree
// is compiled K times, once per class (output group k, leaf value P(class k) / num_trees): simple and
// exact; multi-output leaves (one walk per tree for all K values) would be faster and are left for
// later.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../data/binned_dataset.h"
#include "../parallel/work_control.h"
#include "../predict/compiled_forest.h"
#include "forest_tree_learner.h"

namespace ensemblekit {

struct ForestConfig {
  ForestTreeParams tree;
  int num_trees = 100;
  bool bootstrap = true;
  // Rows drawn per bootstrap sample; <= 0 means the number of rows.
  int64_t num_bootstrap = 0;
  // Out-of-bag predictions (needs bootstrap).
  bool oob = false;
  uint64_t seed = 0;
  // <= 0: the default budget. Never changes the result.
  int n_threads = 0;

  void validate(int64_t num_features) const;
};

struct ForestModel {
  int num_features = 0;
  // Classes (classification) or 0 (regression).
  int num_classes = 0;
  std::vector<Tree> trees;
  // Classification: per tree, num_nodes x num_classes class frequencies (see ForestTree).
  std::vector<NodeArray<double>> distributions;
  CompiledForest forest;
  // scikit-learn's feature_importances_: per tree impurity decrease / root weight, normalised to sum
  // 1, averaged over the trees that split at least once, normalised again. All zero when none splits.
  std::vector<double> importances;
  // Out-of-bag: rows x outputs (class frequencies averaged over the trees the row was out of bag for,
  // or the mean prediction); NaN rows were in every tree's bootstrap. Empty unless requested.
  std::vector<double> oob;
  int oob_outputs = 0;

  // Outputs per row of predict(): 1 for regression and two classes, K for K > 2 classes.
  int num_outputs() const { return num_classes > 2 ? num_classes : 1; }
};

// Trains a forest. labels (classification, class indices 0..K-1) or targets (regression) has one
// entry per row; sample_weight may be null (all 1), zero-weight rows are left out of every tree.
// Throws InvalidParameter / InvalidInput on bad arguments, Aborted when control is cancelled
// (polled per tree and every few hundred nodes). Reports progress per finished tree ("trees").
ForestModel train_forest(const BinnedDataset& data, const int32_t* labels, const double* targets,
                         const double* sample_weight, const ForestConfig& config,
                         const WorkControl& control = WorkControl::none());

// A model from its trees (JSON form): checks the class frequencies, compiles the trees and
// recomputes the importances, on n_threads. For classification `distributions` holds one
// num_nodes x num_classes array per tree. Training passes each tree's normalised importances in
// per_tree (trusted input: nothing is checked or recomputed).
// One tree's normalised importances as (feature, value) pairs (forest.cc).
using SparseImportances = std::vector<std::pair<int, double>>;

ForestModel forest_model_from_trees(int num_features, int num_classes, std::vector<Tree> trees,
                                    std::vector<NodeArray<double>> distributions, int n_threads = 0,
                                    std::vector<SparseImportances> per_tree = {});

}  // namespace ensemblekit
