// The JS `Dataset` handle as other addon files read it (trainers accept a prebuilt Dataset in place
// of a raw matrix).
#pragma once

#include <napi.h>

#include <memory>

#include "../core/data/binned_dataset.h"

namespace ensemblekit {
namespace addon {

// True when `value` is a Dataset object made by this addon.
bool is_dataset(Napi::Env env, Napi::Value value);

// The dataset behind a Dataset object; throws InvalidInputError for anything else or when disposed.
std::shared_ptr<BinnedDataset> dataset_from_value(Napi::Env env, Napi::Value value, const char* name);

}  // namespace addon
}  // namespace ensemblekit
