#include "histogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "random.h"

namespace ensemblekit {

namespace {

// Four float lanes {grad, hess, count, 0}: one 16-byte add per (row, feature). GCC/Clang vector
// extensions lower to SSE on x86-64 and NEON on arm64 (baseline ISAs, no dispatch needed).
#if defined(__GNUC__) || defined(__clang__)
typedef float Lanes4 __attribute__((vector_size(16)));
#else
struct Lanes4 {
  float v[4];
  Lanes4& operator+=(const Lanes4& o) {
    for (int i = 0; i < 4; ++i) v[i] += o.v[i];
    return *this;
  }
};
#endif

// Rows ahead that the indexed loop prefetches: a node's rows are ascending but sparse, which the
// hardware prefetcher does not follow; ~32 rows of latency hiding covers a DRAM miss at this work
// per row (~30 histogram adds).
constexpr int64_t kPrefetchRows = 16;
// Below this many (row, feature) updates a build runs on the calling thread: starting a region on the
// pool costs ~1-2 us (~2k updates), so nodes of a few hundred rows already gain from two threads.
constexpr int64_t kSerialUpdates = int64_t{1} << 14;
// Bins per task of subtract_histogram (smaller histograms are subtracted on the calling thread).
constexpr int64_t kSubtractTaskBins = 2048;

inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 3);
#else
  (void)p;
#endif
}

// Adds rows [lo, hi) (row ids rows[i], or i itself when not kIndexed) to the lanes histogram of
// nf features: feature j reads column cols[j] of the row (or first_col + j when kContiguous) and
// lands in hist[offs[j] + bin].
template <bool kIndexed, bool kContiguous>
void accumulate(const uint8_t* bins, int64_t stride, const GradPair* grads, const uint32_t* rows, int64_t lo,
                int64_t hi, int first_col, const int* cols, const uint32_t* offs, int nf, Lanes4* hist) {
  for (int64_t i = lo; i < hi; ++i) {
    const int64_t r = kIndexed ? static_cast<int64_t>(rows[i]) : i;
    if (kIndexed && i + kPrefetchRows < hi) {
      const int64_t ra = rows[i + kPrefetchRows];
      const uint8_t* p = bins + ra * stride + first_col;
      prefetch(p);
      prefetch(p + nf - 1);
      prefetch(grads + ra);
    }
    const uint8_t* rb = bins + r * stride + (kContiguous ? first_col : 0);
    const GradPair gp = grads[r];
    Lanes4 v;
    v[0] = gp.grad;
    v[1] = gp.hess;
    v[2] = 1.0f;
    v[3] = 0.0f;
    int j = 0;
    // Four independent read-modify-writes per step: different features never share a bin, so the
    // adds do not wait on each other.
    for (; j + 4 <= nf; j += 4) {
      const uint32_t b0 = offs[j] + rb[kContiguous ? j : cols[j]];
      const uint32_t b1 = offs[j + 1] + rb[kContiguous ? j + 1 : cols[j + 1]];
      const uint32_t b2 = offs[j + 2] + rb[kContiguous ? j + 2 : cols[j + 2]];
      const uint32_t b3 = offs[j + 3] + rb[kContiguous ? j + 3 : cols[j + 3]];
      hist[b0] += v;
      hist[b1] += v;
      hist[b2] += v;
      hist[b3] += v;
    }
    for (; j < nf; ++j) hist[offs[j] + rb[kContiguous ? j : cols[j]]] += v;
  }
}

// The packed-word twin of accumulate(): one 64-bit add per (row, feature).
template <bool kIndexed, bool kContiguous>
void accumulate_packed(const uint8_t* bins, int64_t stride, const uint64_t* packed, const uint32_t* rows, int64_t lo,
                       int64_t hi, int first_col, const int* cols, const uint32_t* offs, int nf, uint64_t* hist) {
  for (int64_t i = lo; i < hi; ++i) {
    const int64_t r = kIndexed ? static_cast<int64_t>(rows[i]) : i;
    if (kIndexed && i + kPrefetchRows < hi) {
      const int64_t ra = rows[i + kPrefetchRows];
      const uint8_t* p = bins + ra * stride + first_col;
      prefetch(p);
      prefetch(p + nf - 1);
      prefetch(packed + ra);
    }
    const uint8_t* rb = bins + r * stride + (kContiguous ? first_col : 0);
    const uint64_t v = packed[r];
    int j = 0;
    for (; j + 4 <= nf; j += 4) {
      const uint32_t b0 = offs[j] + rb[kContiguous ? j : cols[j]];
      const uint32_t b1 = offs[j + 1] + rb[kContiguous ? j + 1 : cols[j + 1]];
      const uint32_t b2 = offs[j + 2] + rb[kContiguous ? j + 2 : cols[j + 2]];
      const uint32_t b3 = offs[j + 3] + rb[kContiguous ? j + 3 : cols[j + 3]];
      hist[b0] += v;
      hist[b1] += v;
      hist[b2] += v;
      hist[b3] += v;
    }
    for (; j < nf; ++j) hist[offs[j] + rb[kContiguous ? j : cols[j]]] += v;
  }
}

constexpr int kCountBits = 16;
constexpr int kHessShift = 16;
constexpr int kGradShift = 39;
constexpr uint64_t kFieldMask = (uint64_t{1} << 23) - 1;

}  // namespace

bool HistogramBuilder::quantize(const GradPair* grads, int64_t num_rows, uint64_t seed, int n_threads) {
  const int threads = resolve_threads(n_threads);
  constexpr int64_t kGrain = 65536;
  const int64_t blocks = block_count(num_rows, kGrain);
  std::vector<float> gmax(static_cast<size_t>(blocks), 0.0f), hmax(static_cast<size_t>(blocks), 0.0f);
  std::vector<uint8_t> bad(static_cast<size_t>(blocks), 0);
  parallel_blocks(num_rows, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t b) {
    float g = 0.0f, h = 0.0f;
    bool ok = true;
    for (int64_t i = lo; i < hi; ++i) {
      const float ag = std::fabs(grads[i].grad), hh = grads[i].hess;
      ok &= std::isfinite(ag) && std::isfinite(hh) && hh >= 0.0f;
      g = std::max(g, ag);
      h = std::max(h, hh);
    }
    gmax[static_cast<size_t>(b)] = g;
    hmax[static_cast<size_t>(b)] = h;
    bad[static_cast<size_t>(b)] = ok ? 0 : 1;
  });
  float g = 0.0f, h = 0.0f;
  for (int64_t b = 0; b < blocks; ++b) {
    if (bad[static_cast<size_t>(b)]) return false;
    g = std::max(g, gmax[static_cast<size_t>(b)]);
    h = std::max(h, hmax[static_cast<size_t>(b)]);
  }
  scale_.grad = g > 0.0f ? static_cast<double>(g) / 127.0 : 1.0;
  scale_.hess = h > 0.0f ? static_cast<double>(h) / 255.0 : 1.0;
  const double inv_g = 1.0 / scale_.grad, inv_h = 1.0 / scale_.hess;
  packed_.resize(static_cast<size_t>(num_rows));
  parallel_blocks(num_rows, kGrain, threads, [&](int64_t lo, int64_t hi, int64_t) {
    for (int64_t i = lo; i < hi; ++i) {
      // Two independent 32-bit coins from one hash: unbiased rounding of both values.
      const uint64_t coin = hash_mix(seed ^ static_cast<uint64_t>(i));
      const double ug = static_cast<double>(coin & 0xffffffffu) * 0x1.0p-32;
      const double uh = static_cast<double>(coin >> 32) * 0x1.0p-32;
      const double gq = std::min(127.0, std::max(-127.0, std::floor(grads[i].grad * inv_g + ug)));
      const double hq = std::min(255.0, std::max(0.0, std::floor(grads[i].hess * inv_h + uh)));
      packed_[static_cast<size_t>(i)] = 1u | (static_cast<uint64_t>(hq) << kHessShift) |
                                        (static_cast<uint64_t>(gq + 128.0) << kGradShift);
    }
  });
  return true;
}

HistogramBuilder::HistogramBuilder(const BinnedDataset& data) : data_(data) {
  const int64_t f = data.num_features();
  if (data.total_bins() >= (int64_t{1} << 31)) throw InvalidInput("Too many bins in total for histogram building");
  feature_offsets_.resize(static_cast<size_t>(f));
  for (int64_t c = 0; c < f; ++c) feature_offsets_[c] = static_cast<uint32_t>(data.bin_offsets()[c]);
  features_.resize(static_cast<size_t>(f));
  for (int64_t c = 0; c < f; ++c) features_[c] = static_cast<int>(c);
}

void HistogramBuilder::set_features(const std::vector<int>& features) {
  features_ = features;
  all_features_ = static_cast<int64_t>(features.size()) == data_.num_features();
}

int64_t HistogramBuilder::num_blocks(int64_t n) {
  if (n <= kMinBlockRows) return 1;
  int64_t blocks = std::min<int64_t>(kMaxBlocks, (n + kMinBlockRows - 1) / kMinBlockRows);
  blocks = std::max<int64_t>(blocks, (n + kMaxBlockRows - 1) / kMaxBlockRows);
  return blocks;
}

void HistogramBuilder::build(const GradPair* grads, const uint32_t* rows, int64_t n, GradStats* hist,
                             int n_threads) {
  const int nfeat = static_cast<int>(features_.size());
  if (nfeat == 0) return;
  const int64_t total_bins = data_.total_bins();
  const bool quantized = grads == nullptr;
  int threads = resolve_threads(n_threads);
  if (n * nfeat < kSerialUpdates) threads = 1;
  int64_t blocks = num_blocks(n);
  if (quantized) {
    // Integer block sums are exact, so here the blocking may follow the thread count: one block per
    // thread (row splits beat feature groups: each group would fetch every scattered row again),
    // more only to keep every block under the field capacity.
    blocks = std::max<int64_t>((n + kMaxQuantBlockRows - 1) / kMaxQuantBlockRows, std::min<int64_t>(threads, n));
    blocks = std::max<int64_t>(blocks, 1);
  }
  const int64_t block_rows = n > 0 ? (n + blocks - 1) / blocks : 0;
  // Feature groups only when there are fewer blocks than threads (see the header): every group
  // fetches each of the node's scattered rows again, which costs more than the extra block's zeroing
  // and reduction (micro-benchmark on 1M x 28, nodes of 5k-12k scattered rows, 2 threads on a busy
  // machine: 4 groups of one block took 1.3-1.8x the time of 2 row blocks). When the threads do not divide the block count, one thread
  // would idle for up to a block's time (3 blocks on 2 threads: 33%); splitting features into
  // `threads / gcd` groups makes the task count a multiple of the thread count.
  int64_t groups = 1;
  if (threads > 1 && blocks < static_cast<int64_t>(threads)) {
    groups = std::min<int64_t>(nfeat, (static_cast<int64_t>(threads) + blocks - 1) / blocks);
  } else if (threads > 1 && blocks < 8 * static_cast<int64_t>(threads) && blocks % threads != 0) {
    int64_t a = blocks, b = threads;
    while (b != 0) {
      const int64_t t = a % b;
      a = b;
      b = t;
    }
    groups = std::min<int64_t>(nfeat, threads / a);
  }
  const size_t need = static_cast<size_t>(blocks * total_bins * 4);
  if (scratch_.size() < need) scratch_.resize(need);
  Lanes4* lanes = reinterpret_cast<Lanes4*>(scratch_.data());
  // Packed words are 8 bytes: block b's scratch starts at word b * total_bins (within the same buffer).
  uint64_t* words = reinterpret_cast<uint64_t*>(scratch_.data());
  const uint64_t* packed = packed_.data();

  const uint8_t* bins = data_.bins().data();
  const int64_t stride = data_.num_features();
  const int* cols = features_.data();
  // Blocks summed in block order (double) or exactly (integers): the same bits for any thread count.
  auto reduce_feature = [&](int64_t j) {
    const int c = cols[j];
    const int64_t off = feature_offsets_[static_cast<size_t>(c)];
    const int nb = data_.num_bins(c);
    if (quantized) {
      for (int k = 0; k < nb; ++k) {
        int64_t cnt = 0, hq = 0, gq = 0;
        for (int64_t b = 0; b < blocks; ++b) {
          const uint64_t w = words[b * total_bins + off + k];
          const int64_t rows_in = static_cast<int64_t>(w & ((uint64_t{1} << kCountBits) - 1));
          cnt += rows_in;
          hq += static_cast<int64_t>((w >> kHessShift) & kFieldMask);
          gq += static_cast<int64_t>((w >> kGradShift) & kFieldMask) - 128 * rows_in;
        }
        hist[off + k] = GradStats{static_cast<double>(gq) * scale_.grad, static_cast<double>(hq) * scale_.hess, cnt};
      }
      return;
    }
    for (int k = 0; k < nb; ++k) {
      double g = 0.0, hs = 0.0, cnt = 0.0;
      for (int64_t b = 0; b < blocks; ++b) {
        const float* e = scratch_.data() + 4 * (b * total_bins + off + k);
        g += static_cast<double>(e[0]);
        hs += static_cast<double>(e[1]);
        cnt += static_cast<double>(e[2]);
      }
      hist[off + k] = GradStats{g, hs, static_cast<int64_t>(cnt)};
    }
  };
  // A single block (small nodes) is reduced inside its tasks, saving a second parallel region.
  parallel_for(0, blocks * groups, threads, [&](int64_t task) {
    const int64_t b = task / groups;
    const int64_t g = task % groups;
    const int j0 = static_cast<int>(g * nfeat / groups);
    const int j1 = static_cast<int>((g + 1) * nfeat / groups);
    const int nf = j1 - j0;
    if (nf <= 0) return;
    uint32_t offs[256];  // wider groups (rare: > 256 features a task) use the heap
    std::vector<uint32_t> offs_big;
    uint32_t* off = offs;
    if (nf > 256) {
      offs_big.resize(static_cast<size_t>(nf));
      off = offs_big.data();
    }
    for (int j = 0; j < nf; ++j) off[j] = feature_offsets_[static_cast<size_t>(cols[j0 + j])];
    const bool contiguous = all_features_ || cols[j1 - 1] - cols[j0] == nf - 1;
    const int64_t lo = b * block_rows;
    const int64_t hi = std::min(n, lo + block_rows);
    if (quantized) {
      uint64_t* w = words + b * total_bins;
      for (int j = 0; j < nf; ++j) {
        std::memset(static_cast<void*>(w + off[j]), 0, sizeof(uint64_t) * static_cast<size_t>(data_.num_bins(cols[j0 + j])));
      }
      if (rows != nullptr) {
        if (contiguous) {
          accumulate_packed<true, true>(bins, stride, packed, rows, lo, hi, cols[j0], cols + j0, off, nf, w);
        } else {
          accumulate_packed<true, false>(bins, stride, packed, rows, lo, hi, 0, cols + j0, off, nf, w);
        }
      } else {
        if (contiguous) {
          accumulate_packed<false, true>(bins, stride, packed, rows, lo, hi, cols[j0], cols + j0, off, nf, w);
        } else {
          accumulate_packed<false, false>(bins, stride, packed, rows, lo, hi, 0, cols + j0, off, nf, w);
        }
      }
      if (blocks == 1) {
        for (int j = j0; j < j1; ++j) reduce_feature(j);
      }
      return;
    }
    Lanes4* h = lanes + b * total_bins;
    // Zero this task's part of the block's scratch (the bins of its features).
    for (int j = 0; j < nf; ++j) {
      const int c = cols[j0 + j];
      std::memset(static_cast<void*>(h + off[j]), 0, sizeof(Lanes4) * static_cast<size_t>(data_.num_bins(c)));
    }
    if (rows != nullptr) {
      if (contiguous) {
        accumulate<true, true>(bins, stride, grads, rows, lo, hi, cols[j0], cols + j0, off, nf, h);
      } else {
        accumulate<true, false>(bins, stride, grads, rows, lo, hi, 0, cols + j0, off, nf, h);
      }
    } else {
      if (contiguous) {
        accumulate<false, true>(bins, stride, grads, rows, lo, hi, cols[j0], cols + j0, off, nf, h);
      } else {
        accumulate<false, false>(bins, stride, grads, rows, lo, hi, 0, cols + j0, off, nf, h);
      }
    }
    if (blocks == 1) {
      for (int j = j0; j < j1; ++j) reduce_feature(j);
    }
  });

  if (blocks == 1) return;  // each task already reduced its own features
  const int reduce_threads = total_bins * blocks * 4 < kSerialUpdates ? 1 : threads;
  parallel_for(0, nfeat, reduce_threads, reduce_feature);
}

void subtract_histogram(const GradStats* parent, const GradStats* child, GradStats* out, const BinnedDataset& data,
                        const std::vector<int>& features, int n_threads) {
  const int64_t nfeat = static_cast<int64_t>(features.size());
  // A bin costs ~1 ns (three loads, three stores of a 24-byte entry).
  const int64_t bins = data.total_bins();
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(nfeat, bins / kSubtractTaskBins));
  const int threads = tasks > 1 ? n_threads : 1;
  parallel_for(0, tasks, threads, [&](int64_t t) {
    for (int64_t j = t * nfeat / tasks; j < (t + 1) * nfeat / tasks; ++j) {
      const int c = features[static_cast<size_t>(j)];
      const int64_t off = data.bin_offsets()[static_cast<size_t>(c)];
      const int nb = data.num_bins(c);
      for (int k = 0; k < nb; ++k) out[off + k] = parent[off + k].minus(child[off + k]);
    }
  });
}

GradStats histogram_total(const GradStats* hist, const BinnedDataset& data, int feature) {
  GradStats s;
  const int64_t off = data.bin_offsets()[static_cast<size_t>(feature)];
  for (int k = 0; k < data.num_bins(feature); ++k) s.add(hist[off + k]);
  return s;
}

}  // namespace ensemblekit
