// Shared checks for the fuzz harnesses (fuzz/fuzz_*.cc): what every model that loads must survive.
// A failed check calls __builtin_trap(), which libFuzzer reports as a crash with the input saved.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/predict/compiled_forest.h"

namespace ensemblekit_fuzz {

#define EK_FUZZ_CHECK(cond) \
  do {                      \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// EK_FUZZ_VERBOSE=1: print why each input was refused (to check that seeds load:
// EK_FUZZ_VERBOSE=1 build-fuzz/fuzz_x fuzz/corpus/x/*).
inline void refused(const char* why) {
  static const bool verbose = std::getenv("EK_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "refused: %s\n", why);
}

// Same value, NaN equal to NaN (predictions may legitimately be NaN, e.g. inf - inf in a sum).
inline bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }

// Rows that reach every kind of branch: NaN (default side), zero (LightGBM's zero-as-missing), negative,
// fractional and large values, small integers (category ids) and values near the thresholds in `extra`.
inline std::vector<double> probe_rows(int num_features, int rows, const std::vector<double>& extra) {
  static const double kPool[] = {NAN, 0.0, -0.0, 1.0, 2.0, 3.0, 31.0, 32.0, 33.0, 64.0, -1.0, 0.5, -2.5, 1e300, -1e300,
                                 INFINITY, -INFINITY, 1e-40, 4294967296.0, 2147483648.0, -2147483649.0};
  const size_t pool = sizeof(kPool) / sizeof(kPool[0]);
  std::vector<double> x(static_cast<size_t>(num_features) * static_cast<size_t>(rows));
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t k = (i * 7 + i / static_cast<size_t>(num_features)) % (pool + extra.size());
    x[i] = k < pool ? kPool[k] : extra[k - pool];
  }
  return x;
}

// Predicts `rows` probe rows through the batch path (float64 and float32) and the one-row path, and
// checks they agree. Returns the batch predictions (rows x groups).
inline std::vector<double> predict_all_paths(const ensemblekit::CompiledForest& forest, const std::vector<double>& x, int rows) {
  using ensemblekit::DenseMatrix;
  const int f = forest.num_features(), g = forest.num_groups();
  std::vector<double> batch(static_cast<size_t>(rows) * static_cast<size_t>(g));
  forest.predict(DenseMatrix(x.data(), rows, f), batch.data(), 1);
  std::vector<double> raw(batch.size());
  forest.predict_raw(DenseMatrix(x.data(), rows, f), raw.data(), 1);
  std::vector<double> one(static_cast<size_t>(g));
  for (int r = 0; r < rows; ++r) {
    forest.predict_row(x.data() + static_cast<size_t>(r) * static_cast<size_t>(f), one.data());
    for (int k = 0; k < g; ++k) EK_FUZZ_CHECK(same(one[static_cast<size_t>(k)], batch[static_cast<size_t>(r * g + k)]));
    forest.predict_row_raw(x.data() + static_cast<size_t>(r) * static_cast<size_t>(f), one.data());
    for (int k = 0; k < g; ++k) EK_FUZZ_CHECK(same(one[static_cast<size_t>(k)], raw[static_cast<size_t>(r * g + k)]));
  }
  // float32 input: the same walk on the rounded values (no comparison; this exercises the typed path).
  std::vector<float> xf(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    // Out-of-range double -> float conversions are undefined: saturate to +-inf as IEEE rounding would.
    xf[i] = std::isnan(v) ? NAN : v > 3.4e38 ? INFINITY : v < -3.4e38 ? -INFINITY : static_cast<float>(v);
  }
  std::vector<double> out32(batch.size());
  forest.predict(DenseMatrix(xf.data(), rows, f), out32.data(), 1);
  return batch;
}

}  // namespace ensemblekit_fuzz
