// The `io` export: the XGBoost JSON and LightGBM text importers (native/core/io/import.h). Glue
// only: the text (a string or the file's bytes) goes to the core reader, which parses and
// validates it; the result comes back as a GbdtModel handle plus what lib/ needs to wrap it.
#include <napi.h>

#include <memory>
#include <string>
#include <utility>

#include "../core/io/import.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

namespace {

// The model text of argument 0: a JS string (as UTF-8) or a Uint8Array's bytes (copied, so a
// caller mutating the buffer cannot race the parser).
std::string text_arg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() >= 1 && info[0].IsString()) return info[0].As<Napi::String>().Utf8Value();
  if (info.Length() >= 1 && info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    return std::string(reinterpret_cast<const char*>(bytes.Data()), bytes.ElementLength());
  }
  throw invalid_input(env, "Expected a string or a Uint8Array for 'model'");
}

// { model: GbdtModel, numFeatures, numOutputs, classifier, featureNames }
Napi::Value result(Napi::Env env, ImportedGbdt imported) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("numFeatures", Napi::Number::New(env, imported.model.num_features));
  out.Set("numOutputs", Napi::Number::New(env, imported.model.num_outputs));
  out.Set("classifier", Napi::Boolean::New(env, imported.classifier));
  Napi::Array names = Napi::Array::New(env, imported.feature_names.size());
  for (size_t i = 0; i < imported.feature_names.size(); ++i) {
    names.Set(static_cast<uint32_t>(i), Napi::String::New(env, imported.feature_names[i]));
  }
  out.Set("featureNames", names);
  out.Set("model", wrap_gbdt_model(env, std::make_shared<GbdtModel>(std::move(imported.model))));
  return out;
}

Napi::Value import_xgboost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const std::string text = text_arg(info);
    return result(env, import_xgboost_json(text.data(), text.size()));
  });
}

Napi::Value import_lightgbm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    const std::string text = text_arg(info);
    return result(env, import_lightgbm_text(text.data(), text.size()));
  });
}

// xgboostThreshold(t: number) -> number: the double threshold for XGBoost's float32(x) < float32(t).
Napi::Value xgboost_threshold_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsNumber()) throw invalid_input(env, "Expected a number for 't'");
    return Napi::Number::New(env, xgboost_threshold(static_cast<float>(info[0].As<Napi::Number>().DoubleValue())));
  });
}

}  // namespace

void register_import(Napi::Env env, Napi::Object exports) {
  Napi::Object io = Napi::Object::New(env);
  io.Set("importXGBoost", Napi::Function::New(env, import_xgboost, "importXGBoost"));
  io.Set("importLightGBM", Napi::Function::New(env, import_lightgbm, "importLightGBM"));
  io.Set("xgboostThreshold", Napi::Function::New(env, xgboost_threshold_js, "xgboostThreshold"));
  exports.Set("io", io);
}

}  // namespace addon
}  // namespace ensemblekit
