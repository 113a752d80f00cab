// Scalar dot / axpy / axpby / scale: the reference twin of blas1_avx2.cc and blas1_avx512.cc, kept
// free of auto-vectorisation so it stays the plain reference whatever the build's -O level.
#include <cstdint>

#include "blas1_kernels.h"

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

// Four interleaved partial sums: independent add chains for speed, and a shorter summation tree.
template <class T>
T dot(int64_t n, const T* x, const T* y) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  EK_NO_VECTORIZE
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  EK_NO_VECTORIZE
  for (; i < n; ++i) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

template <class T>
void axpy(int64_t n, T alpha, const T* x, T* y) {
  EK_NO_VECTORIZE
  for (int64_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

template <class T>
void axpby(int64_t n, T alpha, const T* x, T beta, T* y) {
  if (beta == T(0)) {
    EK_NO_VECTORIZE
    for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i];
  } else {
    EK_NO_VECTORIZE
    for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta * y[i];
  }
}

template <class T>
void scale(int64_t n, T beta, T* y) {
  if (beta == T(0)) {
    EK_NO_VECTORIZE
    for (int64_t i = 0; i < n; ++i) y[i] = T(0);
  } else {
    EK_NO_VECTORIZE
    for (int64_t i = 0; i < n; ++i) y[i] *= beta;
  }
}

// Same per-row accumulation as dot(), four rows at a time.
template <class T>
void dot_rows(int64_t rows, int64_t n, const T* a, int64_t lda, const T* x, T* out) {
  for (int64_t i = 0; i < rows; ++i) out[i] = dot<T>(n, a + i * lda, x);
}

template <class T>
void axpy_rows(int64_t rows, int64_t n, const T* a, int64_t lda, const T* x, T* y) {
  for (int64_t i = 0; i < rows; ++i) axpy<T>(n, x[i], a + i * lda, y);
}

}  // namespace

extern const Blas1Kernels<float> kBlas1F32 = {&dot<float>, &axpy<float>, &axpby<float>, &scale<float>,
                                            &dot_rows<float>, &axpy_rows<float>};
extern const Blas1Kernels<double> kBlas1F64 = {&dot<double>, &axpy<double>, &axpby<double>, &scale<double>,
                                             &dot_rows<double>, &axpy_rows<double>};

}  // namespace scalar
}  // namespace simd
}  // namespace ensemblekit
