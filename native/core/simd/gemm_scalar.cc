// Scalar GEMM micro-kernel and packing: the reference twin of gemm_avx2.cc / gemm_avx512.cc and the
// path for CPUs without AVX2 (or ENSEMBLEKIT_SIMD=scalar). Same packed layouts and loop structure
// as the SIMD files, so tests comparing the variants exercise the same driver code. Kept free of
// compiler auto-vectorisation: it must stay the plain reference even when the build adds -O3.
#include <cstdint>

#include "gemm_kernels.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif
#if defined(__clang__)
#define EK_NO_VECTORIZE _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define EK_NO_VECTORIZE
#endif

namespace ensemblekit {
namespace simd {
namespace scalar {

namespace {

// 4 x 4 accumulators fit the 16 SSE2 registers of baseline x86-64 as scalars.
constexpr int kMr = 4;
constexpr int kNr = 4;

template <class T>
void micro_tile(int64_t depth, const T* __restrict pa, const T* __restrict pb, T* __restrict c, int64_t ldc,
                int64_t mr, int64_t nr, T alpha, T beta) {
  T acc[kMr][kNr] = {};
  EK_NO_VECTORIZE
  for (int64_t p = 0; p < depth; ++p) {
    for (int i = 0; i < kMr; ++i) {
      const T a = pa[i];
      for (int j = 0; j < kNr; ++j) acc[i][j] += a * pb[j];
    }
    pa += kMr;
    pb += kNr;
  }
  for (int64_t i = 0; i < mr; ++i) {
    T* row = c + i * ldc;
    EK_NO_VECTORIZE
    for (int64_t j = 0; j < nr; ++j) {
      const T r = alpha * acc[i][j];
      row[j] = beta == T(0) ? r : beta * row[j] + r;
    }
  }
}

template <class T>
void macro_kernel(int64_t rows, int64_t cols, int64_t depth, T alpha, const T* pa, const T* pb, T beta, T* c,
                  int64_t ldc) {
  for (int64_t i = 0; i < rows; i += kMr) {
    const int64_t mr = rows - i < kMr ? rows - i : kMr;
    for (int64_t j = 0; j < cols; j += kNr) {
      const int64_t nr = cols - j < kNr ? cols - j : kNr;
      micro_tile<T>(depth, pa + i * depth, pb + j * depth, c + i * ldc + j, ldc, mr, nr, alpha, beta);
    }
  }
}

// Unpacked product, same register tile: A(i, p) = a[i * a_rs + p * a_cs], B row p at b + p * ldb.
template <class T>
void direct(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
            int64_t ldb, T beta, T* c, int64_t ldc) {
  for (int64_t j0 = 0; j0 < n; j0 += kNr) {
    const int64_t nr = n - j0 < kNr ? n - j0 : kNr;
    for (int64_t i0 = 0; i0 < m; i0 += kMr) {
      const int64_t mr = m - i0 < kMr ? m - i0 : kMr;
      T acc[kMr][kNr] = {};
      for (int64_t p = 0; p < k; ++p) {
        const T* b_row = b + p * ldb + j0;
        for (int64_t i = 0; i < mr; ++i) {
          const T x = a[(i0 + i) * a_rs + p * a_cs];
          EK_NO_VECTORIZE
          for (int64_t j = 0; j < nr; ++j) acc[i][j] += x * b_row[j];
        }
      }
      for (int64_t i = 0; i < mr; ++i) {
        T* row = c + (i0 + i) * ldc + j0;
        EK_NO_VECTORIZE
        for (int64_t j = 0; j < nr; ++j) {
          const T r = alpha * acc[i][j];
          row[j] = beta == T(0) ? r : beta * row[j] + r;
        }
      }
    }
  }
}

// dst[p * R + r] = element (r, p) of a panel whose element (r, p) sits at src[r * rs + p * ps];
// rows r >= width are zero. One routine serves both the copy and the transposed cases.
template <class T>
void pack_panel(const T* src, int64_t rs, int64_t ps, int r_total, int64_t width, int64_t depth, T* dst) {
  for (int64_t p = 0; p < depth; ++p) {
    T* d = dst + p * r_total;
    EK_NO_VECTORIZE
    for (int r = 0; r < r_total; ++r) d[r] = r < width ? src[r * rs + p * ps] : T(0);
  }
}

template <class T>
void pack_a(bool trans, const T* a, int64_t lda, int64_t rows, int64_t depth, T* dst) {
  for (int64_t i = 0; i < rows; i += kMr) {
    const int64_t width = rows - i < kMr ? rows - i : kMr;
    if (trans) {
      pack_panel<T>(a + i, 1, lda, kMr, width, depth, dst + i * depth);
    } else {
      pack_panel<T>(a + i * lda, lda, 1, kMr, width, depth, dst + i * depth);
    }
  }
}

template <class T>
void pack_b(bool trans, const T* b, int64_t ldb, int64_t depth, int64_t cols, T* dst) {
  for (int64_t j = 0; j < cols; j += kNr) {
    const int64_t width = cols - j < kNr ? cols - j : kNr;
    if (trans) {
      pack_panel<T>(b + j * ldb, ldb, 1, kNr, width, depth, dst + j * depth);
    } else {
      pack_panel<T>(b + j, 1, ldb, kNr, width, depth, dst + j * depth);
    }
  }
}

}  // namespace

extern const GemmKernels<float> kGemmF32 = {kMr, kNr, 256, 512, 256, &pack_a<float>, &pack_b<float>,
                                            &macro_kernel<float>, &direct<float>, kMr, kNr};
extern const GemmKernels<double> kGemmF64 = {kMr, kNr, 256, 512, 256, &pack_a<double>, &pack_b<double>,
                                             &macro_kernel<double>, &direct<double>, kMr, kNr};

}  // namespace scalar
}  // namespace simd
}  // namespace ensemblekit
