#include "parallel_for.h"

#include "thread_budget.h"

#include <cstdlib>
#include <string>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace ensemblekit {

int hardware_threads() {
  static const int k_threads = [] {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
      const int n = CPU_COUNT(&set);
      if (n > 0) return n;
    }
#endif
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
  }();
  return k_threads;
}

int default_threads() {
  // ENSEMBLEKIT_NUM_THREADS caps the default for the whole process (CI runs the suite with 1).
  static const int k_default = [] {
    const char* env = std::getenv("ENSEMBLEKIT_NUM_THREADS");
    if (env != nullptr) {
      const long n = std::strtol(env, nullptr, 10);
      if (n > 0) return static_cast<int>(n < 1024 ? n : 1024);
    }
    return hardware_threads();
  }();
  return k_default;
}

int resolve_threads(int requested) {
  if (in_parallel_region()) return 1;
#ifdef _OPENMP
  if (omp_in_parallel()) return 1;
#endif
  int n = requested <= 0 ? default_threads() : (requested < 1024 ? requested : 1024);
  const int cap = thread_cap();  // an async job's lease (thread_budget.h)
  if (cap > 0 && n > cap) n = cap;
  return n;
}

bool openmp_enabled() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

bool openmp_backend() {
#ifdef _OPENMP
  static const bool k_openmp = [] {
    const char* env = std::getenv("ENSEMBLEKIT_THREADING");
    return env != nullptr && std::string(env) == "openmp";
  }();
  return k_openmp;
#else
  return false;
#endif
}

int64_t block_count(int64_t n, int64_t grain) {
  if (n <= 0) return 0;
  if (grain < 1) grain = 1;
  return (n + grain - 1) / grain;
}

}  // namespace ensemblekit
