// The addon's entry point: registers every export. lib/native.ts is the only module that loads it.
#include <napi.h>

#include "addon_data.h"
#include "async_job.h"
#include "errors.h"
#include "exports.h"

namespace ensemblekit {
namespace addon {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("init", Napi::Function::New(env, init_errors, "init"));
  Napi::Function job = JobToken::define(env);
  addon_data(env).job_constructor = Napi::Persistent(job);
  exports.Set("Job", job);
  register_build_info(env, exports);
  register_linalg(env, exports);
  register_dataset(env, exports);
  register_linear(env, exports);
  register_gbdt(env, exports);
  register_forest(env, exports);
  register_nn(env, exports);
  register_import(env, exports);
  register_csv(env, exports);
  return exports;
}

}  // namespace addon
}  // namespace ensemblekit

// The registration macro wants a plain identifier.
static Napi::Object InitEnsemblekit(Napi::Env env, Napi::Object exports) { return ensemblekit::addon::init(env, exports); }

NODE_API_MODULE(ensemblekit, InitEnsemblekit)
