// readCsv(source, isPath, options): the native CSV reader (native/core/io/csv.h) for lib/io/csv.ts.
// Synchronous: the table comes back as Float64Arrays that own the reader's buffers (no copy).
#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/io/csv.h"
#include "args.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

CsvColumnRef column_ref(Napi::Env env, const Napi::Value& v, const std::string& what) {
  CsvColumnRef ref;
  if (v.IsString()) {
    ref.name = v.As<Napi::String>().Utf8Value();
  } else if (v.IsNumber() && v.As<Napi::Number>().DoubleValue() >= 0 &&
             v.As<Napi::Number>().DoubleValue() == static_cast<double>(v.As<Napi::Number>().Int64Value())) {
    ref.index = v.As<Napi::Number>().Int64Value();
  } else {
    throw invalid_input(env, "Expected a column name or a non-negative index for " + what);
  }
  return ref;
}

std::vector<std::string> string_list(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (!v.IsArray()) throw invalid_input(env, "Expected an array of strings for " + what);
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value s = a.Get(i);
    if (!s.IsString()) throw invalid_input(env, "Expected a string for " + what + "[" + std::to_string(i) + "]");
    out.push_back(s.As<Napi::String>().Utf8Value());
  }
  return out;
}

CsvOptions csv_options(Napi::Env env, const Napi::Object& o) {
  CsvOptions opt;
  const std::string delim = get_string(o, "delimiter", ",");
  if (delim.size() != 1) throw invalid_input(env, "Expected a one-byte delimiter but received '" + delim + "'");
  opt.delimiter = delim[0];
  opt.header = static_cast<int>(get_int(o, "header", -1));
  if (!o.Get("naValues").IsUndefined()) opt.na_values = string_list(env, o.Get("naValues"), "naValues");
  opt.chunk_size = static_cast<size_t>(std::max<int64_t>(1, get_int(o, "chunkSize", int64_t{1} << 20)));
  Napi::Value cat = o.Get("categorical");
  if (!cat.IsUndefined()) {
    if (!cat.IsArray()) throw invalid_input(env, "Expected an array for categorical");
    Napi::Array a = cat.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) opt.categorical.push_back(column_ref(env, a.Get(i), "categorical[" + std::to_string(i) + "]"));
  }
  Napi::Value fixed = o.Get("fixed");
  if (!fixed.IsUndefined()) {
    if (!fixed.IsArray()) throw invalid_input(env, "Expected an array of [column, categories] pairs for fixed");
    opt.has_fixed = true;
    Napi::Array a = fixed.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value pair = a.Get(i);
      if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2) throw invalid_input(env, "Expected [column, categories] for fixed[" + std::to_string(i) + "]");
      Napi::Array p = pair.As<Napi::Array>();
      opt.fixed_categories.emplace_back(column_ref(env, p.Get(0u), "fixed column"), string_list(env, p.Get(1u), "categories"));
    }
  }
  opt.unknown_is_error = get_bool(o, "unknownIsError", false);
  Napi::Value target = o.Get("target");
  if (!target.IsUndefined() && !target.IsNull()) {
    opt.has_target = true;
    opt.target = column_ref(env, target, "target");
  }
  return opt;
}

// A Float64Array that owns the vector's storage.
Napi::Float64Array adopt(Napi::Env env, std::vector<double>&& v) {
  if (v.empty()) return Napi::Float64Array::New(env, 0);
  auto* owned = new std::vector<double>(std::move(v));
  const size_t n = owned->size();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(
      env, owned->data(), n * sizeof(double), [](Napi::Env, void*, std::vector<double>* p) { delete p; }, owned);
  return Napi::Float64Array::New(env, n, buf, 0);
}

Napi::Array to_js_strings(Napi::Env env, const std::vector<std::string>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a.Set(static_cast<uint32_t>(i), Napi::String::New(env, v[i]));
  return a;
}

Napi::Value read_csv_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const bool is_path = bool_arg(info, 1, "isPath");
    const CsvOptions opt = csv_options(env, object_arg(info, 2, "options"));
    CsvTable t;
    if (is_path) {
      CsvFileSource src(string_arg(info, 0, "source"));
      t = read_csv(src, opt);
    } else {
      Napi::TypedArray a = typed_array_arg(info, 0, "source");
      if (a.TypedArrayType() != napi_uint8_array) throw invalid_input(env, "Expected a Uint8Array for 'source'");
      auto bytes = a.As<Napi::Uint8Array>();
      CsvMemorySource src(reinterpret_cast<const char*>(bytes.Data()), bytes.ElementLength());
      t = read_csv(src, opt);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("rows", static_cast<double>(t.rows));
    out.Set("cols", static_cast<double>(t.cols));
    out.Set("data", adopt(env, std::move(t.data)));
    out.Set("names", to_js_strings(env, t.names));
    out.Set("hadHeader", t.had_header);
    Napi::Array cats = Napi::Array::New(env, t.cols);
    for (size_t c = 0; c < t.cols; ++c) {
      cats.Set(static_cast<uint32_t>(c), t.is_categorical[c] ? Napi::Value(to_js_strings(env, t.categories[c])) : env.Null());
    }
    out.Set("categories", cats);
    if (opt.has_target) {
      out.Set("target", adopt(env, std::move(t.target)));
      out.Set("targetName", t.target_name);
      out.Set("targetCategories", t.target_categorical ? Napi::Value(to_js_strings(env, t.target_categories)) : env.Null());
    }
    out.Set("bytesRead", static_cast<double>(t.bytes_read));
    return out;
  });
}

}  // namespace

void register_csv(Napi::Env env, Napi::Object exports) {
  exports.Set("readCsv", Napi::Function::New(env, read_csv_js, "readCsv"));
}

}  // namespace addon
}  // namespace ensemblekit
