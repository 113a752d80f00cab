// A fully connected feed-forward network (scikit-learn's multi-layer perceptron): its shape, the
// layout of its parameters, and the forward / backward passes over a block of rows on the GEMM
// kernels, in float32 or float64.
//
// Conventions (scikit-learn's `_multilayer_perceptron.py`, so weights can be compared with it):
// - layer l maps a_l (rows x s_l) to a_{l+1} = f(a_l W_l + b_l), W_l is s_l x s_{l+1} row-major
//   (scikit-learn's coefs_[l]), b_l has s_{l+1} entries (intercepts_[l]);
// - hidden layers share one activation; the output layer is identity (squared error), logistic
//   (binary log-loss, one unit) or softmax (log-loss, one unit per class);
// - the output delta is a_L - y for all three pairs (the canonical link), and hidden deltas are
//   multiplied by f'(z) written in terms of the activation itself (relu: a > 0; tanh: 1 - a^2;
//   logistic: a (1 - a)).
// Parameters live in one flat vector [W_0, b_0, W_1, b_1, ...] so the optimizers, L-BFGS and
// fusion see one array.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../data/matrix_view.h"

namespace ensemblekit {
namespace nn {

enum class Activation : uint8_t { kIdentity = 0, kLogistic = 1, kTanh = 2, kRelu = 3 };
enum class Output : uint8_t { kIdentity = 0, kLogistic = 1, kSoftmax = 2 };

Activation parse_activation(const std::string& name);
Output parse_output(const std::string& name);
const char* activation_name(Activation a);
const char* output_name(Output o);

struct Architecture {
  // n_features, hidden sizes..., n_outputs (at least 2 entries, all >= 1).
  std::vector<int64_t> sizes;
  Activation hidden = Activation::kRelu;
  Output output = Output::kIdentity;

  int64_t layers() const { return static_cast<int64_t>(sizes.size()) - 1; }
  int64_t inputs() const { return sizes.front(); }
  int64_t outputs() const { return sizes.back(); }
  int64_t widest() const;
  int64_t total_units() const;  // sum of sizes (activation storage per row)
  int64_t weight_offset(int64_t l) const;
  int64_t bias_offset(int64_t l) const { return weight_offset(l) + sizes[l] * sizes[l + 1]; }
  int64_t n_params() const { return weight_offset(layers()); }
  // Throws InvalidParameter unless the sizes make a network.
  void validate() const;
};

// What the output is compared with, per row: a class index (logistic: 0 / 1; softmax: 0..K-1) or
// `outputs()` real values (identity).
struct Targets {
  const int32_t* labels = nullptr;
  const double* values = nullptr;
};

// Per-thread scratch of the block passes (grown on demand, reused across calls).
template <class T>
struct Workspace {
  std::vector<T> acts;    // chunk rows x total_units: a_0 | a_1 | ... | a_L
  std::vector<T> delta;   // 2 x chunk rows x widest (ping-pong)
  std::vector<double> tmp;  // vector exp scratch
  std::vector<T> bias;    // widest: per-chunk bias-gradient sums
};

// Rows processed together inside a block (bounds the scratch; the GEMMs stay in cache).
constexpr int64_t kChunkRows = 256;

// Loss summed over `count` rows (rows idx[0..count) of x, or rows 0..count when idx is null) and its
// gradient summed over them into grad (n_params, overwritten; the L2 term is not included).
// One thread (call from inside a parallel block); bits depend on the rows and the ISA only.
template <class T>
double block_loss_grad(const Architecture& arch, const T* params, const DenseMatrix& x, const Targets& y,
                       const int64_t* idx, int64_t count, T* grad, Workspace<T>& ws);

// Network outputs (after the output activation) for `count` rows (as above) into out
// (count x outputs, row-major, double). One thread.
template <class T>
void block_forward(const Architecture& arch, const T* params, const DenseMatrix& x, const int64_t* idx, int64_t count,
                   double* out, Workspace<T>& ws);

// Glorot-uniform initialisation as scikit-learn: W_l and b_l uniform in +-sqrt(f / (s_l + s_{l+1}))
// with f = 2 for logistic hidden units, 6 otherwise; drawn layer by layer (W then b) from seed.
void glorot_init(const Architecture& arch, uint64_t seed, double* params);

}  // namespace nn
}  // namespace ensemblekit
