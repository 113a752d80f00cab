// Internal: per-ISA vector kernels behind linalg/blas1.h (dot, axpy, gemv) and the thin / small
// paths of linalg/gemm.cc. Same rules as gemm_kernels.h: the ISA files only define these tables
// and internal-linkage functions.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

template <class T>
struct Blas1Kernels {
  // sum_i x[i] * y[i]. Float sums in float lanes with several independent accumulators (16 to 64
  // partial sums depending on the ISA) reduced pairwise at the end, so the error grows like
  // (n / lanes) * eps rather than n * eps; results differ between ISAs in the last bits.
  T (*dot)(int64_t n, const T* x, const T* y);
  // y += alpha * x.
  void (*axpy)(int64_t n, T alpha, const T* x, T* y);
  // y = alpha * x + beta * y; beta == 0 writes y without reading it.
  void (*axpby)(int64_t n, T alpha, const T* x, T beta, T* y);
  // y = beta * y; beta == 0 writes zeros without reading y (NaN does not survive).
  void (*scale)(int64_t n, T beta, T* y);
  // out[i] = sum_j a[i * lda + j] * x[j] for i < rows. Four rows per pass share the loads of x and
  // give the memory system four streams; each row's sum is formed the same way whichever group it
  // falls in.
  void (*dot_rows)(int64_t rows, int64_t n, const T* a, int64_t lda, const T* x, T* out);
  // y[j] += sum_i x[i] * a[i * lda + j] for j < n, one FMA per row in row order (the same
  // arithmetic as row-by-row axpy), four rows per load / store of y.
  void (*axpy_rows)(int64_t rows, int64_t n, const T* a, int64_t lda, const T* x, T* y);
};

// The table for `isa` (defined in linalg/blas1.cc, a baseline file; callers pass active_isa()).
template <class T>
const Blas1Kernels<T>& blas1_kernels(Isa isa);

namespace scalar {
extern const Blas1Kernels<float> kBlas1F32;
extern const Blas1Kernels<double> kBlas1F64;
}  // namespace scalar

// The SIMD files exist only on x86-64 builds (their -m flags are x86 flags). The AVX-512 tables are
// used only when the build compiled those files and says so with ENSEMBLEKIT_HAVE_AVX512; without
// it an AVX-512 CPU runs the AVX2 tables.
#if defined(__x86_64__) || defined(_M_X64)
#define ENSEMBLEKIT_HAVE_X86_KERNELS 1
namespace avx2 {
extern const Blas1Kernels<float> kBlas1F32;
extern const Blas1Kernels<double> kBlas1F64;
}  // namespace avx2

namespace avx512 {
extern const Blas1Kernels<float> kBlas1F32;
extern const Blas1Kernels<double> kBlas1F64;
}  // namespace avx512
#endif

}  // namespace simd
}  // namespace ensemblekit
