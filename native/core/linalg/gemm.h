// General matrix multiply on row-major float/double data, the engine under linear models,
// kernels and stacking. Goto/BLIS design: op(A) and op(B) are packed into cache-sized blocks of
// register-tile micro-panels (transposes are absorbed by the packing), and a per-ISA micro-kernel
// (simd/gemm_<isa>.cc) runs the inner product. The ISA is read per call from simd::active_isa().
#pragma once

#include <cstdint>

#include "../parallel/work_control.h"
#include "blas1.h"

namespace ensemblekit {
namespace linalg {

// C = alpha * op(A) * op(B) + beta * C, with op(A) m x k, op(B) k x n, C m x n, all row-major;
// lda / ldb / ldc are the row strides of A, B, C as stored (A is k x m when trans_a == kYes).
// - beta == 0 overwrites C without reading it, so NaN or garbage in C does not leak;
//   alpha == 0 or k == 0 only scales C by beta (A and B are not read).
// - Deterministic: the result does not depend on n_threads (threads split the output tiles, never
//   the k sum; the k blocking depends on k and the ISA only). Different ISAs give results that
//   differ in the last bits.
// - n_threads <= 0 means all cores; inside a parallel region the call runs on one thread.
// - control: cancellation is polled by every thread between blocks (reaction well under 10 ms on
//   large products); the call then throws Aborted and C is partially updated. Progress (fraction
//   done, "gemm") is reported from the calling thread between outer blocks of the packed path, at
//   most ~100 times per call; small and thin products (which take well under a millisecond per
//   block) only poll cancellation, and m == 1 or n == 1 products run as one gemv.
// - C must not overlap A or B.
// Paths (chosen from the shape and the ISA only): m == 1 or n == 1 -> gemv; small products and
// thin shapes (n up to one register tile with a small op(B), or m <= 4) -> a direct register-tiled
// kernel reading A and B in place; everything else -> the packed, cache-blocked kernel.
// Throws InvalidInput for negative sizes, a row stride shorter than the stored row, or a null
// pointer for a non-empty operand.
template <class T>
void gemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
          const T* b, int64_t ldb, T beta, T* c, int64_t ldc, int n_threads,
          const WorkControl& control = WorkControl::none());

extern template void gemm<float>(Trans, Trans, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                                 int64_t, float, float*, int64_t, int, const WorkControl&);
extern template void gemm<double>(Trans, Trans, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                  const double*, int64_t, double, double*, int64_t, int, const WorkControl&);

}  // namespace linalg
}  // namespace ensemblekit
