// The stochastic optimizers of scikit-learn's MLP (`_stochastic_optimizers.py`), element-wise over a
// range of the flat parameter vector so the update can run in parallel chunks (each parameter's
// update reads only its own state: the result is the same for any split).
//
// - Adam (Kingma & Ba): t counts updates; step lr_t = lr0 sqrt(1 - b2^t) / (1 - b1^t);
//   m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr_t m / (sqrt(v) + eps).
// - SGD with momentum mu: v = mu v - lr g; p += v, or with Nesterov's momentum p += mu v - lr g.
//   Learning rate: 'constant'; 'invscaling' lr0 / (t + 1)^power_t at the end of each epoch with t the
//   number of samples seen; 'adaptive' divides lr by 5 each time the loss (or the validation score)
//   stalls, and stops the fit once lr <= 1e-6.
#pragma once

#include <cstdint>
#include <vector>

namespace ensemblekit {
namespace nn {

enum class Solver : uint8_t { kAdam = 0, kSgd = 1, kLbfgs = 2 };
enum class LearningRate : uint8_t { kConstant = 0, kInvscaling = 1, kAdaptive = 2 };

struct OptimizerOptions {
  Solver solver = Solver::kAdam;
  LearningRate schedule = LearningRate::kConstant;
  double learning_rate_init = 1e-3;
  double power_t = 0.5;
  double momentum = 0.9;
  bool nesterov = true;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

template <class T>
class Optimizer {
 public:
  Optimizer(const OptimizerOptions& o, int64_t n_params);

  // Call once per mini-batch before update(): advances Adam's step and fixes this batch's rate.
  void begin_step();
  // p[i] += step(g[i]) for i in [lo, hi).
  void update(int64_t lo, int64_t hi, T* params, const T* grad);
  // End of an epoch; time_step = samples seen so far (invscaling).
  void epoch_end(double time_step);
  // The fit stalled: true means stop (sgd 'adaptive' instead divides the rate by 5 while > 1e-6).
  bool trigger_stopping();
  double learning_rate() const { return lr_; }

 private:
  OptimizerOptions o_;
  double lr_;
  int64_t t_ = 0;
  T step_ = 0;  // this batch's Adam rate
  std::vector<T> m_, v_;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace nn
}  // namespace ensemblekit
