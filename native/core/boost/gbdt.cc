#include "gbdt.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "../tree/random.h"

namespace ensemblekit {

namespace {

constexpr int64_t kRowGrain = 16384;

[[noreturn]] void bad(const std::string& what) { throw InvalidParameter(what); }

// Adds tree outputs to the scores (column k of n x K) of every row of a binned data set, walking the
// tree in bin space.
void add_tree_binned(const Tree& tree, const BinnedDataset& data, double* scores, int k_total, int k, int threads) {
  const int64_t n = data.num_rows();
  if (tree.num_leaves() == 1) {
    const double v = tree.node(0).value;
    parallel_blocks(n, kRowGrain * 4, threads, [&](int64_t lo, int64_t hi, int64_t) {
      for (int64_t i = lo; i < hi; ++i) scores[i * k_total + k] += v;
    });
    return;
  }
  const int* missing = data.feature_missing_bins().data();
  parallel_blocks(n, kRowGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) {
      scores[i * k_total + k] += tree.node(tree.leaf_index_binned(data.row(i), missing)).value;
    }
  });
}

}  // namespace

void GbdtConfig::validate() const {
  if (num_rounds < 0) bad("Expected num_rounds >= 0 but received " + std::to_string(num_rounds));
  if (!(learning_rate > 0.0)) bad("Expected learning_rate > 0 but received " + std::to_string(learning_rate));
  if (!(subsample > 0.0 && subsample <= 1.0)) bad("Expected subsample in (0, 1] but received " + std::to_string(subsample));
  if (!(colsample_bytree > 0.0 && colsample_bytree <= 1.0)) {
    bad("Expected colsample_bytree in (0, 1] but received " + std::to_string(colsample_bytree));
  }
  if (early_stopping_rounds < 0) {
    bad("Expected early_stopping_rounds >= 0 but received " + std::to_string(early_stopping_rounds));
  }
  if (custom_num_outputs < 1) bad("Expected custom_num_outputs >= 1 but received " + std::to_string(custom_num_outputs));
  // TreeConfig::validate names the categorical options and checks the constraint values.
  tree_config().validate();
}

TreeConfig GbdtConfig::tree_config() const {
  TreeConfig t;
  t.growth = growth;
  t.num_leaves = num_leaves;
  t.max_depth = max_depth;
  t.split.lambda_l2 = lambda_l2;
  t.split.alpha_l1 = alpha_l1;
  t.split.min_child_weight = min_child_weight;
  t.split.min_child_samples = min_child_samples;
  t.split.min_split_gain = min_split_gain;
  t.split.max_delta_step = max_delta_step;
  t.colsample_bynode = colsample_bynode;
  t.monotone_constraints = monotone_constraints;
  t.interaction_constraints = interaction_constraints;
  t.split.max_cat_to_onehot = max_cat_to_onehot;
  t.split.max_cat_threshold = max_cat_threshold;
  t.split.cat_smooth = cat_smooth;
  t.split.cat_l2 = cat_l2;
  t.split.min_data_per_group = min_data_per_group;
  t.quantized_gradients = quantized_gradients;
  t.histogram_pool_bytes = histogram_pool_bytes;
  t.n_threads = n_threads;
  return t;
}

GbdtModel train_gbdt(const BinnedDataset& train, const double* labels, const double* weights,
                     const GbdtConfig& config, const std::vector<EvalSet>& valid, const CustomObjectiveFn* custom,
                     const WorkControl& control) {
  config.validate();
  const int threads = resolve_threads(config.n_threads);
  const int64_t n = train.num_rows();
  const int nf = static_cast<int>(train.num_features());
  if (n <= 0) throw InvalidInput("Expected at least one training row");
  if (!config.monotone_constraints.empty() && static_cast<int>(config.monotone_constraints.size()) != nf) {
    bad("Expected monotone_constraints to hold one value per feature (" + std::to_string(nf) + ") but received " +
        std::to_string(config.monotone_constraints.size()));
  }
  for (size_t f = 0; f < config.monotone_constraints.size(); ++f) {
    if (config.monotone_constraints[f] != 0 && train.mapper(static_cast<int64_t>(f)).is_categorical()) {
      bad("Expected monotone_constraints 0 for categorical feature " + std::to_string(f) + " but received " +
          std::to_string(static_cast<int>(config.monotone_constraints[f])));
    }
  }
  for (size_t g = 0; g < config.interaction_constraints.size(); ++g) {
    for (const int f : config.interaction_constraints[g]) {
      if (f < 0 || f >= nf) {
        bad("Expected interaction_constraints feature indices in [0, " + std::to_string(nf) + ") but received " +
            std::to_string(f) + " in group " + std::to_string(g));
      }
    }
  }
  if (labels == nullptr) throw InvalidInput("Expected labels for training but received null");

  std::unique_ptr<Objective> objective;
  if (custom == nullptr || !*custom) objective = make_objective(config.objective);
  const int k_out = objective ? objective->num_outputs() : config.custom_num_outputs;
  const OutputTransform transform = objective ? objective->transform() : config.custom_transform;

  if (objective) {
    objective->check_labels(labels, n);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(labels[i])) throw InvalidInput("Expected finite labels but received a non-finite one at row " + std::to_string(i));
    }
  }
  if (weights != nullptr) {
    for (int64_t i = 0; i < n; ++i) {
      if (!(weights[i] >= 0.0) || !std::isfinite(weights[i])) {
        throw InvalidInput("Expected non-negative finite sample weights but received " + std::to_string(weights[i]) +
                           " at row " + std::to_string(i));
      }
    }
  }
  for (const EvalSet& e : valid) {
    if (e.data == nullptr || e.labels == nullptr) throw InvalidInput("Expected data and labels for eval set " + e.name);
    if (e.data->num_features() != nf) {
      throw InvalidInput("Expected " + std::to_string(nf) + " features in eval set " + e.name + " but received " +
                         std::to_string(e.data->num_features()));
    }
    if (objective) objective->check_labels(e.labels, e.data->num_rows());
  }

  std::vector<MetricKind> metrics = config.metrics;
  if (metrics.empty() && objective) {
    MetricKind m;
    if (parse_metric(objective->default_metric(), &m)) metrics.push_back(m);
  }

  GbdtModel model;
  model.num_features = nf;
  model.num_outputs = k_out;
  model.transform = transform;
  model.base_score.assign(static_cast<size_t>(k_out), 0.0);
  if (objective && config.objective.boost_from_average) model.base_score = objective->init_score(labels, weights, n, threads);
  if (!config.base_score.empty()) {
    if (config.base_score.size() != 1 && config.base_score.size() != static_cast<size_t>(k_out)) {
      throw InvalidParameter("Expected 1 or " + std::to_string(k_out) + " values in base_score but received " +
                             std::to_string(config.base_score.size()));
    }
    for (int k = 0; k < k_out; ++k) {
      const double b = config.base_score[config.base_score.size() == 1 ? 0 : static_cast<size_t>(k)];
      if (!std::isfinite(b)) throw InvalidParameter("Expected a finite base_score but received " + std::to_string(b));
      model.base_score[static_cast<size_t>(k)] = b;
    }
  }

  // Raw scores: training rows and each validation set, n x K row-major.
  std::vector<double> scores(static_cast<size_t>(n * k_out));
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < k_out; ++k) scores[static_cast<size_t>(i * k_out + k)] = model.base_score[static_cast<size_t>(k)];
  }
  std::vector<std::vector<double>> vscores(valid.size());
  for (size_t v = 0; v < valid.size(); ++v) {
    const int64_t m = valid[v].data->num_rows();
    vscores[v].resize(static_cast<size_t>(m * k_out));
    for (int64_t i = 0; i < m; ++i) {
      for (int k = 0; k < k_out; ++k) vscores[v][static_cast<size_t>(i * k_out + k)] = model.base_score[static_cast<size_t>(k)];
    }
  }
  const bool custom_metric = static_cast<bool>(config.custom_metric);
  if (custom_metric) metrics.clear();
  for (size_t v = 0; v < valid.size(); ++v) {
    if (custom_metric) model.history.push_back(MetricHistory{valid[v].name, MetricKind::kRmse, config.custom_metric_name, {}});
    for (const MetricKind m : metrics) model.history.push_back(MetricHistory{valid[v].name, m, {}, {}});
  }

  TreeLearner learner(train, config.tree_config());
  std::vector<GradPair> grads(static_cast<size_t>(n * k_out));
  std::vector<float> custom_g, custom_h;
  std::vector<int> all_features(static_cast<size_t>(nf));
  for (int f = 0; f < nf; ++f) all_features[static_cast<size_t>(f)] = f;
  std::vector<uint32_t> bag;
  std::vector<uint8_t> in_bag;
  const bool bagging = config.subsample < 1.0;
  bool monotone = false;
  for (const int8_t m : config.monotone_constraints) monotone = monotone || m != 0;

  const bool early = config.early_stopping_rounds > 0 && !valid.empty() && (!metrics.empty() || custom_metric);
  const bool first_higher_better = custom_metric ? config.custom_metric_higher_better
                                                 : !metrics.empty() && higher_is_better(metrics[0]);
  double best_value = 0.0;
  int best_round = -1;
  int rounds_done = 0;

  for (int round = 0; round < config.num_rounds; ++round) {
    control.check();
    // Gradients at the current scores, class-major.
    if (objective) {
      objective->gradients(scores.data(), labels, weights, n, grads.data(), threads);
    } else {
      custom_g.resize(static_cast<size_t>(n * k_out));
      custom_h.resize(static_cast<size_t>(n * k_out));
      (*custom)(scores.data(), n, k_out, custom_g.data(), custom_h.data());
      for (int64_t i = 0; i < n; ++i) {
        for (int k = 0; k < k_out; ++k) {
          const size_t src = static_cast<size_t>(i * k_out + k);
          const float g = custom_g[src], h = custom_h[src];
          if (!std::isfinite(g) || !std::isfinite(h)) {
            throw InvalidInput("Expected finite grad/hess from the custom objective but received a non-finite one at row " +
                               std::to_string(i));
          }
          grads[static_cast<size_t>(k) * static_cast<size_t>(n) + static_cast<size_t>(i)] = GradPair{g, h};
        }
      }
    }
    // Row subsample: an independent coin per (round, row), the same whatever the thread count.
    if (bagging) {
      const uint64_t round_seed = derive_seed(config.seed, 0x626167ULL, static_cast<uint64_t>(round));
      in_bag.resize(static_cast<size_t>(n));
      parallel_blocks(n, kRowGrain * 4, threads, [&](int64_t lo, int64_t hi, int64_t) {
        for (int64_t i = lo; i < hi; ++i) {
          in_bag[static_cast<size_t>(i)] =
              hash_uniform(hash_mix(round_seed ^ static_cast<uint64_t>(i))) < config.subsample ? 1 : 0;
        }
      });
      bag.clear();
      for (int64_t i = 0; i < n; ++i) {
        if (in_bag[static_cast<size_t>(i)]) bag.push_back(static_cast<uint32_t>(i));
      }
      if (bag.empty()) bag.push_back(0);
    }

    bool any_split = false;
    for (int k = 0; k < k_out; ++k) {
      std::vector<int> features = all_features;
      if (config.colsample_bytree < 1.0) {
        const size_t want = std::max<size_t>(
            1, static_cast<size_t>(std::lround(config.colsample_bytree * static_cast<double>(nf))));
        features = sample_subset(all_features, want,
                                 derive_seed(config.seed, 0x74726565ULL, static_cast<uint64_t>(round),
                                             static_cast<uint64_t>(k)));
      }
      const GradPair* g = grads.data() + static_cast<size_t>(k) * static_cast<size_t>(n);
      Tree tree = learner.grow(g, bagging ? bag.data() : nullptr, bagging ? static_cast<int64_t>(bag.size()) : n,
                               features,
                               derive_seed(config.seed, 0x6e6f6465ULL, static_cast<uint64_t>(round),
                                           static_cast<uint64_t>(k)),
                               control);
      const RowPartition& part = learner.partition();
      // Leaf re-estimation (L1, quantile) on the in-bag rows of each leaf, before shrinkage.
      if (objective && objective->renews_leaves() && tree.num_leaves() > 1) {
        std::vector<int> leaves;
        for (int i = 0; i < tree.num_nodes(); ++i) {
          if (tree.node(i).is_leaf()) leaves.push_back(i);
        }
        parallel_for(0, static_cast<int64_t>(leaves.size()), threads, [&](int64_t j) {
          const int leaf = leaves[static_cast<size_t>(j)];
          double v = objective->renew_leaf(part.rows(leaf), part.count(leaf), scores.data(), labels, weights);
          if (monotone) {
            // Keep the leaf within its monotone bounds (tree/split.h), or the guarantee is lost.
            const NodeConstraints c = learner.node_constraints(leaf);
            v = std::min(c.max_output, std::max(c.min_output, v));
          }
          tree.mutable_node(leaf).value = v;
        });
      }
      tree.scale_values(config.learning_rate);
      if (tree.num_leaves() > 1) any_split = true;

      // Training scores: in-bag rows from the partition (no walk), out-of-bag rows by a bin walk.
      if (tree.num_leaves() == 1) {
        add_tree_binned(tree, train, scores.data(), k_out, k, threads);
      } else {
        std::vector<int> leaves;
        for (int i = 0; i < tree.num_nodes(); ++i) {
          if (tree.node(i).is_leaf()) leaves.push_back(i);
        }
        parallel_for(0, static_cast<int64_t>(leaves.size()), threads, [&](int64_t j) {
          const int leaf = leaves[static_cast<size_t>(j)];
          const double v = tree.node(leaf).value;
          const uint32_t* rows = part.rows(leaf);
          const int64_t c = part.count(leaf);
          for (int64_t i = 0; i < c; ++i) scores[static_cast<size_t>(rows[i]) * k_out + k] += v;
        });
        if (bagging) {
          const int* missing = train.feature_missing_bins().data();
          parallel_blocks(n, kRowGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
            for (int64_t i = lo; i < hi; ++i) {
              if (in_bag[static_cast<size_t>(i)]) continue;
              scores[static_cast<size_t>(i * k_out + k)] +=
                  tree.node(tree.leaf_index_binned(train.row(i), missing)).value;
            }
          });
        }
      }
      for (size_t v = 0; v < valid.size(); ++v) add_tree_binned(tree, *valid[v].data, vscores[v].data(), k_out, k, threads);
      model.trees.push_back(std::move(tree));
    }
    rounds_done = round + 1;

    // Metrics and early stopping.
    size_t h = 0;
    for (size_t v = 0; v < valid.size(); ++v) {
      if (custom_metric) {
        const double value = config.custom_metric(static_cast<int>(v), vscores[v].data(), valid[v].data->num_rows(), k_out);
        model.history[h++].values.push_back(value);
      }
      for (const MetricKind m : metrics) {
        const double value = evaluate_metric(m, vscores[v].data(), k_out, valid[v].labels, valid[v].weights,
                                             valid[v].data->num_rows(), transform, config.objective.quantile_alpha,
                                             threads);
        model.history[h++].values.push_back(value);
      }
    }
    if (config.verbose > 0 && config.log && ((round + 1) % config.verbose == 0 || round + 1 == config.num_rounds)) {
      std::string line = "[" + std::to_string(round + 1) + "]";
      for (const MetricHistory& mh : model.history) {
        char value[32];
        std::snprintf(value, sizeof(value), "%.6g", mh.values.back());
        line += "\t" + mh.set_name + "-" + (mh.custom_name.empty() ? std::string(metric_name(mh.metric)) : mh.custom_name) + ":" + value;
      }
      config.log(line);
    }
    control.progress(static_cast<double>(round + 1) / static_cast<double>(config.num_rounds), "boosting");
    if (early) {
      const double value = model.history[0].values.back();
      const bool better = best_round < 0 || (first_higher_better ? value > best_value : value < best_value);
      if (better) {
        best_value = value;
        best_round = round;
      } else if (round - best_round >= config.early_stopping_rounds) {
        model.stopped_early = true;
        break;
      }
    }
    // No tree of this round could split: later rounds would see the same gradients up to a constant
    // shift and could not split either (LightGBM stops here too).
    if (!any_split) break;
  }

  int keep = rounds_done;
  if (early && best_round >= 0) keep = best_round + 1;
  model.trees.resize(static_cast<size_t>(keep) * static_cast<size_t>(k_out), Tree());
  model.num_rounds = keep;
  model.best_iteration = early && best_round >= 0 ? best_round : keep - 1;

  model.forest = CompiledForest(nf, model.base_score, transform);
  size_t total_nodes = 0;
  for (const Tree& t : model.trees) total_nodes += static_cast<size_t>(t.num_nodes());
  model.forest.reserve(total_nodes, model.trees.size());
  model.importance_split.assign(static_cast<size_t>(nf), 0.0);
  model.importance_gain.assign(static_cast<size_t>(nf), 0.0);
  for (size_t t = 0; t < model.trees.size(); ++t) {
    const Tree& tree = model.trees[t];
    model.forest.add_tree(tree, static_cast<int>(t % static_cast<size_t>(k_out)));
    for (const TreeNode& node : tree.nodes()) {
      if (node.is_leaf()) continue;
      model.importance_split[static_cast<size_t>(node.feature)] += 1.0;
      model.importance_gain[static_cast<size_t>(node.feature)] += node.gain;
    }
  }
  return model;
}

}  // namespace ensemblekit
