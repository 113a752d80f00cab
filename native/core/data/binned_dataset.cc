#include "binned_dataset.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "../errors.h"
#include "../memory.h"
#include "../parallel/parallel_for.h"

namespace ensemblekit {

namespace {

// Column-major sample buffer budget while finding mappers: features are processed in groups whose
// sampled columns fit here (40 float32 features of a 200k-row sample), so wide data does not hold a
// transposed copy of the whole sample. A group is never narrower than the thread count.
constexpr int64_t kSampleBufferBytes = int64_t{32} << 20;
// Sampled rows per gather task, and how many sampled rows ahead the gather prefetches.
constexpr int64_t kGatherGrain = 8192;
constexpr int64_t kPrefetchRows = 64;
// Input bytes per mapping task: about 0.2 ms of work, fine-grained enough to poll for cancel and to
// balance threads, coarse enough that scheduling costs nothing.
constexpr int64_t kTaskBytes = int64_t{256} << 10;
// Input bytes of a sub-block mapped column by column: it stays in L1 while every column is read.
constexpr int64_t kSubBlockBytes = int64_t{16} << 10;
// Share of the progress bar given to finding mappers (sorting the sample) vs mapping every cell.
constexpr double kMapperProgressShare = 0.3;

// splitmix64: tiny, and the same numbers on every platform and standard library, which
// std::uniform_*_distribution does not promise.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 0);
#else
  (void)p;
#endif
}

std::string format_value(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

}  // namespace

void* allocate_large_buffer(size_t bytes) {
#if defined(__linux__)
  if (bytes >= kHugePageMinBytes) {
    constexpr size_t kHugePage = size_t{2} << 20;
    const size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    advise_huge_pages(p, rounded);
    return p;
  }
#endif
  return ::operator new(bytes);
}

void free_large_buffer(void* p, size_t bytes) noexcept {
#if defined(__linux__)
  if (bytes >= kHugePageMinBytes) {
    std::free(p);
    return;
  }
#endif
  ::operator delete(p);
}

std::vector<int64_t> sample_rows_for_binning(int64_t rows, int64_t sample_rows, uint64_t seed) {
  std::vector<int64_t> picked;
  if (rows <= sample_rows) return picked;
  // Selection sampling (Knuth's Algorithm S): row i is kept with probability needed / remaining,
  // which gives every subset of the requested size the same chance, in one ascending pass.
  picked.reserve(static_cast<size_t>(sample_rows));
  SplitMix64 rng(seed);
  int64_t needed = sample_rows;
  for (int64_t i = 0; i < rows && needed > 0; ++i) {
    const int64_t remaining = rows - i;
    if (rng.uniform() * static_cast<double>(remaining) < static_cast<double>(needed)) {
      picked.push_back(i);
      --needed;
    }
  }
  return picked;
}

BinnedDataset::BinnedDataset(std::shared_ptr<const std::vector<BinMapper>> mappers, int64_t rows, int64_t cols)
    : mappers_(std::move(mappers)), rows_(rows), cols_(cols) {
  num_bins_.resize(static_cast<size_t>(cols));
  missing_bins_.resize(static_cast<size_t>(cols));
  bin_offsets_.assign(static_cast<size_t>(cols) + 1, 0);
  for (int64_t c = 0; c < cols; ++c) {
    const BinMapper& m = (*mappers_)[static_cast<size_t>(c)];
    num_bins_[c] = m.num_bins();
    missing_bins_[c] = m.missing_bin();
    bin_offsets_[c + 1] = bin_offsets_[c] + m.num_bins();
  }
}

BinnedDataset BinnedDataset::build(const DenseMatrix& x, const BinConfig& config, const WorkControl& control) {
  validate_matrix(x, "X");
  config.validate(x.cols);
  const int threads = resolve_threads(config.n_threads);
  const int64_t rows = x.rows;
  const int64_t cols = x.cols;
  std::vector<uint8_t> categorical(static_cast<size_t>(cols), 0);
  for (const int c : config.categorical) categorical[static_cast<size_t>(c)] = 1;

  control.check();
  control.progress(0.0, "binning");
  const std::vector<int64_t> sample = sample_rows_for_binning(rows, config.sample_rows, config.seed);
  const int64_t n_sample = sample.empty() ? rows : static_cast<int64_t>(sample.size());

  // Features in groups: gather the group's sampled columns into a column-major scratch buffer of the
  // input's type (one forward pass over the sampled rows, instead of one strided pass per feature),
  // then fit each column's mapper in parallel, sorting the buffer in place. The buffer is allocated
  // once and not zeroed (LargeBufferAllocator): every element is written by the gather.
  const int64_t elem = static_cast<int64_t>(dtype_size(x.dtype));
  int64_t group = std::max<int64_t>(1, kSampleBufferBytes / (n_sample * elem));
  group = std::min<int64_t>(cols, std::max<int64_t>(group, threads));
  std::vector<BinMapper> mappers(static_cast<size_t>(cols));
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    std::vector<T, LargeBufferAllocator<T>> buffer(static_cast<size_t>(group * n_sample));
    for (int64_t c0 = 0; c0 < cols; c0 += group) {
      const int64_t c1 = std::min(cols, c0 + group);
      const int64_t width = c1 - c0;
      parallel_blocks(n_sample, kGatherGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
        control.check();
        for (int64_t i = lo; i < hi; ++i) {
          const int64_t r = sample.empty() ? i : sample[static_cast<size_t>(i)];
          const T* src = data + r * cols + c0;
          // Sampled rows are far apart, irregularly: the hardware prefetcher cannot follow, so the
          // gather would wait on DRAM once per row. 64 rows ahead is past DRAM latency at this loop's
          // pace (measured: mapper phase 73 ms without useful prefetch, 54 ms with it, 1M x 28).
          if (i + kPrefetchRows < hi) {
            const int64_t ahead = sample.empty() ? i + kPrefetchRows : sample[static_cast<size_t>(i + kPrefetchRows)];
            const char* p = reinterpret_cast<const char*>(data + ahead * cols + c0);
            for (int64_t b = 0; b < width * static_cast<int64_t>(sizeof(T)); b += 64) prefetch(p + b);
          }
          for (int64_t k = 0; k < width; ++k) buffer[static_cast<size_t>(k * n_sample + i)] = src[k];
        }
      });
      parallel_for(c0, c1, threads, [&](int64_t c) {
        control.check();
        T* column = buffer.data() + (c - c0) * n_sample;
        mappers[static_cast<size_t>(c)] = categorical[static_cast<size_t>(c)]
                                              ? BinMapper::find_categorical(column, n_sample, config.max_bin)
                                              : BinMapper::find_numerical(column, n_sample, config.max_bin,
                                                                          config.min_data_in_bin);
      });
      control.check();
      control.progress(kMapperProgressShare * static_cast<double>(c1) / static_cast<double>(cols), "binning");
    }
  });

  BinnedDataset ds(std::make_shared<const std::vector<BinMapper>>(std::move(mappers)), rows, cols);
  ds.map_all(x, threads, control, kMapperProgressShare, 1.0);
  return ds;
}

BinnedDataset BinnedDataset::bin_matrix(const DenseMatrix& x, int n_threads, const WorkControl& control) const {
  return from_mappers(mappers_, x, n_threads, control);
}

BinnedDataset BinnedDataset::from_mappers(std::shared_ptr<const std::vector<BinMapper>> mappers,
                                          const DenseMatrix& x, int n_threads, const WorkControl& control) {
  validate_matrix(x, "X");
  if (!mappers || static_cast<int64_t>(mappers->size()) != x.cols) {
    throw InvalidInput("Expected " + std::to_string(mappers ? mappers->size() : 0) +
                       " columns for X (as in the binned training data) but received " + std::to_string(x.cols));
  }
  BinnedDataset ds(std::move(mappers), x.rows, x.cols);
  control.check();
  control.progress(0.0, "binning");
  ds.map_all(x, resolve_threads(n_threads), control, 0.0, 1.0);
  return ds;
}

void BinnedDataset::map_all(const DenseMatrix& x, int threads, const WorkControl& control, double progress_lo,
                            double progress_hi) {
  const int64_t rows = rows_;
  const int64_t cols = cols_;
  const std::vector<BinMapper>& mappers = *mappers_;
  bins_.resize(static_cast<size_t>(rows * cols));
  uint8_t* out = bins_.data();

  const int64_t row_bytes = cols * static_cast<int64_t>(dtype_size(x.dtype));
  const int64_t task_rows = std::max<int64_t>(64, kTaskBytes / row_bytes);
  const int64_t sub_rows = std::max<int64_t>(16, kSubBlockBytes / row_bytes);
  const int64_t tasks = block_count(rows, task_rows);
  // Waves of tasks let the calling thread report progress and stop between them; a few tasks per
  // thread per wave keeps the join cost and the imbalance at the wave's end small.
  const int64_t wave = std::max<int64_t>(1, static_cast<int64_t>(threads) * 8);
  // First invalid categorical cell of each task as (row, col), -1 when none. Tasks run in row order
  // and each keeps its row-major first, so the first task with one holds the first of X: the error
  // names the same cell whatever the thread count.
  std::vector<std::pair<int64_t, int64_t>> bad(static_cast<size_t>(std::min(wave, tasks)), {-1, -1});

  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* data = x.typed<T>();
    for (int64_t w0 = 0; w0 < tasks; w0 += wave) {
      const int64_t w1 = std::min(tasks, w0 + wave);
      std::fill(bad.begin(), bad.end(), std::make_pair(int64_t{-1}, int64_t{-1}));
      parallel_for(w0, w1, threads, [&](int64_t t) {
        control.check();
        const int64_t lo = t * task_rows;
        const int64_t hi = std::min(rows, lo + task_rows);
        std::pair<int64_t, int64_t>& first_bad = bad[static_cast<size_t>(t - w0)];
        for (int64_t s0 = lo; s0 < hi; s0 += sub_rows) {
          const int64_t n = std::min(hi, s0 + sub_rows) - s0;
          const T* src = data + s0 * cols;
          uint8_t* dst = out + s0 * cols;
          for (int64_t c = 0; c < cols; ++c) {
            const BinMapper& m = mappers[static_cast<size_t>(c)];
            if (!m.is_categorical()) {
              m.map_strided(src + c, n, cols, dst + c);
              continue;
            }
            const int64_t i = m.map_categorical_strided(src + c, n, cols, dst + c);
            if (i >= 0 && (first_bad.first < 0 || s0 + i < first_bad.first ||
                           (s0 + i == first_bad.first && c < first_bad.second))) {
              first_bad = {s0 + i, c};
            }
          }
          if (first_bad.first >= 0) return;  // the rest of this task cannot hold an earlier cell
        }
      });
      for (const auto& b : bad) {
        if (b.first < 0) continue;
        const double v = static_cast<double>(data[b.first * cols + b.second]);
        throw InvalidInput("Expected a non-negative integer or NaN in categorical column " + std::to_string(b.second) +
                           " of X but received " + format_value(v) + " at row " + std::to_string(b.first));
      }
      control.check();
      control.progress(progress_lo + (progress_hi - progress_lo) * static_cast<double>(w1) / static_cast<double>(tasks),
                       "binning");
    }
  });
}

size_t BinnedDataset::memory_bytes() const {
  size_t bytes = bins_.capacity() + num_bins_.capacity() * sizeof(int) + missing_bins_.capacity() * sizeof(int) +
                 bin_offsets_.capacity() * sizeof(int64_t);
  if (mappers_) {
    bytes += mappers_->capacity() * sizeof(BinMapper);
    for (const BinMapper& m : *mappers_) bytes += m.memory_bytes();
  }
  return bytes;
}

}  // namespace ensemblekit
