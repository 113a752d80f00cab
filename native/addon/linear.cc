// The `linear` export: logistic regression and ridge / least-squares fits (sync and as async jobs)
// and the decision function they predict through. Glue only: argument checks, typed-array views,
// results as plain objects; the algorithms are in core/linear.
#include <napi.h>

#include <cstring>
#include <string>

#include "../core/linear/decision.h"
#include "../core/linear/logistic.h"
#include "../core/linear/ridge.h"
#include "../core/simd/cpu.h"
#include "../core/simd/vmath_kernels.h"
#include "args.h"
#include "async_job.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

Napi::Float64Array f64_arg(const Napi::CallbackInfo& info, size_t index, const char* name, size_t length) {
  Napi::TypedArray t = typed_array_arg(info, index, name);
  if (t.TypedArrayType() != napi_float64_array) throw invalid_input(info.Env(), std::string("Expected a Float64Array for '") + name + "'");
  auto a = t.As<Napi::Float64Array>();
  if (a.ElementLength() != length) {
    throw invalid_input(info.Env(), std::string("Expected ") + std::to_string(length) + " values in '" + name + "' but received " +
                                        std::to_string(a.ElementLength()));
  }
  return a;
}

// undefined / null -> no weights; else a Float64Array of `rows` values.
const double* weights_arg(const Napi::CallbackInfo& info, size_t index, int64_t rows, Napi::Value* keep) {
  if (index >= info.Length() || info[index].IsUndefined() || info[index].IsNull()) return nullptr;
  Napi::Float64Array a = f64_arg(info, index, "sampleWeight", static_cast<size_t>(rows));
  *keep = a;
  return a.Data();
}

// ---- logistic regression ------------------------------------------------------------------------

struct LogisticCall {
  MatrixArg x;
  Napi::Value y_keep, w_keep;
  const int32_t* y = nullptr;
  int64_t n_classes = 0;
  const double* sw = nullptr;
  linear::LogisticOptions options;
};

// (data, rows, cols, y: Int32Array, nClasses, sampleWeight?, options)
LogisticCall parse_logistic(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LogisticCall c;
  c.x = matrix_arg(info, 0);
  Napi::TypedArray y = typed_array_arg(info, 3, "y");
  if (y.TypedArrayType() != napi_int32_array || y.ElementLength() != static_cast<size_t>(c.x.view.rows)) {
    throw invalid_input(env, "Expected an Int32Array of " + std::to_string(c.x.view.rows) + " class indices for 'y'");
  }
  c.y_keep = y;
  c.y = y.As<Napi::Int32Array>().Data();
  c.n_classes = int_arg(info, 4, "nClasses", 2);
  c.sw = weights_arg(info, 5, c.x.view.rows, &c.w_keep);
  Napi::Object o = object_arg(info, 6, "options");
  c.options.C = get_number(o, "C", 1.0);
  c.options.penalty = get_bool(o, "penalty", true);
  c.options.fit_intercept = get_bool(o, "fitIntercept", true);
  c.options.max_iter = static_cast<int>(get_int(o, "maxIter", 100));
  c.options.tol = get_number(o, "tol", 1e-4);
  c.options.ftol = get_number(o, "ftol", c.options.ftol);
  c.options.history = static_cast<int>(get_int(o, "history", 10));
  c.options.n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  return c;
}

Napi::Object logistic_result(Napi::Env env, const linear::LogisticModel& m) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("coef", to_js(env, m.coef));
  out.Set("intercept", to_js(env, m.intercept));
  out.Set("rows", Napi::Number::New(env, static_cast<double>(m.rows)));
  out.Set("nIter", Napi::Number::New(env, m.n_iter));
  out.Set("nEvals", Napi::Number::New(env, m.n_evals));
  out.Set("objective", Napi::Number::New(env, m.objective));
  out.Set("gradMax", Napi::Number::New(env, m.grad_max));
  out.Set("converged", Napi::Boolean::New(env, m.status == linalg::LbfgsStatus::kGradientTolerance ||
                                                   m.status == linalg::LbfgsStatus::kFunctionTolerance));
  out.Set("status", Napi::String::New(env, linalg::lbfgs_status_name(m.status)));
  return out;
}

Napi::Value logistic_fit_sync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    LogisticCall c = parse_logistic(info);
    return logistic_result(info.Env(), linear::logistic_fit(c.x.view, c.y, c.n_classes, c.sw, c.options));
  });
}

class LogisticJob : public AsyncJob {
 public:
  LogisticJob(Napi::Env env, LogisticCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.logisticFit", token, on_progress), call_(std::move(call)) {
    keep_alive(call_.x.array.array);
    keep_alive(call_.y_keep);
    if (call_.sw != nullptr) keep_alive(call_.w_keep);
    set_threads(call_.options.n_threads);
  }

 protected:
  void run(const WorkControl& control) override {
    model_ = linear::logistic_fit(call_.x.view, call_.y, call_.n_classes, call_.sw, call_.options, control);
  }
  Napi::Value result(Napi::Env env) override { return logistic_result(env, model_); }

 private:
  LogisticCall call_;
  linear::LogisticModel model_;
};

Napi::Value logistic_fit_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    LogisticCall c = parse_logistic(info);
    auto* job = new LogisticJob(info.Env(), std::move(c), info[7], info[8]);
    return job->start();
  });
}

// (data, rows, cols, y, nClasses, sampleWeight?, options, params: Float64Array) -> { loss, grad }
Napi::Value logistic_loss_gradient(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    LogisticCall c = parse_logistic(info);
    const int64_t rows = c.n_classes == 2 ? 1 : c.n_classes;
    const size_t size = static_cast<size_t>(rows * (c.x.view.cols + (c.options.fit_intercept ? 1 : 0)));
    Napi::Float64Array params = f64_arg(info, 7, "params", size);
    Napi::Float64Array grad = Napi::Float64Array::New(env, size);
    const double loss =
        linear::logistic_loss_gradient(c.x.view, c.y, c.n_classes, c.sw, c.options, params.Data(), grad.Data());
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", Napi::Number::New(env, loss));
    out.Set("grad", grad);
    return out;
  });
}

// ---- ridge / least squares ----------------------------------------------------------------------

struct RidgeCall {
  MatrixArg x;
  Napi::Value y_keep, w_keep;
  const double* y = nullptr;
  int64_t n_targets = 0;
  const double* sw = nullptr;
  linear::RidgeOptions options;
};

// (data, rows, cols, y: Float64Array rows x nTargets, nTargets, sampleWeight?, options)
RidgeCall parse_ridge(const Napi::CallbackInfo& info) {
  RidgeCall c;
  c.x = matrix_arg(info, 0);
  c.n_targets = int_arg(info, 4, "nTargets", 1);
  Napi::Float64Array y = f64_arg(info, 3, "y", static_cast<size_t>(c.x.view.rows * c.n_targets));
  c.y_keep = y;
  c.y = y.Data();
  c.sw = weights_arg(info, 5, c.x.view.rows, &c.w_keep);
  Napi::Object o = object_arg(info, 6, "options");
  c.options.alpha = get_number(o, "alpha", 1.0);
  c.options.fit_intercept = get_bool(o, "fitIntercept", true);
  c.options.n_threads = static_cast<int>(get_int(o, "nThreads", 0));
  return c;
}

Napi::Object ridge_result(Napi::Env env, const linear::RidgeModel& m) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("coef", to_js(env, m.coef));
  out.Set("intercept", to_js(env, m.intercept));
  out.Set("solver", Napi::String::New(env, m.solver));
  out.Set("rank", Napi::Number::New(env, static_cast<double>(m.rank)));
  return out;
}

Napi::Value ridge_fit_sync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    RidgeCall c = parse_ridge(info);
    return ridge_result(info.Env(), linear::ridge_fit(c.x.view, c.y, c.n_targets, c.sw, c.options));
  });
}

class RidgeJob : public AsyncJob {
 public:
  RidgeJob(Napi::Env env, RidgeCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.ridgeFit", token, on_progress), call_(std::move(call)) {
    keep_alive(call_.x.array.array);
    keep_alive(call_.y_keep);
    if (call_.sw != nullptr) keep_alive(call_.w_keep);
    set_threads(call_.options.n_threads);
  }

 protected:
  void run(const WorkControl& control) override {
    model_ = linear::ridge_fit(call_.x.view, call_.y, call_.n_targets, call_.sw, call_.options, control);
  }
  Napi::Value result(Napi::Env env) override { return ridge_result(env, model_); }

 private:
  RidgeCall call_;
  linear::RidgeModel model_;
};

Napi::Value ridge_fit_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    RidgeCall c = parse_ridge(info);
    auto* job = new RidgeJob(info.Env(), std::move(c), info[7], info[8]);
    return job->start();
  });
}

// ---- prediction ---------------------------------------------------------------------------------

// (data, rows, cols, coef: Float64Array nOutputs x cols, nOutputs, intercept: Float64Array nOutputs, nThreads)
// -> Float64Array rows x nOutputs
Napi::Value decision(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    MatrixArg x = matrix_arg(info, 0);
    const int64_t outputs = int_arg(info, 4, "nOutputs", 1);
    Napi::Float64Array coef = f64_arg(info, 3, "coef", static_cast<size_t>(outputs * x.view.cols));
    Napi::Float64Array intercept = f64_arg(info, 5, "intercept", static_cast<size_t>(outputs));
    const int threads = static_cast<int>(int_arg(info, 6, "nThreads"));
    Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(x.view.rows * outputs));
    linear::linear_decision(x.view, coef.Data(), outputs, intercept.Data(), out.Data(), threads);
    return out;
  });
}

// (data, rows, cols, coef, nOutputs, intercept, nClasses, nThreads) -> Float64Array rows x nClasses
Napi::Value logistic_proba(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    MatrixArg x = matrix_arg(info, 0);
    const int64_t outputs = int_arg(info, 4, "nOutputs", 1);
    Napi::Float64Array coef = f64_arg(info, 3, "coef", static_cast<size_t>(outputs * x.view.cols));
    Napi::Float64Array intercept = f64_arg(info, 5, "intercept", static_cast<size_t>(outputs));
    const int64_t classes = int_arg(info, 6, "nClasses", 2);
    if (classes == 2 ? outputs != 1 : outputs != classes) {
      throw invalid_input(env, "Expected 1 coefficient row for 2 classes, or one per class, but received " +
                                   std::to_string(outputs) + " rows for " + std::to_string(classes) + " classes");
    }
    const int threads = static_cast<int>(int_arg(info, 7, "nThreads"));
    std::vector<double> scores(static_cast<size_t>(x.view.rows * outputs));
    linear::linear_decision(x.view, coef.Data(), outputs, intercept.Data(), scores.data(), threads);
    Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(x.view.rows * classes));
    linear::logistic_proba_from_scores(x.view.rows, classes, scores.data(), out.Data(), threads);
    return out;
  });
}

// vmath(name: 'exp' | 'log', x: Float64Array) -> Float64Array, on the active ISA. For tests of the
// vector kernels the logistic loss runs on (core/simd/vmath_kernels.h).
Napi::Value vmath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const std::string name = string_arg(info, 0, "name");
    Napi::TypedArray t = typed_array_arg(info, 1, "x");
    if (t.TypedArrayType() != napi_float64_array) throw invalid_input(env, "Expected a Float64Array for 'x'");
    auto x = t.As<Napi::Float64Array>();
    Napi::Float64Array out = Napi::Float64Array::New(env, x.ElementLength());
    const simd::VmathKernels& k = simd::vmath_kernels(simd::active_isa());
    const auto n = static_cast<int64_t>(x.ElementLength());
    if (name == "exp") {
      k.exp(n, x.Data(), out.Data());
    } else if (name == "log") {
      k.log(n, x.Data(), out.Data());
    } else {
      throw invalid_input(env, "Expected 'exp' or 'log' for 'name' but received " + name);
    }
    return out;
  });
}

}  // namespace

void register_linear(Napi::Env env, Napi::Object exports) {
  Napi::Object linear = Napi::Object::New(env);
  linear.Set("logisticFit", Napi::Function::New(env, logistic_fit_async, "logisticFit"));
  linear.Set("logisticFitSync", Napi::Function::New(env, logistic_fit_sync, "logisticFitSync"));
  linear.Set("logisticLossGradient", Napi::Function::New(env, logistic_loss_gradient, "logisticLossGradient"));
  linear.Set("ridgeFit", Napi::Function::New(env, ridge_fit_async, "ridgeFit"));
  linear.Set("ridgeFitSync", Napi::Function::New(env, ridge_fit_sync, "ridgeFitSync"));
  linear.Set("decision", Napi::Function::New(env, decision, "decision"));
  linear.Set("logisticProba", Napi::Function::New(env, logistic_proba, "logisticProba"));
  linear.Set("vmath", Napi::Function::New(env, vmath, "vmath"));
  exports.Set("linear", linear);
}

}  // namespace addon
}  // namespace ensemblekit
