// Per-tree leaf indices and predictions over a sub-range of trees, on top of the compiled forest.
//
// Leaf numbering: the leaf's node id in its own source Tree (tree.h's creation order: root 0, the
// children of every split a consecutive pair). For models trained here this is the order the
// learner created the nodes in; for imported XGBoost models with numerical splits it is XGBoost's
// own node id (lib/io/trees.ts keeps the source numbering when it already is a creation order),
// so the ids equal XGBoost's pred_leaf; otherwise (LightGBM, XGBoost categorical trees) it is the
// importer's breadth-first renumbering.
#pragma once

#include <cstdint>

#include "../data/matrix_view.h"
#include "compiled_forest.h"

namespace ensemblekit {

// Trees [tree_begin, tree_end) of the forest (tree_end < 0 or past the end: all remaining); throws
// InvalidInput when tree_begin is negative or past tree_end.
void resolve_tree_range(const CompiledForest& forest, int tree_begin, int tree_end, int* begin, int* end);

// out[rows x (end - begin)]: the leaf id (see above) each tree in the range sends each row to.
void predict_leaf(const CompiledForest& forest, const DenseMatrix& x, int32_t* out, int n_threads = 0, int tree_begin = 0,
                  int tree_end = -1);

// Raw margins over trees [tree_begin, tree_end) on top of base_score, out[rows x groups]. A range
// starting at tree 0 is CompiledForest::predict_raw itself; a later start walks the trees here,
// each row's sum in tree order. `transform` applies the output transform afterwards.
void predict_range(const CompiledForest& forest, const DenseMatrix& x, double* out, int n_threads, int tree_begin,
                   int tree_end, bool transform);

}  // namespace ensemblekit
