#include "optimizer.h"

#include <cmath>

namespace ensemblekit {
namespace nn {

template <class T>
Optimizer<T>::Optimizer(const OptimizerOptions& o, int64_t n_params) : o_(o), lr_(o.learning_rate_init) {
  m_.assign(static_cast<size_t>(n_params), T(0));
  if (o_.solver == Solver::kAdam) v_.assign(static_cast<size_t>(n_params), T(0));
}

template <class T>
void Optimizer<T>::begin_step() {
  if (o_.solver != Solver::kAdam) return;
  ++t_;
  const double t = static_cast<double>(t_);
  step_ = static_cast<T>(o_.learning_rate_init * std::sqrt(1.0 - std::pow(o_.beta2, t)) / (1.0 - std::pow(o_.beta1, t)));
}

template <class T>
void Optimizer<T>::update(int64_t lo, int64_t hi, T* params, const T* grad) {
  T* m = m_.data();
  if (o_.solver == Solver::kAdam) {
    T* v = v_.data();
    const T b1 = static_cast<T>(o_.beta1), b2 = static_cast<T>(o_.beta2);
    const T c1 = T(1) - b1, c2 = T(1) - b2, eps = static_cast<T>(o_.epsilon), step = step_;
    for (int64_t i = lo; i < hi; ++i) {
      const T g = grad[i];
      m[i] = b1 * m[i] + c1 * g;
      v[i] = b2 * v[i] + c2 * g * g;
      params[i] -= step * m[i] / (std::sqrt(v[i]) + eps);
    }
    return;
  }
  const T mu = static_cast<T>(o_.momentum), lr = static_cast<T>(lr_);
  if (o_.nesterov) {
    for (int64_t i = lo; i < hi; ++i) {
      m[i] = mu * m[i] - lr * grad[i];
      params[i] += mu * m[i] - lr * grad[i];
    }
  } else {
    for (int64_t i = lo; i < hi; ++i) {
      m[i] = mu * m[i] - lr * grad[i];
      params[i] += m[i];
    }
  }
}

template <class T>
void Optimizer<T>::epoch_end(double time_step) {
  if (o_.solver == Solver::kSgd && o_.schedule == LearningRate::kInvscaling) {
    lr_ = o_.learning_rate_init / std::pow(time_step + 1.0, o_.power_t);
  }
}

template <class T>
bool Optimizer<T>::trigger_stopping() {
  if (o_.solver != Solver::kSgd || o_.schedule != LearningRate::kAdaptive) return true;
  if (lr_ <= 1e-6) return true;
  lr_ /= 5.0;
  return false;
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace nn
}  // namespace ensemblekit
