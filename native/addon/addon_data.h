// Per-environment state of the addon (one per main thread / worker thread that loads it): the JS
// error classes handed over by lib/native.ts at init, and the Dataset constructor.
#pragma once

#include <napi.h>

namespace ensemblekit {
namespace addon {

struct AddonData {
  Napi::FunctionReference ensemble_error;
  Napi::FunctionReference invalid_input_error;
  Napi::FunctionReference invalid_parameter_error;
  Napi::FunctionReference model_format_error;
  Napi::FunctionReference abort_error;
  Napi::FunctionReference dataset_constructor;
  Napi::FunctionReference gbdt_model_constructor;
  Napi::FunctionReference forest_model_constructor;
  Napi::FunctionReference job_constructor;
};

inline AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

}  // namespace addon
}  // namespace ensemblekit
