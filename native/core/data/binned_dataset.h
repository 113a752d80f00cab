// X discretised once into uint8 bins (one BinMapper per feature), the shared input of every
// histogram tree learner (GBDT, random forest, extra trees). Built once, reused across fits.
//
// Layout: row-major, rows x features bytes, one row's bins contiguous. Histogram building walks the
// rows of a node (an arbitrary, shrinking subset after the first splits) and adds each row's
// gradient to all of its features' histograms; with rows contiguous that is one short sequential
// read per row, where a column-major store costs one scattered read per (row, feature). XGBoost's
// histogram index is row-wise for this reason; LightGBM times both layouts and keeps column-wise only
// when few features or feature-parallel histogram building make per-feature arrays cheaper. A
// column-major copy can be derived later if a learner needs one; none does now.
//
// Determinism: the bins depend on X, the config and the seed only, never on n_threads (the sample is
// drawn on the calling thread, each mapper is computed independently, mapping is element-wise).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "../parallel/work_control.h"
#include "bin_mapper.h"
#include "matrix_view.h"

namespace ensemblekit {

// Raw storage for large, fully overwritten buffers (the bin matrix, the sample scratch). Blocks of
// at least kHugePageMinBytes are 2 MiB-aligned and, on Linux, advised for transparent huge pages:
// one page fault per 2 MiB instead of per 4 KiB (first touch of 28 MB measured 85 ms -> 2 ms in a VM
// where faults are dear) and far fewer TLB misses when histogram building reads rows in random
// order. Smaller blocks, and other systems, use plain operator new.
constexpr size_t kHugePageMinBytes = size_t{8} << 20;
void* allocate_large_buffer(size_t bytes);
void free_large_buffer(void* p, size_t bytes) noexcept;

// std::allocator's contract with two changes: memory comes from allocate_large_buffer, and resize()
// default-initialises (leaves bytes as they are) instead of zeroing, because the mapping pass writes
// every byte anyway, in parallel, and a zeroing pass would be serial.
template <class T>
struct LargeBufferAllocator {
  using value_type = T;
  LargeBufferAllocator() = default;
  template <class U>
  LargeBufferAllocator(const LargeBufferAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(allocate_large_buffer(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { free_large_buffer(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T, class U>
bool operator==(const LargeBufferAllocator<T>&, const LargeBufferAllocator<U>&) {
  return true;
}
template <class T, class U>
bool operator!=(const LargeBufferAllocator<T>&, const LargeBufferAllocator<U>&) {
  return false;
}

// The bin matrix: a std::vector of bytes, allocated as above.
using BinStorage = std::vector<uint8_t, LargeBufferAllocator<uint8_t>>;

class BinnedDataset {
 public:
  BinnedDataset() = default;

  // Finds every feature's mapper (features in parallel, from a seeded sample of at most
  // config.sample_rows rows), then bins every cell (row blocks in parallel).
  // Throws InvalidInput for an unreadable X (null, empty, rows * cols overflow) or a categorical
  // column holding something other than a non-negative integer or NaN (the message names the first
  // such cell in row-major order); InvalidParameter for a bad config; Aborted when control is
  // cancelled (polled between features and row blocks). Progress is reported as "binning".
  static BinnedDataset build(const DenseMatrix& x, const BinConfig& config,
                             const WorkControl& control = WorkControl::none());

  // Bins a new matrix (a validation or test set) with this dataset's mappers, which the result
  // shares. Throws InvalidInput when X's column count differs or a categorical cell is invalid.
  BinnedDataset bin_matrix(const DenseMatrix& x, int n_threads = 0,
                           const WorkControl& control = WorkControl::none()) const;

  // Bins X with given mappers (one per column), e.g. mappers read back from a saved model.
  static BinnedDataset from_mappers(std::shared_ptr<const std::vector<BinMapper>> mappers, const DenseMatrix& x,
                                    int n_threads = 0, const WorkControl& control = WorkControl::none());

  int64_t num_rows() const { return rows_; }
  int64_t num_features() const { return cols_; }

  // rows x features bins, row-major.
  const BinStorage& bins() const { return bins_; }
  const uint8_t* row(int64_t r) const { return bins_.data() + r * cols_; }
  uint8_t bin(int64_t r, int64_t c) const { return bins_[static_cast<size_t>(r * cols_ + c)]; }

  const BinMapper& mapper(int64_t c) const { return (*mappers_)[static_cast<size_t>(c)]; }
  const std::vector<BinMapper>& mappers() const { return *mappers_; }
  const std::shared_ptr<const std::vector<BinMapper>>& shared_mappers() const { return mappers_; }

  // Per feature: histogram size (value bins + missing bin) and the missing bin's id.
  int num_bins(int64_t c) const { return num_bins_[static_cast<size_t>(c)]; }
  int missing_bin(int64_t c) const { return missing_bins_[static_cast<size_t>(c)]; }
  const std::vector<int>& feature_num_bins() const { return num_bins_; }
  const std::vector<int>& feature_missing_bins() const { return missing_bins_; }
  // Start of each feature's histogram in one flat histogram of total_bins() entries (size
  // features + 1; feature c owns [bin_offsets()[c], bin_offsets()[c + 1])).
  const std::vector<int64_t>& bin_offsets() const { return bin_offsets_; }
  int64_t total_bins() const { return bin_offsets_.empty() ? 0 : bin_offsets_.back(); }

  // Heap bytes: the bins, the per-feature tables and the mappers (which bin_matrix results share).
  size_t memory_bytes() const;

 private:
  BinnedDataset(std::shared_ptr<const std::vector<BinMapper>> mappers, int64_t rows, int64_t cols);

  // Bins every cell of x into bins_, reporting progress over [progress_lo, progress_hi].
  void map_all(const DenseMatrix& x, int threads, const WorkControl& control, double progress_lo,
               double progress_hi);

  std::shared_ptr<const std::vector<BinMapper>> mappers_ = std::make_shared<const std::vector<BinMapper>>();
  int64_t rows_ = 0;
  int64_t cols_ = 0;
  BinStorage bins_;
  std::vector<int> num_bins_;
  std::vector<int> missing_bins_;
  std::vector<int64_t> bin_offsets_{0};
};

// The rows a mapper is fitted on: all of [0, rows) when rows <= sample_rows (returned empty, meaning
// "every row"), otherwise sample_rows distinct rows drawn uniformly with the given seed, ascending
// (so reading them walks X forward). Exposed for tests.
std::vector<int64_t> sample_rows_for_binning(int64_t rows, int64_t sample_rows, uint64_t seed);

}  // namespace ensemblekit
