#include "tree.h"

#include <algorithm>
#include <utility>

namespace ensemblekit {

Tree::Tree(double root_value) {
  nodes_.emplace_back();
  nodes_.back().value = root_value;
}

void Tree::clear(double root_value) {
  nodes_.clear();
  nodes_.emplace_back();
  nodes_.back().value = root_value;
  category_sets_.clear();
  num_leaves_ = 1;
}

Tree Tree::copy_with(const HugePageAllocator<TreeNode>& alloc) const {
  Tree out;
  out.nodes_ = TreeNodes(alloc);
  out.nodes_.reserve(nodes_.size());
  out.nodes_.insert(out.nodes_.end(), nodes_.begin(), nodes_.end());
  out.category_sets_ = category_sets_;
  out.num_leaves_ = num_leaves_;
  return out;
}

int Tree::max_depth() const {
  int d = 0;
  for (const TreeNode& n : nodes_) d = std::max(d, n.depth);
  return d;
}

namespace {

// Appends the two children of `leaf` (leaves with the given outputs and covers).
void add_children(TreeNodes* nodes, int leaf, double left_value, double right_value, double left_hess,
                  double right_hess, int64_t left_count, int64_t right_count) {
  TreeNode l, r;
  l.parent = r.parent = leaf;
  l.depth = r.depth = (*nodes)[static_cast<size_t>(leaf)].depth + 1;
  l.value = left_value;
  r.value = right_value;
  l.sum_hess = left_hess;
  r.sum_hess = right_hess;
  l.count = left_count;
  r.count = right_count;
  nodes->push_back(l);
  nodes->push_back(r);
}

}  // namespace

int Tree::split_numerical(int leaf, int feature, int threshold_bin, double threshold, bool default_left, double gain,
                          double left_value, double right_value, double left_hess, double right_hess,
                          int64_t left_count, int64_t right_count) {
  const int left = num_nodes();
  add_children(&nodes_, leaf, left_value, right_value, left_hess, right_hess, left_count, right_count);
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

int Tree::split_categorical(int leaf, int feature, CategorySet set, bool default_left, double gain, double left_value,
                            double right_value, double left_hess, double right_hess, int64_t left_count,
                            int64_t right_count) {
  const int left = num_nodes();
  add_children(&nodes_, leaf, left_value, right_value, left_hess, right_hess, left_count, right_count);
  // The bin-space walk reads bins[b >> 6] for any bin b < 256 without a size check.
  if (set.bins.size() < 4) set.bins.resize(4, 0);
  category_sets_.push_back(std::move(set));
  TreeNode& p = nodes_[static_cast<size_t>(leaf)];
  p.left = left;
  p.right = left + 1;
  p.feature = feature;
  p.threshold_bin = 0;
  p.threshold = 0.0;
  p.split_type = SplitType::kCategorical;
  p.default_left = default_left;
  p.category_set = static_cast<int32_t>(category_sets_.size()) - 1;
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
