#include "cholesky.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "../errors.h"

namespace ensemblekit {
namespace linalg {

namespace {

double dot(int64_t n, const double* a, const double* b) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

// Row-oriented (Cholesky-Crout / "dot" form): row i of L needs rows 0..i of L, and every inner
// product runs over two contiguous row prefixes of the row-major lower triangle.
int64_t cholesky_factor(int64_t n, double* a, int64_t lda, double rel_tol) {
  if (n < 0 || lda < n) throw InvalidInput("cholesky: bad shape");
  for (int64_t i = 0; i < n; ++i) {
    double* li = a + i * lda;
    for (int64_t j = 0; j < i; ++j) {
      const double* lj = a + j * lda;
      li[j] = (li[j] - dot(j, li, lj)) / lj[j];
    }
    const double diag = li[i];
    const double pivot = diag - dot(i, li, li);
    if (!std::isfinite(pivot) || !(pivot > rel_tol * diag) || !(pivot > 0)) return i;
    li[i] = std::sqrt(pivot);
  }
  return -1;
}

void cholesky_solve(int64_t n, const double* l, int64_t lda, int64_t nrhs, double* b, int64_t ldb) {
  // L Y = B, forward; rows of B are updated as wholes so each step is a row axpy.
  for (int64_t i = 0; i < n; ++i) {
    double* bi = b + i * ldb;
    const double* li = l + i * lda;
    for (int64_t j = 0; j < i; ++j) {
      const double f = li[j];
      const double* bj = b + j * ldb;
      for (int64_t c = 0; c < nrhs; ++c) bi[c] -= f * bj[c];
    }
    const double inv = 1.0 / li[i];
    for (int64_t c = 0; c < nrhs; ++c) bi[c] *= inv;
  }
  // L^T X = Y, backward.
  for (int64_t i = n - 1; i >= 0; --i) {
    double* bi = b + i * ldb;
    const double inv = 1.0 / l[i * lda + i];
    for (int64_t c = 0; c < nrhs; ++c) bi[c] *= inv;
    for (int64_t j = 0; j < i; ++j) {
      const double f = l[i * lda + j];
      double* bj = b + j * ldb;
      for (int64_t c = 0; c < nrhs; ++c) bj[c] -= f * bi[c];
    }
  }
}

// Cyclic Jacobi (Rutishauser's formulation): each rotation zeroes one off-diagonal pair with
// t = sign(theta) / (|theta| + sqrt(theta^2 + 1)), which keeps the rotation angle <= pi/4 and the
// method quadratically convergent; tiny off-diagonal entries are set to zero outright.
int symmetric_eigen(int64_t n, double* a, int64_t lda, std::vector<double>& w, std::vector<double>& v) {
  const auto un = static_cast<size_t>(n);
  v.assign(un * un, 0.0);
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i * n + i)] = 1.0;
  w.resize(un);
  // Symmetrise from the lower triangle so rounding in the caller's product cannot bias the result.
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < i; ++j) a[j * lda + i] = a[i * lda + j];
  }
  constexpr int kMaxSweeps = 100;
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  int sweep = 0;
  for (; sweep < kMaxSweeps; ++sweep) {
    double off = 0, total = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const double x = a[i * lda + j] * a[i * lda + j];
        total += x;
        if (i != j) off += x;
      }
    }
    if (off <= kEps * kEps * total || off == 0) break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a[p * lda + q];
        const double app = a[p * lda + p], aqq = a[q * lda + q];
        if (std::fabs(apq) <= kEps * 1e-3 * std::sqrt(std::fabs(app * aqq)) || apq == 0) {
          a[p * lda + q] = a[q * lda + p] = 0;
          continue;
        }
        const double theta = (aqq - app) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0);
        const double s = t * c;
        // A <- J^T A J on rows/columns p and q.
        for (int64_t k = 0; k < n; ++k) {
          const double akp = a[k * lda + p], akq = a[k * lda + q];
          a[k * lda + p] = c * akp - s * akq;
          a[k * lda + q] = s * akp + c * akq;
        }
        for (int64_t k = 0; k < n; ++k) {
          const double apk = a[p * lda + k], aqk = a[q * lda + k];
          a[p * lda + k] = c * apk - s * aqk;
          a[q * lda + k] = s * apk + c * aqk;
        }
        a[p * lda + q] = a[q * lda + p] = 0;
        for (int64_t k = 0; k < n; ++k) {
          double& vkp = v[static_cast<size_t>(k * n + p)];
          double& vkq = v[static_cast<size_t>(k * n + q)];
          const double x = vkp, y = vkq;
          vkp = c * x - s * y;
          vkq = s * x + c * y;
        }
      }
    }
  }
  for (int64_t i = 0; i < n; ++i) w[static_cast<size_t>(i)] = a[i * lda + i];
  return sweep;
}

int64_t symmetric_pinv_solve(int64_t n, double* a, int64_t lda, int64_t nrhs, double* b, int64_t ldb, double rcond) {
  std::vector<double> w, v;
  symmetric_eigen(n, a, lda, w, v);
  double wmax = 0;
  for (double x : w) wmax = std::max(wmax, x);
  const double cutoff = rcond * wmax;
  // X = V diag(1/w) V^T B, dropping directions with w <= cutoff (null space and rounding noise).
  std::vector<double> t(static_cast<size_t>(n * nrhs), 0.0);
  int64_t rank = 0;
  for (int64_t k = 0; k < n; ++k) {
    if (!(w[static_cast<size_t>(k)] > cutoff)) continue;
    ++rank;
    const double inv = 1.0 / w[static_cast<size_t>(k)];
    for (int64_t c = 0; c < nrhs; ++c) {
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += v[static_cast<size_t>(i * n + k)] * b[i * ldb + c];
      t[static_cast<size_t>(k * nrhs + c)] = s * inv;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < nrhs; ++c) {
      double s = 0;
      for (int64_t k = 0; k < n; ++k) s += v[static_cast<size_t>(i * n + k)] * t[static_cast<size_t>(k * nrhs + c)];
      b[i * ldb + c] = s;
    }
  }
  return rank;
}

}  // namespace linalg
}  // namespace ensemblekit
