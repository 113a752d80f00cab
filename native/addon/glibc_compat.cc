// Keeps the prebuilt binary loadable on glibc 2.28 and GCC 8's libstdc++ (Node 20's floor) although
// it is built on a newer system. The package test checks the ceiling (objdump -T), so a new symbol
// can't slip in unnoticed. Three kinds of symbols would raise it:
//
//  1. `__libc_single_threaded` (glibc 2.32): GCC 12's libstdc++ headers read it to skip atomic
//     reference counting in single-threaded processes. A hidden definition here binds those reads to
//     our own flag, fixed at "not single-threaded", so shared_ptr and friends always use atomics —
//     correct in every process, and a Node process is never single-threaded anyway.
//  2. libm's exp, log, pow, exp2 and log2 got new symbol versions in glibc 2.29 (the same functions
//     without the old SVID error wrappers; results are identical). The link wraps them
//     (-Wl,--wrap=exp,... in CMakeLists.txt and binding.gyp), so every object's calls land in the
//     __wrap_ functions below, which call the original versions.
//  3. std::__throw_bad_array_new_length (GLIBCXX_3.4.29, GCC 11), which GCC 12's inlined
//     std::vector / std::allocator code calls on an impossible size. The link wraps it too, and the
//     wrapper throws the same exception type, which older libstdc++ already has.
//  4. std::condition_variable::wait(unique_lock&) (GLIBCXX_3.4.30, GCC 12 re-exported it when it
//     stopped being noexcept). The thread pool waits on one; the wrapper calls the GLIBCXX_3.4.11
//     version, which does the same wait (only a pthread cancellation would behave differently).
#include <cmath>
#include <new>

#if defined(__linux__) && defined(__GLIBC__)
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
#endif

#if defined(__linux__)

#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
#if defined(__x86_64__)
#define EK_LIBM_BASE "GLIBC_2.2.5"
#else
#define EK_LIBM_BASE "GLIBC_2.17"
#endif
extern "C" {
double ek_libm_exp(double);
double ek_libm_log(double);
double ek_libm_pow(double, double);
double ek_libm_exp2(double);
double ek_libm_log2(double);
}
__asm__(".symver ek_libm_exp,exp@" EK_LIBM_BASE);
__asm__(".symver ek_libm_log,log@" EK_LIBM_BASE);
__asm__(".symver ek_libm_pow,pow@" EK_LIBM_BASE);
__asm__(".symver ek_libm_exp2,exp2@" EK_LIBM_BASE);
__asm__(".symver ek_libm_log2,log2@" EK_LIBM_BASE);
#define EK_EXP ek_libm_exp
#define EK_LOG ek_libm_log
#define EK_POW ek_libm_pow
#define EK_EXP2 ek_libm_exp2
#define EK_LOG2 ek_libm_log2
#else
// Other C libraries: the wrappers forward to the real functions.
extern "C" {
double __real_exp(double);
double __real_log(double);
double __real_pow(double, double);
double __real_exp2(double);
double __real_log2(double);
}
#define EK_EXP __real_exp
#define EK_LOG __real_log
#define EK_POW __real_pow
#define EK_EXP2 __real_exp2
#define EK_LOG2 __real_log2
#endif

extern "C" {
__attribute__((visibility("hidden"))) double __wrap_exp(double x) { return EK_EXP(x); }
__attribute__((visibility("hidden"))) double __wrap_log(double x) { return EK_LOG(x); }
__attribute__((visibility("hidden"))) double __wrap_pow(double x, double y) { return EK_POW(x, y); }
__attribute__((visibility("hidden"))) double __wrap_exp2(double x) { return EK_EXP2(x); }
__attribute__((visibility("hidden"))) double __wrap_log2(double x) { return EK_LOG2(x); }

// std::__throw_bad_array_new_length(), by its mangled name.
__attribute__((visibility("hidden"), noreturn)) void __wrap__ZSt28__throw_bad_array_new_lengthv() {
  throw std::bad_array_new_length();
}
}

#if defined(__GLIBC__) && defined(__x86_64__)
// std::condition_variable::wait(std::unique_lock<std::mutex>&): (this, lock) in the C ABI.
extern "C" void ek_cv_wait_3_4_11(void* cv, void* lock);
__asm__(".symver ek_cv_wait_3_4_11,_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
extern "C" __attribute__((visibility("hidden"))) void __wrap__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(void* cv,
                                                                                                                      void* lock) {
  ek_cv_wait_3_4_11(cv, lock);
}
#else
extern "C" void __real__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(void* cv, void* lock);
extern "C" __attribute__((visibility("hidden"))) void __wrap__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(void* cv,
                                                                                                                      void* lock) {
  __real__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(cv, lock);
}
#endif

#endif  // __linux__
