#include "thread_pool.h"

#include <algorithm>
#include <system_error>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ensemblekit {

namespace {

// Spin iterations (one pause each) before a waiter sleeps: ~20-40 us on current x86 (pause is 10-140
// cycles depending on the core). Long enough to bridge the gap between back-to-back regions of a
// tree (so a worker is not put to sleep and woken ~1000 times a tree), short enough that a waiter
// gives its core back to a thread that has work (ours or another process's) almost at once.
constexpr int kSpinIterations = 1 << 11;
constexpr uint64_t kIndexMask = (uint64_t{1} << 40) - 1;
constexpr uint64_t kSeqMask = (uint64_t{1} << 24) - 1;  // the rest of the 64-bit word

thread_local bool t_in_region = false;
thread_local int t_index = 0;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Marks the calling thread as inside a region for the duration of a task (nested loops go serial).
struct RegionScope {
  bool saved;
  RegionScope() : saved(t_in_region) { t_in_region = true; }
  ~RegionScope() { t_in_region = saved; }
};

}  // namespace

bool in_parallel_region() { return t_in_region; }

int pool_thread_index() { return t_index; }

ThreadPool& ThreadPool::local() {
  static thread_local ThreadPool pool;
  return pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::drain(uint64_t seq, Task task, void* ctx, int64_t end) {
  uint64_t w = word_.load();
  for (;;) {
    if ((w >> kIndexBits) != seq) return;
    const int64_t i = static_cast<int64_t>(w & kIndexMask);
    if (i >= end) return;
    if (!word_.compare_exchange_weak(w, w + 1)) continue;  // w now holds the current word
    {
      RegionScope scope;
      task(ctx, i);
    }
    if (done_.fetch_add(1) + 1 == end && caller_sleeping_.load()) {
      // The caller checks done_ under the mutex before it waits: taking the mutex here orders the
      // notify after that check (no lost wake-up).
      { std::lock_guard<std::mutex> lock(mutex_); }
      done_cv_.notify_one();
    }
    w = word_.load();
  }
}

void ThreadPool::worker_main(int index, uint64_t seen) {
  t_index = index;
  for (;;) {
    uint64_t s = 0;
    for (int spins = 0;; ++spins) {
      if (stop_.load(std::memory_order_relaxed)) return;
      s = word_.load() >> kIndexBits;
      if (s != seen && (s & 1) == 0) break;
      if (spins < kSpinIterations) {
        cpu_relax();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_workers_.fetch_add(1);
      for (;;) {
        if (stop_.load()) break;
        s = word_.load() >> kIndexBits;
        if (s != seen && (s & 1) == 0) break;
        work_cv_.wait(lock);
      }
      sleeping_workers_.fetch_sub(1);
      spins = 0;
    }
    seen = s;
    // These reads may mix two regions when the caller has already moved on; the claim CAS in drain()
    // then fails on the sequence, so a mixed view never runs anything.
    if (index > wanted_.load()) continue;
    const Task task = task_.load();
    void* const ctx = ctx_.load();
    const int64_t end = end_.load();
    drain(s, task, ctx, end);
  }
}

void ThreadPool::run(int64_t n, int threads, Task task, void* ctx) {
  if (n <= 0) return;
  if (static_cast<uint64_t>(n) > kIndexMask) {  // beyond the index field: run in pieces
    struct Piece {
      Task task;
      void* ctx;
      int64_t offset;
    };
    for (int64_t off = 0; off < n; off += static_cast<int64_t>(kIndexMask)) {
      Piece p{task, ctx, off};
      run(std::min<int64_t>(static_cast<int64_t>(kIndexMask), n - off), threads,
          [](void* c, int64_t i) {
            const Piece* q = static_cast<const Piece*>(c);
            q->task(q->ctx, q->offset + i);
          },
          &p);
    }
    return;
  }
  const int wanted = static_cast<int>(std::min<int64_t>(threads - 1, n - 1));
  const uint64_t seq = word_.load() >> kIndexBits;  // even: no region in flight
  while (static_cast<int>(workers_.size()) < wanted) {
    try {
      const int index = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back([this, index, seq] { worker_main(index, seq); });
    } catch (const std::system_error&) {
      break;  // no more threads from the OS: run with the team we have
    }
  }
  // Set the region up under an odd sequence, then publish it with the next even one.
  word_.store(((seq + 1) << kIndexBits));
  task_.store(task);
  ctx_.store(ctx);
  end_.store(n);
  wanted_.store(wanted);
  done_.store(0);
  const uint64_t live = (seq + 2) & kSeqMask;
  word_.store(live << kIndexBits);
  if (wanted > 0 && sleeping_workers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mutex_); }
    work_cv_.notify_all();
  }
  drain(live, task, ctx, n);
  // Every index is claimed; wait for those still running on workers.
  for (int spins = 0; done_.load() != n; ++spins) {
    if (spins < kSpinIterations) {
      cpu_relax();
      continue;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    caller_sleeping_.store(true);
    while (done_.load() != n) done_cv_.wait(lock);
    caller_sleeping_.store(false);
    break;
  }
}

}  // namespace ensemblekit
