// The `nn` export: multi-layer perceptron fits (sync and as async jobs with per-epoch progress),
// the loss/gradient for gradient checks, and prediction. Glue only: argument checks, typed-array
// views, results as plain objects; the algorithms are in core/nn.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <string>

#include "../core/nn/mlp.h"
#include "args.h"
#include "async_job.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

nn::Architecture arch_from(const Napi::Object& o) {
  nn::Architecture a;
  for (int s : get_int_list(o, "sizes")) a.sizes.push_back(s);
  a.hidden = nn::parse_activation(get_string(o, "activation", "relu"));
  a.output = nn::parse_output(get_string(o, "output", "identity"));
  return a;
}

nn::MlpOptions options_from(const Napi::Object& o) {
  nn::MlpOptions m;
  m.arch = arch_from(o);
  const std::string solver = get_string(o, "solver", "adam");
  if (solver == "adam") {
    m.optimizer.solver = nn::Solver::kAdam;
  } else if (solver == "sgd") {
    m.optimizer.solver = nn::Solver::kSgd;
  } else if (solver == "lbfgs") {
    m.optimizer.solver = nn::Solver::kLbfgs;
  } else {
    throw InvalidParameter("Expected 'adam', 'sgd' or 'lbfgs' for solver but received '" + solver + "'");
  }
  const std::string schedule = get_string(o, "learningRate", "constant");
  if (schedule == "constant") {
    m.optimizer.schedule = nn::LearningRate::kConstant;
  } else if (schedule == "invscaling") {
    m.optimizer.schedule = nn::LearningRate::kInvscaling;
  } else if (schedule == "adaptive") {
    m.optimizer.schedule = nn::LearningRate::kAdaptive;
  } else {
    throw InvalidParameter("Expected 'constant', 'invscaling' or 'adaptive' for learningRate but received '" + schedule + "'");
  }
  m.optimizer.learning_rate_init = get_number(o, "learningRateInit", 1e-3);
  m.optimizer.power_t = get_number(o, "powerT", 0.5);
  m.optimizer.momentum = get_number(o, "momentum", 0.9);
  m.optimizer.nesterov = get_bool(o, "nesterovsMomentum", true);
  m.optimizer.beta1 = get_number(o, "beta1", 0.9);
  m.optimizer.beta2 = get_number(o, "beta2", 0.999);
  m.optimizer.epsilon = get_number(o, "epsilon", 1e-8);
  m.alpha = get_number(o, "alpha", 1e-4);
  m.batch_size = get_int(o, "batchSize", 0);
  m.max_iter = static_cast<int>(get_int(o, "maxIter", 200));
  m.shuffle = get_bool(o, "shuffle", true);
  const double seed = get_number(o, "seed", 0);
  if (!(seed >= 0 && seed <= 9007199254740991.0 && std::floor(seed) == seed)) {
    throw InvalidParameter("Expected a non-negative safe integer for seed but received " + std::to_string(seed));
  }
  m.seed = static_cast<uint64_t>(seed);
  m.tol = get_number(o, "tol", 1e-4);
  m.n_iter_no_change = static_cast<int>(get_int(o, "nIterNoChange", 10));
  m.early_stopping = get_bool(o, "earlyStopping", false);
  m.validation_fraction = get_number(o, "validationFraction", 0.1);
  m.max_fun = static_cast<int>(get_int(o, "maxFun", 15000));
  const std::string dtype = get_string(o, "dtype", "float64");
  if (dtype != "float32" && dtype != "float64") throw InvalidParameter("Expected 'float32' or 'float64' for dtype but received '" + dtype + "'");
  m.dtype = dtype == "float32" ? DType::kFloat32 : DType::kFloat64;
  m.n_classes = get_int(o, "nClasses", 0);
  m.n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  return m;
}

struct FitCall {
  MatrixArg x;
  Napi::Value y_keep;
  nn::Targets y;
  nn::MlpOptions options;
  nn::MlpWarmState warm;
};

// (data, rows, cols, y: Int32Array (classes) | Float64Array rows x outputs, options, warm?)
FitCall parse_fit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FitCall c;
  c.x = matrix_arg(info, 0);
  Napi::Object o = object_arg(info, 4, "options");
  c.options = options_from(o);
  Napi::TypedArray y = typed_array_arg(info, 3, "y");
  const int64_t rows = c.x.view.rows;
  if (c.options.n_classes > 0) {
    if (y.TypedArrayType() != napi_int32_array || y.ElementLength() != static_cast<size_t>(rows)) {
      throw invalid_input(env, "Expected an Int32Array of " + std::to_string(rows) + " class indices for 'y'");
    }
    c.y.labels = y.As<Napi::Int32Array>().Data();
  } else {
    const int64_t k = c.options.arch.sizes.empty() ? 0 : c.options.arch.outputs();
    if (y.TypedArrayType() != napi_float64_array || y.ElementLength() != static_cast<size_t>(rows * k)) {
      throw invalid_input(env, "Expected a Float64Array of " + std::to_string(rows) + " x " + std::to_string(k) + " targets for 'y'");
    }
    c.y.values = y.As<Napi::Float64Array>().Data();
  }
  c.y_keep = y;
  if (info.Length() > 5 && info[5].IsObject()) {
    Napi::Object w = info[5].As<Napi::Object>();
    Napi::Value p = w.Get("params");
    if (p.IsTypedArray() && p.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array) {
      auto a = p.As<Napi::Float64Array>();
      c.warm.params.assign(a.Data(), a.Data() + a.ElementLength());
    } else if (!p.IsUndefined() && !p.IsNull()) {
      throw invalid_input(env, "Expected a Float64Array for 'warm.params'");
    }
    c.warm.n_iter = static_cast<int>(get_int(w, "nIter", 0));
    c.warm.t = get_number(w, "t", 0);
    c.warm.best_loss = get_number(w, "bestLoss", HUGE_VAL);
    c.warm.no_improvement = static_cast<int>(get_int(w, "noImprovement", 0));
  }
  return c;
}

Napi::Object fit_result(Napi::Env env, const nn::MlpResult& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("params", to_js(env, r.params));
  out.Set("lossCurve", to_js(env, r.loss_curve));
  out.Set("validationScores", to_js(env, r.validation_scores));
  out.Set("loss", Napi::Number::New(env, r.loss));
  out.Set("bestLoss", Napi::Number::New(env, r.best_loss));
  out.Set("bestValidationScore", Napi::Number::New(env, r.best_validation_score));
  out.Set("nIter", Napi::Number::New(env, r.n_iter));
  out.Set("t", Napi::Number::New(env, r.t));
  out.Set("noImprovement", Napi::Number::New(env, r.no_improvement));
  out.Set("stopped", Napi::Boolean::New(env, r.stopped));
  out.Set("nEvals", Napi::Number::New(env, r.n_evals));
  out.Set("status", Napi::String::New(env, r.status));
  return out;
}

Napi::Value fit_sync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    return fit_result(info.Env(), nn::mlp_fit(c.x.view, c.y, c.options, c.warm));
  });
}

class MlpJob : public AsyncJob {
 public:
  MlpJob(Napi::Env env, FitCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.mlpFit", token, on_progress), call_(std::move(call)) {
    keep_alive(call_.x.array.array);
    keep_alive(call_.y_keep);
    set_threads(call_.options.n_threads);
  }

 protected:
  void run(const WorkControl& control) override { result_ = nn::mlp_fit(call_.x.view, call_.y, call_.options, call_.warm, control); }
  Napi::Value result(Napi::Env env) override { return fit_result(env, result_); }

 private:
  FitCall call_;
  nn::MlpResult result_;
};

Napi::Value fit_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    auto* job = new MlpJob(info.Env(), std::move(c), info[6], info[7]);
    return job->start();
  });
}

// (data, rows, cols, y, options, params: Float64Array) -> { loss, grad }
Napi::Value loss_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    FitCall c = parse_fit(info);
    c.options.arch.validate();
    const size_t size = static_cast<size_t>(c.options.arch.n_params());
    Napi::TypedArray t = typed_array_arg(info, 5, "params");
    if (t.TypedArrayType() != napi_float64_array || t.ElementLength() != size) {
      throw invalid_input(env, "Expected a Float64Array of " + std::to_string(size) + " values for 'params'");
    }
    Napi::Float64Array grad = Napi::Float64Array::New(env, size);
    const double loss = nn::mlp_loss_gradient(c.x.view, c.y, c.options, t.As<Napi::Float64Array>().Data(), grad.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", Napi::Number::New(env, loss));
    out.Set("grad", grad);
    return out;
  });
}

// (data, rows, cols, params: Float64Array, net: { sizes, activation, output }, nThreads) -> Float64Array rows x outputs
Napi::Value predict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    MatrixArg x = matrix_arg(info, 0);
    nn::Architecture arch = arch_from(object_arg(info, 4, "net"));
    arch.validate();
    Napi::TypedArray t = typed_array_arg(info, 3, "params");
    const size_t size = static_cast<size_t>(arch.n_params());
    if (t.TypedArrayType() != napi_float64_array || t.ElementLength() != size) {
      throw invalid_input(env, "Expected a Float64Array of " + std::to_string(size) + " values for 'params'");
    }
    const int threads = static_cast<int>(int_arg(info, 5, "nThreads"));
    Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(x.view.rows * arch.outputs()));
    nn::mlp_predict(arch, t.As<Napi::Float64Array>().Data(), x.view, out.Data(), threads);
    return out;
  });
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  Napi::Object nn = Napi::Object::New(env);
  nn.Set("fit", Napi::Function::New(env, fit_async, "fit"));
  nn.Set("fitSync", Napi::Function::New(env, fit_sync, "fitSync"));
  nn.Set("lossGradient", Napi::Function::New(env, loss_gradient, "lossGradient"));
  nn.Set("predict", Napi::Function::New(env, predict, "predict"));
  exports.Set("nn", nn);
}

}  // namespace addon
}  // namespace ensemblekit
