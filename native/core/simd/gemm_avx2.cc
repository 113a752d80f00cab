// AVX2 + FMA GEMM micro-kernels and packing, float and double. Compiled with -mavx2 -mfma and
// reached only through kGemmF32 / kGemmF64 once simd::active_isa() allows AVX2 (gemm.cc).
//
// Instructions used
// | instruction                      | intrinsic                                    | what for                          |
// |----------------------------------|----------------------------------------------|-----------------------------------|
// | vfmadd231ps/pd ymm               | _mm256_fmadd_ps/pd                           | rank-1 update of the C tile       |
// | vbroadcastss/sd ymm, m32/m64     | _mm256_set1_ps/pd                            | one A element to all lanes        |
// | vmovaps/pd ymm                   | _mm256_load_ps/pd                            | aligned packed-B rows             |
// | vmovups/pd ymm                   | _mm256_loadu/storeu_ps/pd                    | C tile, packing                   |
// | vmaskmovps/pd                    | _mm256_maskload/maskstore_ps/pd              | packing edges, direct-kernel edges |
// | vpcmpgtd / vpcmpgtq ymm          | _mm256_cmpgt_epi32/epi64                     | building those lane masks         |
// | vunpck{l,h}ps/pd, vshufps, vperm2f128 | _mm256_unpack*, _mm256_shuffle_ps, _mm256_permute2f128 | 8x8 / 4x4 transposes in packing |
// | prefetcht0                       | _mm_prefetch                                 | C tile before the k loop          |
//
// Register tiles (16 ymm): 6 x 16 floats / 6 x 8 doubles = 12 accumulators + 2 B vectors + one
// broadcast, for both the packed and the direct kernel. 12 independent FMA chains cover latency
// 4-5 x 2 pipes on Haswell..Zen. Edge tiles use smaller instances (fewer rows / vectors).
#if defined(__x86_64__) || defined(_M_X64)

#include <immintrin.h>

#include <cstdint>

#include "gemm_kernels.h"

namespace ensemblekit {
namespace simd {
namespace avx2 {

namespace {

// Depth of one k block of the direct kernel.
constexpr int64_t kDirectKc = 256;

struct F32 {
  using T = float;
  using V = __m256;
  using I = __m256i;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_load_ps(p); }
  static V loadu(const T* p) { return _mm256_loadu_ps(p); }
  static void storeu(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  // Lanes [0, n) set; n is clamped to [0, kLanes] by the comparison.
  static I first_lanes(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n > kLanes ? kLanes : n)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V mask_load(I m, const T* p) { return _mm256_maskload_ps(p, m); }
  static void mask_store(T* p, I m, V v) { _mm256_maskstore_ps(p, m, v); }
};

struct F64 {
  using T = double;
  using V = __m256d;
  using I = __m256i;
  static constexpr int kLanes = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_load_pd(p); }
  static V loadu(const T* p) { return _mm256_loadu_pd(p); }
  static void storeu(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static I first_lanes(int64_t n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n > kLanes ? kLanes : n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static V mask_load(I m, const T* p) { return _mm256_maskload_pd(p, m); }
  static void mask_store(T* p, I m, V v) { _mm256_maskstore_pd(p, m, v); }
};

// ---------------------------------------------------------------------------------------------
// Micro-kernel on packed panels. MR and NV are the packed strides (the register tile); MU <= MR rows
// and NU <= NV vectors are what this instance computes, so edge tiles run a smaller instance
// instead of multiplying zero padding. Clipped stores go through a small stack tile so the hot
// store path has no masks.
template <class Ops, int MR, int NV, int MU, int NU>
void micro_tile(int64_t depth, const typename Ops::T* __restrict pa, const typename Ops::T* __restrict pb,
                typename Ops::T* __restrict c, int64_t ldc, int64_t mr, int64_t nr, typename Ops::T alpha,
                typename Ops::T beta) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  constexpr int kL = Ops::kLanes;
  constexpr int kNR = NV * kL;

#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + NU * kL - 1), _MM_HINT_T0);
    }
  }

  V acc[MU][NU];
#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) acc[i][v] = Ops::zero();
  }

#pragma GCC unroll 2
  for (int64_t p = 0; p < depth; ++p) {
    V b[NU];
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) b[v] = Ops::load(pb + v * kL);
#pragma GCC unroll 8
    for (int i = 0; i < MU; ++i) {
      const V a = Ops::set1(pa[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NU; ++v) acc[i][v] = Ops::fmadd(a, b[v], acc[i][v]);
    }
    pa += MR;
    pb += kNR;
  }

  const V va = Ops::set1(alpha);
  if (mr == MU && nr == NU * kL) {
    const V vb = Ops::set1(beta);
#pragma GCC unroll 8
    for (int i = 0; i < MU; ++i) {
      T* row = c + i * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < NU; ++v) {
        V r = Ops::mul(acc[i][v], va);
        if (beta != T(0)) r = Ops::fmadd(Ops::loadu(row + v * kL), vb, r);
        Ops::storeu(row + v * kL, r);
      }
    }
    return;
  }
  alignas(32) T tile[MU][NU * kL];
#pragma GCC unroll 8
  for (int i = 0; i < MU; ++i) {
#pragma GCC unroll 4
    for (int v = 0; v < NU; ++v) Ops::storeu(&tile[i][v * kL], Ops::mul(acc[i][v], va));
  }
  for (int64_t i = 0; i < mr; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < nr; ++j) row[j] = tile[i][j];
    } else {
      for (int64_t j = 0; j < nr; ++j) row[j] = beta * row[j] + tile[i][j];
    }
  }
}

// Edge dispatch: the smallest instance with MU >= mr (MU a multiple of MStep) and NU * kL >= nr.
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
  // One A micro-panel stays in L1 while the B micro-panels of the L2 block stream past it.
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
// and NU vectors; a partial last vector is loaded and stored with vmaskmov, so nothing outside A, B
// or C is touched.
template <class Ops, int MU, int NU>
void direct_tile(int64_t depth, const typename Ops::T* __restrict a, int64_t a_rs, int64_t a_cs,
                 const typename Ops::T* __restrict b, int64_t ldb, typename Ops::T* __restrict c, int64_t ldc,
                 int64_t nr, typename Ops::T alpha, typename Ops::T beta) {
  using T = typename Ops::T;
  using V = typename Ops::V;
  using I = typename Ops::I;
  constexpr int kL = Ops::kLanes;
  const bool partial = nr < NU * kL;
  const I last_mask = Ops::first_lanes(nr - (NU - 1) * kL);
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
    for (int v = 0; v < NU - 1; ++v) bv[v] = Ops::loadu(b + v * kL);
    bv[NU - 1] = partial ? Ops::mask_load(last_mask, b + (NU - 1) * kL) : Ops::loadu(b + (NU - 1) * kL);
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
      T* dst = row + v * kL;
      V r = Ops::mul(acc[i][v], va);
      if (v == NU - 1 && partial) {
        if (beta != T(0)) r = Ops::fmadd(Ops::mask_load(last_mask, dst), vb, r);
        Ops::mask_store(dst, last_mask, r);
      } else {
        if (beta != T(0)) r = Ops::fmadd(Ops::loadu(dst), vb, r);
        Ops::storeu(dst, r);
      }
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
// Packing.

// dst[p * R + jj] = src[p * ld + jj] for jj < width, 0 beyond.
template <class Ops, int R>
void pack_copy_panel(const typename Ops::T* src, int64_t ld, int64_t width, int64_t depth, typename Ops::T* dst) {
  using I = typename Ops::I;
  constexpr int kL = Ops::kLanes;
  constexpr int kNV = (R + kL - 1) / kL;
  I load_mask[kNV];
  I store_mask[kNV];
  for (int v = 0; v < kNV; ++v) {
    const int64_t left = width - v * kL;
    load_mask[v] = Ops::first_lanes(left > 0 ? left : 0);
    store_mask[v] = Ops::first_lanes(R - v * kL);
  }
  const bool whole = width == R && R % kL == 0;
  for (int64_t p = 0; p < depth; ++p) {
    const typename Ops::T* s = src + p * ld;
    typename Ops::T* d = dst + p * R;
    if (whole) {
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) Ops::storeu(d + v * kL, Ops::loadu(s + v * kL));
    } else {
#pragma GCC unroll 4
      for (int v = 0; v < kNV; ++v) Ops::mask_store(d + v * kL, store_mask[v], Ops::mask_load(load_mask[v], s + v * kL));
    }
  }
}

// 8 x 8 float transpose: r[i] holds 8 consecutive k of row i; afterwards r[q] holds rows 0..7 at k=q.
void transpose_block(__m256 r[8]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  __m256 u[8];
  for (int g = 0; g < 8; g += 4) {
    u[g + 0] = _mm256_shuffle_ps(t[g], t[g + 2], 0x44);
    u[g + 1] = _mm256_shuffle_ps(t[g], t[g + 2], 0xEE);
    u[g + 2] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0x44);
    u[g + 3] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0xEE);
  }
  for (int s = 0; s < 4; ++s) {
    r[s] = _mm256_permute2f128_ps(u[s], u[s + 4], 0x20);
    r[s + 4] = _mm256_permute2f128_ps(u[s], u[s + 4], 0x31);
  }
}

// 4 x 4 double transpose, same contract.
void transpose_block(__m256d r[4]) {
  const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]);
  const __m256d t1 = _mm256_unpackhi_pd(r[0], r[1]);
  const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]);
  const __m256d t3 = _mm256_unpackhi_pd(r[2], r[3]);
  r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// dst[p * R + ii] = src[ii * ld + p] for ii < width, 0 beyond, through kL x kL register transposes.
template <class Ops, int R>
void pack_transpose_panel(const typename Ops::T* src, int64_t ld, int64_t width, int64_t depth,
                          typename Ops::T* dst) {
  using V = typename Ops::V;
  using I = typename Ops::I;
  constexpr int kL = Ops::kLanes;
  for (int64_t p0 = 0; p0 < depth; p0 += kL) {
    const int64_t pk = depth - p0 < kL ? depth - p0 : kL;
    const I kmask = Ops::first_lanes(pk);
    for (int i0 = 0; i0 < R; i0 += kL) {
      const int rows_here = R - i0 < kL ? R - i0 : kL;
      V r[kL];
      for (int ii = 0; ii < kL; ++ii) {
        const int64_t row = i0 + ii;
        if (row >= width) {
          r[ii] = Ops::zero();
        } else if (pk == kL) {
          r[ii] = Ops::loadu(src + row * ld + p0);
        } else {
          r[ii] = Ops::mask_load(kmask, src + row * ld + p0);
        }
      }
      transpose_block(r);
      if (rows_here == kL) {
        for (int q = 0; q < pk; ++q) Ops::storeu(dst + (p0 + q) * R + i0, r[q]);
      } else {
        const I store_mask = Ops::first_lanes(rows_here);
        for (int q = 0; q < pk; ++q) Ops::mask_store(dst + (p0 + q) * R + i0, store_mask, r[q]);
      }
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

constexpr int kMr = 6;
constexpr int kNv = 2;
constexpr int kMStep = 2;  // row granularity of the edge instances

}  // namespace

// kc x nr of B (16 KB float, 16 KB double at kc = 256) plus the A micro-panel fit a 32-48 KB L1;
// nc keeps the kc x nc B block within about half of a 512 KB - 1 MB L2.
extern const GemmKernels<float> kGemmF32 = {
    kMr, kNv * 8, 256, 1536, 384, &pack_a<F32, kMr>, &pack_b<F32, kNv * 8>, &macro_kernel<F32, kMr, kNv, kMStep>,
    &direct<F32, kMr, kNv>, kMr, kNv * 8};
extern const GemmKernels<double> kGemmF64 = {
    kMr, kNv * 4, 256, 768, 192, &pack_a<F64, kMr>, &pack_b<F64, kNv * 4>, &macro_kernel<F64, kMr, kNv, kMStep>,
    &direct<F64, kMr, kNv>, kMr, kNv * 4};

}  // namespace avx2
}  // namespace simd
}  // namespace ensemblekit

#endif  // x86-64
