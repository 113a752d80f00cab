// Grows one regression tree on per-row gradients over a BinnedDataset: histograms (the smaller child
// built, its sibling derived from the parent), split finding per feature, in-place row partition.
// Two growth policies: leaf-wise best-first (LightGBM: split the leaf with the largest gain until
// num_leaves) and depth-wise (XGBoost's default: every splittable leaf of a level, level by level);
// max_depth caps both. The learner is reused across the trees of a model: buffers persist.
//
// Determinism: for the same inputs the tree is bit-identical for any n_threads (histograms are
// block-reduced in a fixed order, see histogram.h; per-feature split searches are reduced in feature
// order; leaf selection breaks gain ties by node id; column sampling is seeded per node id).
//
// Categorical features (the dataset's mappers say which) split on category sets (split.h, tree.h).
// Monotone constraints follow LightGBM's "basic" method (split.h): bounds narrow at each constrained
// split and every leaf output of the subtree is clamped into them, for both growth policies.
// Interaction constraints follow LightGBM: a node may split on feature f only if some group holds f
// and every feature already used on the path from the root; a feature in no group is never used
// (LightGBM's rule; XGBoost lets such a feature split the root). Column sampling by node draws from
// the features the constraints allow at that node, as LightGBM does.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "../data/binned_dataset.h"
#include "../parallel/work_control.h"
#include "histogram.h"
#include "row_partition.h"
#include "split.h"
#include "tree.h"

namespace ensemblekit {

enum class GrowthPolicy : uint8_t { kLeafWise = 0, kDepthWise = 1 };

struct TreeConfig {
  GrowthPolicy growth = GrowthPolicy::kLeafWise;
  // Leaf-wise: most leaves a tree may have (>= 2). Depth-wise ignores it (XGBoost's depthwise has no
  // leaf cap by default either).
  int num_leaves = 31;
  // Deepest a leaf may be (root = 0); <= 0 means unlimited. Caps both policies.
  int max_depth = -1;
  SplitParams split;
  // Fraction of the tree's features each node draws (seeded by the tree seed and the node id).
  double colsample_bynode = 1.0;
  // Empty, or one per feature: +1 output non-decreasing in the feature, -1 non-increasing, 0 free.
  // Categorical features must be 0.
  std::vector<int8_t> monotone_constraints;
  // Groups of feature indices allowed to interact (empty: no constraint), see above.
  std::vector<std::vector<int>> interaction_constraints;
  // Build histograms from 8-bit quantized gradients (histogram.h): ~1.5x faster histograms; splits
  // are chosen on dequantized sums, leaf outputs and covers come from the exact gradients.
  // Falls back to float gradients for a tree whose hessians are negative or not finite.
  bool quantized_gradients = false;
  // Memory for node histograms kept for subtraction (LightGBM's histogram_pool_size); <= 0: 1 GiB.
  // When full, the histograms of pending leaves with the smallest gains are dropped and rebuilt.
  int64_t histogram_pool_bytes = 0;
  int n_threads = 0;

  // Throws InvalidParameter naming the first option out of its domain (the lengths and feature
  // indices of the constraints are checked against the data when a learner is made).
  void validate() const;
};

class TreeLearner {
 public:
  TreeLearner(const BinnedDataset& data, const TreeConfig& config);
  ~TreeLearner();

  // Grows a tree fitting `grads` (one per dataset row) on `rows` (ascending subset; null = all rows).
  // `features` (ascending) are the features the tree may split on (colsample_bytree happens in the
  // caller); trivial features are skipped. Leaf values are the unshrunk optimal outputs. `seed`
  // drives colsample_bynode. Polls control.check() between splits.
  Tree grow(const GradPair* grads, const uint32_t* rows, int64_t num_rows, const std::vector<int>& features,
            uint64_t seed, const WorkControl& control = WorkControl::none());

  // After grow(): the training rows that reached each node (leaves included) of the last tree.
  const RowPartition& partition() const { return partition_; }

  // Per feature: did the training data hold NaN (a non-empty missing bin)? Decides the default side
  // of splits on features that never saw missing values (see split.h).
  const std::vector<uint8_t>& feature_has_missing() const { return has_missing_; }

  const TreeConfig& config() const { return config_; }

  // After grow(): the output bounds of node `node` of the last tree (monotone constraints; unbounded
  // otherwise). A leaf's output lies within them; callers that re-estimate leaf outputs (L1 and
  // quantile objectives) must clamp into them to keep the model monotone.
  NodeConstraints node_constraints(int node) const;

 private:
  struct LeafState;
  int acquire_histogram();
  void release_histogram(int slot);
  GradStats* histogram(int slot) { return pool_[static_cast<size_t>(slot)].data(); }
  bool can_split(const Tree& tree, const LeafState& leaf) const;
  void evaluate(const std::vector<int>& nodes, uint64_t seed);
  // The tree features a node may split on under the interaction constraints (ascending).
  void allowed_features(const std::vector<int>& path, std::vector<int>* out) const;
  // Quantized trees: leaf outputs and node covers from the exact gradients of the partition.
  void refit_exact(Tree* tree, const GradPair* grads) const;

  const BinnedDataset& data_;
  TreeConfig config_;
  int threads_;
  HistogramBuilder builder_;
  RowPartition partition_;
  std::vector<uint8_t> has_missing_;
  // Column-major copy of the bins (features x rows) for partitioning, when it fits kColumnCopyBytes;
  // empty otherwise (the partition then reads the row-major matrix).
  BinStorage column_bins_;
  std::vector<uint8_t> usable_;       // non-trivial features
  std::vector<uint8_t> categorical_;  // per feature
  // Per categorical feature holding a category >= kMaxSplitCategory: the bins that may go left.
  std::vector<std::array<uint64_t, 4>> eligible_bins_;
  std::vector<int> eligible_index_;  // per feature: index in eligible_bins_, -1 = every bin
  std::vector<int8_t> monotone_;      // per feature (all 0 without constraints)
  // Interaction groups as per-feature membership flags (group-major); empty: unconstrained.
  std::vector<std::vector<uint8_t>> groups_;
  std::vector<int> tree_features_;
  std::vector<std::vector<GradStats>> pool_;
  std::vector<int> free_slots_;
  std::vector<LeafState> leaves_;  // by node id
  std::vector<int> open_;          // leaves with a valid pending split (current tree)
  int64_t max_slots_ = 0;          // histogram pool cap
};

}  // namespace ensemblekit
