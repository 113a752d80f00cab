// AVX-512 GEMM micro-kernels and packing, float and double. Compiled with
// -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -mavx2 and reached only through kGemmF32 /
// kGemmF64 once simd::active_isa() says AVX-512 is usable (gemm.cc).
//
// Instructions used
// | instruction                    | intrinsic                                  | what for                          |
// |--------------------------------|--------------------------------------------|-----------------------------------|
// | vfmadd231ps/pd zmm             | _mm512_fmadd_ps/pd                         | rank-1 update of the C tile       |
// | vbroadcastss/sd zmm, m32/m64   | _mm512_set1_ps/pd                          | one A element to all lanes        |
// | vmovaps/pd zmm                 | _mm512_load_ps/pd                          | aligned packed-B rows             |
// | vmovups/pd zmm{k}{z}           | _mm512_maskz_loadu_ps/pd                   | C tile, direct B rows, edges      |
// | vmovups/pd m{k}                | _mm512_mask_storeu_ps/pd                   | clipped C stores, packed rows     |
// | vmulps/pd zmm                  | _mm512_mul_ps/pd                           | alpha on the way out              |
// | vunpck{l,h}ps/pd, vshuff32x4   | _mm512_unpack*_ps/pd, _mm512_shuffle_f32x4 | 16x16 / 8x8 transposes in packing |
// | prefetcht0                     | _mm_prefetch                               | C tile before the k loop          |
//
// Register tiles (32 zmm): packed float 12 x 32 and double 6 x 32 keep 24 accumulators, the B row
// (2 or 4 zmm) and one broadcast live; 24 independent FMA chains cover the 4-cycle latency of both
// 512-bit FMA pipes (Zen 4/5, Ice Lake+ server). Per k step that is 24 FMAs against 14 (10) loads,
// under the two-loads-per-cycle budget; on a Zen 5 core the kernel runs at ~99% of FMA peak with
// its operands in L1. Edge tiles use smaller instances (fewer rows / vectors), not zero padding.
// The direct kernel (small and thin products, no packing) uses 6 x 64 / 6 x 32 tiles so that the
// six A row offsets stay in general registers.
#if defined(__x86_64__) || defined(_M_X64)

// GCC 12 warns "-Wuninitialized" inside its own AVX-512 headers (the _mm512_undefined_*() pass-through
// operand of unmasked unpack/shuffle intrinsics); the value is never used.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#include "gemm_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx512 {

namespace {

// Depth of one k block of the direct kernel.
constexpr int64_t kDirectKc = 256;

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_load_ps(p); }
  static V loadu(const T* p) { return _mm512_loadu_ps(p); }
  static V maskz_loadu(M m, const T* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void storeu(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void mask_storeu(T* p, M m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  static V set1(T x) { return _mm512_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static M first_lanes(int64_t n) { return n >= kLanes ? M(0xFFFF) : M((1u << n) - 1u); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int kLanes = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_load_pd(p); }
  static V loadu(const T* p) { return _mm512_loadu_pd(p); }
  static V maskz_loadu(M m, const T* p) { return _mm512_maskz_loadu_pd(m, p); }
  static void storeu(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void mask_storeu(T* p, M m, V v) { _mm512_mask_storeu_pd(p, m, v); }
  static V set1(T x) { return _mm512_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static M first_lanes(int64_t n) { return n >= kLanes ? M(0xFF) : M((1u << n) - 1u); }
};

// ---------------------------------------------------------------------------------------------
// Micro-kernel on packed panels: acc = sum_p a[p, 0:MU]^T b[p, 0:NU*kL], then C = alpha * acc +
// beta * C on the mr x nr corner that exists. MR and NV are the packed strides (the register tile);
// MU <= MR rows and NU <= NV vectors are what this instance computes, so an edge tile (mr < MR or
// nr < NR) runs a smaller instance instead of multiplying zero padding. The store is clipped with
// lane masks; the hot loop has no edge branches.
template <class Ops, int MR, int NV, int MU, int NU>
void micro_tile(int64_t depth, const typename Ops::T* __restrict pa, const typename Ops::T* __restrict pb,
                typename Ops::T* __restrict c, int64_t ldc, int64_t mr, int64_t nr, typename Ops::T alpha,
                typename Ops::T beta) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  using M = typename Ops::M;
  constexpr int kL = Ops::kLanes;
  constexpr int kNR = NV * kL;

  // C rows are touched only after the whole k loop; asking for them now hides the miss.
#pragma GCC unroll 16
  for (int i = 0; i < MU; ++i) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NU * kL - 1), _MM_HINT_T0);
    }
  }

  V acc[MU][NU];
#pragma GCC unroll 16
  for (int i = 0; i < MU; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) acc[i][v] = Ops::zero();
  }

#pragma GCC unroll 2
  for (int64_t p = 0; p < depth; ++p) {
    V b[NU];
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) b[v] = Ops::load(pb + v * kL);
#pragma GCC unroll 16
    for (int i = 0; i < MU; ++i) {
      const V a = Ops::set1(pa[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NU; ++v) acc[i][v] = Ops::fmadd(a, b[v], acc[i][v]);
    }
    pa += MR;
    pb += kNR;
  }

  const V va = Ops::set1(alpha);
  const V vb = Ops::set1(beta);
  M mask[NU];
#pragma GCC unroll 4
  for (int v = 0; v < NU; ++v) mask[v] = Ops::first_lanes(nr - v * kL > 0 ? nr - v * kL : 0);
  const bool full = mr == MU && nr == NU * kL;
#pragma GCC unroll 16
  for (int i = 0; i < MU; ++i) {
    if (i >= mr) break;
    T* row = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) {
      if (!full && mask[v] == 0) continue;
      V r = Ops::mul(acc[i][v], va);
      if (beta != T(0)) {
        const V old = full ? Ops::loadu(row + v * kL) : Ops::maskz_loadu(mask[v], row + v * kL);
        r = Ops::fmadd(old, vb, r);
      }
      if (full) {
        Ops::storeu(row + v * kL, r);
      } else {
        Ops::mask_storeu(row + v * kL, mask[v], r);
      }
    }
  }
}

// Edge dispatch: the smallest instance with MU >= mr (MU a multiple of kMStep) and NU * kL >= nr.
template <class Ops, int MR, int NV, int MU, int NU = 1>
void edge_tile_n(int64_t depth, const typename Ops::T* pa, const typename Ops::T* pb, typename Ops::T* c,
                 int64_t ldc, int64_t mr, int64_t nr, typename Ops::T alpha, typename Ops::T beta) {
  if constexpr (NU < NV) {
    if (nr > NU * Ops::kLanes) {
      edge_tile_n<Ops, MR, NV, MU, NU + 1>(depth, pa, pb, c, ldc, mr, nr, alpha, beta);
      return;
    }
  }
  micro_tile<Ops, MR, NV, MU, NU>(depth, pa, pb, c, ldc, mr, nr, alpha, beta);
}

template <class Ops, int MR, int NV, int MStep, int MU = MStep>
void edge_tile(int64_t depth, const typename Ops::T* pa, const typename Ops::T* pb, typename Ops::T* c, int64_t ldc,
               int64_t mr, int64_t nr, typename Ops::T alpha, typename Ops::T beta) {
  if constexpr (MU < MR) {
    if (mr > MU) {
      edge_tile<Ops, MR, NV, MStep, MU + MStep>(depth, pa, pb, c, ldc, mr, nr, alpha, beta);
      return;
    }
  }
  edge_tile_n<Ops, MR, NV, MU>(depth, pa, pb, c, ldc, mr, nr, alpha, beta);
}

template <class Ops, int MR, int NV, int MStep>
void macro_kernel(int64_t rows, int64_t cols, int64_t depth, typename Ops::T alpha, const typename Ops::T* pa,
                  const typename Ops::T* pb, typename Ops::T beta, typename Ops::T* c, int64_t ldc) {
  constexpr int64_t kNR = NV * Ops::kLanes;
  // One A micro-panel (MR x depth, ~20 KB) stays in L1 while the B micro-panels of the L2 block
  // stream past it; each B panel is reused by the next A panel from L2.
  for (int64_t i = 0; i < rows; i += MR) {
    const int64_t mr = rows - i < MR ? rows - i : MR;
    const typename Ops::T* a_panel = pa + i * depth;
    for (int64_t j = 0; j < cols; j += kNR) {
      const int64_t nr = cols - j < kNR ? cols - j : kNR;
      if (mr == MR && nr == kNR) {
        micro_tile<Ops, MR, NV, MR, NV>(depth, a_panel, pb + j * depth, c + i * ldc + j, ldc, mr, nr, alpha, beta);
      } else {
        edge_tile<Ops, MR, NV, MStep>(depth, a_panel, pb + j * depth, c + i * ldc + j, ldc, mr, nr, alpha, beta);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Direct (unpacked) kernel: A(i, p) = a[i * a_rs + p * a_cs], B row p at b + p * ldb. Exactly MU rows
// (no padding to read past A) and NU vectors, the last one clipped by a lane mask on load and store,
// so nothing outside A, B or C is touched. Row offsets sit in registers: one pointer walks A along
// k and each broadcast is base + offset, whatever the storage order of A.
template <class Ops, int MU, int NU>
void direct_tile(int64_t depth, const typename Ops::T* __restrict a, int64_t a_rs, int64_t a_cs,
                 const typename Ops::T* __restrict b, int64_t ldb, typename Ops::T* __restrict c, int64_t ldc,
                 int64_t nr, typename Ops::T alpha, typename Ops::T beta) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  using M = typename Ops::M;
  constexpr int kL = Ops::kLanes;
  M mask[NU];
#pragma GCC unroll 4
  for (int v = 0; v < NU; ++v) mask[v] = Ops::first_lanes(nr - v * kL);
  int64_t off[MU];
#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) off[i] = i * a_rs;

  V acc[MU][NU];
#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) acc[i][v] = Ops::zero();
  }
  for (int64_t p = 0; p < depth; ++p) {
    V bv[NU];
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) bv[v] = Ops::maskz_loadu(mask[v], b + v * kL);
#pragma GCC unroll 8
    for (int i = 0; i < MU; ++i) {
      const V x = Ops::set1(a[off[i]]);
#pragma GCC unroll 4
      for (int v = 0; v < NU; ++v) acc[i][v] = Ops::fmadd(x, bv[v], acc[i][v]);
    }
    a += a_cs;
    b += ldb;
  }

  const V va = Ops::set1(alpha);
  const V vb = Ops::set1(beta);
#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) {
    T* row = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) {
      V r = Ops::mul(acc[i][v], va);
      if (beta != T(0)) r = Ops::fmadd(Ops::maskz_loadu(mask[v], row + v * kL), vb, r);
      Ops::mask_storeu(row + v * kL, mask[v], r);
    }
  }
}

template <class Ops, int MU, int NU, int NV>
void direct_tile_n(int64_t nu, int64_t depth, const typename Ops::T* a, int64_t a_rs, int64_t a_cs,
                   const typename Ops::T* b, int64_t ldb, typename Ops::T* c, int64_t ldc, int64_t nr,
                   typename Ops::T alpha, typename Ops::T beta) {
  if constexpr (NU < NV) {
    if (nu > NU) {
      direct_tile_n<Ops, MU, NU + 1, NV>(nu, depth, a, a_rs, a_cs, b, ldb, c, ldc, nr, alpha, beta);
      return;
    }
  }
  direct_tile<Ops, MU, NU>(depth, a, a_rs, a_cs, b, ldb, c, ldc, nr, alpha, beta);
}

template <class Ops, int MU, int MR, int NV>
void direct_tile_mn(int64_t mu, int64_t nu, int64_t depth, const typename Ops::T* a, int64_t a_rs, int64_t a_cs,
                    const typename Ops::T* b, int64_t ldb, typename Ops::T* c, int64_t ldc, int64_t nr,
                    typename Ops::T alpha, typename Ops::T beta) {
  if constexpr (MU < MR) {
    if (mu > MU) {
      direct_tile_mn<Ops, MU + 1, MR, NV>(mu, nu, depth, a, a_rs, a_cs, b, ldb, c, ldc, nr, alpha, beta);
      return;
    }
  }
  direct_tile_n<Ops, MU, 1, NV>(nu, depth, a, a_rs, a_cs, b, ldb, c, ldc, nr, alpha, beta);
}

template <class Ops, int MR, int NV>
void direct(int64_t m, int64_t n, int64_t k, typename Ops::T alpha, const typename Ops::T* a, int64_t a_rs,
            int64_t a_cs, const typename Ops::T* b, int64_t ldb, typename Ops::T beta, typename Ops::T* c,
            int64_t ldc) {
  using T = typename Ops::T;
  constexpr int64_t kNR = NV * Ops::kLanes;
  // k is cut into equal blocks of at most kDirectKc: a column panel then spans a bounded set of B
  // rows (each possibly on its own page when ldb is large), which keeps TLB and L1/L2 reuse; the
  // cut depends on k only. Inside a block, column panels are outside so that the kc x NR slice of
  // B is reused by every row tile.
  const int64_t k_blocks = (k + kDirectKc - 1) / kDirectKc;
  const int64_t kc = (k + k_blocks - 1) / k_blocks;
  for (int64_t pc = 0; pc < k; pc += kc) {
    const int64_t depth = k - pc < kc ? k - pc : kc;
    const T beta_here = pc == 0 ? beta : T(1);
    for (int64_t j = 0; j < n; j += kNR) {
      const int64_t nr = n - j < kNR ? n - j : kNR;
      const int64_t nu = (nr + Ops::kLanes - 1) / Ops::kLanes;
      for (int64_t i = 0; i < m; i += MR) {
        const int64_t mr = m - i < MR ? m - i : MR;
        direct_tile_mn<Ops, 1, MR, NV>(mr, nu, depth, a + i * a_rs + pc * a_cs, a_rs, a_cs, b + pc * ldb + j, ldb,
                                       c + i * ldc + j, ldc, nr, alpha, beta_here);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Packing. "Copy" panels read R contiguous elements per k step (op(B) not transposed, op(A)
// transposed); "transpose" panels read R rows that run along k (the common A and the B^T cases).

// dst[p * R + jj] = src[p * ld + jj] for jj < width, 0 beyond.
template <class Ops, int R>
void pack_copy_panel(const typename Ops::T* src, int64_t ld, int64_t width, int64_t depth, typename Ops::T* dst) {
  using V = typename Ops::V;
  using M = typename Ops::M;
  constexpr int kL = Ops::kLanes;
  constexpr int kNV = (R + kL - 1) / kL;
  M mask[kNV];
  M store_mask[kNV];
  for (int v = 0; v < kNV; ++v) {
    const int64_t left = width - v * kL;
    mask[v] = Ops::first_lanes(left > 0 ? left : 0);
    store_mask[v] = Ops::first_lanes(R - v * kL);
  }
  for (int64_t p = 0; p < depth; ++p) {
    const typename Ops::T* s = src + p * ld;
    typename Ops::T* d = dst + p * R;
#pragma GCC unroll 4
    for (int v = 0; v < kNV; ++v) {
      const V x = Ops::maskz_loadu(mask[v], s + v * kL);
      Ops::mask_storeu(d + v * kL, store_mask[v], x);
    }
  }
}

// 16 x 16 float transpose in registers: rows r[i] (16 consecutive k of source row i) become
// columns. Four rounds of unpack / lane shuffles, the usual log2(16) butterfly.
void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  // Now r[4g + s] holds, in each 128-bit lane L, elements (row 4g.., k = 4L + s). Gather the lanes.
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);        // lanes 0,2 of each
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);    // lanes 1,3 of each
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
    r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
  }
}

// 8 x 8 double transpose in registers, same scheme with three rounds.
void transpose8(__m512d r[8]) {
  __m512d t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
  }
  // t[2g + s] lane L = rows (2g, 2g+1) at k = 2L + s.
  for (int i = 0; i < 2; ++i) {
    r[i] = _mm512_shuffle_f64x2(t[i], t[i + 2], 0x88);
    r[i + 2] = _mm512_shuffle_f64x2(t[i], t[i + 2], 0xDD);
    r[i + 4] = _mm512_shuffle_f64x2(t[i + 4], t[i + 6], 0x88);
    r[i + 6] = _mm512_shuffle_f64x2(t[i + 4], t[i + 6], 0xDD);
  }
  for (int i = 0; i < 2; ++i) {
    t[i] = _mm512_shuffle_f64x2(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f64x2(r[i], r[i + 4], 0xDD);
    t[i + 2] = _mm512_shuffle_f64x2(r[i + 2], r[i + 6], 0x88);
    t[i + 6] = _mm512_shuffle_f64x2(r[i + 2], r[i + 6], 0xDD);
  }
  for (int i = 0; i < 8; ++i) r[i] = t[i];
}

void transpose_block(__m512 r[16]) { transpose16(r); }
void transpose_block(__m512d r[8]) { transpose8(r); }

// dst[p * R + ii] = src[ii * ld + p] for ii < width, 0 beyond. Square kL x kL blocks go through
// the register transpose (masked loads cover the k tail and the missing rows); kL consecutive k of
// one row are one load, and one transposed vector is kL rows' values at one k.
template <class Ops, int R>
void pack_transpose_panel(const typename Ops::T* src, int64_t ld, int64_t width, int64_t depth,
                          typename Ops::T* dst) {
  using V = typename Ops::V;
  using M = typename Ops::M;
  constexpr int kL = Ops::kLanes;
  for (int64_t p0 = 0; p0 < depth; p0 += kL) {
    const int64_t pk = depth - p0 < kL ? depth - p0 : kL;
    const M kmask = Ops::first_lanes(pk);
    for (int i0 = 0; i0 < R; i0 += kL) {
      const int rows_here = R - i0 < kL ? R - i0 : kL;  // panel rows covered by this block
      V r[kL];
      for (int ii = 0; ii < kL; ++ii) {
        const int64_t row = i0 + ii;
        r[ii] = row < width ? Ops::maskz_loadu(kmask, src + row * ld + p0) : Ops::zero();
      }
      transpose_block(r);
      const M store_mask = Ops::first_lanes(rows_here);
      for (int q = 0; q < pk; ++q) Ops::mask_storeu(dst + (p0 + q) * R + i0, store_mask, r[q]);
    }
  }
}

template <class Ops, int MR>
void pack_a(bool trans, const typename Ops::T* a, int64_t lda, int64_t rows, int64_t depth, typename Ops::T* dst) {
  for (int64_t i = 0; i < rows; i += MR) {
    const int64_t width = rows - i < MR ? rows - i : MR;
    if (trans) {
      pack_copy_panel<Ops, MR>(a + i, lda, width, depth, dst + i * depth);
    } else {
      pack_transpose_panel<Ops, MR>(a + i * lda, lda, width, depth, dst + i * depth);
    }
  }
}

template <class Ops, int NR>
void pack_b(bool trans, const typename Ops::T* b, int64_t ldb, int64_t depth, int64_t cols, typename Ops::T* dst) {
  for (int64_t j = 0; j < cols; j += NR) {
    const int64_t width = cols - j < NR ? cols - j : NR;
    if (trans) {
      pack_transpose_panel<Ops, NR>(b + j * ldb, ldb, width, depth, dst + j * depth);
    } else {
      pack_copy_panel<Ops, NR>(b + j, ldb, width, depth, dst + j * depth);
    }
  }
}

// Register tiles and the row granularity of their edge instances.
constexpr int kMrF32 = 12;
constexpr int kNvF32 = 2;
constexpr int kMStepF32 = 4;
constexpr int kMrF64 = 6;
constexpr int kNvF64 = 4;
constexpr int kMStepF64 = 2;
// Direct kernel: 6 rows keep the row offsets in general registers; 4 vectors give 24 accumulators.
constexpr int kDirectMr = 6;
constexpr int kDirectNv = 4;

}  // namespace

// kc: A micro-panel (mr x kc) in L1 next to a streaming B row; nc: the kc x nc B block in half of
// a 1 MB L2 (Zen 4/5); mc: the shared A block, bounded to keep the buffer a few MB.
extern const GemmKernels<float> kGemmF32 = {
    kMrF32, kNvF32 * 16, 480, 1536, 256, &pack_a<F32, kMrF32>, &pack_b<F32, kNvF32 * 16>, &macro_kernel<F32, kMrF32, kNvF32, kMStepF32>,
    &direct<F32, kDirectMr, kDirectNv>, kDirectMr, kDirectNv * 16};
extern const GemmKernels<double> kGemmF64 = {
    kMrF64, kNvF64 * 8, 384, 768, 128, &pack_a<F64, kMrF64>, &pack_b<F64, kNvF64 * 8>, &macro_kernel<F64, kMrF64, kNvF64, kMStepF64>,
    &direct<F64, kDirectMr, kDirectNv>, kDirectMr, kDirectNv * 8};

}  // namespace avx512
}  // namespace simd
}  // namespace ensemblekit

#endif  // x86-64
