#include "mlp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "../errors.h"
#include "../linalg/lbfgs.h"
#include "../parallel/parallel_for.h"
#include "../tree/random.h"

namespace ensemblekit {
namespace nn {

namespace {

// A batch is cut into at most kMaxBlocks blocks of at least kMinBlockRows rows: enough blocks to
// keep a few threads busy on batches of 200-256, few enough that summing their gradient buffers
// stays a small fraction of the GEMM work (a block costs ~6 * rows * params flops, its reduction
// params adds). The cut depends on the batch size only (determinism).
constexpr int64_t kMinBlockRows = 32;
constexpr int64_t kMaxBlocks = 16;
// Parameters per chunk of the fused reduce-and-update pass.
constexpr int64_t kParamChunk = 4096;

int64_t block_grain(int64_t n) { return std::max(kMinBlockRows, (n + kMaxBlocks - 1) / kMaxBlocks); }

template <class T>
Workspace<T>& local_workspace() {
  thread_local Workspace<T> ws;
  return ws;
}

void check_options(const MlpOptions& o) {
  o.arch.validate();
  auto bad = [](const std::string& what) { throw InvalidParameter(what); };
  if (!(o.alpha >= 0 && std::isfinite(o.alpha))) bad("Expected alpha >= 0 but received " + std::to_string(o.alpha));
  if (o.max_iter < 1) bad("Expected maxIter >= 1 but received " + std::to_string(o.max_iter));
  if (!(o.tol >= 0)) bad("Expected tol >= 0 but received " + std::to_string(o.tol));
  if (o.n_iter_no_change < 1) bad("Expected nIterNoChange >= 1 but received " + std::to_string(o.n_iter_no_change));
  if (o.early_stopping && !(o.validation_fraction > 0 && o.validation_fraction < 1)) {
    bad("Expected validationFraction in (0, 1) but received " + std::to_string(o.validation_fraction));
  }
  if (o.max_fun < 1) bad("Expected maxFun >= 1 but received " + std::to_string(o.max_fun));
  const OptimizerOptions& p = o.optimizer;
  if (!(p.learning_rate_init > 0 && std::isfinite(p.learning_rate_init))) {
    bad("Expected learningRateInit > 0 but received " + std::to_string(p.learning_rate_init));
  }
  if (!(p.power_t >= 0)) bad("Expected powerT >= 0 but received " + std::to_string(p.power_t));
  if (!(p.momentum >= 0 && p.momentum <= 1)) bad("Expected momentum in [0, 1] but received " + std::to_string(p.momentum));
  if (!(p.beta1 >= 0 && p.beta1 < 1)) bad("Expected beta1 in [0, 1) but received " + std::to_string(p.beta1));
  if (!(p.beta2 >= 0 && p.beta2 < 1)) bad("Expected beta2 in [0, 1) but received " + std::to_string(p.beta2));
  if (!(p.epsilon > 0)) bad("Expected epsilon > 0 but received " + std::to_string(p.epsilon));
  const bool classifier = o.n_classes > 0;
  if (classifier) {
    if (o.n_classes < 2) bad("Expected at least 2 classes but received " + std::to_string(o.n_classes));
    const Output want = o.n_classes == 2 ? Output::kLogistic : Output::kSoftmax;
    const int64_t units = o.n_classes == 2 ? 1 : o.n_classes;
    if (o.arch.output != want || o.arch.outputs() != units) {
      bad("Expected a " + std::string(output_name(want)) + " output layer of " + std::to_string(units) + " units for " +
          std::to_string(o.n_classes) + " classes");
    }
  } else if (o.arch.output != Output::kIdentity) {
    bad("Expected an identity output layer for regression");
  }
}

void check_data(const DenseMatrix& x, const Targets& y, const MlpOptions& o) {
  validate_matrix(x, "X");
  if (x.cols != o.arch.inputs()) {
    throw InvalidInput("Expected " + std::to_string(o.arch.inputs()) + " columns in X (the input layer) but received " +
                       std::to_string(x.cols));
  }
  visit_dtype(x.dtype, [&](auto tag) {
    using S = decltype(tag);
    const S* d = x.typed<S>();
    for (int64_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(d[i])) {
        throw InvalidInput("X contains " + std::string(std::isnan(d[i]) ? "NaN" : "an infinite value") + " at row " +
                           std::to_string(i / x.cols) + ", column " + std::to_string(i % x.cols) +
                           " (impute and scale first, e.g. with a Pipeline)");
      }
    }
    return 0;
  });
  if (o.n_classes > 0) {
    if (y.labels == nullptr) throw InvalidInput("Expected class indices for y but received null");
    for (int64_t i = 0; i < x.rows; ++i) {
      if (y.labels[i] < 0 || y.labels[i] >= o.n_classes) {
        throw InvalidInput("Expected a class index in [0, " + std::to_string(o.n_classes) + ") at y[" + std::to_string(i) +
                           "] but received " + std::to_string(y.labels[i]));
      }
    }
  } else {
    if (y.values == nullptr) throw InvalidInput("Expected target values for y but received null");
    const int64_t n = x.rows * o.arch.outputs();
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(y.values[i])) {
        throw InvalidInput("Expected finite targets but y has " + std::to_string(y.values[i]) + " at row " +
                           std::to_string(i / o.arch.outputs()));
      }
    }
  }
}

// The per-fit state: parameters in the compute type, the per-block gradient buffers, the reduced
// gradient. Parallel inside, not thread-safe itself.
template <class T>
class Trainer {
 public:
  Trainer(const DenseMatrix& x, const Targets& y, const MlpOptions& o, const WorkControl& control)
      : x_(x), y_(y), o_(o), arch_(o.arch), control_(control), threads_(resolve_threads(o.n_threads)) {
    p_ = arch_.n_params();
    params_.assign(static_cast<size_t>(p_), T(0));
    grad_.assign(static_cast<size_t>(p_), T(0));
    penalised_.assign(static_cast<size_t>(p_), 0);
    for (int64_t l = 0; l < arch_.layers(); ++l) {
      std::fill(penalised_.begin() + arch_.weight_offset(l), penalised_.begin() + arch_.bias_offset(l), 1);
    }
    chunk_sq_.assign(static_cast<size_t>((p_ + kParamChunk - 1) / kParamChunk), 0.0);
  }

  int64_t size() const { return p_; }
  std::vector<T>& params() { return params_; }
  const std::vector<T>& grad() const { return grad_; }

  // Mean loss + L2 term over rows idx[0..count), the gradient of the same into grad_, and, when
  // opt is given, one optimizer step (fused with the reduction).
  double batch(const int64_t* idx, int64_t count, Optimizer<T>* opt) {
    const int64_t grain = block_grain(count);
    const int64_t blocks = block_count(count, grain);
    if (static_cast<int64_t>(partials_.size()) < blocks * p_) partials_.resize(static_cast<size_t>(blocks * p_));
    if (static_cast<int64_t>(block_loss_.size()) < blocks) block_loss_.resize(static_cast<size_t>(blocks));
    const T* w = params_.data();
    parallel_blocks(count, grain, threads_, [&](int64_t lo, int64_t hi, int64_t b) {
      if (control_.cancelled()) throw Aborted();
      block_loss_[b] = block_loss_grad<T>(arch_, w, x_, y_, idx + lo, hi - lo, partials_.data() + b * p_,
                                          local_workspace<T>());
    });
    control_.check();
    if (opt != nullptr) opt->begin_step();
    const double inv_n = 1.0 / static_cast<double>(count);
    const T scale = static_cast<T>(inv_n);
    const T decay = static_cast<T>(o_.alpha * inv_n);
    const int64_t chunks = static_cast<int64_t>(chunk_sq_.size());
    parallel_for(0, chunks, threads_, [&](int64_t c) {
      const int64_t lo = c * kParamChunk, hi = std::min(p_, lo + kParamChunk);
      T* g = grad_.data();
      T* p = params_.data();
      const T* part = partials_.data();
      for (int64_t j = lo; j < hi; ++j) g[j] = part[j];
      for (int64_t b = 1; b < blocks; ++b) {
        const T* pb = part + b * p_;
        for (int64_t j = lo; j < hi; ++j) g[j] += pb[j];
      }
      double sq = 0;
      for (int64_t j = lo; j < hi; ++j) {
        g[j] *= scale;
        if (penalised_[j]) {
          sq += static_cast<double>(p[j]) * static_cast<double>(p[j]);
          g[j] += decay * p[j];
        }
      }
      chunk_sq_[c] = sq;
      if (opt != nullptr) opt->update(lo, hi, p, g);
    });
    double data = 0, sq = 0;
    for (int64_t b = 0; b < blocks; ++b) data += block_loss_[b];
    for (double s : chunk_sq_) sq += s;
    return data * inv_n + 0.5 * o_.alpha * sq * inv_n;
  }

  // Network outputs for rows idx[0..count) into out (count x outputs).
  void forward(const int64_t* idx, int64_t count, double* out) {
    const int64_t k = arch_.outputs();
    const T* w = params_.data();
    parallel_blocks(count, kChunkRows, threads_, [&](int64_t lo, int64_t hi, int64_t) {
      block_forward<T>(arch_, w, x_, idx + lo, hi - lo, out + lo * k, local_workspace<T>());
    });
  }

  // Accuracy (classifiers) or R^2 averaged over outputs (regressors) on rows idx, as score().
  double score(const int64_t* idx, int64_t count) {
    const int64_t k = arch_.outputs();
    std::vector<double> out(static_cast<size_t>(count * k));
    forward(idx, count, out.data());
    if (o_.n_classes > 0) {
      int64_t hits = 0;
      for (int64_t r = 0; r < count; ++r) {
        const double* p = out.data() + r * k;
        int32_t pred;
        if (k == 1) {
          pred = p[0] > 0.5 ? 1 : 0;
        } else {
          pred = static_cast<int32_t>(std::max_element(p, p + k) - p);
        }
        hits += pred == y_.labels[idx[r]];
      }
      return static_cast<double>(hits) / static_cast<double>(count);
    }
    double total = 0;
    for (int64_t c = 0; c < k; ++c) {
      double mean = 0;
      for (int64_t r = 0; r < count; ++r) mean += y_.values[idx[r] * k + c];
      mean /= static_cast<double>(count);
      double ss_res = 0, ss_tot = 0;
      for (int64_t r = 0; r < count; ++r) {
        const double t = y_.values[idx[r] * k + c];
        const double d = t - out[static_cast<size_t>(r * k + c)];
        ss_res += d * d;
        ss_tot += (t - mean) * (t - mean);
      }
      total += ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
    }
    return total / static_cast<double>(k);
  }

 private:
  const DenseMatrix& x_;
  Targets y_;
  const MlpOptions& o_;
  const Architecture& arch_;
  const WorkControl& control_;
  int threads_;
  int64_t p_ = 0;
  std::vector<T> params_, grad_, partials_;
  std::vector<uint8_t> penalised_;
  std::vector<double> block_loss_, chunk_sq_;
};

void shuffle(std::vector<int64_t>& v, SplitMix64& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

// Validation rows for early stopping: ceil(fraction * n) rows (as train_test_split), drawn per class
// in proportion to the class counts for classifiers (largest remainders get the extra rows).
// Both parts are returned in row order.
void split_validation(int64_t n, const Targets& y, const MlpOptions& o, SplitMix64& rng, std::vector<int64_t>& train,
                      std::vector<int64_t>& val) {
  const int64_t n_val = static_cast<int64_t>(std::ceil(o.validation_fraction * static_cast<double>(n)));
  if (n_val < 1 || n - n_val < 1) {
    throw InvalidInput("Expected enough rows for a validation fraction of " + std::to_string(o.validation_fraction) +
                       " but X has " + std::to_string(n) + " rows");
  }
  std::vector<uint8_t> in_val(static_cast<size_t>(n), 0);
  if (o.n_classes > 0) {
    const int64_t k = o.n_classes;
    std::vector<std::vector<int64_t>> members(static_cast<size_t>(k));
    for (int64_t i = 0; i < n; ++i) members[static_cast<size_t>(y.labels[i])].push_back(i);
    std::vector<int64_t> take(static_cast<size_t>(k));
    std::vector<std::pair<double, int64_t>> rem;
    int64_t given = 0;
    for (int64_t c = 0; c < k; ++c) {
      const double exact = static_cast<double>(n_val) * static_cast<double>(members[c].size()) / static_cast<double>(n);
      take[c] = static_cast<int64_t>(std::floor(exact));
      given += take[c];
      rem.emplace_back(-(exact - static_cast<double>(take[c])), c);
    }
    std::sort(rem.begin(), rem.end());
    for (size_t i = 0; given < n_val && i < rem.size(); ++i) {
      const int64_t c = rem[i].second;
      if (take[c] < static_cast<int64_t>(members[c].size())) {
        ++take[c];
        ++given;
      }
    }
    for (int64_t c = 0; c < k; ++c) {
      shuffle(members[c], rng);
      for (int64_t i = 0; i < take[c]; ++i) in_val[static_cast<size_t>(members[c][i])] = 1;
    }
  } else {
    std::vector<int64_t> all(static_cast<size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    shuffle(all, rng);
    for (int64_t i = 0; i < n_val; ++i) in_val[static_cast<size_t>(all[i])] = 1;
  }
  for (int64_t i = 0; i < n; ++i) (in_val[i] ? val : train).push_back(i);
}

std::string epoch_label(const char* what, int epoch, double loss) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s %d loss %.10g", what, epoch, loss);
  return buf;
}

template <class T>
void load_params(Trainer<T>& tr, const MlpOptions& o, const MlpWarmState& warm) {
  std::vector<double> init;
  if (!warm.params.empty()) {
    if (static_cast<int64_t>(warm.params.size()) != tr.size()) {
      throw InvalidInput("Expected " + std::to_string(tr.size()) + " parameters to warm-start from but received " +
                         std::to_string(warm.params.size()) + " (the layer sizes changed?)");
    }
    init = warm.params;
  } else {
    init.resize(static_cast<size_t>(tr.size()));
    glorot_init(o.arch, o.seed, init.data());
  }
  std::transform(init.begin(), init.end(), tr.params().begin(), [](double v) { return static_cast<T>(v); });
}

template <class T>
MlpResult fit_stochastic(const DenseMatrix& x, const Targets& y, const MlpOptions& o, const MlpWarmState& warm,
                         const WorkControl& control) {
  Trainer<T> tr(x, y, o, control);
  load_params(tr, o, warm);
  // A warm start continues with fresh shuffles: the stream depends on the epochs run before.
  SplitMix64 rng(derive_seed(o.seed, 0x73687566 /* "shuf" */, static_cast<uint64_t>(warm.n_iter)));
  std::vector<int64_t> train, val;
  if (o.early_stopping) {
    split_validation(x.rows, y, o, rng, train, val);
  } else {
    train.resize(static_cast<size_t>(x.rows));
    std::iota(train.begin(), train.end(), 0);
  }
  const int64_t n = static_cast<int64_t>(train.size());
  const int64_t batch = o.batch_size <= 0 ? std::min<int64_t>(200, n) : std::min(std::max<int64_t>(1, o.batch_size), n);
  Optimizer<T> opt(o.optimizer, tr.size());

  MlpResult r;
  r.t = warm.t;
  r.best_loss = warm.best_loss;
  r.no_improvement = warm.no_improvement;
  std::vector<T> best_params;
  for (int it = 0; it < o.max_iter; ++it) {
    control.check();
    if (o.shuffle) shuffle(train, rng);
    double acc = 0;
    for (int64_t s = 0; s < n; s += batch) {
      const int64_t bn = std::min(batch, n - s);
      acc += tr.batch(train.data() + s, bn, &opt) * static_cast<double>(bn);
    }
    ++r.n_iter;
    r.loss = acc / static_cast<double>(n);
    r.t += static_cast<double>(n);
    r.loss_curve.push_back(r.loss);
    if (o.early_stopping) {
      const double score = tr.score(val.data(), static_cast<int64_t>(val.size()));
      r.validation_scores.push_back(score);
      r.no_improvement = score < r.best_validation_score + o.tol ? r.no_improvement + 1 : 0;
      if (score > r.best_validation_score) {
        r.best_validation_score = score;
        best_params = tr.params();
      }
    } else {
      r.no_improvement = r.loss > r.best_loss - o.tol ? r.no_improvement + 1 : 0;
      if (r.loss < r.best_loss) r.best_loss = r.loss;
    }
    opt.epoch_end(r.t);
    control.progress(static_cast<double>(it + 1) / o.max_iter, epoch_label("epoch", warm.n_iter + r.n_iter, r.loss));
    if (r.no_improvement > o.n_iter_no_change) {
      if (opt.trigger_stopping()) {
        r.stopped = true;
        break;
      }
      r.no_improvement = 0;
    }
  }
  if (o.early_stopping && !best_params.empty()) tr.params() = best_params;
  r.params.assign(tr.params().begin(), tr.params().end());
  r.status = r.stopped ? "converged" : "max_iter";
  return r;
}

template <class T>
MlpResult fit_lbfgs(const DenseMatrix& x, const Targets& y, const MlpOptions& o, const MlpWarmState& warm,
                    const WorkControl& control) {
  Trainer<T> tr(x, y, o, control);
  load_params(tr, o, warm);
  std::vector<int64_t> rows(static_cast<size_t>(x.rows));
  std::iota(rows.begin(), rows.end(), 0);
  std::vector<double> p(tr.params().begin(), tr.params().end());
  MlpResult r;
  double last_f = 0;
  auto objective = [&](const double* w, double* g) {
    if (control.cancelled()) throw Aborted();
    std::transform(w, w + tr.size(), tr.params().begin(), [](double v) { return static_cast<T>(v); });
    last_f = tr.batch(rows.data(), x.rows, nullptr);
    std::transform(tr.grad().begin(), tr.grad().end(), g, [](T v) { return static_cast<double>(v); });
    return last_f;
  };
  // L-BFGS reports after each accepted step, whose point is the last one evaluated: that is the loss
  // curve. Cancellation is polled by the objective.
  WorkControl relay(nullptr, [&](double fraction, const std::string&) {
    r.loss_curve.push_back(last_f);
    control.progress(fraction, epoch_label("iteration", warm.n_iter + static_cast<int>(r.loss_curve.size()), last_f));
  });
  linalg::LbfgsOptions lo;
  lo.max_iter = o.max_iter;
  lo.gtol = o.tol;
  lo.max_evals = o.max_fun;
  lo.label = "MLP";
  const linalg::LbfgsResult res = linalg::lbfgs_minimize(tr.size(), p.data(), objective, lo, relay);
  control.check();
  r.params = p;
  r.loss = res.f;
  r.best_loss = res.f;
  r.n_iter = res.n_iter;
  r.n_evals = res.n_evals;
  r.t = warm.t + static_cast<double>(x.rows) * res.n_evals;
  r.stopped = res.converged();
  r.status = linalg::lbfgs_status_name(res.status);
  return r;
}

}  // namespace

MlpResult mlp_fit(const DenseMatrix& x, const Targets& y, const MlpOptions& options, const MlpWarmState& warm,
                  const WorkControl& control) {
  check_options(options);
  check_data(x, y, options);
  const bool f32 = options.dtype == DType::kFloat32;
  if (options.optimizer.solver == Solver::kLbfgs) {
    return f32 ? fit_lbfgs<float>(x, y, options, warm, control) : fit_lbfgs<double>(x, y, options, warm, control);
  }
  return f32 ? fit_stochastic<float>(x, y, options, warm, control) : fit_stochastic<double>(x, y, options, warm, control);
}

double mlp_loss_gradient(const DenseMatrix& x, const Targets& y, const MlpOptions& options, const double* params,
                         double* grad) {
  check_options(options);
  check_data(x, y, options);
  Trainer<double> tr(x, y, options, WorkControl::none());
  std::copy(params, params + tr.size(), tr.params().begin());
  std::vector<int64_t> rows(static_cast<size_t>(x.rows));
  std::iota(rows.begin(), rows.end(), 0);
  const double loss = tr.batch(rows.data(), x.rows, nullptr);
  std::copy(tr.grad().begin(), tr.grad().end(), grad);
  return loss;
}

void mlp_predict(const Architecture& arch, const double* params, const DenseMatrix& x, double* out, int n_threads) {
  arch.validate();
  validate_matrix(x, "X");
  if (x.cols != arch.inputs()) {
    throw InvalidInput("Expected " + std::to_string(arch.inputs()) + " columns in X (as at fit) but received " +
                       std::to_string(x.cols));
  }
  const int64_t k = arch.outputs();
  parallel_blocks(x.rows, kChunkRows, n_threads, [&](int64_t lo, int64_t hi, int64_t) {
    DenseMatrix view = x;
    view.data = static_cast<const char*>(x.data) + static_cast<size_t>(lo * x.cols) * dtype_size(x.dtype);
    block_forward<double>(arch, params, view, nullptr, hi - lo, out + lo * k, local_workspace<double>());
  });
}

}  // namespace nn
}  // namespace ensemblekit
