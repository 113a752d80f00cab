#include "compiled_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <string>
#include <type_traits>

#include "../errors.h"
#include "../memory.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {

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
  top_slot_.reserve(top_slot_.size() + more_trees);
  top_exit_off_.reserve(top_exit_off_.size() + more_trees);
  top_depth_.reserve(top_depth_.size() + more_trees);
}

void CompiledForest::resize_node_arrays(size_t n) {
  nodes_.resize(n);
  node_cover_.resize(n);
  node_tree_id_.resize(n);
}

void CompiledForest::check_group(int group) const {
  if (group < 0 || group >= num_groups()) {
    throw InvalidInput("Expected a tree group in [0, " + std::to_string(num_groups()) + ") but received " +
                       std::to_string(group));
  }
}

void CompiledForest::add_tree(const Tree& tree, int group, const double* leaf_values, size_t stride, double scale) {
  check_group(group);
  const size_t root = nodes_.size();
  const size_t n = static_cast<size_t>(tree.num_nodes());
  if (root + n >= (size_t{1} << 32)) throw InvalidInput("Forest too large");
  resize_node_arrays(root + n);
  TreeShape shape;
  try {
    shape = emit_nodes(tree, static_cast<uint32_t>(root), leaf_values, stride, scale, true);
  } catch (...) {
    resize_node_arrays(root);
    throw;
  }
  // Unreached nodes (a tree built by hand) take no slots.
  resize_node_arrays(root + static_cast<size_t>(shape.emitted));
  finish_tree(static_cast<uint32_t>(root), group, shape);
}

void CompiledForest::add_trees(const std::vector<TreeJob>& jobs, int n_threads) {
  size_t total = 0;
  bool categorical = false;
  std::vector<size_t> roots(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) {
    check_group(jobs[j].group);
    roots[j] = nodes_.size() + total;
    total += static_cast<size_t>(jobs[j].tree->num_nodes());
    categorical = categorical || !jobs[j].tree->category_sets().empty();
  }
  if (categorical || jobs.size() < 2) {
    // Categorical sets append to one shared array: tree by tree.
    reserve(total, jobs.size());
    for (const TreeJob& job : jobs) add_tree(*job.tree, job.group, job.leaf_values, job.stride, job.scale);
    return;
  }
  const size_t base = nodes_.size();
  if (base + total >= (size_t{1} << 32)) throw InvalidInput("Forest too large");
  reserve(total, jobs.size());
  // Sized without initialisation (HugePageAllocator), then each tree fills its own slots: the
  // trees of a forest compile in parallel, and the first touch of the new pages is spread too.
  resize_node_arrays(base + total);
  std::vector<TreeShape> shapes(jobs.size());
  try {
    parallel_for(0, static_cast<int64_t>(jobs.size()), n_threads, [&](int64_t j) {
      const TreeJob& job = jobs[static_cast<size_t>(j)];
      TreeShape& shape = shapes[static_cast<size_t>(j)];
      shape = emit_nodes(*job.tree, static_cast<uint32_t>(roots[static_cast<size_t>(j)]), job.leaf_values, job.stride, job.scale, false);
      if (shape.emitted != job.tree->num_nodes()) throw InvalidInput("Expected a well-formed tree (every node reached from the root)");
    });
  } catch (...) {
    resize_node_arrays(base);
    throw;
  }
  for (size_t j = 0; j < jobs.size(); ++j) finish_tree(static_cast<uint32_t>(roots[j]), jobs[j].group, shapes[j]);
}

CompiledForest::TreeShape CompiledForest::emit_nodes(const Tree& tree, uint32_t root, const double* leaf_values, size_t stride,
                                                     double scale, bool allow_categorical) {
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
  TreeShape shape;
  uint32_t here = root;
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    if (it.node < 0 || it.node >= tree.num_nodes() || ++shape.emitted > tree.num_nodes()) {
      throw InvalidInput("Expected a well-formed tree (each node reached once)");
    }
    const TreeNode& tn = tree.node(it.node);
    const uint32_t at = here++;
    if (it.parent_slot >= 0) nodes_[static_cast<size_t>(it.parent_slot)].right = at;
    node_cover_[at] = use_hess ? tn.sum_hess : static_cast<double>(tn.count);
    node_tree_id_[at] = it.node;
    Node n{};
    if (tn.is_leaf()) {
      n.value = (leaf_values != nullptr ? leaf_values[static_cast<size_t>(it.node) * stride] : tn.value) * scale;
      n.word = kLeafBit;
      n.right = at;  // a walk that steps past its leaf stays there
      nodes_[at] = n;
      shape.max_depth = std::max(shape.max_depth, it.depth);
      continue;
    }
    if (tn.feature < 0 || tn.feature >= num_features_) {
      throw InvalidInput("Expected split features in [0, " + std::to_string(num_features_) + ") but received " +
                         std::to_string(tn.feature));
    }
    if (tn.feature > static_cast<int>(kFeatureMask)) throw InvalidInput("Too many features for the compiled forest");
    n.word = static_cast<uint32_t>(tn.feature) | (tn.default_left ? kDefaultLeftBit : 0u);
    if (tn.split_type == SplitType::kCategorical) {
      if (!allow_categorical) throw std::logic_error("compiled forest: categorical split in a parallel add");
      if (static_cast<uint32_t>(tn.category_rule) > 2) throw InvalidInput("Unknown category rule at node " + std::to_string(it.node));
      n.word |= static_cast<uint32_t>(tn.category_rule) << kCategoryRuleShift;
      shape.special = true;
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
        shape.special = true;
      }
    }
    nodes_[at] = n;
    if (it.depth < dense::kDenseMaxDepth) {
      ++shape.internal_at[it.depth];
      shape.cover_at[it.depth] += node_cover_[at];
    }
    // Right pushed first so the left subtree is emitted immediately after this node.
    stack.push_back(Item{tn.right, static_cast<int64_t>(at), it.depth + 1});
    stack.push_back(Item{tn.left, -1, it.depth + 1});
  }
  if (shape.max_depth > 65535) throw InvalidInput("Tree too deep for the compiled forest");
  return shape;
}

void CompiledForest::finish_tree(uint32_t root, int group, const TreeShape& shape) {
  if (shape.special) has_special_ = true;
  const int max_depth = shape.max_depth;
  const bool special = shape.special;
  tree_roots_.push_back(root);
  tree_depths_.push_back(static_cast<uint16_t>(max_depth));
  tree_groups_.push_back(group);
  // The dense form of a sparse tree would be mostly padding (2^depth slots for a few leaves: a
  // forest tree on a small sample), costing memory and build time per fit for no faster walk; it is
  // kept for trees at least a quarter full, such as depth-wise boosted trees.
  const int64_t leaves = (shape.emitted + 1) / 2;
  if (!special && max_depth >= 1 && max_depth <= dense::kDenseMaxDepth && (int64_t{1} << max_depth) <= 4 * leaves) {
    add_dense(root, max_depth);
    top_slot_.push_back(-1);
    top_exit_off_.push_back(-1);
    top_depth_.push_back(0);
    return;
  }
  dense_slot_.push_back(-1);
  dense_leaf_off_.push_back(-1);
  // Other trees get a dense top (see the header): the levels that at least half of the training
  // rows pass through a split of (by the nodes' cover; three quarters of the level's nodes present
  // when the tree has no cover). A dense step costs about a third of a node step, so a level pays
  // while most rows step there rather than sit in a shallower leaf.
  const double root_cover = node_cover_[root];
  int top = 0;
  while (top < dense::kDenseMaxDepth &&
         (root_cover > 0.0 ? shape.cover_at[top] >= 0.5 * root_cover : 4 * shape.internal_at[top] >= 3 * (1 << top))) {
    ++top;
  }
  if (!special && top >= kMinTopDepth) {
    add_top(root, top);
  } else {
    top_slot_.push_back(-1);
    top_exit_off_.push_back(-1);
    top_depth_.push_back(0);
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
  fill_dense(root, 0, 0, depth, feat_off, leaf_off, false);
  dense_slot_.push_back(static_cast<int64_t>(feat_off));
  dense_leaf_off_.push_back(static_cast<int64_t>(leaf_off));
}

void CompiledForest::add_top(uint32_t root, int depth) {
  const size_t feat_off = dense_feat_.size();
  const size_t exit_off = top_exit_.size();
  const size_t slots = (size_t{1} << depth) - 1;
  dense_feat_.resize(feat_off + slots);
  dense_slot_f32_.resize(feat_off + slots);
  dense_thr_d_.resize(feat_off + slots);
  top_exit_.resize(exit_off + slots + 1);
  fill_dense(root, 0, 0, depth, feat_off, exit_off, true);
  top_slot_.push_back(static_cast<int64_t>(feat_off));
  top_exit_off_.push_back(static_cast<int64_t>(exit_off));
  top_depth_.push_back(static_cast<uint8_t>(depth));
}

void CompiledForest::fill_dense(uint32_t node, uint32_t slot, int level, int depth, size_t feat_off, size_t leaf_off,
                                bool top) {
  const Node& n = nodes_[node];
  if (level == depth) {
    if (top) {
      // A dense top's bottom slot: the node the walk continues from (a leaf or a split).
      top_exit_[leaf_off + (slot - ((1u << depth) - 1))] = node;
    } else {
      // Only a leaf can sit at the tree's full depth.
      dense_leaf_[leaf_off + (slot - ((1u << depth) - 1))] = n.value;
    }
    return;
  }
  const size_t at = feat_off + slot;
  if (n.word & kLeafBit) {
    // A shallow leaf: an always-left slot (x <= +inf, NaN left) and the leaf again below it; its
    // right subtree is never reached but is filled too, so every slot is defined.
    dense_feat_[at] = static_cast<int32_t>(dense::kDenseNaNLeftBit);
    dense_slot_f32_[at] = {std::numeric_limits<float>::infinity(), dense::kDenseNaNLeftBit};
    dense_thr_d_[at] = std::numeric_limits<double>::infinity();
    fill_dense(node, 2 * slot + 1, level + 1, depth, feat_off, leaf_off, top);
    fill_dense(node, 2 * slot + 2, level + 1, depth, feat_off, leaf_off, top);
    return;
  }
  dense_feat_[at] = static_cast<int32_t>((n.word & kFeatureMask) | ((n.word & kDefaultLeftBit) ? dense::kDenseNaNLeftBit : 0u));
  dense_thr_d_[at] = n.value;
  dense_slot_f32_[at] = {float_at_or_below(n.value), static_cast<uint32_t>(dense_feat_[at])};
  fill_dense(node + 1, 2 * slot + 1, level + 1, depth, feat_off, leaf_off, top);
  fill_dense(n.right, 2 * slot + 2, level + 1, depth, feat_off, leaf_off, top);
}

template <class T>
void CompiledForest::predict_block(const T* x, int64_t rows, double* out, int tree_end) const {
  const int g = num_groups();
  const int64_t stride = num_features_;
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < g; ++k) out[r * g + k] = base_score_[static_cast<size_t>(k)];
  }
  const Node* base = nodes_.data();
  // Per row of the block: its current node, and the sweep walk's list of unfinished rows. They grow
  // to the largest block, once per thread.
  thread_local std::vector<uint32_t> cur_v;
  thread_local std::vector<uint32_t> list_v;
  // The block's rows without a NaN first (clean_rows of them, -1 until needed), then the others.
  thread_local std::vector<uint32_t> order_v;
  int64_t clean_rows = -1;
  // Rows without a NaN (found once per block) walk apart from the others, with a step that skips
  // the missing-value test: a fifth fewer instructions per node step, a third per dense step.
  auto sort_rows = [&] {
    if (clean_rows >= 0) return;
    if (order_v.size() < static_cast<size_t>(rows)) order_v.resize(static_cast<size_t>(rows));
    uint32_t* order = order_v.data();
    int64_t front = 0;
    int64_t back = rows;
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * stride;
      bool nan = false;
      for (int64_t c = 0; c < stride; ++c) nan |= row[c] != row[c];
      if (nan) {
        order[--back] = static_cast<uint32_t>(r);
      } else {
        order[front++] = static_cast<uint32_t>(r);
      }
    }
    clean_rows = front;
  };
  // A dense tree over a list of rows: 8 rows walk in lockstep through the tree's slots.
  auto dense_rows = [&](auto with_nan, const uint32_t* from, int64_t count, int64_t slot, int depth, auto&& sink) {
    const uint32_t first = (1u << depth) - 1;
    constexpr int kRows = 8;
    int64_t j = 0;
    for (; j + kRows <= count; j += kRows) {
      const T* xr[kRows];
      uint32_t idx[kRows] = {};
      for (int k = 0; k < kRows; ++k) xr[k] = x + static_cast<int64_t>(from[j + k]) * stride;
      for (int d = 0; d < depth; ++d) {
        for (int k = 0; k < kRows; ++k) idx[k] = dense_step_at<decltype(with_nan)::value>(xr[k], slot, idx[k]);
      }
      for (int k = 0; k < kRows; ++k) sink(from[j + k], idx[k] - first);
    }
    for (; j < count; ++j) {
      const T* xr = x + static_cast<int64_t>(from[j]) * stride;
      uint32_t i = 0;
      for (int d = 0; d < depth; ++d) i = dense_step_at<decltype(with_nan)::value>(xr, slot, i);
      sink(from[j], i - first);
    }
  };
  for (int t = 0; t < tree_end; ++t) {
    const uint32_t root = tree_roots_[static_cast<size_t>(t)];
    double* o = out + tree_groups_[static_cast<size_t>(t)];
    const int64_t slot = dense_slot_[static_cast<size_t>(t)];
    if (slot >= 0) {
      const double* values = dense_leaf_.data() + dense_leaf_off_[static_cast<size_t>(t)];
      sort_rows();
      const int depth = tree_depths_[static_cast<size_t>(t)];
      auto add = [&](uint32_t r, uint32_t leaf_slot) { o[static_cast<int64_t>(r) * g] += values[leaf_slot]; };
      dense_rows(std::false_type{}, order_v.data(), clean_rows, slot, depth, add);
      dense_rows(std::true_type{}, order_v.data() + clean_rows, rows - clean_rows, slot, depth, add);
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
    // Start nodes: the root, or for a tree with a dense top the node where its top walk leaves each
    // row.
    if (cur_v.size() < static_cast<size_t>(rows)) {
      cur_v.resize(static_cast<size_t>(rows));
      list_v.resize(static_cast<size_t>(rows));
    }
    uint32_t* cur = cur_v.data();
    sort_rows();
    const uint32_t* order = order_v.data();
    const size_t tree_nodes = (static_cast<size_t>(t) + 1 < tree_roots_.size() ? tree_roots_[static_cast<size_t>(t) + 1] : nodes_.size()) - root;
    const int64_t top = top_slot_[static_cast<size_t>(t)];
    if (tree_nodes <= kSweepMaxNodes) {
      // A tree that sits in L1/L2 walks in sweeps over the block's unfinished rows: one step per row
      // and sweep, the rows that reached their leaf dropped from the list without a branch. Every
      // step is independent of the others in its sweep and no branch depends on the data; the
      // lanes below mispredict once per row where a leaf is found, which cost 30% on the 255-leaf
      // trees of model B (bench/predict.mjs). The lists start with the rows that the top did not
      // already bring to a leaf: clean rows at list[0, n_clean), the others from list[clean_rows].
      uint32_t* list = list_v.data();
      int64_t n_clean = clean_rows;
      int64_t n_nan = rows - clean_rows;
      if (top >= 0) {
        const int depth = top_depth_[static_cast<size_t>(t)];
        const uint32_t* exits = top_exit_.data() + top_exit_off_[static_cast<size_t>(t)];
        int64_t m = 0;
        auto enter = [&](uint32_t r, uint32_t bottom) {
          const uint32_t e = exits[bottom];
          cur[r] = e;
          list[m] = r;
          m += static_cast<int64_t>((base[e].word >> 31) ^ 1u);
        };
        dense_rows(std::false_type{}, order, clean_rows, top, depth, enter);
        n_clean = m;
        m = clean_rows;
        dense_rows(std::true_type{}, order + clean_rows, rows - clean_rows, top, depth, enter);
        n_nan = m - clean_rows;
      } else {
        std::fill(cur, cur + rows, root);
        std::copy(order, order + rows, list);
      }
      // Every listed row sits at a split: a step moves it to a child and keeps it listed only when
      // that child is a split too (one more load, of a line the next sweep reads anyway), so no
      // sweep spends a step on finding a leaf.
      auto sweep = [&](auto with_nan, uint32_t* at, int64_t count) {
        for (int64_t n = count; n > 0;) {
          int64_t m = 0;
          for (int64_t j = 0; j < n; ++j) {
            const uint32_t r = at[j];
            const uint32_t i = cur[r];
            const Node& nd = base[i];
            const uint32_t w = nd.word;
            const double v = static_cast<double>(x[static_cast<int64_t>(r) * stride + (w & kFeatureMask)]);
            const uint32_t next = step<decltype(with_nan)::value>(nd, i, v);
            cur[r] = next;
            at[m] = r;
            m += (base[next].word >> 31) ^ 1u;
          }
          n = m;
        }
      };
      sweep(std::false_type{}, list, n_clean);
      sweep(std::true_type{}, list + clean_rows, n_nan);
      for (int64_t r = 0; r < rows; ++r) o[r * g] += base[cur[r]].value;
      continue;
    }
    if (top >= 0) {
      const int depth = top_depth_[static_cast<size_t>(t)];
      const uint32_t* exits = top_exit_.data() + top_exit_off_[static_cast<size_t>(t)];
      auto enter = [&](uint32_t r, uint32_t bottom) { cur[r] = exits[bottom]; };
      dense_rows(std::false_type{}, order, clean_rows, top, depth, enter);
      dense_rows(std::true_type{}, order + clean_rows, rows - clean_rows, top, depth, enter);
    } else {
      std::fill(cur, cur + rows, root);
    }
    // Larger trees (a full-depth forest tree: its nodes stream from L3) walk in lanes, which keep
    // more independent node loads in flight: kLanes rows walk at once, and a row that reaches its
    // leaf hands its lane to the next row at once. (A deep forest tree's leaves sit at very
    // different depths, ~17 on average against ~33 at most on the 100k-row forest of
    // bench/forest.mjs; lanes that waited for the deepest row of their group idled for about a
    // third of the steps.) Each row still adds its trees in tree order.
    //
    // A lane holds pointers (its node, its row's values, its row's output), so a step is loads and
    // a select with no index arithmetic. Once the rows run out, a lane walks row 0 again into a
    // scratch sum: every sweep then visits all kLanes lanes (a fixed trip count) until the last
    // real row is done, at the price of at most one extra walk per lane per tree and block.
    constexpr int kLanes = 16;
    auto lanes = [&](auto with_nan, const uint32_t* from, int64_t count) {
      const Node* lane_nd[kLanes];
      const T* lane_x[kLanes];
      double* lane_out[kLanes];
      double scratch = 0.0;
      const Node* const root_nd = base + root;
      int64_t next = 0;
      auto assign = [&](int k) {
        if (next < count) {
          const uint32_t r = from[next++];
          lane_x[k] = x + static_cast<int64_t>(r) * stride;
          lane_out[k] = o + static_cast<int64_t>(r) * g;
          lane_nd[k] = base + cur[r];
        } else {
          lane_x[k] = x;
          lane_out[k] = &scratch;
          lane_nd[k] = root_nd;
        }
      };
      for (int k = 0; k < kLanes; ++k) assign(k);
      int64_t pending = count;  // rows whose leaf is not added yet
      while (pending > 0) {
        for (int k = 0; k < kLanes; ++k) {
          const Node* nd = lane_nd[k];
          const uint32_t w = nd->word;
          if (w & kLeafBit) {
            *lane_out[k] += nd->value;
            pending -= static_cast<int64_t>(lane_out[k] != &scratch);
            assign(k);
            continue;
          }
          const double v = static_cast<double>(lane_x[k][w & kFeatureMask]);
          const uintptr_t left = goes_left_bit<decltype(with_nan)::value>(*nd, v);
          // No branch (see step()): the right child plus, when going left, the distance to nd + 1.
          const uintptr_t right = reinterpret_cast<uintptr_t>(base + nd->right);
          lane_nd[k] = reinterpret_cast<const Node*>(right + ((reinterpret_cast<uintptr_t>(nd + 1) - right) & (0 - left)));
        }
      }
    };
    lanes(std::false_type{}, order, clean_rows);
    lanes(std::true_type{}, order + clean_rows, rows - clean_rows);
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
