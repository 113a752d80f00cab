// Per-feature discretisation of raw values into uint8 bins, the input of histogram tree learning.
//
// Bin layout of one feature (numerical or categorical):
//   value bins 0 .. num_value_bins()-1, then ONE missing bin with id missing_bin() == num_value_bins().
//   num_bins() == num_value_bins() + 1 is the size of the feature's histogram. max_bin <= 255 keeps
//   every id, the missing bin included, in a uint8.
//
// Numerical: bin i holds the values v with upper_bound(i-1) < v <= upper_bound(i); the last upper
// bound is +inf, NaN goes to the missing bin. With at most max_bin distinct values every value has a
// bin of its own and the bounds are midpoints between neighbours (splits are exact, as in LightGBM
// and XGBoost); otherwise greedy equal-count bins over the sorted distinct values, where a value
// holding at least a bin's share of the sample gets a bin to itself (LightGBM's rule) and no bin
// closes with fewer than min_data_in_bin sampled values. Thresholds are doubles: a tree that stores
// t = bin_upper_bound(b) routes raw x left iff x <= t, which is exactly "bin(x) <= b" in training.
//
// Categorical: values are non-negative integers. The max_bin most frequent categories of the sample
// (count descending, then value ascending) get bins 0..; rarer and unseen categories share the
// missing bin with NaN (LightGBM does the same with its "other" bin).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ensemblekit {

// Options of binning. Names follow LightGBM (max_bin, min_data_in_bin, bin_construct_sample_cnt ->
// sample_rows, data_random_seed -> seed).
struct BinConfig {
  // Value bins per feature, missing bin not counted. 2..255.
  int max_bin = 255;
  // Fewest sampled values a quantile bin may hold (ignored when every distinct value has its own bin).
  int min_data_in_bin = 3;
  // Rows sampled to find the bounds; all rows are used when there are no more than this.
  int64_t sample_rows = 200000;
  // Seed of the row sample: same seed, same data -> same bins.
  uint64_t seed = 0;
  // Column indices treated as categorical (repeats are harmless).
  std::vector<int> categorical;
  // Threads; <= 0 means the default budget (resolve_threads). Never changes the result.
  int n_threads = 0;

  // Throws InvalidParameter naming the first option out of its domain; cols bounds `categorical`.
  void validate(int64_t cols) const;
};

enum class BinKind : uint8_t { kNumerical = 0, kCategorical = 1 };

// The largest float32 f with f <= t. For any float32 x, x <= t iff x <= round_down_to_float(t), so a
// float32 threshold made this way keeps the training split exact for float32 inputs (plain rounding
// to nearest would not: a midpoint rounded up would send the upper neighbour left).
float round_down_to_float(double t);

class BinMapper {
 public:
  static constexpr int kMaxValueBins = 255;

  // A trivial numerical mapper: one value bin holding everything but NaN.
  BinMapper();

  // Numerical bounds from a sample. `values` is taken by value and sorted in place; NaN entries are
  // allowed and ignored (they are the missing bin's business, not the bounds').
  static BinMapper find_numerical(std::vector<double> values, int max_bin, int min_data_in_bin);
  // Same, over a caller-owned scratch buffer that is reordered in place (no copy). The float32
  // overload sorts 32-bit keys (half the passes); its bounds are the same as for the values widened.
  static BinMapper find_numerical(double* values, int64_t n, int max_bin, int min_data_in_bin);
  static BinMapper find_numerical(float* values, int64_t n, int max_bin, int min_data_in_bin);

  // Categorical mapping from a sample. NaN, negative, fractional or too large values are skipped:
  // the caller validates every row when mapping (see is_valid_category) so that the error names the
  // first offending cell of the whole matrix, not of the sample.
  static BinMapper find_categorical(const double* values, int64_t n, int max_bin);
  static BinMapper find_categorical(const float* values, int64_t n, int max_bin);

  // Rebuild from stored state (model files, tests). Bounds must be strictly increasing, end with
  // +inf and number 1..255; categories must be distinct, non-negative and number 0..255.
  static BinMapper from_upper_bounds(std::vector<double> upper_bounds);
  static BinMapper from_categories(std::vector<int> categories);

  BinKind kind() const { return kind_; }
  bool is_categorical() const { return kind_ == BinKind::kCategorical; }

  // Value bins (0 .. n-1), missing bin excluded.
  int num_value_bins() const { return num_value_bins_; }
  // Histogram size of this feature: value bins plus the missing bin.
  int num_bins() const { return num_value_bins_ + 1; }
  // Id of the bin holding NaN (and, for categorical features, rare or unseen categories).
  int missing_bin() const { return num_value_bins_; }
  // At most one distinct non-NaN value in the sample: tree learners skip the feature. This holds
  // even when NaN is present, so the one split such a feature allows (NaN vs the value) is not
  // offered; LightGBM, with missing values on, keeps it.
  bool trivial() const { return trivial_; }

  // Bin of one raw value. Numerical: the first i with v <= upper_bound(i), NaN -> missing_bin().
  // Categorical: the category's bin; NaN, invalid or unmapped categories -> missing_bin().
  int value_to_bin(double v) const;

  // Numerical only. The split threshold for "bin <= b": for every non-NaN v,
  // v <= bin_upper_bound(b) iff value_to_bin(v) <= b. +inf for the last value bin and beyond.
  double bin_upper_bound(int bin) const;
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

  // Categorical only. The category of a value bin, -1 for the missing/other bin.
  int category_of_bin(int bin) const;
  // The bin of a category, missing_bin() when the category has none.
  int bin_of_category(int category) const;
  // bin -> category for value bins (most frequent first).
  const std::vector<int>& categories() const { return categories_; }

  // True for NaN and for non-negative integral values that fit an int: what a categorical column
  // may hold.
  static bool is_valid_category(double v) {
    return v != v || (v >= 0.0 && v <= static_cast<double>(std::numeric_limits<int>::max()) &&
                      v == static_cast<double>(static_cast<int64_t>(v)));
  }

  // Bins n values read with a stride (a column of a row-major block), writing out[i * stride].
  // Numerical features only; NaN -> missing_bin(). Results equal value_to_bin() element-wise: the
  // float overload compares against bounds rounded down to float32, which is exact for float inputs.
  void map_strided(const float* x, int64_t n, int64_t stride, uint8_t* out) const;
  void map_strided(const double* x, int64_t n, int64_t stride, uint8_t* out) const;

  // Categorical features: same contract; returns the index (in [0, n)) of the first value that is not
  // a valid category, or -1 when all are valid. Invalid values are written as missing_bin().
  int64_t map_categorical_strided(const float* x, int64_t n, int64_t stride, uint8_t* out) const;
  int64_t map_categorical_strided(const double* x, int64_t n, int64_t stride, uint8_t* out) const;

  // Heap bytes held by this mapper (bounds, search tables, category tables).
  size_t memory_bytes() const;

  // Human-readable summary for logs and test failures.
  std::string describe() const;

 private:
  // Builds the derived lookup structures from upper_bounds_ / categories_.
  void finalize();
  template <class T>
  static BinMapper find_numerical_impl(T* values, int64_t n, int max_bin, int min_data_in_bin);
  template <class T>
  static BinMapper find_categorical_impl(const T* values, int64_t n, int max_bin);
  template <class T>
  int64_t map_categorical_impl(const T* x, int64_t n, int64_t stride, uint8_t* out) const;

  BinKind kind_ = BinKind::kNumerical;
  int num_value_bins_ = 1;
  bool trivial_ = true;

  // Numerical state.
  std::vector<double> upper_bounds_{std::numeric_limits<double>::infinity()};
  // The num_value_bins_-1 finite split points in the kernels' bound-table layout (simd/binning_kernels.h):
  // 16 pivots, then the points padded with +inf to a power of two, so that a branchless search runs a
  // fixed log2 steps with no bounds check (the last upper bound is +inf and never has to be searched).
  // The float32 copy is rounded down, which keeps float32 inputs on the exact same bins.
  int search_steps_ = 0;
  std::vector<double> table_f64_;
  std::vector<float> table_f32_;

  // Categorical state.
  std::vector<int> categories_;
  // category -> bin when the largest mapped category is small (one byte per id up to
  // kMaxDenseCategory); otherwise a sorted (category, bin) list searched by bisection.
  std::vector<uint8_t> dense_category_bins_;
  std::vector<int> sorted_categories_;
  std::vector<uint8_t> sorted_category_bins_;
};

}  // namespace ensemblekit
