// Keeps the prebuilt binary loadable on glibc 2.28 (Node 20's floor) although it is built on a newer
// system. GCC 12's libstdc++ headers read glibc's `__libc_single_threaded` (new in glibc 2.32) to skip
// atomic reference counting in single-threaded processes; that one inlined read is the only symbol
// that raises the binary's glibc requirement above 2.28. A hidden definition here binds those reads
// to our own flag, fixed at "not single-threaded", so shared_ptr and friends always use atomics —
// correct in every process, and a Node process is never single-threaded anyway. The package test
// checks the ceiling (objdump -T) so a new symbol can't slip in unnoticed.
#include <cstddef>  // defines __GLIBC__ (via features.h)

#if defined(__linux__) && defined(__GLIBC__)
extern "C" {
__attribute__((visibility("hidden"))) char __libc_single_threaded = 0;
}
#endif
