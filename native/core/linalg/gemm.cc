// Blocked GEMM driver: validation, dispatch, cache blocking, packing buffers and threads. Baseline
// file (no -m flags): everything ISA-specific is reached through simd::GemmKernels tables.
//
// Loop nest, for row-major C with vector lanes along n (Goto / BLIS, with the roles of A and B as
// BLIS has them for column-major C swapped):
//   for each m block of mc rows                 <- outer blocks: progress, cancellation (caller)
//     for each k block of kc                     <- outer blocks
//       [parallel: thread (ti, tj) of a tm x tn grid over the m block's MR-panels x n's NR-panels]
//       pack op(A)[its rows, k block]            -> thread-local, mc x kc ("L3" block)
//       for each nc columns of its n range:
//         pack op(B)[k block, nc columns]        -> thread-local, kc x nc, lives in the core's L2
//         for each MR-panel of A (L1), for each NR-panel of B: micro-kernel on an mr x nr C tile
// Threads split output tiles only; the k sum of every C element runs in the same order whatever the
// thread count, and tile boundaries sit on multiples of mr / nr from C's origin, so the bits do not
// depend on n_threads.
#include "gemm.h"

#include <algorithm>
#include <cstddef>
#include <new>
#include <string>
#include <vector>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "../simd/blas1_kernels.h"
#include "../simd/cpu.h"
#include "../simd/gemm_kernels.h"

namespace ensemblekit {

namespace simd {

template <>
const GemmKernels<float>& gemm_kernels<float>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
#ifdef ENSEMBLEKIT_HAVE_AVX512
  if (isa == Isa::kAvx512) return avx512::kGemmF32;
#endif
  if (isa >= Isa::kAvx2) return avx2::kGemmF32;
#endif
  (void)isa;
  return scalar::kGemmF32;
}

template <>
const GemmKernels<double>& gemm_kernels<double>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
#ifdef ENSEMBLEKIT_HAVE_AVX512
  if (isa == Isa::kAvx512) return avx512::kGemmF64;
#endif
  if (isa >= Isa::kAvx2) return avx2::kGemmF64;
#endif
  (void)isa;
  return scalar::kGemmF64;
}

}  // namespace simd

namespace linalg {

namespace {

// m * n * k at or below which packing costs more than it saves: the direct kernel instead.
constexpr int64_t kSmallWork = 192 * 192 * 192;
// Thin shapes that also take the direct kernel: at most this many rows (op(B) is then streamed
// from memory a few times at most instead of being packed), or at most direct_nr columns with an
// op(B) (k x n) of at most kThinBBytes, which stays in L2 while the rows of A stream past.
constexpr int64_t kThinRows = 4;
constexpr int64_t kThinBBytes = 256 * 1024;
// Multiply-adds per parallel block of the direct path (also the cancellation polling unit).
constexpr double kDirectBlockWork = 4.0e6;
// m * n * k below which one thread is used: waking a team costs a few microseconds, about the time
// of a 64^3 product on one core.
constexpr int64_t kParallelWork = 96 * 96 * 96;
// MR-panels per macro-kernel call in the threads: the cancellation flag is polled between calls
// (tens of microseconds apart even for the largest blocks).
constexpr int64_t kPollPanels = 8;
// Progress reports per call, at most.
constexpr int kProgressSteps = 100;
// Relative cost of packing one element versus one multiply-add of a tile, for the thread grid.
constexpr int64_t kPackCost = 8;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

[[noreturn]] void fail(const std::string& what) { throw InvalidInput(what); }

void check_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc,
                bool has_a, bool has_b, bool has_c) {
  if (m < 0 || n < 0 || k < 0) {
    fail("gemm: expected non-negative sizes but received m=" + std::to_string(m) + ", n=" + std::to_string(n) +
         ", k=" + std::to_string(k));
  }
  const int64_t a_row = ta ? m : k;  // length of a stored row of A
  const int64_t b_row = tb ? k : n;
  if (lda < a_row) {
    fail("gemm: expected lda >= " + std::to_string(a_row) + " (a stored row of A" + (ta ? ", transposed" : "") +
         ") but received " + std::to_string(lda));
  }
  if (ldb < b_row) {
    fail("gemm: expected ldb >= " + std::to_string(b_row) + " (a stored row of B" + (tb ? ", transposed" : "") +
         ") but received " + std::to_string(ldb));
  }
  if (ldc < n) fail("gemm: expected ldc >= n (" + std::to_string(n) + ") but received " + std::to_string(ldc));
  if ((m > 0 && k > 0 && !has_a) || (k > 0 && n > 0 && !has_b) || (m > 0 && n > 0 && !has_c)) {
    fail("gemm: expected non-null A, B and C for non-empty sizes but received a null pointer");
  }
}

// 64-byte aligned scratch that only grows, one per thread and role. Reused across calls so that a
// stream of products does not page-fault fresh memory each time; bounded by the block sizes
// (mc x kc for A, kc x nc for B: a few MB per thread that ever ran a large product).
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { release(); }

  template <class T>
  T* get(int64_t count) {
    const std::size_t bytes = static_cast<std::size_t>(count) * sizeof(T);
    if (bytes > bytes_) {
      release();
      const std::size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
      data_ = ::operator new(rounded, std::align_val_t(kAlign));
      bytes_ = rounded;
    }
    return static_cast<T*>(data_);
  }

 private:
  static constexpr std::size_t kAlign = 64;
  void release() {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kAlign));
    data_ = nullptr;
    bytes_ = 0;
  }
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

Scratch& a_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

Scratch& b_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

template <class T>
void scale_rows(const simd::Blas1Kernels<T>& v, int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  if (beta == T(1)) return;
  for (int64_t i = 0; i < m; ++i) v.scale(n, beta, c + i * ldc);
}

// n == 1 or m == 1: a matrix-vector product, memory bound; packing would only add traffic.
template <class T>
void gemm_as_gemv(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
                  int64_t ldb, T beta, T* c, int64_t ldc, int threads) {
  std::vector<T> x(static_cast<std::size_t>(k));
  if (n == 1) {
    // C[:, 0] = alpha * op(A) * op(B)[:, 0] + beta * C[:, 0]
    for (int64_t p = 0; p < k; ++p) x[p] = tb ? b[p] : b[p * ldb];
    const Trans op = ta ? Trans::kYes : Trans::kNo;
    const int64_t rows = ta ? k : m;
    const int64_t cols = ta ? m : k;
    if (ldc == 1) {
      gemv<T>(op, rows, cols, alpha, a, lda, x.data(), beta, c, threads);
      return;
    }
    std::vector<T> y(static_cast<std::size_t>(m), T(0));
    if (beta != T(0)) {
      for (int64_t i = 0; i < m; ++i) y[i] = c[i * ldc];
    }
    gemv<T>(op, rows, cols, alpha, a, lda, x.data(), beta, y.data(), threads);
    for (int64_t i = 0; i < m; ++i) c[i * ldc] = y[i];
    return;
  }
  // m == 1: C[0, :] = alpha * op(A)[0, :] * op(B) + beta * C[0, :] = alpha * op(B)^T x + beta * C[0, :]
  for (int64_t p = 0; p < k; ++p) x[p] = ta ? a[p * lda] : a[p];
  if (tb) {
    gemv<T>(Trans::kNo, n, k, alpha, b, ldb, x.data(), beta, c, threads);
  } else {
    gemv<T>(Trans::kYes, k, n, alpha, b, ldb, x.data(), beta, c, threads);
  }
}

// Small and thin products: the direct kernel reads A (either storage order) and B in place.
// Threads split rows (or columns when there are few rows); every C element is one FMA chain over
// k inside one tile, so neither the split nor the tile edges change the bits.
template <class T>
void gemm_direct(const simd::GemmKernels<T>& g, bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,
                 const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc, int threads,
                 const WorkControl& control) {
  // The direct kernel needs op(B) rows contiguous. For op(B) = B^T the (small) operand goes through
  // the ISA's transposing pack: each packed NR-column panel is a row-major k x nr matrix with row
  // stride nr, so the kernel then runs panel by panel.
  int64_t panel = n;  // columns per row-major piece of op(B)
  int64_t b_stride = ldb;
  int64_t panel_step = 1;  // element offset of column j of op(B) is (j / panel) * panel_step + j % panel
  if (tb) {
    T* packed = b_scratch().get<T>(ceil_div(n, g.nr) * g.nr * k);
    g.pack_b(true, b, ldb, k, n, packed);
    b = packed;
    panel = g.nr;
    b_stride = g.nr;
    panel_step = g.nr * k;
  }
  const int64_t a_rs = ta ? 1 : lda;
  const int64_t a_cs = ta ? lda : 1;
  // C[rows lo:hi, cols j0:j1] through the kernel, one op(B) piece at a time.
  auto run = [&](int64_t lo, int64_t hi, int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1;) {
      const int64_t piece_end = std::min(j1, (j / panel + 1) * panel);
      const T* b_piece = b + (j / panel) * panel_step + j % panel;
      g.direct(hi - lo, piece_end - j, k, alpha, a + lo * a_rs, a_rs, a_cs, b_piece, b_stride, beta, c + lo * ldc + j,
               ldc);
      j = piece_end;
    }
  };
  const int64_t row_tiles = ceil_div(m, g.direct_mr);
  const int64_t col_tiles = ceil_div(n, g.direct_nr);
  // Blocks of at most kDirectBlockWork multiply-adds (the polling unit), and at least one per thread.
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int64_t blocks = std::max<int64_t>(threads, static_cast<int64_t>(work / kDirectBlockWork) + 1);
  if (row_tiles >= col_tiles || row_tiles >= 2 * threads) {
    const int64_t grain = ceil_div(row_tiles, std::min(blocks, row_tiles)) * g.direct_mr;
    parallel_blocks(m, grain, threads, [&](int64_t lo, int64_t hi, int64_t) {
      if (!control.cancelled()) run(lo, hi, 0, n);
    });
  } else {
    // Column blocks are whole direct tiles, and whole packed panels when op(B) was packed.
    const int64_t unit = tb ? std::max<int64_t>(g.direct_nr, g.nr) : g.direct_nr;
    const int64_t units = ceil_div(n, unit);
    const int64_t grain = ceil_div(units, std::min(blocks, units)) * unit;
    parallel_blocks(n, grain, threads, [&](int64_t lo, int64_t hi, int64_t) {
      if (!control.cancelled()) run(0, m, lo, hi);
    });
  }
  control.check();
}

struct Grid {
  int tm;
  int tn;
};

// Splits `threads` into tm x tn over `row_panels` x `col_panels` minimising the busiest thread's
// work (tiles plus packing). Ties go to a larger tn: threads on different columns pack disjoint
// parts of op(B), which is packed once per m block, while the A rows they share are few.
Grid choose_grid(int threads, int64_t row_panels, int64_t col_panels, int64_t mr, int64_t nr) {
  Grid best{1, threads};
  int64_t best_cost = -1;
  for (int tm = 1; tm <= threads; ++tm) {
    if (threads % tm != 0) continue;
    const int tn = threads / tm;
    const int64_t rows = ceil_div(row_panels, tm) * mr;
    const int64_t cols = ceil_div(col_panels, tn) * nr;
    const int64_t cost = rows * cols + kPackCost * (rows + cols);
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = Grid{tm, tn};
    }
  }
  return best;
}

template <class T>
void gemm_blocked(const simd::GemmKernels<T>& g, bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,
                  const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc, int threads,
                  const WorkControl& control) {
  const int64_t mr = g.mr;
  const int64_t nr = g.nr;
  // Equal-depth k blocks (k = kc + 10 gives two halves, not a sliver); the split depends on k and
  // the ISA only, which is what keeps results independent of the thread count.
  const int64_t k_blocks = ceil_div(k, g.kc);
  const int64_t kc = ceil_div(k, k_blocks);
  const int64_t m_blocks = ceil_div(m, g.mc);
  const int64_t mc = ceil_div(ceil_div(m, m_blocks), mr) * mr;
  const int64_t col_panels = ceil_div(n, nr);
  const int64_t total_steps = m_blocks * k_blocks;
  int64_t steps_done = 0;
  int last_report = 0;

  for (int64_t ic = 0; ic < m; ic += mc) {
    const int64_t rows = std::min(mc, m - ic);
    const int64_t row_panels = ceil_div(rows, mr);
    const Grid grid = choose_grid(threads, row_panels, col_panels, mr, nr);
    for (int64_t pc = 0; pc < k; pc += kc) {
      if (control.cancelled()) break;
      const int64_t depth = std::min(kc, k - pc);
      // Later k blocks accumulate onto what the first one wrote.
      const T beta_here = pc == 0 ? beta : T(1);
      parallel_for(0, grid.tm * grid.tn, grid.tm * grid.tn, [&](int64_t task) {
        const int64_t ti = task / grid.tn;
        const int64_t tj = task % grid.tn;
        const int64_t p0 = row_panels * ti / grid.tm;
        const int64_t p1 = row_panels * (ti + 1) / grid.tm;
        const int64_t q0 = col_panels * tj / grid.tn;
        const int64_t q1 = col_panels * (tj + 1) / grid.tn;
        if (p0 >= p1 || q0 >= q1 || control.cancelled()) return;
        const int64_t r_begin = p0 * mr;
        const int64_t r_end = std::min(rows, p1 * mr);
        const int64_t j_begin = q0 * nr;
        const int64_t j_end = std::min(n, q1 * nr);

        T* pa = a_scratch().get<T>((p1 - p0) * mr * depth);
        const T* a_src = ta ? a + pc * lda + (ic + r_begin) : a + (ic + r_begin) * lda + pc;
        g.pack_a(ta, a_src, lda, r_end - r_begin, depth, pa);

        T* pb = b_scratch().get<T>(ceil_div(std::min<int64_t>(g.nc, j_end - j_begin), nr) * nr * depth);
        for (int64_t jc = j_begin; jc < j_end; jc += g.nc) {
          const int64_t cols = std::min<int64_t>(g.nc, j_end - jc);
          if (control.cancelled()) return;
          const T* b_src = tb ? b + jc * ldb + pc : b + pc * ldb + jc;
          g.pack_b(tb, b_src, ldb, depth, cols, pb);
          for (int64_t ir = r_begin; ir < r_end; ir += kPollPanels * mr) {
            if (control.cancelled()) return;
            const int64_t chunk = std::min(kPollPanels * mr, r_end - ir);
            g.macro_kernel(chunk, cols, depth, alpha, pa + (ir - r_begin) * depth, pb, beta_here,
                           c + (ic + ir) * ldc + jc, ldc);
          }
        }
      });
      ++steps_done;
      const int report = static_cast<int>(steps_done * kProgressSteps / total_steps);
      if (report > last_report && !control.cancelled()) {
        last_report = report;
        control.progress(static_cast<double>(steps_done) / static_cast<double>(total_steps), "gemm");
      }
    }
    if (control.cancelled()) break;
  }
  control.check();
}

}  // namespace

template <class T>
void gemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc, int n_threads, const WorkControl& control) {
  const bool ta = trans_a == Trans::kYes;
  const bool tb = trans_b == Trans::kYes;
  check_gemm(ta, tb, m, n, k, lda, ldb, ldc, a != nullptr, b != nullptr, c != nullptr);
  if (m == 0 || n == 0) return;
  const simd::Isa isa = simd::active_isa();
  const simd::Blas1Kernels<T>& v = simd::blas1_kernels<T>(isa);
  if (k == 0 || alpha == T(0)) {
    scale_rows(v, m, n, beta, c, ldc);
    return;
  }
  // Path choice depends on the shape only (never on n_threads), part of the determinism contract.
  // In double: m * n * k can overflow int64 for shapes that are individually fine.
  const double work = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const int threads = work < static_cast<double>(kParallelWork) ? 1 : resolve_threads(n_threads);
  if (n == 1 || m == 1) {
    gemm_as_gemv(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
    return;
  }
  const simd::GemmKernels<T>& g = simd::gemm_kernels<T>(isa);
  // Direct kernel (no packing of A) for small products and thin shapes. A transposed B is packed
  // first, which only pays while op(B) is small.
  const bool small = work <= static_cast<double>(kSmallWork);
  const bool b_small = static_cast<double>(k) * static_cast<double>(n) * sizeof(T) <= kThinBBytes;
  const bool direct = tb ? b_small && (small || n <= g.direct_nr)
                         : small || m <= kThinRows || (b_small && n <= g.direct_nr);
  if (direct) {
    gemm_direct(g, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, control);
    return;
  }
  gemm_blocked(g, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads, control);
}

template void gemm<float>(Trans, Trans, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                          int64_t, float, float*, int64_t, int, const WorkControl&);
template void gemm<double>(Trans, Trans, int64_t, int64_t, int64_t, double, const double*, int64_t, const double*,
                           int64_t, double, double*, int64_t, int, const WorkControl&);

}  // namespace linalg
}  // namespace ensemblekit
