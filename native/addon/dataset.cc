// JS class `Dataset`: a BinnedDataset in native memory, reported to V8 as external memory so GC
// feels its weight, freed by dispose() or when the JS object is collected. Built synchronously or on
// the libuv pool (buildDataset -> Promise).
#include <napi.h>

#include <memory>
#include <string>

#include "../core/data/binned_dataset.h"
#include "addon_data.h"
#include "args.h"
#include "async_job.h"
#include "dataset.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

class DatasetWrap : public Napi::ObjectWrap<DatasetWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Dataset",
                       {
                           InstanceAccessor<&DatasetWrap::num_rows>("numRows"),
                           InstanceAccessor<&DatasetWrap::num_features>("numFeatures"),
                           InstanceAccessor<&DatasetWrap::memory_bytes>("memoryBytes"),
                           InstanceAccessor<&DatasetWrap::disposed>("disposed"),
                           InstanceMethod<&DatasetWrap::num_bins>("numBins"),
                           InstanceMethod<&DatasetWrap::missing_bin>("missingBin"),
                           InstanceMethod<&DatasetWrap::is_trivial>("isTrivial"),
                           InstanceMethod<&DatasetWrap::is_categorical>("isCategorical"),
                           InstanceMethod<&DatasetWrap::bin_upper_bounds>("binUpperBounds"),
                           InstanceMethod<&DatasetWrap::bin_categories>("binCategories"),
                           InstanceMethod<&DatasetWrap::bins>("bins"),
                           InstanceMethod<&DatasetWrap::bin_matrix>("binMatrix"),
                           InstanceMethod<&DatasetWrap::dispose>("dispose"),
                       });
  }

  // Wraps a built dataset in a new JS object (the constructor refuses calls from JS).
  static Napi::Object wrap(Napi::Env env, std::shared_ptr<BinnedDataset> data) {
    Napi::Object obj = addon_data(env).dataset_constructor.New({});
    DatasetWrap* self = Unwrap(obj);
    self->data_ = std::move(data);
    self->external_ = static_cast<int64_t>(self->data_->memory_bytes());
    Napi::MemoryManagement::AdjustExternalMemory(env, self->external_);
    return obj;
  }

  explicit DatasetWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DatasetWrap>(info) {}

  void Finalize(Napi::BasicEnv env) override { release(env); }

  // The dataset, for trainers in other addon files; throws when disposed.
  const std::shared_ptr<BinnedDataset>& get(Napi::Env env) const {
    if (!data_) throw invalid_input(env, "The Dataset has been disposed");
    return data_;
  }

 private:
  void release(Napi::BasicEnv env) {
    if (external_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -external_);
    external_ = 0;
    data_.reset();
  }

  int64_t feature_arg(const Napi::CallbackInfo& info) const {
    const int64_t f = int_arg(info, 0, "feature", 0);
    if (f >= get(info.Env())->num_features()) {
      throw invalid_input(info.Env(), "Expected a feature index < " + std::to_string(data_->num_features()) +
                                          " but received " + std::to_string(f));
    }
    return f;
  }

  Napi::Value num_rows(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env())->num_rows())); });
  }
  Napi::Value num_features(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return Napi::Number::New(info.Env(), static_cast<double>(get(info.Env())->num_features())); });
  }
  Napi::Value memory_bytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), data_ ? static_cast<double>(data_->memory_bytes()) : 0.0);
  }
  Napi::Value disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !data_); }

  Napi::Value num_bins(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), data_->mapper(feature_arg(info)).num_value_bins());
    });
  }
  Napi::Value missing_bin(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), data_->mapper(feature_arg(info)).missing_bin());
    });
  }
  Napi::Value is_trivial(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), data_->mapper(feature_arg(info)).trivial()); });
  }
  Napi::Value is_categorical(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), data_->mapper(feature_arg(info)).is_categorical());
    });
  }
  Napi::Value bin_upper_bounds(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      const BinMapper& m = data_->mapper(feature_arg(info));
      Napi::Float64Array out = Napi::Float64Array::New(info.Env(), m.is_categorical() ? 0 : m.upper_bounds().size());
      if (!m.is_categorical()) std::copy(m.upper_bounds().begin(), m.upper_bounds().end(), out.Data());
      return out;
    });
  }
  Napi::Value bin_categories(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      const BinMapper& m = data_->mapper(feature_arg(info));
      Napi::Float64Array out = Napi::Float64Array::New(info.Env(), m.is_categorical() ? m.categories().size() : 0);
      if (m.is_categorical()) std::copy(m.categories().begin(), m.categories().end(), out.Data());
      return out;
    });
  }
  Napi::Value bins(const Napi::CallbackInfo& info) {
    return guard(info.Env(), [&]() -> Napi::Value {
      const auto& b = get(info.Env())->bins();
      Napi::Uint8Array out = Napi::Uint8Array::New(info.Env(), b.size());
      std::copy(b.begin(), b.end(), out.Data());
      return out;
    });
  }
  // binMatrix(data, rows, cols) -> Uint8Array of rows x cols bins, with this dataset's mappers.
  Napi::Value bin_matrix(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guard(env, [&]() -> Napi::Value {
      const auto& data = get(env);
      FloatArray x = float_array_arg(info, 0, "data");
      const int64_t rows = int_arg(info, 1, "rows", 1), cols = int_arg(info, 2, "cols", 1);
      if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(x.length)) {
        throw invalid_input(env, "Expected data of length rows * cols = " + std::to_string(rows * cols) + " but received " +
                                     std::to_string(x.length));
      }
      DenseMatrix m(x.data, x.is_f64 ? DType::kFloat64 : DType::kFloat32, rows, cols);
      BinnedDataset binned = data->bin_matrix(m);
      Napi::Uint8Array out = Napi::Uint8Array::New(env, binned.bins().size());
      std::copy(binned.bins().begin(), binned.bins().end(), out.Data());
      return out;
    });
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    release(info.Env());
    return info.Env().Undefined();
  }

  std::shared_ptr<BinnedDataset> data_;
  int64_t external_ = 0;
};

struct BuildArgs {
  FloatArray x;
  DenseMatrix matrix;
  BinConfig config;
};

// (data, rows, cols, options)
BuildArgs parse_build(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BuildArgs a;
  a.x = float_array_arg(info, 0, "data");
  const int64_t rows = int_arg(info, 1, "rows", 1), cols = int_arg(info, 2, "cols", 1);
  if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(a.x.length)) {
    throw invalid_input(env, "Expected data of length rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols) +
                                 " but received " + std::to_string(a.x.length));
  }
  a.matrix = DenseMatrix(a.x.data, a.x.is_f64 ? DType::kFloat64 : DType::kFloat32, rows, cols);
  Napi::Object o = object_arg(info, 3, "options");
  a.config.max_bin = static_cast<int>(get_int(o, "maxBin", 255));
  a.config.min_data_in_bin = static_cast<int>(get_int(o, "minDataInBin", 3));
  a.config.sample_rows = get_int(o, "sampleRows", 200000);
  a.config.seed = static_cast<uint64_t>(get_int(o, "seed", 0));
  a.config.categorical = get_int_list(o, "categorical");
  a.config.n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  return a;
}

Napi::Value build_sync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    BuildArgs a = parse_build(info);
    auto data = std::make_shared<BinnedDataset>(BinnedDataset::build(a.matrix, a.config));
    return DatasetWrap::wrap(info.Env(), std::move(data));
  });
}

class BuildJob : public AsyncJob {
 public:
  BuildJob(Napi::Env env, BuildArgs args, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.buildDataset", token, on_progress), args_(std::move(args)) {
    keep_alive(args_.x.array);
    set_threads(args_.config.n_threads);
  }

 protected:
  void run(const WorkControl& control) override {
    result_ = std::make_shared<BinnedDataset>(BinnedDataset::build(args_.matrix, args_.config, control));
  }
  Napi::Value result(Napi::Env env) override { return DatasetWrap::wrap(env, std::move(result_)); }

 private:
  BuildArgs args_;
  std::shared_ptr<BinnedDataset> result_;
};

// (data, rows, cols, options, job, onProgress) -> Promise<Dataset>
Napi::Value build_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    BuildArgs a = parse_build(info);
    auto* job = new BuildJob(info.Env(), std::move(a), info[4], info[5]);
    return job->start();
  });
}

}  // namespace

bool is_dataset(Napi::Env env, Napi::Value value) {
  Napi::FunctionReference& cls = addon_data(env).dataset_constructor;
  return value.IsObject() && !cls.IsEmpty() && value.As<Napi::Object>().InstanceOf(cls.Value());
}

std::shared_ptr<BinnedDataset> dataset_from_value(Napi::Env env, Napi::Value value, const char* name) {
  if (!is_dataset(env, value)) throw invalid_input(env, std::string("Expected a Dataset for '") + name + "'");
  return DatasetWrap::Unwrap(value.As<Napi::Object>())->get(env);
}

void register_dataset(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DatasetWrap::define(env);
  addon_data(env).dataset_constructor = Napi::Persistent(cls);
  exports.Set("buildDatasetSync", Napi::Function::New(env, build_sync, "buildDatasetSync"));
  exports.Set("buildDataset", Napi::Function::New(env, build_async, "buildDataset"));
}

}  // namespace addon
}  // namespace ensemblekit
