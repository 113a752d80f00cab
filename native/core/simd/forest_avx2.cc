// AVX2 forest byte kernels (forest_kernels.h). Compiled with -mavx2 -mfma; reached only through
// avx2::kForest after the ISA check.
//
// Instructions used
// | instruction              | intrinsic                           | what for                              |
// |--------------------------|-------------------------------------|---------------------------------------|
// | vpminub/vpmaxub ymm      | _mm256_min/max_epu8                 | bin range; "bin <= t" as min(b,t)==b  |
// | vpcmpeqb ymm             | _mm256_cmpeq_epi8                   | missing bin, "bin <= t"               |
// | vpmovmskb ymm            | _mm256_movemask_epi8                | 32 row flags to a bit mask            |
// | popcnt                   | __builtin_popcount(ll)              | counting flagged rows                 |
// | pshufb xmm/ymm           | _mm_shuffle_epi8, _mm256_shuffle_epi8 | packing rows by a side mask         |
// | vperm2i128, vpblendvb    | _mm256_permute2x128_si256, _mm256_blendv_epi8 | 32-byte permutation     |
//
// Counts come from bit masks and popcounts, so they are exact (and equal to the scalar twin's).
// Partition packs 8 rows per step through a 256-entry table of pshufb controls: the left rows go
// back into the segment at the left count (never past a row not yet read), the right rows into
// the scratch, which is copied after the left rows at the end. Segments of at most 32 rows (most
// nodes of a full-depth tree) take one 32-byte permutation per column instead.
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "forest_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx2 {

namespace {

// kPack[mask]: the pshufb control that moves the bytes whose mask bit is set to the front, in order.
constexpr std::array<uint64_t, 256> make_pack_table() {
  std::array<uint64_t, 256> t{};
  for (int mask = 0; mask < 256; ++mask) {
    uint64_t control = 0;
    int out = 0;
    for (int j = 0; j < 8; ++j) {
      if ((mask >> j) & 1) control |= static_cast<uint64_t>(j) << (8 * out++);
    }
    t[static_cast<size_t>(mask)] = control;
  }
  return t;
}
constexpr std::array<uint64_t, 256> kPack = make_pack_table();

int64_t bin_range(const uint8_t* col, int64_t m, uint8_t missing, uint8_t* lo, uint8_t* hi) {
  const __m256i mv = _mm256_set1_epi8(static_cast<char>(missing));
  __m256i vlo = _mm256_set1_epi8(static_cast<char>(0xFF));
  __m256i vhi = _mm256_setzero_si256();
  int64_t miss = 0;
  int64_t i = 0;
  for (; i + 32 <= m; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + i));
    const __m256i is_miss = _mm256_cmpeq_epi8(v, mv);
    vlo = _mm256_min_epu8(vlo, _mm256_or_si256(v, is_miss));
    vhi = _mm256_max_epu8(vhi, _mm256_andnot_si256(is_miss, v));
    miss += __builtin_popcount(static_cast<unsigned>(_mm256_movemask_epi8(is_miss)));
  }
  // Horizontal reductions: halve the vector until one byte is left.
  __m128i l1 = _mm_min_epu8(_mm256_castsi256_si128(vlo), _mm256_extracti128_si256(vlo, 1));
  __m128i h1 = _mm_max_epu8(_mm256_castsi256_si128(vhi), _mm256_extracti128_si256(vhi, 1));
  l1 = _mm_min_epu8(l1, _mm_srli_si128(l1, 8));
  h1 = _mm_max_epu8(h1, _mm_srli_si128(h1, 8));
  l1 = _mm_min_epu8(l1, _mm_srli_si128(l1, 4));
  h1 = _mm_max_epu8(h1, _mm_srli_si128(h1, 4));
  l1 = _mm_min_epu8(l1, _mm_srli_si128(l1, 2));
  h1 = _mm_max_epu8(h1, _mm_srli_si128(h1, 2));
  l1 = _mm_min_epu8(l1, _mm_srli_si128(l1, 1));
  h1 = _mm_max_epu8(h1, _mm_srli_si128(h1, 1));
  unsigned rl = static_cast<uint8_t>(_mm_cvtsi128_si32(l1));
  unsigned rh = static_cast<uint8_t>(_mm_cvtsi128_si32(h1));
  for (; i < m; ++i) {
    const unsigned b = col[i];
    if (b == missing) {
      ++miss;
    } else {
      rl = b < rl ? b : rl;
      rh = b > rh ? b : rh;
    }
  }
  *lo = static_cast<uint8_t>(rl);
  *hi = static_cast<uint8_t>(rh);
  return miss;
}

void count_binary(const uint8_t* col, const uint8_t* label, int64_t m, uint8_t t, uint8_t missing, int64_t out[4]) {
  const __m256i tv = _mm256_set1_epi8(static_cast<char>(t));
  const __m256i mv = _mm256_set1_epi8(static_cast<char>(missing));
  int64_t left = 0, left_pos = 0, miss = 0, miss_pos = 0;
  int64_t i = 0;
  for (; i + 32 <= m; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + i));
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(label + i));
    const unsigned le = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(v, tv), v)));
    const unsigned ms = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, mv)));
    // Labels are 0 or 1: shifted to bit 7 of each byte they become the byte's mask bit.
    const unsigned pos = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_slli_epi16(y, 7)));
    left += __builtin_popcount(le);
    left_pos += __builtin_popcount(le & pos);
    miss += __builtin_popcount(ms);
    miss_pos += __builtin_popcount(ms & pos);
  }
  for (; i < m; ++i) {
    const int64_t in_left = col[i] <= t, in_miss = col[i] == missing, yi = label[i];
    left += in_left;
    left_pos += in_left & yi;
    miss += in_miss;
    miss_pos += in_miss & yi;
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
  uint8_t lo = 0, hi = 0;
  const int64_t miss = bin_range(col, m, missing, &lo, &hi);
  if (miss == m || (lo == hi && miss == 0)) return 0;
  *t = lo < hi ? lo + draw_below(r, hi - lo) : hi;
  count_binary(col, label, m, static_cast<uint8_t>(*t), missing, out);
  return lo < hi ? 1 : 2;
}

int64_t left_bits(const uint8_t* col, int64_t m, uint8_t t, uint8_t missing, bool missing_left, uint64_t* bits) {
  const __m256i tv = _mm256_set1_epi8(static_cast<char>(t));
  const __m256i mv = _mm256_set1_epi8(static_cast<char>(missing));
  const __m256i ml = missing_left ? _mm256_set1_epi8(static_cast<char>(0xFF)) : _mm256_setzero_si256();
  auto flags = [&](const uint8_t* p) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i le = _mm256_cmpeq_epi8(_mm256_min_epu8(v, tv), v);
    const __m256i ms = _mm256_and_si256(_mm256_cmpeq_epi8(v, mv), ml);
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(le, ms))));
  };
  int64_t nl = 0;
  int64_t w = 0;
  for (; (w + 1) * 64 <= m; ++w) {
    const uint64_t word = flags(col + w * 64) | (flags(col + w * 64 + 32) << 32);
    bits[w] = word;
    nl += __builtin_popcountll(word);
  }
  if (w * 64 < m) {
    uint64_t word = 0;
    for (int64_t j = 0; w * 64 + j < m; ++j) {
      const uint8_t b = col[w * 64 + j];
      word |= static_cast<uint64_t>((b <= t) | (missing_left && b == missing)) << j;
    }
    bits[w] = word;
    nl += __builtin_popcountll(word);
  }
  return nl;
}

// n <= 64 bytes from src to dst without a library call (small nodes make most of a tree's calls):
// two overlapping 16/8/4-byte moves cover any length of a size class exactly.
inline void copy_short(uint8_t* dst, const uint8_t* src, int64_t n) {
  if (n >= 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + n - 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + n - 32), b);
  } else if (n >= 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), a);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16), b);
  } else if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, src, 8);
    std::memcpy(&b, src + n - 8, 8);
    std::memcpy(dst, &a, 8);
    std::memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Segments of at most 32 rows: one permutation (left rows, then right rows, then the bytes past the
// segment in place) applied to every column with two in-lane shuffles of the broadcast halves.
void partition_short(uint8_t* seg, int64_t stride, int columns, int64_t m, uint64_t bits) {
  alignas(32) uint8_t perm[32];
  bits &= m >= 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1;  // rows past the segment stay in place
  int nl = 0;
  const int left = __builtin_popcountll(bits);
  int nr = left;
  for (int i = 0; i < 32; ++i) {
    if (i >= m) {
      perm[i] = static_cast<uint8_t>(i);
    } else if ((bits >> i) & 1u) {
      perm[nl++] = static_cast<uint8_t>(i);
    } else {
      perm[nr++] = static_cast<uint8_t>(i);
    }
  }
  const __m256i p = _mm256_load_si256(reinterpret_cast<const __m256i*>(perm));
  // Lane index within 16 and "from the high half" (bit 4) as a blend mask.
  const __m256i idx = _mm256_and_si256(p, _mm256_set1_epi8(15));
  const __m256i from_hi = _mm256_slli_epi16(p, 3);  // bit 4 -> bit 7 of each byte
  for (int c = 0; c < columns; ++c) {
    uint8_t* col = seg + c * stride;
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col));
    const __m256i lo = _mm256_permute2x128_si256(v, v, 0x00);
    const __m256i hi = _mm256_permute2x128_si256(v, v, 0x11);
    const __m256i out = _mm256_blendv_epi8(_mm256_shuffle_epi8(lo, idx), _mm256_shuffle_epi8(hi, idx), from_hi);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(col), out);
  }
}

void partition_columns(uint8_t* seg, int64_t stride, int columns, int64_t m, const uint64_t* bits, uint8_t* scratch) {
  if (m <= 32) {
    partition_short(seg, stride, columns, m, bits[0]);
    return;
  }
  for (int c = 0; c < columns; ++c) {
    uint8_t* col = seg + c * stride;
    int64_t nl = 0, nr = 0;
    int64_t i = 0;
    for (; i + 8 <= m; i += 8) {
      const unsigned mask = static_cast<unsigned>(bits[i >> 6] >> (i & 63)) & 0xFFu;
      const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(col + i));
      const __m128i l = _mm_shuffle_epi8(v, _mm_cvtsi64_si128(static_cast<long long>(kPack[mask])));
      const __m128i r = _mm_shuffle_epi8(v, _mm_cvtsi64_si128(static_cast<long long>(kPack[mask ^ 0xFFu])));
      // 8 bytes at col + nl: nl <= i, so only bytes already loaded are overwritten; the tail past
      // the packed ones is rewritten later (by the next left rows or the right side's copy).
      _mm_storel_epi64(reinterpret_cast<__m128i*>(col + nl), l);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(scratch + nr), r);
      const int64_t k = __builtin_popcount(mask);
      nl += k;
      nr += 8 - k;
    }
    for (; i < m; ++i) {
      const uint8_t v = col[i];
      if ((bits[i >> 6] >> (i & 63)) & 1u) {
        col[nl++] = v;
      } else {
        scratch[nr++] = v;
      }
    }
    if (nr <= 64) {
      copy_short(col + nl, scratch, nr);
    } else {
      std::memcpy(col + nl, scratch, static_cast<size_t>(nr));
    }
  }
}

}  // namespace

extern const ForestKernels kForest = {&bin_range, &extra_binary, &left_bits, &partition_columns};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif
