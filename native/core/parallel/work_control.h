// Cooperative cancellation and progress for long native work, free of Node: the addon implements
// the callbacks (AbortSignal flag, ThreadSafeFunction), the core only polls and reports.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "../errors.h"

namespace ensemblekit {

class WorkControl {
 public:
  WorkControl() = default;
  WorkControl(const std::atomic<bool>* abort_flag, std::function<void(double, const std::string&)> on_progress)
      : abort_flag_(abort_flag), on_progress_(std::move(on_progress)) {}

  // True once the caller asked to stop. Cheap enough for an inner loop (one relaxed load).
  bool cancelled() const { return abort_flag_ != nullptr && abort_flag_->load(std::memory_order_relaxed); }

  // Throws Aborted when cancelled; call between units of work (a tree, a block of rows).
  void check() const {
    if (cancelled()) throw Aborted();
  }

  // Progress in [0, 1] with a short label. Called from the worker thread that owns the job.
  void progress(double fraction, const std::string& what = std::string()) const {
    if (on_progress_) on_progress_(fraction, what);
  }

  // A control that never cancels and reports nowhere (synchronous calls).
  static const WorkControl& none() {
    static const WorkControl k_none;
    return k_none;
  }

 private:
  const std::atomic<bool>* abort_flag_ = nullptr;
  std::function<void(double, const std::string&)> on_progress_;
};

}  // namespace ensemblekit
