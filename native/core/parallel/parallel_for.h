// The one way to run a loop in parallel (house rule): an explicit thread count on every call,
// exceptions carried out of the region and rethrown on the calling thread (an exception escaping a
// worker would terminate Node).
//
// Threads come from our own team (thread_pool.h: indices claimed dynamically, waiters sleep), which
// stays fast when another process competes for the cores; OpenMP's static schedule and spinning
// barriers made a 2-thread fit 7-10x slower next to one busy process. ENSEMBLEKIT_THREADING=openmp
// selects the OpenMP team instead (builds with OpenMP only; kept for comparison). Either way a loop's
// result does not depend on which thread ran which index (determinism contract).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <type_traits>

#include "thread_pool.h"

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

// True when loops run on the OpenMP team (ENSEMBLEKIT_THREADING=openmp in an OpenMP build), false
// when they run on our thread pool (the default).
bool openmp_backend();

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
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;
  std::mutex mutex_;
  std::atomic<bool> failed_{false};
};

// Calls fn(i) for i in [begin, end) on up to n_threads threads. Indices are handed out dynamically
// (a thread that is descheduled or slow runs fewer of them), so fn(i) must write only state owned by
// index i: determinism comes from what the indices are, never from who runs them.
template <class F>
void parallel_for(int64_t begin, int64_t end, int n_threads, F&& fn) {
  if (end <= begin) return;
  const int threads = resolve_threads(n_threads);
  if (threads > 1 && end - begin > 1) {
    ExceptionCapture capture;
#ifdef _OPENMP
    if (openmp_backend()) {
#pragma omp parallel for schedule(static) num_threads(threads)
      for (int64_t i = begin; i < end; ++i) {
        if (!capture.failed()) capture.run([&] { fn(i); });
      }
      capture.rethrow();
      return;
    }
#endif
    struct Context {
      std::remove_reference_t<F>* fn;
      int64_t begin;
      ExceptionCapture* capture;
    } ctx{&fn, begin, &capture};
    ThreadPool::local().run(end - begin, threads,
                            [](void* c, int64_t i) {
                              Context* x = static_cast<Context*>(c);
                              if (!x->capture->failed()) x->capture->run([&] { (*x->fn)(x->begin + i); });
                            },
                            &ctx);
    capture.rethrow();
    return;
  }
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
  if (openmp_backend()) return omp_get_thread_num();
#endif
  return pool_thread_index();
}

}  // namespace ensemblekit
