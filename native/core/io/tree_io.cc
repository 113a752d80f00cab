#include "tree_io.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "../errors.h"

namespace ensemblekit {

namespace {

[[noreturn]] void bad(int tree_index, int node, const std::string& what) {
  throw ModelFormat("Invalid tree " + std::to_string(tree_index) + (node >= 0 ? ", node " + std::to_string(node) : "") +
                    ": " + what);
}

}  // namespace

Tree tree_from_nodes(const std::vector<TreeNode>& nodes, const std::vector<CategorySet>& category_sets,
                     int num_features, int tree_index) {
  const int n = static_cast<int>(nodes.size());
  if (n < 1) bad(tree_index, -1, "expected at least one node");
  if (n % 2 == 0) bad(tree_index, -1, "expected an odd number of nodes (every split adds two) but received " + std::to_string(n));
  // Internal nodes in the order their children were created.
  std::vector<std::pair<int, int>> splits;  // (left id, node id)
  for (int i = 0; i < n; ++i) {
    const TreeNode& node = nodes[static_cast<size_t>(i)];
    if (!std::isfinite(node.value)) bad(tree_index, i, "the value is not finite");
    if (node.is_leaf()) {
      if (node.right >= 0) bad(tree_index, i, "a leaf has a right child");
      continue;
    }
    // Range first: left + 1 must not overflow (left = INT_MAX was a fuzzer finding).
    if (node.left <= i || node.left >= n - 1) bad(tree_index, i, "child ids out of range");
    if (node.right != node.left + 1) bad(tree_index, i, "the children must be consecutive nodes (left, left + 1)");
    if (node.feature < 0 || node.feature >= num_features) {
      bad(tree_index, i, "feature " + std::to_string(node.feature) + " is outside [0, " + std::to_string(num_features) + ")");
    }
    if (static_cast<uint8_t>(node.missing_rule) > 1) bad(tree_index, i, "unknown missing rule");
    if (static_cast<uint8_t>(node.category_rule) > 2) bad(tree_index, i, "unknown category rule");
    if (node.split_type == SplitType::kNumerical) {
      if (std::isnan(node.threshold)) bad(tree_index, i, "the threshold is NaN");
    } else if (node.category_set < 0 || node.category_set >= static_cast<int>(category_sets.size())) {
      bad(tree_index, i, "the category set index is out of range");
    }
    splits.emplace_back(node.left, i);
  }
  std::sort(splits.begin(), splits.end());
  Tree tree(nodes[0].value);
  tree.reserve(n);  // one allocation instead of regrowth per split (it dominated importing)
  for (size_t s = 0; s < splits.size(); ++s) {
    const int left = splits[s].first, id = splits[s].second;
    if (left != 1 + 2 * static_cast<int>(s)) bad(tree_index, id, "children are not numbered in creation order");
    if (id >= tree.num_nodes() || !tree.node(id).is_leaf()) bad(tree_index, id, "a node is split before it exists, or twice");
    const TreeNode& src = nodes[static_cast<size_t>(id)];
    const TreeNode& l = nodes[static_cast<size_t>(left)];
    const TreeNode& r = nodes[static_cast<size_t>(left + 1)];
    int made;
    if (src.split_type == SplitType::kNumerical) {
      made = tree.split_numerical(id, src.feature, src.threshold_bin, src.threshold, src.default_left, src.gain, l.value,
                                  r.value, l.sum_hess, r.sum_hess, l.count, r.count);
    } else {
      const CategorySet& set = category_sets[static_cast<size_t>(src.category_set)];
      made = tree.split_categorical(id, src.feature, set, src.default_left, src.gain, l.value, r.value, l.sum_hess,
                                    r.sum_hess, l.count, r.count);
    }
    if (made != left) bad(tree_index, id, "children are not numbered in creation order");
  }
  // Leaves no split created (e.g. 5 nodes, one split) are unreachable; the copy below would write
  // past the rebuilt tree (found by fuzz/fuzz_tree_arrays.cc as a heap overflow).
  if (tree.num_nodes() != n) {
    bad(tree_index, -1, std::to_string(n - tree.num_nodes()) + " of " + std::to_string(n) + " nodes are not reached from the root");
  }
  for (int i = 0; i < n; ++i) {
    TreeNode& dst = tree.mutable_node(i);
    const TreeNode& src = nodes[static_cast<size_t>(i)];
    dst.value = src.value;
    dst.gain = src.gain;
    dst.sum_hess = src.sum_hess;
    dst.count = src.count;
    if (!dst.is_leaf()) {
      dst.missing_rule = src.missing_rule;
      dst.category_rule = src.category_rule;
    }
  }
  return tree;
}

void tree_importances(const std::vector<Tree>& trees, int num_features, std::vector<double>* split_count,
                      std::vector<double>* total_gain) {
  split_count->assign(static_cast<size_t>(num_features), 0.0);
  total_gain->assign(static_cast<size_t>(num_features), 0.0);
  for (const Tree& t : trees) {
    for (const TreeNode& node : t.nodes()) {
      if (node.is_leaf()) continue;
      (*split_count)[static_cast<size_t>(node.feature)] += 1.0;
      (*total_gain)[static_cast<size_t>(node.feature)] += node.gain;
    }
  }
}

GbdtModel gbdt_model_from_trees(int num_features, int num_outputs, std::vector<double> base_score,
                                OutputTransform transform, std::vector<Tree> trees, int best_iteration) {
  if (num_features < 1 || num_features > kMaxModelFeatures) {
    throw ModelFormat("Expected between 1 and " + std::to_string(kMaxModelFeatures) + " features but received " + std::to_string(num_features));
  }
  if (num_outputs < 1) throw ModelFormat("Expected at least one output but received " + std::to_string(num_outputs));
  if (static_cast<int>(base_score.size()) != num_outputs) {
    throw ModelFormat("Expected " + std::to_string(num_outputs) + " base scores but received " + std::to_string(base_score.size()));
  }
  for (double b : base_score) {
    if (!std::isfinite(b)) throw ModelFormat("Expected finite base scores but received " + std::to_string(b));
  }
  if (trees.size() % static_cast<size_t>(num_outputs) != 0) {
    throw ModelFormat("Expected a multiple of " + std::to_string(num_outputs) + " trees (one per output per round) but received " +
                      std::to_string(trees.size()));
  }
  GbdtModel model;
  model.num_features = num_features;
  model.num_outputs = num_outputs;
  model.transform = transform;
  model.num_rounds = static_cast<int>(trees.size() / static_cast<size_t>(num_outputs));
  model.best_iteration = best_iteration < 0 || best_iteration >= model.num_rounds ? model.num_rounds - 1 : best_iteration;
  model.forest = CompiledForest(num_features, base_score, transform);
  size_t total_nodes = 0;
  for (const Tree& t : trees) total_nodes += static_cast<size_t>(t.num_nodes());
  model.forest.reserve(total_nodes, trees.size());
  for (size_t t = 0; t < trees.size(); ++t) model.forest.add_tree(trees[t], static_cast<int>(t % static_cast<size_t>(num_outputs)));
  model.base_score = std::move(base_score);
  tree_importances(trees, num_features, &model.importance_split, &model.importance_gain);
  model.trees = std::move(trees);
  return model;
}

}  // namespace ensemblekit
