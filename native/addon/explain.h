// The explanation entry points every tree model shares (GBDT and forest wrappers): TreeSHAP
// contributions and leaf indices through the compiled forest. Argument layout of both:
// (data, rows, cols, nThreads, treeBegin, treeEnd). Call inside guard().
#pragma once

#include <napi.h>

#include "../core/predict/compiled_forest.h"
#include "../core/predict/leaf_index.h"
#include "../core/predict/tree_shap.h"
#include "args.h"

namespace ensemblekit {
namespace addon {

// -> Float64Array rows x groups x (cols + 1): TreeSHAP contributions, bias last (core/predict/tree_shap.h).
inline Napi::Value predict_contrib_value(const Napi::CallbackInfo& info, const CompiledForest& f) {
  MatrixArg x = matrix_arg(info, 0);
  const int threads = static_cast<int>(int_arg(info, 3, "nThreads"));
  const int begin = static_cast<int>(int_arg(info, 4, "treeBegin", 0));
  const int end = static_cast<int>(int_arg(info, 5, "treeEnd"));
  Napi::Float64Array out = Napi::Float64Array::New(info.Env(), static_cast<size_t>(x.view.rows * f.num_groups() * (f.num_features() + 1)));
  ensemblekit::predict_contrib(f, x.view, out.Data(), threads, begin, end);
  return out;
}

// -> Int32Array rows x trees in [treeBegin, treeEnd): leaf ids in each tree's own numbering
// (core/predict/leaf_index.h).
inline Napi::Value predict_leaf_value(const Napi::CallbackInfo& info, const CompiledForest& f) {
  MatrixArg x = matrix_arg(info, 0);
  const int threads = static_cast<int>(int_arg(info, 3, "nThreads"));
  int begin = 0, end = 0;
  resolve_tree_range(f, static_cast<int>(int_arg(info, 4, "treeBegin", 0)), static_cast<int>(int_arg(info, 5, "treeEnd")), &begin, &end);
  Napi::Int32Array out = Napi::Int32Array::New(info.Env(), static_cast<size_t>(x.view.rows * (end - begin)));
  ensemblekit::predict_leaf(f, x.view, out.Data(), threads, begin, end);
  return out;
}

}  // namespace addon
}  // namespace ensemblekit
