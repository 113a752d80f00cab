#include "async_job.h"

#include <algorithm>
#include <cstring>

#include "../core/parallel/thread_budget.h"
#include "addon_data.h"
#include "errors.h"

namespace ensemblekit {
namespace addon {

Napi::Function JobToken::define(Napi::Env env) {
  return DefineClass(env, "Job",
                     {InstanceMethod<&JobToken::cancel>("cancel"), InstanceAccessor<&JobToken::cancelled>("cancelled")});
}

JobToken::JobToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<JobToken>(info) {}

Napi::Value JobToken::cancel(const Napi::CallbackInfo& info) {
  cancelled_.store(true, std::memory_order_relaxed);
  return info.Env().Undefined();
}

Napi::Value JobToken::cancelled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), cancelled_.load(std::memory_order_relaxed));
}

namespace {

// Checks the token and the callback before AsyncProgressWorker's constructor runs. That constructor
// creates a thread-safe function whose finalizer later reads the worker; a throw after it left the
// finalizer reading the worker the failed new-expression had freed (a use after free the ASan
// suite run found: gemmAsync with a bad onProgress).
Napi::Env checked_job_args(Napi::Env env, Napi::Value token, Napi::Value on_progress) {
  if (token.IsObject()) {
    Napi::FunctionReference& job_class = addon_data(env).job_constructor;
    if (job_class.IsEmpty() || !token.As<Napi::Object>().InstanceOf(job_class.Value())) {
      throw invalid_input(env, "Expected a Job for the cancellation token");
    }
  } else if (!token.IsUndefined() && !token.IsNull()) {
    throw invalid_input(env, "Expected a Job or undefined for the cancellation token");
  }
  if (!on_progress.IsFunction() && !on_progress.IsUndefined() && !on_progress.IsNull()) {
    throw invalid_input(env, "Expected a function or undefined for onProgress");
  }
  return env;
}

}  // namespace

AsyncJob::AsyncJob(Napi::Env env, const char* name, Napi::Value token, Napi::Value on_progress)
    : Napi::AsyncProgressWorker<ProgressEvent>(checked_job_args(env, token, on_progress), name),
      deferred_(Napi::Promise::Deferred::New(env)) {
  if (token.IsObject()) {
    Napi::Object object = token.As<Napi::Object>();
    token_ref_ = Napi::Persistent(object);
    abort_flag_ = JobToken::Unwrap(object)->flag();
  }
  if (on_progress.IsFunction()) on_progress_ = Napi::Persistent(on_progress.As<Napi::Function>());
}

Napi::Promise AsyncJob::start() {
  Napi::Promise promise = deferred_.Promise();
  Queue();
  return promise;
}

void AsyncJob::keep_alive(Napi::Value value) { kept_.push_back(Napi::Persistent(value)); }

void AsyncJob::set_threads(int n_threads) { requested_threads_ = n_threads; }

void AsyncJob::Execute(const ExecutionProgress& progress) {
  const bool report = !on_progress_.IsEmpty();
  WorkControl control(abort_flag_, [report, &progress](double fraction, const std::string& label) {
    if (!report) return;
    ProgressEvent event;
    event.fraction = fraction;
    std::strncpy(event.label, label.c_str(), sizeof(event.label) - 1);
    progress.Send(&event, 1);
  });
  try {
    control.check();  // cancelled before it started
    ThreadLease lease(requested_threads_);
    run(control);
  } catch (...) {
    error_ = std::current_exception();
    SetError("native job failed");
  }
}

void AsyncJob::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  try {
    deferred_.Resolve(result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (...) {
    deferred_.Reject(error_from_exception(env, std::current_exception()));
  }
}

void AsyncJob::OnError(const Napi::Error& error) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  deferred_.Reject(error_ ? error_from_exception(env, error_) : error.Value());
}

void AsyncJob::OnProgress(const ProgressEvent* data, size_t count) {
  if (on_progress_.IsEmpty() || data == nullptr || count == 0) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  const ProgressEvent& last = data[count - 1];
  try {
    on_progress_.Call({Napi::Number::New(env, std::min(1.0, std::max(0.0, last.fraction))),
                       Napi::String::New(env, last.label)});
  } catch (const Napi::Error&) {
    // A throwing progress callback must not take down the job; the error is dropped, as an
    // EventEmitter listener's would be if it were caught. lib/ wraps callbacks to report them.
  }
}

}  // namespace addon
}  // namespace ensemblekit
