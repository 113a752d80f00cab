#include "forest_tree_learner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <string>
#include <utility>

#include <cstring>

#include "../errors.h"
#include "../simd/forest_kernels.h"
#include "../tree/random.h"

namespace ensemblekit {

void ForestTreeParams::validate(int64_t num_features) const {
  auto bad = [](const std::string& what) { throw InvalidParameter(what); };
  if (is_classification(criterion) && num_classes < 2) {
    bad("Expected at least 2 classes for a classification forest but received " + std::to_string(num_classes));
  }
  if (min_samples_split < 2) bad("Expected min_samples_split >= 2 but received " + std::to_string(min_samples_split));
  if (min_samples_leaf < 1) bad("Expected min_samples_leaf >= 1 but received " + std::to_string(min_samples_leaf));
  if (max_leaf_nodes == 1) bad("Expected max_leaf_nodes >= 2 (or <= 0: unlimited) but received 1");
  if (max_features < 1 || max_features > num_features) {
    bad("Expected max_features in [1, " + std::to_string(num_features) + "] but received " + std::to_string(max_features));
  }
  if (!(min_impurity_decrease >= 0.0) || !std::isfinite(min_impurity_decrease)) {
    bad("Expected a finite min_impurity_decrease >= 0");
  }
}

namespace {

// scikit-learn's EPSILON (numpy's float64 machine epsilon): the pure-node and min_impurity_decrease
// tolerances.
constexpr double kEpsilon = 2.220446049250313e-16;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// A byte buffer that grows without zero-filling (std::vector::resize would memset megabytes per
// tree that are overwritten at once) and keeps its memory between trees. Megabyte buffers (the
// node-ordered store) are rounded up to whole huge pages: a learner's first tree would otherwise
// take a page fault per 4 KiB of them.
class RawBuffer {
 public:
  RawBuffer() = default;
  // The deleter points at cap_: neither copied nor moved.
  RawBuffer(const RawBuffer&) = delete;
  RawBuffer& operator=(const RawBuffer&) = delete;
  uint8_t* reserve(size_t n) {
    if (n > cap_) {
      const size_t bytes = n >= (size_t{1} << 20) ? huge_block_size(n) : n;
      data_.reset(static_cast<uint8_t*>(HugePageAllocator<uint8_t>().allocate(bytes)));
      cap_ = bytes;
    }
    return data_.get();
  }
  uint8_t* data() { return data_.get(); }

 private:
  struct Free {
    size_t* cap;
    void operator()(uint8_t* p) const { HugePageAllocator<uint8_t>().deallocate(p, *cap); }
  };
  size_t cap_ = 0;
  std::unique_ptr<uint8_t, Free> data_{nullptr, Free{&cap_}};
};

// A split's left-side statistics (weighted class counts, or regression's w, wy, wy^2): inline up
// to eight entries, so evaluating a node allocates nothing for up to eight classes.
class Stats {
 public:
  static constexpr size_t kInline = 8;
  void assign(size_t n, double v) {
    n_ = n;
    if (n > kInline) {
      heap_.assign(n, v);
    } else {
      heap_.clear();
      std::fill(inline_, inline_ + n, v);
    }
  }
  void resize(size_t n) {
    if (n != n_) assign(n, 0.0);
  }
  size_t size() const { return n_; }
  double* data() { return n_ > kInline ? heap_.data() : inline_; }
  const double* data() const { return n_ > kInline ? heap_.data() : inline_; }
  double* begin() { return data(); }
  double* end() { return data() + n_; }
  const double* begin() const { return data(); }
  const double* end() const { return data() + n_; }
  double& operator[](size_t i) { return data()[i]; }
  double operator[](size_t i) const { return data()[i]; }

 private:
  size_t n_ = 0;
  double inline_[kInline] = {};
  std::vector<double> heap_;
};

struct Split {
  bool valid = false;
  int feature = -1;
  int threshold_bin = 0;
  bool default_left = true;
  double proxy = kNegInf;
  int64_t left_count = 0;
  Stats left_stats;
  // W * impurity of the children (absolute error: computed by the scan; others: from the stats).
  double wimp_left = 0.0, wimp_right = 0.0;
};

struct NodeState {
  int depth = 0;
  int64_t begin = 0;  // the node's rows are positions [begin, begin + count) of the store
  int64_t count = 0;
  double weight = 0.0;
  double wimp = 0.0;  // W * impurity
  // Features known constant in this node: a list in ForestTreeLearner's constant arena (head
  // entry, -1 for none), shared with the ancestors it extends.
  int constants = -1;
};

// Fenwick tree over ranks 1..n of (weight, weight * y), for weighted medians of a changing set.
class Fenwick {
 public:
  void reset(int64_t n) {
    n_ = n;
    w_.assign(static_cast<size_t>(n + 1), 0.0);
    wy_.assign(static_cast<size_t>(n + 1), 0.0);
    top_ = 1;
    while (top_ * 2 <= n_) top_ *= 2;
    total_w_ = total_wy_ = 0.0;
  }
  void add(int64_t rank, double w, double wy) {
    total_w_ += w;
    total_wy_ += wy;
    for (int64_t i = rank; i <= n_; i += i & -i) {
      w_[static_cast<size_t>(i)] += w;
      wy_[static_cast<size_t>(i)] += wy;
    }
  }
  double total_w() const { return total_w_; }
  // Largest position p with prefix weight(p) < target (strict) or <= target; returns p and the prefix sums.
  int64_t descend(double target, bool inclusive, double* acc_w, double* acc_wy) const {
    int64_t pos = 0;
    double aw = 0.0, awy = 0.0;
    for (int64_t step = top_; step > 0; step >>= 1) {
      const int64_t next = pos + step;
      if (next > n_) continue;
      const double cand = aw + w_[static_cast<size_t>(next)];
      if (inclusive ? cand <= target : cand < target) {
        pos = next;
        aw = cand;
        awy += wy_[static_cast<size_t>(next)];
      }
    }
    *acc_w = aw;
    *acc_wy = awy;
    return pos;
  }
  // Sum of w |y - median| over the set; sorted_y[r - 1] is the y of rank r, rank_w its current weight.
  double abs_deviation(const double* sorted_y, const double* rank_w) const {
    const double total = total_w_;
    if (total <= 0.0) return 0.0;
    const double half = total / 2.0;
    double aw, awy;
    const int64_t p = descend(half, false, &aw, &awy);
    const int64_t k = std::min(p + 1, n_);  // smallest rank with prefix >= half
    const double wk = rank_w[k - 1];
    const double below_w = aw + wk, below_wy = awy + wk * sorted_y[k - 1];
    double median = sorted_y[k - 1];
    if (below_w == half) {
      // scikit-learn's WeightedMedianCalculator: exactly half the weight at or below -> the mean of
      // this value and the next one that carries weight.
      double bw, bwy;
      const int64_t q = descend(half, true, &bw, &bwy);
      if (q + 1 <= n_) median = (median + sorted_y[q]) / 2.0;
    }
    return median * below_w - below_wy + (total_wy_ - below_wy) - median * (total - below_w);
  }

 private:
  int64_t n_ = 0, top_ = 1;
  std::vector<double> w_, wy_;
  double total_w_ = 0.0, total_wy_ = 0.0;
};

}  // namespace

class ForestTreeLearner::Impl {
 public:
  Impl(const ForestInput& in, const ForestTreeParams& p) : in_(in), p_(p) {
    classification_ = is_classification(p.criterion);
    mae_ = p.criterion == ForestCriterion::kAbsoluteError;
    k_ = classification_ ? p.num_classes : 1;
    binary_ = classification_ && k_ == 2;
    byte_labels_ = classification_ && k_ <= 256;
    s_ = classification_ ? p.num_classes : 3;
    features_ = static_cast<int>(in.data->num_features());
    min_split_ = std::max(p.min_samples_split, 2 * p.min_samples_leaf);
    gini2_ = p.criterion == ForestCriterion::kGini && k_ == 2;
    all_features_.resize(static_cast<size_t>(features_));
    for (int f = 0; f < features_; ++f) all_features_[static_cast<size_t>(f)] = f;
  }

  ForestTree grow(const double* weights, const uint32_t* rows, int64_t n, uint64_t seed, const WorkControl& control) {
    weights_ = weights;
    seed_ = seed;
    control_ = &control;
    hist_.assign(static_cast<size_t>(256 * s_), 0.0);
    hist_count_.assign(256, 0);
    g_bin_.reserve(256);
    g_count_.reserve(256);
    g_stats_.reserve(static_cast<size_t>(256 * s_));
    kernels_ = &simd::forest_kernels(simd::active_isa());
    fill_store(rows, n);
    lab_all_.resize(static_cast<size_t>(classification_ && !byte_labels_ ? n : 0));
    uint8_t* lab8 = byte_labels_ ? column(features_) : nullptr;
    y_all_.resize(static_cast<size_t>(classification_ ? 0 : n));
    w_all_.resize(static_cast<size_t>(n));
    bits_.resize(static_cast<size_t>((n + 63) / 64));
    unit_ = true;
    for (int64_t i = 0; i < n; ++i) {
      const double w = weights_[rows[i]];
      w_all_[static_cast<size_t>(i)] = w;
      unit_ = unit_ && w == 1.0;
      if (classification_) {
        if (byte_labels_) {
          lab8[i] = static_cast<uint8_t>(in_.labels[rows[i]]);
        } else {
          lab_all_[static_cast<size_t>(i)] = in_.labels[rows[i]];
        }
      } else {
        y_all_[static_cast<size_t>(i)] = in_.targets[rows[i]];
      }
    }
    // Grown in the learner's own (warm) node array, then copied out at its exact size.
    tree_.clear(0.0);
    // Trees of one forest have similar sizes: reserving a bit more than the previous one avoids the
    // regrowth copies (and, for big trees, the page faults of every doubling).
    int64_t most = p_.max_leaf_nodes > 1 ? 2 * static_cast<int64_t>(p_.max_leaf_nodes) - 1 : 2 * n - 1;
    if (p_.max_depth >= 0 && p_.max_depth < 40) most = std::min(most, (int64_t{2} << p_.max_depth) - 1);
    most = std::min<int64_t>(most, std::numeric_limits<int>::max());
    // The first tree of a learner guesses n nodes (a full-depth tree on n distinct rows has up to
    // 2n - 1; untouched reserved pages cost nothing).
    const int64_t guess = std::min<int64_t>(most, last_nodes_ > 0 ? last_nodes_ + last_nodes_ / 8 + 64 : n + 64);
    tree_.reserve(static_cast<int>(guess));
    states_.assign(1, NodeState());
    states_.reserve(static_cast<size_t>(guess));
    const_arena_.clear();
    NodeState& root = states_[0];
    root.count = n;
    node_stats_.assign(static_cast<size_t>(s_), 0.0);
    double* root_stats = node_stats_.data();
    for (int64_t i = 0; i < n; ++i) add_row_stats(root_stats, rows[i]);
    root.weight = stats_weight(root_stats);
    root.wimp = wimp(root_stats);
    root_weight_ = root.weight;
    tree_.mutable_node(0).sum_hess = root.weight;
    tree_.mutable_node(0).count = n;

    if (p_.max_leaf_nodes > 1) {
      grow_best_first();
    } else {
      grow_depth_first();
    }
    if (classification_) {
      // Every node's class frequencies, from the statistics it was created with, in one pass.
      const size_t nodes = static_cast<size_t>(tree_.num_nodes());
      // (Appended, not resized and overwritten: the array is fresh memory, written once.)
      distribution_ = NodeArray<double>(HugePageAllocator<double>(slab_));
      distribution_.reserve(nodes * static_cast<size_t>(k_));
      for (size_t node = 0; node < nodes; ++node) {
        const NodeState& st = states_[node];
        const double* stats = stats_of(static_cast<int>(node));
        for (int c = 0; c < k_; ++c) distribution_.push_back(st.weight > 0.0 ? stats[c] / st.weight : 0.0);
      }
    }
    last_nodes_ = tree_.num_nodes();
    ForestTree out;
    out.tree = tree_.copy_with(HugePageAllocator<TreeNode>(slab_));
    out.distribution = std::move(distribution_);
    return out;
  }

 private:
  // ---- statistics ------------------------------------------------------------------------------

  void add_row_stats(double* stats, uint32_t row) const {
    const double w = weights_[row];
    if (classification_) {
      stats[in_.labels[row]] += w;
    } else {
      const double y = in_.targets[row];
      stats[0] += w;
      stats[1] += w * y;
      stats[2] += w * y * y;
    }
  }

  double stats_weight(const double* stats) const {
    if (!classification_) return stats[0];
    double w = 0.0;
    for (int c = 0; c < k_; ++c) w += stats[c];
    return w;
  }

  // W * impurity from the stats (absolute error is computed from rows instead).
  double wimp(const double* s) const {
    switch (p_.criterion) {
      case ForestCriterion::kGini: {
        double w = 0.0, sq = 0.0;
        for (int c = 0; c < k_; ++c) {
          w += s[c];
          sq += s[c] * s[c];
        }
        return w > 0.0 ? std::max(0.0, w - sq / w) : 0.0;
      }
      case ForestCriterion::kEntropy: {
        double w = 0.0;
        for (int c = 0; c < k_; ++c) w += s[c];
        if (w <= 0.0) return 0.0;
        double h = 0.0;
        for (int c = 0; c < k_; ++c) {
          if (s[c] > 0.0) h -= s[c] * std::log2(s[c] / w);
        }
        return std::max(0.0, h);
      }
      default:
        return s[0] > 0.0 ? std::max(0.0, s[2] - s[1] * s[1] / s[0]) : 0.0;
    }
  }

  // The split proxy of one child (higher is better; summed over both children).
  double proxy(const double* s) const {
    switch (p_.criterion) {
      case ForestCriterion::kGini: {
        double w = 0.0, sq = 0.0;
        for (int c = 0; c < k_; ++c) {
          w += s[c];
          sq += s[c] * s[c];
        }
        return w > 0.0 ? sq / w : 0.0;
      }
      case ForestCriterion::kEntropy: {
        double w = 0.0;
        for (int c = 0; c < k_; ++c) w += s[c];
        double v = 0.0;
        for (int c = 0; c < k_; ++c) {
          if (s[c] > 0.0) v += s[c] * std::log2(s[c] / w);
        }
        return v;
      }
      default:
        return s[0] > 0.0 ? s[1] * s[1] / s[0] : 0.0;
    }
  }

  bool is_pure(int node, const NodeState& st) const {
    if (st.weight <= 0.0) return true;
    if (p_.criterion == ForestCriterion::kSquaredError) {
      // Relative to the mean square: wy2 - wy^2/W of a constant target is rounding noise, not spread.
      return st.wimp <= std::max(kEpsilon * st.weight, 1e-13 * stats_of(node)[2]);
    }
    return st.wimp <= kEpsilon * st.weight;
  }

  // ---- growth ----------------------------------------------------------------------------------

  void grow_depth_first() {
    std::vector<int> stack{0};
    int processed = 0;
    while (!stack.empty()) {
      const int node = stack.back();
      stack.pop_back();
      if ((++processed & 255) == 0) control_->check();
      Split split = evaluate(node);
      if (!split.valid) continue;
      const int left = apply(node, split);
      stack.push_back(left + 1);
      stack.push_back(left);
    }
  }

  void grow_best_first() {
    // (impurity decrease, -node): the largest decrease first, the older node on ties.
    std::priority_queue<std::pair<double, int>> frontier;
    std::vector<Split> pending;
    auto consider = [&](int node) {
      Split split = evaluate(node);
      if (static_cast<size_t>(node) >= pending.size()) pending.resize(static_cast<size_t>(node) + 1);
      if (!split.valid) return;
      const double gain = states_[static_cast<size_t>(node)].wimp - split.wimp_left - split.wimp_right;
      pending[static_cast<size_t>(node)] = std::move(split);
      frontier.emplace(gain, -node);
    };
    consider(0);
    int splits_left = p_.max_leaf_nodes - 1;
    int processed = 0;
    while (!frontier.empty() && splits_left > 0) {
      const int node = -frontier.top().second;
      frontier.pop();
      if ((++processed & 255) == 0) control_->check();
      const int left = apply(node, pending[static_cast<size_t>(node)]);
      pending[static_cast<size_t>(node)] = Split();
      --splits_left;
      consider(left);
      consider(left + 1);
    }
  }


  // Sets the node's output, decides whether it may split and finds its best split.
  Split evaluate(int node) {
    NodeState& st = states_[static_cast<size_t>(node)];
    const int64_t m = st.count;
    if (classification_) {
      // (The class frequencies are written when the tree is done; P(class 1) is the node value.)
      tree_.mutable_node(node).value = k_ == 2 && st.weight > 0.0 ? stats_of(node)[1] / st.weight : 0.0;
    } else if (!mae_) {
      tree_.mutable_node(node).value = st.weight > 0.0 ? stats_of(node)[1] / st.weight : 0.0;
    }
    set_segment(st.begin);
    if (mae_) {
      double median = 0.0;
      st.wimp = node_median(m, &median);
      tree_.mutable_node(node).value = median;
    }
    Split best;
    const bool leaf = (p_.max_depth >= 0 && st.depth >= p_.max_depth) || m < min_split_ || is_pure(node, st);
    if (leaf) return best;
    find_split(node, st, m, &best);
    if (!best.valid) return best;
    if (!mae_) {
      best.wimp_left = wimp(best.left_stats.data());
      right_buf_.resize(static_cast<size_t>(s_));
      for (int c = 0; c < s_; ++c) right_buf_[static_cast<size_t>(c)] = stats_of(node)[c] - best.left_stats[static_cast<size_t>(c)];
      clamp_stats(right_buf_.data());
      best.wimp_right = wimp(right_buf_.data());
    }
    const double improvement = (st.wimp - best.wimp_left - best.wimp_right) / root_weight_;
    if (improvement + kEpsilon < p_.min_impurity_decrease) best.valid = false;
    return best;
  }

  void clamp_stats(double* s) const {
    if (classification_) {
      for (int c = 0; c < k_; ++c) s[c] = std::max(0.0, s[c]);
    } else {
      s[0] = std::max(0.0, s[0]);
    }
  }

  // Splits the node (tree, partition, child states); returns the left child's id.
  int apply(int node, const Split& split) {
    const NodeState parent = states_[static_cast<size_t>(node)];
    const int f = split.feature;
    const BinnedDataset& data = *in_.data;
    const double gain = parent.wimp - split.wimp_left - split.wimp_right;
    NodeState l, r;
    l.depth = r.depth = parent.depth + 1;
    // The children's statistics go to slots num_nodes and num_nodes + 1, the ids split_numerical
    // gives them.
    const size_t at = static_cast<size_t>(tree_.num_nodes()) * static_cast<size_t>(s_);
    node_stats_.resize(at + 2 * static_cast<size_t>(s_));
    double* ls = node_stats_.data() + at;
    double* rs = ls + s_;
    const double* ps = stats_of(node);
    for (int c = 0; c < s_; ++c) {
      ls[c] = split.left_stats[static_cast<size_t>(c)];
      rs[c] = ps[c] - ls[c];
    }
    clamp_stats(rs);
    l.count = split.left_count;
    r.count = parent.count - split.left_count;
    l.begin = parent.begin;
    r.begin = parent.begin + l.count;
    l.weight = stats_weight(ls);
    r.weight = stats_weight(rs);
    l.wimp = split.wimp_left;
    r.wimp = split.wimp_right;
    l.constants = r.constants = parent.constants;
    const int left = tree_.split_numerical(node, f, split.threshold_bin, data.mapper(f).bin_upper_bound(split.threshold_bin),
                                           split.default_left, std::max(0.0, gain), 0.0, 0.0, l.weight, r.weight, l.count,
                                           r.count);
    // Children at max_depth are leaves whose outputs come from their statistics alone (absolute
    // error aside: its median reads the rows), so their rows need not move: a stump, AdaBoost's
    // default member, never partitions.
    const bool children_final = !mae_ && p_.max_depth >= 0 && l.depth >= p_.max_depth;
    if (!children_final) {
      const int64_t moved = partition(parent.begin, parent.count, f, split.threshold_bin, data.missing_bin(f), split.default_left);
      if (moved != l.count) throw std::logic_error("forest tree: partition disagrees with the split statistics");
    }
    if (states_.size() != static_cast<size_t>(left)) throw std::logic_error("forest tree: node ids out of step");
    states_.push_back(l);
    states_.push_back(r);
    return left;
  }

  // ---- split finding ---------------------------------------------------------------------------

  void set_segment(int64_t begin) {
    seg_ = begin;
    w_ = w_all_.data() + begin;
    lab_ = classification_ && !byte_labels_ ? lab_all_.data() + begin : nullptr;
    lab8_ = byte_labels_ ? column(features_) + begin : nullptr;
    y_ = classification_ ? nullptr : y_all_.data() + begin;
  }

  // The tree's sample, column-major: column f of position i at store_[f * col_stride_ + i].
  // When the sample is every row of the dataset (extra trees, or no bootstrap), the columns are
  // copied from a transposed copy of the whole dataset kept by this learner.
  void fill_store(const uint32_t* rows, int64_t n) {
    const BinnedDataset& data = *in_.data;
    col_stride_ = (n + 64 + 63) / 64 * 64;
    store_.reserve(static_cast<size_t>(store_columns()) * static_cast<size_t>(col_stride_));
    scratch_.reserve(static_cast<size_t>(col_stride_) * sizeof(double));
    const int64_t rows_total = data.num_rows();
    if (n == rows_total) {
      if (!full_ready_) {
        full_.reserve(static_cast<size_t>(features_) * static_cast<size_t>(rows_total));
        transpose(nullptr, rows_total, full_.data(), rows_total);
        full_ready_ = true;
      }
      for (int f = 0; f < features_; ++f) {
        std::memcpy(column(f), full_.data() + static_cast<size_t>(f) * static_cast<size_t>(rows_total), static_cast<size_t>(n));
      }
    } else {
      transpose(rows, n, store_.data(), col_stride_);
    }
  }

  // Writes rows[i] (or row i when rows is null) of the dataset to out[f * stride + i], in blocks of
  // rows so the feature columns being written stay in cache.
  void transpose(const uint32_t* rows, int64_t n, uint8_t* out, int64_t stride) const {
    const BinnedDataset& data = *in_.data;
    constexpr int64_t kBlock = 256;
    for (int64_t lo = 0; lo < n; lo += kBlock) {
      const int64_t hi = std::min(n, lo + kBlock);
      for (int f = 0; f < features_; ++f) {
        uint8_t* dst = out + f * stride;
        for (int64_t i = lo; i < hi; ++i) dst[i] = data.row(rows != nullptr ? rows[i] : i)[f];
      }
    }
  }

  uint8_t* column(int f) { return store_.data() + static_cast<int64_t>(f) * col_stride_; }
  int store_columns() const { return features_ + (byte_labels_ ? 1 : 0); }
  // Class of position i of the current segment.
  int label(int64_t i) const { return lab8_ != nullptr ? lab8_[i] : lab_[i]; }

  // Stable partition of positions [begin, begin + m) by "bin <= t, missing bin -> default side":
  // left rows first. Every column and the weight, label or target move together. Returns the left
  // count.
  int64_t partition(int64_t begin, int64_t m, int f, int t, int missing_bin, bool default_left) {
    uint64_t* bits = bits_.data();
    const int64_t nl = kernels_->left_bits(column(f) + begin, m, static_cast<uint8_t>(t), static_cast<uint8_t>(missing_bin),
                                           default_left, bits);
    // The label bytes, when kept, are the store's last column and move with the bins.
    kernels_->partition_columns(column(0) + begin, col_stride_, store_columns(), m, bits, scratch_.data());
    // Unit weights are all 1.0 in any order.
    if (!unit_) move_values(w_all_.data() + begin, m, bits);
    if (classification_) {
      if (!byte_labels_) move_values(lab_all_.data() + begin, m, bits);
    } else {
      move_values(y_all_.data() + begin, m, bits);
    }
    return nl;
  }

  template <class T>
  void move_values(T* seg, int64_t m, const uint64_t* bits) {
    T* tmp = reinterpret_cast<T*>(scratch_.data());
    int64_t nl = 0, nr = 0;
    for (int64_t i = 0; i < m; ++i) {
      const T v = seg[i];
      const int64_t left = static_cast<int64_t>((bits[i >> 6] >> (i & 63)) & 1u);
      seg[nl] = v;
      tmp[nr] = v;
      nl += left;
      nr += 1 - left;
    }
    std::memcpy(seg + nl, tmp, static_cast<size_t>(nr) * sizeof(T));
  }

  // Absolute error: sorts the node's targets (ranks for the scan's Fenwick trees) and returns
  // sum w |y - weighted median|, the median in *median.
  double node_median(int64_t m, double* median) {
    order_.resize(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) order_[static_cast<size_t>(i)] = static_cast<uint32_t>(i);
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      return y_[a] < y_[b] || (y_[a] == y_[b] && a < b);
    });
    rank_.resize(static_cast<size_t>(m));
    sorted_y_.resize(static_cast<size_t>(m));
    double total = 0.0;
    for (int64_t r = 0; r < m; ++r) {
      const uint32_t i = order_[static_cast<size_t>(r)];
      rank_[i] = static_cast<uint32_t>(r + 1);
      sorted_y_[static_cast<size_t>(r)] = y_[i];
      total += w_[i];
    }
    const double half = total / 2.0;
    double cum = 0.0, med = m > 0 ? sorted_y_[0] : 0.0;
    for (int64_t r = 0; r < m; ++r) {
      cum += w_[order_[static_cast<size_t>(r)]];
      if (cum >= half) {
        med = sorted_y_[static_cast<size_t>(r)];
        if (cum == half && r + 1 < m) med = (med + sorted_y_[static_cast<size_t>(r + 1)]) / 2.0;
        break;
      }
    }
    *median = med;
    double dev = 0.0;
    for (int64_t i = 0; i < m; ++i) dev += w_[static_cast<size_t>(i)] * std::fabs(y_[static_cast<size_t>(i)] - med);
    return dev;
  }

  // Groups the node's rows of feature f by bin: non-empty value bins in g_* (ascending), the missing
  // bin's rows in miss_*. With `with_rows`, g_order_ lists the local row indices bin by bin and
  // g_start_ where each group begins (missing rows last). Returns false when the feature is constant
  // in the node (a single non-empty bin, the missing bin included).
  bool build_groups(int f, int64_t m, bool with_rows) {
    const uint8_t* col = column(f) + seg_;
    const int mb = in_.data->missing_bin(f);
    g_bin_.clear();
    g_count_.clear();
    g_stats_.clear();
    g_start_.clear();
    miss_count_ = 0;
    miss_stats_.assign(static_cast<size_t>(s_), 0.0);
    if (with_rows) {
      keys_.resize(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i) keys_[static_cast<size_t>(i)] = (static_cast<uint64_t>(col[i]) << 32) | static_cast<uint64_t>(i);
      std::sort(keys_.begin(), keys_.end());
      if (with_rows) g_order_.resize(static_cast<size_t>(m));
      int current = -1;
      double* stats = nullptr;
      for (int64_t j = 0; j < m; ++j) {
        const int b = static_cast<int>(keys_[static_cast<size_t>(j)] >> 32);
        const uint32_t i = static_cast<uint32_t>(keys_[static_cast<size_t>(j)]);
        if (with_rows) g_order_[static_cast<size_t>(j)] = i;
        if (b == mb) {
          if (current != mb) {
            current = mb;
            if (with_rows) g_start_.push_back(j);
          }
          ++miss_count_;
          stats = miss_stats_.data();
        } else {
          if (b != current) {
            current = b;
            g_bin_.push_back(b);
            g_count_.push_back(0);
            g_stats_.resize(g_stats_.size() + static_cast<size_t>(s_), 0.0);
            if (with_rows) g_start_.push_back(j);
          }
          ++g_count_.back();
          stats = g_stats_.data() + g_stats_.size() - static_cast<size_t>(s_);
        }
        add_local_stats(stats, i);
      }
      if (with_rows) g_start_.push_back(m);
    } else {
      // A sparse histogram: the bins the node touches are marked in a 256-bit map, read back in
      // ascending order and cleared behind, so hist_ stays zero between calls and neither the
      // clearing nor the read-out costs 256 bins for a node with a handful of distinct values.
      uint64_t touched[4] = {0, 0, 0, 0};
      double* h = hist_.data();
      int64_t* hc = hist_count_.data();
      const int s = s_;
      if (classification_) {
        for (int64_t i = 0; i < m; ++i) {
          const int b = col[i];
          touched[b >> 6] |= uint64_t{1} << (b & 63);
          ++hc[b];
          h[b * s + label(i)] += w_[static_cast<size_t>(i)];
        }
      } else {
        for (int64_t i = 0; i < m; ++i) {
          const int b = col[i];
          touched[b >> 6] |= uint64_t{1} << (b & 63);
          ++hc[b];
          const double w = w_[static_cast<size_t>(i)], y = y_[static_cast<size_t>(i)];
          h[b * 3] += w;
          h[b * 3 + 1] += w * y;
          h[b * 3 + 2] += w * y * y;
        }
      }
      // Sized once (within the capacity reserved in grow), then filled by index.
      const bool has_missing = (touched[mb >> 6] >> (mb & 63)) & 1;
      const size_t groups = static_cast<size_t>(__builtin_popcountll(touched[0]) + __builtin_popcountll(touched[1]) +
                                                __builtin_popcountll(touched[2]) + __builtin_popcountll(touched[3])) -
                            (has_missing ? 1 : 0);
      g_bin_.resize(groups);
      g_count_.resize(groups);
      g_stats_.resize(groups * static_cast<size_t>(s));
      size_t g = 0;
      for (int word = 0; word < 4; ++word) {
        for (uint64_t bits = touched[word]; bits != 0; bits &= bits - 1) {
          const int b = word * 64 + __builtin_ctzll(bits);
          double* hb = h + b * s;
          double* to = b == mb ? miss_stats_.data() : g_stats_.data() + g * static_cast<size_t>(s);
          for (int c = 0; c < s; ++c) {
            to[c] = hb[c];
            hb[c] = 0.0;
          }
          if (b == mb) {
            miss_count_ = hc[b];
          } else {
            g_bin_[g] = b;
            g_count_[g] = hc[b];
            ++g;
          }
          hc[b] = 0;
        }
      }
    }
    return g_bin_.size() + (miss_count_ > 0 ? 1 : 0) > 1;
  }

  void add_local_stats(double* stats, uint32_t i) const {
    const double w = w_[i];
    if (classification_) {
      stats[label(i)] += w;
    } else {
      const double y = y_[i];
      stats[0] += w;
      stats[1] += w * y;
      stats[2] += w * y * y;
    }
  }

  void add_constant(NodeState* st, int f) {
    const_arena_.emplace_back(f, st->constants);
    st->constants = static_cast<int>(const_arena_.size() - 1);
  }

  const double* stats_of(int node) const { return node_stats_.data() + static_cast<size_t>(node) * static_cast<size_t>(s_); }

  void find_split(int node, NodeState& st, int64_t m, Split* best) {
    st_stats_ = static_cast<size_t>(node) * static_cast<size_t>(s_);
    // Candidate pool: every feature not known constant here.
    if (st.constants < 0) {
      pool_.assign(all_features_.begin(), all_features_.end());
    } else {
      pool_.clear();
      known_.assign(static_cast<size_t>(features_), 0);
      for (int e = st.constants; e >= 0; e = const_arena_[static_cast<size_t>(e)].second) {
        known_[static_cast<size_t>(const_arena_[static_cast<size_t>(e)].first)] = 1;
      }
      for (int f = 0; f < features_; ++f) {
        if (!known_[static_cast<size_t>(f)]) pool_.push_back(f);
      }
    }
    SplitMix64 rng(derive_seed(seed_, 2, static_cast<uint64_t>(node)));
    best->left_stats.assign(static_cast<size_t>(s_), 0.0);
    const size_t n = pool_.size();
    size_t visited = 0;
    bool found_non_constant = false;
    while (visited < n && (visited < static_cast<size_t>(p_.max_features) || !found_non_constant)) {
      const size_t j = visited + static_cast<size_t>(rng.below_fast(n - visited));
      std::swap(pool_[visited], pool_[j]);
      const int f = pool_[visited];
      ++visited;
      if (p_.extra_trees && !mae_) {
        if (!(binary_ && unit_ ? scan_extra_binary(f, st, m, rng, best) : scan_extra(f, st, m, rng, best))) {
          add_constant(&st, f);
          continue;
        }
        found_non_constant = true;
        continue;
      }
      if (!build_groups(f, m, mae_)) {
        add_constant(&st, f);
        continue;
      }
      found_non_constant = true;
      if (mae_) {
        scan_absolute_error(f, m, rng, best);
      } else {
        if (p_.criterion == ForestCriterion::kGini && k_ == 2) {
          scan_gini<2>(f, m, best);
        } else if (p_.criterion == ForestCriterion::kGini && k_ == 3) {
          scan_gini<3>(f, m, best);
        } else if (p_.criterion == ForestCriterion::kGini) {
          scan_gini<0>(f, m, best);
        } else {
          scan(f, st, m, rng, best);
        }
      }
    }
  }

  // The bin of a split between groups g and g + 1 (halfway through the empty bins between them).
  int threshold_between(size_t g) const {
    const int a = g_bin_[g], b = g_bin_[g + 1];
    return a + (b - a - 1) / 2;
  }

  // Extra trees: the group index a uniformly drawn threshold bin falls after (left = groups <= it).
  size_t random_position(SplitMix64& rng, int* threshold) const {
    const int lo = g_bin_.front(), hi = g_bin_.back();
    const int t = lo + static_cast<int>(rng.below_fast(static_cast<uint64_t>(hi - lo)));
    *threshold = t;
    size_t pos = 0;
    while (pos + 1 < g_bin_.size() && g_bin_[pos + 1] <= t) ++pos;
    return pos;
  }

  void consider(int f, const double* left, int64_t left_count, int threshold_bin, bool default_left,
                const NodeState& st, Split* best) {
    const int64_t right_count = st.count - left_count;
    if (left_count < p_.min_samples_leaf || right_count < p_.min_samples_leaf) return;
    double v;
    if (gini2_) {
      // proxy() + proxy() of the clamped right side, spelled out for two classes (same arithmetic).
      auto gini = [](double a, double b) {
        const double w = a + b;
        return w > 0.0 ? (a * a + b * b) / w : 0.0;
      };
      const double* ps = node_stats_.data() + st_stats_;
      v = gini(left[0], left[1]) + gini(std::max(0.0, ps[0] - left[0]), std::max(0.0, ps[1] - left[1]));
    } else {
      right_buf_.resize(static_cast<size_t>(s_));
      const double* ps = node_stats_.data() + st_stats_;
      for (int c = 0; c < s_; ++c) right_buf_[static_cast<size_t>(c)] = ps[c] - left[c];
      clamp_stats(right_buf_.data());
      v = proxy(left) + proxy(right_buf_.data());
    }
    if (v > best->proxy) {
      best->valid = true;
      best->proxy = v;
      best->feature = f;
      best->threshold_bin = threshold_bin;
      best->default_left = default_left;
      best->left_count = left_count;
      std::copy(left, left + s_, best->left_stats.begin());
    }
  }

  // scan() for gini, with the class count K fixed at compile time (0: k_ classes): the same
  // candidates in the same order, the same arithmetic and the same strict-improvement tie rule, with
  // the running best kept in registers and copied into *best once. Per threshold this is a few adds
  // and two divisions; the generic consider() (buffers, clamps, a criterion switch) was most of a
  // random forest's time.
  template <int K>
  void scan_gini(int f, int64_t m, Split* best) {
    const int k = K > 0 ? K : k_;
    const size_t groups = g_bin_.size();
    const double* parent = node_stats_.data() + st_stats_;
    const double* miss = miss_stats_.data();
    const int64_t miss_count = miss_count_;
    const int64_t min_leaf = p_.min_samples_leaf;
    constexpr int kMax = K > 0 ? K : 1;
    double left_fixed[kMax], both_fixed[kMax];
    left_buf_.assign(static_cast<size_t>(k), 0.0);
    both_buf_.resize(static_cast<size_t>(k));
    double* left = K > 0 ? left_fixed : left_buf_.data();
    double* both = K > 0 ? both_fixed : both_buf_.data();
    for (int c = 0; c < k; ++c) left[c] = 0.0;
    // gini proxy of (left, parent - left clamped at 0): sum_c s_c^2 / W per child.
    auto value = [&](const double* l) {
      double wl = 0.0, sql = 0.0, wr = 0.0, sqr = 0.0;
      for (int c = 0; c < k; ++c) {
        const double r = std::max(0.0, parent[c] - l[c]);
        wl += l[c];
        sql += l[c] * l[c];
        wr += r;
        sqr += r * r;
      }
      return (wl > 0.0 ? sql / wl : 0.0) + (wr > 0.0 ? sqr / wr : 0.0);
    };
    double best_v = best->proxy;
    // The winner: which candidate (group index, or groups for "missing vs the rest") and whether
    // the missing rows went left.
    int64_t win_g = -1;
    bool win_missing_left = false, win_dl = false;
    int64_t left_count = 0;
    for (size_t g = 0; g + 1 < groups; ++g) {
      const double* gs = g_stats_.data() + g * static_cast<size_t>(k);
      for (int c = 0; c < k; ++c) left[c] += gs[c];
      left_count += g_count_[g];
      const int64_t right_count = m - left_count;
      if (left_count >= min_leaf && right_count >= min_leaf) {
        const double v = value(left);
        if (v > best_v) {
          best_v = v;
          win_g = static_cast<int64_t>(g);
          win_missing_left = false;
          win_dl = miss_count > 0 ? false : left_count >= right_count;
        }
      }
      if (miss_count > 0 && left_count + miss_count >= min_leaf && right_count - miss_count >= min_leaf) {
        for (int c = 0; c < k; ++c) both[c] = left[c] + miss[c];
        const double v = value(both);
        if (v > best_v) {
          best_v = v;
          win_g = static_cast<int64_t>(g);
          win_missing_left = true;
          win_dl = true;
        }
      }
    }
    const int64_t known = m - miss_count;
    if (miss_count > 0 && groups >= 1 && known >= min_leaf && miss_count >= min_leaf) {
      for (int c = 0; c < k; ++c) both[c] = parent[c] - miss[c];
      const double v = value(both);
      if (v > best_v) {
        best_v = v;
        win_g = static_cast<int64_t>(groups);
        win_missing_left = false;
        win_dl = false;
      }
    }
    if (win_g < 0) return;
    best->valid = true;
    best->proxy = best_v;
    best->feature = f;
    best->default_left = win_dl;
    double* out = best->left_stats.data();
    if (win_g == static_cast<int64_t>(groups)) {
      best->threshold_bin = in_.data->mapper(f).num_value_bins() - 1;
      best->left_count = known;
      for (int c = 0; c < k; ++c) out[c] = parent[c] - miss[c];
      return;
    }
    // Re-add the groups up to the winner, in the scan's order (the same sums bit for bit).
    int64_t count = 0;
    for (int c = 0; c < k; ++c) out[c] = 0.0;
    for (int64_t g = 0; g <= win_g; ++g) {
      const double* gs = g_stats_.data() + static_cast<size_t>(g) * static_cast<size_t>(k);
      for (int c = 0; c < k; ++c) out[c] += gs[c];
      count += g_count_[static_cast<size_t>(g)];
    }
    if (win_missing_left) {
      for (int c = 0; c < k; ++c) out[c] += miss[c];
      count += miss_count;
    }
    best->threshold_bin = threshold_between(static_cast<size_t>(win_g));
    best->left_count = count;
  }

  void scan(int f, const NodeState& st, int64_t m, SplitMix64& rng, Split* best) {
    const size_t groups = g_bin_.size();
    const int64_t known = m - miss_count_;
    left_buf_.assign(static_cast<size_t>(s_), 0.0);
    both_buf_.resize(static_cast<size_t>(s_));
    double* left = left_buf_.data();
    int64_t left_count = 0;
    int random_threshold = -1;
    const size_t chosen = p_.extra_trees && groups >= 2 ? random_position(rng, &random_threshold) : groups;
    for (size_t g = 0; g + 1 < groups; ++g) {
      const double* gs = g_stats_.data() + g * static_cast<size_t>(s_);
      for (int c = 0; c < s_; ++c) left[c] += gs[c];
      left_count += g_count_[g];
      if (p_.extra_trees) {
        if (g != chosen) continue;
      }
      const int t = p_.extra_trees ? random_threshold : threshold_between(g);
      // Missing rows right; with none in the node, NaN later follows the larger child.
      consider(f, left, left_count, t, miss_count_ > 0 ? false : left_count >= m - left_count, st, best);
      if (miss_count_ > 0) {
        for (int c = 0; c < s_; ++c) both_buf_[static_cast<size_t>(c)] = left[c] + miss_stats_[static_cast<size_t>(c)];
        consider(f, both_buf_.data(), left_count + miss_count_, t, true, st, best);
      }
      if (p_.extra_trees) break;
    }
    if (miss_count_ > 0 && groups >= 1 && (!p_.extra_trees || groups == 1)) {
      // Missing vs the rest: every value bin left, NaN right.
      for (int c = 0; c < s_; ++c) both_buf_[static_cast<size_t>(c)] = node_stats_[st_stats_ + static_cast<size_t>(c)] - miss_stats_[static_cast<size_t>(c)];
      consider(f, both_buf_.data(), known, in_.data->mapper(f).num_value_bins() - 1, false, st, best);
    }
  }

  // Extra trees: one threshold per candidate feature, uniform over the bins between the node's
  // smallest and largest value bin: t = lo + floor(r (hi - lo) / 2^64) for a random word r taken for
  // every candidate, constant or not, so the draws do not depend on the path below. Returns false
  // when the feature is constant in the node.
  //
  // This one is for two classes at unit weights (extra trees without sample weights, the common
  // case): the range, the draw and the exact integer counts in one kernel call.
  bool scan_extra_binary(int f, const NodeState& st, int64_t m, SplitMix64& rng, Split* best) {
    const int mb = in_.data->missing_bin(f);
    int t = 0;
    int64_t c[4];
    const int kind = kernels_->extra_binary(column(f) + seg_, lab8_, m, static_cast<uint8_t>(mb), rng.next(), &t, c);
    if (kind == 0) return false;
    const int64_t left_count = c[0], missing = c[2];
    const double left[2] = {static_cast<double>(c[0] - c[1]), static_cast<double>(c[1])};
    const double miss[2] = {static_cast<double>(c[2] - c[3]), static_cast<double>(c[3])};
    if (kind == 1) {
      consider(f, left, left_count, t, missing > 0 ? false : left_count >= m - left_count, st, best);
      if (missing > 0) {
        const double both[2] = {left[0] + miss[0], left[1] + miss[1]};
        consider(f, both, left_count + missing, t, true, st, best);
      }
    } else {
      // One value bin and the missing bin: missing vs the rest.
      const double* ps = node_stats_.data() + st_stats_;
      const double both[2] = {ps[0] - miss[0], ps[1] - miss[1]};
      consider(f, both, m - missing, in_.data->mapper(f).num_value_bins() - 1, false, st, best);
    }
    return true;
  }

  // The same for any weights, classes or regression: one pass for the node's smallest and largest
  // value bin, one for the statistics left of the drawn threshold and of the missing rows. Both
  // passes are branch-free: a random threshold makes "bin <= t" a coin flip per row. Rows on the
  // wrong side add w * 0.0 = 0.0 to the sums, which leaves every partial sum bit-identical to adding
  // only the selected rows in order (and equal to scan_extra_binary's counts at unit weights).
  bool scan_extra(int f, const NodeState& st, int64_t m, SplitMix64& rng, Split* best) {
    const uint8_t* col = column(f) + seg_;
    const int mb = in_.data->missing_bin(f);
    const uint64_t r = rng.next();
    uint8_t lo8 = 0, hi8 = 0;
    const int64_t missing = kernels_->bin_range(col, m, static_cast<uint8_t>(mb), &lo8, &hi8);
    const int lo = lo8, hi = hi8;
    const int64_t known = m - missing;
    if (known == 0 || (lo == hi && missing == 0)) return false;
    const int t = lo < hi ? lo + static_cast<int>(mul_high(r, static_cast<uint64_t>(hi - lo))) : hi;
    left_buf_.assign(static_cast<size_t>(s_), 0.0);
    miss_stats_.assign(static_cast<size_t>(s_), 0.0);
    double* left = left_buf_.data();
    double* miss = miss_stats_.data();
    int64_t left_count = 0;
    const double* w = w_;
    if (binary_) {
      double l0 = 0.0, l1 = 0.0, m0 = 0.0, m1 = 0.0;
      for (int64_t i = 0; i < m; ++i) {
        const int b = col[i];
        const int in_left = (b <= t) & (b != mb);
        const double sel = static_cast<double>(in_left);
        const double y1 = static_cast<double>(label(i));
        left_count += in_left;
        l0 += w[i] * (sel * (1.0 - y1));
        l1 += w[i] * (sel * y1);
        if (missing > 0) {
          const double ms = static_cast<double>(b == mb);
          m0 += w[i] * (ms * (1.0 - y1));
          m1 += w[i] * (ms * y1);
        }
      }
      left[0] = l0;
      left[1] = l1;
      miss[0] = m0;
      miss[1] = m1;
    } else if (classification_) {
      for (int64_t i = 0; i < m; ++i) {
        const int b = col[i];
        const int in_left = (b <= t) & (b != mb);
        left_count += in_left;
        const int y = label(i);
        left[y] += w[i] * static_cast<double>(in_left);
        if (missing > 0) miss[y] += w[i] * static_cast<double>(b == mb);
      }
    } else {
      double l0 = 0.0, l1 = 0.0, l2 = 0.0, m0 = 0.0, m1 = 0.0, m2 = 0.0;
      for (int64_t i = 0; i < m; ++i) {
        const int b = col[i];
        const int in_left = (b <= t) & (b != mb);
        left_count += in_left;
        const double wl = w[i] * static_cast<double>(in_left), y = y_[i];
        l0 += wl;
        l1 += wl * y;
        l2 += wl * y * y;
        if (missing > 0) {
          const double wm = w[i] * static_cast<double>(b == mb);
          m0 += wm;
          m1 += wm * y;
          m2 += wm * y * y;
        }
      }
      left[0] = l0;
      left[1] = l1;
      left[2] = l2;
      miss[0] = m0;
      miss[1] = m1;
      miss[2] = m2;
    }
    both_buf_.resize(static_cast<size_t>(s_));
    if (lo < hi) {
      consider(f, left, left_count, t, missing > 0 ? false : left_count >= m - left_count, st, best);
      if (missing > 0) {
        for (int c = 0; c < s_; ++c) both_buf_[static_cast<size_t>(c)] = left[c] + miss[c];
        consider(f, both_buf_.data(), left_count + missing, t, true, st, best);
      }
    } else {
      // One value bin and the missing bin: missing vs the rest.
      for (int c = 0; c < s_; ++c) both_buf_[static_cast<size_t>(c)] = node_stats_[st_stats_ + static_cast<size_t>(c)] - miss[c];
      consider(f, both_buf_.data(), known, in_.data->mapper(f).num_value_bins() - 1, false, st, best);
    }
    return true;
  }

  // Absolute error: the children's deviations from their weighted medians, from Fenwick trees over
  // the node's target ranks as rows move from right to left (O(log m) per row and per threshold).
  void scan_absolute_error(int f, int64_t m, SplitMix64& rng, Split* best) {
    const size_t groups = g_bin_.size();
    const int64_t known = m - miss_count_;
    int random_threshold = -1;
    const size_t chosen = p_.extra_trees && groups >= 2 ? random_position(rng, &random_threshold) : groups;
    rank_w_left_.assign(static_cast<size_t>(m), 0.0);
    rank_w_right_.assign(static_cast<size_t>(m), 0.0);
    auto move = [&](Fenwick& to, std::vector<double>& to_w, Fenwick* from, std::vector<double>* from_w, uint32_t i) {
      const int64_t r = rank_[i];
      const double w = w_[i], wy = w * y_[i];
      to.add(r, w, wy);
      to_w[static_cast<size_t>(r - 1)] += w;
      if (from != nullptr) {
        from->add(r, -w, -wy);
        (*from_w)[static_cast<size_t>(r - 1)] -= w;
      }
    };
    auto try_split = [&](int64_t left_count, int t, bool default_left) {
      const int64_t right_count = m - left_count;
      if (left_count < p_.min_samples_leaf || right_count < p_.min_samples_leaf) return;
      const double dl = fen_left_.abs_deviation(sorted_y_.data(), rank_w_left_.data());
      const double dr = fen_right_.abs_deviation(sorted_y_.data(), rank_w_right_.data());
      const double v = -(dl + dr);
      if (v > best->proxy) {
        best->valid = true;
        best->proxy = v;
        best->feature = f;
        best->threshold_bin = t;
        best->default_left = default_left;
        best->left_count = left_count;
        best->wimp_left = dl;
        best->wimp_right = dr;
        std::copy(mae_left_.begin(), mae_left_.end(), best->left_stats.begin());
      }
    };
    const int64_t miss_begin = groups < g_start_.size() - 1 ? g_start_[groups] : m;
    for (int pass = 0; pass < (miss_count_ > 0 ? 2 : 1); ++pass) {
      const bool missing_left = pass == 1;
      fen_left_.reset(m);
      fen_right_.reset(m);
      std::fill(rank_w_left_.begin(), rank_w_left_.end(), 0.0);
      std::fill(rank_w_right_.begin(), rank_w_right_.end(), 0.0);
      for (int64_t j = 0; j < m; ++j) {
        const uint32_t i = g_order_[static_cast<size_t>(j)];
        if (missing_left && j >= miss_begin) {
          move(fen_left_, rank_w_left_, nullptr, nullptr, i);
        } else {
          move(fen_right_, rank_w_right_, nullptr, nullptr, i);
        }
      }
      int64_t left_count = missing_left ? miss_count_ : 0;
      mae_left_.assign(static_cast<size_t>(s_), 0.0);
      if (missing_left) mae_left_ = miss_stats_;
      for (size_t g = 0; g + 1 < groups; ++g) {
        for (int c = 0; c < s_; ++c) mae_left_[static_cast<size_t>(c)] += g_stats_[g * static_cast<size_t>(s_) + static_cast<size_t>(c)];
        for (int64_t j = g_start_[g]; j < g_start_[g + 1]; ++j) {
          move(fen_left_, rank_w_left_, &fen_right_, &rank_w_right_, g_order_[static_cast<size_t>(j)]);
        }
        left_count += g_count_[g];
        if (p_.extra_trees && g != chosen) continue;
        const int t = p_.extra_trees ? random_threshold : threshold_between(g);
        const bool dl = missing_left ? true : (miss_count_ > 0 ? false : left_count >= m - left_count);
        try_split(left_count, t, dl);
        if (p_.extra_trees) break;
      }
    }
    if (miss_count_ > 0 && groups >= 1 && (!p_.extra_trees || groups == 1)) {
      fen_left_.reset(m);
      fen_right_.reset(m);
      std::fill(rank_w_left_.begin(), rank_w_left_.end(), 0.0);
      std::fill(rank_w_right_.begin(), rank_w_right_.end(), 0.0);
      for (int64_t j = 0; j < m; ++j) {
        const uint32_t i = g_order_[static_cast<size_t>(j)];
        if (j < miss_begin) {
          move(fen_left_, rank_w_left_, nullptr, nullptr, i);
        } else {
          move(fen_right_, rank_w_right_, nullptr, nullptr, i);
        }
      }
      mae_left_.resize(static_cast<size_t>(s_));
      for (int c = 0; c < s_; ++c) mae_left_[static_cast<size_t>(c)] = node_stats_[st_stats_ + static_cast<size_t>(c)] - miss_stats_[static_cast<size_t>(c)];
      try_split(known, in_.data->mapper(f).num_value_bins() - 1, false);
    }
  }

  const ForestInput in_;
  const ForestTreeParams p_;
  const double* weights_ = nullptr;
  uint64_t seed_ = 0;
  const WorkControl* control_ = nullptr;
  bool classification_ = true, mae_ = false;
  int k_ = 2, s_ = 2, features_ = 0;
  int64_t min_split_ = 2;
  double root_weight_ = 1.0;
  int64_t last_nodes_ = 0;
  std::vector<char> known_;
  std::vector<int> all_features_;  // 0 .. features_ - 1
  bool gini2_ = false;              // gini with two classes (consider()'s fast path)

  Tree tree_;
  NodeArray<double> distribution_;
  NodeArray<NodeState> states_;
  // Where this learner's trees keep their nodes and class frequencies (see NodeSlab): the trees a
  // forest keeps take huge pages without per-tree rounding.
  std::shared_ptr<NodeSlab> slab_ = std::make_shared<NodeSlab>();
  // Node statistics, s_ per node (node i at i * s_); st_stats_: the offset of the node being
  // evaluated (find_split and the scans read it).
  std::vector<double> node_stats_;
  size_t st_stats_ = 0;
  // The nodes' lists of known-constant features: (feature, next entry or -1), a child's list
  // starting with its parent's.
  std::vector<std::pair<int, int>> const_arena_;

  // The tree's rows in node order (see grow): bins column-major, col_stride_ bytes per column, and
  // the weight and label or target of each position. A node's rows are one contiguous segment of
  // every column, so its scans read a compact run of bytes instead of scattered rows of the full
  // dataset. full_: the whole dataset transposed, kept for samples of every row.
  const simd::ForestKernels* kernels_ = nullptr;
  int64_t col_stride_ = 64;
  RawBuffer store_, scratch_, full_;
  bool full_ready_ = false;
  std::vector<uint64_t> bits_;
  bool binary_ = false, unit_ = false;
  // Class labels up to 256 classes are a byte column of the store; more classes: lab_all_.
  bool byte_labels_ = false;
  const uint8_t* lab8_ = nullptr;
  std::vector<int32_t> lab_all_;
  std::vector<double> w_all_, y_all_;
  // The current node's segment.
  int64_t seg_ = 0;
  const int32_t* lab_ = nullptr;
  const double* w_ = nullptr;
  const double* y_ = nullptr;
  // Histogram of one feature and the grouped (non-empty) bins.
  std::vector<double> hist_;
  std::vector<int64_t> hist_count_;
  std::vector<int> g_bin_;
  std::vector<int64_t> g_count_, g_start_;
  std::vector<double> g_stats_, miss_stats_;
  int64_t miss_count_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> g_order_;
  std::vector<int> pool_;
  std::vector<double> left_buf_, right_buf_, both_buf_;
  // Absolute error.
  std::vector<uint32_t> order_, rank_;
  std::vector<double> sorted_y_, rank_w_left_, rank_w_right_, mae_left_;
  Fenwick fen_left_, fen_right_;
};

ForestTreeLearner::ForestTreeLearner(const ForestInput& input, const ForestTreeParams& params)
    : impl_(new Impl(input, params)) {}

ForestTreeLearner::~ForestTreeLearner() = default;

ForestTree ForestTreeLearner::grow(const double* weights, const uint32_t* rows, int64_t num_rows, uint64_t seed,
                                   const WorkControl& control) {
  if (num_rows < 1) throw InvalidInput("Expected at least one training row with a positive weight for a tree");
  return impl_->grow(weights, rows, num_rows, seed, control);
}

ForestTree grow_forest_tree(const ForestInput& input, const ForestTreeParams& params, const double* weights,
                            const uint32_t* rows, int64_t num_rows, uint64_t seed, const WorkControl& control) {
  ForestTreeLearner learner(input, params);
  return learner.grow(weights, rows, num_rows, seed, control);
}

}  // namespace ensemblekit
