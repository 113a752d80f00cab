#include "bin_mapper.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>
#include <sstream>
#include <utility>

#include "../errors.h"
#include "../simd/binning_kernels.h"
#include "../simd/cpu.h"

namespace ensemblekit {

namespace simd {

template <>
const BinningKernels<float>& binning_kernels<float>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
  if (isa >= Isa::kAvx2) return avx2::kBinningF32;
#endif
  (void)isa;
  return scalar::kBinningF32;
}

template <>
const BinningKernels<double>& binning_kernels<double>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
  if (isa >= Isa::kAvx2) return avx2::kBinningF64;
#endif
  (void)isa;
  return scalar::kBinningF64;
}

}  // namespace simd

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Category ids below this get a direct one-byte-per-id table (64 KiB at most); larger ids, which
// hashed or database keys produce, fall back to bisection over the <= 255 mapped categories.
constexpr int kMaxDenseCategory = 1 << 16;

// A threshold t with a <= t < b for sample neighbours a < b, as close to their midpoint as doubles
// allow. The midpoint is what LightGBM and XGBoost use (an unseen value between two sampled ones
// goes to the nearer); the guards keep the contract when rounding or infinities break the plain
// formula: (a + b) / 2 overflows for huge magnitudes, rounds onto b for adjacent doubles, and is
// +inf when b is +inf, which would merge +inf into the bin of the largest finite value.
double split_point(double a, double b) {
  if (b == kInf) return a < std::numeric_limits<double>::max() ? std::numeric_limits<double>::max() : a;
  if (a == -kInf) return -kInf;  // -inf alone below every finite value
  const double d = b - a;
  double t = std::isfinite(d) ? a + 0.5 * d : 0.5 * a + 0.5 * b;
  if (!(t < b)) t = a;
  if (t < a) t = a;
  return t;
}

// Moves the non-NaN values of [values, values + n) to the front and returns how many there are.
template <class T>
int64_t compact_non_nan(T* values, int64_t n) {
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T v = values[i];
    values[m] = v;
    m += (v == v) ? 1 : 0;
  }
  return m;
}

// Below this many values std::sort wins over the radix sort's fixed histogram cost.
constexpr int64_t kRadixSortMin = 1024;

// Order-preserving map from a non-NaN float or double to an unsigned key of the same width: flip
// all bits of negatives (their magnitude order is reversed) and the sign bit of the rest. -0.0 sorts
// just before +0.0; the two still compare equal, so they form one distinct value.
template <class T>
struct SortKey {
  using Key = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  static constexpr Key kSign = Key{1} << (8 * sizeof(T) - 1);
  static Key encode(T v) {
    Key bits;
    std::memcpy(&bits, &v, sizeof(bits));
    return (bits & kSign) != 0 ? static_cast<Key>(~bits) : static_cast<Key>(bits | kSign);
  }
  static T decode(Key key) {
    const Key bits = (key & kSign) != 0 ? static_cast<Key>(key & ~kSign) : static_cast<Key>(~key);
    T v;
    std::memcpy(&v, &bits, sizeof(v));
    return v;
  }
};

// Sorts non-NaN values ascending, in place. Sorting the sample is the main cost of finding bounds
// (28 features x 200k values: ~430 ms with std::sort on one core), so an LSD radix sort on the keys
// above, 11 bits a pass (3 passes for float32, 6 for float64), all digit histograms in one read. A
// pass whose digit is the same for every value is skipped, which drops the top passes for values of
// one sign and magnitude range. Scratch is left uninitialised: zero-filling it would only add page
// faults.
template <class T>
void sort_values(T* values, int64_t n) {
  if (n < kRadixSortMin) {
    std::sort(values, values + n);
    return;
  }
  using Key = typename SortKey<T>::Key;
  constexpr int kDigitBits = 11;
  constexpr int kBits = 8 * static_cast<int>(sizeof(Key));
  constexpr int kPasses = (kBits + kDigitBits - 1) / kDigitBits;
  constexpr int kBuckets = 1 << kDigitBits;
  constexpr Key kMask = kBuckets - 1;
  std::unique_ptr<Key[]> keys(new Key[static_cast<size_t>(n)]);
  std::unique_ptr<Key[]> scratch(new Key[static_cast<size_t>(n)]);
  std::vector<int64_t> counts(static_cast<size_t>(kPasses) * kBuckets, 0);
  for (int64_t i = 0; i < n; ++i) {
    const Key key = SortKey<T>::encode(values[i]);
    keys[i] = key;
    for (int p = 0; p < kPasses; ++p) ++counts[static_cast<size_t>(p * kBuckets) + ((key >> (p * kDigitBits)) & kMask)];
  }
  Key* src = keys.get();
  Key* dst = scratch.get();
  for (int p = 0; p < kPasses; ++p) {
    int64_t* offsets = counts.data() + static_cast<size_t>(p) * kBuckets;
    if (offsets[(src[0] >> (p * kDigitBits)) & kMask] == n) continue;
    int64_t sum = 0;
    for (int b = 0; b < kBuckets; ++b) {
      const int64_t c = offsets[b];
      offsets[b] = sum;
      sum += c;
    }
    for (int64_t i = 0; i < n; ++i) {
      const Key key = src[i];
      dst[offsets[(key >> (p * kDigitBits)) & kMask]++] = key;
    }
    std::swap(src, dst);
  }
  for (int64_t i = 0; i < n; ++i) values[i] = SortKey<T>::decode(src[i]);
}

// Greedy equal-count cuts over sorted distinct values with counts (more distinct values than
// max_bin). Returns the indices i after which a bin closes (a bound goes between distinct[i] and
// distinct[i + 1]); at most max_bin - 1 of them.
std::vector<int64_t> greedy_cuts(const std::vector<int64_t>& counts, int64_t total, int max_bin,
                                 int min_data_in_bin) {
  const int64_t n = static_cast<int64_t>(counts.size());
  // A small sample cannot fill max_bin bins with min_data_in_bin values each: ask for fewer.
  const int64_t budget = std::max<int64_t>(1, std::min<int64_t>(max_bin, total / min_data_in_bin));
  std::vector<int64_t> cuts;
  if (budget <= 1) return cuts;

  // Values that alone hold a full bin's share are "heavy" and get a bin of their own; the rest of
  // the budget is spread evenly over the rest of the mass (LightGBM's rule, so a spike such as
  // zero-inflation does not swallow its neighbours nor starve the tails of bins).
  const double mean_all = static_cast<double>(total) / static_cast<double>(budget);
  std::vector<uint8_t> heavy(static_cast<size_t>(n), 0);
  int64_t rest_bins = budget;
  int64_t rest_count = total;
  for (int64_t i = 0; i < n; ++i) {
    if (static_cast<double>(counts[i]) >= mean_all) {
      heavy[i] = 1;
      --rest_bins;
      rest_count -= counts[i];
    }
  }
  auto share = [&] { return rest_bins > 0 ? static_cast<double>(rest_count) / static_cast<double>(rest_bins) : kInf; };
  double mean = share();

  int64_t in_bin = 0;
  int64_t closed_count = 0;  // values in closed bins, to check the tail's size at the end
  for (int64_t i = 0; i + 1 < n; ++i) {
    in_bin += counts[i];
    if (!heavy[i]) rest_count -= counts[i];
    // Close before a heavy neighbour once this bin has half a share, so the heavy value stands alone
    // instead of absorbing what precedes it.
    const bool full = heavy[i] || static_cast<double>(in_bin) >= mean ||
                      (heavy[i + 1] && static_cast<double>(in_bin) >= std::max(1.0, 0.5 * mean));
    if (full && in_bin >= min_data_in_bin) {
      cuts.push_back(i);
      closed_count += in_bin;
      in_bin = 0;
      if (!heavy[i]) {
        --rest_bins;
        mean = share();
      }
      if (static_cast<int64_t>(cuts.size()) >= budget - 1) break;
    }
  }
  // The last bin takes whatever is left; merge it into its neighbour if that is too little.
  if (!cuts.empty() && total - closed_count < min_data_in_bin) cuts.pop_back();
  return cuts;
}

template <class T>
int search_bin(const T* s, int steps, T v) {
  int idx = 0;
  for (int k = steps - 1; k >= 0; --k) {
    const int step = 1 << k;
    idx += static_cast<int>(s[idx + step - 1] < v) << k;
  }
  return idx;
}

}  // namespace

float round_down_to_float(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

void BinConfig::validate(int64_t cols) const {
  if (max_bin < 2 || max_bin > BinMapper::kMaxValueBins) {
    throw InvalidParameter("Expected an integer in [2, 255] for max_bin but received " + std::to_string(max_bin));
  }
  if (min_data_in_bin < 1) {
    throw InvalidParameter("Expected a positive integer for min_data_in_bin but received " +
                           std::to_string(min_data_in_bin));
  }
  if (sample_rows < 1) {
    throw InvalidParameter("Expected a positive integer for sample_rows but received " + std::to_string(sample_rows));
  }
  for (const int c : categorical) {
    if (c < 0 || c >= cols) {
      throw InvalidParameter("Expected column indices in [0, " + std::to_string(cols) +
                             ") for categorical but received " + std::to_string(c));
    }
  }
}

BinMapper::BinMapper() { finalize(); }

BinMapper BinMapper::find_numerical(std::vector<double> values, int max_bin, int min_data_in_bin) {
  return find_numerical(values.data(), static_cast<int64_t>(values.size()), max_bin, min_data_in_bin);
}

template <class T>
BinMapper BinMapper::find_numerical_impl(T* values, int64_t n, int max_bin, int min_data_in_bin) {
  if (max_bin < 2 || max_bin > kMaxValueBins) throw InvalidParameter("max_bin must be in [2, 255]");
  if (min_data_in_bin < 1) throw InvalidParameter("min_data_in_bin must be positive");
  const int64_t m = compact_non_nan(values, n);
  sort_values(values, m);

  // Distinct values are compacted to the front of the (sorted) buffer in place; their counts are
  // only needed, and only stored, when there are more of them than bins.
  int64_t nd = 0;
  for (int64_t i = 0; i < m; ++i) nd += (i == 0 || values[i] != values[i - 1]) ? 1 : 0;  // -0.0 == 0.0
  std::vector<int64_t> counts;
  if (nd > max_bin) counts.reserve(static_cast<size_t>(nd));
  int64_t write = 0;
  for (int64_t i = 0; i < m;) {
    int64_t j = i + 1;
    while (j < m && values[j] == values[i]) ++j;
    values[write++] = values[i];
    if (nd > max_bin) counts.push_back(j - i);
    i = j;
  }

  BinMapper mapper;
  std::vector<double> bounds;
  auto between = [&](int64_t i) {
    return split_point(static_cast<double>(values[i]), static_cast<double>(values[i + 1]));
  };
  if (nd <= max_bin) {
    for (int64_t i = 0; i + 1 < nd; ++i) bounds.push_back(between(i));
  } else {
    for (const int64_t i : greedy_cuts(counts, m, max_bin, min_data_in_bin)) bounds.push_back(between(i));
  }
  bounds.push_back(kInf);
  mapper.kind_ = BinKind::kNumerical;
  mapper.upper_bounds_ = std::move(bounds);
  mapper.num_value_bins_ = static_cast<int>(mapper.upper_bounds_.size());
  mapper.trivial_ = nd <= 1;
  mapper.finalize();
  return mapper;
}

BinMapper BinMapper::find_numerical(double* values, int64_t n, int max_bin, int min_data_in_bin) {
  return find_numerical_impl(values, n, max_bin, min_data_in_bin);
}

BinMapper BinMapper::find_numerical(float* values, int64_t n, int max_bin, int min_data_in_bin) {
  return find_numerical_impl(values, n, max_bin, min_data_in_bin);
}

template <class T>
BinMapper BinMapper::find_categorical_impl(const T* values, int64_t n, int max_bin) {
  if (max_bin < 2 || max_bin > kMaxValueBins) throw InvalidParameter("max_bin must be in [2, 255]");
  std::vector<int> ids;
  ids.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(values[i]);
    if (v == v && is_valid_category(v)) ids.push_back(static_cast<int>(v));
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::pair<int64_t, int>> by_count;  // (count, category)
  for (size_t i = 0; i < ids.size();) {
    size_t j = i + 1;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    by_count.emplace_back(static_cast<int64_t>(j - i), ids[i]);
    i = j;
  }
  // Most frequent first; ties by smaller id, so the order is a function of the counts alone.
  std::sort(by_count.begin(), by_count.end(), [](const std::pair<int64_t, int>& a, const std::pair<int64_t, int>& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  const size_t kept = std::min(by_count.size(), static_cast<size_t>(max_bin));
  BinMapper mapper;
  mapper.kind_ = BinKind::kCategorical;
  mapper.categories_.resize(kept);
  for (size_t i = 0; i < kept; ++i) mapper.categories_[i] = by_count[i].second;
  mapper.upper_bounds_.clear();
  // No category at all still needs one (empty) value bin so that missing_bin() > 0 and ids stay
  // uniform with numerical features.
  mapper.num_value_bins_ = std::max(1, static_cast<int>(kept));
  if (kept == 0) mapper.categories_.assign(1, -1);
  mapper.trivial_ = by_count.size() <= 1;
  mapper.finalize();
  return mapper;
}

BinMapper BinMapper::find_categorical(const double* values, int64_t n, int max_bin) {
  return find_categorical_impl(values, n, max_bin);
}

BinMapper BinMapper::find_categorical(const float* values, int64_t n, int max_bin) {
  return find_categorical_impl(values, n, max_bin);
}

BinMapper BinMapper::from_upper_bounds(std::vector<double> upper_bounds) {
  const size_t n = upper_bounds.size();
  if (n < 1 || n > static_cast<size_t>(kMaxValueBins)) {
    throw InvalidInput("Expected 1 to 255 bin upper bounds but received " + std::to_string(n));
  }
  if (upper_bounds.back() != kInf) throw InvalidInput("Expected the last bin upper bound to be +inf");
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!(upper_bounds[i] < upper_bounds[i + 1])) {
      throw InvalidInput("Expected strictly increasing bin upper bounds, but bound " + std::to_string(i + 1) +
                         " does not exceed bound " + std::to_string(i));
    }
  }
  BinMapper mapper;
  mapper.kind_ = BinKind::kNumerical;
  mapper.num_value_bins_ = static_cast<int>(n);
  mapper.trivial_ = n <= 1;
  mapper.upper_bounds_ = std::move(upper_bounds);
  mapper.finalize();
  return mapper;
}

BinMapper BinMapper::from_categories(std::vector<int> categories) {
  if (categories.size() > static_cast<size_t>(kMaxValueBins)) {
    throw InvalidInput("Expected at most 255 categories but received " + std::to_string(categories.size()));
  }
  std::vector<int> sorted = categories;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty() && sorted.front() < 0) {
    throw InvalidInput("Expected non-negative categories but received " + std::to_string(sorted.front()));
  }
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw InvalidInput("Expected distinct categories but received a duplicate");
  }
  BinMapper mapper;
  mapper.kind_ = BinKind::kCategorical;
  mapper.upper_bounds_.clear();
  mapper.trivial_ = categories.size() <= 1;
  mapper.num_value_bins_ = std::max<int>(1, static_cast<int>(categories.size()));
  if (categories.empty()) categories.assign(1, -1);
  mapper.categories_ = std::move(categories);
  mapper.finalize();
  return mapper;
}

void BinMapper::finalize() {
  table_f64_.clear();
  table_f32_.clear();
  dense_category_bins_.clear();
  sorted_categories_.clear();
  sorted_category_bins_.clear();
  search_steps_ = 0;
  if (kind_ == BinKind::kNumerical) {
    const int splits = num_value_bins_ - 1;  // the +inf bound is never searched
    while ((1 << search_steps_) - 1 < splits) ++search_steps_;
    const size_t size = static_cast<size_t>(simd::binning_table_size(search_steps_));
    table_f64_.assign(size, kInf);
    table_f32_.assign(size, std::numeric_limits<float>::infinity());
    double* search64 = table_f64_.data() + simd::kTablePivots;
    float* search32 = table_f32_.data() + simd::kTablePivots;
    for (int i = 0; i < splits; ++i) {
      search64[i] = upper_bounds_[static_cast<size_t>(i)];
      search32[i] = round_down_to_float(upper_bounds_[static_cast<size_t>(i)]);
    }
    const int segments = (1 << search_steps_) / simd::kTableSegment;
    for (int j = 0; j < segments; ++j) {
      table_f64_[static_cast<size_t>(j)] = search64[simd::kTableSegment * j + simd::kTableSegment - 1];
      table_f32_[static_cast<size_t>(j)] = search32[simd::kTableSegment * j + simd::kTableSegment - 1];
    }
    return;
  }
  int max_category = -1;
  for (const int c : categories_) max_category = std::max(max_category, c);
  const uint8_t missing = static_cast<uint8_t>(num_value_bins_);
  if (max_category < kMaxDenseCategory) {
    dense_category_bins_.assign(static_cast<size_t>(max_category + 1), missing);
    for (size_t b = 0; b < categories_.size(); ++b) {
      if (categories_[b] >= 0) dense_category_bins_[categories_[b]] = static_cast<uint8_t>(b);
    }
  } else {
    std::vector<std::pair<int, uint8_t>> pairs;
    for (size_t b = 0; b < categories_.size(); ++b) {
      if (categories_[b] >= 0) pairs.emplace_back(categories_[b], static_cast<uint8_t>(b));
    }
    std::sort(pairs.begin(), pairs.end());
    for (const auto& p : pairs) {
      sorted_categories_.push_back(p.first);
      sorted_category_bins_.push_back(p.second);
    }
  }
}

int BinMapper::value_to_bin(double v) const {
  if (v != v) return missing_bin();
  if (kind_ == BinKind::kNumerical) return search_bin(table_f64_.data() + simd::kTablePivots, search_steps_, v);
  if (!is_valid_category(v)) return missing_bin();
  return bin_of_category(static_cast<int>(v));
}

double BinMapper::bin_upper_bound(int bin) const {
  if (kind_ != BinKind::kNumerical || bin < 0 || bin >= num_value_bins_) return kInf;
  return upper_bounds_[static_cast<size_t>(bin)];
}

int BinMapper::category_of_bin(int bin) const {
  if (kind_ != BinKind::kCategorical || bin < 0 || bin >= static_cast<int>(categories_.size())) return -1;
  return categories_[static_cast<size_t>(bin)];
}

int BinMapper::bin_of_category(int category) const {
  if (kind_ != BinKind::kCategorical || category < 0) return missing_bin();
  if (!dense_category_bins_.empty() || sorted_categories_.empty()) {
    return static_cast<size_t>(category) < dense_category_bins_.size() ? dense_category_bins_[category]
                                                                        : missing_bin();
  }
  const auto it = std::lower_bound(sorted_categories_.begin(), sorted_categories_.end(), category);
  if (it == sorted_categories_.end() || *it != category) return missing_bin();
  return sorted_category_bins_[static_cast<size_t>(it - sorted_categories_.begin())];
}

void BinMapper::map_strided(const float* x, int64_t n, int64_t stride, uint8_t* out) const {
  simd::binning_kernels<float>(simd::active_isa())
      .map_bins(x, n, stride, table_f32_.data(), search_steps_, static_cast<uint8_t>(missing_bin()), out);
}

void BinMapper::map_strided(const double* x, int64_t n, int64_t stride, uint8_t* out) const {
  simd::binning_kernels<double>(simd::active_isa())
      .map_bins(x, n, stride, table_f64_.data(), search_steps_, static_cast<uint8_t>(missing_bin()), out);
}

template <class T>
int64_t BinMapper::map_categorical_impl(const T* x, int64_t n, int64_t stride, uint8_t* out) const {
  const uint8_t missing = static_cast<uint8_t>(missing_bin());
  int64_t first_bad = -1;
  const bool dense = !dense_category_bins_.empty() || sorted_categories_.empty();
  const uint8_t* table = dense_category_bins_.data();
  const uint64_t table_size = dense_category_bins_.size();
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<double>(x[i * stride]);
    uint8_t bin = missing;
    if (v == v) {
      if (!is_valid_category(v)) {
        if (first_bad < 0) first_bad = i;
      } else if (dense) {
        const uint64_t c = static_cast<uint64_t>(v);
        if (c < table_size) bin = table[c];
      } else {
        bin = static_cast<uint8_t>(bin_of_category(static_cast<int>(v)));
      }
    }
    out[i * stride] = bin;
  }
  return first_bad;
}

int64_t BinMapper::map_categorical_strided(const float* x, int64_t n, int64_t stride, uint8_t* out) const {
  return map_categorical_impl(x, n, stride, out);
}

int64_t BinMapper::map_categorical_strided(const double* x, int64_t n, int64_t stride, uint8_t* out) const {
  return map_categorical_impl(x, n, stride, out);
}

size_t BinMapper::memory_bytes() const {
  return upper_bounds_.capacity() * sizeof(double) + table_f64_.capacity() * sizeof(double) +
         table_f32_.capacity() * sizeof(float) + categories_.capacity() * sizeof(int) +
         dense_category_bins_.capacity() + sorted_categories_.capacity() * sizeof(int) +
         sorted_category_bins_.capacity();
}

std::string BinMapper::describe() const {
  std::ostringstream os;
  os.precision(17);
  os << (is_categorical() ? "categorical" : "numerical") << ", " << num_value_bins_ << " value bins"
     << (trivial_ ? " (trivial)" : "") << ", missing bin " << missing_bin() << ": ";
  const size_t shown = 8;
  if (is_categorical()) {
    os << "categories [";
    for (size_t i = 0; i < categories_.size() && i < shown; ++i) os << (i ? ", " : "") << categories_[i];
    os << (categories_.size() > shown ? ", ...]" : "]");
  } else {
    os << "upper bounds [";
    for (size_t i = 0; i < upper_bounds_.size() && i < shown; ++i) os << (i ? ", " : "") << upper_bounds_[i];
    os << (upper_bounds_.size() > shown ? ", ..., inf]" : "]");
  }
  return os.str();
}

}  // namespace ensemblekit
