// The `forest` export: random forests, extra trees and decision trees. Fits (sync, and as async jobs
// on the libuv pool with progress per tree and cancellation) on a raw matrix (binned here) or a
// prebuilt Dataset; the fitted model is a `ForestModel` handle that predicts through the compiled
// forest, reports importances and out-of-bag predictions, and exports its trees for the JSON form.
// Glue only: the algorithms are in core/forest, core/tree and core/predict.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../core/errors.h"
#include "../core/forest/forest.h"
#include "../core/io/tree_io.h"
#include "../core/predict/leaf_index.h"
#include "../core/predict/tree_shap.h"
#include "addon_data.h"
#include "args.h"
#include "async_job.h"
#include "dataset.h"
#include "errors.h"
#include "explain.h"
#include "exports.h"
#include "predict.h"

namespace ensemblekit {
namespace addon {

namespace {

// ---- the model handle ---------------------------------------------------------------------------

class ForestModelWrap : public Napi::ObjectWrap<ForestModelWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "ForestModel",
                       {
                           InstanceMethod<&ForestModelWrap::info>("info"),
                           InstanceMethod<&ForestModelWrap::contrib>("predictContrib"),
                           InstanceMethod<&ForestModelWrap::leaves>("predictLeaf"),
                           InstanceMethod<&ForestModelWrap::predict>("predict"),
                           InstanceMethod<&ForestModelWrap::importance>("importance"),
                           InstanceMethod<&ForestModelWrap::oob>("oob"),
                           InstanceMethod<&ForestModelWrap::export_trees>("exportTrees"),
                           InstanceMethod<&ForestModelWrap::predict_one>("predictOne"),
                           InstanceMethod<&ForestModelWrap::predict_async>("predictAsync"),
                       });
  }

  static Napi::Object wrap(Napi::Env env, std::shared_ptr<const ForestModel> model) {
    Napi::Object obj = addon_data(env).forest_model_constructor.New({});
    ForestModelWrap* self = Unwrap(obj);
    self->model_ = std::move(model);
    size_t nodes = 0;
    for (const Tree& t : self->model_->trees) nodes += static_cast<size_t>(t.num_nodes());
    self->external_ = static_cast<int64_t>(self->model_->forest.nodes().size() * sizeof(CompiledForest::Node) +
                                           nodes * sizeof(TreeNode) + self->model_->oob.size() * sizeof(double));
    Napi::MemoryManagement::AdjustExternalMemory(env, self->external_);
    return obj;
  }

  explicit ForestModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ForestModelWrap>(info) {}

  void Finalize(Napi::BasicEnv env) override {
    if (external_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -external_);
    external_ = 0;
  }

 private:
  const ForestModel& model(Napi::Env env) const {
    if (!model_) throw invalid_input(env, "The model is empty");
    return *model_;
  }

  Napi::Value info(const Napi::CallbackInfo& i) {
    Napi::Env env = i.Env();
    return guard(env, [&]() -> Napi::Value {
      const ForestModel& m = model(env);
      Napi::Object out = Napi::Object::New(env);
      out.Set("numFeatures", m.num_features);
      out.Set("numClasses", m.num_classes);
      out.Set("numOutputs", m.num_outputs());
      out.Set("numTrees", static_cast<double>(m.trees.size()));
      int leaves = 0, depth = 0, nodes = 0;
      for (const Tree& t : m.trees) {
        leaves += t.num_leaves();
        nodes += t.num_nodes();
        depth = std::max(depth, t.max_depth());
      }
      out.Set("numLeaves", leaves);
      out.Set("numNodes", nodes);
      out.Set("maxDepth", depth);
      out.Set("hasOob", !m.oob.empty());
      return out;
    });
  }

  // predict(data, rows, cols, nThreads) -> Float64Array rows x numOutputs (regression: the mean;
  // two classes: P(class 1); K classes: the K class probabilities)
  Napi::Value predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const ForestModel& m = model(env);
      FloatArray x = float_array_arg(info, 0, "data");
      const int64_t rows = int_arg(info, 1, "rows", 0), cols = int_arg(info, 2, "cols", 1);
      if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(x.length)) {
        throw invalid_input(env, "Expected data of length rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols) +
                                     " but received " + std::to_string(x.length));
      }
      const int threads = static_cast<int>(int_arg(info, 3, "nThreads"));
      Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(rows * m.num_outputs()));
      if (rows == 0) return out;
      DenseMatrix view(x.data, x.is_f64 ? DType::kFloat64 : DType::kFloat32, rows, cols);
      m.forest.predict_raw(view, out.Data(), threads);
      return out;
    });
  }

  // predictContrib / predictLeaf (data, rows, cols, nThreads, treeBegin, treeEnd): explain.h.
  Napi::Value contrib(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return predict_contrib_value(info, model(info.Env()).forest); });
  }

  Napi::Value leaves(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return predict_leaf_value(info, model(info.Env()).forest); });
  }

  Napi::Value importance(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const ForestModel& m = model(env);
      return to_js(env, m.importances.data(), m.importances.size());
    });
  }

  // oob() -> Float64Array rows x (classes or 1), or undefined when not computed.
  Napi::Value oob(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const ForestModel& m = model(env);
      if (m.oob.empty()) return env.Undefined();
      return to_js(env, m.oob.data(), m.oob.size());
    });
  }

  // exportTrees() -> node arrays of every tree, concatenated (NativeForestTrees in lib/native.ts).
  Napi::Value export_trees(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const ForestModel& m = model(env);
      size_t total = 0;
      for (const Tree& t : m.trees) total += static_cast<size_t>(t.num_nodes());
      const size_t k = m.num_classes >= 2 ? static_cast<size_t>(m.num_classes) : 0;
      Napi::Int32Array counts = Napi::Int32Array::New(env, m.trees.size());
      Napi::Int32Array left = Napi::Int32Array::New(env, total), right = Napi::Int32Array::New(env, total);
      Napi::Int32Array feature = Napi::Int32Array::New(env, total), threshold_bin = Napi::Int32Array::New(env, total);
      Napi::Uint8Array default_left = Napi::Uint8Array::New(env, total);
      Napi::Float64Array threshold = Napi::Float64Array::New(env, total), value = Napi::Float64Array::New(env, total);
      Napi::Float64Array gain = Napi::Float64Array::New(env, total), weight = Napi::Float64Array::New(env, total);
      Napi::Float64Array count = Napi::Float64Array::New(env, total);
      Napi::Float64Array distribution = Napi::Float64Array::New(env, total * k);
      size_t at = 0;
      for (size_t t = 0; t < m.trees.size(); ++t) {
        const Tree& tree = m.trees[t];
        counts[t] = tree.num_nodes();
        if (k != 0) std::memcpy(distribution.Data() + at * k, m.distributions[t].data(), m.distributions[t].size() * sizeof(double));
        for (const TreeNode& n : tree.nodes()) {
          left[at] = n.left;
          right[at] = n.right;
          feature[at] = n.feature;
          threshold_bin[at] = n.threshold_bin;
          default_left[at] = n.default_left ? 1 : 0;
          threshold[at] = n.threshold;
          value[at] = n.value;
          gain[at] = n.gain;
          weight[at] = n.sum_hess;
          count[at] = static_cast<double>(n.count);
          ++at;
        }
      }
      Napi::Object out = Napi::Object::New(env);
      out.Set("nodeCounts", counts);
      out.Set("left", left);
      out.Set("right", right);
      out.Set("feature", feature);
      out.Set("threshold", threshold);
      out.Set("thresholdBin", threshold_bin);
      out.Set("defaultLeft", default_left);
      out.Set("value", value);
      out.Set("gain", gain);
      out.Set("weight", weight);
      out.Set("count", count);
      out.Set("distribution", distribution);
      return out;
    });
  }

  // predictOne / predictAsync (outputs as predict()): predict.h.
  Napi::Value predict_one(const Napi::CallbackInfo& info) {
    if (!model_) return guard(info.Env(), [&]() -> Napi::Value { throw invalid_input(info.Env(), "The model is empty"); });
    return predict_one_value(info, model_->forest);
  }

  Napi::Value predict_async(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      model(info.Env());
      return start_predict_job(info, model_);
    });
  }

  std::shared_ptr<const ForestModel> model_;
  int64_t external_ = 0;
};

// modelFromTrees({ numFeatures, numClasses, ...exportTrees() })
Napi::Value model_from_trees(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    Napi::Object o = object_arg(info, 0, "model");
    const int num_features = static_cast<int>(get_int(o, "numFeatures", 0));
    const int num_classes = static_cast<int>(get_int(o, "numClasses", 0));
    if (num_features < 1) throw ModelFormat("Invalid forest: numFeatures must be >= 1");
    if (num_classes < 0 || num_classes == 1 || num_classes > 1 << 20) throw ModelFormat("Invalid forest: numClasses must be 0 or >= 2");
    auto counts = typed_field<Napi::Int32Array>(o, "nodeCounts", napi_int32_array, "Int32Array", kAnyLength);
    size_t total = 0;
    for (size_t t = 0; t < counts.ElementLength(); ++t) {
      if (counts[t] < 1) throw ModelFormat("Invalid tree " + std::to_string(t) + ": expected at least one node");
      total += static_cast<size_t>(counts[t]);
    }
    const size_t k = num_classes >= 2 ? static_cast<size_t>(num_classes) : 0;
    auto left = typed_field<Napi::Int32Array>(o, "left", napi_int32_array, "Int32Array", total);
    auto right = typed_field<Napi::Int32Array>(o, "right", napi_int32_array, "Int32Array", total);
    auto feature = typed_field<Napi::Int32Array>(o, "feature", napi_int32_array, "Int32Array", total);
    auto threshold_bin = typed_field<Napi::Int32Array>(o, "thresholdBin", napi_int32_array, "Int32Array", total);
    auto default_left = typed_field<Napi::Uint8Array>(o, "defaultLeft", napi_uint8_array, "Uint8Array", total);
    Napi::Float64Array threshold = f64_field(o, "threshold", total), value = f64_field(o, "value", total);
    Napi::Float64Array gain = f64_field(o, "gain", total), weight = f64_field(o, "weight", total);
    Napi::Float64Array count = f64_field(o, "count", total);
    Napi::Float64Array distribution = f64_field(o, "distribution", total * k);
    std::vector<Tree> trees;
    std::vector<NodeArray<double>> distributions;
    trees.reserve(counts.ElementLength());
    size_t at = 0;
    for (size_t t = 0; t < counts.ElementLength(); ++t) {
      std::vector<TreeNode> nodes(static_cast<size_t>(counts[t]));
      const size_t start = at;
      for (TreeNode& n : nodes) {
        n.left = left[at];
        n.right = right[at];
        n.feature = feature[at];
        n.threshold_bin = threshold_bin[at];
        n.default_left = default_left[at] != 0;
        n.threshold = threshold[at];
        n.value = value[at];
        n.gain = gain[at];
        n.sum_hess = weight[at];
        n.count = static_cast<int64_t>(count[at]);
        ++at;
      }
      trees.push_back(tree_from_nodes(nodes, {}, num_features, static_cast<int>(t)));
      if (k != 0) distributions.emplace_back(distribution.Data() + start * k, distribution.Data() + at * k);
    }
    auto model = std::make_shared<ForestModel>(forest_model_from_trees(num_features, num_classes, std::move(trees), std::move(distributions)));
    return ForestModelWrap::wrap(env, std::move(model));
  });
}

// ---- fitting ------------------------------------------------------------------------------------

struct FitCall {
  bool raw = false;
  DenseMatrix x;
  // An async job's own copy of X, dropped once X is binned.
  MatrixSnapshot snapshot;
  Napi::Value dataset_keep;
  std::shared_ptr<BinnedDataset> dataset;
  BinConfig bin;
  Napi::Float64Array y;
  std::vector<int32_t> labels;
  Napi::Value w_keep;
  const double* w = nullptr;
  ForestConfig config;
};

void read_config(Napi::Env env, const Napi::Object& o, ForestConfig* c, BinConfig* b) {
  const std::string criterion = get_string(o, "criterion", "gini");
  if (criterion == "gini") {
    c->tree.criterion = ForestCriterion::kGini;
  } else if (criterion == "entropy" || criterion == "log_loss") {
    c->tree.criterion = ForestCriterion::kEntropy;
  } else if (criterion == "squared_error") {
    c->tree.criterion = ForestCriterion::kSquaredError;
  } else if (criterion == "absolute_error") {
    c->tree.criterion = ForestCriterion::kAbsoluteError;
  } else {
    throw invalid_input(env, "Expected 'gini', 'entropy', 'squared_error' or 'absolute_error' for criterion but received '" + criterion + "'");
  }
  c->tree.num_classes = static_cast<int>(get_int(o, "numClasses", 0));
  c->tree.max_depth = static_cast<int>(get_int(o, "maxDepth", -1));
  c->tree.min_samples_split = get_int(o, "minSamplesSplit", 2);
  c->tree.min_samples_leaf = get_int(o, "minSamplesLeaf", 1);
  c->tree.max_leaf_nodes = static_cast<int>(get_int(o, "maxLeafNodes", 0));
  c->tree.max_features = static_cast<int>(get_int(o, "maxFeatures", 1));
  c->tree.min_impurity_decrease = get_number(o, "minImpurityDecrease", 0.0);
  c->tree.extra_trees = get_bool(o, "extraTrees", false);
  c->num_trees = static_cast<int>(get_int(o, "nEstimators", 100));
  c->bootstrap = get_bool(o, "bootstrap", true);
  c->num_bootstrap = get_int(o, "numBootstrap", 0);
  c->oob = get_bool(o, "oob", false);
  c->seed = static_cast<uint64_t>(get_int(o, "seed", 0));
  c->n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  b->max_bin = static_cast<int>(get_int(o, "maxBins", 255));
  b->min_data_in_bin = static_cast<int>(get_int(o, "minDataInBin", 1));
  b->sample_rows = get_int(o, "binSampleRows", 200000);
  b->seed = c->seed;
  b->n_threads = c->n_threads;
}

// (X: {data, rows, cols} | Dataset, y: Float64Array, sampleWeight?, options)
FitCall parse_fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FitCall c;
  if (info.Length() < 4) throw invalid_input(env, "forest.fit: expected 4 arguments");
  int64_t rows;
  if (is_dataset(env, info[0])) {
    c.dataset = dataset_from_value(env, info[0], "X");
    c.dataset_keep = info[0];
    rows = c.dataset->num_rows();
  } else {
    if (!info[0].IsObject()) throw invalid_input(env, "Expected a matrix or a Dataset for 'X'");
    Napi::Object m = info[0].As<Napi::Object>();
    Napi::Value d = m.Get("data");
    if (!d.IsTypedArray()) throw invalid_input(env, "Expected a Float32Array or Float64Array for 'X.data'");
    const Napi::TypedArray x_array = d.As<Napi::TypedArray>();
    const napi_typedarray_type t = x_array.TypedArrayType();
    if (t != napi_float32_array && t != napi_float64_array) throw invalid_input(env, "Expected a Float32Array or Float64Array for 'X.data'");
    const int64_t r = get_int(m, "rows", -1), cols = get_int(m, "cols", -1);
    if (r < 1 || cols < 1 || static_cast<double>(r) * static_cast<double>(cols) != static_cast<double>(x_array.ElementLength())) {
      throw invalid_input(env, "Expected 'X' with rows >= 1, cols >= 1 and rows * cols values");
    }
    void* data = typed_array_data(x_array);
    c.x = DenseMatrix(data, t == napi_float64_array ? DType::kFloat64 : DType::kFloat32, r, cols);
    c.raw = true;
    rows = r;
  }
  Napi::Object holder = Napi::Object::New(env);
  holder.Set("y", info[1]);
  c.y = f64_field(holder, "y", static_cast<size_t>(rows));
  if (!info[2].IsUndefined() && !info[2].IsNull()) {
    holder.Set("sampleWeight", info[2]);
    Napi::Float64Array w = f64_field(holder, "sampleWeight", static_cast<size_t>(rows));
    c.w_keep = w;
    c.w = w.Data();
  }
  read_config(env, object_arg(info, 3, "options"), &c.config, &c.bin);
  if (is_classification(c.config.tree.criterion)) {
    c.labels.resize(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
      const double v = c.y[static_cast<size_t>(i)];
      if (!(v >= 0.0) || v != std::floor(v) || v >= c.config.tree.num_classes) {
        throw invalid_input(env, "Expected a class index in [0, " + std::to_string(c.config.tree.num_classes) + ") at y[" +
                                     std::to_string(i) + "]");
      }
      c.labels[static_cast<size_t>(i)] = static_cast<int32_t>(v);
    }
  }
  return c;
}

std::shared_ptr<ForestModel> run_fit(FitCall& c, const WorkControl& control) {
  std::shared_ptr<BinnedDataset> train = c.dataset;
  if (c.raw) train = std::make_shared<BinnedDataset>(BinnedDataset::build(c.x, c.bin, control));
  // Training reads the bins only: the copy's memory goes before the trees take theirs.
  c.snapshot = MatrixSnapshot();
  c.x = DenseMatrix();
  const bool classification = is_classification(c.config.tree.criterion);
  return std::make_shared<ForestModel>(train_forest(*train, classification ? c.labels.data() : nullptr,
                                                    classification ? nullptr : c.y.Data(), c.w, c.config, control));
}

Napi::Value fit_sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    return ForestModelWrap::wrap(env, run_fit(c, WorkControl::none()));
  });
}

class FitJob : public AsyncJob {
 public:
  FitJob(Napi::Env env, FitCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.forestFit", token, on_progress), call_(std::move(call)) {
    // X is read (binned) off the main thread: the job works on its own copy.
    if (call_.raw) {
      call_.snapshot = snapshot_matrix(call_.x);
      call_.x = call_.snapshot.view;
    }
    if (!call_.raw) keep_alive(call_.dataset_keep);
    keep_alive(call_.y);
    if (call_.w != nullptr) keep_alive(call_.w_keep);
    set_threads(call_.config.n_threads);
  }

 protected:
  void run(const WorkControl& control) override { model_ = run_fit(call_, control); }
  Napi::Value result(Napi::Env env) override { return ForestModelWrap::wrap(env, std::move(model_)); }

 private:
  FitCall call_;
  std::shared_ptr<ForestModel> model_;
};

Napi::Value fit_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    auto* job = new FitJob(info.Env(), std::move(c), info.Length() > 4 ? info[4] : info.Env().Undefined(),
                           info.Length() > 5 ? info[5] : info.Env().Undefined());
    return job->start();
  });
}

}  // namespace

void register_forest(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = ForestModelWrap::define(env);
  addon_data(env).forest_model_constructor = Napi::Persistent(cls);
  Napi::Object forest = Napi::Object::New(env);
  forest.Set("fit", Napi::Function::New(env, fit_async, "fit"));
  forest.Set("fitSync", Napi::Function::New(env, fit_sync, "fitSync"));
  forest.Set("modelFromTrees", Napi::Function::New(env, model_from_trees, "modelFromTrees"));
  forest.Set("ForestModel", cls);
  exports.Set("forest", forest);
}

}  // namespace addon
}  // namespace ensemblekit
