// C++ exceptions -> the library's JS error classes. Every exported function runs its body through
// guard() (the one catch-all per entry point); async jobs convert the captured exception the same way.
#pragma once

#include <napi.h>

#include <exception>
#include <string>

namespace ensemblekit {
namespace addon {

// The JS error object for an exception thrown by the core or by argument checks.
Napi::Value error_from_exception(Napi::Env env, const std::exception_ptr& error);

// Throws (as a JS exception) the error for `error`; used by synchronous entry points.
void throw_js(Napi::Env env, const std::exception_ptr& error);

// An InvalidInputError / InvalidParameterError instance with the message, created from the classes
// registered at init (falls back to TypeError before init).
Napi::Error invalid_input(Napi::Env env, const std::string& message);

// Registers the error classes: init({ EnsembleError, InvalidInputError, ... }).
Napi::Value init_errors(const Napi::CallbackInfo& info);

// Runs fn and converts any C++ exception into the matching JS exception. fn returns a Napi::Value.
template <class F>
Napi::Value guard(Napi::Env env, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (...) {
    throw_js(env, std::current_exception());
  }
  return env.Undefined();
}

}  // namespace addon
}  // namespace ensemblekit
