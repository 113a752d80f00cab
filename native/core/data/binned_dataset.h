// X discretised once into uint8 bins (one BinMapper per feature), the shared input of every
// histogram tree learner (GBDT, random forest, extra trees). Built once, reused across fits.
//
// Layout: row-major, rows x features bytes, one row's bins contiguous. Histogram building walks the
// rows of a node (an arbitrary, shrinking subset after the first splits) and adds each row's
// gradient to all of its features' histograms; with rows contiguous that is one short sequential
// read per row, where a column-major store would cost one scattered read per (row, feature). This is
// XGBoost's choice for its histogram index and LightGBM's row-wise mode; LightGBM's column-wise mode
// wins only when work is split by feature over all rows, which our learners do not do. A column-major
// copy can be derived later if a learner needs one; none does now.
//
// Determinism: the bins depend on X, the config and the seed only, never on n_threads (the sample is
// drawn on the calling thread, each mapper is computed independently, mapping is element-wise).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../parallel/work_control.h"
#include "bin_mapper.h"
#include "matrix_view.h"

namespace ensemblekit {

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
  const std::vector<uint8_t>& bins() const { return bins_; }
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
  std::vector<uint8_t> bins_;
  std::vector<int> num_bins_;
  std::vector<int> missing_bins_;
  std::vector<int64_t> bin_offsets_{0};
};

// The rows a mapper is fitted on: all of [0, rows) when rows <= sample_rows (returned empty, meaning
// "every row"), otherwise sample_rows distinct rows drawn uniformly with the given seed, ascending
// (so reading them walks X forward). Exposed for tests.
std::vector<int64_t> sample_rows_for_binning(int64_t rows, int64_t sample_rows, uint64_t seed);

}  // namespace ensemblekit
