// AVX2 dense tree walks, float32 (8 rows a vector) and float64 (4 rows a vector). Compiled with
// -mavx2 -mfma; reached only through kPredictF32 / kPredictF64 after the ISA check
// (predict/compiled_forest.cc). Leaf for leaf identical to the scalar twin (predict_scalar.cc);
// layout in predict_kernels.h.
//
// A step of a vector of rows is three gathers (the slots' thresholds and feature words, the rows'
// values at those features), two compares and an integer multiply-add for the next slot:
// no branch, no per-row load chain. Four vectors walk in lockstep so the gathers' latency overlaps.
//
// Instructions used
// | instruction              | intrinsic                       | what for                                 |
// |--------------------------|---------------------------------|------------------------------------------|
// | vpgatherdq / vpgatherdd  | _mm256_mask_i32gather_epi64/32  | float32 slots; float64 feature words     |
// | vpermq, vshufps          | _mm256_permute4x64_epi64, shuffle_ps | slot order -> thresholds, words     |
// | vgatherdps / vgatherdpd  | _mm256_i32gather_ps/pd          | thresholds; the rows' feature values     |
// | vcmpps/pd (LE_OQ, UNORD) | _mm256_cmp_ps/pd                | x <= threshold; x is NaN                 |
// | vpsrad                   | _mm256_srai_epi32               | NaN-left bit -> lane mask                |
// | vpslld, vpaddd           | _mm256_slli_epi32, add_epi32    | next slot 2i + 2 - left                  |
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cstdint>

#include "predict_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx2 {

namespace {

constexpr int kVectors = 4;

// The scalar steps for the tail rows (private copies: see the note in predict_kernels.h).
int32_t tail_leaf(const float* x, const DenseSlotF32* slots, int depth) {
  uint32_t i = 0;
  for (int d = 0; d < depth; ++d) {
    const DenseSlotF32 s = slots[i];
    const float v = x[s.feat & ~kDenseNaNLeftBit];
    const uint32_t left = static_cast<uint32_t>(v <= s.thr) | (static_cast<uint32_t>(v != v) & (s.feat >> 31));
    i = 2 * i + 2 - left;
  }
  return static_cast<int32_t>(i - ((1u << depth) - 1));
}

int32_t tail_leaf(const double* x, const int32_t* feat, const double* thr, int depth) {
  uint32_t i = 0;
  for (int d = 0; d < depth; ++d) {
    const uint32_t w = static_cast<uint32_t>(feat[i]);
    const double v = x[w & ~kDenseNaNLeftBit];
    const uint32_t left = static_cast<uint32_t>(v <= thr[i]) | (static_cast<uint32_t>(v != v) & (w >> 31));
    i = 2 * i + 2 - left;
  }
  return static_cast<int32_t>(i - ((1u << depth) - 1));
}

// Float32: a slot is 8 bytes {threshold, feature word}, so the 8 rows' slots come in two 4-lane
// 64-bit gathers (8 element loads instead of 16 for two 8-lane 32-bit gathers; the element count is
// what a gather costs on AMD cores). The index vector is permuted to [0 1 4 5 | 2 3 6 7] first, so
// that one in-lane shuffle of the two results gives thresholds and feature words in row order.
void dense_leaves_f32(const float* x, int64_t rows, int64_t stride, const DenseSlotF32* slots, int depth,
                      int32_t* leaf) {
  const __m256i feature_mask = _mm256_set1_epi32(0x7fffffff);
  const __m256i two = _mm256_set1_epi32(2);
  const __m256i first_leaf = _mm256_set1_epi32((1 << depth) - 1);
  // Masked gathers with a zero source: the unmasked intrinsics read an undefined source register,
  // which g++ 12 warns about; the instruction is the same.
  const __m256i zero_i = _mm256_setzero_si256();
  const __m256i all_i = _mm256_set1_epi32(-1);
  const __m256 zero_f = _mm256_setzero_ps();
  const __m256 all_f = _mm256_castsi256_ps(all_i);
  const __m256i lane_rows = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                               _mm256_set1_epi32(static_cast<int>(stride)));
  const long long* slot_words = reinterpret_cast<const long long*>(slots);
  int64_t r = 0;
  for (; r + 8 * kVectors <= rows; r += 8 * kVectors) {
    __m256i idx[kVectors];
    __m256i base[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      idx[v] = _mm256_setzero_si256();
      base[v] = _mm256_add_epi32(lane_rows, _mm256_set1_epi32(static_cast<int>((r + 8 * v) * stride)));
    }
    for (int d = 0; d < depth; ++d) {
      for (int v = 0; v < kVectors; ++v) {
        const __m256i order = _mm256_permute4x64_epi64(idx[v], 0xD8);  // [0 1 4 5 | 2 3 6 7]
        const __m256i lo = _mm256_mask_i32gather_epi64(zero_i, slot_words, _mm256_castsi256_si128(order), all_i, 8);
        const __m256i hi = _mm256_mask_i32gather_epi64(zero_i, slot_words, _mm256_extracti128_si256(order, 1), all_i, 8);
        const __m256 t = _mm256_shuffle_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), 0x88);
        const __m256i w = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi), 0xDD));
        const __m256 xv = _mm256_mask_i32gather_ps(zero_f, x, _mm256_add_epi32(base[v], _mm256_and_si256(w, feature_mask)), all_f, 4);
        const __m256 le = _mm256_cmp_ps(xv, t, _CMP_LE_OQ);
        const __m256 nan_left = _mm256_and_ps(_mm256_cmp_ps(xv, xv, _CMP_UNORD_Q), _mm256_castsi256_ps(_mm256_srai_epi32(w, 31)));
        const __m256i left = _mm256_castps_si256(_mm256_or_ps(le, nan_left));  // -1 where left
        idx[v] = _mm256_add_epi32(_mm256_add_epi32(_mm256_slli_epi32(idx[v], 1), two), left);
      }
    }
    for (int v = 0; v < kVectors; ++v) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(leaf + r + 8 * v), _mm256_sub_epi32(idx[v], first_leaf));
    }
  }
  for (; r < rows; ++r) leaf[r] = tail_leaf(x + r * stride, slots, depth);
}

void dense_leaves_f64(const double* x, int64_t rows, int64_t stride, const int32_t* feat, const double* thr, int depth,
                      int32_t* leaf) {
  const __m128i feature_mask = _mm_set1_epi32(0x7fffffff);
  const __m128i two = _mm_set1_epi32(2);
  const __m128i zero_i = _mm_setzero_si128();
  const __m128i all_i = _mm_set1_epi32(-1);
  const __m256d zero_d = _mm256_setzero_pd();
  const __m256d all_d = _mm256_castsi256_pd(_mm256_set1_epi32(-1));
  const __m128i first_leaf = _mm_set1_epi32((1 << depth) - 1);
  const __m128i lane_rows = _mm_mullo_epi32(_mm_setr_epi32(0, 1, 2, 3), _mm_set1_epi32(static_cast<int>(stride)));
  const __m256i low_dwords = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  int64_t r = 0;
  for (; r + 4 * kVectors <= rows; r += 4 * kVectors) {
    __m128i idx[kVectors];
    __m128i base[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      idx[v] = _mm_setzero_si128();
      base[v] = _mm_add_epi32(lane_rows, _mm_set1_epi32(static_cast<int>((r + 4 * v) * stride)));
    }
    for (int d = 0; d < depth; ++d) {
      for (int v = 0; v < kVectors; ++v) {
        const __m128i w = _mm_mask_i32gather_epi32(zero_i, feat, idx[v], all_i, 4);
        const __m256d t = _mm256_mask_i32gather_pd(zero_d, thr, idx[v], all_d, 8);
        const __m256d xv = _mm256_mask_i32gather_pd(zero_d, x, _mm_add_epi32(base[v], _mm_and_si128(w, feature_mask)), all_d, 8);
        const __m256d le = _mm256_cmp_pd(xv, t, _CMP_LE_OQ);
        const __m256d nan = _mm256_cmp_pd(xv, xv, _CMP_UNORD_Q);
        // 64-bit lane masks -> 32-bit lanes, then the NaN-left bit applies per lane.
        const __m128i le32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(le), low_dwords));
        const __m128i nan32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_castpd_si256(nan), low_dwords));
        const __m128i left = _mm_or_si128(le32, _mm_and_si128(nan32, _mm_srai_epi32(w, 31)));
        idx[v] = _mm_add_epi32(_mm_add_epi32(_mm_slli_epi32(idx[v], 1), two), left);
      }
    }
    for (int v = 0; v < kVectors; ++v) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(leaf + r + 4 * v), _mm_sub_epi32(idx[v], first_leaf));
    }
  }
  for (; r < rows; ++r) leaf[r] = tail_leaf(x + r * stride, feat, thr, depth);
}

}  // namespace

const PredictKernels kPredict = {&dense_leaves_f32, &dense_leaves_f64};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif
