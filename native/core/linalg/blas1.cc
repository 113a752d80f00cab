#include "blas1.h"

#include <algorithm>
#include <string>

#include "../errors.h"
#include "../parallel/parallel_for.h"
#include "../simd/blas1_kernels.h"
#include "../simd/cpu.h"

namespace ensemblekit {

namespace simd {

template <>
const Blas1Kernels<float>& blas1_kernels<float>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
#ifdef ENSEMBLEKIT_HAVE_AVX512
  if (isa == Isa::kAvx512) return avx512::kBlas1F32;
#endif
  if (isa >= Isa::kAvx2) return avx2::kBlas1F32;
#endif
  (void)isa;
  return scalar::kBlas1F32;
}

template <>
const Blas1Kernels<double>& blas1_kernels<double>(Isa isa) {
#ifdef ENSEMBLEKIT_HAVE_X86_KERNELS
#ifdef ENSEMBLEKIT_HAVE_AVX512
  if (isa == Isa::kAvx512) return avx512::kBlas1F64;
#endif
  if (isa >= Isa::kAvx2) return avx2::kBlas1F64;
#endif
  (void)isa;
  return scalar::kBlas1F64;
}

}  // namespace simd

namespace linalg {

namespace {

// Below this many elements of A a gemv runs on the calling thread: it takes well under 100 us at
// memory speed, while waking a team costs microseconds (milliseconds when the cores are busy).
constexpr int64_t kGemvParallelWork = int64_t(1) << 20;
// op(A) = A: rows per parallel block, sized so a block is ~64K elements of A (a multiple of 4, the
// rows per pass of dot_rows).
constexpr int64_t kGemvRowElements = int64_t(1) << 16;
// op(A) = A: rows whose dots are buffered before the alpha / beta update.
constexpr int64_t kGemvRowBatch = 256;
// op(A) = A^T: y is split into chunks of this many columns; the chunk's partial sums stay in L1
// while the rows of A stream past. Fixed, so the split never depends on the thread count.
constexpr int64_t kGemvColumnChunk = 2048;
// op(A) = A^T with fewer columns than this: a plain loop beats one kernel call per row.
constexpr int64_t kGemvNarrow = 16;

[[noreturn]] void fail(const std::string& what) { throw InvalidInput(what); }

void check_gemv(int64_t m, int64_t n, int64_t lda, bool has_a, bool has_x, bool has_y, bool trans) {
  if (m < 0 || n < 0) {
    fail("gemv: expected non-negative sizes but received m=" + std::to_string(m) + ", n=" + std::to_string(n));
  }
  if (lda < n) {
    fail("gemv: expected lda >= n (" + std::to_string(n) + ") for the row stride of A but received " +
         std::to_string(lda));
  }
  const int64_t x_len = trans ? m : n;
  const int64_t y_len = trans ? n : m;
  if ((m > 0 && n > 0 && !has_a) || (x_len > 0 && !has_x) || (y_len > 0 && !has_y)) {
    fail("gemv: expected non-null A, x and y for non-empty sizes but received a null pointer");
  }
}

}  // namespace

template <class T>
void gemv(Trans trans_a, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T beta, T* y,
          int n_threads) {
  const bool trans = trans_a == Trans::kYes;
  check_gemv(m, n, lda, a != nullptr, x != nullptr, y != nullptr, trans);
  const auto& k = simd::blas1_kernels<T>(simd::active_isa());
  const int64_t y_len = trans ? n : m;
  const int64_t depth = trans ? m : n;  // length of each sum
  if (y_len == 0) return;
  if (depth == 0 || alpha == T(0)) {
    if (beta != T(1)) k.scale(y_len, beta, y);
    return;
  }
  const int threads = m * n < kGemvParallelWork ? 1 : resolve_threads(n_threads);

  if (!trans) {
    // One dot per row, four rows per pass; rows are independent, so any row split gives the same bits.
    const int64_t grain = std::max<int64_t>(1, kGemvRowElements / n / 4) * 4;
    parallel_blocks(m, grain, threads, [&](int64_t lo, int64_t hi, int64_t) {
      T sums[kGemvRowBatch];
      for (int64_t i0 = lo; i0 < hi; i0 += kGemvRowBatch) {
        const int64_t rows = std::min(kGemvRowBatch, hi - i0);
        k.dot_rows(rows, n, a + i0 * lda, lda, x, sums);
        for (int64_t i = 0; i < rows; ++i) {
          const T s = alpha * sums[i];
          y[i0 + i] = beta == T(0) ? s : s + beta * y[i0 + i];
        }
      }
    });
    return;
  }

  if (n < kGemvNarrow) {
    // Few columns, many rows: one pass over A with the sums in registers.
    T sum[kGemvNarrow] = {};
    for (int64_t i = 0; i < m; ++i) {
      const T xi = x[i];
      const T* row = a + i * lda;
      for (int64_t j = 0; j < n; ++j) sum[j] += xi * row[j];
    }
    for (int64_t j = 0; j < n; ++j) y[j] = beta == T(0) ? alpha * sum[j] : alpha * sum[j] + beta * y[j];
    return;
  }

  // y = alpha * (sum_i x_i A_i) + beta * y, column chunk by column chunk. The sum over rows runs
  // in row order inside one thread, so the bits do not depend on the thread count.
  parallel_blocks(n, kGemvColumnChunk, threads, [&](int64_t lo, int64_t hi, int64_t) {
    T partial[kGemvColumnChunk];
    const int64_t w = hi - lo;
    k.scale(w, T(0), partial);
    k.axpy_rows(m, w, a + lo, lda, x, partial);
    k.axpby(w, alpha, partial, beta, y + lo);
  });
}

template <class T>
T dot(int64_t n, const T* x, const T* y) {
  if (n < 0) fail("dot: expected a non-negative length but received " + std::to_string(n));
  if (n == 0) return T(0);
  if (x == nullptr || y == nullptr) fail("dot: expected non-null x and y but received a null pointer");
  return simd::blas1_kernels<T>(simd::active_isa()).dot(n, x, y);
}

template <class T>
void axpy(int64_t n, T alpha, const T* x, T* y) {
  if (n < 0) fail("axpy: expected a non-negative length but received " + std::to_string(n));
  if (n == 0) return;
  if (x == nullptr || y == nullptr) fail("axpy: expected non-null x and y but received a null pointer");
  simd::blas1_kernels<T>(simd::active_isa()).axpy(n, alpha, x, y);
}

template void gemv<float>(Trans, int64_t, int64_t, float, const float*, int64_t, const float*, float, float*, int);
template void gemv<double>(Trans, int64_t, int64_t, double, const double*, int64_t, const double*, double, double*,
                           int);
template float dot<float>(int64_t, const float*, const float*);
template double dot<double>(int64_t, const double*, const double*);
template void axpy<float>(int64_t, float, const float*, float*);
template void axpy<double>(int64_t, double, const double*, double*);

}  // namespace linalg
}  // namespace ensemblekit
