// Rebuilding trees and GBDT models from their stored parts (the JSON form lib/ writes, and later the
// importers): node arrays back into Tree objects, and a GbdtModel (compiled forest, importances)
// from its trees. Every check throws ModelFormat naming the tree and node, so a corrupt or
// hand-edited file is refused with a reason instead of predicting garbage.
#pragma once

#include <cstdint>
#include <vector>

#include "../boost/gbdt.h"
#include "../tree/tree.h"

namespace ensemblekit {

// The most features a model loaded from outside (binary, JSON arrays, importers) may declare. Its
// per-feature importances are allocated from the declared count alone: a 26-byte file declaring
// 2^31 features cost 32 GB (found by fuzz/fuzz_model_binary.cc). 2^20 is scikit-learn's
// HashingVectorizer default width and an 8 MiB float64 row, past any dense input taken here.
constexpr int kMaxModelFeatures = 1 << 20;

// Rebuilds a tree from its nodes in Tree's own layout (node ids in creation order: every internal
// node's children are the consecutive pair (left, left + 1) created when it was split, and splits
// were made in the order of their left ids). Internal nodes keep their value, gain and cover; the
// depth and parent links are recomputed. `tree_index` only names the tree in messages.
// Categorical nodes index `category_sets`.
Tree tree_from_nodes(const std::vector<TreeNode>& nodes, const std::vector<CategorySet>& category_sets,
                     int num_features, int tree_index = 0);

// A model from its trees: tree t adds to output t % num_outputs (round-major). Compiles the forest
// and recomputes the split/gain importances. best_iteration < 0 means the last round.
GbdtModel gbdt_model_from_trees(int num_features, int num_outputs, std::vector<double> base_score,
                                OutputTransform transform, std::vector<Tree> trees, int best_iteration);

// Per feature, over `trees`: number of splits and total split gain.
void tree_importances(const std::vector<Tree>& trees, int num_features, std::vector<double>* split_count,
                      std::vector<double>* total_gain);

}  // namespace ensemblekit
