// One decision tree as the learners build it and as importance/SHAP read it: a node array, root at
// 0, children appended as leaves are split (so node ids are creation order, parents before
// children). Prediction at scale goes through predict/compiled_forest.h; the walks here are the
// reference that the compiled layout is tested against, and the bin-space walk that boosting uses
// to update scores of rows it did not partition (validation sets, out-of-bag rows).
//
// Routing (numerical): raw x goes left iff x <= threshold; NaN goes to the default side. threshold
// is the training mapper's bin_upper_bound(threshold_bin), so "x <= threshold" is exactly
// "bin(x) <= threshold_bin" for every non-NaN x and predictions on raw values match training.
//
// Routing (categorical). Raw space: NaN goes to the default side; a value that is a non-negative
// integer c with bit c set in the node's CategorySet::categories goes left; EVERYTHING else goes
// right: other categories, categories never seen in training, negative or fractional values. Bin
// space: the missing bin goes to the default side; value bin b goes left iff bit b of
// CategorySet::bins is set.
// The trainer keeps the two walks identical for every input value by one rule: its categorical
// nodes have default_left == false, and their left set names only categories that own a value bin
// (the categories of the left bins). The missing bin holds NaN, invalid values and every category
// without a bin of its own (rare or unseen in training); in raw space all of those fail the bitset
// test and go right, which is where the bin-space walk sends the missing bin. When the learned split
// wants the missing bin on the other side, the learner names that side "right" instead (it swaps the
// two sides, see split.h), so the missing bin's learned side is kept without a second bitset.
// Trees from importers may set default_left on a categorical node: NaN then goes left while unknown
// categories still go right, which is the usual convention of those formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "../memory.h"

namespace ensemblekit {

enum class SplitType : uint8_t { kNumerical = 0, kCategorical = 1 };

// Importers only (trainers keep the defaults): the reading rules of other libraries' nodes, so an
// imported tree routes every input exactly as the library that trained it.
// Numerical nodes: which values take the default side.
enum class MissingRule : uint8_t {
  kNaN = 0,        // NaN only (ours, XGBoost, LightGBM missing type NaN)
  kNaNOrZero = 1,  // NaN and |x| <= kZeroThreshold (LightGBM missing type Zero)
};
// Categorical nodes: how a raw value becomes a category id (values that give no id go right).
enum class CategoryRule : uint8_t {
  kExact = 0,           // ours: only a non-negative integer value is a category
  kTruncate = 1,        // LightGBM: int(x) (toward zero), valid when -1 < x < 2^31
  kTruncateFloat32 = 2, // XGBoost: int(float(x)), valid when 0 <= float(x) < 2^24
};
// LightGBM's zero band for MissingRule::kNaNOrZero (its kZeroThreshold, a float widened to double).
constexpr double kZeroThreshold = static_cast<double>(1e-35f);

// The category id of raw value v under `rule`, or -1 when v names no category.
inline int64_t category_of(double v, CategoryRule rule) {
  switch (rule) {
    case CategoryRule::kExact:
      return v >= 0.0 && v < 4294967296.0 && v == static_cast<double>(static_cast<int64_t>(v)) ? static_cast<int64_t>(v) : -1;
    case CategoryRule::kTruncate:
      return v > -1.0 && v < 2147483648.0 ? static_cast<int64_t>(v) : -1;
    case CategoryRule::kTruncateFloat32: {
      const float f = static_cast<float>(v);
      return f >= 0.0f && f < 16777216.0f ? static_cast<int64_t>(f) : -1;
    }
  }
  return -1;
}

// Field order keeps the struct free of padding (72 bytes): models hold one per node, forests
// hundreds of thousands per tree.
struct TreeNode {
  int32_t left = -1;  // child ids; -1 on leaves
  int32_t right = -1;
  int32_t parent = -1;
  int32_t feature = -1;
  int32_t depth = 0;
  // Categorical: index of this node's set in Tree::category_sets(), -1 otherwise.
  int32_t category_set = -1;
  // Numerical: raw-value threshold (x <= threshold goes left) and the training bin it came from.
  double threshold = 0.0;
  int32_t threshold_bin = 0;
  SplitType split_type = SplitType::kNumerical;
  bool default_left = true;
  // Imported nodes only (see MissingRule / CategoryRule above).
  MissingRule missing_rule = MissingRule::kNaN;
  CategoryRule category_rule = CategoryRule::kExact;
  // Leaves: the output added to the raw score (shrinkage included). Internal nodes: the output the
  // node had as a leaf before it was split (SHAP's and Saabas' node expectations need it).
  double value = 0.0;
  // Internal nodes: the split's loss reduction (gain importance).
  double gain = 0.0;
  // Cover: the training rows (count) and their hessian sum that reached the node.
  double sum_hess = 0.0;
  int64_t count = 0;

  bool is_leaf() const { return left < 0; }
};
static_assert(sizeof(TreeNode) == 72, "TreeNode gained padding: keep its fields in size order");

// A set of categories sent left at a categorical node: raw category values (for prediction on raw
// X) and the training bins (for the bin-space walk), both as bitsets.
// The raw bitset is sized by the largest category it holds (largest / 32 + 1 words), like
// LightGBM's: category ids should be small integers (0..n-1), not hashes. The trainer never puts a
// category >= kMaxSplitCategory (split.h) in a set, so its bitsets stay <= 128 KiB.
struct CategorySet {
  std::vector<uint32_t> categories;  // bit c set: category c goes left
  std::vector<uint64_t> bins;        // bit b set: value bin b goes left (<= 256 bins: 4 words)
};

// A tree's node array: large ones (a full-depth forest tree) get huge pages (memory.h).
using TreeNodes = NodeArray<TreeNode>;

class Tree {
 public:
  // A single leaf with the given output.
  explicit Tree(double root_value = 0.0);
  // Back to a single leaf with the given output, keeping the node array's capacity (a learner that
  // grows tree after tree in the same warm memory).
  void clear(double root_value = 0.0);
  // An exact-size copy whose nodes come from `alloc` (a forest keeps its trees in a NodeSlab).
  Tree copy_with(const HugePageAllocator<TreeNode>& alloc) const;

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  int num_leaves() const { return num_leaves_; }
  const TreeNode& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  TreeNode& mutable_node(int i) { return nodes_[static_cast<size_t>(i)]; }
  const TreeNodes& nodes() const { return nodes_; }
  const std::vector<CategorySet>& category_sets() const { return category_sets_; }
  // Deepest leaf's depth (root = 0).
  int max_depth() const;

  // Turns leaf `leaf` into a numerical split; returns the id of the new left child (right = left+1).
  // The children start as leaves with the given outputs and covers.
  int split_numerical(int leaf, int feature, int threshold_bin, double threshold, bool default_left, double gain,
                      double left_value, double right_value, double left_hess, double right_hess,
                      int64_t left_count, int64_t right_count);

  // Turns leaf `leaf` into a categorical split: categories (and bins) in `set` go left, NaN to the
  // default side, everything else right (see the routing rules above). Returns the new left child.
  int split_categorical(int leaf, int feature, CategorySet set, bool default_left, double gain, double left_value,
                        double right_value, double left_hess, double right_hess, int64_t left_count,
                        int64_t right_count);

  // Multiplies every node value by `factor` (shrinkage).
  void scale_values(double factor);

  // Room for `nodes` nodes without regrowth (a learner that can estimate its tree's size).
  void reserve(int nodes) { nodes_.reserve(static_cast<size_t>(nodes)); }

  // Reference walk on one raw row (x[feature] for every feature the tree uses). Returns the leaf id.
  template <class T>
  int leaf_index(const T* x) const;
  template <class T>
  double predict(const T* x) const {
    return nodes_[static_cast<size_t>(leaf_index(x))].value;
  }

  // Walk on one row of bins (uint8 per feature, as BinnedDataset stores it) using the training
  // mappers' bins: missing_bins[f] routes to the default side. Returns the leaf id.
  int leaf_index_binned(const uint8_t* bins, const int* missing_bins) const;

 private:
  TreeNodes nodes_;
  std::vector<CategorySet> category_sets_;
  int num_leaves_ = 1;
};

template <class T>
int Tree::leaf_index(const T* x) const {
  int i = 0;
  while (!nodes_[static_cast<size_t>(i)].is_leaf()) {
    const TreeNode& n = nodes_[static_cast<size_t>(i)];
    const double v = static_cast<double>(x[n.feature]);
    bool go_left;
    if (v != v) {
      go_left = n.default_left;
    } else if (n.split_type == SplitType::kNumerical) {
      go_left = n.missing_rule == MissingRule::kNaNOrZero && v >= -kZeroThreshold && v <= kZeroThreshold
                    ? n.default_left
                    : v <= n.threshold;
    } else {
      const std::vector<uint32_t>& bits = category_sets_[static_cast<size_t>(n.category_set)].categories;
      const int64_t c = category_of(v, n.category_rule);
      go_left = c >= 0 && static_cast<uint64_t>(c >> 5) < bits.size()
                    ? ((bits[static_cast<size_t>(c) >> 5] >> (static_cast<size_t>(c) & 31)) & 1u) != 0
                    : false;
    }
    i = go_left ? n.left : n.right;
  }
  return i;
}

}  // namespace ensemblekit
