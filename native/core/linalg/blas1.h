// Level-1/2 dense kernels on row-major float/double data: dot, axpy, gemv. The SIMD variant is
// picked per call from simd::active_isa(); every variant has a scalar twin (simd/blas1_*.cc).
#pragma once

#include <cstdint>

namespace ensemblekit {
namespace linalg {

// Whether an operand is used as stored (kNo) or transposed (kYes).
enum class Trans { kNo, kYes };

// y = alpha * op(A) * x + beta * y, A is m x n row-major with row stride lda >= n.
// op(A) = A: x has n entries, y has m. op(A) = A^T: x has m entries, y has n.
// beta == 0 writes y without reading it (NaN in y does not leak); alpha == 0 only scales y.
// Deterministic: each y entry is computed by one thread in a fixed order, whatever n_threads is
// (the transposed case splits y into fixed column chunks, never the sum over rows).
// x and y must not overlap. Throws InvalidInput on negative sizes, lda < n, or null pointers with
// non-empty sizes.
template <class T>
void gemv(Trans trans_a, int64_t m, int64_t n, T alpha, const T* a, int64_t lda, const T* x, T beta, T* y,
          int n_threads);

// sum_i x[i] * y[i]. Precision: float is accumulated in float, in 16 to 64 interleaved partial
// sums (by ISA) that are added pairwise at the end, so the rounding error grows like
// (n / lanes) * eps * sum|x_i y_i| instead of n * eps; the ISAs differ in the last bits.
// Use double inputs when a float dot of very long vectors needs more.
template <class T>
T dot(int64_t n, const T* x, const T* y);

// y += alpha * x.
template <class T>
void axpy(int64_t n, T alpha, const T* x, T* y);

extern template void gemv<float>(Trans, int64_t, int64_t, float, const float*, int64_t, const float*, float, float*,
                                 int);
extern template void gemv<double>(Trans, int64_t, int64_t, double, const double*, int64_t, const double*, double,
                                  double*, int);
extern template float dot<float>(int64_t, const float*, const float*);
extern template double dot<double>(int64_t, const double*, const double*);
extern template void axpy<float>(int64_t, float, const float*, float*);
extern template void axpy<double>(int64_t, double, const double*, double*);

}  // namespace linalg
}  // namespace ensemblekit
