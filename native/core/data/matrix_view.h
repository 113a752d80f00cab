// A non-owning view of a dense row-major matrix of float32 or float64, the one shape in which X
// crosses from JS into the core (a Float32Array / Float64Array with rows and cols). NaN means
// missing. The view never copies: whoever builds it keeps the buffer alive for as long as the view
// is used (the addon pins the typed array for an async worker's whole life).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "../errors.h"

namespace ensemblekit {

enum class DType : uint8_t { kFloat32 = 0, kFloat64 = 1 };

inline size_t dtype_size(DType dtype) { return dtype == DType::kFloat32 ? sizeof(float) : sizeof(double); }

inline const char* dtype_name(DType dtype) { return dtype == DType::kFloat32 ? "float32" : "float64"; }

template <class T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType kValue = DType::kFloat32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType kValue = DType::kFloat64;
};

struct DenseMatrix {
  const void* data = nullptr;
  DType dtype = DType::kFloat64;
  int64_t rows = 0;
  int64_t cols = 0;

  DenseMatrix() = default;
  DenseMatrix(const void* data_in, DType dtype_in, int64_t rows_in, int64_t cols_in)
      : data(data_in), dtype(dtype_in), rows(rows_in), cols(cols_in) {}
  DenseMatrix(const float* data_in, int64_t rows_in, int64_t cols_in)
      : data(data_in), dtype(DType::kFloat32), rows(rows_in), cols(cols_in) {}
  DenseMatrix(const double* data_in, int64_t rows_in, int64_t cols_in)
      : data(data_in), dtype(DType::kFloat64), rows(rows_in), cols(cols_in) {}

  // One element widened to double (exact for float32). Convenient, but it branches on dtype per
  // call: hot loops dispatch once with visit_dtype() and use typed pointers instead.
  double value(int64_t r, int64_t c) const {
    const int64_t i = r * cols + c;
    return dtype == DType::kFloat32 ? static_cast<double>(static_cast<const float*>(data)[i])
                                    : static_cast<const double*>(data)[i];
  }

  // Typed access; T must match dtype (the caller dispatched on it).
  template <class T>
  const T* typed() const {
    return static_cast<const T*>(data);
  }
  template <class T>
  const T* row_ptr(int64_t r) const {
    return static_cast<const T*>(data) + r * cols;
  }
  const float* f32() const { return typed<float>(); }
  const double* f64() const { return typed<double>(); }

  int64_t size() const { return rows * cols; }
};

// Calls fn(T{}) with T = float or double according to dtype, so a templated body is written once
// and the dtype branch is taken once per call rather than once per element.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& fn) {
  if (dtype == DType::kFloat32) return fn(float{});
  return fn(double{});
}

// Throws InvalidInput unless the view can be read whole: a known dtype, a non-null buffer, at least
// one row and one column, and rows * cols * element size representable (so no index computation in
// the core can overflow). `what` names the argument in the message, e.g. "X".
inline void validate_matrix(const DenseMatrix& m, const char* what) {
  const std::string name(what);
  if (m.dtype != DType::kFloat32 && m.dtype != DType::kFloat64) {
    throw InvalidInput("Expected float32 or float64 data for " + name + " but received dtype code " +
                       std::to_string(static_cast<int>(m.dtype)));
  }
  if (m.rows <= 0 || m.cols <= 0) {
    throw InvalidInput("Expected at least one row and one column for " + name + " but received " +
                       std::to_string(m.rows) + " x " + std::to_string(m.cols));
  }
  const int64_t max_elements =
      std::numeric_limits<int64_t>::max() / static_cast<int64_t>(dtype_size(m.dtype));
  if (m.rows > max_elements / m.cols) {
    throw InvalidInput("Expected a matrix whose size fits in memory for " + name + " but received " +
                       std::to_string(m.rows) + " x " + std::to_string(m.cols) + " (rows * cols overflows)");
  }
  if (m.data == nullptr) throw InvalidInput("Expected a data buffer for " + name + " but received null");
}

}  // namespace ensemblekit
