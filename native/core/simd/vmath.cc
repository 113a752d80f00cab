// Dispatch for vmath_kernels.h, the scalar table (libm), and the one place the linear models call
// libm's exp and log from.
#include <cmath>

#include "vmath_kernels.h"

// glibc 2.29 gave exp and log new symbol versions (the same functions without the old SVID error
// wrappers). Binding this file's references to the original versions keeps the prebuilt binary
// loadable on glibc 2.28, Node 20's floor (see addon/glibc_compat.cc and test/package.test.ts); the
// results are the same. Code that needs libm's exp / log goes through scalar_exp / scalar_log below
// so that no other object file references the new versions.
#if defined(__linux__) && defined(__GLIBC__)
#if defined(__x86_64__)
__asm__(".symver exp,exp@GLIBC_2.2.5");
__asm__(".symver log,log@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver exp,exp@GLIBC_2.17");
__asm__(".symver log,log@GLIBC_2.17");
#endif
#endif

namespace ensemblekit {
namespace simd {

double scalar_exp(double x) { return std::exp(x); }
double scalar_log(double x) { return std::log(x); }

namespace scalar {
namespace {

void exp_n(int64_t n, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = scalar_exp(x[i]);
}

void log_n(int64_t n, const double* x, double* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = scalar_log(x[i]);
}

}  // namespace

extern const VmathKernels kVmath = {&exp_n, &log_n};
}  // namespace scalar

const VmathKernels& vmath_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
#if defined(ENSEMBLEKIT_HAVE_AVX512)
  if (isa == Isa::kAvx512) return avx512::kVmath;
#endif
  // Without the AVX-512 objects an AVX-512 CPU runs the AVX2 kernels (as GEMM does).
  if (isa == Isa::kAvx2 || isa == Isa::kAvx512) return avx2::kVmath;
#endif
  (void)isa;
  return scalar::kVmath;
}

}  // namespace simd
}  // namespace ensemblekit
