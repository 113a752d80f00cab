// AVX2 + FMA exp / log over double arrays (vmath_kernels.h). Compiled with -mavx2 -mfma; reached
// only through avx2::kVmath after the ISA check.
//
// Instructions used
// | instruction                 | intrinsic                               | what for                          |
// |-----------------------------|-----------------------------------------|-----------------------------------|
// | vfmadd231pd ymm             | _mm256_fmadd_pd                         | range reduction, polynomials      |
// | vaddpd/vsubpd/vmulpd/vdivpd | _mm256_add/sub/mul/div_pd               | arithmetic                        |
// | vminpd/vmaxpd               | _mm256_min/max_pd                       | clamping the exp argument         |
// | vroundpd                    | _mm256_floor_pd                         | splitting the exponent in halves  |
// | vpaddq/vpsubq/vpsllq/vpsrlq | _mm256_add/sub/slli/srli_epi64          | building 2^n, reading exponents   |
// | vpand/vpor                  | _mm256_and/or_si256                     | mantissa extraction               |
// | vcmppd, vblendvpd, vmovmskpd| _mm256_cmp_pd, _mm256_blendv_pd, movemask | NaN, sqrt(2) fold, special lanes |
//
// exp: x = n ln2 + r (Cody-Waite with a two-part ln2, |r| <= ln2/2), e^r by its Taylor polynomial of
// degree 13 (truncation < 5e-18 relative), times 2^n built as 2^floor(n/2) * 2^(n - floor(n/2)) so
// that n from -1076 to 1025 (the whole double range, overflow and gradual underflow) needs no
// special case. round(x log2e) comes from adding 1.5 * 2^52 (the integer lands in the low bits).
// log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.172,
// by the odd series to f^19 (tail < 3e-17 relative); log x = e ln2 + log m.
// Tails (n % 4) go through a zero-padded vector, so every lane gets the same arithmetic.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "vmath_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx2 {

namespace {

constexpr double kLog2e = 1.4426950408889634;
constexpr double kLn2Hi = 0.6931471803691238;       // 0x3fe62e42fee00000: 32 significant bits
constexpr double kLn2Lo = 1.9082149292705877e-10;   // ln2 - kLn2Hi
constexpr double kShifter = 6755399441055744.0;     // 1.5 * 2^52
constexpr double kExpMin = -746.0;                  // exp underflows to 0 below -745.13
constexpr double kExpMax = 710.0;                   // and overflows above 709.78

inline __m256d pow2(__m256d n) {
  // n is an integer-valued double in [-540, 540]: its bits as 2^n after adding the shifter.
  const __m256i bits = _mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(kShifter)));
  return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52));
}

inline __m256d exp4(__m256d x) {
  const __m256d xc = _mm256_min_pd(_mm256_max_pd(x, _mm256_set1_pd(kExpMin)), _mm256_set1_pd(kExpMax));
  const __m256d shifter = _mm256_set1_pd(kShifter);
  const __m256d n = _mm256_sub_pd(_mm256_fmadd_pd(xc, _mm256_set1_pd(kLog2e), shifter), shifter);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(kLn2Hi), xc);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(kLn2Lo), r);
  // Taylor coefficients 1/k!, k = 13 .. 0, Horner.
  __m256d p = _mm256_set1_pd(1.0 / 6227020800.0);
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 479001600.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 39916800.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 3628800.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 362880.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 40320.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 5040.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 720.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 120.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 24.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 6.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  const __m256d na = _mm256_floor_pd(_mm256_mul_pd(n, _mm256_set1_pd(0.5)));
  const __m256d nb = _mm256_sub_pd(n, na);
  const __m256d y = _mm256_mul_pd(_mm256_mul_pd(p, pow2(na)), pow2(nb));
  return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

// log for positive normal lanes; other lanes give garbage and are redone by the caller.
inline __m256d log4(__m256d x) {
  const __m256i bits = _mm256_castpd_si256(x);
  const __m256i mant = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)),
                                       _mm256_set1_epi64x(0x3FF0000000000000LL));
  __m256d m = _mm256_castsi256_pd(mant);
  // Biased exponent (1..2046) as a double, through the shifter's low bits.
  const __m256i ebits = _mm256_add_epi64(_mm256_srli_epi64(bits, 52), _mm256_castpd_si256(_mm256_set1_pd(kShifter)));
  __m256d e = _mm256_sub_pd(_mm256_castsi256_pd(ebits), _mm256_set1_pd(kShifter + 1023.0));
  const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
  e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d f = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
  const __m256d f2 = _mm256_mul_pd(f, f);
  // 1 + f2/3 + f2^2/5 + ... + f2^9/19, Horner.
  __m256d p = _mm256_set1_pd(1.0 / 19.0);
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 17.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 15.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 13.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 11.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 9.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 7.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 5.0));
  p = _mm256_fmadd_pd(p, f2, _mm256_set1_pd(1.0 / 3.0));
  // log m = 2f + 2f * f2 * p'  where p' is the series without its leading 1 (keeps 2f exact-ish).
  const __m256d two_f = _mm256_add_pd(f, f);
  const __m256d lm = _mm256_fmadd_pd(_mm256_mul_pd(two_f, f2), p, two_f);
  return _mm256_fmadd_pd(e, _mm256_set1_pd(kLn2Hi), _mm256_fmadd_pd(e, _mm256_set1_pd(kLn2Lo), lm));
}

// Lanes log4 cannot take: not (DBL_MIN <= x <= DBL_MAX), NaN included.
inline int special_log_lanes(__m256d x) {
  const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(x, _mm256_set1_pd(DBL_MIN), _CMP_GE_OQ),
                                   _mm256_cmp_pd(x, _mm256_set1_pd(DBL_MAX), _CMP_LE_OQ));
  return (~_mm256_movemask_pd(ok)) & 0xF;
}

void exp_n(int64_t n, const double* x, double* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, exp4(_mm256_loadu_pd(x + i)));
  if (i < n) {
    alignas(32) double buf[4] = {0, 0, 0, 0};
    std::memcpy(buf, x + i, static_cast<size_t>(n - i) * sizeof(double));
    _mm256_store_pd(buf, exp4(_mm256_load_pd(buf)));
    std::memcpy(y + i, buf, static_cast<size_t>(n - i) * sizeof(double));
  }
}

void log_block(const double* x, double* y, int64_t count) {
  alignas(32) double buf[4] = {1, 1, 1, 1};
  std::memcpy(buf, x, static_cast<size_t>(count) * sizeof(double));
  const __m256d v = _mm256_load_pd(buf);
  const int special = special_log_lanes(v);
  alignas(32) double out[4];
  _mm256_store_pd(out, log4(v));
  for (int l = 0; l < count; ++l) y[l] = (special >> l) & 1 ? scalar_log(buf[l]) : out[l];
}

void log_n(int64_t n, const double* x, double* y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_loadu_pd(x + i);
    if (special_log_lanes(v) == 0) {
      _mm256_storeu_pd(y + i, log4(v));
    } else {
      log_block(x + i, y + i, 4);
    }
  }
  if (i < n) log_block(x + i, y + i, n - i);
}

}  // namespace

extern const VmathKernels kVmath = {&exp_n, &log_n};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif
