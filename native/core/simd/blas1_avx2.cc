// AVX2 + FMA dot / axpy / axpby / scale, float and double. Compiled with -mavx2 -mfma; reached only
// through kBlas1F32 / kBlas1F64 after the ISA check (linalg/blas1.cc, linalg/gemm.cc).
//
// Instructions used
// | instruction              | intrinsic                              | what for                          |
// |--------------------------|----------------------------------------|-----------------------------------|
// | vfmadd231ps/pd ymm       | _mm256_fmadd_ps/pd                     | dot accumulators, axpy            |
// | vmulps/pd ymm            | _mm256_mul_ps/pd                       | scale, alpha * x                  |
// | vmovups/pd ymm           | _mm256_loadu/storeu_ps/pd              | streaming x and y                 |
// | vextractf128, vaddps/pd  | _mm256_extractf128, _mm_add, _mm_hadd  | final horizontal sum of the dot   |
//
// Tails (n % 8 / n % 4) run as scalar code; with -mfma the compiler contracts them to FMA too.
// Dot keeps 4 vector accumulators (32 float / 16 double partial sums).
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cstdint>

#include "blas1_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx2 {

namespace {

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static T reduce(V v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static T reduce(V v) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
    return _mm_cvtsd_f64(s);
  }
};

template <class Ops>
typename Ops::T dot(int64_t n, const typename Ops::T* x, const typename Ops::T* y) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  V a0 = Ops::zero(), a1 = Ops::zero(), a2 = Ops::zero(), a3 = Ops::zero();
  int64_t i = 0;
  for (; i + 4 * kL <= n; i += 4 * kL) {
    a0 = Ops::fmadd(Ops::loadu(x + i), Ops::loadu(y + i), a0);
    a1 = Ops::fmadd(Ops::loadu(x + i + kL), Ops::loadu(y + i + kL), a1);
    a2 = Ops::fmadd(Ops::loadu(x + i + 2 * kL), Ops::loadu(y + i + 2 * kL), a2);
    a3 = Ops::fmadd(Ops::loadu(x + i + 3 * kL), Ops::loadu(y + i + 3 * kL), a3);
  }
  for (; i + kL <= n; i += kL) a0 = Ops::fmadd(Ops::loadu(x + i), Ops::loadu(y + i), a0);
  T tail = 0;
  for (; i < n; ++i) tail += x[i] * y[i];
  return Ops::reduce(Ops::add(Ops::add(a0, a1), Ops::add(a2, a3))) + tail;
}

template <class Ops>
void axpy(int64_t n, typename Ops::T alpha, const typename Ops::T* x, typename Ops::T* y) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  const V va = Ops::set1(alpha);
  int64_t i = 0;
  for (; i + 2 * kL <= n; i += 2 * kL) {
    Ops::storeu(y + i, Ops::fmadd(va, Ops::loadu(x + i), Ops::loadu(y + i)));
    Ops::storeu(y + i + kL, Ops::fmadd(va, Ops::loadu(x + i + kL), Ops::loadu(y + i + kL)));
  }
  for (; i + kL <= n; i += kL) Ops::storeu(y + i, Ops::fmadd(va, Ops::loadu(x + i), Ops::loadu(y + i)));
  for (; i < n; ++i) y[i] += alpha * x[i];
}

template <class Ops>
void axpby(int64_t n, typename Ops::T alpha, const typename Ops::T* x, typename Ops::T beta, typename Ops::T* y) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  const V va = Ops::set1(alpha);
  const V vb = Ops::set1(beta);
  int64_t i = 0;
  if (beta == T(0)) {
    for (; i + kL <= n; i += kL) Ops::storeu(y + i, Ops::mul(va, Ops::loadu(x + i)));
    for (; i < n; ++i) y[i] = alpha * x[i];
  } else {
    for (; i + kL <= n; i += kL) Ops::storeu(y + i, Ops::fmadd(vb, Ops::loadu(y + i), Ops::mul(va, Ops::loadu(x + i))));
    for (; i < n; ++i) y[i] = beta * y[i] + alpha * x[i];
  }
}

template <class Ops>
void scale(int64_t n, typename Ops::T beta, typename Ops::T* y) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  int64_t i = 0;
  if (beta == T(0)) {
    for (; i + kL <= n; i += kL) Ops::storeu(y + i, Ops::zero());
    for (; i < n; ++i) y[i] = T(0);
  } else {
    const V vb = Ops::set1(beta);
    for (; i + kL <= n; i += kL) Ops::storeu(y + i, Ops::mul(vb, Ops::loadu(y + i)));
    for (; i < n; ++i) y[i] *= beta;
  }
}

// One row's dot as dot_rows computes it: two accumulators, scalar tail added after the reduction.
template <class Ops>
typename Ops::T dot_row(int64_t n, const typename Ops::T* a, const typename Ops::T* x) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  V s0 = Ops::zero(), s1 = Ops::zero();
  int64_t j = 0;
  for (; j + 2 * kL <= n; j += 2 * kL) {
    s0 = Ops::fmadd(Ops::loadu(a + j), Ops::loadu(x + j), s0);
    s1 = Ops::fmadd(Ops::loadu(a + j + kL), Ops::loadu(x + j + kL), s1);
  }
  T tail = 0;
  for (; j < n; ++j) tail += a[j] * x[j];
  return Ops::reduce(Ops::add(s0, s1)) + tail;
}

template <class Ops>
void dot_rows(int64_t rows, int64_t n, const typename Ops::T* a, int64_t lda, const typename Ops::T* x,
              typename Ops::T* out) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const T* r0 = a + i * lda;
    const T* r1 = r0 + lda;
    const T* r2 = r1 + lda;
    const T* r3 = r2 + lda;
    V s00 = Ops::zero(), s01 = Ops::zero(), s10 = Ops::zero(), s11 = Ops::zero();
    V s20 = Ops::zero(), s21 = Ops::zero(), s30 = Ops::zero(), s31 = Ops::zero();
    int64_t j = 0;
    for (; j + 2 * kL <= n; j += 2 * kL) {
      const V x0 = Ops::loadu(x + j);
      const V x1 = Ops::loadu(x + j + kL);
      s00 = Ops::fmadd(Ops::loadu(r0 + j), x0, s00);
      s01 = Ops::fmadd(Ops::loadu(r0 + j + kL), x1, s01);
      s10 = Ops::fmadd(Ops::loadu(r1 + j), x0, s10);
      s11 = Ops::fmadd(Ops::loadu(r1 + j + kL), x1, s11);
      s20 = Ops::fmadd(Ops::loadu(r2 + j), x0, s20);
      s21 = Ops::fmadd(Ops::loadu(r2 + j + kL), x1, s21);
      s30 = Ops::fmadd(Ops::loadu(r3 + j), x0, s30);
      s31 = Ops::fmadd(Ops::loadu(r3 + j + kL), x1, s31);
    }
    T t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (; j < n; ++j) {
      t0 += r0[j] * x[j];
      t1 += r1[j] * x[j];
      t2 += r2[j] * x[j];
      t3 += r3[j] * x[j];
    }
    out[i] = Ops::reduce(Ops::add(s00, s01)) + t0;
    out[i + 1] = Ops::reduce(Ops::add(s10, s11)) + t1;
    out[i + 2] = Ops::reduce(Ops::add(s20, s21)) + t2;
    out[i + 3] = Ops::reduce(Ops::add(s30, s31)) + t3;
  }
  for (; i < rows; ++i) out[i] = dot_row<Ops>(n, a + i * lda, x);
}

template <class Ops>
void axpy_rows(int64_t rows, int64_t n, const typename Ops::T* a, int64_t lda, const typename Ops::T* x,
               typename Ops::T* y) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const T* r0 = a + i * lda;
    const T* r1 = r0 + lda;
    const T* r2 = r1 + lda;
    const T* r3 = r2 + lda;
    const T c0 = x[i], c1 = x[i + 1], c2 = x[i + 2], c3 = x[i + 3];
    const V x0 = Ops::set1(c0), x1 = Ops::set1(c1), x2 = Ops::set1(c2), x3 = Ops::set1(c3);
    int64_t j = 0;
    for (; j + kL <= n; j += kL) {
      V v = Ops::loadu(y + j);
      v = Ops::fmadd(x0, Ops::loadu(r0 + j), v);
      v = Ops::fmadd(x1, Ops::loadu(r1 + j), v);
      v = Ops::fmadd(x2, Ops::loadu(r2 + j), v);
      v = Ops::fmadd(x3, Ops::loadu(r3 + j), v);
      Ops::storeu(y + j, v);
    }
    for (; j < n; ++j) {
      T v = y[j];
      v += c0 * r0[j];
      v += c1 * r1[j];
      v += c2 * r2[j];
      v += c3 * r3[j];
      y[j] = v;
    }
  }
  for (; i < rows; ++i) axpy<Ops>(n, x[i], a + i * lda, y);
}

}  // namespace

extern const Blas1Kernels<float> kBlas1F32 = {&dot<F32>,   &axpy<F32>,     &axpby<F32>,
                                            &scale<F32>, &dot_rows<F32>, &axpy_rows<F32>};
extern const Blas1Kernels<double> kBlas1F64 = {&dot<F64>,   &axpy<F64>,     &axpby<F64>,
                                             &scale<F64>, &dot_rows<F64>, &axpy_rows<F64>};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif  // x86-64
