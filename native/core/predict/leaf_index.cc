#include "leaf_index.h"

#include <algorithm>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {

namespace {

void check_columns(const CompiledForest& forest, const DenseMatrix& x) {
  validate_matrix(x, "X");
  if (x.cols != forest.num_features()) {
    throw InvalidInput("Expected " + std::to_string(forest.num_features()) + " columns for X (as in training) but received " +
                       std::to_string(x.cols));
  }
}

}  // namespace

void resolve_tree_range(const CompiledForest& forest, int tree_begin, int tree_end, int* begin, int* end) {
  const int n = forest.num_trees();
  const int e = tree_end < 0 || tree_end > n ? n : tree_end;
  if (tree_begin < 0 || tree_begin > e) {
    throw InvalidInput("Expected a first tree in [0, " + std::to_string(e) + "] but received " + std::to_string(tree_begin));
  }
  *begin = tree_begin;
  *end = e;
}

void predict_leaf(const CompiledForest& forest, const DenseMatrix& x, int32_t* out, int n_threads, int tree_begin,
                  int tree_end) {
  check_columns(forest, x);
  int begin = 0, end = 0;
  resolve_tree_range(forest, tree_begin, tree_end, &begin, &end);
  const int64_t width = end - begin;
  const int threads = x.rows * std::max<int64_t>(1, width) < 4096 ? 1 : n_threads;
  const uint32_t* roots = forest.tree_roots().data();
  const int32_t* ids = forest.node_tree_id().data();
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    parallel_blocks(x.rows, CompiledForest::kBlockRows, threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* row = data + r * x.cols;
        int32_t* o = out + r * width;
        for (int t = begin; t < end; ++t) o[t - begin] = ids[forest.leaf_of(roots[t], row)];
      }
    });
  });
}

void predict_range(const CompiledForest& forest, const DenseMatrix& x, double* out, int n_threads, int tree_begin,
                   int tree_end, bool transform) {
  check_columns(forest, x);
  int begin = 0, end = 0;
  resolve_tree_range(forest, tree_begin, tree_end, &begin, &end);
  if (begin == 0) {
    if (transform) {
      forest.predict(x, out, n_threads, end);
    } else {
      forest.predict_raw(x, out, n_threads, end);
    }
    return;
  }
  const int groups = forest.num_groups();
  const int threads = x.rows * std::max(1, end - begin) < 4096 ? 1 : n_threads;
  const uint32_t* roots = forest.tree_roots().data();
  const CompiledForest::Node* nodes = forest.nodes().data();
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    parallel_blocks(x.rows, CompiledForest::kBlockRows, threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* row = data + r * x.cols;
        double* o = out + r * groups;
        for (int k = 0; k < groups; ++k) o[k] = forest.base_score()[static_cast<size_t>(k)];
        for (int t = begin; t < end; ++t) o[forest.tree_group(t)] += nodes[forest.leaf_of(roots[t], row)].value;
      }
    });
  });
  if (transform) forest.apply_transform(out, x.rows);
}

}  // namespace ensemblekit
