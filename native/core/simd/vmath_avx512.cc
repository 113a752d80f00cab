// AVX-512F exp / log over double arrays (vmath_kernels.h): the algorithms of vmath_avx2.cc (see
// there) on 8 lanes, with masked loads and stores for the tails and mask registers for the blends.
// Compiled with the AVX-512 flags; reached only through avx512::kVmath after the ISA check.
//
// Instructions used
// | instruction                  | intrinsic                                | what for                         |
// |------------------------------|------------------------------------------|----------------------------------|
// | vfmadd231pd / vfnmadd231pd   | _mm512_fmadd_pd / _mm512_fnmadd_pd       | range reduction, polynomials     |
// | vaddpd/vsubpd/vmulpd/vdivpd  | _mm512_add/sub/mul/div_pd                | arithmetic                       |
// | vminpd/vmaxpd                | _mm512_min/max_pd                        | clamping the exp argument        |
// | vrndscalepd                  | _mm512_roundscale_pd                     | floor(n / 2)                     |
// | vpaddq/vpsllq/vpsrlq         | _mm512_add/slli/srli_epi64               | building 2^n, reading exponents  |
// | vpternlogq                   | _mm512_and/or_si512                      | mantissa extraction              |
// | vcmppd, vblendmpd            | _mm512_cmp_pd_mask, _mm512_mask_blend_pd | NaN, sqrt(2) fold, special lanes |
// | vmovupd {k}                  | _mm512_maskz_loadu_pd / mask_storeu_pd   | tails                            |
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "vmath_kernels.h"

// GCC 12's AVX-512 headers start unmasked intrinsics from _mm512_undefined_*(), which -Wall
// reports as maybe-uninitialized (a false positive: every lane is written).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace ensemblekit {
namespace simd {
namespace avx512 {

namespace {

constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 0.6931471803691238;
constexpr double kLn2Lo = 1.9082149292705877e-10;
constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52
constexpr double kExpMin = -746.0;
constexpr double kExpMax = 710.0;

inline __m512d pow2(__m512d n) {
  const __m512i bits = _mm512_castpd_si512(_mm512_add_pd(n, _mm512_set1_pd(kShifter)));
  return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(bits, _mm512_set1_epi64(1023)), 52));
}

inline __m512d exp8(__m512d x) {
  const __m512d xc = _mm512_min_pd(_mm512_max_pd(x, _mm512_set1_pd(kExpMin)), _mm512_set1_pd(kExpMax));
  const __m512d shifter = _mm512_set1_pd(kShifter);
  const __m512d n = _mm512_sub_pd(_mm512_fmadd_pd(xc, _mm512_set1_pd(kLog2e), shifter), shifter);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(kLn2Hi), xc);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(kLn2Lo), r);
  __m512d p = _mm512_set1_pd(1.0 / 6227020800.0);
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 479001600.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 39916800.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 3628800.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 362880.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 40320.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 5040.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  const __m512d na = _mm512_roundscale_pd(_mm512_mul_pd(n, _mm512_set1_pd(0.5)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512d nb = _mm512_sub_pd(n, na);
  const __m512d y = _mm512_mul_pd(_mm512_mul_pd(p, pow2(na)), pow2(nb));
  return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q), y, x);
}

inline __m512d log8(__m512d x) {
  const __m512i bits = _mm512_castpd_si512(x);
  const __m512i mant = _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi64(0x000FFFFFFFFFFFFFLL)),
                                       _mm512_set1_epi64(0x3FF0000000000000LL));
  __m512d m = _mm512_castsi512_pd(mant);
  const __m512i ebits = _mm512_add_epi64(_mm512_srli_epi64(bits, 52), _mm512_castpd_si512(_mm512_set1_pd(kShifter)));
  __m512d e = _mm512_sub_pd(_mm512_castsi512_pd(ebits), _mm512_set1_pd(kShifter + 1023.0));
  const __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(1.4142135623730951), _CMP_GT_OQ);
  m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));
  e = _mm512_mask_add_pd(e, big, e, _mm512_set1_pd(1.0));
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d f = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
  const __m512d f2 = _mm512_mul_pd(f, f);
  __m512d p = _mm512_set1_pd(1.0 / 19.0);
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 17.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 15.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 13.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 11.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 9.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 7.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 5.0));
  p = _mm512_fmadd_pd(p, f2, _mm512_set1_pd(1.0 / 3.0));
  const __m512d two_f = _mm512_add_pd(f, f);
  const __m512d lm = _mm512_fmadd_pd(_mm512_mul_pd(two_f, f2), p, two_f);
  return _mm512_fmadd_pd(e, _mm512_set1_pd(kLn2Hi), _mm512_fmadd_pd(e, _mm512_set1_pd(kLn2Lo), lm));
}

inline __mmask8 special_log_lanes(__m512d x) {
  const __mmask8 ok = _mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MIN), _CMP_GE_OQ) &
                      _mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MAX), _CMP_LE_OQ);
  return static_cast<__mmask8>(~ok);
}

void exp_n(int64_t n, const double* x, double* y) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, exp8(_mm512_loadu_pd(x + i)));
  if (i < n) {
    const __mmask8 tail = static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm512_mask_storeu_pd(y + i, tail, exp8(_mm512_maskz_loadu_pd(tail, x + i)));
  }
}

void log_n(int64_t n, const double* x, double* y) {
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t count = n - i < 8 ? n - i : 8;
    const __mmask8 lanes = static_cast<__mmask8>((1u << count) - 1);
    // Padding lanes load 1.0 (log 1 = 0), never special.
    const __m512d v = _mm512_mask_loadu_pd(_mm512_set1_pd(1.0), lanes, x + i);
    const __mmask8 special = special_log_lanes(v) & lanes;
    if (special == 0) {
      _mm512_mask_storeu_pd(y + i, lanes, log8(v));
    } else {
      alignas(64) double in[8], out[8];
      _mm512_store_pd(in, v);
      _mm512_store_pd(out, log8(v));
      for (int64_t l = 0; l < count; ++l) y[i + l] = (special >> l) & 1 ? scalar_log(in[l]) : out[l];
    }
  }
}

}  // namespace

extern const VmathKernels kVmath = {&exp_n, &log_n};

}  // namespace avx512
}  // namespace simd
}  // namespace ensemblekit

#endif
