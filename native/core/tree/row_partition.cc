#include "row_partition.h"

#include <algorithm>
#include <cstring>

#include "../parallel/parallel_for.h"

namespace ensemblekit {

namespace {

// Rows per partition block; segments up to two blocks are partitioned on the calling thread. A
// block takes ~3-4 us from the column-major copy, still a few times the cost of a region on our
// pool (~1 us while its workers spin), and small enough that the many mid-sized nodes of a 255-leaf
// tree are split in parallel too. The blocks only cut the work: a stable partition is unique, so the
// result does not depend on them.
constexpr int64_t kBlockRows = 2048;

// Stable split of rows[lo, hi) into out_left (ascending) and out_right; returns the left count.
// Branchless: every row is written to both cursors and only the matching one advances, which avoids
// a mispredicted branch per row (the side is close to a coin flip near the root).
inline int64_t partition_block(const uint32_t* rows, int64_t n, const uint8_t* col, int64_t stride,
                               const RowRouter& router, uint32_t* out_left, uint32_t* out_right) {
  int64_t nl = 0, nr = 0;
  if (router.left_bins == nullptr) {
    const int thr = router.threshold_bin;
    const int mb = router.missing_bin;
    const bool dl = router.default_left;
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t r = rows[i];
      const int b = col[static_cast<int64_t>(r) * stride];
      const bool left = (b <= thr) | ((b == mb) & dl);
      out_left[nl] = r;
      out_right[nr] = r;
      nl += left;
      nr += !left;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t r = rows[i];
      const bool left = router.go_left(col[static_cast<int64_t>(r) * stride]);
      out_left[nl] = r;
      out_right[nr] = r;
      nl += left;
      nr += !left;
    }
  }
  return nl;
}

}  // namespace

void RowPartition::ensure_node(int node) {
  if (static_cast<size_t>(node) >= begin_.size()) {
    begin_.resize(static_cast<size_t>(node) + 1, 0);
    count_.resize(static_cast<size_t>(node) + 1, 0);
  }
}

void RowPartition::reset(int64_t num_rows, const uint32_t* subset, int64_t subset_size) {
  if (subset != nullptr) {
    indices_.assign(subset, subset + subset_size);
  } else {
    indices_.resize(static_cast<size_t>(num_rows));
    for (int64_t i = 0; i < num_rows; ++i) indices_[static_cast<size_t>(i)] = static_cast<uint32_t>(i);
  }
  scratch_.resize(indices_.size());
  begin_.assign(1, 0);
  count_.assign(1, static_cast<int64_t>(indices_.size()));
}

int64_t RowPartition::split(int node, int left_node, int right_node, const uint8_t* column, int64_t stride,
                            const RowRouter& router, int n_threads) {
  ensure_node(std::max(left_node, right_node));
  const int64_t begin = begin_[static_cast<size_t>(node)];
  const int64_t n = count_[static_cast<size_t>(node)];
  uint32_t* seg = indices_.data() + begin;
  uint32_t* tmp = scratch_.data() + begin;
  const uint8_t* bins = column;
  int64_t nl;
  if (n <= 2 * kBlockRows) {
    // Left rows compact in place (the write cursor never passes the read cursor); right rows go to
    // scratch and are appended.
    nl = partition_block(seg, n, bins, stride, router, seg, tmp);
    std::memcpy(seg + nl, tmp, sizeof(uint32_t) * static_cast<size_t>(n - nl));
  } else {
    const int64_t blocks = block_count(n, kBlockRows);
    block_left_.assign(static_cast<size_t>(blocks), 0);
    parallel_blocks(n, kBlockRows, n_threads, [&](int64_t lo, int64_t hi, int64_t b) {
      // Block-local: left rows at tmp[lo ..], right rows after them.
      uint32_t* right_tmp = seg + lo;  // reuse the block's own input range for right rows
      const int64_t l = partition_block(seg + lo, hi - lo, bins, stride, router, tmp + lo, right_tmp);
      std::memcpy(tmp + lo + l, right_tmp, sizeof(uint32_t) * static_cast<size_t>(hi - lo - l));
      block_left_[static_cast<size_t>(b)] = l;
    });
    nl = 0;
    for (int64_t b = 0; b < blocks; ++b) nl += block_left_[static_cast<size_t>(b)];
    // Destination of each block's left run and right run, from prefix sums in block order.
    std::vector<int64_t> left_at(static_cast<size_t>(blocks)), right_at(static_cast<size_t>(blocks));
    int64_t lsum = 0, rsum = nl;
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t lo = b * kBlockRows;
      const int64_t size = std::min(n, lo + kBlockRows) - lo;
      left_at[static_cast<size_t>(b)] = lsum;
      right_at[static_cast<size_t>(b)] = rsum;
      lsum += block_left_[static_cast<size_t>(b)];
      rsum += size - block_left_[static_cast<size_t>(b)];
    }
    parallel_blocks(n, kBlockRows, n_threads, [&](int64_t lo, int64_t hi, int64_t b) {
      const int64_t l = block_left_[static_cast<size_t>(b)];
      std::memcpy(seg + left_at[static_cast<size_t>(b)], tmp + lo, sizeof(uint32_t) * static_cast<size_t>(l));
      std::memcpy(seg + right_at[static_cast<size_t>(b)], tmp + lo + l,
                  sizeof(uint32_t) * static_cast<size_t>(hi - lo - l));
    });
  }
  begin_[static_cast<size_t>(left_node)] = begin;
  count_[static_cast<size_t>(left_node)] = nl;
  begin_[static_cast<size_t>(right_node)] = begin + nl;
  count_[static_cast<size_t>(right_node)] = n - nl;
  return nl;
}

}  // namespace ensemblekit
