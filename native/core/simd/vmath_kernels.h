// Internal: element-wise exp and log over double arrays, per ISA, for the losses of the linear models
// (softmax, log-sum-exp, log(1 + e^-|z|)) where libm's one-call-per-value is the bottleneck.
// Same rules as gemm_kernels.h: the ISA files only define the tables and internal-linkage functions.
//
// Accuracy contract (tested against libm in test/linear/vmath.test.ts):
// - exp: within 2 ulp of libm for every finite input; exp(x) = 0 for x < -745.2 and +inf for
//   x > 709.79; NaN in, NaN out. Results below the smallest normal (x < -708.4) are computed with one
//   extra rounding (still within 1e-300 absolute).
// - log: within 2 ulp of libm for positive normal inputs; zero, negatives, subnormals, inf and NaN
//   are delegated to libm lane by lane (same results as std::log).
// The scalar table is libm itself (std::exp / std::log), the reference the SIMD variants match.
#pragma once

#include <cstdint>

#include "cpu.h"

namespace ensemblekit {
namespace simd {

struct VmathKernels {
  // y[i] = exp(x[i]) for i < n; y may be x (in place).
  void (*exp)(int64_t n, const double* x, double* y);
  // y[i] = log(x[i]) for i < n; y may be x (in place).
  void (*log)(int64_t n, const double* x, double* y);
};

// The table for `isa` (defined in vmath.cc, a baseline file; callers pass active_isa()).
const VmathKernels& vmath_kernels(Isa isa);

// libm's exp and log, bound to the symbol versions of glibc <= 2.28 (see vmath.cc). One value per
// call: for the odd scalar use (prediction, special lanes); loops use the tables.
double scalar_exp(double x);
double scalar_log(double x);

namespace scalar {
extern const VmathKernels kVmath;
}  // namespace scalar

#if defined(__x86_64__) || defined(_M_X64)
namespace avx2 {
extern const VmathKernels kVmath;
}  // namespace avx2
namespace avx512 {
extern const VmathKernels kVmath;
}  // namespace avx512
#endif

}  // namespace simd
}  // namespace ensemblekit
