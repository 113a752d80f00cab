#include "network.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"
#include "../linalg/gemm.h"
#include "../simd/cpu.h"
#include "../simd/vmath_kernels.h"
#include "../tree/random.h"

namespace ensemblekit {
namespace nn {

Activation parse_activation(const std::string& name) {
  if (name == "identity") return Activation::kIdentity;
  if (name == "logistic") return Activation::kLogistic;
  if (name == "tanh") return Activation::kTanh;
  if (name == "relu") return Activation::kRelu;
  throw InvalidParameter("Expected one of 'identity', 'logistic', 'tanh', 'relu' for activation but received '" + name + "'");
}

Output parse_output(const std::string& name) {
  if (name == "identity") return Output::kIdentity;
  if (name == "logistic") return Output::kLogistic;
  if (name == "softmax") return Output::kSoftmax;
  throw InvalidParameter("Expected one of 'identity', 'logistic', 'softmax' for the output activation but received '" + name + "'");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kIdentity: return "identity";
    case Activation::kLogistic: return "logistic";
    case Activation::kTanh: return "tanh";
    case Activation::kRelu: return "relu";
  }
  return "?";
}

const char* output_name(Output o) {
  switch (o) {
    case Output::kIdentity: return "identity";
    case Output::kLogistic: return "logistic";
    case Output::kSoftmax: return "softmax";
  }
  return "?";
}

int64_t Architecture::widest() const { return *std::max_element(sizes.begin(), sizes.end()); }

int64_t Architecture::total_units() const {
  int64_t t = 0;
  for (int64_t s : sizes) t += s;
  return t;
}

int64_t Architecture::weight_offset(int64_t l) const {
  int64_t off = 0;
  for (int64_t i = 0; i < l; ++i) off += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return off;
}

void Architecture::validate() const {
  if (sizes.size() < 2) throw InvalidParameter("Expected a network with an input and an output layer");
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] < 1 || sizes[i] > (int64_t(1) << 24)) {
      throw InvalidParameter("Expected layer sizes in [1, 2^24] but layer " + std::to_string(i) + " has " +
                             std::to_string(sizes[i]) + " units");
    }
  }
  if (output == Output::kLogistic && outputs() != 1) {
    throw InvalidParameter("Expected one output unit for a logistic output layer but received " + std::to_string(outputs()));
  }
  double p = 0;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) p += static_cast<double>(sizes[i]) * static_cast<double>(sizes[i + 1] + 1);
  if (p > 1e9) throw InvalidParameter("Expected at most 1e9 parameters but the layer sizes give " + std::to_string(p));
}

namespace {

template <class T>
T* grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  return v.data();
}

// Copies the chosen rows of x into dst (count x cols, type T): the only read of X per pass.
template <class T>
void gather(const DenseMatrix& x, const int64_t* idx, int64_t count, T* dst) {
  const int64_t d = x.cols;
  visit_dtype(x.dtype, [&](auto tag) {
    using S = decltype(tag);
    const S* src = x.typed<S>();
    for (int64_t r = 0; r < count; ++r) {
      const S* row = src + (idx != nullptr ? idx[r] : r) * d;
      T* out = dst + r * d;
      for (int64_t c = 0; c < d; ++c) out[c] = static_cast<T>(row[c]);
    }
  });
}

// z += b per row, then the hidden activation in place. Logistic and tanh share one vector exp of
// -|z| (or -2|z|) per chunk; both forms below avoid overflow for any z.
template <class T>
void hidden_activation(Activation act, int64_t rows, int64_t cols, const T* bias, T* z, std::vector<double>& tmp) {
  const int64_t n = rows * cols;
  for (int64_t r = 0; r < rows; ++r) {
    T* zr = z + r * cols;
    for (int64_t c = 0; c < cols; ++c) zr[c] += bias[c];
  }
  switch (act) {
    case Activation::kIdentity:
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) z[i] = z[i] > T(0) ? z[i] : T(0);
      return;
    case Activation::kLogistic:
    case Activation::kTanh: {
      const simd::VmathKernels& vm = simd::vmath_kernels(simd::active_isa());
      double* e = grow(tmp, n);
      const double scale = act == Activation::kTanh ? -2.0 : -1.0;
      for (int64_t i = 0; i < n; ++i) e[i] = scale * std::fabs(static_cast<double>(z[i]));
      vm.exp(n, e, e);
      if (act == Activation::kTanh) {
        // tanh z = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|)
        for (int64_t i = 0; i < n; ++i) {
          const double t = (1.0 - e[i]) / (1.0 + e[i]);
          z[i] = static_cast<T>(z[i] < T(0) ? -t : t);
        }
      } else {
        // sigma(z) = 1 / (1 + e^-|z|) for z >= 0, e^-|z| / (1 + e^-|z|) otherwise
        for (int64_t i = 0; i < n; ++i) {
          const double num = z[i] >= T(0) ? 1.0 : e[i];
          z[i] = static_cast<T>(num / (1.0 + e[i]));
        }
      }
      return;
    }
  }
}

// z += b, then the output activation in place.
template <class T>
void output_activation(Output out, int64_t rows, int64_t cols, const T* bias, T* z, std::vector<double>& tmp) {
  switch (out) {
    case Output::kIdentity:
      hidden_activation(Activation::kIdentity, rows, cols, bias, z, tmp);
      return;
    case Output::kLogistic:
      hidden_activation(Activation::kLogistic, rows, cols, bias, z, tmp);
      return;
    case Output::kSoftmax: {
      const int64_t n = rows * cols;
      const simd::VmathKernels& vm = simd::vmath_kernels(simd::active_isa());
      double* e = grow(tmp, n);
      for (int64_t r = 0; r < rows; ++r) {
        T* zr = z + r * cols;
        double* er = e + r * cols;
        double m = -HUGE_VAL;
        for (int64_t c = 0; c < cols; ++c) {
          er[c] = static_cast<double>(zr[c] + bias[c]);
          m = std::max(m, er[c]);
        }
        for (int64_t c = 0; c < cols; ++c) er[c] -= m;
      }
      vm.exp(n, e, e);
      for (int64_t r = 0; r < rows; ++r) {
        T* zr = z + r * cols;
        const double* er = e + r * cols;
        double s = 0;
        for (int64_t c = 0; c < cols; ++c) s += er[c];
        const double inv = 1.0 / s;
        for (int64_t c = 0; c < cols; ++c) zr[c] = static_cast<T>(er[c] * inv);
      }
      return;
    }
  }
}

// Forward pass of one chunk whose inputs are already in ws.acts (a_0); leaves a_1..a_L there.
template <class T>
void forward_chunk(const Architecture& arch, const T* params, int64_t rows, Workspace<T>& ws) {
  T* a = ws.acts.data();
  const int64_t L = arch.layers();
  for (int64_t l = 0; l < L; ++l) {
    const int64_t in = arch.sizes[l], out = arch.sizes[l + 1];
    const T* w = params + arch.weight_offset(l);
    const T* b = params + arch.bias_offset(l);
    T* next = a + rows * in;
    linalg::gemm<T>(linalg::Trans::kNo, linalg::Trans::kNo, rows, out, in, T(1), a, in, w, out, T(0), next, out, 1);
    if (l + 1 < L) {
      hidden_activation(arch.hidden, rows, out, b, next, ws.tmp);
    } else {
      output_activation(arch.output, rows, out, b, next, ws.tmp);
    }
    a = next;
  }
}

// Sum of the per-row losses of one chunk (outputs p in place), then p := p - y (the output delta).
// Probabilities are clipped to [eps, 1 - eps] of T in the loss only, as scikit-learn does.
template <class T>
double loss_and_delta(const Architecture& arch, int64_t rows, const Targets& y, const int64_t* idx, T* p) {
  const int64_t k = arch.outputs();
  const double eps = static_cast<double>(std::numeric_limits<T>::epsilon());
  double loss = 0;
  switch (arch.output) {
    case Output::kIdentity:
      for (int64_t r = 0; r < rows; ++r) {
        const double* yr = y.values + (idx != nullptr ? idx[r] : r) * k;
        T* pr = p + r * k;
        for (int64_t c = 0; c < k; ++c) {
          const double d = static_cast<double>(pr[c]) - yr[c];
          loss += 0.5 * d * d;
          pr[c] = static_cast<T>(d);
        }
      }
      break;
    case Output::kLogistic:
      for (int64_t r = 0; r < rows; ++r) {
        const int32_t t = y.labels[idx != nullptr ? idx[r] : r];
        const double q = std::min(std::max(static_cast<double>(p[r]), eps), 1.0 - eps);
        loss -= t == 1 ? simd::scalar_log(q) : simd::scalar_log(1.0 - q);
        p[r] -= static_cast<T>(t);
      }
      break;
    case Output::kSoftmax:
      for (int64_t r = 0; r < rows; ++r) {
        const int32_t t = y.labels[idx != nullptr ? idx[r] : r];
        T* pr = p + r * k;
        const double q = std::min(std::max(static_cast<double>(pr[t]), eps), 1.0 - eps);
        loss -= simd::scalar_log(q);
        pr[t] -= T(1);
      }
      break;
  }
  return loss;
}

// delta *= f'(a) for a hidden layer, f' written through the activation a = f(z).
template <class T>
void hidden_derivative(Activation act, int64_t n, const T* a, T* delta) {
  switch (act) {
    case Activation::kIdentity:
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) delta[i] = a[i] > T(0) ? delta[i] : T(0);
      return;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) delta[i] *= T(1) - a[i] * a[i];
      return;
    case Activation::kLogistic:
      for (int64_t i = 0; i < n; ++i) delta[i] *= a[i] * (T(1) - a[i]);
      return;
  }
}

}  // namespace

template <class T>
double block_loss_grad(const Architecture& arch, const T* params, const DenseMatrix& x, const Targets& y,
                       const int64_t* idx, int64_t count, T* grad, Workspace<T>& ws) {
  const int64_t L = arch.layers();
  const int64_t chunk = std::min(count, kChunkRows);
  grow(ws.acts, chunk * arch.total_units());
  grow(ws.delta, 2 * chunk * arch.widest());
  grow(ws.bias, arch.widest());
  double loss = 0;
  bool first = true;
  for (int64_t lo = 0; lo < count; lo += kChunkRows) {
    const int64_t rows = std::min(kChunkRows, count - lo);
    const int64_t* cidx = idx != nullptr ? idx + lo : nullptr;
    // Rows without an index list are rows lo.. of x: shift the view instead.
    DenseMatrix xv = x;
    Targets yv = y;
    if (idx == nullptr) {
      xv.data = static_cast<const char*>(x.data) + static_cast<size_t>(lo * x.cols) * dtype_size(x.dtype);
      if (y.labels != nullptr) yv.labels = y.labels + lo;
      if (y.values != nullptr) yv.values = y.values + lo * arch.outputs();
    }
    gather(xv, cidx, rows, ws.acts.data());
    forward_chunk(arch, params, rows, ws);
    // Offsets of each layer's activations in ws.acts.
    std::vector<int64_t> at(static_cast<size_t>(L + 1));
    at[0] = 0;
    for (int64_t l = 0; l < L; ++l) at[l + 1] = at[l] + rows * arch.sizes[l];
    T* out = ws.acts.data() + at[L];
    loss += loss_and_delta(arch, rows, yv, cidx, out);
    T* delta = out;
    T* spare = ws.delta.data();
    const T beta = first ? T(0) : T(1);
    for (int64_t l = L - 1; l >= 0; --l) {
      const int64_t in = arch.sizes[l], width = arch.sizes[l + 1];
      const T* a = ws.acts.data() + at[l];
      T* gw = grad + arch.weight_offset(l);
      T* gb = grad + arch.bias_offset(l);
      linalg::gemm<T>(linalg::Trans::kYes, linalg::Trans::kNo, in, width, rows, T(1), a, in, delta, width, beta, gw, width, 1);
      T* bsum = ws.bias.data();
      std::fill(bsum, bsum + width, T(0));
      for (int64_t r = 0; r < rows; ++r) {
        const T* dr = delta + r * width;
        for (int64_t c = 0; c < width; ++c) bsum[c] += dr[c];
      }
      if (first) {
        std::copy(bsum, bsum + width, gb);
      } else {
        for (int64_t c = 0; c < width; ++c) gb[c] += bsum[c];
      }
      if (l > 0) {
        const T* w = params + arch.weight_offset(l);
        linalg::gemm<T>(linalg::Trans::kNo, linalg::Trans::kYes, rows, in, width, T(1), delta, width, w, width, T(0), spare, in, 1);
        hidden_derivative(arch.hidden, rows * in, a, spare);
        // Next layer down reads this delta; the other half of ws.delta takes the one after.
        T* used = spare;
        spare = (spare == ws.delta.data()) ? ws.delta.data() + chunk * arch.widest() : ws.delta.data();
        delta = used;
      }
    }
    first = false;
  }
  return loss;
}

template <class T>
void block_forward(const Architecture& arch, const T* params, const DenseMatrix& x, const int64_t* idx, int64_t count,
                   double* out, Workspace<T>& ws) {
  const int64_t chunk = std::min(count, kChunkRows);
  grow(ws.acts, chunk * arch.total_units());
  const int64_t k = arch.outputs();
  for (int64_t lo = 0; lo < count; lo += kChunkRows) {
    const int64_t rows = std::min(kChunkRows, count - lo);
    DenseMatrix xv = x;
    if (idx == nullptr) xv.data = static_cast<const char*>(x.data) + static_cast<size_t>(lo * x.cols) * dtype_size(x.dtype);
    gather(xv, idx != nullptr ? idx + lo : nullptr, rows, ws.acts.data());
    forward_chunk(arch, params, rows, ws);
    int64_t off = 0;
    for (int64_t l = 0; l < arch.layers(); ++l) off += rows * arch.sizes[l];
    const T* p = ws.acts.data() + off;
    double* o = out + lo * k;
    for (int64_t i = 0; i < rows * k; ++i) o[i] = static_cast<double>(p[i]);
  }
}

void glorot_init(const Architecture& arch, uint64_t seed, double* params) {
  SplitMix64 rng(derive_seed(seed, 0x6d6c70 /* "mlp" */));
  const double factor = arch.hidden == Activation::kLogistic ? 2.0 : 6.0;
  for (int64_t l = 0; l < arch.layers(); ++l) {
    const int64_t in = arch.sizes[l], out = arch.sizes[l + 1];
    const double bound = std::sqrt(factor / static_cast<double>(in + out));
    double* w = params + arch.weight_offset(l);
    for (int64_t i = 0; i < in * out + out; ++i) w[i] = (2.0 * rng.uniform() - 1.0) * bound;
  }
}

template double block_loss_grad<float>(const Architecture&, const float*, const DenseMatrix&, const Targets&,
                                       const int64_t*, int64_t, float*, Workspace<float>&);
template double block_loss_grad<double>(const Architecture&, const double*, const DenseMatrix&, const Targets&,
                                        const int64_t*, int64_t, double*, Workspace<double>&);
template void block_forward<float>(const Architecture&, const float*, const DenseMatrix&, const int64_t*, int64_t,
                                   double*, Workspace<float>&);
template void block_forward<double>(const Architecture&, const double*, const DenseMatrix&, const int64_t*, int64_t,
                                    double*, Workspace<double>&);

}  // namespace nn
}  // namespace ensemblekit
