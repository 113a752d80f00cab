// The one way to run a loop in parallel (house rule): an explicit thread count on every call,
// OpenMP when built with it and a serial loop otherwise, exceptions carried out of the region and
// rethrown on the calling thread (an exception escaping an OpenMP region would terminate Node).
#pragma once

#include <cstdint>
#include <exception>
#include <mutex>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ensemblekit {

// Hardware threads available to this process (cgroup/affinity aware where the runtime is).
int hardware_threads();

// The default thread budget: ENSEMBLEKIT_NUM_THREADS when set, else hardware_threads().
int default_threads();

// The thread count a call uses: requested <= 0 means default_threads(); never more than the calling
// thread's ThreadLease grant (thread_budget.h). Inside an already parallel region
// the answer is 1, so nested work divides the budget instead of multiplying it.
int resolve_threads(int requested);

// True when compiled with OpenMP.
bool openmp_enabled();

// Captures the first exception thrown by any thread of a region; rethrows it after the join.
class ExceptionCapture {
 public:
  template <class F>
  void run(F&& fn) noexcept {
    try {
      fn();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
  bool failed() const { return static_cast<bool>(error_); }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;
  std::mutex mutex_;
};

// Calls fn(i) for i in [begin, end) on up to n_threads threads, static schedule so that each thread
// always receives the same indices (determinism does not depend on timing).
template <class F>
void parallel_for(int64_t begin, int64_t end, int n_threads, F&& fn) {
  if (end <= begin) return;
  const int threads = resolve_threads(n_threads);
  ExceptionCapture capture;
#ifdef _OPENMP
  if (threads > 1 && end - begin > 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = begin; i < end; ++i) {
      if (!capture.failed()) capture.run([&] { fn(i); });
    }
    capture.rethrow();
    return;
  }
#endif
  (void)threads;  // serial build: the count only matters to the OpenMP branch
  for (int64_t i = begin; i < end; ++i) fn(i);
}

// Splits [0, n) into ceil(n / grain) contiguous blocks and calls fn(block_begin, block_end,
// block_index). The split depends on n and grain only, never on the thread count, so a reduction
// over per-block partial results gives the same bits whatever n_threads is (determinism contract).
// block_count() tells callers how much per-block scratch to allocate.
int64_t block_count(int64_t n, int64_t grain);

template <class F>
void parallel_blocks(int64_t n, int64_t grain, int n_threads, F&& fn) {
  const int64_t blocks = block_count(n, grain);
  if (blocks == 0) return;
  if (grain < 1) grain = 1;
  parallel_for(0, blocks, n_threads, [&](int64_t b) {
    const int64_t lo = b * grain;
    const int64_t hi = lo + grain < n ? lo + grain : n;
    if (lo < hi) fn(lo, hi, b);
  });
}

// The index of the calling thread inside the current region (0 outside one).
inline int thread_index() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

}  // namespace ensemblekit
