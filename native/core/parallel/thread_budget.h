// The process-wide thread budget shared by concurrent native jobs. Each async job leases threads
// before it runs and returns them after: the first job gets what it asked for (up to the budget),
// jobs that start while the budget is spent run on one thread. So four concurrent fits on a 2-core
// machine use ~5 threads, not 4 x 2 plus the libuv threads (OpenMP keeps one team per calling thread:
// see ../shared/notes/PACKAGING.md section 4.5). Results never depend on the grant (determinism contract).
//
// The lease also caps resolve_threads() on the leasing thread, so every parallel_for inside the job
// obeys it without the thread count being passed through every layer.
#pragma once

namespace ensemblekit {

class ThreadLease {
 public:
  // Leases up to `wanted` threads (<= 0: the default budget) for the calling thread's job.
  explicit ThreadLease(int wanted);
  ~ThreadLease();
  ThreadLease(const ThreadLease&) = delete;
  ThreadLease& operator=(const ThreadLease&) = delete;

  int granted() const { return granted_; }

 private:
  int granted_;
  int previous_cap_;
};

// Threads leased right now, over all jobs (for buildInfo and tests).
int threads_leased();

// The lease cap of the calling thread (0 when it holds no lease).
int thread_cap();

}  // namespace ensemblekit
