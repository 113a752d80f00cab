// Importers of other libraries' tree models, parsed natively from untrusted text:
// - XGBoost's JSON model (`Booster.save_model('m.json')`, schema of 1.x and 2.x), see xgboost_json.cc;
// - LightGBM's text model (`Booster.save_model('m.txt')`, formats v2-v4), see lightgbm_text.cc.
// Both give a GbdtModel whose trees route every input exactly as the source library does (reading
// rules in tree/tree.h) and whose raw margins equal the library's. Any defect or unsupported
// feature throws ModelFormat naming the culprit ("Invalid XGBoost model: ...", "LightGBM tree 3,
// node 5: ..."). Memory stays within a small constant times the text size: declared counts are
// checked against the content before anything is sized by them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "../boost/gbdt.h"

namespace ensemblekit {

struct ImportedGbdt {
  GbdtModel model;
  // Classifier (classes 0..k-1, k = 2 for one output) or regressor.
  bool classifier = false;
  // One name per feature, or empty when the file has none (or not one per feature).
  std::vector<std::string> feature_names;
};

ImportedGbdt import_xgboost_json(const char* text, size_t size);
ImportedGbdt import_lightgbm_text(const char* text, size_t size);

// XGBoost reads a feature as float32 and goes left when float32(x) < t (t a float32). The compiled
// forest goes left when x <= threshold on the double, so this returns the largest double whose
// float32 rounding is below t: every double input then takes XGBoost's branch.
double xgboost_threshold(float t);

}  // namespace ensemblekit
