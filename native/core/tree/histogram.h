// Gradient histograms of a node: for every (feature, bin) the sums of gradient, hessian and the row
// count over the node's rows. One flat array per node indexed by BinnedDataset::bin_offsets(), so a
// feature's histogram is a contiguous slice and the split scan walks it left to right.
//
// Numerics and determinism. Rows are cut into blocks whose number and size depend on the node's row
// count only (never on n_threads); each block accumulates in float32 lanes {grad, hess, count, 0}
// (one 16-byte vector add per row and feature: the count rides along for free, and the block's
// scratch histogram is half the size of a double one, which keeps it in L2 for ~30 features). The
// block partials are then summed in block order into double GradStats. So the result is bit-identical
// for any thread count, a block's float error is that of at most kMaxBlockRows terms (~1e-6 relative,
// below what moves a split), and the count lane is exact (float holds integers up to 2^24 >
// kMaxBlockRows). Parent-minus-child subtraction is done in double on the reduced sums.
//
// Row-wise, not column-wise: one pass over a node's rows reads each row's bins (one cache line) and
// updates every feature. A column-wise variant (one pass per feature over a column-major copy, with
// the node's gradients gathered first, LightGBM's col-wise mode) measured 3x slower on 1M x 28 rows
// with 255 leaves: its per-feature random byte loads from 1 MB columns miss L2, where the row-wise
// loop takes one prefetched miss per row for all features.
//
// Parallelism: tasks are (row block, feature group). A small node has one block, so its features are
// split into groups instead; a group's per-bin sums do not depend on the grouping (each bin still sees
// its rows in row order), so grouping may follow the thread count without breaking determinism.
#pragma once

#include <cstdint>
#include <vector>

#include "../data/binned_dataset.h"

namespace ensemblekit {

// Per-row first and second derivative of the loss (sample weight already folded in).
struct GradPair {
  float grad;
  float hess;
};

// Sums over a set of rows. Count is exact; grad/hess in double.
struct GradStats {
  double grad = 0.0;
  double hess = 0.0;
  int64_t count = 0;

  void add(const GradStats& o) {
    grad += o.grad;
    hess += o.hess;
    count += o.count;
  }
  GradStats minus(const GradStats& o) const { return GradStats{grad - o.grad, hess - o.hess, count - o.count}; }
};

// Quantized gradients (LightGBM 4's idea, NeurIPS 2022, with our own packing): per tree, gradients
// are scaled to integers g_q in [-127, 127] and hessians to h_q in [0, 255] with unbiased stochastic
// rounding (a counter-based coin per row, so thread-independent), and each row carries one 64-bit
// word  1 | h_q << 16 | (g_q + 128) << 39.  One scalar 64-bit add per (row, feature) then
// accumulates count, hessian and gradient at once: the three fields cannot carry into each other
// while a block holds at most kMaxQuantBlockRows rows (count < 2^16, sums < 2^23). Measured 1.47x
// faster than the 16-byte float add on the same rows, and the per-block scratch is half the size.
// Block sums are integers, so their reduction is exact in any order, which also frees the blocking
// from the determinism rule: quantized builds split even small nodes by rows, one block per thread.
// Split finding sees dequantized sums; the learner recomputes leaf outputs from the exact gradients.
// Measured on 1M x 28, 255 leaves: same AUC as float (0.83347 vs 0.83317), ~1.3x faster small-node
// histograms with 2 threads, no gain with 1 (the scattered row fetches, not the adds, bound it).
struct QuantScale {
  double grad = 1.0;  // gradient units per integer step
  double hess = 1.0;
};

class HistogramBuilder {
 public:
  static constexpr int64_t kMaxQuantBlockRows = 32768;

  // Rows per block: a node with fewer rows is one block; larger nodes get up to kMaxBlocks blocks,
  // more only when a block would exceed kMaxBlockRows. 8192 rows: mid-sized nodes (8k-16k rows,
  // common in 255-leaf trees) split into row blocks that threads share, instead of feature groups
  // that each fetch every row again; a block's extra zeroing and reduction (total_bins entries)
  // costs ~5% of such a node's build on one thread.
  static constexpr int64_t kMinBlockRows = 8192;
  static constexpr int64_t kMaxBlocks = 16;
  static constexpr int64_t kMaxBlockRows = int64_t{1} << 20;

  explicit HistogramBuilder(const BinnedDataset& data);

  // Features whose histograms build() fills (ascending, distinct); all features by default. Bins of
  // other features are left untouched in the output (callers never read them).
  void set_features(const std::vector<int>& features);
  const std::vector<int>& features() const { return features_; }

  // hist[total_bins] = histogram of `rows` (ascending row ids), or of rows [0, n) when rows is null.
  // Uses the quantized gradients of the last quantize() call when `grads` is null.
  void build(const GradPair* grads, const uint32_t* rows, int64_t n, GradStats* hist, int n_threads);

  // Quantizes grads[0 .. num_rows) for the following build(nullptr, ...) calls (see above); `seed`
  // drives the rounding coins. Returns false, leaving nothing quantized, when a hessian is negative
  // or a value is not finite (custom objectives): callers then build from float gradients.
  bool quantize(const GradPair* grads, int64_t num_rows, uint64_t seed, int n_threads);
  const QuantScale& quant_scale() const { return scale_; }

  // How the rows of an n-row node are blocked (exposed for tests).
  static int64_t num_blocks(int64_t n);

 private:
  const BinnedDataset& data_;
  std::vector<int> features_;
  bool all_features_ = true;
  std::vector<uint32_t> feature_offsets_;  // bin offset of every feature (uint32: total bins < 2^32)
  // Per block: total_bins x {grad, hess, count, pad} float lanes (or total_bins packed words).
  std::vector<float> scratch_;
  std::vector<uint64_t> packed_;  // quantized gradient word per row
  QuantScale scale_;
};

// out[i] = parent[i] - child[i] over the bins of the given features (the sibling's histogram).
// n_threads: as for build() (elementwise, so the result does not depend on it).
void subtract_histogram(const GradStats* parent, const GradStats* child, GradStats* out, const BinnedDataset& data,
                        const std::vector<int>& features, int n_threads = 1);

// Sum of one feature's histogram: the node's totals (every row lands in exactly one bin of a feature).
GradStats histogram_total(const GradStats* hist, const BinnedDataset& data, int feature);

}  // namespace ensemblekit
