// Internal: the per-ISA pieces of the blocked GEMM. linalg/gemm.cc owns the loops over cache blocks,
// the threads and the dispatch; each gemm_<isa>.cc supplies packing routines and a macro-kernel for
// its register tile. Nothing here is public API.
//
// Layout contract shared by every ISA (Goto/BLIS style, adapted to row-major C with the vector lanes
// running along n, so that a C row segment is one vector):
// - packed A block (rows x depth): ceil(rows / mr) micro-panels of mr rows; panel q starts at
//   q * mr * depth and holds element (p, ii) at p * mr + ii. Rows past `rows` are zero, so the
//   micro-kernel always runs a full tile and only the store is clipped.
// - packed B block (depth x cols): ceil(cols / nr) micro-panels of nr columns; panel q starts at
//   q * nr * depth and holds element (p, jj) at p * nr + jj. Columns past `cols` are zero.
// Packing buffers are 64-byte aligned (gemm.cc) and nr * sizeof(T) is a multiple of 32 bytes, so
// every packed B row starts aligned for the vector loads.
//
// ISA files (gemm_avx2.cc, gemm_avx512.cc) are compiled with their -m flags; they only define the
// tables below and functions with internal linkage, never inline functions or templates that a
// baseline file could also instantiate (the linker could keep the AVX copy for both).
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

template <class T>
struct GemmKernels {
  // Register tile: the micro-kernel updates an mr x nr block of C per call.
  int mr;
  int nr;
  // Cache blocks (see gemm.cc): kc is the depth of one rank-kc update (an A micro-panel, mr x kc,
  // stays in L1); mc bounds the rows of one outer block (each thread packs its share of them,
  // the "L3" block); nc columns of packed B (kc x nc) stay in one core's L2.
  // mc % mr == 0 and nc % nr == 0.
  int kc;
  int mc;
  int nc;
  // Packs op(A)[0:rows, 0:depth] into `dst`. `a` points at op(A)(0, 0): with trans == false the
  // element (i, p) is a[i * lda + p], with trans == true it is a[p * lda + i].
  void (*pack_a)(bool trans, const T* a, int64_t lda, int64_t rows, int64_t depth, T* dst);
  // Packs op(B)[0:depth, 0:cols] into `dst`. With trans == false the element (p, j) is
  // b[p * ldb + j], with trans == true it is b[j * ldb + p].
  void (*pack_b)(bool trans, const T* b, int64_t ldb, int64_t depth, int64_t cols, T* dst);
  // C[0:rows, 0:cols] = alpha * packed_a * packed_b + beta * C. `packed_a` holds the panels for
  // these rows (rows may stop short of a multiple of mr only at the matrix edge), `packed_b` the
  // panels for these columns. beta == 0 writes C without reading it, so NaN in C does not leak.
  void (*macro_kernel)(int64_t rows, int64_t cols, int64_t depth, T alpha, const T* packed_a, const T* packed_b,
                       T beta, T* c, int64_t ldc);
  // Unpacked product for small and thin shapes: C[0:m, 0:n] = alpha * A * B + beta * C with
  // A(i, p) = a[i * a_rs + p * a_cs] (either storage order) and B(p, j) = b[p * ldb + j] (rows
  // contiguous). Register-tiled like the packed kernel but reads A and B in place: no packing
  // buffers, no k blocking; meant for products whose B (k x n) or A block stays in L1/L2.
  void (*direct)(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
                 int64_t ldb, T beta, T* c, int64_t ldc);
  // Rows and columns of the direct kernel's register tile.
  int direct_mr;
  int direct_nr;
};

// The table for `isa` (defined in linalg/gemm.cc, a baseline file; callers pass active_isa()).
template <class T>
const GemmKernels<T>& gemm_kernels(Isa isa);

// One table per (ISA, type). Constant-initialised: no code from an ISA file runs before dispatch.
namespace scalar {
extern const GemmKernels<float> kGemmF32;
extern const GemmKernels<double> kGemmF64;
}  // namespace scalar

// The SIMD files exist only on x86-64 builds (their -m flags are x86 flags). The AVX-512 tables are
// used only when the build compiled those files and says so with ENSEMBLEKIT_HAVE_AVX512; without
// it an AVX-512 CPU runs the AVX2 tables.
#if defined(__x86_64__) || defined(_M_X64)
#define ENSEMBLEKIT_HAVE_X86_KERNELS 1
namespace avx2 {
extern const GemmKernels<float> kGemmF32;
extern const GemmKernels<double> kGemmF64;
}  // namespace avx2

namespace avx512 {
extern const GemmKernels<float> kGemmF32;
extern const GemmKernels<double> kGemmF64;
}  // namespace avx512
#endif

}  // namespace simd
}  // namespace ensemblekit
