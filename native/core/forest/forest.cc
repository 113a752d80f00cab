#include "forest.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "../errors.h"
#include "../io/tree_io.h"
#include "../parallel/parallel_for.h"
#include "../tree/random.h"

namespace ensemblekit {

void ForestConfig::validate(int64_t num_features) const {
  tree.validate(num_features);
  if (num_trees < 1) throw InvalidParameter("Expected at least one tree but received " + std::to_string(num_trees));
  if (oob && !bootstrap) throw InvalidParameter("Out-of-bag predictions need bootstrap sampling");
}

namespace {

// One tree's impurity-decrease importances (impurity decrease per feature / root weight),
// normalised to sum to 1, as (feature, value) pairs for the features with a non-zero value, in
// feature order; empty for a single leaf. Sparse: a forest holds one per tree until they are
// summed. `dense` is num_features of scratch.
SparseImportances normalised_importances(const Tree& t, std::vector<double>* dense) {
  SparseImportances out;
  if (t.num_nodes() <= 1) return out;
  std::vector<double>& one = *dense;
  std::fill(one.begin(), one.end(), 0.0);
  for (const TreeNode& n : t.nodes()) {
    if (!n.is_leaf()) one[static_cast<size_t>(n.feature)] += n.gain;
  }
  const double root = t.node(0).sum_hess;
  double sum = 0.0;
  for (double& v : one) {
    v = root > 0.0 ? v / root : 0.0;
    sum += v;
  }
  if (sum > 0.0) {
    for (double& v : one) v /= sum;
  }
  for (size_t f = 0; f < one.size(); ++f) {
    if (one[f] != 0.0) out.emplace_back(static_cast<int>(f), one[f]);
  }
  return out;
}

// The forest's importances (scikit-learn's feature_importances_): the mean over the trees with a
// split of their normalised importances, normalised again. Summed in tree order.
std::vector<double> forest_importances(const std::vector<Tree>& trees, const std::vector<SparseImportances>& per_tree,
                                       int num_features) {
  std::vector<double> total(static_cast<size_t>(num_features), 0.0);
  int used = 0;
  for (size_t t = 0; t < trees.size(); ++t) {
    if (trees[t].num_nodes() <= 1) continue;
    for (const auto& fv : per_tree[t]) total[static_cast<size_t>(fv.first)] += fv.second;
    ++used;
  }
  if (used == 0) return total;
  double sum = 0.0;
  for (double& v : total) {
    v /= used;
    sum += v;
  }
  if (sum > 0.0) {
    for (double& v : total) v /= sum;
  }
  return total;
}

}  // namespace

ForestModel forest_model_from_trees(int num_features, int num_classes, std::vector<Tree> trees,
                                    std::vector<NodeArray<double>> distributions, int n_threads,
                                    std::vector<SparseImportances> per_tree) {
  if (num_features < 1 || num_features > kMaxModelFeatures) {
    throw ModelFormat("Invalid forest: expected between 1 and " + std::to_string(kMaxModelFeatures) + " features but received " + std::to_string(num_features));
  }
  if (trees.empty()) throw ModelFormat("Invalid forest: expected at least one tree");
  if (num_classes == 1 || num_classes < 0) throw ModelFormat("Invalid forest: expected 0 (regression) or >= 2 classes");
  const size_t k = static_cast<size_t>(num_classes);
  if (num_classes >= 2) {
    if (distributions.size() != trees.size()) throw ModelFormat("Invalid forest: expected one class distribution per tree");
    for (size_t t = 0; t < trees.size(); ++t) {
      if (distributions[t].size() != static_cast<size_t>(trees[t].num_nodes()) * k) {
        throw ModelFormat("Invalid forest: tree " + std::to_string(t) + " needs " + std::to_string(num_classes) +
                          " class frequencies per node");
      }
    }
  } else {
    distributions.clear();
  }
  if (per_tree.empty()) {
    // Trees from outside (a loaded model), per tree in parallel: the finiteness check of the class
    // frequencies and the importances. (Training passes both, computed as each tree was grown.)
    per_tree.resize(trees.size());
    std::vector<char> finite(trees.size(), 1);
    parallel_for(0, static_cast<int64_t>(trees.size()), n_threads, [&](int64_t t) {
      const size_t i = static_cast<size_t>(t);
      if (!distributions.empty()) {
        for (double v : distributions[i]) finite[i] &= static_cast<char>(std::isfinite(v));
      }
      std::vector<double> dense(static_cast<size_t>(num_features));
      per_tree[i] = normalised_importances(trees[i], &dense);
    });
    for (size_t t = 0; t < trees.size(); ++t) {
      if (!finite[t]) throw ModelFormat("Invalid forest: tree " + std::to_string(t) + " has a non-finite class frequency");
    }
  } else {
    if (per_tree.size() != trees.size()) throw std::logic_error("forest: one importance list per tree expected");
    for (const SparseImportances& list : per_tree) {
      for (const auto& fv : list) {
        if (fv.first < 0 || fv.first >= num_features) throw std::logic_error("forest: importance of an unknown feature");
      }
    }
  }
  ForestModel model;
  model.num_features = num_features;
  model.num_classes = num_classes;
  const int groups = model.num_outputs();
  model.forest = CompiledForest(num_features, std::vector<double>(static_cast<size_t>(groups), 0.0), OutputTransform::kIdentity);
  const double scale = 1.0 / static_cast<double>(trees.size());
  std::vector<CompiledForest::TreeJob> jobs;
  jobs.reserve(trees.size() * (num_classes > 2 ? k : 1));
  for (size_t t = 0; t < trees.size(); ++t) {
    if (num_classes > 2) {
      for (int c = 0; c < num_classes; ++c) jobs.push_back({&trees[t], c, distributions[t].data() + c, k, scale});
    } else if (num_classes == 2) {
      jobs.push_back({&trees[t], 0, distributions[t].data() + 1, 2, scale});
    } else {
      jobs.push_back({&trees[t], 0, nullptr, 1, scale});
    }
  }
  model.forest.add_trees(jobs, n_threads);
  model.importances = forest_importances(trees, per_tree, num_features);
  model.trees = std::move(trees);
  model.distributions = std::move(distributions);
  return model;
}

ForestModel train_forest(const BinnedDataset& data, const int32_t* labels, const double* targets,
                         const double* sample_weight, const ForestConfig& config, const WorkControl& control) {
  const int64_t n = data.num_rows();
  const int64_t f = data.num_features();
  if (n < 1 || f < 1) throw InvalidInput("Expected a dataset with at least one row and one column");
  if (n > static_cast<int64_t>(std::numeric_limits<uint32_t>::max())) throw InvalidInput("Too many rows for a forest (at most 2^32 - 1)");
  config.validate(f);
  const bool classification = is_classification(config.tree.criterion);
  const int k = config.tree.num_classes;
  if (classification) {
    if (labels == nullptr) throw InvalidInput("Expected class labels for a classification forest");
    for (int64_t i = 0; i < n; ++i) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw InvalidInput("Expected a class index in [0, " + std::to_string(k) + ") at y[" + std::to_string(i) + "] but received " +
                           std::to_string(labels[i]));
      }
    }
  } else {
    if (targets == nullptr) throw InvalidInput("Expected targets for a regression forest");
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(targets[i])) throw InvalidInput("Expected a finite target at y[" + std::to_string(i) + "]");
    }
  }
  if (sample_weight != nullptr) {
    for (int64_t i = 0; i < n; ++i) {
      if (!(sample_weight[i] >= 0.0) || !std::isfinite(sample_weight[i])) {
        throw InvalidInput("Expected a finite non-negative sample weight at sampleWeight[" + std::to_string(i) + "]");
      }
    }
  }
  const int threads = resolve_threads(config.n_threads);
  ForestInput input;
  input.data = &data;
  input.labels = classification ? labels : nullptr;
  input.targets = classification ? nullptr : targets;

  const int num_trees = config.num_trees;
  std::vector<uint64_t> seeds(static_cast<size_t>(num_trees));
  for (int t = 0; t < num_trees; ++t) seeds[static_cast<size_t>(t)] = derive_seed(config.seed, static_cast<uint64_t>(t), 0x466f72657374ULL);
  const int64_t draws = config.num_bootstrap > 0 ? config.num_bootstrap : n;
  const size_t words = static_cast<size_t>((n + 63) / 64);
  std::vector<std::vector<uint64_t>> in_bag(config.oob ? static_cast<size_t>(num_trees) : 0);
  std::vector<ForestTree> grown(static_cast<size_t>(num_trees));
  std::vector<SparseImportances> importances(static_cast<size_t>(num_trees));
  std::atomic<int> done{0};

  // One workspace per thread slot (learner buffers, weights, bootstrap counts), reused across trees.
  struct Slot {
    std::unique_ptr<ForestTreeLearner> learner;
    std::vector<double> w, dense;
    std::vector<uint32_t> counts, rows;
  };
  std::vector<Slot> slots(static_cast<size_t>(std::max(1, threads)));
  parallel_for(0, num_trees, threads, [&](int64_t t) {
    control.check();
    const int index = thread_index();
    Slot local;
    Slot& slot = index >= 0 && index < static_cast<int>(slots.size()) ? slots[static_cast<size_t>(index)] : local;
    if (!slot.learner) slot.learner.reset(new ForestTreeLearner(input, config.tree));
    const uint64_t seed = seeds[static_cast<size_t>(t)];
    std::vector<double>& w = slot.w;
    w.resize(static_cast<size_t>(n));
    if (config.bootstrap) {
      std::vector<uint32_t>& counts = slot.counts;
      counts.assign(static_cast<size_t>(n), 0);
      SplitMix64 rng(derive_seed(seed, 1));
      for (int64_t d = 0; d < draws; ++d) ++counts[static_cast<size_t>(rng.below(static_cast<uint64_t>(n)))];
      for (int64_t i = 0; i < n; ++i) {
        w[static_cast<size_t>(i)] = (sample_weight ? sample_weight[i] : 1.0) * counts[static_cast<size_t>(i)];
      }
      if (config.oob) {
        std::vector<uint64_t>& bits = in_bag[static_cast<size_t>(t)];
        bits.assign(words, 0);
        for (int64_t i = 0; i < n; ++i) {
          if (counts[static_cast<size_t>(i)] > 0) bits[static_cast<size_t>(i >> 6)] |= uint64_t{1} << (i & 63);
        }
      }
    } else {
      for (int64_t i = 0; i < n; ++i) w[static_cast<size_t>(i)] = sample_weight ? sample_weight[i] : 1.0;
    }
    std::vector<uint32_t>& rows = slot.rows;
    rows.clear();
    for (int64_t i = 0; i < n; ++i) {
      if (w[static_cast<size_t>(i)] > 0.0) rows.push_back(static_cast<uint32_t>(i));
    }
    grown[static_cast<size_t>(t)] = slot.learner->grow(w.data(), rows.data(), static_cast<int64_t>(rows.size()), seed, control);
    // While the tree is still in cache.
    slot.dense.resize(static_cast<size_t>(f));
    importances[static_cast<size_t>(t)] = normalised_importances(grown[static_cast<size_t>(t)].tree, &slot.dense);
    const int finished = done.fetch_add(1) + 1;
    // Progress goes out from the job's own thread only (index 0 is the caller).
    if (thread_index() == 0) control.progress(static_cast<double>(finished) / num_trees, "trees");
  });
  control.progress(1.0, "trees");

  std::vector<Tree> trees;
  std::vector<NodeArray<double>> distributions;
  trees.reserve(grown.size());
  for (ForestTree& g : grown) {
    trees.push_back(std::move(g.tree));
    if (classification) distributions.push_back(std::move(g.distribution));
  }
  ForestModel model =
      forest_model_from_trees(static_cast<int>(f), classification ? k : 0, std::move(trees), std::move(distributions), threads,
                              std::move(importances));

  if (config.oob) {
    const int outputs = classification ? k : 1;
    model.oob_outputs = outputs;
    model.oob.assign(static_cast<size_t>(n) * static_cast<size_t>(outputs), 0.0);
    const int* missing = data.feature_missing_bins().data();
    std::vector<int> votes(static_cast<size_t>(n), 0);
    // Rows in blocks, trees inside: a tree's nodes stay in cache for the whole block, and every row
    // still sums its trees in tree order.
    parallel_blocks(n, 1024, threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int t = 0; t < num_trees; ++t) {
        const std::vector<uint64_t>& bag = in_bag[static_cast<size_t>(t)];
        const Tree& tree = model.trees[static_cast<size_t>(t)];
        const double* dist = classification ? model.distributions[static_cast<size_t>(t)].data() : nullptr;
        for (int64_t i = lo; i < hi; ++i) {
          if ((bag[static_cast<size_t>(i >> 6)] >> (i & 63)) & 1u) continue;
          const int leaf = tree.leaf_index_binned(data.row(i), missing);
          double* out = model.oob.data() + i * outputs;
          if (classification) {
            const double* d = dist + static_cast<size_t>(leaf) * static_cast<size_t>(k);
            for (int c = 0; c < k; ++c) out[c] += d[c];
          } else {
            out[0] += tree.node(leaf).value;
          }
          ++votes[static_cast<size_t>(i)];
        }
      }
      for (int64_t i = lo; i < hi; ++i) {
        double* out = model.oob.data() + i * outputs;
        const int v = votes[static_cast<size_t>(i)];
        for (int c = 0; c < outputs; ++c) out[c] = v > 0 ? out[c] / v : std::numeric_limits<double>::quiet_NaN();
      }
    });
  }
  return model;
}

}  // namespace ensemblekit
