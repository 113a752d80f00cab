#include "import_trees.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "../errors.h"
#include "tree_io.h"

namespace ensemblekit {

namespace {

bool is_integer(double v) { return std::isfinite(v) && v == std::floor(v); }

double finite_or(double v, double fallback) { return std::isfinite(v) ? v : fallback; }

// Compiled forests walk at most this deep (predict/compiled_forest.cc keeps depths in 16 bits).
constexpr int kMaxDepth = 65535;

// True when every split's children are a consecutive pair (left, left + 1) numbered after their
// parent, and the splits in the order of their left ids create nodes 1, 2, 3, ... (Tree's layout).
// Only called once the breadth-first walk reached every node, so child ids are valid.
bool is_creation_order(const SourceTree& tree) {
  const size_t n = tree.nodes.size();
  std::vector<char> is_left(n, 0);
  size_t splits = 0;
  for (size_t id = 0; id < n; ++id) {
    const SourceNode& s = tree.nodes[id];
    if (!s.split) continue;
    if (s.right != s.left + 1 || s.left <= static_cast<double>(id)) return false;
    const size_t l = static_cast<size_t>(s.left);
    if (l % 2 != 1) return false;
    is_left[l] = 1;
    ++splits;
  }
  // Distinct odd lefts (each node is reached once) that are exactly 1, 3, ..., 2 * splits - 1.
  for (size_t k = 0; k < splits; ++k) {
    if (2 * k + 1 >= n || !is_left[2 * k + 1]) return false;
  }
  return true;
}

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e21) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // The shortest %g form that reads back as v.
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (precision == 17 || std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void CategoryBudget::charge(size_t words, const std::string& where) {
  if (words > words_left_) {
    throw ModelFormat(where + ": the category bitsets of the model exceed the size limit for a text of this length");
  }
  words_left_ -= words;
}

std::vector<uint32_t> category_bitset(const double* categories, size_t n, const std::string& where, CategoryBudget* budget) {
  double max = -1;
  for (size_t i = 0; i < n; ++i) {
    const double c = categories[i];
    if (!is_integer(c) || c < 0 || c >= 16777216.0) {
      throw ModelFormat(where + ": category " + format_number(c) + " is not an integer in [0, 2^24)");
    }
    if (c > max) max = c;
  }
  const size_t words = max < 0 ? 1 : (static_cast<size_t>(max) >> 5) + 1;
  budget->charge(words, where);
  std::vector<uint32_t> out(words, 0u);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = static_cast<size_t>(categories[i]);
    out[c >> 5] |= 1u << (c & 31);
  }
  return out;
}

TreePacker::TreePacker(int num_features, std::string source, CategoryBudget* budget)
    : num_features_(num_features), source_(std::move(source)), budget_(budget) {}

void TreePacker::add(const SourceTree& tree, int index) {
  const std::string where = source_ + " tree " + std::to_string(index);
  const size_t n = tree.nodes.size();
  if (n < 1) throw ModelFormat(where + ": expected at least one node");
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2)) throw ModelFormat(where + ": too many nodes");
  // Breadth-first renumbering; order[k] is the source id of new node k.
  std::vector<int32_t> new_id(n, -1);
  std::vector<int32_t> order{0};
  std::vector<int32_t> depth{0};
  new_id[0] = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const SourceNode& s = tree.nodes[static_cast<size_t>(order[k])];
    if (!s.split) continue;
    if (depth[k] >= kMaxDepth) throw ModelFormat(where + ": deeper than " + std::to_string(kMaxDepth) + " levels");
    for (double child : {s.left, s.right}) {
      if (!is_integer(child) || child < 0 || child >= static_cast<double>(n)) {
        throw ModelFormat(where + ", node " + std::to_string(order[k]) + ": child " + format_number(child) + " is outside [0, " +
                          std::to_string(n) + ")");
      }
      const size_t c = static_cast<size_t>(child);
      if (new_id[c] != -1) {
        throw ModelFormat(where + ", node " + std::to_string(order[k]) + ": node " + std::to_string(c) +
                          " is reached twice (a cycle or a shared subtree)");
      }
      new_id[c] = static_cast<int32_t>(order.size());
      order.push_back(static_cast<int32_t>(c));
      depth.push_back(depth[k] + 1);
    }
  }
  // A source numbering that already is a creation order (XGBoost's, numerical splits) is kept, so
  // node ids (predictLeaf) are the source library's own.
  if (order.size() == n && is_creation_order(tree)) {
    for (size_t k = 0; k < n; ++k) {
      order[k] = static_cast<int32_t>(k);
      new_id[k] = static_cast<int32_t>(k);
    }
  }
  const size_t m = order.size();
  std::vector<TreeNode> nodes(m);
  std::vector<CategorySet> sets;
  for (size_t k = 0; k < m; ++k) {
    const int32_t id = order[k];
    const SourceNode& s = tree.nodes[static_cast<size_t>(id)];
    TreeNode& t = nodes[k];
    t.gain = s.split ? finite_or(s.gain, 0) : 0;
    t.sum_hess = finite_or(s.hess, 0);
    // Counts are informative only (SHAP covers); a nonsense one becomes 0 rather than overflowing.
    const double count = finite_or(s.count, 0);
    t.count = count >= 0 && count < 9e18 ? static_cast<int64_t>(count) : 0;
    if (!s.split) {
      if (!std::isfinite(s.value)) throw ModelFormat(where + ", leaf " + std::to_string(id) + ": the value " + format_number(s.value) + " is not finite");
      t.left = t.right = -1;
      t.feature = -1;
      t.threshold = 0;
      t.default_left = false;
      t.value = s.value;
      continue;
    }
    if (!is_integer(s.feature) || s.feature < 0 || s.feature >= num_features_) {
      throw ModelFormat(where + ", node " + std::to_string(id) + ": feature " + format_number(s.feature) + " is outside [0, " +
                        std::to_string(num_features_) + ")");
    }
    t.left = new_id[static_cast<size_t>(s.left)];
    t.right = new_id[static_cast<size_t>(s.right)];
    t.feature = static_cast<int32_t>(s.feature);
    t.default_left = s.default_left;
    t.missing_rule = s.missing_rule;
    t.category_rule = s.category_rule;
    t.value = s.value;  // NaN when unknown: filled bottom-up below
    t.threshold_bin = 0;
    if (s.categorical) {
      if (s.category_set < 0 || static_cast<size_t>(s.category_set) >= tree.category_sets.size()) {
        throw ModelFormat(where + ", node " + std::to_string(id) + ": the category set is missing");
      }
      const std::vector<uint32_t>& bits = tree.category_sets[static_cast<size_t>(s.category_set)];
      budget_->charge(bits.size(), where + ", node " + std::to_string(id));
      t.split_type = SplitType::kCategorical;
      t.threshold = 0;
      t.category_set = static_cast<int32_t>(sets.size());
      CategorySet set;
      set.categories = bits;
      sets.push_back(std::move(set));
    } else {
      if (std::isnan(s.threshold)) throw ModelFormat(where + ", node " + std::to_string(id) + ": the threshold is NaN");
      t.split_type = SplitType::kNumerical;
      t.threshold = s.threshold;
    }
  }
  // Internal nodes without an expected output get the cover-weighted mean of their children
  // (children have larger new ids, so a reverse sweep sees them first).
  for (size_t k = m; k-- > 0;) {
    TreeNode& t = nodes[k];
    if (t.left < 0 || std::isfinite(t.value)) continue;
    const TreeNode& l = nodes[static_cast<size_t>(t.left)];
    const TreeNode& r = nodes[static_cast<size_t>(t.right)];
    const double wl = l.sum_hess != 0 ? l.sum_hess : static_cast<double>(l.count);
    const double wr = r.sum_hess != 0 ? r.sum_hess : static_cast<double>(r.count);
    t.value = wl + wr > 0 ? (wl * l.value + wr * r.value) / (wl + wr) : (l.value + r.value) / 2;
  }
  try {
    trees_.push_back(tree_from_nodes(nodes, sets, num_features_, index));
  } catch (const ModelFormat& e) {
    throw ModelFormat(source_ + ": " + e.what());
  }
}

ImportedGbdt build_imported(const std::string& source, TreePacker& packer, int num_features, int num_outputs,
                            std::vector<double> base_score, OutputTransform transform, bool classifier,
                            int best_iteration, std::vector<std::string> feature_names) {
  if (packer.num_trees() % static_cast<size_t>(num_outputs) != 0) {
    throw ModelFormat(source + ": expected a multiple of " + std::to_string(num_outputs) +
                      " trees (one per output per round) but found " + std::to_string(packer.num_trees()));
  }
  for (double b : base_score) {
    if (!std::isfinite(b)) throw ModelFormat(source + ": the base score " + format_number(b) + " is not finite");
  }
  ImportedGbdt out;
  try {
    out.model = gbdt_model_from_trees(num_features, num_outputs, std::move(base_score), transform,
                                      std::move(packer.trees()), best_iteration);
  } catch (const InvalidInput& e) {
    // The compiled forest's own checks (size limits): still a model the reader cannot take.
    throw ModelFormat(source + ": " + e.what());
  }
  out.classifier = classifier;
  if (feature_names.size() == static_cast<size_t>(num_features)) out.feature_names = std::move(feature_names);
  return out;
}

}  // namespace ensemblekit
