#include "args.h"

#include <cmath>
#include <cstring>

#include "../core/data/binned_dataset.h"
#include "errors.h"

namespace ensemblekit {
namespace addon {

namespace {

[[noreturn]] void fail(Napi::Env env, const std::string& message) { throw invalid_input(env, message); }

Napi::Value arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length()) fail(info.Env(), std::string("Missing argument '") + name + "'");
  return info[index];
}

int64_t checked_int(Napi::Env env, const Napi::Value& v, const std::string& what, int64_t min_value) {
  if (!v.IsNumber()) fail(env, "Expected an integer for " + what);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d > 9007199254740991.0 || d < -9007199254740991.0) {
    fail(env, "Expected an integer for " + what + " but received " + std::to_string(d));
  }
  const auto i = static_cast<int64_t>(d);
  if (i < min_value) fail(env, "Expected " + what + " >= " + std::to_string(min_value) + " but received " + std::to_string(i));
  return i;
}

}  // namespace

FloatArray float_array_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsTypedArray()) fail(info.Env(), std::string("Expected a Float32Array or Float64Array for '") + name + "'");
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  FloatArray out;
  out.array = t;
  if (t.TypedArrayType() == napi_float64_array) {
    auto f = t.As<Napi::Float64Array>();
    out.data = f.Data();
    out.length = f.ElementLength();
    out.is_f64 = true;
  } else if (t.TypedArrayType() == napi_float32_array) {
    auto f = t.As<Napi::Float32Array>();
    out.data = f.Data();
    out.length = f.ElementLength();
  } else {
    fail(info.Env(), std::string("Expected a Float32Array or Float64Array for '") + name + "'");
  }
  return out;
}

Napi::TypedArray typed_array_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsTypedArray()) fail(info.Env(), std::string("Expected a typed array for '") + name + "'");
  return v.As<Napi::TypedArray>();
}

int64_t int_arg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min_value) {
  return checked_int(info.Env(), arg(info, index, name), std::string("'") + name + "'", min_value);
}

double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsNumber()) fail(info.Env(), std::string("Expected a number for '") + name + "'");
  return v.As<Napi::Number>().DoubleValue();
}

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsBoolean()) fail(info.Env(), std::string("Expected a boolean for '") + name + "'");
  return v.As<Napi::Boolean>().Value();
}

std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsString()) fail(info.Env(), std::string("Expected a string for '") + name + "'");
  return v.As<Napi::String>().Utf8Value();
}

Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value v = arg(info, index, name);
  if (!v.IsObject()) fail(info.Env(), std::string("Expected an object for '") + name + "'");
  return v.As<Napi::Object>();
}

int64_t get_int(const Napi::Object& options, const char* key, int64_t fallback) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  return checked_int(options.Env(), v, std::string("option '") + key + "'", INT64_MIN);
}

double get_number(const Napi::Object& options, const char* key, double fallback) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsNumber()) fail(options.Env(), std::string("Expected a number for option '") + key + "'");
  return v.As<Napi::Number>().DoubleValue();
}

bool get_bool(const Napi::Object& options, const char* key, bool fallback) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsBoolean()) fail(options.Env(), std::string("Expected a boolean for option '") + key + "'");
  return v.As<Napi::Boolean>().Value();
}

std::vector<int> get_int_list(const Napi::Object& options, const char* key) {
  std::vector<int> out;
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return out;
  if (v.IsTypedArray()) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    if (t.TypedArrayType() == napi_int32_array) {
      auto a = t.As<Napi::Int32Array>();
      out.assign(a.Data(), a.Data() + a.ElementLength());
      return out;
    }
  }
  if (!v.IsArray()) fail(options.Env(), std::string("Expected an array of integers for option '") + key + "'");
  Napi::Array a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    out.push_back(static_cast<int>(
        checked_int(options.Env(), a.Get(i), std::string("option '") + key + "[" + std::to_string(i) + "]'", INT32_MIN)));
  }
  return out;
}

std::string get_string(const Napi::Object& options, const char* key, const std::string& fallback) {
  Napi::Value v = options.Get(key);
  if (v.IsUndefined() || v.IsNull()) return fallback;
  if (!v.IsString()) fail(options.Env(), std::string("Expected a string for option '") + key + "'");
  return v.As<Napi::String>().Utf8Value();
}

MatrixArg matrix_arg(const Napi::CallbackInfo& info, size_t index) {
  MatrixArg m;
  m.array = float_array_arg(info, index, "data");
  const int64_t rows = int_arg(info, index + 1, "rows", 1), cols = int_arg(info, index + 2, "cols", 1);
  if (static_cast<double>(rows) * static_cast<double>(cols) != static_cast<double>(m.array.length)) {
    fail(info.Env(), "Expected data of length rows * cols = " + std::to_string(rows) + " * " + std::to_string(cols) +
                         " but received " + std::to_string(m.array.length));
  }
  m.view = DenseMatrix(m.array.data, m.array.is_f64 ? DType::kFloat64 : DType::kFloat32, rows, cols);
  return m;
}

Napi::TypedArray typed_field_checked(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name,
                                     size_t length) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    fail(o.Env(), std::string("Expected a ") + type_name + " for '" + key + "'");
  }
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  if (length != kAnyLength && a.ElementLength() != length) {
    fail(o.Env(), std::string("Expected ") + std::to_string(length) + " values in '" + key + "' but received " +
                      std::to_string(a.ElementLength()));
  }
  return a;
}

Napi::Float64Array f64_field(const Napi::Object& o, const char* key, size_t length) {
  return typed_field<Napi::Float64Array>(o, key, napi_float64_array, "Float64Array", length);
}

Napi::Float64Array to_js(Napi::Env env, const double* v, size_t n) {
  Napi::Float64Array out = Napi::Float64Array::New(env, n);
  if (n != 0) std::memcpy(out.Data(), v, n * sizeof(double));
  return out;
}

void* typed_array_data(const Napi::TypedArray& a) {
  void* data = nullptr;
  if (napi_get_typedarray_info(a.Env(), a, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok) {
    throw Napi::Error::New(a.Env(), "Cannot read the typed array's data");
  }
  return data;
}

MatrixSnapshot snapshot_matrix(const DenseMatrix& m) {
  const size_t bytes = static_cast<size_t>(m.size()) * (m.dtype == DType::kFloat32 ? sizeof(float) : sizeof(double));
  MatrixSnapshot s;
  void* p = allocate_large_buffer(bytes);
  s.buffer = std::shared_ptr<void>(p, [bytes](void* q) { free_large_buffer(q, bytes); });
  std::memcpy(p, m.data, bytes);
  s.view = DenseMatrix(p, m.dtype, m.rows, m.cols);
  return s;
}

}  // namespace addon
}  // namespace ensemblekit
