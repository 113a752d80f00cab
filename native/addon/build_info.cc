// buildInfo() and the ISA switch used by tests and benchmarks.
#include <napi.h>

#include <string>

#include "../core/parallel/parallel_for.h"
#include "../core/parallel/thread_budget.h"
#include "../core/simd/cpu.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

Napi::Value build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", simd::isa_name(simd::active_isa()));
  out.Set("detectedIsa", simd::isa_name(simd::detected_isa()));
  out.Set("openmp", openmp_enabled());
#ifdef _OPENMP
  out.Set("openmpVersion", static_cast<double>(_OPENMP));
#endif
  out.Set("defaultThreads", default_threads());
  out.Set("hardwareThreads", hardware_threads());
  out.Set("threadsLeased", threads_leased());
  out.Set("compiler", compiler_name());
  out.Set("napiVersion", static_cast<double>(NAPI_VERSION));
#ifdef NDEBUG
  out.Set("buildType", "release");
#else
  out.Set("buildType", "debug");
#endif
  return out;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsString()) throw invalid_input(env, "Expected 'scalar', 'avx2' or 'avx512' for isa");
    const std::string name = info[0].As<Napi::String>().Utf8Value();
    simd::Isa isa;
    if (!simd::parse_isa(name.c_str(), &isa)) {
      throw invalid_input(env, "Expected 'scalar', 'avx2' or 'avx512' for isa but received '" + name + "'");
    }
    return Napi::String::New(env, simd::isa_name(simd::set_active_isa(isa)));
  });
}

}  // namespace

void register_build_info(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, build_info, "buildInfo"));
  exports.Set("setIsa", Napi::Function::New(env, set_isa, "setIsa"));
}

}  // namespace addon
}  // namespace ensemblekit
