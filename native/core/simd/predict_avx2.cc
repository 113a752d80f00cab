// AVX2 dense tree walk, float32 (8 rows a vector). Compiled with
// -mavx2 -mfma; reached only through kPredictF32 / kPredictF64 after the ISA check
// (predict/compiled_forest.cc). Leaf for leaf identical to the scalar twin (predict_scalar.cc);
// layout in predict_kernels.h.
//
// A step of a vector of rows is three gathers (the slots' thresholds and feature words, the rows'
// values at those features), two compares and an integer multiply-add for the next slot:
// no branch, no per-row load chain. Four vectors walk in lockstep so the gathers' latency overlaps.
//
// Measured on this project's AMD EPYC (Zen 4/5 class), model A of bench/predict.mjs, CPU time per row
// with the other core busy: this kernel 1.23-1.29 M rows/cpu-s, the scalar 8-lane walk 1.25-1.31;
// a float64 twin (4 rows a vector, three 4-lane gathers) 0.79-0.85 against the scalar's 1.20-1.32.
// AMD cores pay per gathered element, so float64 stays on the scalar walk; the float32 kernel is kept
// for cores with cheaper gathers (Intel since Skylake) and is no slower here.
//
// Instructions used
// | instruction              | intrinsic                       | what for                                 |
// |--------------------------|---------------------------------|------------------------------------------|
// | vpgatherdq               | _mm256_mask_i32gather_epi64     | the rows' current slots                  |
// | vpermq, vshufps          | _mm256_permute4x64_epi64, shuffle_ps | slot order -> thresholds, words     |
// | vgatherdps               | _mm256_mask_i32gather_ps        | the rows' feature values                 |
// | vcmpps (LE_OQ, UNORD)    | _mm256_cmp_ps                   | x <= threshold; x is NaN                 |
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

// The scalar step for the tail rows (a private copy: see the note in predict_kernels.h).
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

}  // namespace

const PredictKernels kPredict = {&dense_leaves_f32, nullptr};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif
