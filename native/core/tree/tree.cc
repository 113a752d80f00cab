#include "tree.h"

#include <algorithm>

namespace ensemblekit {

Tree::Tree(double root_value) {
  nodes_.emplace_back();
  nodes_.back().value = root_value;
}

int Tree::max_depth() const {
  int d = 0;
  for (const TreeNode& n : nodes_) d = std::max(d, n.depth);
  return d;
}

int Tree::split_numerical(int leaf, int feature, int threshold_bin, double threshold, bool default_left, double gain,
                          double left_value, double right_value, double left_hess, double right_hess,
                          int64_t left_count, int64_t right_count) {
  const int left = num_nodes();
  TreeNode l, r;
  l.parent = r.parent = leaf;
  l.depth = r.depth = nodes_[static_cast<size_t>(leaf)].depth + 1;
  l.value = left_value;
  r.value = right_value;
  l.sum_hess = left_hess;
  r.sum_hess = right_hess;
  l.count = left_count;
  r.count = right_count;
  nodes_.push_back(l);
  nodes_.push_back(r);
  TreeNode& p = nodes_[static_cast<size_t>(leaf)];
  p.left = left;
  p.right = left + 1;
  p.feature = feature;
  p.threshold_bin = threshold_bin;
  p.threshold = threshold;
  p.split_type = SplitType::kNumerical;
  p.default_left = default_left;
  p.gain = gain;
  ++num_leaves_;
  return left;
}

void Tree::scale_values(double factor) {
  for (TreeNode& n : nodes_) n.value *= factor;
}

int Tree::leaf_index_binned(const uint8_t* bins, const int* missing_bins) const {
  int i = 0;
  while (!nodes_[static_cast<size_t>(i)].is_leaf()) {
    const TreeNode& n = nodes_[static_cast<size_t>(i)];
    const int b = bins[n.feature];
    bool go_left;
    if (b == missing_bins[n.feature]) {
      go_left = n.default_left;
    } else if (n.split_type == SplitType::kNumerical) {
      go_left = b <= n.threshold_bin;
    } else {
      const std::vector<uint64_t>& bits = category_sets_[static_cast<size_t>(n.category_set)].bins;
      go_left = ((bits[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1u) != 0;
    }
    i = go_left ? n.left : n.right;
  }
  return i;
}

}  // namespace ensemblekit
