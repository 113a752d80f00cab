// The common back end of the importers (import.h): trees described in a library's own node
// numbering keep it when it already is Tree's creation order (XGBoost's, so predictLeaf gives
// XGBoost's node ids), else are renumbered breadth-first (children become consecutive pairs created
// in parent order, the layout tree_from_nodes rebuilds); either way checked (child ids in range,
// every node reached once, so no cycles or shared subtrees), and turned into Trees and then a GbdtModel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../tree/tree.h"
#include "import.h"

namespace ensemblekit {

// One node of a source tree, already in ensemblekit's routing convention (x <= threshold goes
// left). Ids and features are kept as the file's numbers (doubles) so the packer can say what is
// wrong with a fractional or out-of-range one.
struct SourceNode {
  bool split = false;
  bool categorical = false;
  bool default_left = false;
  MissingRule missing_rule = MissingRule::kNaN;
  CategoryRule category_rule = CategoryRule::kExact;
  int32_t category_set = -1;  // categorical: index into SourceTree::category_sets
  double feature = -1;
  double threshold = 0;
  double left = -1, right = -1;
  // Leaf output (already scaled); for internal nodes the expected output if known, else NaN.
  double value = 0;
  double gain = 0;
  double hess = 0;   // NaN when unknown
  double count = 0;  // NaN when unknown
};

struct SourceTree {
  std::vector<SourceNode> nodes;  // node 0 is the root
  std::vector<std::vector<uint32_t>> category_sets;  // bit c set: category c goes left
};

// Budget of category bitset words over a whole model, so that many nodes sharing one large set
// (a few bytes of text each) cannot multiply memory: 4 words per byte of text plus 16 Mi words.
class CategoryBudget {
 public:
  explicit CategoryBudget(size_t text_size) : words_left_(4 * text_size + (size_t{1} << 24)) {}
  // Throws ModelFormat (prefixed by `where`) when `words` more would exceed the budget.
  void charge(size_t words, const std::string& where);

 private:
  size_t words_left_;
};

// Most features a model read from `text_size` bytes may declare: per-feature arrays (importances)
// are then at most a small constant times the text, or 16 MiB. The 2^24 ceiling holds regardless.
inline int64_t max_features_for(size_t text_size) {
  const uint64_t by_text = 16 * static_cast<uint64_t>(text_size);
  const uint64_t limit = by_text > (uint64_t{1} << 20) ? by_text : (uint64_t{1} << 20);
  return static_cast<int64_t>(limit < (uint64_t{1} << 24) ? limit : (uint64_t{1} << 24));
}

class TreePacker {
 public:
  // `source` names the library in messages ("XGBoost", "LightGBM").
  TreePacker(int num_features, std::string source, CategoryBudget* budget);
  // Checks `tree` and appends it; `index` names it in messages.
  void add(const SourceTree& tree, int index);
  size_t num_trees() const { return trees_.size(); }
  std::vector<Tree>& trees() { return trees_; }

 private:
  int num_features_;
  std::string source_;
  CategoryBudget* budget_;
  std::vector<Tree> trees_;
};

// Builds the model from the packed trees (checks the tree count and base scores first).
ImportedGbdt build_imported(const std::string& source, TreePacker& packer, int num_features, int num_outputs,
                            std::vector<double> base_score, OutputTransform transform, bool classifier,
                            int best_iteration, std::vector<std::string> feature_names);

// A number as a message shows it: integers plainly, others with %.17g, NaN / Infinity spelled out.
std::string format_number(double v);

// Bitset of categories[0..n) (bit c set), sized by the largest category (largest / 32 + 1 words,
// one word when empty) and charged to `budget` before it is allocated. Throws ModelFormat
// (prefixed by `where`) for a category that is not an integer in [0, 2^24).
std::vector<uint32_t> category_bitset(const double* categories, size_t n, const std::string& where, CategoryBudget* budget);

}  // namespace ensemblekit
