// The threads behind parallel_for (parallel_for.h): a small persistent team per calling thread, with
// dynamic claiming of loop indices and passive waiting. Why not OpenMP's team:
//
// - Robust under contention. OpenMP's static schedule hands every thread its share up front and
//   joins at a barrier, so one descheduled thread (another process on the core) stalls the whole
//   region, and libgomp's waiters spin for ~300k iterations (GOMP_SPINCOUNT, read once at load
//   time, out of a library's reach) burning the CPU the descheduled thread needs. Measured on a
//   2-core machine with one competing busy process: a 2-thread fit ran 7-10x slower than alone.
//   Here every index is claimed by an atomic counter, so work a thread has not started is taken over
//   by the others (a late thread finds nothing left and goes back to sleep); only an index already
//   running on a descheduled thread is waited for. Waiters spin for a few microseconds (regions in
//   tree growing are ~10-100 us apart) and then sleep on a condition variable.
// - Determinism is untouched: callers split work into indices that depend on the problem size only
//   and reduce per-index results in index order; which thread ran an index never matters.
//
// One team per calling thread (thread_local), as libgomp keeps one per calling thread: concurrent
// async jobs never share or wait for each other's workers. Workers start on first use and are joined
// when the calling thread exits. The team never holds more than max(threads) - 1 workers asked of it;
// idle workers sleep and cost nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace ensemblekit {

class ThreadPool {
 public:
  using Task = void (*)(void* ctx, int64_t index);

  // Runs task(ctx, i) for every i in [0, n) on the calling thread and up to threads - 1 workers.
  // Returns when every index has run. task must not throw (parallel_for wraps it).
  void run(int64_t n, int threads, Task task, void* ctx);

  // The calling thread's team.
  static ThreadPool& local();

  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

 private:
  // `seen`: the last region sequence before the worker was started (it joins the next one).
  void worker_main(int index, uint64_t seen);
  // Claims and runs indices of region `seq` until none is left.
  void drain(uint64_t seq, Task task, void* ctx, int64_t end);

  // The region word: (sequence << kIndexBits) | next unclaimed index. An odd sequence means "being
  // set up"; a claim is a CAS that also checks the sequence, so a worker holding a stale view of the
  // region (task, ctx, end read before the caller moved on) can never claim an index with it.
  static constexpr int kIndexBits = 40;
  std::atomic<uint64_t> word_{0};
  std::atomic<Task> task_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<int64_t> end_{0};
  std::atomic<int> wanted_{0};  // workers 1 .. wanted_ take part in the current region
  std::atomic<int64_t> done_{0};

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_cv_;  // workers sleep here between regions
  std::condition_variable done_cv_;  // the caller sleeps here waiting for the last index
  std::atomic<int> sleeping_workers_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stop_{false};
};

// True on a thread that is running an index of a parallel region (nested loops then run serially).
bool in_parallel_region();

// The index of the calling thread in its team: 0 for the caller (and outside regions), 1.. workers.
int pool_thread_index();

}  // namespace ensemblekit
