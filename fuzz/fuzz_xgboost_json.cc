// libFuzzer harness: the XGBoost JSON importer (native/core/io/import.h) on arbitrary bytes.
// The only acceptable outcome besides a model is ModelFormat; anything else that escapes (another
// exception, a crash, a sanitizer report, a leak) is a bug. An accepted model is walked on a few
// rows so the trees the reader built are exercised too.
// Seeds: fuzz/corpus/xgboost_json (the XGBoost fixtures of test/io/fixtures, plus small hand-made models
// that reach the categorical, zero-as-missing, dart and 2.x paths in few bytes).
// By hand (the CMake fuzz option globs fuzz/fuzz_*.cc and links native/core):
//   clang++-14 -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -Inative fuzz/fuzz_xgboost_json.cc <native/core sources> -o fuzz_xgboost_json
//   ./fuzz_xgboost_json -max_total_time=60 fuzz/corpus/xgboost_json
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/errors.h"
#include "core/io/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const ensemblekit::ImportedGbdt m = ensemblekit::import_xgboost_json(reinterpret_cast<const char*>(data), size);
    const ensemblekit::CompiledForest& forest = m.model.forest;
    if (forest.num_features() <= 4096) {
      std::vector<double> out(static_cast<size_t>(forest.num_groups()));
      for (const double v : {0.0, -1.5, 3.0, std::numeric_limits<double>::quiet_NaN()}) {
        const std::vector<double> row(static_cast<size_t>(forest.num_features()), v);
        forest.predict_row(row.data(), out.data());
      }
    }
  } catch (const ensemblekit::ModelFormat&) {
  }
  return 0;
}
