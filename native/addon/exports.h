// One registration function per exported area; module.cc calls them all.
#pragma once

#include <napi.h>

#include <memory>

namespace ensemblekit {
namespace addon {

void register_build_info(Napi::Env env, Napi::Object exports);
void register_linalg(Napi::Env env, Napi::Object exports);
void register_dataset(Napi::Env env, Napi::Object exports);
void register_linear(Napi::Env env, Napi::Object exports);
void register_gbdt(Napi::Env env, Napi::Object exports);
void register_forest(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_import(Napi::Env env, Napi::Object exports);
void register_csv(Napi::Env env, Napi::Object exports);

}  // namespace addon
struct GbdtModel;
namespace addon {

// A GbdtModel handle for a model built outside gbdt.cc (the importers); defined in gbdt.cc.
Napi::Object wrap_gbdt_model(Napi::Env env, std::shared_ptr<const GbdtModel> model);

}  // namespace addon
}  // namespace ensemblekit
