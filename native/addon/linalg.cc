// The small `linalg` export (tests and benchmarks): GEMM, GEMV, dot, axpy on typed arrays. Shapes
// and array lengths are re-checked here so a wrong call can never read or write out of bounds.
#include <napi.h>

#include <string>

#include "../core/linalg/blas1.h"
#include "../core/linalg/gemm.h"
#include "args.h"
#include "async_job.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

using linalg::Trans;

// Elements a row-major `rows x cols` operand with row stride `ld` spans.
void check_operand(Napi::Env env, const FloatArray& a, int64_t rows, int64_t cols, int64_t ld, const char* name) {
  if (ld < (cols > 0 ? cols : 1)) {
    throw invalid_input(env, std::string("Expected ld") + name + " >= " + std::to_string(cols) + " but received " +
                                 std::to_string(ld));
  }
  if (rows == 0 || cols == 0) return;
  const double needed = static_cast<double>(rows - 1) * static_cast<double>(ld) + static_cast<double>(cols);
  if (needed > static_cast<double>(a.length)) {
    throw invalid_input(env, std::string("Array ") + name + " has " + std::to_string(a.length) + " elements but a " +
                                 std::to_string(rows) + "x" + std::to_string(cols) + " operand with stride " +
                                 std::to_string(ld) + " needs " + std::to_string(static_cast<int64_t>(needed)));
  }
}

struct GemmCall {
  Trans ta = Trans::kNo, tb = Trans::kNo;
  int64_t m = 0, n = 0, k = 0, lda = 0, ldb = 0, ldc = 0;
  double alpha = 1, beta = 0;
  FloatArray a, b, c;
  int n_threads = 0;

  void run(const WorkControl& control) const {
    if (c.is_f64) {
      linalg::gemm<double>(ta, tb, m, n, k, alpha, static_cast<const double*>(a.data), lda, static_cast<const double*>(b.data),
                           ldb, beta, static_cast<double*>(c.data), ldc, n_threads, control);
    } else {
      linalg::gemm<float>(ta, tb, m, n, k, static_cast<float>(alpha), static_cast<const float*>(a.data), lda,
                          static_cast<const float*>(b.data), ldb, static_cast<float>(beta), static_cast<float*>(c.data), ldc,
                          n_threads, control);
    }
  }
};

// gemm(transA, transB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, nThreads)
GemmCall parse_gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GemmCall g;
  g.ta = bool_arg(info, 0, "transA") ? Trans::kYes : Trans::kNo;
  g.tb = bool_arg(info, 1, "transB") ? Trans::kYes : Trans::kNo;
  g.m = int_arg(info, 2, "m", 0);
  g.n = int_arg(info, 3, "n", 0);
  g.k = int_arg(info, 4, "k", 0);
  g.alpha = number_arg(info, 5, "alpha");
  g.a = float_array_arg(info, 6, "A");
  g.lda = int_arg(info, 7, "lda", 0);
  g.b = float_array_arg(info, 8, "B");
  g.ldb = int_arg(info, 9, "ldb", 0);
  g.beta = number_arg(info, 10, "beta");
  g.c = float_array_arg(info, 11, "C");
  g.ldc = int_arg(info, 12, "ldc", 0);
  g.n_threads = static_cast<int>(int_arg(info, 13, "nThreads", 0));
  if (g.a.is_f64 != g.c.is_f64 || g.b.is_f64 != g.c.is_f64) {
    throw invalid_input(env, "Expected A, B and C of the same type (all Float32Array or all Float64Array)");
  }
  const bool ta = g.ta == Trans::kYes, tb = g.tb == Trans::kYes;
  check_operand(env, g.a, ta ? g.k : g.m, ta ? g.m : g.k, g.lda, "A");
  check_operand(env, g.b, tb ? g.n : g.k, tb ? g.k : g.n, g.ldb, "B");
  check_operand(env, g.c, g.m, g.n, g.ldc, "C");
  return g;
}

Napi::Value gemm_sync(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    parse_gemm(info).run(WorkControl::none());
    return info.Env().Undefined();
  });
}

class GemmJob : public AsyncJob {
 public:
  GemmJob(Napi::Env env, GemmCall call, Napi::Value token, Napi::Value on_progress)
      : AsyncJob(env, "ensemblekit.gemm", token, on_progress), call_(std::move(call)) {
    keep_alive(call_.a.array);
    keep_alive(call_.b.array);
    keep_alive(call_.c.array);
    set_threads(call_.n_threads);
  }

 protected:
  void run(const WorkControl& control) override { call_.run(control); }
  Napi::Value result(Napi::Env env) override { return env.Undefined(); }

 private:
  GemmCall call_;
};

// gemmAsync(...gemm args, job, onProgress) -> Promise<void>
Napi::Value gemm_async(const Napi::CallbackInfo& info) {
  return guard(info.Env(), [&]() -> Napi::Value {
    GemmCall call = parse_gemm(info);
    auto* job = new GemmJob(info.Env(), std::move(call), info[14], info[15]);
    return job->start();
  });
}

// gemv(transA, m, n, alpha, A, lda, x, beta, y, nThreads)
Napi::Value gemv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const bool ta = bool_arg(info, 0, "transA");
    const int64_t m = int_arg(info, 1, "m", 0), n = int_arg(info, 2, "n", 0);
    const double alpha = number_arg(info, 3, "alpha");
    FloatArray a = float_array_arg(info, 4, "A");
    const int64_t lda = int_arg(info, 5, "lda", 0);
    FloatArray x = float_array_arg(info, 6, "x");
    const double beta = number_arg(info, 7, "beta");
    FloatArray y = float_array_arg(info, 8, "y");
    const int threads = static_cast<int>(int_arg(info, 9, "nThreads", 0));
    if (a.is_f64 != x.is_f64 || a.is_f64 != y.is_f64) throw invalid_input(env, "Expected A, x and y of the same type");
    check_operand(env, a, m, n, lda, "A");
    const auto x_len = static_cast<size_t>(ta ? m : n), y_len = static_cast<size_t>(ta ? n : m);
    if (x.length < x_len) throw invalid_input(env, "Expected x of length >= " + std::to_string(x_len));
    if (y.length < y_len) throw invalid_input(env, "Expected y of length >= " + std::to_string(y_len));
    const Trans t = ta ? Trans::kYes : Trans::kNo;
    if (a.is_f64) {
      linalg::gemv<double>(t, m, n, alpha, static_cast<const double*>(a.data), lda, static_cast<const double*>(x.data), beta,
                           static_cast<double*>(y.data), threads);
    } else {
      linalg::gemv<float>(t, m, n, static_cast<float>(alpha), static_cast<const float*>(a.data), lda,
                          static_cast<const float*>(x.data), static_cast<float>(beta), static_cast<float*>(y.data), threads);
    }
    return env.Undefined();
  });
}

// dot(x, y) -> number (over min length is NOT allowed: lengths must match)
Napi::Value dot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    FloatArray x = float_array_arg(info, 0, "x"), y = float_array_arg(info, 1, "y");
    if (x.is_f64 != y.is_f64 || x.length != y.length) throw invalid_input(env, "Expected x and y of the same type and length");
    const auto n = static_cast<int64_t>(x.length);
    if (x.is_f64) return Napi::Number::New(env, linalg::dot<double>(n, static_cast<const double*>(x.data), static_cast<const double*>(y.data)));
    return Napi::Number::New(env, linalg::dot<float>(n, static_cast<const float*>(x.data), static_cast<const float*>(y.data)));
  });
}

// axpy(alpha, x, y): y += alpha * x in place
Napi::Value axpy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const double alpha = number_arg(info, 0, "alpha");
    FloatArray x = float_array_arg(info, 1, "x"), y = float_array_arg(info, 2, "y");
    if (x.is_f64 != y.is_f64 || x.length != y.length) throw invalid_input(env, "Expected x and y of the same type and length");
    const auto n = static_cast<int64_t>(x.length);
    if (x.is_f64) {
      linalg::axpy<double>(n, alpha, static_cast<const double*>(x.data), static_cast<double*>(y.data));
    } else {
      linalg::axpy<float>(n, static_cast<float>(alpha), static_cast<const float*>(x.data), static_cast<float*>(y.data));
    }
    return env.Undefined();
  });
}

}  // namespace

void register_linalg(Napi::Env env, Napi::Object exports) {
  Napi::Object linalg = Napi::Object::New(env);
  linalg.Set("gemm", Napi::Function::New(env, gemm_sync, "gemm"));
  linalg.Set("gemmAsync", Napi::Function::New(env, gemm_async, "gemmAsync"));
  linalg.Set("gemv", Napi::Function::New(env, gemv, "gemv"));
  linalg.Set("dot", Napi::Function::New(env, dot, "dot"));
  linalg.Set("axpy", Napi::Function::New(env, axpy, "axpy"));
  exports.Set("linalg", linalg);
}

}  // namespace addon
}  // namespace ensemblekit
