// One decision tree as the learners build it and as importance/SHAP read it: a node array, root at
// 0, children appended as leaves are split (so node ids are creation order, parents before
// children). Prediction at scale goes through predict/compiled_forest.h; the walks here are the
// reference that the compiled layout is tested against, and the bin-space walk that boosting uses
// to update scores of rows it did not partition (validation sets, out-of-bag rows).
//
// Routing (numerical): raw x goes left iff x <= threshold; NaN goes to the default side. threshold
// is the training mapper's bin_upper_bound(threshold_bin), so "x <= threshold" is exactly
// "bin(x) <= threshold_bin" for every non-NaN x and predictions on raw values match training.
// Categorical (the categorical-split task fills these in): categories in the node's set go left,
// other categories right, NaN to the default side. The bin-space walk sends the missing bin (NaN and
// rare/unseen categories) to the default side, so that task must keep the two consistent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ensemblekit {

enum class SplitType : uint8_t { kNumerical = 0, kCategorical = 1 };

struct TreeNode {
  int32_t left = -1;  // child ids; -1 on leaves
  int32_t right = -1;
  int32_t parent = -1;
  int32_t feature = -1;
  int32_t depth = 0;
  // Numerical: raw-value threshold (x <= threshold goes left) and the training bin it came from.
  double threshold = 0.0;
  int32_t threshold_bin = 0;
  SplitType split_type = SplitType::kNumerical;
  bool default_left = true;
  // Categorical: index of this node's set in Tree::category_sets(), -1 otherwise.
  int32_t category_set = -1;
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

// A set of categories sent left at a categorical node: raw category values (for prediction on raw
// X) and the training bins (for the bin-space walk), both as bitsets.
struct CategorySet {
  std::vector<uint32_t> categories;  // bit c set: category c goes left
  std::vector<uint64_t> bins;        // bit b set: value bin b goes left (<= 256 bins: 4 words)
};

class Tree {
 public:
  // A single leaf with the given output.
  explicit Tree(double root_value = 0.0);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  int num_leaves() const { return num_leaves_; }
  const TreeNode& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  TreeNode& mutable_node(int i) { return nodes_[static_cast<size_t>(i)]; }
  const std::vector<TreeNode>& nodes() const { return nodes_; }
  const std::vector<CategorySet>& category_sets() const { return category_sets_; }
  // Deepest leaf's depth (root = 0).
  int max_depth() const;

  // Turns leaf `leaf` into a numerical split; returns the id of the new left child (right = left+1).
  // The children start as leaves with the given outputs and covers.
  int split_numerical(int leaf, int feature, int threshold_bin, double threshold, bool default_left, double gain,
                      double left_value, double right_value, double left_hess, double right_hess,
                      int64_t left_count, int64_t right_count);

  // Multiplies every node value by `factor` (shrinkage).
  void scale_values(double factor);

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
  std::vector<TreeNode> nodes_;
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
      go_left = v <= n.threshold;
    } else {
      const std::vector<uint32_t>& bits = category_sets_[static_cast<size_t>(n.category_set)].categories;
      const double word = v / 32.0;
      go_left = v >= 0.0 && word < static_cast<double>(bits.size()) && v == static_cast<double>(static_cast<int64_t>(v))
                    ? ((bits[static_cast<size_t>(v) >> 5] >> (static_cast<size_t>(v) & 31)) & 1u) != 0
                    : false;
    }
    i = go_left ? n.left : n.right;
  }
  return i;
}

}  // namespace ensemblekit
