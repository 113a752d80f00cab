// Dense symmetric solvers for the normal equations of least squares and ridge:
// - Cholesky A = L L^T of a symmetric positive definite matrix, and the triangular solves;
// - a symmetric eigendecomposition (cyclic Jacobi) for the minimum-norm solution when A is singular
//   or too ill-conditioned for Cholesky (the pseudo-inverse, as scipy's lstsq gives for X).
// Row-major, float64, sizes up to a few thousand (O(n^3)); the caller owns the buffers.
#pragma once

#include <cstdint>
#include <vector>

namespace ensemblekit {
namespace linalg {

// Factors the n x n symmetric matrix `a` (row stride lda; only the lower triangle is read) in place
// into L (lower triangle; the strict upper triangle is left as is). Returns -1 on success, else the
// index of the first pivot that is not safely positive: A_jj - sum_k L_jk^2 <= rel_tol * A_jj
// (relative to the original diagonal entry, so it does not depend on the scaling of the columns),
// or not finite. On failure `a` is partially overwritten.
int64_t cholesky_factor(int64_t n, double* a, int64_t lda, double rel_tol);

// Solves L L^T X = B in place: B is n x nrhs (row stride ldb); L from cholesky_factor.
void cholesky_solve(int64_t n, const double* l, int64_t lda, int64_t nrhs, double* b, int64_t ldb);

// Eigendecomposition of the symmetric n x n matrix `a` (full storage, row stride lda; destroyed):
// a = V diag(w) V^T with V's columns the eigenvectors (v, n x n row-major). Cyclic Jacobi with the
// threshold strategy; accurate to a few ulps of ||a||. Returns the number of sweeps used.
int symmetric_eigen(int64_t n, double* a, int64_t lda, std::vector<double>& w, std::vector<double>& v);

// The minimum-norm solution of A X = B for symmetric positive semi-definite A (n x n, destroyed) and
// B (n x nrhs, overwritten with X): X = V diag(1/w_i for w_i > rcond * max w) V^T B.
// Returns the numerical rank.
int64_t symmetric_pinv_solve(int64_t n, double* a, int64_t lda, int64_t nrhs, double* b, int64_t ldb, double rcond);

}  // namespace linalg
}  // namespace ensemblekit
