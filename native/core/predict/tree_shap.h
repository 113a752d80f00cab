// Exact TreeSHAP feature contributions over the compiled forest: the path-dependent algorithm of
// Lundberg, Erion & Lee, "Consistent Individualized Feature Attribution for Tree Ensembles" (2018),
// Algorithm 2, polynomial time (O(leaves x depth^2) per tree and row).
//
// The conditional expectation of a tree given a feature subset S follows the row's own side at a
// split on a feature in S and averages both sides by the training cover otherwise (cover:
// CompiledForest::node_cover(), the node hessian sums; a node without cover splits 1/2 : 1/2).
// "The row's own side" is exactly the prediction walk's (CompiledForest::goes_left): NaN and
// LightGBM's zero-as-missing take the default side, categorical nodes their bitset rule, so the
// contributions explain the predictions the forest makes.
//
// Layout (XGBoost's pred_contribs, LightGBM's pred_contrib): out is rows x groups x (features + 1),
// row-major; per row and output group, one contribution per feature then the bias last. The bias is
// base_score(group) plus each tree's expected output under its covers, so per row and group the
// features + 1 values sum to the raw margin of predict_raw over the same trees (up to rounding).
// Forests whose leaves are pre-divided by the tree count (random forests) thus give averaged
// contributions. Rows run in parallel; each row's sums are taken in tree order, so the result does
// not depend on the thread count.
#pragma once

#include <cstdint>

#include "../data/matrix_view.h"
#include "compiled_forest.h"

namespace ensemblekit {

// Contributions of trees [tree_begin, tree_end) (tree_end < 0: all), out[rows x groups x (F + 1)].
// Throws InvalidInput when x's column count is not forest.num_features() or the range is invalid.
void predict_contrib(const CompiledForest& forest, const DenseMatrix& x, double* out, int n_threads = 0,
                     int tree_begin = 0, int tree_end = -1);

// Each tree's expected output under its covers (the bias part of tree t), forest.num_trees() values.
void tree_expected_values(const CompiledForest& forest, double* out);

}  // namespace ensemblekit
