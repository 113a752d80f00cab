#include "compiled_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "../simd/predict_kernels.h"

namespace ensemblekit {

namespace simd {

const PredictKernels& predict_kernels(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
  static const PredictKernels avx2_table = {
      avx2::kPredict.dense_leaves_f32,
      avx2::kPredict.dense_leaves_f64 != nullptr ? avx2::kPredict.dense_leaves_f64 : scalar::kPredict.dense_leaves_f64};
  if (isa >= Isa::kAvx2) return avx2_table;
#endif
  (void)isa;
  return scalar::kPredict;
}

}  // namespace simd

namespace {

// The largest float32 f with f <= t: for a float32 x, x <= t exactly when x <= f.
float float_at_or_below(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

}  // namespace

CompiledForest::CompiledForest(int num_features, std::vector<double> base_score, OutputTransform transform)
    : num_features_(num_features), base_score_(std::move(base_score)), transform_(transform) {
  if (num_features < 0) throw InvalidInput("Expected a non-negative feature count for a forest");
  if (base_score_.empty()) throw InvalidInput("Expected at least one output group for a forest");
}

void CompiledForest::add_tree(const Tree& tree, int group) { add_tree(tree, group, nullptr, 1, 1.0); }

void CompiledForest::reserve(size_t more_nodes, size_t more_trees) {
  nodes_.reserve(nodes_.size() + more_nodes);
  node_cover_.reserve(node_cover_.size() + more_nodes);
  node_tree_id_.reserve(node_tree_id_.size() + more_nodes);
  tree_roots_.reserve(tree_roots_.size() + more_trees);
  tree_depths_.reserve(tree_depths_.size() + more_trees);
  tree_groups_.reserve(tree_groups_.size() + more_trees);
  dense_slot_.reserve(dense_slot_.size() + more_trees);
  dense_leaf_off_.reserve(dense_leaf_off_.size() + more_trees);
}

void CompiledForest::add_tree(const Tree& tree, int group, const double* leaf_values, size_t stride, double scale) {
  if (group < 0 || group >= num_groups()) {
    throw InvalidInput("Expected a tree group in [0, " + std::to_string(num_groups()) + ") but received " +
                       std::to_string(group));
  }
  const size_t root = nodes_.size();
  if (root + static_cast<size_t>(tree.num_nodes()) >= (size_t{1} << 32)) throw InvalidInput("Forest too large");
  // Depth-first preorder with an explicit stack: the left child lands right after its parent, the
  // right child's index is patched in when it is emitted.
  struct Item {
    int node;
    int64_t parent_slot;  // compiled index whose `right` points here, -1 for the left/root path
    int depth;
  };
  std::vector<Item> stack{{0, -1, 0}};
  // Cover for TreeSHAP: hessian sums when the tree has them (GBDT, forests' sample weights,
  // XGBoost's sum_hessian), else row counts (LightGBM's internal_count without weights).
  const bool use_hess = tree.num_nodes() > 0 && tree.node(0).sum_hess > 0.0;
  int emitted = 0;
  int max_depth = 0;
  bool special = false;
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    if (it.node < 0 || it.node >= tree.num_nodes() || ++emitted > tree.num_nodes()) {
      throw InvalidInput("Expected a well-formed tree (each node reached once)");
    }
    const TreeNode& tn = tree.node(it.node);
    const uint32_t here = static_cast<uint32_t>(nodes_.size());
    if (it.parent_slot >= 0) nodes_[static_cast<size_t>(it.parent_slot)].right = here;
    node_cover_.push_back(use_hess ? tn.sum_hess : static_cast<double>(tn.count));
    node_tree_id_.push_back(it.node);
    Node n{};
    if (tn.is_leaf()) {
      n.value = (leaf_values != nullptr ? leaf_values[static_cast<size_t>(it.node) * stride] : tn.value) * scale;
      n.word = kLeafBit;
      n.right = here;  // a walk that steps past its leaf stays there
      nodes_.push_back(n);
      max_depth = std::max(max_depth, it.depth);
      continue;
    }
    if (tn.feature < 0 || tn.feature >= num_features_) {
      throw InvalidInput("Expected split features in [0, " + std::to_string(num_features_) + ") but received " +
                         std::to_string(tn.feature));
    }
    if (tn.feature > static_cast<int>(kFeatureMask)) throw InvalidInput("Too many features for the compiled forest");
    n.word = static_cast<uint32_t>(tn.feature) | (tn.default_left ? kDefaultLeftBit : 0u);
    if (tn.split_type == SplitType::kCategorical) {
      if (static_cast<uint32_t>(tn.category_rule) > 2) throw InvalidInput("Unknown category rule at node " + std::to_string(it.node));
      n.word |= static_cast<uint32_t>(tn.category_rule) << kCategoryRuleShift;
      has_special_ = special = true;
      if (tn.category_set < 0 || static_cast<size_t>(tn.category_set) >= tree.category_sets().size()) {
        throw InvalidInput("Expected a category set for categorical node " + std::to_string(it.node));
      }
      const CategorySet& set = tree.category_sets()[static_cast<size_t>(tn.category_set)];
      if (category_bits_.size() + set.categories.size() >= (size_t{1} << 32)) throw InvalidInput("Forest too large");
      const uint32_t loc[2] = {static_cast<uint32_t>(category_bits_.size()),
                               static_cast<uint32_t>(set.categories.size())};
      category_bits_.insert(category_bits_.end(), set.categories.begin(), set.categories.end());
      std::memcpy(&n.value, loc, sizeof(loc));
      n.word |= kCategoricalBit;
    } else {
      n.value = tn.threshold;
      if (tn.missing_rule == MissingRule::kNaNOrZero) {
        n.word |= kZeroMissingBit;
        has_special_ = special = true;
      }
    }
    nodes_.push_back(n);
    // Right pushed first so the left subtree is emitted immediately after this node.
    stack.push_back(Item{tn.right, static_cast<int64_t>(here), it.depth + 1});
    stack.push_back(Item{tn.left, -1, it.depth + 1});
  }
  if (max_depth > 65535) throw InvalidInput("Tree too deep for the compiled forest");
  tree_roots_.push_back(static_cast<uint32_t>(root));
  tree_depths_.push_back(static_cast<uint16_t>(max_depth));
  tree_groups_.push_back(group);
  // The dense form of a sparse tree would be mostly padding (2^depth slots for a few leaves: a
  // forest tree on a small sample), costing memory and build time per fit for no faster walk; it is
  // kept for trees at least a quarter full, such as depth-wise boosted trees.
  const int64_t leaves = (emitted + 1) / 2;
  if (!special && max_depth >= 1 && max_depth <= simd::kDenseMaxDepth && (int64_t{1} << max_depth) <= 4 * leaves) {
    add_dense(static_cast<uint32_t>(root), max_depth);
  } else {
    dense_slot_.push_back(-1);
    dense_leaf_off_.push_back(-1);
  }
}

void CompiledForest::add_dense(uint32_t root, int depth) {
  const size_t feat_off = dense_feat_.size();
  const size_t leaf_off = dense_leaf_.size();
  const size_t slots = (size_t{1} << depth) - 1;
  dense_feat_.resize(feat_off + slots);
  dense_slot_f32_.resize(feat_off + slots);
  dense_thr_d_.resize(feat_off + slots);
  dense_leaf_.resize(leaf_off + slots + 1);
  fill_dense(root, 0, 0, depth, feat_off, leaf_off);
  dense_slot_.push_back(static_cast<int64_t>(feat_off));
  dense_leaf_off_.push_back(static_cast<int64_t>(leaf_off));
}

void CompiledForest::fill_dense(uint32_t node, uint32_t slot, int level, int depth, size_t feat_off, size_t leaf_off) {
  const Node& n = nodes_[node];
  if (level == depth) {
    // Only a leaf can sit at the tree's full depth.
    dense_leaf_[leaf_off + (slot - ((1u << depth) - 1))] = n.value;
    return;
  }
  const size_t at = feat_off + slot;
  if (n.word & kLeafBit) {
    // A shallow leaf: an always-left slot (x <= +inf, NaN left) and the leaf again below it; its
    // right subtree is never reached but is filled too, so every slot is defined.
    dense_feat_[at] = static_cast<int32_t>(simd::kDenseNaNLeftBit);
    dense_slot_f32_[at] = {std::numeric_limits<float>::infinity(), simd::kDenseNaNLeftBit};
    dense_thr_d_[at] = std::numeric_limits<double>::infinity();
    fill_dense(node, 2 * slot + 1, level + 1, depth, feat_off, leaf_off);
    fill_dense(node, 2 * slot + 2, level + 1, depth, feat_off, leaf_off);
    return;
  }
  dense_feat_[at] = static_cast<int32_t>((n.word & kFeatureMask) | ((n.word & kDefaultLeftBit) ? simd::kDenseNaNLeftBit : 0u));
  dense_thr_d_[at] = n.value;
  dense_slot_f32_[at] = {float_at_or_below(n.value), static_cast<uint32_t>(dense_feat_[at])};
  fill_dense(node + 1, 2 * slot + 1, level + 1, depth, feat_off, leaf_off);
  fill_dense(n.right, 2 * slot + 2, level + 1, depth, feat_off, leaf_off);
}

template <class T>
void CompiledForest::predict_block(const T* x, int64_t rows, double* out, int tree_end) const {
  const int g = num_groups();
  const int64_t stride = num_features_;
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < g; ++k) out[r * g + k] = base_score_[static_cast<size_t>(k)];
  }
  const Node* base = nodes_.data();
  int32_t leaf[kDenseChunkRows];
  const simd::PredictKernels& kernels = simd::predict_kernels(simd::active_isa());
  for (int t = 0; t < tree_end; ++t) {
    const uint32_t root = tree_roots_[static_cast<size_t>(t)];
    double* o = out + tree_groups_[static_cast<size_t>(t)];
    const int64_t slot = dense_slot_[static_cast<size_t>(t)];
    if (slot >= 0) {
      const double* values = dense_leaf_.data() + dense_leaf_off_[static_cast<size_t>(t)];
      for (int64_t r0 = 0; r0 < rows; r0 += kDenseChunkRows) {
        const int64_t n = std::min(kDenseChunkRows, rows - r0);
        dense_leaves(kernels, x + r0 * stride, n, slot, tree_depths_[static_cast<size_t>(t)], leaf);
        for (int64_t r = 0; r < n; ++r) o[(r0 + r) * g] += values[leaf[r]];
      }
      continue;
    }
    if (base[root].word & kLeafBit) {
      const double v = base[root].value;
      for (int64_t r = 0; r < rows; ++r) o[r * g] += v;
      continue;
    }
    if (has_special_) {
      for (int64_t r = 0; r < rows; ++r) o[r * g] += base[walk<true>(root, x + r * stride)].value;
      continue;
    }
    // Interleaved walk (see the header): kLanes rows walk at once, each step of one row independent
    // of the others so their node loads overlap, and a row that reaches its leaf hands its lane to
    // the next row at once. (A deep forest tree's leaves sit at very different depths, ~17 on average
    // against ~33 at most on the 100k-row forest of bench/forest.mjs; lanes that waited for the
    // deepest row of their group idled for about a third of the steps.) Each row still adds its
    // trees in tree order.
    constexpr int kLanes = 16;
    uint32_t lane_node[kLanes];
    int64_t lane_row[kLanes];
    int active = static_cast<int>(std::min<int64_t>(kLanes, rows));
    int64_t next_row = active;
    for (int k = 0; k < active; ++k) {
      lane_node[k] = root;
      lane_row[k] = k;
    }
    while (active > 0) {
      for (int k = 0; k < active; ++k) {
        const uint32_t i = lane_node[k];
        const Node& nd = base[i];
        const uint32_t w = nd.word;
        if (w & kLeafBit) {
          o[lane_row[k] * g] += nd.value;
          if (next_row < rows) {
            lane_row[k] = next_row++;
            lane_node[k] = root;
          } else {
            --active;
            lane_row[k] = lane_row[active];
            lane_node[k] = lane_node[active];
            --k;
          }
          continue;
        }
        lane_node[k] = step(nd, i, static_cast<double>(x[lane_row[k] * stride + (w & kFeatureMask)]));
      }
    }
  }
}

void CompiledForest::predict_raw(const DenseMatrix& x, double* out, int n_threads, int tree_end) const {
  validate_matrix(x, "X");
  if (x.cols != num_features_) {
    throw InvalidInput("Expected " + std::to_string(num_features_) + " columns for X (as in training) but received " +
                       std::to_string(x.cols));
  }
  const int end = resolve_end(tree_end);
  const int g = num_groups();
  // Small inputs stay on the calling thread: a team wake-up costs more than a few hundred walks.
  const int64_t work = x.rows * std::max(1, end);
  const int threads = work < 4096 ? 1 : resolve_threads(n_threads);
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    parallel_blocks(x.rows, block_rows(x.rows, threads), threads, [&](int64_t lo, int64_t hi, int64_t) {
      predict_block(data + lo * x.cols, hi - lo, out + lo * g, end);
    });
  });
}

void CompiledForest::predict(const DenseMatrix& x, double* out, int n_threads, int tree_end) const {
  predict_raw(x, out, n_threads, tree_end);
  apply_transform(out, x.rows);
}

void CompiledForest::apply_transform(double* out, int64_t rows) const {
  const int g = num_groups();
  const int64_t n = rows * g;
  switch (transform_) {
    case OutputTransform::kIdentity:
      return;
    case OutputTransform::kSigmoid:
      for (int64_t i = 0; i < n; ++i) out[i] = 1.0 / (1.0 + std::exp(-out[i]));
      return;
    case OutputTransform::kExp:
      for (int64_t i = 0; i < n; ++i) out[i] = std::exp(out[i]);
      return;
    case OutputTransform::kSoftmax:
      for (int64_t r = 0; r < rows; ++r) {
        double* o = out + r * g;
        double m = o[0];
        for (int k = 1; k < g; ++k) m = std::max(m, o[k]);
        double s = 0.0;
        for (int k = 0; k < g; ++k) {
          o[k] = std::exp(o[k] - m);
          s += o[k];
        }
        for (int k = 0; k < g; ++k) o[k] /= s;
      }
      return;
  }
}

}  // namespace ensemblekit
