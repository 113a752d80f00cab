// The prediction entry points every tree model handle shares (GBDT and forest wrappers): the
// single-row call and the batch job off the event loop, both through the model's compiled forest.
// Glue only: the walks are core/predict/compiled_forest.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/predict/compiled_forest.h"
#include "args.h"
#include "async_job.h"
#include "errors.h"

namespace ensemblekit {
namespace addon {

// predictOne(row: Float64Array | Float32Array, out: Float64Array | undefined, treeEnd, raw)
//   -> number (one output, no out) | out
// The single-row path: no thread pool, no allocation; the walk reads the caller's array in place.
// The argument checks use plain napi calls (no Napi::Value wrappers on the hot path).
inline Napi::Value predict_one_value(const Napi::CallbackInfo& info, const CompiledForest& f) {
  napi_env env = info.Env();
  const int num_features = f.num_features(), num_outputs = f.num_groups();
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  bool is_typed = false;
  if (info.Length() < 4 || napi_is_typedarray(env, info[0], &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, info[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      (type != napi_float64_array && type != napi_float32_array) || length != static_cast<size_t>(num_features)) {
    return guard(info.Env(), [&]() -> Napi::Value {
      throw invalid_input(info.Env(), "Expected a Float64Array or Float32Array of " + std::to_string(num_features) + " values for 'row'");
    });
  }
  int32_t tree_end = -1;
  napi_get_value_int32(env, info[2], &tree_end);
  bool raw = false;
  napi_get_value_bool(env, info[3], &raw);
  double single[1];
  double* out = single;
  if (!info[1].IsUndefined()) {
    napi_typedarray_type out_type;
    size_t out_length = 0;
    void* out_data = nullptr;
    bool out_typed = false;
    if (napi_is_typedarray(env, info[1], &out_typed) != napi_ok || !out_typed ||
        napi_get_typedarray_info(env, info[1], &out_type, &out_length, &out_data, nullptr, nullptr) != napi_ok ||
        out_type != napi_float64_array || out_length < static_cast<size_t>(num_outputs)) {
      return guard(info.Env(), [&]() -> Napi::Value {
        throw invalid_input(info.Env(), "Expected a Float64Array of at least " + std::to_string(num_outputs) + " values for 'out'");
      });
    }
    out = static_cast<double*>(out_data);
  } else if (num_outputs != 1) {
    return guard(info.Env(), [&]() -> Napi::Value {
      throw invalid_input(info.Env(), "Expected an 'out' Float64Array of " + std::to_string(num_outputs) + " values for a multi-output model");
    });
  }
  if (type == napi_float64_array) {
    f.predict_row_raw(static_cast<const double*>(data), out, tree_end);
  } else {
    f.predict_row_raw(static_cast<const float*>(data), out, tree_end);
  }
  if (!raw) f.apply_transform(out, 1);
  if (out == single) {
    napi_value result;
    napi_create_double(env, single[0], &result);
    return Napi::Value(env, result);
  }
  return info[1];
}

// Batch prediction off the event loop for any model with a `forest` (GbdtModel, ForestModel): the
// input array is held for the job's life, the output is allocated natively and copied into a
// Float64Array on the main thread. The job shares the model, so a handle collected meanwhile
// cannot free it.
template <class Model>
class PredictJob : public AsyncJob {
 public:
  PredictJob(Napi::Env env, std::shared_ptr<const Model> model, FloatArray x, Napi::Value keep, int64_t rows,
             int64_t cols, int threads, int tree_end, bool raw, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.predict", token, on_progress),
        model_(std::move(model)),
        x_(x),
        rows_(rows),
        cols_(cols),
        threads_(threads),
        tree_end_(tree_end),
        raw_(raw) {
    keep_alive(keep);
    set_threads(threads);
  }

 protected:
  void run(const WorkControl&) override {
    const CompiledForest& f = model_->forest;
    out_.resize(static_cast<size_t>(rows_ * f.num_groups()));
    DenseMatrix view(x_.data, x_.is_f64 ? DType::kFloat64 : DType::kFloat32, rows_, cols_);
    if (raw_) {
      f.predict_raw(view, out_.data(), threads_, tree_end_);
    } else {
      f.predict(view, out_.data(), threads_, tree_end_);
    }
  }
  Napi::Value result(Napi::Env env) override { return to_js(env, out_.data(), out_.size()); }

 private:
  std::shared_ptr<const Model> model_;
  FloatArray x_;
  int64_t rows_, cols_;
  int threads_, tree_end_;
  bool raw_;
  std::vector<double> out_;
};

// predictAsync(data, rows, cols, nThreads, treeEnd, raw, job, onProgress) -> Promise<Float64Array>.
// Call inside guard().
template <class Model>
Napi::Value start_predict_job(const Napi::CallbackInfo& info, std::shared_ptr<const Model> model) {
  Napi::Env env = info.Env();
  FloatArray x = float_array_arg(info, 0, "data");
  const int64_t rows = int_arg(info, 1, "rows", 1), cols = int_arg(info, 2, "cols", 1);
  if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(x.length)) {
    throw invalid_input(env, "Expected data of length rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols) +
                                 " but received " + std::to_string(x.length));
  }
  const int num_features = model->forest.num_features();
  if (cols != num_features) {
    throw invalid_input(env, "Expected " + std::to_string(num_features) + " columns for X but received " + std::to_string(cols));
  }
  auto* job = new PredictJob<Model>(env, std::move(model), x, info[0], rows, cols, static_cast<int>(int_arg(info, 3, "nThreads")),
                                    static_cast<int>(int_arg(info, 4, "treeEnd")), bool_arg(info, 5, "raw"), info[6], info[7]);
  return job->start();
}

}  // namespace addon
}  // namespace ensemblekit
