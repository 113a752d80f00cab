#include "thread_budget.h"

#include <algorithm>
#include <mutex>

#include "parallel_for.h"

namespace ensemblekit {

namespace {

std::mutex g_mutex;
int g_leased = 0;
thread_local int t_cap = 0;

}  // namespace

ThreadLease::ThreadLease(int wanted) : previous_cap_(t_cap) {
  const int budget = default_threads();
  const int want = wanted <= 0 ? budget : std::min(wanted, 1024);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    const int available = std::max(0, budget - g_leased);
    granted_ = std::max(1, std::min(want, available));
    g_leased += granted_;
  }
  t_cap = granted_;
}

ThreadLease::~ThreadLease() {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_leased -= granted_;
  }
  t_cap = previous_cap_;
}

int threads_leased() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_leased;
}

int thread_cap() { return t_cap; }

}  // namespace ensemblekit
