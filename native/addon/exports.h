// One registration function per exported area; module.cc calls them all.
#pragma once

#include <napi.h>

namespace ensemblekit {
namespace addon {

void register_build_info(Napi::Env env, Napi::Object exports);
void register_linalg(Napi::Env env, Napi::Object exports);
void register_dataset(Napi::Env env, Napi::Object exports);
void register_linear(Napi::Env env, Napi::Object exports);
void register_gbdt(Napi::Env env, Napi::Object exports);
void register_forest(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_csv(Napi::Env env, Napi::Object exports);

}  // namespace addon
}  // namespace ensemblekit
