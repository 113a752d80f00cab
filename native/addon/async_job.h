// The reusable async-work base every long native call goes through: the work runs on the libuv pool
// and settles a Promise; progress reaches a JS callback; a JobToken (which lib/ cancels when the
// caller's AbortSignal fires) stops the work, and the Promise rejects with AbortError.
//
// Lifetime: the JS values a job reads (typed arrays, the token, the callback) are held by persistent
// references until the job settles, so GC can't collect them under the worker (typed-array storage
// itself never moves).
#pragma once

#include <napi.h>

#include <atomic>
#include <exception>
#include <string>
#include <vector>

#include "../core/parallel/work_control.h"

namespace ensemblekit {
namespace addon {

// JS class `Job`: a cancellation flag shared with the native worker. `cancel()` is idempotent.
class JobToken : public Napi::ObjectWrap<JobToken> {
 public:
  static Napi::Function define(Napi::Env env);
  explicit JobToken(const Napi::CallbackInfo& info);

  const std::atomic<bool>* flag() const { return &cancelled_; }

 private:
  Napi::Value cancel(const Napi::CallbackInfo& info);
  Napi::Value cancelled(const Napi::CallbackInfo& info);

  std::atomic<bool> cancelled_{false};
};

struct ProgressEvent {
  double fraction = 0;
  char label[48] = {0};
};

class AsyncJob : public Napi::AsyncProgressWorker<ProgressEvent> {
 public:
  // token: a Job object or undefined; on_progress: a function or undefined.
  AsyncJob(Napi::Env env, const char* name, Napi::Value token, Napi::Value on_progress);

  // Queues the job and returns its Promise. Call once, after the subclass has taken its inputs.
  Napi::Promise start();

  // Keeps a JS value alive until the job settles.
  void keep_alive(Napi::Value value);

  // The thread count the job asks for (<= 0: the default budget). The job runs under a ThreadLease
  // (core/parallel/thread_budget.h) so concurrent jobs share the cores instead of multiplying threads.
  void set_threads(int n_threads);

 protected:
  // Worker thread: the work itself. No JS access. Throw to fail (Aborted for cancellation).
  virtual void run(const WorkControl& control) = 0;
  // Main thread, after run() returned: the value the Promise resolves with.
  virtual Napi::Value result(Napi::Env env) = 0;

 private:
  void Execute(const ExecutionProgress& progress) override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;
  void OnProgress(const ProgressEvent* data, size_t count) override;

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference token_ref_;
  Napi::FunctionReference on_progress_;
  std::vector<Napi::Reference<Napi::Value>> kept_;
  const std::atomic<bool>* abort_flag_ = nullptr;
  int requested_threads_ = 0;
  std::exception_ptr error_;
};

}  // namespace addon
}  // namespace ensemblekit
