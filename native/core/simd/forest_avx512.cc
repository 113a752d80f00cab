// AVX-512 forest byte kernels (forest_kernels.h), 64 rows per step. Compiled with the AVX-512
// F/DQ/BW/VL flags; partitioning also needs VBMI (vpermb) and VBMI2 (vpcompressb), enabled on
// those functions only. forest_kernels() hands this table out only when the CPU has both (Ice
// Lake, Zen 4 and later); other AVX-512 CPUs get the AVX2 kernels.
//
// Instructions used
// | instruction               | intrinsic                                  | what for                          |
// |---------------------------|--------------------------------------------|-----------------------------------|
// | vpcmpub/vpcmpeqb -> k     | _mm512_cmple_epu8_mask, _mm512_cmpeq_epi8_mask | row flags as a 64-bit mask    |
// | vptestmb -> k             | _mm512_test_epi8_mask                      | label 1 rows                      |
// | vpminub/vpmaxub zmm       | _mm512_min/max_epu8 (masked)               | bin range                         |
// | popcnt                    | __builtin_popcountll                       | counting flagged rows             |
// | vpcompressb (VBMI2)       | _mm512_maskz_compress_epi8                 | packing 64 rows by side           |
// | vpermb (VBMI)             | _mm512_permutexvar_epi8                    | one permutation for <= 64 rows    |
// | vpexpandb (VBMI2)         | _mm512_mask_expand_epi8                    | building that permutation         |
// | masked loads/stores       | _mm512_maskz_loadu_epi8, _mm512_mask_storeu_epi8 | tails without overrun       |
#if (defined(__x86_64__) || defined(_M_X64)) && defined(__GNUC__)

#include <immintrin.h>

#include <cstdint>

#include "forest_kernels.h"

#define EK_VBMI __attribute__((target("avx512vbmi,avx512vbmi2")))

namespace ensemblekit {
namespace simd {
namespace avx512 {

namespace {

inline __mmask64 first_lanes(int64_t n) { return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1; }

// Byte minimum / maximum of a vector (halving until one byte is left).
inline unsigned min_byte(__m512i v) {
  __m256i h = _mm256_min_epu8(_mm512_maskz_extracti64x4_epi64(0xFF, v, 0), _mm512_maskz_extracti64x4_epi64(0xFF, v, 1));
  __m128i x = _mm_min_epu8(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  x = _mm_min_epu8(x, _mm_srli_si128(x, 8));
  x = _mm_min_epu8(x, _mm_srli_si128(x, 4));
  x = _mm_min_epu8(x, _mm_srli_si128(x, 2));
  x = _mm_min_epu8(x, _mm_srli_si128(x, 1));
  return static_cast<uint8_t>(_mm_cvtsi128_si32(x));
}
inline unsigned max_byte(__m512i v) {
  __m256i h = _mm256_max_epu8(_mm512_maskz_extracti64x4_epi64(0xFF, v, 0), _mm512_maskz_extracti64x4_epi64(0xFF, v, 1));
  __m128i x = _mm_max_epu8(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 8));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 4));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 2));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 1));
  return static_cast<uint8_t>(_mm_cvtsi128_si32(x));
}

int64_t bin_range(const uint8_t* col, int64_t m, uint8_t missing, uint8_t* lo, uint8_t* hi) {
  const __m512i mv = _mm512_set1_epi8(static_cast<char>(missing));
  __m512i vlo = _mm512_set1_epi8(static_cast<char>(0xFF));
  __m512i vhi = _mm512_setzero_si512();
  int64_t miss = 0;
  for (int64_t i = 0; i < m; i += 64) {
    const __mmask64 lanes = first_lanes(m - i);
    const __m512i v = _mm512_maskz_loadu_epi8(lanes, col + i);
    const __mmask64 is_miss = _mm512_mask_cmpeq_epi8_mask(lanes, v, mv);
    const __mmask64 value = lanes & ~is_miss;
    vlo = _mm512_mask_min_epu8(vlo, value, vlo, v);
    vhi = _mm512_mask_max_epu8(vhi, value, vhi, v);
    miss += __builtin_popcountll(is_miss);
  }
  *lo = static_cast<uint8_t>(min_byte(vlo));
  *hi = static_cast<uint8_t>(max_byte(vhi));
  return miss;
}

void count_binary(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t t, uint8_t missing, int64_t out[4]) {
  const __m512i tv = _mm512_set1_epi8(static_cast<char>(t));
  const __m512i mv = _mm512_set1_epi8(static_cast<char>(missing));
  int64_t left = 0, left_pos = 0, miss = 0, miss_pos = 0;
  for (int64_t i = 0; i < m; i += 64) {
    const __mmask64 lanes = first_lanes(m - i);
    const __m512i v = _mm512_maskz_loadu_epi8(lanes, col + i);
    const __m512i y = _mm512_maskz_loadu_epi8(lanes, label + i);
    const __mmask64 le = _mm512_mask_cmple_epu8_mask(lanes, v, tv);
    const __mmask64 ms = _mm512_mask_cmpeq_epi8_mask(lanes, v, mv);
    const __mmask64 pos = _mm512_test_epi8_mask(y, y);
    left += __builtin_popcountll(le);
    left_pos += __builtin_popcountll(le & pos);
    miss += __builtin_popcountll(ms);
    miss_pos += __builtin_popcountll(ms & pos);
  }
  out[0] = left;
  out[1] = left_pos;
  out[2] = miss;
  out[3] = miss_pos;
}

// floor(r * span / 2^64) for span < 256: the scalar twin's formula and SplitMix64::mul_high's value.
// Each ISA file keeps its own copy (internal linkage): ISA files share no inline code with baseline
// files, whose copy the linker could otherwise replace with this one.
inline int draw_below(uint64_t r, int span) {
  const uint64_t s = static_cast<uint64_t>(span);
  return static_cast<int>(((((r & 0xFFFFFFFFu) * s) >> 32) + (r >> 32) * s) >> 32);
}

int extra_binary(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t missing, uint64_t r, int* t,
                 int64_t out[4]) {
  if (m > 64) {
    uint8_t lo = 0, hi = 0;
    const int64_t miss = bin_range(col, m, missing, &lo, &hi);
    if (miss == m || (lo == hi && miss == 0)) return 0;
    *t = lo < hi ? lo + draw_below(r, hi - lo) : hi;
    count_binary(col, label, m, static_cast<uint8_t>(*t), missing, out);
    return lo < hi ? 1 : 2;
  }
  // One vector: the range, the draw and the counts from the same registers.
  const __mmask64 lanes = first_lanes(m);
  const __m512i v = _mm512_maskz_loadu_epi8(lanes, col);
  const __mmask64 is_miss = _mm512_mask_cmpeq_epi8_mask(lanes, v, _mm512_set1_epi8(static_cast<char>(missing)));
  const __mmask64 value = lanes & ~is_miss;
  const int64_t miss = __builtin_popcountll(is_miss);
  if (value == 0) return 0;
  const unsigned lo = min_byte(_mm512_mask_mov_epi8(_mm512_set1_epi8(static_cast<char>(0xFF)), value, v));
  const unsigned hi = max_byte(_mm512_maskz_mov_epi8(value, v));
  if (lo == hi && miss == 0) return 0;
  const int threshold = lo < hi ? static_cast<int>(lo) + draw_below(r, static_cast<int>(hi - lo)) : static_cast<int>(hi);
  *t = threshold;
  const __mmask64 pos = _mm512_test_epi8_mask(_mm512_maskz_loadu_epi8(lanes, label), _mm512_maskz_loadu_epi8(lanes, label));
  const __mmask64 le = _mm512_mask_cmple_epu8_mask(lanes, v, _mm512_set1_epi8(static_cast<char>(threshold)));
  out[0] = __builtin_popcountll(le);
  out[1] = __builtin_popcountll(le & pos);
  out[2] = miss;
  out[3] = __builtin_popcountll(is_miss & pos);
  return lo < hi ? 1 : 2;
}

int64_t left_bits(const uint8_t* col, int64_t m, uint8_t t, uint8_t missing, bool missing_left, uint64_t* bits) {
  const __m512i tv = _mm512_set1_epi8(static_cast<char>(t));
  const __m512i mv = _mm512_set1_epi8(static_cast<char>(missing));
  int64_t nl = 0;
  for (int64_t i = 0; i < m; i += 64) {
    const __mmask64 lanes = first_lanes(m - i);
    const __m512i v = _mm512_maskz_loadu_epi8(lanes, col + i);
    __mmask64 word = _mm512_mask_cmple_epu8_mask(lanes, v, tv);
    if (missing_left) word |= _mm512_mask_cmpeq_epi8_mask(lanes, v, mv);
    bits[i >> 6] = word;
    nl += __builtin_popcountll(word);
  }
  return nl;
}

// n bytes from src to dst in 64-byte steps, the last one masked (no library call, no overrun).
EK_VBMI inline void copy_bytes(uint8_t* dst, const uint8_t* src, int64_t n) {
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
  if (i < n) {
    const __mmask64 lanes = first_lanes(n - i);
    _mm512_mask_storeu_epi8(dst + i, lanes, _mm512_maskz_loadu_epi8(lanes, src + i));
  }
}

// Segments of at most 64 rows: one permutation (left rows, right rows, then the bytes past the
// segment in place) for every column: a 64-byte load, vpermb and a 64-byte store each.
EK_VBMI void partition_short(uint8_t* seg, int64_t stride, int columns, int64_t m, uint64_t bits) {
  alignas(64) static const uint8_t kIota[64] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                                16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
                                                32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
                                                48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
  const __m512i iota = _mm512_load_si512(kIota);
  const __mmask64 valid = first_lanes(m);
  const __mmask64 left = bits & valid;
  const int nl = __builtin_popcountll(left);
  const __m512i left_idx = _mm512_maskz_compress_epi8(left, iota);
  const __m512i right_idx = _mm512_maskz_compress_epi8(valid & ~left, iota);
  __m512i perm = _mm512_mask_mov_epi8(iota, first_lanes(nl), left_idx);
  perm = _mm512_mask_expand_epi8(perm, valid & ~first_lanes(nl), right_idx);
  for (int c = 0; c < columns; ++c) {
    uint8_t* col = seg + c * stride;
    // The zero-masking form with every lane kept: GCC 12's plain vpermb intrinsic trips
    // -Wmaybe-uninitialized on its undefined pass-through operand.
    _mm512_storeu_si512(col, _mm512_maskz_permutexvar_epi8(~__mmask64{0}, perm, _mm512_loadu_si512(col)));
  }
}

EK_VBMI void partition_columns(uint8_t* seg, int64_t stride, int columns, int64_t m, const uint64_t* bits, uint8_t* scratch) {
  if (m <= 64) {
    partition_short(seg, stride, columns, m, bits[0]);
    return;
  }
  for (int c = 0; c < columns; ++c) {
    uint8_t* col = seg + c * stride;
    int64_t nl = 0, nr = 0;
    int64_t i = 0;
    for (; i + 64 <= m; i += 64) {
      const __mmask64 left = bits[i >> 6];
      const __m512i v = _mm512_loadu_si512(col + i);
      // 64 bytes at col + nl: nl <= i, so only bytes already loaded are overwritten; the tail past
      // the packed ones is rewritten later (by the next left rows or the right side's copy).
      _mm512_storeu_si512(col + nl, _mm512_maskz_compress_epi8(left, v));
      _mm512_storeu_si512(scratch + nr, _mm512_maskz_compress_epi8(~left, v));
      const int64_t k = __builtin_popcountll(left);
      nl += k;
      nr += 64 - k;
    }
    if (i < m) {
      const __mmask64 lanes = first_lanes(m - i);
      const __mmask64 left = bits[i >> 6] & lanes;
      const __m512i v = _mm512_maskz_loadu_epi8(lanes, col + i);
      const int64_t k = __builtin_popcountll(left);
      _mm512_mask_storeu_epi8(col + nl, first_lanes(k), _mm512_maskz_compress_epi8(left, v));
      _mm512_mask_storeu_epi8(scratch + nr, first_lanes(m - i - k), _mm512_maskz_compress_epi8(lanes & ~left, v));
      nl += k;
      nr += m - i - k;
    }
    copy_bytes(col + nl, scratch, nr);
  }
}

}  // namespace

extern const ForestKernels kForest = {&bin_range, &extra_binary, &left_bits, &partition_columns};

}  // namespace avx512
}  // namespace simd
}  // namespace ensemblekit

#endif
