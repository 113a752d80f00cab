#include "errors.h"

#include <new>
#include <stdexcept>

#include "../core/errors.h"
#include "addon_data.h"

namespace ensemblekit {
namespace addon {

namespace {

Napi::Value construct(Napi::Env env, const Napi::FunctionReference& cls, const std::string& message,
                      const char* fallback_code) {
  if (!cls.IsEmpty()) return cls.New({Napi::String::New(env, message)});
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, fallback_code));
  return e.Value();
}

Napi::Value with_code(Napi::Env env, const Napi::FunctionReference& base, const std::string& message, const char* code) {
  if (base.IsEmpty()) return construct(env, base, message, code);
  return base.New({Napi::String::New(env, message), Napi::String::New(env, code)});
}

}  // namespace

Napi::Value error_from_exception(Napi::Env env, const std::exception_ptr& error) {
  AddonData& data = addon_data(env);
  try {
    std::rethrow_exception(error);
  } catch (const Napi::Error& e) {
    return e.Value();
  } catch (const InvalidInput& e) {
    return construct(env, data.invalid_input_error, e.what(), "ERR_INVALID_INPUT");
  } catch (const InvalidParameter& e) {
    return construct(env, data.invalid_parameter_error, e.what(), "ERR_INVALID_PARAMETER");
  } catch (const ModelFormat& e) {
    return construct(env, data.model_format_error, e.what(), "ERR_MODEL_FORMAT");
  } catch (const Aborted& e) {
    return construct(env, data.abort_error, e.what(), "ABORT_ERR");
  } catch (const std::bad_alloc&) {
    return with_code(env, data.ensemble_error, "Out of memory in native code", "ERR_OUT_OF_MEMORY");
  } catch (const std::length_error& e) {
    return with_code(env, data.ensemble_error, std::string("Allocation too large: ") + e.what(), "ERR_OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    return with_code(env, data.ensemble_error, std::string("Native error: ") + e.what(), "ERR_NATIVE");
  } catch (...) {
    return with_code(env, data.ensemble_error, "Unknown native error", "ERR_NATIVE");
  }
}

void throw_js(Napi::Env env, const std::exception_ptr& error) {
  Napi::Value value = error_from_exception(env, error);
  Napi::Error(env, value).ThrowAsJavaScriptException();
}

Napi::Error invalid_input(Napi::Env env, const std::string& message) {
  AddonData& data = addon_data(env);
  return Napi::Error(env, construct(env, data.invalid_input_error, message, "ERR_INVALID_INPUT"));
}

Napi::Value init_errors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "Expected an object of error classes for init").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object classes = info[0].As<Napi::Object>();
  AddonData& data = addon_data(env);
  auto take = [&](const char* name, Napi::FunctionReference& slot) {
    Napi::Value v = classes.Get(name);
    if (v.IsFunction()) slot = Napi::Persistent(v.As<Napi::Function>());
  };
  take("EnsembleError", data.ensemble_error);
  take("InvalidInputError", data.invalid_input_error);
  take("InvalidParameterError", data.invalid_parameter_error);
  take("ModelFormatError", data.model_format_error);
  take("AbortError", data.abort_error);
  return env.Undefined();
}

}  // namespace addon
}  // namespace ensemblekit
