// Cheap argument re-checks at the boundary (defence in depth: lib/ validates first) and typed-array
// views. Errors name the argument, as the JS-side validation does.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../core/data/matrix_view.h"

namespace ensemblekit {
namespace addon {

// A Float32Array / Float64Array argument as a raw view. The view is only valid while the array is
// reachable; async jobs keep a reference (see KeepAlive in async_job.h).
struct FloatArray {
  Napi::TypedArray array;
  void* data = nullptr;
  size_t length = 0;
  bool is_f64 = false;
};

FloatArray float_array_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
Napi::TypedArray typed_array_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
int64_t int_arg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min_value = INT64_MIN);
double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* name);

// Options-object readers: missing/undefined keys give the default.
int64_t get_int(const Napi::Object& options, const char* key, int64_t fallback);
double get_number(const Napi::Object& options, const char* key, double fallback);
bool get_bool(const Napi::Object& options, const char* key, bool fallback);
std::vector<int> get_int_list(const Napi::Object& options, const char* key);
std::string get_string(const Napi::Object& options, const char* key, const std::string& fallback);

// X given as (data, rows, cols) at info[index..index+2], checked to hold rows * cols values.
struct MatrixArg {
  FloatArray array;
  DenseMatrix view;
};
MatrixArg matrix_arg(const Napi::CallbackInfo& info, size_t index);

// The first element of a typed array, whatever buffer backs it (TypedArray::ArrayBuffer() throws
// for a SharedArrayBuffer; napi_get_typedarray_info does not).
void* typed_array_data(const Napi::TypedArray& a);

// A private copy of a matrix for an async job, which must not see the caller change its array
// while the job runs. The copy lives in huge-page memory when large (data/binned_dataset.h), so it
// costs a memcpy rather than a page fault per 4 KiB, which is what a JS-side slice() costs.
struct MatrixSnapshot {
  std::shared_ptr<void> buffer;
  DenseMatrix view;
};
MatrixSnapshot snapshot_matrix(const DenseMatrix& m);

// A typed array of the given type under `key` of an object, with `length` elements (kAnyLength: any).
constexpr size_t kAnyLength = static_cast<size_t>(-1);
Napi::TypedArray typed_field_checked(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name,
                                     size_t length);
template <class A>
A typed_field(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name, size_t length) {
  return typed_field_checked(o, key, type, type_name, length).As<A>();
}
Napi::Float64Array f64_field(const Napi::Object& o, const char* key, size_t length);

// Copies into a new Float64Array.
Napi::Float64Array to_js(Napi::Env env, const double* v, size_t n);
inline Napi::Float64Array to_js(Napi::Env env, const std::vector<double>& v) { return to_js(env, v.data(), v.size()); }

}  // namespace addon
}  // namespace ensemblekit
