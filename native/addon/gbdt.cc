// The `gbdt` export: gradient-boosted trees. Fits (sync, and as async jobs on the libuv pool) on a
// raw matrix (binned here) or a prebuilt Dataset, with validation sets and optional JS callbacks
// for a custom objective and metric; the fitted model is a `GbdtModel` handle that predicts through
// the compiled forest and exports its trees for the JSON form. Glue only: the algorithms are in
// core/boost, core/tree, core/predict and core/io.
#include <napi.h>

#include <condition_variable>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/boost/gbdt.h"
#include "../core/errors.h"
#include "../core/io/model_io.h"
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

// ---- small readers ------------------------------------------------------------------------------

const char* transform_name(OutputTransform t) {
  switch (t) {
    case OutputTransform::kSigmoid: return "sigmoid";
    case OutputTransform::kSoftmax: return "softmax";
    case OutputTransform::kExp: return "exp";
    case OutputTransform::kIdentity: break;
  }
  return "identity";
}

OutputTransform parse_transform(Napi::Env env, const std::string& name) {
  if (name == "identity") return OutputTransform::kIdentity;
  if (name == "sigmoid") return OutputTransform::kSigmoid;
  if (name == "softmax") return OutputTransform::kSoftmax;
  if (name == "exp") return OutputTransform::kExp;
  throw invalid_input(env, "Expected 'identity', 'sigmoid', 'softmax' or 'exp' for the output transform but received '" + name + "'");
}

// A matrix argument given as an object { data, rows, cols }.
struct MatrixField {
  Napi::TypedArray array;
  DenseMatrix view;
};

MatrixField matrix_field(Napi::Env env, const Napi::Object& m, const char* name) {
  MatrixField out;
  Napi::Value d = m.Get("data");
  if (!d.IsTypedArray()) throw invalid_input(env, std::string("Expected a Float32Array or Float64Array for '") + name + ".data'");
  out.array = d.As<Napi::TypedArray>();
  const napi_typedarray_type t = out.array.TypedArrayType();
  if (t != napi_float32_array && t != napi_float64_array) {
    throw invalid_input(env, std::string("Expected a Float32Array or Float64Array for '") + name + ".data'");
  }
  const int64_t rows = get_int(m, "rows", -1), cols = get_int(m, "cols", -1);
  if (rows < 1 || cols < 1 || static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(out.array.ElementLength())) {
    throw invalid_input(env, std::string("Expected '") + name + "' with rows >= 1, cols >= 1 and rows * cols values");
  }
  void* data = typed_array_data(out.array);
  out.view = DenseMatrix(data, t == napi_float64_array ? DType::kFloat64 : DType::kFloat32, rows, cols);
  return out;
}

// ---- calling JS from the training loop ----------------------------------------------------------

// Runs a JS callback for the trainer. Synchronous fits call it directly (they are on the main
// thread); async fits post it to the main thread through a ThreadSafeFunction and block the worker
// until it has run. A throwing callback fails the fit with its message (lib/ keeps the original
// error object and rethrows it).
class JsCallback {
 public:
  using Body = std::function<void(Napi::Env, Napi::Function)>;

  JsCallback(Napi::Env env, Napi::Function fn, bool async) : env_(env) {
    if (async) {
      tsfn_ = Napi::ThreadSafeFunction::New(env, fn, "ensemblekit.gbdtCallback", 0, 1);
      async_ = true;
    } else {
      fn_ = Napi::Persistent(fn);
    }
  }
  ~JsCallback() {
    if (async_) tsfn_.Release();
  }
  JsCallback(const JsCallback&) = delete;
  JsCallback& operator=(const JsCallback&) = delete;

  void call(const Body& body) {
    if (!async_) {
      Napi::HandleScope scope(env_);
      run(body, env_, fn_.Value());
      return;
    }
    struct Pending {
      const Body* body;
      JsCallback* self;
      std::mutex mutex;
      std::condition_variable done_cv;
      bool done = false;
      std::string error;
    } pending;
    pending.body = &body;
    pending.self = this;
    const napi_status status = tsfn_.BlockingCall(&pending, [](Napi::Env env, Napi::Function fn, Pending* p) {
      try {
        p->self->run(*p->body, env, fn);
      } catch (const std::exception& e) {
        p->error = e.what();
        if (p->error.empty()) p->error = "the callback failed";
      }
      {
        std::lock_guard<std::mutex> lock(p->mutex);
        p->done = true;
      }
      p->done_cv.notify_one();
    });
    if (status != napi_ok) throw Aborted();
    std::unique_lock<std::mutex> lock(pending.mutex);
    pending.done_cv.wait(lock, [&] { return pending.done; });
    if (!pending.error.empty()) throw std::runtime_error(pending.error);
  }

 private:
  static void run(const Body& body, Napi::Env env, Napi::Function fn) {
    try {
      body(env, fn);
    } catch (const Napi::Error& e) {
      throw std::runtime_error(e.Message());
    }
  }

  Napi::Env env_;
  bool async_ = false;
  Napi::FunctionReference fn_;
  Napi::ThreadSafeFunction tsfn_;
};

// fn(scores: Float64Array n x k) -> { grad: Float64Array, hess: Float64Array } (n x k each).
void call_objective(Napi::Env env, Napi::Function fn, const double* scores, int64_t n, int k, float* grad, float* hess) {
  const size_t size = static_cast<size_t>(n) * static_cast<size_t>(k);
  Napi::Value r = fn.Call({to_js(env, scores, size)});
  if (!r.IsObject()) throw invalid_input(env, "Expected the custom objective to return { grad, hess }");
  Napi::Object o = r.As<Napi::Object>();
  Napi::Float64Array g = f64_field(o, "grad", size), h = f64_field(o, "hess", size);
  for (size_t i = 0; i < size; ++i) {
    grad[i] = static_cast<float>(g[i]);
    hess[i] = static_cast<float>(h[i]);
  }
}

// fn(setIndex, scores: Float64Array n x k) -> number
double call_metric(Napi::Env env, Napi::Function fn, int set_index, const double* scores, int64_t n, int k) {
  Napi::Value r = fn.Call({Napi::Number::New(env, set_index), to_js(env, scores, static_cast<size_t>(n) * static_cast<size_t>(k))});
  if (!r.IsNumber()) throw invalid_input(env, "Expected the custom metric to return a number");
  return r.As<Napi::Number>().DoubleValue();
}

// ---- the model handle ---------------------------------------------------------------------------

class GbdtModelWrap : public Napi::ObjectWrap<GbdtModelWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "GbdtModel",
                       {
                           InstanceMethod<&GbdtModelWrap::info>("info"),
                           InstanceMethod<&GbdtModelWrap::contrib>("predictContrib"),
                           InstanceMethod<&GbdtModelWrap::leaves>("predictLeaf"),
                           InstanceMethod<&GbdtModelWrap::predict_range_js>("predictRange"),
                           InstanceMethod<&GbdtModelWrap::predict>("predict"),
                           InstanceMethod<&GbdtModelWrap::importance>("importance"),
                           InstanceMethod<&GbdtModelWrap::history>("history"),
                           InstanceMethod<&GbdtModelWrap::export_trees>("exportTrees"),
                           InstanceMethod<&GbdtModelWrap::to_buffer>("toBuffer"),
                           InstanceMethod<&GbdtModelWrap::predict_one>("predictOne"),
                           InstanceMethod<&GbdtModelWrap::predict_async>("predictAsync"),
                       });
  }

  static Napi::Object wrap(Napi::Env env, std::shared_ptr<const GbdtModel> model) {
    Napi::Object obj = addon_data(env).gbdt_model_constructor.New({});
    GbdtModelWrap* self = Unwrap(obj);
    self->model_ = std::move(model);
    self->external_ = static_cast<int64_t>(self->model_->forest.nodes().size() * sizeof(CompiledForest::Node) * 3);
    Napi::MemoryManagement::AdjustExternalMemory(env, self->external_);
    return obj;
  }

  explicit GbdtModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GbdtModelWrap>(info) {}

  void Finalize(Napi::BasicEnv env) override {
    if (external_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -external_);
    external_ = 0;
  }

 private:
  const GbdtModel& model(Napi::Env env) const {
    if (!model_) throw invalid_input(env, "The model is empty");
    return *model_;
  }

  Napi::Value info(const Napi::CallbackInfo& i) {
    Napi::Env env = i.Env();
    return guard(env, [&]() -> Napi::Value {
      const GbdtModel& m = model(env);
      Napi::Object out = Napi::Object::New(env);
      out.Set("numFeatures", m.num_features);
      out.Set("numOutputs", m.num_outputs);
      out.Set("numRounds", m.num_rounds);
      out.Set("numTrees", static_cast<double>(m.trees.size()));
      out.Set("bestIteration", m.best_iteration);
      out.Set("stoppedEarly", m.stopped_early);
      out.Set("baseScore", to_js(env, m.base_score.data(), m.base_score.size()));
      out.Set("transform", transform_name(m.transform));
      int leaves = 0, depth = 0;
      for (const Tree& t : m.trees) {
        leaves += t.num_leaves();
        depth = std::max(depth, t.max_depth());
      }
      out.Set("numLeaves", leaves);
      out.Set("maxDepth", depth);
      return out;
    });
  }

  // predict(data, rows, cols, nThreads, treeEnd, raw) -> Float64Array rows x numOutputs
  Napi::Value predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const GbdtModel& m = model(env);
      FloatArray x = float_array_arg(info, 0, "data");
      const int64_t rows = int_arg(info, 1, "rows", 0), cols = int_arg(info, 2, "cols", 1);
      if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(x.length)) {
        throw invalid_input(env, "Expected data of length rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols) +
                                     " but received " + std::to_string(x.length));
      }
      const int threads = static_cast<int>(int_arg(info, 3, "nThreads"));
      const int tree_end = static_cast<int>(int_arg(info, 4, "treeEnd"));
      const bool raw = bool_arg(info, 5, "raw");
      Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(rows * m.num_outputs));
      if (rows == 0) return out;
      DenseMatrix view(x.data, x.is_f64 ? DType::kFloat64 : DType::kFloat32, rows, cols);
      if (raw) {
        m.forest.predict_raw(view, out.Data(), threads, tree_end);
      } else {
        m.forest.predict(view, out.Data(), threads, tree_end);
      }
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

  // predictRange(data, rows, cols, nThreads, treeBegin, treeEnd, raw) -> Float64Array rows x
  // numOutputs over trees [treeBegin, treeEnd) (core/predict/leaf_index.h).
  Napi::Value predict_range_js(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const CompiledForest& f = model(env).forest;
      MatrixArg x = matrix_arg(info, 0);
      const int threads = static_cast<int>(int_arg(info, 3, "nThreads"));
      const int begin = static_cast<int>(int_arg(info, 4, "treeBegin", 0));
      const int end = static_cast<int>(int_arg(info, 5, "treeEnd"));
      const bool raw = bool_arg(info, 6, "raw");
      Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(x.view.rows * f.num_groups()));
      ensemblekit::predict_range(f, x.view, out.Data(), threads, begin, end, !raw);
      return out;
    });
  }

  // importance('split' | 'gain') -> Float64Array numFeatures
  Napi::Value importance(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const GbdtModel& m = model(env);
      const std::string kind = string_arg(info, 0, "type");
      if (kind == "split") return to_js(env, m.importance_split.data(), m.importance_split.size());
      if (kind == "gain") return to_js(env, m.importance_gain.data(), m.importance_gain.size());
      throw invalid_input(env, "Expected 'split' or 'gain' for the importance type but received '" + kind + "'");
    });
  }

  // history() -> [{ set, metric, values }]
  Napi::Value history(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const GbdtModel& m = model(env);
      Napi::Array out = Napi::Array::New(env, m.history.size());
      for (size_t i = 0; i < m.history.size(); ++i) {
        Napi::Object h = Napi::Object::New(env);
        h.Set("set", m.history[i].set_name);
        h.Set("metric", m.history[i].custom_name.empty() ? std::string(metric_name(m.history[i].metric)) : m.history[i].custom_name);
        h.Set("values", to_js(env, m.history[i].values.data(), m.history[i].values.size()));
        out.Set(static_cast<uint32_t>(i), h);
      }
      return out;
    });
  }

  // exportTrees() -> the node arrays of every tree, concatenated (see NativeGbdtTrees in lib/native.ts).
  Napi::Value export_trees(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const GbdtModel& m = model(env);
      size_t total = 0;
      for (const Tree& t : m.trees) total += static_cast<size_t>(t.num_nodes());
      Napi::Int32Array counts = Napi::Int32Array::New(env, m.trees.size());
      Napi::Int32Array left = Napi::Int32Array::New(env, total), right = Napi::Int32Array::New(env, total);
      Napi::Int32Array feature = Napi::Int32Array::New(env, total), threshold_bin = Napi::Int32Array::New(env, total);
      Napi::Int32Array category_set = Napi::Int32Array::New(env, total);
      Napi::Uint8Array default_left = Napi::Uint8Array::New(env, total), split_type = Napi::Uint8Array::New(env, total);
      Napi::Uint8Array missing_rule = Napi::Uint8Array::New(env, total), category_rule = Napi::Uint8Array::New(env, total);
      Napi::Float64Array threshold = Napi::Float64Array::New(env, total), value = Napi::Float64Array::New(env, total);
      Napi::Float64Array gain = Napi::Float64Array::New(env, total), sum_hess = Napi::Float64Array::New(env, total);
      Napi::Float64Array count = Napi::Float64Array::New(env, total);
      Napi::Array sets = Napi::Array::New(env);
      size_t k = 0;
      uint32_t set_base = 0;
      for (size_t t = 0; t < m.trees.size(); ++t) {
        const Tree& tree = m.trees[t];
        counts[t] = tree.num_nodes();
        for (const TreeNode& n : tree.nodes()) {
          left[k] = n.left;
          right[k] = n.right;
          feature[k] = n.feature;
          threshold_bin[k] = n.threshold_bin;
          category_set[k] = n.category_set < 0 ? -1 : static_cast<int32_t>(set_base) + n.category_set;
          default_left[k] = n.default_left ? 1 : 0;
          split_type[k] = static_cast<uint8_t>(n.split_type);
          missing_rule[k] = static_cast<uint8_t>(n.missing_rule);
          category_rule[k] = static_cast<uint8_t>(n.category_rule);
          threshold[k] = n.threshold;
          value[k] = n.value;
          gain[k] = n.gain;
          sum_hess[k] = n.sum_hess;
          count[k] = static_cast<double>(n.count);
          ++k;
        }
        for (const CategorySet& s : tree.category_sets()) {
          Napi::Object o = Napi::Object::New(env);
          Napi::Uint32Array cats = Napi::Uint32Array::New(env, s.categories.size());
          if (!s.categories.empty()) std::memcpy(cats.Data(), s.categories.data(), s.categories.size() * sizeof(uint32_t));
          Napi::Uint32Array bins = Napi::Uint32Array::New(env, s.bins.size() * 2);
          for (size_t w = 0; w < s.bins.size(); ++w) {
            bins[2 * w] = static_cast<uint32_t>(s.bins[w]);
            bins[2 * w + 1] = static_cast<uint32_t>(s.bins[w] >> 32);
          }
          o.Set("categories", cats);
          o.Set("bins", bins);
          sets.Set(set_base++, o);
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
      out.Set("splitType", split_type);
      out.Set("missingRule", missing_rule);
      out.Set("categoryRule", category_rule);
      out.Set("categorySet", category_set);
      out.Set("value", value);
      out.Set("gain", gain);
      out.Set("sumHess", sum_hess);
      out.Set("count", count);
      out.Set("categorySets", sets);
      return out;
    });
  }

  // toBuffer() -> Uint8Array: the versioned binary form (core/io/model_io.h).
  Napi::Value to_buffer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const std::vector<uint8_t> bytes = serialize_gbdt(model(env));
      Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
      std::memcpy(out.Data(), bytes.data(), bytes.size());
      return out;
    });
  }

  // predictOne / predictAsync: predict.h.
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

  std::shared_ptr<const GbdtModel> model_;
  int64_t external_ = 0;
};

// modelFromBuffer(bytes: Uint8Array) -> GbdtModel; ModelFormatError on anything malformed.
Napi::Value model_from_buffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      throw invalid_input(env, "Expected a Uint8Array (or Buffer) for 'buffer'");
    }
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    auto model = std::make_shared<GbdtModel>(deserialize_gbdt(bytes.Data(), bytes.ElementLength()));
    return GbdtModelWrap::wrap(env, std::move(model));
  });
}

// modelFromTrees({ numFeatures, numOutputs, baseScore, transform, bestIteration, ...exportTrees() })
Napi::Value model_from_trees(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    Napi::Object o = object_arg(info, 0, "model");
    const int num_features = static_cast<int>(get_int(o, "numFeatures", 0));
    const int num_outputs = static_cast<int>(get_int(o, "numOutputs", 0));
    Napi::Float64Array base = f64_field(o, "baseScore", kAnyLength);
    const OutputTransform transform = parse_transform(env, get_string(o, "transform", "identity"));
    const int best = static_cast<int>(get_int(o, "bestIteration", -1));
    auto counts = typed_field<Napi::Int32Array>(o, "nodeCounts", napi_int32_array, "Int32Array", kAnyLength);
    size_t total = 0;
    for (size_t t = 0; t < counts.ElementLength(); ++t) {
      if (counts[t] < 1) throw ModelFormat("Invalid tree " + std::to_string(t) + ": expected at least one node");
      total += static_cast<size_t>(counts[t]);
    }
    auto left = typed_field<Napi::Int32Array>(o, "left", napi_int32_array, "Int32Array", total);
    auto right = typed_field<Napi::Int32Array>(o, "right", napi_int32_array, "Int32Array", total);
    auto feature = typed_field<Napi::Int32Array>(o, "feature", napi_int32_array, "Int32Array", total);
    auto threshold_bin = typed_field<Napi::Int32Array>(o, "thresholdBin", napi_int32_array, "Int32Array", total);
    auto category_set = typed_field<Napi::Int32Array>(o, "categorySet", napi_int32_array, "Int32Array", total);
    auto default_left = typed_field<Napi::Uint8Array>(o, "defaultLeft", napi_uint8_array, "Uint8Array", total);
    auto split_type = typed_field<Napi::Uint8Array>(o, "splitType", napi_uint8_array, "Uint8Array", total);
    Napi::Float64Array threshold = f64_field(o, "threshold", total), value = f64_field(o, "value", total);
    Napi::Float64Array gain = f64_field(o, "gain", total), sum_hess = f64_field(o, "sumHess", total);
    Napi::Float64Array count = f64_field(o, "count", total);
    // Imported reading rules (tree.h); absent in models trained here before they existed.
    const bool has_rules = !o.Get("missingRule").IsUndefined() || !o.Get("categoryRule").IsUndefined();
    Napi::Uint8Array missing_rule, category_rule;
    if (has_rules) {
      missing_rule = typed_field<Napi::Uint8Array>(o, "missingRule", napi_uint8_array, "Uint8Array", total);
      category_rule = typed_field<Napi::Uint8Array>(o, "categoryRule", napi_uint8_array, "Uint8Array", total);
    }
    std::vector<CategorySet> all_sets;
    Napi::Value sets_value = o.Get("categorySets");
    if (sets_value.IsArray()) {
      Napi::Array sets = sets_value.As<Napi::Array>();
      for (uint32_t s = 0; s < sets.Length(); ++s) {
        if (!sets.Get(s).IsObject()) throw ModelFormat("Invalid category set " + std::to_string(s));
        Napi::Object so = sets.Get(s).As<Napi::Object>();
        auto cats = typed_field<Napi::Uint32Array>(so, "categories", napi_uint32_array, "Uint32Array", kAnyLength);
        auto bins = typed_field<Napi::Uint32Array>(so, "bins", napi_uint32_array, "Uint32Array", kAnyLength);
        CategorySet set;
        set.categories.assign(cats.Data(), cats.Data() + cats.ElementLength());
        for (size_t w = 0; w + 1 < bins.ElementLength(); w += 2) {
          set.bins.push_back(static_cast<uint64_t>(bins[w]) | (static_cast<uint64_t>(bins[w + 1]) << 32));
        }
        all_sets.push_back(std::move(set));
      }
    }
    std::vector<Tree> trees;
    trees.reserve(counts.ElementLength());
    size_t k = 0;
    for (size_t t = 0; t < counts.ElementLength(); ++t) {
      std::vector<TreeNode> nodes(static_cast<size_t>(counts[t]));
      std::vector<CategorySet> sets;
      for (TreeNode& n : nodes) {
        n.left = left[k];
        n.right = right[k];
        n.feature = feature[k];
        n.threshold_bin = threshold_bin[k];
        n.default_left = default_left[k] != 0;
        if (split_type[k] > 1) throw ModelFormat("Invalid tree " + std::to_string(t) + ": unknown split type");
        n.split_type = static_cast<SplitType>(split_type[k]);
        if (has_rules) {
          if (missing_rule[k] > 1 || category_rule[k] > 2) throw ModelFormat("Invalid tree " + std::to_string(t) + ": unknown missing or category rule");
          n.missing_rule = static_cast<MissingRule>(missing_rule[k]);
          n.category_rule = static_cast<CategoryRule>(category_rule[k]);
        }
        if (n.split_type == SplitType::kCategorical && !n.is_leaf()) {
          const int32_t s = category_set[k];
          if (s < 0 || static_cast<size_t>(s) >= all_sets.size()) {
            throw ModelFormat("Invalid tree " + std::to_string(t) + ": category set index out of range");
          }
          n.category_set = static_cast<int32_t>(sets.size());
          sets.push_back(all_sets[static_cast<size_t>(s)]);
        }
        n.threshold = threshold[k];
        n.value = value[k];
        n.gain = gain[k];
        n.sum_hess = sum_hess[k];
        n.count = static_cast<int64_t>(count[k]);
        ++k;
      }
      trees.push_back(tree_from_nodes(nodes, sets, num_features, static_cast<int>(t)));
    }
    std::vector<double> base_score(base.Data(), base.Data() + base.ElementLength());
    auto model = std::make_shared<GbdtModel>(
        gbdt_model_from_trees(num_features, num_outputs, std::move(base_score), transform, std::move(trees), best));
    return GbdtModelWrap::wrap(env, std::move(model));
  });
}

// ---- fitting ------------------------------------------------------------------------------------

struct EvalArg {
  std::string name;
  MatrixField x;
  MatrixSnapshot snapshot;  // an async job's own copy of x, dropped once binned
  Napi::Float64Array y;
  Napi::Value w_keep;
  const double* w = nullptr;
};

struct FitCall {
  // Training data: a raw matrix (binned in the job) or a prebuilt dataset.
  bool raw = false;
  MatrixField x;
  MatrixSnapshot snapshot;  // an async job's own copy of x, dropped once binned
  Napi::Value dataset_keep;
  std::shared_ptr<BinnedDataset> dataset;
  BinConfig bin;
  Napi::Float64Array y;
  Napi::Value w_keep;
  const double* w = nullptr;
  GbdtConfig config;
  std::vector<EvalArg> evals;
  Napi::Value objective_fn, metric_fn;
};

std::vector<std::vector<int>> get_int_lists(Napi::Env env, const Napi::Object& o, const char* key) {
  std::vector<std::vector<int>> out;
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw invalid_input(env, std::string("Expected an array of arrays for option '") + key + "'");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Object holder = Napi::Object::New(env);
    holder.Set("list", a.Get(i));
    out.push_back(get_int_list(holder, "list"));
  }
  return out;
}

void read_config(Napi::Env env, const Napi::Object& o, GbdtConfig* c, BinConfig* b) {
  c->num_rounds = static_cast<int>(get_int(o, "nEstimators", 100));
  c->learning_rate = get_number(o, "learningRate", 0.1);
  const std::string growth = get_string(o, "growPolicy", "leafwise");
  if (growth == "leafwise") {
    c->growth = GrowthPolicy::kLeafWise;
  } else if (growth == "depthwise") {
    c->growth = GrowthPolicy::kDepthWise;
  } else {
    throw invalid_input(env, "Expected 'leafwise' or 'depthwise' for growPolicy but received '" + growth + "'");
  }
  c->num_leaves = static_cast<int>(get_int(o, "numLeaves", 31));
  c->max_depth = static_cast<int>(get_int(o, "maxDepth", -1));
  c->lambda_l2 = get_number(o, "lambda", 0.0);
  c->alpha_l1 = get_number(o, "alpha", 0.0);
  c->min_child_weight = get_number(o, "minChildWeight", 1e-3);
  c->min_child_samples = get_int(o, "minChildSamples", 20);
  c->min_split_gain = get_number(o, "minSplitGain", 0.0);
  c->max_delta_step = get_number(o, "maxDeltaStep", 0.0);
  c->subsample = get_number(o, "subsample", 1.0);
  c->colsample_bytree = get_number(o, "colsampleBytree", 1.0);
  c->colsample_bynode = get_number(o, "colsampleBynode", 1.0);
  c->quantized_gradients = get_bool(o, "quantizedGradients", false);
  const double pool_mib = get_number(o, "histogramPoolSize", -1.0);
  c->histogram_pool_bytes = pool_mib > 0 ? static_cast<int64_t>(pool_mib * 1048576.0) : 0;
  c->seed = static_cast<uint64_t>(get_int(o, "seed", 0));
  c->n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  c->early_stopping_rounds = static_cast<int>(get_int(o, "earlyStoppingRounds", 0));
  c->verbose = static_cast<int>(get_int(o, "verbose", 0));
  if (c->verbose > 0) {
    // Straight to fd 2 from whichever thread trains, as LightGBM and XGBoost print.
    c->log = [](const std::string& line) {
      std::fprintf(stderr, "%s\n", line.c_str());
      std::fflush(stderr);
    };
  }
  const std::string objective = get_string(o, "objective", "regression");
  if (objective == "custom") {
    c->custom_num_outputs = static_cast<int>(get_int(o, "customNumOutputs", 1));
    c->custom_transform = parse_transform(env, get_string(o, "customTransform", "identity"));
    c->objective.boost_from_average = false;
  } else if (!parse_objective(objective, &c->objective.kind)) {
    throw invalid_input(env, "Unknown objective '" + objective + "'");
  }
  c->objective.num_class = static_cast<int>(get_int(o, "numClass", 1));
  c->objective.huber_delta = get_number(o, "huberDelta", c->objective.huber_delta);
  c->objective.quantile_alpha = get_number(o, "quantileAlpha", c->objective.quantile_alpha);
  c->objective.boost_from_average = get_bool(o, "boostFromAverage", c->objective.boost_from_average);
  Napi::Value base = o.Get("baseMargin");
  if (base.IsNumber()) c->base_score.assign(1, base.As<Napi::Number>().DoubleValue());
  Napi::Value metrics = o.Get("metrics");
  if (metrics.IsArray()) {
    Napi::Array a = metrics.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (!a.Get(i).IsString()) throw invalid_input(env, "Expected metric names as strings");
      const std::string name = a.Get(i).As<Napi::String>().Utf8Value();
      MetricKind kind;
      if (!parse_metric(name, &kind)) throw invalid_input(env, "Unknown metric '" + name + "'");
      c->metrics.push_back(kind);
    }
  }
  c->custom_metric_name = get_string(o, "customMetricName", "");
  c->custom_metric_higher_better = get_bool(o, "customMetricHigherBetter", false);
  // Categorical splits and constraints.
  std::vector<int> mono = get_int_list(o, "monotoneConstraints");
  c->monotone_constraints.assign(mono.begin(), mono.end());
  c->interaction_constraints = get_int_lists(env, o, "interactionConstraints");
  c->max_cat_to_onehot = static_cast<int>(get_int(o, "maxCatToOnehot", c->max_cat_to_onehot));
  c->max_cat_threshold = static_cast<int>(get_int(o, "maxCatThreshold", c->max_cat_threshold));
  c->cat_smooth = get_number(o, "catSmooth", c->cat_smooth);
  c->cat_l2 = get_number(o, "catL2", c->cat_l2);
  c->min_data_per_group = get_int(o, "minDataPerGroup", c->min_data_per_group);
  // Binning of a raw training matrix.
  b->max_bin = static_cast<int>(get_int(o, "maxBins", 255));
  b->min_data_in_bin = static_cast<int>(get_int(o, "minDataInBin", 3));
  b->sample_rows = get_int(o, "binSampleRows", 200000);
  b->seed = c->seed;
  b->categorical = get_int_list(o, "categoricalFeatures");
  b->n_threads = c->n_threads;
}

// (train: {data, rows, cols} | Dataset, y: Float64Array, sampleWeight?, options, evalSets: [{name, X, y, w?}],
//  callbacks: { objective?, metric? } | undefined)
FitCall parse_fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FitCall c;
  if (info.Length() < 6) throw invalid_input(env, "gbdt.fit: expected 6 arguments");
  int64_t rows;
  if (is_dataset(env, info[0])) {
    c.dataset = dataset_from_value(env, info[0], "X");
    c.dataset_keep = info[0];
    rows = c.dataset->num_rows();
  } else {
    if (!info[0].IsObject()) throw invalid_input(env, "Expected a matrix or a Dataset for 'X'");
    c.raw = true;
    c.x = matrix_field(env, info[0].As<Napi::Object>(), "X");
    rows = c.x.view.rows;
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
  if (!info[4].IsArray()) throw invalid_input(env, "Expected an array for 'evalSets'");
  Napi::Array evals = info[4].As<Napi::Array>();
  for (uint32_t i = 0; i < evals.Length(); ++i) {
    if (!evals.Get(i).IsObject()) throw invalid_input(env, "Expected objects in 'evalSets'");
    Napi::Object e = evals.Get(i).As<Napi::Object>();
    EvalArg a;
    a.name = get_string(e, "name", "valid_" + std::to_string(i));
    if (!e.Get("X").IsObject()) throw invalid_input(env, "Expected a matrix for 'evalSets[" + std::to_string(i) + "].X'");
    a.x = matrix_field(env, e.Get("X").As<Napi::Object>(), "evalSet.X");
    a.y = f64_field(e, "y", static_cast<size_t>(a.x.view.rows));
    Napi::Value w = e.Get("sampleWeight");
    if (!w.IsUndefined() && !w.IsNull()) {
      Napi::Float64Array wa = f64_field(e, "sampleWeight", static_cast<size_t>(a.x.view.rows));
      a.w_keep = wa;
      a.w = wa.Data();
    }
    c.evals.push_back(std::move(a));
  }
  if (info[5].IsObject()) {
    Napi::Object cb = info[5].As<Napi::Object>();
    if (cb.Get("objective").IsFunction()) c.objective_fn = cb.Get("objective");
    if (cb.Get("metric").IsFunction()) c.metric_fn = cb.Get("metric");
  }
  if (c.config.objective.kind == ObjectiveKind::kMulticlass && c.objective_fn.IsEmpty()) {
    // validated again by the core; keeps the error close to the option
    if (c.config.objective.num_class < 2) throw invalid_input(env, "Expected numClass >= 2 for the multiclass objective");
  }
  return c;
}

// The fit itself, on whichever thread runs it. Callbacks are bridged by the caller.
std::shared_ptr<GbdtModel> run_fit(FitCall& c, JsCallback* objective, JsCallback* metric, const WorkControl& control) {
  std::shared_ptr<BinnedDataset> train = c.dataset;
  if (c.raw) train = std::make_shared<BinnedDataset>(BinnedDataset::build(c.x.view, c.bin, control));
  // Boosting reads the bins only: each copy's memory goes as soon as its matrix is binned.
  c.snapshot = MatrixSnapshot();
  c.x.view = DenseMatrix();
  std::vector<BinnedDataset> binned;
  binned.reserve(c.evals.size());
  for (EvalArg& e : c.evals) {
    binned.push_back(train->bin_matrix(e.x.view, c.config.n_threads, control));
    e.snapshot = MatrixSnapshot();
    e.x.view = DenseMatrix();
  }
  std::vector<EvalSet> valid;
  for (size_t i = 0; i < c.evals.size(); ++i) {
    valid.push_back(EvalSet{c.evals[i].name, &binned[i], c.evals[i].y.Data(), c.evals[i].w});
  }
  CustomObjectiveFn objective_fn;
  if (objective != nullptr) {
    objective_fn = [objective](const double* scores, int64_t n, int k, float* grad, float* hess) {
      objective->call([&](Napi::Env env, Napi::Function fn) { call_objective(env, fn, scores, n, k, grad, hess); });
    };
  }
  GbdtConfig config = c.config;
  if (metric != nullptr) {
    config.custom_metric = [metric](int set_index, const double* scores, int64_t n, int k) {
      double value = 0.0;
      metric->call([&](Napi::Env env, Napi::Function fn) { value = call_metric(env, fn, set_index, scores, n, k); });
      return value;
    };
  }
  return std::make_shared<GbdtModel>(
      train_gbdt(*train, c.y.Data(), c.w, config, valid, objective ? &objective_fn : nullptr, control));
}

Napi::Value fit_sync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    std::unique_ptr<JsCallback> objective, metric;
    if (!c.objective_fn.IsEmpty()) objective.reset(new JsCallback(env, c.objective_fn.As<Napi::Function>(), false));
    if (!c.metric_fn.IsEmpty()) metric.reset(new JsCallback(env, c.metric_fn.As<Napi::Function>(), false));
    return GbdtModelWrap::wrap(env, run_fit(c, objective.get(), metric.get(), WorkControl::none()));
  });
}

class FitJob : public AsyncJob {
 public:
  FitJob(Napi::Env env, FitCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.gbdtFit", token, on_progress), call_(std::move(call)) {
    // The matrices are binned off the main thread: the job works on its own copies (in huge
    // pages; a JS-side slice() of a large X cost a page fault per 4 KiB and stayed resident for
    // the whole fit).
    if (call_.raw) {
      call_.snapshot = snapshot_matrix(call_.x.view);
      call_.x.view = call_.snapshot.view;
    }
    if (!call_.raw) keep_alive(call_.dataset_keep);
    keep_alive(call_.y);
    if (call_.w != nullptr) keep_alive(call_.w_keep);
    for (EvalArg& e : call_.evals) {
      e.snapshot = snapshot_matrix(e.x.view);
      e.x.view = e.snapshot.view;
      keep_alive(e.y);
      if (e.w != nullptr) keep_alive(e.w_keep);
    }
    if (!call_.objective_fn.IsEmpty()) objective_.reset(new JsCallback(env, call_.objective_fn.As<Napi::Function>(), true));
    if (!call_.metric_fn.IsEmpty()) metric_.reset(new JsCallback(env, call_.metric_fn.As<Napi::Function>(), true));
    call_.objective_fn = Napi::Value();
    call_.metric_fn = Napi::Value();
    set_threads(call_.config.n_threads);
  }

 protected:
  void run(const WorkControl& control) override { model_ = run_fit(call_, objective_.get(), metric_.get(), control); }
  Napi::Value result(Napi::Env env) override {
    objective_.reset();
    metric_.reset();
    return GbdtModelWrap::wrap(env, std::move(model_));
  }

 private:
  FitCall call_;
  std::unique_ptr<JsCallback> objective_, metric_;
  std::shared_ptr<GbdtModel> model_;
};

Napi::Value fit_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    auto* job = new FitJob(info.Env(), std::move(c), info[6], info[7]);
    return job->start();
  });
}

}  // namespace

Napi::Object wrap_gbdt_model(Napi::Env env, std::shared_ptr<const GbdtModel> model) {
  return GbdtModelWrap::wrap(env, std::move(model));
}

void register_gbdt(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = GbdtModelWrap::define(env);
  addon_data(env).gbdt_model_constructor = Napi::Persistent(cls);
  Napi::Object gbdt = Napi::Object::New(env);
  gbdt.Set("fit", Napi::Function::New(env, fit_async, "fit"));
  gbdt.Set("fitSync", Napi::Function::New(env, fit_sync, "fitSync"));
  gbdt.Set("modelFromTrees", Napi::Function::New(env, model_from_trees, "modelFromTrees"));
  gbdt.Set("modelFromBuffer", Napi::Function::New(env, model_from_buffer, "modelFromBuffer"));
  gbdt.Set("GbdtModel", cls);
  exports.Set("gbdt", gbdt);
}

}  // namespace addon
}  // namespace ensemblekit
