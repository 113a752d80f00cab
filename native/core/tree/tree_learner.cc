#include "tree_learner.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "random.h"

namespace ensemblekit {

namespace {

// Below this many histogram bins to scan, split evaluation stays on the calling thread. A scan
// costs ~2 ns a bin; a region on the thread pool costs ~1-2 us, so splitting the scans of two
// children (28-54 features, 14k-28k bins, 30-60 us) over the threads pays. (The old threshold of
// 2^17 bins kept every scan serial: under OpenMP's static schedule a descheduled team thread stalled
// every region on a busy machine; the pool hands its features to the other threads instead.)
constexpr int64_t kSerialScanBins = int64_t{1} << 12;
// Rows per block of the "which features hold NaN" pass (and of the column-major copy).
constexpr int64_t kMissingScanRows = 65536;
// Default memory for node histograms (one per leaf with a pending split): beyond it, histograms of
// pending leaves are evicted (see acquire_histogram). 255 leaves x 30 features need 44 MB.
constexpr int64_t kHistogramPoolBytes = int64_t{1} << 30;
// Largest column-major copy of the bins the learner makes (see row_partition.h for why it pays).
constexpr int64_t kColumnCopyBytes = int64_t{2} << 30;
// Rows transposed per tile: 64 rows x features bytes in, 64 bytes per feature out.
constexpr int64_t kTransposeRows = 64;

[[noreturn]] void bad(const std::string& what) { throw InvalidParameter(what); }

}  // namespace

struct TreeLearner::LeafState {
  int hist_slot = -1;
  GradStats stats;
  double score = 0.0;  // leaf_score of stats: the parent term of a split's gain
  NodeConstraints constraints;
  SplitInfo best;
  // L2 added to lambda_l2 for this node's output (cat_l2 when a sorted categorical split made it).
  double extra_l2 = 0.0;
  // Features split on from the root to here, ascending (kept only under interaction constraints).
  std::vector<int> path_features;
};

void TreeConfig::validate() const {
  if (growth != GrowthPolicy::kLeafWise && growth != GrowthPolicy::kDepthWise) bad("Expected a known growth policy");
  if (growth == GrowthPolicy::kLeafWise && num_leaves < 2) {
    bad("Expected num_leaves >= 2 but received " + std::to_string(num_leaves));
  }
  if (!(split.lambda_l2 >= 0.0)) bad("Expected lambda_l2 >= 0 but received " + std::to_string(split.lambda_l2));
  if (!(split.alpha_l1 >= 0.0)) bad("Expected alpha_l1 >= 0 but received " + std::to_string(split.alpha_l1));
  if (!(split.min_child_weight >= 0.0)) {
    bad("Expected min_child_weight >= 0 but received " + std::to_string(split.min_child_weight));
  }
  if (split.min_child_samples < 0) {
    bad("Expected min_child_samples >= 0 but received " + std::to_string(split.min_child_samples));
  }
  if (!(split.min_split_gain >= 0.0)) {
    bad("Expected min_split_gain >= 0 but received " + std::to_string(split.min_split_gain));
  }
  if (!(split.max_delta_step >= 0.0)) {
    bad("Expected max_delta_step >= 0 but received " + std::to_string(split.max_delta_step));
  }
  if (!(colsample_bynode > 0.0 && colsample_bynode <= 1.0)) {
    bad("Expected colsample_bynode in (0, 1] but received " + std::to_string(colsample_bynode));
  }
  if (split.max_cat_to_onehot < 1) {
    bad("Expected max_cat_to_onehot >= 1 but received " + std::to_string(split.max_cat_to_onehot));
  }
  if (split.max_cat_threshold < 1) {
    bad("Expected max_cat_threshold >= 1 but received " + std::to_string(split.max_cat_threshold));
  }
  if (!(split.cat_smooth >= 0.0) || !std::isfinite(split.cat_smooth)) {
    bad("Expected cat_smooth >= 0 but received " + std::to_string(split.cat_smooth));
  }
  if (!(split.cat_l2 >= 0.0) || !std::isfinite(split.cat_l2)) {
    bad("Expected cat_l2 >= 0 but received " + std::to_string(split.cat_l2));
  }
  if (split.min_data_per_group < 1) {
    bad("Expected min_data_per_group >= 1 but received " + std::to_string(split.min_data_per_group));
  }
  for (size_t f = 0; f < monotone_constraints.size(); ++f) {
    const int m = monotone_constraints[f];
    if (m < -1 || m > 1) {
      bad("Expected monotone_constraints values in {-1, 0, 1} but received " + std::to_string(m) + " for feature " +
          std::to_string(f));
    }
  }
  for (size_t g = 0; g < interaction_constraints.size(); ++g) {
    for (const int f : interaction_constraints[g]) {
      if (f < 0) {
        bad("Expected non-negative feature indices in interaction_constraints but received " + std::to_string(f) +
            " in group " + std::to_string(g));
      }
    }
  }
}

TreeLearner::TreeLearner(const BinnedDataset& data, const TreeConfig& config)
    : data_(data), config_(config), threads_(resolve_threads(config.n_threads)), builder_(data) {
  config_.validate();
  if (data.num_rows() >= (int64_t{1} << 32)) {
    throw InvalidInput("Expected fewer than 2^32 rows for tree training but received " +
                       std::to_string(data.num_rows()));
  }
  const int64_t nf = data.num_features();
  const int64_t pool_bytes = config.histogram_pool_bytes > 0 ? config.histogram_pool_bytes : kHistogramPoolBytes;
  max_slots_ = std::max<int64_t>(
      3, pool_bytes / std::max<int64_t>(1, data.total_bins() * static_cast<int64_t>(sizeof(GradStats))));
  usable_.resize(static_cast<size_t>(nf));
  categorical_.resize(static_cast<size_t>(nf));
  for (int64_t f = 0; f < nf; ++f) {
    const BinMapper& m = data.mapper(f);
    usable_[static_cast<size_t>(f)] = !m.trivial();
    categorical_[static_cast<size_t>(f)] = m.is_categorical();
  }
  eligible_index_.assign(static_cast<size_t>(nf), -1);
  for (int64_t f = 0; f < nf; ++f) {
    const BinMapper& m = data.mapper(f);
    if (!m.is_categorical()) continue;
    std::array<uint64_t, 4> mask{};
    bool all = true;
    for (int b = 0; b < m.num_value_bins(); ++b) {
      const int cat = m.category_of_bin(b);
      if (cat >= 0 && cat < kMaxSplitCategory) {
        mask[static_cast<size_t>(b) >> 6] |= uint64_t{1} << (b & 63);
      } else {
        all = false;
      }
    }
    if (all) continue;
    eligible_index_[static_cast<size_t>(f)] = static_cast<int>(eligible_bins_.size());
    eligible_bins_.push_back(mask);
  }
  // Constraints against the data: lengths, indices, no monotone categorical feature.
  const std::vector<int8_t>& mono = config_.monotone_constraints;
  if (!mono.empty() && static_cast<int64_t>(mono.size()) != nf) {
    bad("Expected monotone_constraints to hold one value per feature (" + std::to_string(nf) + ") but received " +
        std::to_string(mono.size()));
  }
  monotone_.assign(static_cast<size_t>(nf), 0);
  for (size_t f = 0; f < mono.size(); ++f) {
    if (mono[f] != 0 && categorical_[f]) {
      bad("Expected monotone_constraints 0 for categorical feature " + std::to_string(f) + " but received " +
          std::to_string(static_cast<int>(mono[f])));
    }
    monotone_[f] = mono[f];
  }
  for (size_t g = 0; g < config_.interaction_constraints.size(); ++g) {
    std::vector<uint8_t> member(static_cast<size_t>(nf), 0);
    for (const int f : config_.interaction_constraints[g]) {
      if (f < 0 || f >= nf) {
        bad("Expected interaction_constraints feature indices in [0, " + std::to_string(nf) + ") but received " +
            std::to_string(f) + " in group " + std::to_string(g));
      }
      member[static_cast<size_t>(f)] = 1;
    }
    groups_.push_back(std::move(member));
  }
  // One pass over the bins: which features hold a missing value anywhere in the training data.
  const int64_t rows = data.num_rows();
  const int64_t blocks = block_count(rows, kMissingScanRows);
  std::vector<uint8_t> flags(static_cast<size_t>(blocks * nf), 0);
  const uint8_t* bins = data.bins().data();
  const std::vector<int>& missing = data.feature_missing_bins();
  parallel_blocks(rows, kMissingScanRows, threads_, [&](int64_t lo, int64_t hi, int64_t b) {
    uint8_t* out = flags.data() + b * nf;
    for (int64_t r = lo; r < hi; ++r) {
      const uint8_t* row = bins + r * nf;
      for (int64_t f = 0; f < nf; ++f) out[f] |= static_cast<uint8_t>(row[f] == missing[static_cast<size_t>(f)]);
    }
  });
  if (rows * nf <= kColumnCopyBytes) {
    column_bins_.resize(static_cast<size_t>(rows * nf));
    uint8_t* out = column_bins_.data();
    parallel_blocks(rows, kMissingScanRows, threads_, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t r0 = lo; r0 < hi; r0 += kTransposeRows) {
        const int64_t r1 = std::min(hi, r0 + kTransposeRows);
        for (int64_t f = 0; f < nf; ++f) {
          uint8_t* dst = out + f * rows;
          for (int64_t r = r0; r < r1; ++r) dst[r] = bins[r * nf + f];
        }
      }
    });
  }
  has_missing_.assign(static_cast<size_t>(nf), 0);
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t f = 0; f < nf; ++f) has_missing_[static_cast<size_t>(f)] |= flags[static_cast<size_t>(b * nf + f)];
  }
}

TreeLearner::~TreeLearner() = default;

int TreeLearner::acquire_histogram() {
  if (!free_slots_.empty()) {
    const int s = free_slots_.back();
    free_slots_.pop_back();
    return s;
  }
  if (static_cast<int64_t>(pool_.size()) < max_slots_) {
    pool_.emplace_back(static_cast<size_t>(data_.total_bins()));
    return static_cast<int>(pool_.size()) - 1;
  }
  // Pool full (wide data, many leaves): take the histogram of the pending leaf least likely to be
  // split soon (smallest gain, then highest id). Its best split is kept; when it is split, both
  // children are built directly instead of one being derived by subtraction (LightGBM's pool does
  // the same). The leaf being split and the children being built are never in open_.
  int victim = -1;
  for (const int n : open_) {
    const LeafState& l = leaves_[static_cast<size_t>(n)];
    if (l.hist_slot < 0) continue;
    if (victim < 0) {
      victim = n;
      continue;
    }
    const LeafState& v = leaves_[static_cast<size_t>(victim)];
    if (l.best.gain < v.best.gain || (l.best.gain == v.best.gain && n > victim)) victim = n;
  }
  if (victim < 0) {  // cannot happen with max_slots_ >= 3; grow rather than fail
    pool_.emplace_back(static_cast<size_t>(data_.total_bins()));
    return static_cast<int>(pool_.size()) - 1;
  }
  const int s = leaves_[static_cast<size_t>(victim)].hist_slot;
  leaves_[static_cast<size_t>(victim)].hist_slot = -1;
  return s;
}

void TreeLearner::release_histogram(int slot) {
  if (slot >= 0) free_slots_.push_back(slot);
}

bool TreeLearner::can_split(const Tree& tree, const LeafState& leaf) const {
  (void)tree;
  const int64_t min_count = std::max<int64_t>(1, config_.split.min_child_samples);
  return leaf.stats.count >= 2 * min_count && leaf.stats.hess >= 2.0 * config_.split.min_child_weight;
}

void TreeLearner::evaluate(const std::vector<int>& nodes, uint64_t seed) {
  struct Task {
    int node;
    int feature;
  };
  std::vector<Task> tasks;
  int64_t scan_bins = 0;
  std::vector<int> allowed;
  for (const int node : nodes) {
    const std::vector<int>* base = &tree_features_;
    if (!groups_.empty()) {
      allowed_features(leaves_[static_cast<size_t>(node)].path_features, &allowed);
      base = &allowed;
    }
    if (base->empty()) continue;
    std::vector<int> feats;
    if (config_.colsample_bynode < 1.0) {
      const size_t k = std::max<size_t>(
          1, static_cast<size_t>(std::lround(config_.colsample_bynode * static_cast<double>(base->size()))));
      feats = sample_subset(*base, k, derive_seed(seed, 0x6e6f6465ULL, static_cast<uint64_t>(node)));
    }
    const std::vector<int>& use = config_.colsample_bynode < 1.0 ? feats : *base;
    for (const int f : use) {
      tasks.push_back(Task{node, f});
      scan_bins += data_.num_bins(f);
    }
  }
  std::vector<SplitInfo> found(tasks.size());
  const int threads = scan_bins < kSerialScanBins ? 1 : threads_;
  parallel_for(0, static_cast<int64_t>(tasks.size()), threads, [&](int64_t t) {
    const Task& task = tasks[static_cast<size_t>(t)];
    const LeafState& leaf = leaves_[static_cast<size_t>(task.node)];
    const GradStats* h = histogram(leaf.hist_slot) + data_.bin_offsets()[static_cast<size_t>(task.feature)];
    const size_t f = static_cast<size_t>(task.feature);
    if (categorical_[f]) {
      const int e = eligible_index_[f];
      find_best_categorical_split(h, data_.num_bins(task.feature), task.feature, leaf.stats, leaf.score,
                                  config_.split, leaf.constraints, &found[static_cast<size_t>(t)],
                                  e < 0 ? nullptr : &eligible_bins_[static_cast<size_t>(e)]);
    } else {
      find_best_numerical_split(h, data_.num_bins(task.feature), task.feature, leaf.stats, leaf.score, config_.split,
                                leaf.constraints, &found[static_cast<size_t>(t)], monotone_[f]);
    }
  });
  for (const int node : nodes) leaves_[static_cast<size_t>(node)].best = SplitInfo();
  for (size_t t = 0; t < tasks.size(); ++t) {
    SplitInfo& best = leaves_[static_cast<size_t>(tasks[t].node)].best;
    if (found[t].better_than(best)) best = found[t];
  }
}

void TreeLearner::allowed_features(const std::vector<int>& path, std::vector<int>* out) const {
  out->clear();
  // Groups holding every feature of the path; a tree feature is allowed when one of them holds it.
  std::vector<const std::vector<uint8_t>*> live;
  for (const std::vector<uint8_t>& g : groups_) {
    bool all = true;
    for (const int f : path) all = all && g[static_cast<size_t>(f)] != 0;
    if (all) live.push_back(&g);
  }
  if (live.empty()) return;
  for (const int f : tree_features_) {
    for (const std::vector<uint8_t>* g : live) {
      if ((*g)[static_cast<size_t>(f)]) {
        out->push_back(f);
        break;
      }
    }
  }
}

NodeConstraints TreeLearner::node_constraints(int node) const {
  return node >= 0 && static_cast<size_t>(node) < leaves_.size() ? leaves_[static_cast<size_t>(node)].constraints
                                                                  : NodeConstraints();
}

Tree TreeLearner::grow(const GradPair* grads, const uint32_t* rows, int64_t num_rows,
                       const std::vector<int>& features, uint64_t seed, const WorkControl& control) {
  const bool leaf_wise = config_.growth == GrowthPolicy::kLeafWise;
  const int max_depth = config_.max_depth;
  const SplitParams& sp = config_.split;
  if (rows == nullptr) num_rows = data_.num_rows();

  tree_features_.clear();
  for (const int f : features) {
    if (f < 0 || f >= data_.num_features() || !usable_[static_cast<size_t>(f)]) continue;
    if (!groups_.empty()) {
      // Under interaction constraints a feature in no group can never split: skip its histograms.
      bool member = false;
      for (const std::vector<uint8_t>& g : groups_) member = member || g[static_cast<size_t>(f)] != 0;
      if (!member) continue;
    }
    tree_features_.push_back(f);
  }
  builder_.set_features(tree_features_);
  partition_.reset(data_.num_rows(), rows, num_rows);
  // Histograms read the quantized words when quantization is on and possible (build(nullptr, ..)).
  const bool quantized = config_.quantized_gradients && !tree_features_.empty() &&
                         builder_.quantize(grads, data_.num_rows(), derive_seed(seed, 0x7175616eULL), threads_);
  const GradPair* hist_grads = quantized ? nullptr : grads;
  leaves_.assign(1, LeafState());
  free_slots_.clear();
  for (size_t s = 0; s < pool_.size(); ++s) free_slots_.push_back(static_cast<int>(pool_.size() - 1 - s));

  // Root: its histogram (when some feature can split) and its sums.
  LeafState& root = leaves_[0];
  if (!tree_features_.empty()) {
    root.hist_slot = acquire_histogram();
    builder_.build(hist_grads, rows, num_rows, histogram(root.hist_slot), threads_);
    root.stats = histogram_total(histogram(root.hist_slot), data_, tree_features_[0]);
  } else {
    const uint32_t* idx = partition_.rows(0);
    for (int64_t i = 0; i < num_rows; ++i) {
      const GradPair& g = grads[idx[i]];
      root.stats.grad += g.grad;
      root.stats.hess += g.hess;
    }
    root.stats.count = num_rows;
  }
  root.score = leaf_score(root.stats.grad, root.stats.hess, sp, root.constraints);
  Tree tree(leaf_output(root.stats.grad, root.stats.hess, sp, root.constraints));
  tree.mutable_node(0).sum_hess = root.stats.hess;
  tree.mutable_node(0).count = root.stats.count;

  std::vector<int>& open = open_;  // leaves holding a valid pending split
  open.clear();
  auto settle = [&](const std::vector<int>& nodes) {
    std::vector<int> eval;
    for (const int n : nodes) {
      if (leaves_[static_cast<size_t>(n)].hist_slot >= 0) eval.push_back(n);
    }
    if (!eval.empty()) evaluate(eval, seed);
    for (const int n : eval) {
      LeafState& l = leaves_[static_cast<size_t>(n)];
      if (l.best.valid()) {
        open.push_back(n);
      } else {
        release_histogram(l.hist_slot);
        l.hist_slot = -1;
      }
    }
  };
  const bool root_splittable = root.hist_slot >= 0 && can_split(tree, root);
  if (root_splittable) {
    settle({0});
  } else if (root.hist_slot >= 0) {
    release_histogram(root.hist_slot);
    leaves_[0].hist_slot = -1;
  }

  while (!open.empty()) {
    if (leaf_wise && tree.num_leaves() >= config_.num_leaves) break;
    control.check();
    // Leaf-wise: the largest gain (ties: lowest node id). Depth-wise: the shallowest, then lowest id,
    // which expands the tree level by level in creation order.
    size_t pick = 0;
    for (size_t i = 1; i < open.size(); ++i) {
      const int a = open[i], b = open[pick];
      const LeafState& la = leaves_[static_cast<size_t>(a)];
      const LeafState& lb = leaves_[static_cast<size_t>(b)];
      bool better;
      if (leaf_wise) {
        better = la.best.gain > lb.best.gain || (la.best.gain == lb.best.gain && a < b);
      } else {
        const int da = tree.node(a).depth, db = tree.node(b).depth;
        better = da < db || (da == db && a < b);
      }
      if (better) pick = i;
    }
    const int leaf = open[pick];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    const SplitInfo s = leaves_[static_cast<size_t>(leaf)].best;
    const int parent_slot = leaves_[static_cast<size_t>(leaf)].hist_slot;
    leaves_[static_cast<size_t>(leaf)].hist_slot = -1;

    const BinMapper& mapper = data_.mapper(s.feature);
    RowRouter router;
    router.feature = s.feature;
    router.missing_bin = data_.missing_bin(s.feature);
    int left;
    if (s.type == SplitType::kCategorical) {
      // Raw bitset: the categories of the left bins (split.h guarantees default_left == false, so
      // NaN, rare and unseen categories go right in both spaces; see tree.h).
      CategorySet set;
      set.bins.assign(s.left_bins.begin(), s.left_bins.end());
      for (int b = 0; b < mapper.num_value_bins(); ++b) {
        if (!((s.left_bins[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1u)) continue;
        const int cat = mapper.category_of_bin(b);
        if (cat < 0) continue;
        const size_t word = static_cast<size_t>(cat) >> 5;
        if (set.categories.size() <= word) set.categories.resize(word + 1, 0u);
        set.categories[word] |= 1u << (cat & 31);
      }
      left = tree.split_categorical(leaf, s.feature, std::move(set), s.default_left, s.gain, s.left_output,
                                    s.right_output, s.left.hess, s.right.hess, s.left.count, s.right.count);
      router.left_bins = tree.category_sets()[static_cast<size_t>(tree.node(leaf).category_set)].bins.data();
      router.default_left = s.default_left;
    } else {
      const double threshold = mapper.bin_upper_bound(s.threshold_bin);
      const bool default_left = has_missing_[static_cast<size_t>(s.feature)] ? s.default_left : (0.0 <= threshold);
      left = tree.split_numerical(leaf, s.feature, s.threshold_bin, threshold, default_left, s.gain, s.left_output,
                                  s.right_output, s.left.hess, s.right.hess, s.left.count, s.right.count);
      router.threshold_bin = s.threshold_bin;
      router.default_left = default_left;
    }
    const int right = left + 1;
    const int64_t nl =
        column_bins_.empty()
            ? partition_.split(leaf, left, right, data_.bins().data() + s.feature, data_.num_features(), router, threads_)
            : partition_.split(leaf, left, right, column_bins_.data() + static_cast<int64_t>(s.feature) * data_.num_rows(),
                               1, router, threads_);
    (void)nl;  // equals s.left.count: histogram counts are exact

    if (leaves_.size() < static_cast<size_t>(right) + 1) leaves_.resize(static_cast<size_t>(right) + 1);
    const NodeConstraints parent_constraints = leaves_[static_cast<size_t>(leaf)].constraints;
    std::vector<int> path;
    if (!groups_.empty()) {
      path = leaves_[static_cast<size_t>(leaf)].path_features;
      const auto at = std::lower_bound(path.begin(), path.end(), s.feature);
      if (at == path.end() || *at != s.feature) path.insert(at, s.feature);
    }
    LeafState& ls = leaves_[static_cast<size_t>(left)];
    LeafState& rs = leaves_[static_cast<size_t>(right)];
    ls = LeafState();
    rs = LeafState();
    ls.stats = s.left;
    rs.stats = s.right;
    ls.constraints = rs.constraints = parent_constraints;
    ls.extra_l2 = rs.extra_l2 = s.extra_l2;
    ls.path_features = path;
    rs.path_features = std::move(path);
    const int mono = s.type == SplitType::kNumerical ? monotone_[static_cast<size_t>(s.feature)] : 0;
    if (mono != 0) {
      // The children's outputs are ordered (split.h); the midpoint separates their subtrees. For
      // l <= r, l <= fl((l + r) / 2) <= r holds in floating point, so each child's own output stays
      // within its new bounds.
      const double mid = 0.5 * (s.left_output + s.right_output);
      NodeConstraints& lo = mono > 0 ? ls.constraints : rs.constraints;  // the lower side
      NodeConstraints& hi = mono > 0 ? rs.constraints : ls.constraints;
      lo.max_output = std::min(lo.max_output, mid);
      hi.min_output = std::max(hi.min_output, mid);
    }
    ls.score = leaf_score(ls.stats.grad, ls.stats.hess, sp, ls.constraints);
    rs.score = leaf_score(rs.stats.grad, rs.stats.hess, sp, rs.constraints);

    const int child_depth = tree.node(left).depth;
    const bool room = (max_depth <= 0 || child_depth < max_depth) &&
                      (!leaf_wise || tree.num_leaves() < config_.num_leaves);
    const bool need_l = room && can_split(tree, ls);
    const bool need_r = room && can_split(tree, rs);
    if (need_l || need_r) {
      // Build the smaller child; the larger one is parent - smaller, in the parent's buffer.
      const bool left_smaller = ls.stats.count <= rs.stats.count;
      const int small = left_smaller ? left : right;
      const int large = left_smaller ? right : left;
      const int small_slot = acquire_histogram();
      builder_.build(hist_grads, partition_.rows(small), partition_.count(small), histogram(small_slot), threads_);
      leaves_[static_cast<size_t>(small)].hist_slot = small_slot;
      if (parent_slot >= 0) {
        GradStats* ph = histogram(parent_slot);
        subtract_histogram(ph, histogram(small_slot), ph, data_, tree_features_, threads_);
        leaves_[static_cast<size_t>(large)].hist_slot = parent_slot;
      } else {
        // The parent's histogram was evicted from a full pool: build the larger child too.
        const int large_slot = acquire_histogram();
        builder_.build(hist_grads, partition_.rows(large), partition_.count(large), histogram(large_slot), threads_);
        leaves_[static_cast<size_t>(large)].hist_slot = large_slot;
      }
      std::vector<int> eval;
      for (const int c : {left, right}) {
        const bool need = c == left ? need_l : need_r;
        if (need) {
          eval.push_back(c);
        } else {
          release_histogram(leaves_[static_cast<size_t>(c)].hist_slot);
          leaves_[static_cast<size_t>(c)].hist_slot = -1;
        }
      }
      settle(eval);
    } else {
      release_histogram(parent_slot);
    }
  }
  for (const int n : open) release_histogram(leaves_[static_cast<size_t>(n)].hist_slot);
  if (quantized) refit_exact(&tree, grads);
  return tree;
}

void TreeLearner::refit_exact(Tree* tree, const GradPair* grads) const {
  const int nodes = tree->num_nodes();
  std::vector<double> g(static_cast<size_t>(nodes), 0.0), h(static_cast<size_t>(nodes), 0.0);
  std::vector<int> leaves;
  for (int i = 0; i < nodes; ++i) {
    if (tree->node(i).is_leaf()) leaves.push_back(i);
  }
  // Leaves are disjoint row sets; each leaf's sum runs in row order on one thread (deterministic).
  parallel_for(0, static_cast<int64_t>(leaves.size()), threads_, [&](int64_t j) {
    const int leaf = leaves[static_cast<size_t>(j)];
    const uint32_t* rows = partition_.rows(leaf);
    const int64_t c = partition_.count(leaf);
    double sg = 0.0, sh = 0.0;
    for (int64_t i = 0; i < c; ++i) {
      sg += grads[rows[i]].grad;
      sh += grads[rows[i]].hess;
    }
    g[static_cast<size_t>(leaf)] = sg;
    h[static_cast<size_t>(leaf)] = sh;
  });
  // Children have larger ids than their parent: one reverse sweep sums every subtree.
  for (int i = nodes - 1; i > 0; --i) {
    const int p = tree->node(i).parent;
    g[static_cast<size_t>(p)] += g[static_cast<size_t>(i)];
    h[static_cast<size_t>(p)] += h[static_cast<size_t>(i)];
  }
  for (int i = 0; i < nodes; ++i) {
    TreeNode& n = tree->mutable_node(i);
    const bool known = static_cast<size_t>(i) < leaves_.size();
    const NodeConstraints c = known ? leaves_[static_cast<size_t>(i)].constraints : NodeConstraints();
    SplitParams sp = config_.split;
    if (known) sp.lambda_l2 += leaves_[static_cast<size_t>(i)].extra_l2;
    n.value = leaf_output(g[static_cast<size_t>(i)], h[static_cast<size_t>(i)], sp, c);
    n.sum_hess = h[static_cast<size_t>(i)];
  }
}

}  // namespace ensemblekit
