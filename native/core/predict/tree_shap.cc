#include "tree_shap.h"

#include <algorithm>
#include <string>
#include <vector>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "leaf_index.h"

namespace ensemblekit {

namespace {

using Node = CompiledForest::Node;

// One entry of the path of unique features from the root to the current node (the paper's m):
// the feature, the fraction of "feature absent" paths that flow here (zero: the cover fraction),
// whether "feature present" paths flow here (one: 1 on the row's side, 0 on the other), and the
// weight of the subsets of each size (the permutation weights the algorithm maintains).
struct PathElement {
  int feature;
  double zero;
  double one;
  double weight;
};

// Appends (feature, zero, one) to path[0..l) and updates the subset-size weights (EXTEND).
inline void extend(PathElement* path, int l, double zero, double one, int feature) {
  path[l] = PathElement{feature, zero, one, l == 0 ? 1.0 : 0.0};
  const double n = static_cast<double>(l + 1);
  for (int i = l - 1; i >= 0; --i) {
    path[i + 1].weight += one * path[i].weight * static_cast<double>(i + 1) / n;
    path[i].weight = zero * path[i].weight * static_cast<double>(l - i) / n;
  }
}

// Removes entry i from path[0..l] (l = last index), undoing its EXTEND (UNWIND).
inline void unwind(PathElement* path, int l, int i) {
  const double one = path[i].one, zero = path[i].zero;
  const double n = static_cast<double>(l + 1);
  double next = path[l].weight;
  for (int j = l - 1; j >= 0; --j) {
    if (one != 0.0) {
      const double w = path[j].weight;
      path[j].weight = next * n / (static_cast<double>(j + 1) * one);
      next = w - path[j].weight * zero * static_cast<double>(l - j) / n;
    } else {
      path[j].weight = path[j].weight * n / (zero * static_cast<double>(l - j));
    }
  }
  for (int j = i; j < l; ++j) {
    path[j].feature = path[j + 1].feature;
    path[j].zero = path[j + 1].zero;
    path[j].one = path[j + 1].one;
  }
}

// The total weight path[0..l] would have after unwinding entry i, without changing the path.
inline double unwound_sum(const PathElement* path, int l, int i) {
  const double one = path[i].one, zero = path[i].zero;
  const double n = static_cast<double>(l + 1);
  double total = 0.0;
  if (one != 0.0) {
    double next = path[l].weight;
    for (int j = l - 1; j >= 0; --j) {
      const double w = next * n / (static_cast<double>(j + 1) * one);
      total += w;
      next = path[j].weight - w * zero * static_cast<double>(l - j) / n;
    }
  } else {
    for (int j = l - 1; j >= 0; --j) total += path[j].weight * n / (zero * static_cast<double>(l - j));
  }
  return total;
}

template <class T>
struct ShapWalk {
  const CompiledForest& forest;
  const Node* nodes;
  const double* cover;
  const T* x;
  double* phi;

  // The path of the parent is parent[0..l); this node's copy starts right after it.
  void recurse(uint32_t node, PathElement* parent, int l, double zero, double one, int feature) const {
    PathElement* path = parent + l;
    std::copy(parent, parent + l, path);
    extend(path, l, zero, one, feature);
    const Node& n = nodes[node];
    if (n.word & CompiledForest::kLeafBit) {
      for (int i = 1; i <= l; ++i) {
        const double w = unwound_sum(path, l, i);
        phi[path[i].feature] += w * (path[i].one - path[i].zero) * n.value;
      }
      return;
    }
    const int split = static_cast<int>(n.word & CompiledForest::kFeatureMask);
    const bool left = forest.goes_left(node, x);
    const uint32_t hot = left ? node + 1 : n.right;
    const uint32_t cold = left ? n.right : node + 1;
    const double c = cover[node];
    const double hot_fraction = c > 0.0 ? cover[hot] / c : 0.5;
    const double cold_fraction = c > 0.0 ? cover[cold] / c : 0.5;
    // A feature met again on the path: its earlier entry is folded into this split's.
    double incoming_zero = 1.0, incoming_one = 1.0;
    int len = l + 1;
    for (int k = 1; k <= l; ++k) {
      if (path[k].feature == split) {
        incoming_zero = path[k].zero;
        incoming_one = path[k].one;
        unwind(path, l, k);
        --len;
        break;
      }
    }
    recurse(hot, path, len, hot_fraction * incoming_zero, incoming_one, split);
    // Nothing reaches a cold side without cover: every weight below it would be 0.
    if (cold_fraction * incoming_zero != 0.0) recurse(cold, path, len, cold_fraction * incoming_zero, 0.0, split);
  }
};

double expected_value(const CompiledForest& forest, uint32_t node) {
  const Node& n = forest.nodes()[node];
  if (n.word & CompiledForest::kLeafBit) return n.value;
  const double* cover = forest.node_cover().data();
  const double c = cover[node];
  const double l = c > 0.0 ? cover[node + 1] / c : 0.5;
  const double r = c > 0.0 ? cover[n.right] / c : 0.5;
  return l * expected_value(forest, node + 1) + r * expected_value(forest, n.right);
}

}  // namespace

void tree_expected_values(const CompiledForest& forest, double* out) {
  for (int t = 0; t < forest.num_trees(); ++t) out[t] = expected_value(forest, forest.tree_roots()[static_cast<size_t>(t)]);
}

void predict_contrib(const CompiledForest& forest, const DenseMatrix& x, double* out, int n_threads, int tree_begin,
                     int tree_end) {
  validate_matrix(x, "X");
  if (x.cols != forest.num_features()) {
    throw InvalidInput("Expected " + std::to_string(forest.num_features()) + " columns for X (as in training) but received " +
                       std::to_string(x.cols));
  }
  int begin = 0, end = 0;
  resolve_tree_range(forest, tree_begin, tree_end, &begin, &end);
  const int features = forest.num_features();
  const int groups = forest.num_groups();
  const int64_t stride = features + 1;
  std::vector<double> expected(static_cast<size_t>(forest.num_trees()));
  tree_expected_values(forest, expected.data());
  int depth = 0;
  for (int t = begin; t < end; ++t) depth = std::max<int>(depth, forest.tree_depths()[static_cast<size_t>(t)]);
  // Path copies per recursion level: level d holds at most d + 1 entries.
  const size_t path_size = static_cast<size_t>(depth + 2) * static_cast<size_t>(depth + 3) / 2;
  std::fill(out, out + x.rows * groups * stride, 0.0);
  const int64_t work = x.rows * std::max(1, end - begin) * (depth + 1);
  const int threads = work < 2048 ? 1 : n_threads;
  const uint32_t* roots = forest.tree_roots().data();
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    parallel_blocks(x.rows, 16, threads, [&](int64_t lo, int64_t hi, int64_t) {
      std::vector<PathElement> path(path_size);
      for (int64_t r = lo; r < hi; ++r) {
        const T* row = data + r * x.cols;
        double* o = out + r * groups * stride;
        for (int k = 0; k < groups; ++k) o[k * stride + features] = forest.base_score()[static_cast<size_t>(k)];
        for (int t = begin; t < end; ++t) {
          double* phi = o + forest.tree_group(t) * stride;
          phi[features] += expected[static_cast<size_t>(t)];
          const uint32_t root = roots[t];
          if (forest.nodes()[root].word & CompiledForest::kLeafBit) continue;
          ShapWalk<T> walk{forest, forest.nodes().data(), forest.node_cover().data(), row, phi};
          walk.recurse(root, path.data(), 0, 1.0, 1.0, -1);
        }
      }
    });
  });
}

}  // namespace ensemblekit
