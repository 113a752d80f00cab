// AVX-512 dot / axpy / axpby / scale, float and double. Compiled with
// -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -mavx2; reached only through kBlas1F32 /
// kBlas1F64 after the ISA check (linalg/blas1.cc, linalg/gemm.cc).
//
// Instructions used
// | instruction              | intrinsic                              | what for                          |
// |--------------------------|----------------------------------------|-----------------------------------|
// | vfmadd231ps/pd zmm       | _mm512_fmadd_ps/pd                     | dot accumulators, axpy            |
// | vmulps/pd zmm            | _mm512_mul_ps/pd                       | scale, alpha * x                  |
// | vmovups/pd zmm           | _mm512_loadu/storeu_ps/pd              | streaming x and y                 |
// | vmovups/pd zmm{k}{z}     | _mm512_maskz_loadu / mask_storeu       | the n % 16 (n % 8) tail, no scalar loop |
// | reduction sequence       | _mm512_reduce_add_ps/pd                | final horizontal sum of the dot   |
//
// Dot keeps 4 vector accumulators (64 float / 32 double partial sums): enough independent chains
// for two FMA pipes and a summation tree that is 64x shallower than a serial loop.
#if defined(__x86_64__) || defined(_M_X64)

// GCC 12 warns "-Wuninitialized" inside its own AVX-512 headers (the _mm512_undefined_*() pass-through
// operand of unmasked unpack/shuffle intrinsics); the value is never used.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#include "blas1_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx512 {

namespace {

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V loadu(const T* p) { return _mm512_loadu_ps(p); }
  static V maskz_loadu(M m, const T* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void storeu(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void mask_storeu(T* p, M m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static T reduce(V v) { return _mm512_reduce_add_ps(v); }
  static M first_lanes(int64_t n) { return n >= kLanes ? M(0xFFFF) : M((1u << n) - 1u); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V loadu(const T* p) { return _mm512_loadu_pd(p); }
  static V maskz_loadu(M m, const T* p) { return _mm512_maskz_loadu_pd(m, p); }
  static void storeu(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void mask_storeu(T* p, M m, V v) { _mm512_mask_storeu_pd(p, m, v); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static T reduce(V v) { return _mm512_reduce_add_pd(v); }
  static M first_lanes(int64_t n) { return n >= kLanes ? M(0xFF) : M((1u << n) - 1u); }
};

template <class Ops>
typename Ops::T dot(int64_t n, const typename Ops::T* x, const typename Ops::T* y) {
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
  if (i < n) {
    const auto m = Ops::first_lanes(n - i);
    a1 = Ops::fmadd(Ops::maskz_loadu(m, x + i), Ops::maskz_loadu(m, y + i), a1);
  }
  return Ops::reduce(Ops::add(Ops::add(a0, a1), Ops::add(a2, a3)));
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
  for (; i < n; i += kL) {
    const auto m = Ops::first_lanes(n - i);
    Ops::mask_storeu(y + i, m, Ops::fmadd(va, Ops::maskz_loadu(m, x + i), Ops::maskz_loadu(m, y + i)));
  }
}

template <class Ops>
void axpby(int64_t n, typename Ops::T alpha, const typename Ops::T* x, typename Ops::T beta, typename Ops::T* y) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  const V va = Ops::set1(alpha);
  const V vb = Ops::set1(beta);
  const bool read_y = beta != typename Ops::T(0);
  for (int64_t i = 0; i < n; i += kL) {
    const auto m = Ops::first_lanes(n - i);
    V r = Ops::mul(va, Ops::maskz_loadu(m, x + i));
    if (read_y) r = Ops::fmadd(vb, Ops::maskz_loadu(m, y + i), r);
    Ops::mask_storeu(y + i, m, r);
  }
}

template <class Ops>
void scale(int64_t n, typename Ops::T beta, typename Ops::T* y) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  const V vb = Ops::set1(beta);
  const bool read_y = beta != typename Ops::T(0);
  for (int64_t i = 0; i < n; i += kL) {
    const auto m = Ops::first_lanes(n - i);
    Ops::mask_storeu(y + i, m, read_y ? Ops::mul(vb, Ops::maskz_loadu(m, y + i)) : Ops::zero());
  }
}

// One row's dot as dot_rows computes it: two accumulators, masked tail into the first.
template <class Ops>
typename Ops::T dot_row(int64_t n, const typename Ops::T* a, const typename Ops::T* x) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  V s0 = Ops::zero(), s1 = Ops::zero();
  int64_t j = 0;
  for (; j + 2 * kL <= n; j += 2 * kL) {
    s0 = Ops::fmadd(Ops::loadu(a + j), Ops::loadu(x + j), s0);
    s1 = Ops::fmadd(Ops::loadu(a + j + kL), Ops::loadu(x + j + kL), s1);
  }
  for (; j < n; j += kL) {
    const auto m = Ops::first_lanes(n - j);
    s0 = Ops::fmadd(Ops::maskz_loadu(m, a + j), Ops::maskz_loadu(m, x + j), s0);
  }
  return Ops::reduce(Ops::add(s0, s1));
}

template <class Ops>
void dot_rows(int64_t rows, int64_t n, const typename Ops::T* a, int64_t lda, const typename Ops::T* x,
              typename Ops::T* out) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const typename Ops::T* r0 = a + i * lda;
    const typename Ops::T* r1 = r0 + lda;
    const typename Ops::T* r2 = r1 + lda;
    const typename Ops::T* r3 = r2 + lda;
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
    for (; j < n; j += kL) {
      const auto m = Ops::first_lanes(n - j);
      const V x0 = Ops::maskz_loadu(m, x + j);
      s00 = Ops::fmadd(Ops::maskz_loadu(m, r0 + j), x0, s00);
      s10 = Ops::fmadd(Ops::maskz_loadu(m, r1 + j), x0, s10);
      s20 = Ops::fmadd(Ops::maskz_loadu(m, r2 + j), x0, s20);
      s30 = Ops::fmadd(Ops::maskz_loadu(m, r3 + j), x0, s30);
    }
    out[i] = Ops::reduce(Ops::add(s00, s01));
    out[i + 1] = Ops::reduce(Ops::add(s10, s11));
    out[i + 2] = Ops::reduce(Ops::add(s20, s21));
    out[i + 3] = Ops::reduce(Ops::add(s30, s31));
  }
  for (; i < rows; ++i) out[i] = dot_row<Ops>(n, a + i * lda, x);
}

template <class Ops>
void axpy_rows(int64_t rows, int64_t n, const typename Ops::T* a, int64_t lda, const typename Ops::T* x,
               typename Ops::T* y) {
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  int64_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const typename Ops::T* r0 = a + i * lda;
    const typename Ops::T* r1 = r0 + lda;
    const typename Ops::T* r2 = r1 + lda;
    const typename Ops::T* r3 = r2 + lda;
    const V x0 = Ops::set1(x[i]), x1 = Ops::set1(x[i + 1]), x2 = Ops::set1(x[i + 2]), x3 = Ops::set1(x[i + 3]);
    for (int64_t j = 0; j < n; j += kL) {
      const auto m = Ops::first_lanes(n - j);
      V v = Ops::maskz_loadu(m, y + j);
      v = Ops::fmadd(x0, Ops::maskz_loadu(m, r0 + j), v);
      v = Ops::fmadd(x1, Ops::maskz_loadu(m, r1 + j), v);
      v = Ops::fmadd(x2, Ops::maskz_loadu(m, r2 + j), v);
      v = Ops::fmadd(x3, Ops::maskz_loadu(m, r3 + j), v);
      Ops::mask_storeu(y + j, m, v);
    }
  }
  for (; i < rows; ++i) axpy<Ops>(n, x[i], a + i * lda, y);
}

}  // namespace

extern const Blas1Kernels<float> kBlas1F32 = {&dot<F32>,   &axpy<F32>,     &axpby<F32>,
                                            &scale<F32>, &dot_rows<F32>, &axpy_rows<F32>};
extern const Blas1Kernels<double> kBlas1F64 = {&dot<F64>,   &axpy<F64>,     &axpby<F64>,
                                             &scale<F64>, &dot_rows<F64>, &axpy_rows<F64>};

}  // namespace avx512
}  // namespace simd
}  // namespace ensemblekit

#endif  // x86-64
