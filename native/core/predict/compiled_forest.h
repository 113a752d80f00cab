// The compiled forest: the one layout every tree model predicts through (GBDT here; random forests
// and imported XGBoost/LightGBM models compile into it too; serialization writes it; fusion merges
// it). Flat and cache-friendly, in the spirit of XGBoost's block predictor and Treelite:
//
//  - all trees' nodes in one array of 16-byte nodes, each tree contiguous in depth-first preorder so
//    the left child is always the next node (only the right child's index is stored) and a walk
//    that goes left touches the same or the next cache line;
//  - a node is {value, word, right}: value is the numerical threshold (double, raw units; x <= value
//    goes left) or, on a leaf, the leaf output stored inline (no second indirection at the end of a
//    walk); word packs the feature index with three flag bits (leaf, default-left, categorical);
//  - output groups: tree t adds to output column tree_group(t) (num_class trees per boosting round),
//    on top of base_score(group);
//  - batch prediction runs blocks of kBlockRows rows (up to kMaxBlockRows for forests larger than
//    L2, see block_rows()) against one tree at a time, so the tree's nodes stay in cache for the block;
//    blocks run in parallel and each row's sum is taken in tree order, so results do not depend on
//    the thread count.
//  - trees of depth <= 8, at least a quarter full, without categorical or zero-as-missing nodes
//    also get a dense form: a perfect binary tree in breadth-first slots (feature word, float32
//    and float64 threshold) with shallow leaves padded by always-left slots, so a row's walk is
//    exactly `depth` steps of i = 2i + 2 - left with no child pointers (dense_walk.h); 8 rows walk
//    in lockstep. Same leaves as the node walk, bit for bit.
//  - other trees get a dense top: the same form for their first levels (those that at least half
//    of the training rows pass a split of), whose bottom slots name the node each row continues
//    from. Batches walk the top for all rows of the block first, then the nodes below it.
//  - each block sorts its rows once into those without a NaN and the others; the former walk with
//    steps that skip the missing-value test (a fifth to a third fewer instructions per step).
//  - below the top, trees of at most kSweepMaxNodes nodes walk in sweeps: each sweep steps every
//    unfinished row of the block once and drops the rows that reached their leaf from the list
//    without a branch (the steps of a sweep are independent loads, and no branch depends on the
//    data). Larger trees (full-depth forest trees, streaming from L3) walk 16 rows at a time in
//    lanes, a row that reaches its leaf handing its lane to the next row of the block, which keeps
//    more node loads in flight. The side taken at a node is computed without a branch. predictOne
//    sweeps over chunks of 256 trees for its one row. A sweep step keeps a row (or tree) listed
//    only while the child it moved to is a split, so no step is spent on finding a leaf.
//
// NaN takes the node's default side. float32 input is widened to double before the compare, which
// is exact, so float32 and float64 inputs of the same values give the same leaves.
//
// Categorical nodes follow tree.h's raw rule: NaN to the default side; a non-negative integer c whose
// bit is set in the node's bitset goes left; anything else (another or an unseen category, a negative
// or fractional value) goes right. The bitsets of all trees live in one array (category_bits_); the
// node's value slot holds {offset, words} of its bitset. Trained trees therefore predict exactly as
// their bin-space walk did in training, unseen categories included.
//
// Imported trees may carry other libraries' reading rules (tree.h's MissingRule / CategoryRule): a
// numerical node with kZeroMissingBit sends |x| <= kZeroThreshold to the default side as well
// (LightGBM's missing type Zero); a categorical node's rule (bits kCategoryRuleShift..) says how a
// raw value becomes a category id. A forest without such nodes walks the plain loop (has_special()).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../data/matrix_view.h"
#include "dense_walk.h"
#include "../tree/tree.h"

namespace ensemblekit {

// How raw margins become predictions.
enum class OutputTransform : uint8_t {
  kIdentity = 0,  // regression
  kSigmoid = 1,   // binary: probability of the positive class
  kSoftmax = 2,   // multiclass: probabilities over the output groups
  kExp = 3,       // log-link regression (Poisson): the mean
};

class CompiledForest {
 public:
  struct Node {
    // Numerical split: threshold. Leaf: output. Categorical split: bitset location (offset, words)
    // packed by memcpy.
    double value;
    uint32_t word;
    uint32_t right;  // index in nodes() of the right child (left child = this index + 1)
  };
  static constexpr uint32_t kLeafBit = 1u << 31;
  static constexpr uint32_t kDefaultLeftBit = 1u << 30;
  static constexpr uint32_t kCategoricalBit = 1u << 29;
  // Numerical nodes: zero also takes the default side. Categorical nodes: bits 27-28 hold the
  // CategoryRule instead.
  static constexpr uint32_t kZeroMissingBit = 1u << 28;
  static constexpr int kCategoryRuleShift = 27;
  static constexpr uint32_t kCategoryRuleMask = 3u << kCategoryRuleShift;
  static constexpr uint32_t kSpecialMask = kCategoricalBit | kZeroMissingBit;
  static constexpr uint32_t kFeatureMask = (1u << kCategoryRuleShift) - 1;
  static constexpr int64_t kBlockRows = 1024;
  static constexpr int64_t kMidBlockRows = 2048;
  static constexpr int64_t kMaxBlockRows = 65536;
  // Trees of at most this many nodes (64 KB) walk in sweeps, larger ones in lanes (predict_block).
  static constexpr size_t kSweepMaxNodes = 4096;
  // Fewest levels worth a dense top.
  static constexpr int kMinTopDepth = 2;
  // Rows per batch block; a block walks one tree at a time. While the forest's nodes fit in L2,
  // kBlockRows (model A of bench/predict.mjs, 100 dense trees: 1024-2048 rows ran 1.1x faster than
  // 64, as the per-tree setup of a block is paid less often). Beyond L2 it depends on the size of
  // one tree:
  //  - small trees (500 boosted trees of 255 leaves: 8 KB each, 4 MB in all): kMidBlockRows, so the
  //    block's rows stay in L2 while every tree streams past them once (model B: 2048 rows about
  //    1.1x faster than 8192, whose 900 KB of float32 rows filled L2);
  //  - large trees (full-depth forest trees of ~20k nodes, 320 KB each): as many rows as give each
  //    thread one block (up to kMaxBlockRows), since streaming such a tree from L3 costs about as
  //    much as walking 8k rows through it. On bench/forest.mjs's 100-tree forest one 25k-row block
  //    ran 1.3x faster than blocks of 8192 and 2x faster than blocks of 2048.
  int64_t block_rows(int64_t rows, int threads) const {
    const size_t bytes = nodes_.size() * sizeof(Node);
    if (bytes <= (size_t{256} << 10)) return kBlockRows;
    const size_t per_tree = bytes / std::max<size_t>(1, tree_roots_.size());
    if (per_tree <= (size_t{64} << 10)) return kMidBlockRows;
    const int64_t per_thread = (rows + std::max(1, threads) - 1) / std::max(1, threads);
    return std::min(kMaxBlockRows, std::max(kMidBlockRows, per_thread));
  }

  CompiledForest() = default;
  // An empty forest: predicts base_score (one entry per output group).
  CompiledForest(int num_features, std::vector<double> base_score, OutputTransform transform);

  // Appends a tree adding to output column `group`. Throws InvalidInput for a feature index outside
  // [0, num_features) or a malformed tree.
  void add_tree(const Tree& tree, int group);
  // The same with the leaf outputs given apart from the tree: leaf i outputs
  // leaf_values[i * stride] * scale (leaf_values null: the tree's own value * scale). A forest adds
  // its trees with their class frequencies this way, without a scaled copy of each tree.
  void add_tree(const Tree& tree, int group, const double* leaf_values, size_t stride, double scale);
  // Room for this many more nodes and trees (a forest knows its size before adding its trees).
  void reserve(size_t more_nodes, size_t more_trees);

  // One tree of add_trees: add_tree(*tree, group, leaf_values, stride, scale).
  struct TreeJob {
    const Tree* tree = nullptr;
    int group = 0;
    const double* leaf_values = nullptr;
    size_t stride = 1;
    double scale = 1.0;
  };
  // add_tree for each job, in order, the trees compiled in parallel on n_threads (each into its own
  // range of the node arrays; trees with categorical splits are added one by one). The result is
  // the same as the add_tree calls'. Every node of each tree must be reachable from its root.
  void add_trees(const std::vector<TreeJob>& jobs, int n_threads);

  int num_features() const { return num_features_; }
  int num_groups() const { return static_cast<int>(base_score_.size()); }
  int num_trees() const { return static_cast<int>(tree_roots_.size()); }
  const std::vector<double>& base_score() const { return base_score_; }
  OutputTransform transform() const { return transform_; }
  const NodeArray<Node>& nodes() const { return nodes_; }
  const std::vector<uint32_t>& tree_roots() const { return tree_roots_; }
  // Dense form of tree t (see the header comment): slot offset into dense_feat() / dense thresholds,
  // -1 when the tree has none; its leaves start at dense_leaf_offset(t) in dense_leaves().
  int64_t dense_slot(int t) const { return dense_slot_[static_cast<size_t>(t)]; }
  int64_t dense_leaf_offset(int t) const { return dense_leaf_off_[static_cast<size_t>(t)]; }
  // Deepest leaf of tree t (root = 0).
  const std::vector<uint16_t>& tree_depths() const { return tree_depths_; }
  const std::vector<int32_t>& tree_groups() const { return tree_groups_; }
  const std::vector<uint32_t>& category_bits() const { return category_bits_; }
  // True when some node is categorical or zero-as-missing (the walk then takes the general path).
  bool has_special() const { return has_special_; }
  int tree_group(int t) const { return tree_groups_[static_cast<size_t>(t)]; }
  // Per compiled node (parallel to nodes()): the training cover (the tree's node hessian sum, or
  // its row count when the tree carries no hessian sums) and the node's id in its source Tree
  // (Tree's creation-order numbering). Read by TreeSHAP and the leaf-index prediction (tree_shap.h,
  // leaf_index.h); the prediction walks never touch them.
  const NodeArray<double>& node_cover() const { return node_cover_; }
  const NodeArray<int32_t>& node_tree_id() const { return node_tree_id_; }

  // Raw margins, out[rows x num_groups] row-major, using trees [0, tree_end) (tree_end < 0: all).
  // Throws InvalidInput when x's column count is not num_features().
  void predict_raw(const DenseMatrix& x, double* out, int n_threads = 0, int tree_end = -1) const;
  // Transformed predictions (transform() applied to the raw margins), same shape.
  void predict(const DenseMatrix& x, double* out, int n_threads = 0, int tree_end = -1) const;

  // One row, no allocation: out[num_groups] raw margins / transformed outputs. x holds
  // num_features() values.
  template <class T>
  void predict_row_raw(const T* x, double* out, int tree_end = -1) const;
  template <class T>
  void predict_row(const T* x, double* out, int tree_end = -1) const {
    predict_row_raw(x, out, tree_end);
    apply_transform(out, 1);
  }

  // Applies transform() in place to rows x num_groups raw margins.
  void apply_transform(double* out, int64_t rows) const;

  // The compiled index of the leaf that the tree rooted at `root` sends row x to.
  template <class T>
  uint32_t leaf_of(uint32_t root, const T* x) const {
    return has_special_ ? walk<true>(root, x) : walk<false>(root, x);
  }
  // True when internal node i sends row x to its left child (i + 1): one step of the walk, with the
  // same missing, zero-as-missing and categorical rules.
  template <class T>
  bool goes_left(uint32_t i, const T* x) const {
    const Node& n = nodes_[i];
    const double v = static_cast<double>(x[n.word & kFeatureMask]);
    if (n.word & kSpecialMask) return special_goes_left(n, v);
    return v <= n.value || (v != v && (n.word & kDefaultLeftBit) != 0);
  }

  // The leaf output tree t gives row x (the reference for tests and for per-tree contributions).
  template <class T>
  double tree_output(int t, const T* x) const {
    return nodes_[static_cast<size_t>(leaf_of(tree_roots_[static_cast<size_t>(t)], x))].value;
  }

 private:
  template <bool kSpecial, class T>
  uint32_t walk(uint32_t root, const T* x) const;
  // The side a categorical or zero-as-missing node sends v to (the rare path of the walk).
  bool special_goes_left(const Node& n, double v) const;
  // One step of a plain (non-special) numerical node i with value v: the left child (i + 1) when
  // v <= threshold or v is NaN and the node's default is left, else the right child. No branch: the
  // side is a coin flip per row, and a mispredicted branch per step cost 2.6x in throughput
  // (profiled on model A of bench/predict.mjs). kNaN false: v is known not to be NaN, and the
  // missing-value test is skipped (the batch walk sorts its rows by that).
  template <bool kNaN = true>
  static uint32_t goes_left_bit(const Node& n, double v) {
    uint32_t left = static_cast<uint32_t>(v <= n.value);
    if (kNaN) left |= static_cast<uint32_t>(v != v) & (n.word >> 30) & 1u;
    return left;
  }
  template <bool kNaN = true>
  static uint32_t step(const Node& n, uint32_t i, double v) {
    return n.right + ((i + 1 - n.right) & (0u - goes_left_bit<kNaN>(n, v)));
  }
  template <class T>
  void predict_block(const T* x, int64_t rows, double* out, int tree_end) const;
  // Appends the dense form of the tree just compiled at `root` (depth <= dense::kDenseMaxDepth).
  void add_dense(uint32_t root, int depth);
  // Appends the dense top (the first `depth` levels) of the tree just compiled at `root`.
  void add_top(uint32_t root, int depth);
  void fill_dense(uint32_t node, uint32_t slot, int level, int depth, size_t feat_off, size_t leaf_off, bool top);
  template <bool kNaN = true>
  uint32_t dense_step_at(const float* x, int64_t slot, uint32_t i) const {
    return dense::dense_step<kNaN>(x, dense_slot_f32_.data() + slot, i);
  }
  template <bool kNaN = true>
  uint32_t dense_step_at(const double* x, int64_t slot, uint32_t i) const {
    return dense::dense_step<kNaN>(x, dense_feat_.data() + slot, dense_thr_d_.data() + slot, i);
  }
  int32_t dense_leaf_of(const float* x, int64_t slot, int depth) const {
    return dense::dense_leaf(x, dense_slot_f32_.data() + slot, depth);
  }
  int32_t dense_leaf_of(const double* x, int64_t slot, int depth) const {
    return dense::dense_leaf(x, dense_feat_.data() + slot, dense_thr_d_.data() + slot, depth);
  }

  // What add_tree learns about a tree while emitting its nodes (for finish_tree).
  struct TreeShape {
    int emitted = 0;
    int max_depth = 0;
    bool special = false;
    // Per depth: internal nodes and their cover (the rows that still take a step there), for the
    // dense top.
    int internal_at[dense::kDenseMaxDepth] = {};
    double cover_at[dense::kDenseMaxDepth] = {};
  };
  void check_group(int group) const;
  // nodes_, node_cover_ and node_tree_id_ to n entries (new ones unwritten).
  void resize_node_arrays(size_t n);
  // Writes the tree's nodes in preorder from slot `root` of the (already sized) node arrays. Only
  // categorical splits touch shared state (category_bits_): allow_categorical is false off the
  // calling thread.
  TreeShape emit_nodes(const Tree& tree, uint32_t root, const double* leaf_values, size_t stride, double scale,
                       bool allow_categorical);
  // Registers the emitted tree (root, depth, group, dense form or dense top).
  void finish_tree(uint32_t root, int group, const TreeShape& shape);

  int resolve_end(int tree_end) const {
    return tree_end < 0 || tree_end > num_trees() ? num_trees() : tree_end;
  }

  int num_features_ = 0;
  std::vector<double> base_score_;
  OutputTransform transform_ = OutputTransform::kIdentity;
  NodeArray<Node> nodes_;
  std::vector<uint32_t> tree_roots_;
  std::vector<uint16_t> tree_depths_;
  std::vector<int32_t> tree_groups_;
  std::vector<uint32_t> category_bits_;  // bitsets of categorical nodes
  NodeArray<double> node_cover_;         // see node_cover()
  NodeArray<int32_t> node_tree_id_;      // see node_tree_id()
  bool has_special_ = false;
  // Dense forms (see the header comment).
  std::vector<int64_t> dense_slot_;
  std::vector<int64_t> dense_leaf_off_;
  std::vector<int32_t> dense_feat_;
  std::vector<dense::DenseSlotF32> dense_slot_f32_;
  std::vector<double> dense_thr_d_;
  std::vector<double> dense_leaf_;
  // Dense tops (see the header comment): slot offset (-1: none), depth, offset of the exit nodes.
  std::vector<int64_t> top_slot_;
  std::vector<uint8_t> top_depth_;
  std::vector<int64_t> top_exit_off_;
  std::vector<uint32_t> top_exit_;
};


inline bool CompiledForest::special_goes_left(const Node& n, double v) const {
  const uint32_t w = n.word;
  if (v != v) return (w & kDefaultLeftBit) != 0;
  if (!(w & kCategoricalBit)) {
    if (v >= -kZeroThreshold && v <= kZeroThreshold) return (w & kDefaultLeftBit) != 0;
    return v <= n.value;
  }
  uint32_t loc[2];
  static_assert(sizeof(loc) == sizeof(double), "bitset location packs into the value slot");
  std::memcpy(loc, &n.value, sizeof(loc));
  const int64_t c = category_of(v, static_cast<CategoryRule>((w & kCategoryRuleMask) >> kCategoryRuleShift));
  return c >= 0 && (static_cast<uint64_t>(c) >> 5) < loc[1] &&
         ((category_bits_[loc[0] + (static_cast<uint32_t>(c) >> 5)] >> (static_cast<uint32_t>(c) & 31)) & 1u);
}

template <bool kSpecial, class T>
inline uint32_t CompiledForest::walk(uint32_t root, const T* x) const {
  const Node* base = nodes_.data();
  uint32_t i = root;
  for (;;) {
    const Node& n = base[i];
    const uint32_t w = n.word;
    if (w & kLeafBit) return i;
    const double v = static_cast<double>(x[w & kFeatureMask]);
    bool left;
    if (!kSpecial || !(w & kSpecialMask)) {
      // NaN fails the compare; it then takes the default side.
      left = (v <= n.value) | ((v != v) & ((w & kDefaultLeftBit) != 0));
    } else {
      left = special_goes_left(n, v);
    }
    i = left ? i + 1 : n.right;
  }
}

template <class T>
void CompiledForest::predict_row_raw(const T* x, double* out, int tree_end) const {
  const int g = num_groups();
  for (int k = 0; k < g; ++k) out[k] = base_score_[static_cast<size_t>(k)];
  const int end = resolve_end(tree_end);
  const Node* base = nodes_.data();
  const uint32_t* roots = tree_roots_.data();
  const int32_t* groups = tree_groups_.data();
  int t = 0;
  if (!dense_leaf_.empty()) {
    // Dense trees walk their slots (depth steps, no child pointers); the others walk their nodes.
    // Four consecutive dense trees of one depth (the usual case: depth-wise boosting) walk in
    // lockstep, four independent load chains; sums stay in tree order.
    const uint16_t* depths = tree_depths_.data();
    const int64_t* slots = dense_slot_.data();
    while (t < end) {
      if (t + 4 <= end && slots[t] >= 0 && slots[t + 1] >= 0 && slots[t + 2] >= 0 && slots[t + 3] >= 0 &&
          depths[t] == depths[t + 1] && depths[t] == depths[t + 2] && depths[t] == depths[t + 3]) {
        const int depth = depths[t];
        uint32_t a = 0, b = 0, c = 0, d = 0;
        for (int k = 0; k < depth; ++k) {
          a = dense_step_at(x, slots[t], a);
          b = dense_step_at(x, slots[t + 1], b);
          c = dense_step_at(x, slots[t + 2], c);
          d = dense_step_at(x, slots[t + 3], d);
        }
        const uint32_t first = (1u << depth) - 1;
        const double* leaf = dense_leaf_.data();
        const int64_t* off = dense_leaf_off_.data();
        out[groups[t]] += leaf[off[t] + (a - first)];
        out[groups[t + 1]] += leaf[off[t + 1] + (b - first)];
        out[groups[t + 2]] += leaf[off[t + 2] + (c - first)];
        out[groups[t + 3]] += leaf[off[t + 3] + (d - first)];
        t += 4;
        continue;
      }
      const int64_t slot = slots[t];
      if (slot >= 0) {
        const int32_t leaf = dense_leaf_of(x, slot, depths[t]);
        out[groups[t]] += dense_leaf_[static_cast<size_t>(dense_leaf_off_[static_cast<size_t>(t)] + leaf)];
      } else {
        out[groups[t]] += base[leaf_of(roots[t], x)].value;
      }
      ++t;
    }
    return;
  }
  if (!has_special_) {
    // Sweeps over chunks of kChunk trees: each sweep steps every unfinished tree once, and a tree
    // whose step lands on a leaf drops out of the list without a branch, so the trees' node loads
    // are independent and no branch depends on the data (the batch path's sweep, over trees
    // instead of rows). On model B of bench/predict.mjs this took the median call from 15-16 us (8
    // trees in lanes, a mispredicted branch per leaf) to 13-14.5 us. Dense tops are not used here:
    // for one row their walks are chains of dependent loads, which made the call 1.3x slower. Leaf
    // outputs are summed in tree order.
    constexpr int kChunk = 256;
    uint32_t cur[kChunk];
    uint16_t list[kChunk];
    for (int c0 = 0; c0 < end; c0 += kChunk) {
      const int n0 = std::min(end, c0 + kChunk) - c0;
      int n = 0;
      for (int j = 0; j < n0; ++j) {
        cur[j] = roots[c0 + j];
        list[n] = static_cast<uint16_t>(j);
        n += static_cast<int>((base[cur[j]].word >> 31) ^ 1u);
      }
      while (n > 0) {
        int m = 0;
        for (int j = 0; j < n; ++j) {
          const int k = list[j];
          const uint32_t i = cur[k];
          const Node& nd = base[i];
          const uint32_t next = step(nd, i, static_cast<double>(x[nd.word & kFeatureMask]));
          cur[k] = next;
          list[m] = static_cast<uint16_t>(k);
          m += static_cast<int>((base[next].word >> 31) ^ 1u);
        }
        n = m;
      }
      for (int j = 0; j < n0; ++j) out[groups[c0 + j]] += base[cur[j]].value;
    }
    return;
  }
  for (; t < end; ++t) out[groups[t]] += base[leaf_of(roots[t], x)].value;
}

}  // namespace ensemblekit
