// Gradient-boosted decision trees on a BinnedDataset: the training loop (gradients, row and column
// subsampling, one tree per output group per round, shrinkage, leaf re-estimation), incremental
// scores on the training rows and on validation sets (one tree walk per row and tree, in bin space),
// metric history and early stopping, cancellation and progress. The result keeps the trees (for
// importance, SHAP, serialization) and their compiled forest (for prediction).
//
// Determinism: same data, config and seed give a bit-identical model for any n_threads (the tree
// learner's contract, counter-based row sampling, seeded column sampling, blocked sums).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../data/binned_dataset.h"
#include "../parallel/work_control.h"
#include "../predict/compiled_forest.h"
#include "../tree/tree.h"
#include "../tree/tree_learner.h"
#include "metric.h"
#include "objective.h"

namespace ensemblekit {

// Options, named as in LightGBM / XGBoost; defaults are LightGBM's.
struct GbdtConfig {
  int num_rounds = 100;
  double learning_rate = 0.1;
  GrowthPolicy growth = GrowthPolicy::kLeafWise;
  int num_leaves = 31;       // leaf-wise cap
  int max_depth = -1;        // <= 0: unlimited (caps both policies)
  double lambda_l2 = 0.0;    // XGBoost lambda / LightGBM lambda_l2
  double alpha_l1 = 0.0;     // XGBoost alpha / LightGBM lambda_l1
  double min_child_weight = 1e-3;
  int64_t min_child_samples = 20;
  double min_split_gain = 0.0;
  double max_delta_step = 0.0;  // > 0: clip leaf outputs (before shrinkage)
  // Fraction of rows each round trains on (Bernoulli per row, seeded per round; 1 = all rows).
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double colsample_bynode = 1.0;
  // Monotone constraints: empty, or one per feature: +1 predictions non-decreasing in the feature,
  // -1 non-increasing, 0 free. LightGBM's "basic" method (tree/split.h): exact on every input, both
  // growth policies; categorical features must be 0. Re-estimated leaves (L1, quantile objectives)
  // are clamped to their bounds so the guarantee holds for every objective.
  std::vector<int8_t> monotone_constraints;
  // Interaction constraints: groups of feature indices. A tree path may only combine features that
  // all lie in one group; a feature in no group is not used at all (LightGBM's rule, see
  // tree/tree_learner.h). Empty: unconstrained.
  std::vector<std::vector<int>> interaction_constraints;
  // Categorical splits on the features the dataset marks categorical (BinConfig::categorical);
  // LightGBM's options and defaults, see tree/split.h.
  int max_cat_to_onehot = 4;    // one-vs-rest when a node has at most this many categories
  int max_cat_threshold = 32;   // most categories in the scanned prefix of a sorted split
  double cat_smooth = 10.0;     // ratio smoothing; categories with fewer rows join "other"
  double cat_l2 = 10.0;         // extra L2 for sorted categorical splits
  int64_t min_data_per_group = 100;  // rows per side and per group of categories added
  // Histograms from 8-bit quantized gradients (see tree/histogram.h); leaf outputs stay exact.
  bool quantized_gradients = false;
  // Memory cap for node histograms (LightGBM's histogram_pool_size); <= 0: 1 GiB.
  int64_t histogram_pool_bytes = 0;
  uint64_t seed = 0;
  int n_threads = 0;
  ObjectiveConfig objective;
  // The raw start score of every output (XGBoost's base_score, in margin space): one value for all
  // outputs or one per output. Empty: boost_from_average decides (the objective's constant, or 0).
  std::vector<double> base_score;
  // Custom objective only: trees per round (>= 1) and the transform of predict(); base score 0.
  int custom_num_outputs = 1;
  OutputTransform custom_transform = OutputTransform::kIdentity;
  // Metrics reported on validation sets; empty: the objective's default metric.
  std::vector<MetricKind> metrics;
  // A user metric on a validation set's raw scores (set index, scores n x K row-major, n, K). When
  // set it is the only metric (as XGBoost's custom_metric replaces the default one) and drives early
  // stopping; `metrics` must then be empty.
  std::function<double(int set_index, const double* scores, int64_t n, int k)> custom_metric;
  std::string custom_metric_name = "custom";
  bool custom_metric_higher_better = false;
  // > 0: stop when the first metric on the first validation set has not improved for this many
  // rounds; the model is then cut back to its best round.
  int early_stopping_rounds = 0;
  // > 0: every `verbose` rounds (and at the last), `log` receives a line with the round's metrics
  // ("[10]\tvalid-logloss:0.31234"), as LightGBM and XGBoost print them.
  int verbose = 0;
  std::function<void(const std::string&)> log;

  // Throws InvalidParameter naming the first option out of its domain.
  void validate() const;
  TreeConfig tree_config() const;
};

// A validation set binned with the training mappers (BinnedDataset::bin_matrix).
struct EvalSet {
  std::string name;
  const BinnedDataset* data = nullptr;
  const double* labels = nullptr;
  const double* weights = nullptr;  // may be null
};

// The values of one metric on one validation set, one per round trained.
struct MetricHistory {
  std::string set_name;
  MetricKind metric = MetricKind::kRmse;
  std::string custom_name;  // non-empty for the custom metric (metric is then meaningless)
  std::vector<double> values;
};

struct GbdtModel {
  int num_features = 0;
  int num_outputs = 1;  // trees per round
  std::vector<double> base_score;
  OutputTransform transform = OutputTransform::kIdentity;
  // Round-major: trees[round * num_outputs + k] fits output k. Leaf values include shrinkage.
  std::vector<Tree> trees;
  CompiledForest forest;
  int num_rounds = 0;       // rounds kept
  int best_iteration = -1;  // 0-based best round under early stopping, else the last round
  bool stopped_early = false;
  std::vector<MetricHistory> history;  // rounds actually trained (may exceed num_rounds kept)
  // Per feature, over the kept trees: number of splits and total split gain.
  std::vector<double> importance_split;
  std::vector<double> importance_gain;
};

// Trains on `train` with labels (and optional weights). `custom` replaces the built-in objective
// when non-null. Throws InvalidInput for bad labels/weights/eval sets, InvalidParameter for a bad
// config, Aborted when control is cancelled (polled between rounds and between splits); reports
// progress "boosting" once per round from the calling thread.
GbdtModel train_gbdt(const BinnedDataset& train, const double* labels, const double* weights,
                     const GbdtConfig& config, const std::vector<EvalSet>& valid = {},
                     const CustomObjectiveFn* custom = nullptr, const WorkControl& control = WorkControl::none());

}  // namespace ensemblekit
