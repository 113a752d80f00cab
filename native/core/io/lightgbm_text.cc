// LightGBM text models (`booster.save_model('m.txt')`, formats v2-v4) into a GbdtModel.
//
// Node routing follows LightGBM's numerical and categorical decisions exactly:
// - decision_type bit 0: categorical; bit 1: default left; bits 2-3: missing type.
// - Missing type None: NaN is read as 0, so it goes where 0 goes: the default side becomes the side
//   of 0 (`0 <= threshold`), no extra rule needed.
// - Missing type Zero: NaN and |x| <= 1e-35 take the default side (MissingRule::kNaNOrZero).
// - Missing type NaN: NaN takes the default side.
// - Categorical: NaN and negative values go right; otherwise the category is int(x) (toward zero)
//   and goes left when its bit is set in the node's cat_threshold bitset (CategoryRule::kTruncate).
// Leaf values are LightGBM's doubles; `average_output` (random-forest mode) divides by the number
// of iterations. LightGBM folds the start score into the trees, so the base score is 0.
// Refused: linear trees, `regression sqrt`, a sigmoid parameter other than 1, other objectives.
//
// Bounds: every list is counted before it is stored, so a declared count (num_leaves, num_cat,
// cat_boundaries) larger than its line is refused before anything is sized by it.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../errors.h"
#include "import.h"
#include "import_trees.h"
#include "text.h"

namespace ensemblekit {

namespace {

[[noreturn]] void bad(const std::string& what) { throw ModelFormat("Invalid LightGBM model: " + what); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A token as a message quotes it (shortened).
std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 60)) + (s.size() > 60 ? "...'" : "'");
}

// Whitespace-separated tokens of `s`, one at a time.
class Tokens {
 public:
  explicit Tokens(std::string_view s) : s_(s) {}
  bool next(std::string_view* token) {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    if (i_ == s_.size()) return false;
    const size_t start = i_;
    while (i_ < s_.size() && !is_space(s_[i_])) ++i_;
    *token = s_.substr(start, i_ - start);
    return true;
  }
  size_t count() const {
    Tokens t(s_);
    std::string_view tok;
    size_t n = 0;
    while (t.next(&tok)) ++n;
    return n;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// LightGBM's number tokens (%.17g, plus inf / nan spellings).
double num(std::string_view token, const std::string& what) {
  const std::string_view t = trim(token);
  std::string lower(t.substr(0, 16));
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (t.size() <= 16) {
    if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") return std::numeric_limits<double>::infinity();
    if (lower == "-inf" || lower == "-infinity") return -std::numeric_limits<double>::infinity();
    if (lower == "nan" || lower == "-nan" || lower == "+nan") return std::numeric_limits<double>::quiet_NaN();
  }
  double v;
  if (!parse_decimal(t, &v)) bad("cannot read the number " + quoted(token) + " in " + what);
  return v;
}

using Fields = std::unordered_map<std::string_view, std::string_view>;

std::string_view field(const Fields& fields, const char* key) {
  const auto it = fields.find(key);
  return it == fields.end() ? std::string_view() : it->second;
}

bool has(const Fields& fields, const char* key) { return fields.find(key) != fields.end(); }

std::vector<double> list(const Fields& fields, const char* key, const std::string& where, size_t length) {
  const auto it = fields.find(key);
  if (it == fields.end()) bad(where + " has no " + key);
  // Counted first: the vector is sized by the content, never by a declared count alone.
  const size_t found = Tokens(it->second).count();
  if (found != length) {
    bad("expected " + std::to_string(length) + " values in " + where + " " + key + " but found " + std::to_string(found));
  }
  std::vector<double> out;
  out.reserve(length);
  Tokens tokens(it->second);
  std::string_view tok;
  const std::string what = where + " " + key;
  while (tokens.next(&tok)) out.push_back(num(tok, what));
  return out;
}

std::vector<double> optional_list(const Fields& fields, const char* key, const std::string& where, size_t length) {
  return has(fields, key) ? list(fields, key, where, length) : std::vector<double>();
}

int64_t integer(const Fields& fields, const char* key, const std::string& where, double max = 2147483647.0) {
  const auto it = fields.find(key);
  if (it == fields.end()) bad(where + " has no " + key);
  const double x = num(it->second, where + " " + key);
  if (!std::isfinite(x) || x != std::floor(x) || x < 0) {
    bad("expected a non-negative integer for " + where + " " + key + " but found " + quoted(it->second));
  }
  if (x > max) bad(where + " " + key + " " + quoted(it->second) + " is larger than " + format_number(max));
  return static_cast<int64_t>(x);
}

bool is_integer(double v) { return std::isfinite(v) && v == std::floor(v); }

struct ObjectiveInfo {
  OutputTransform transform;
  bool classifier;
};

ObjectiveInfo objective_info(const Fields& header) {
  if (!has(header, "objective")) bad("the header has no objective");
  const std::string_view line = field(header, "objective");
  Tokens tokens(line);
  std::string_view name, tok;
  tokens.next(&name);
  bool sqrt = false;
  while (tokens.next(&tok)) {
    if (tok == "sqrt") sqrt = true;
    const size_t colon = tok.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = tok.substr(0, colon);
    std::string_view value = tok.substr(colon + 1);
    value = value.substr(0, value.find(':'));
    if (key == "sigmoid" && num(value, "objective sigmoid") != 1) {
      bad("objective " + quoted(line) + ": a sigmoid parameter other than 1 is not supported");
    }
  }
  if (name == "binary") return {OutputTransform::kSigmoid, true};
  if (name == "multiclass" || name == "softmax") return {OutputTransform::kSoftmax, true};
  if (name == "multiclassova" || name == "multiclass_ova" || name == "ova" || name == "ovr") return {OutputTransform::kSigmoid, true};
  if (name == "cross_entropy" || name == "xentropy") return {OutputTransform::kSigmoid, false};
  if (name == "regression" || name == "regression_l2" || name == "regression_l1" || name == "huber" || name == "fair" ||
      name == "quantile" || name == "mape") {
    if (sqrt) bad("objective " + quoted(line) + ": the sqrt target transform is not supported");
    return {OutputTransform::kIdentity, false};
  }
  if (name == "poisson" || name == "gamma" || name == "tweedie") return {OutputTransform::kExp, false};
  if (name == "lambdarank" || name == "rank_xendcg" || name == "custom" || name == "none") return {OutputTransform::kIdentity, false};
  bad("the objective " + quoted(line) + " is not supported");
}

// One `Tree=` block as a SourceTree: internal node i keeps id i, leaf j becomes id (leaves - 1) + j.
SourceTree source_tree(const Fields& fields, size_t index, int num_features, double scale, CategoryBudget* budget) {
  const std::string where = "Tree=" + std::to_string(index);
  const int64_t leaves = integer(fields, "num_leaves", where);
  if (leaves < 1) bad(where + " has no leaves");
  if (has(fields, "is_linear") && trim(field(fields, "is_linear")) != "0") {
    bad(where + " is a linear tree (linear_tree=true models are not supported)");
  }
  const size_t nl = static_cast<size_t>(leaves);
  const std::vector<double> leaf_value = list(fields, "leaf_value", where, nl);
  const size_t inner = nl - 1;
  const std::vector<double> leaf_weight = optional_list(fields, "leaf_weight", where, nl);
  const std::vector<double> leaf_count = optional_list(fields, "leaf_count", where, nl);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  SourceTree out;
  // Every list above held num_leaves values, so the node array is backed by content.
  out.nodes.resize(inner + nl);
  for (size_t j = 0; j < nl; ++j) {
    SourceNode& node = out.nodes[inner + j];
    node.value = leaf_value[j] * scale;
    node.hess = leaf_weight.empty() ? nan : leaf_weight[j];
    node.count = leaf_count.empty() ? nan : leaf_count[j];
  }
  if (inner == 0) return out;
  const std::vector<double> feature = list(fields, "split_feature", where, inner);
  const std::vector<double> threshold = list(fields, "threshold", where, inner);
  const std::vector<double> decision = list(fields, "decision_type", where, inner);
  const std::vector<double> left = list(fields, "left_child", where, inner);
  const std::vector<double> right = list(fields, "right_child", where, inner);
  const std::vector<double> gain = optional_list(fields, "split_gain", where, inner);
  const std::vector<double> internal_value = optional_list(fields, "internal_value", where, inner);
  const std::vector<double> internal_weight = optional_list(fields, "internal_weight", where, inner);
  const std::vector<double> internal_count = optional_list(fields, "internal_count", where, inner);
  // LightGBM's TreeSHAP (pred_contrib) weighs a node's sides by data counts, XGBoost's by hessian
  // sums; the compiled forest takes hessian sums as the cover when a tree has them, so with counts
  // present the weights are left out and contributions follow LightGBM's.
  const bool counts_as_cover = has(fields, "internal_count") && has(fields, "leaf_count");
  if (counts_as_cover) {
    for (size_t j = 0; j < nl; ++j) out.nodes[inner + j].hess = nan;
  }
  const int64_t num_cat = integer(fields, "num_cat", where);
  std::vector<double> bounds, bits;
  if (num_cat > 0) {
    bounds = list(fields, "cat_boundaries", where, static_cast<size_t>(num_cat) + 1);
    const double total = bounds[static_cast<size_t>(num_cat)];
    if (!is_integer(total) || total < 0 || total > 16777216.0) bad(where + " cat_boundaries ends at " + format_number(total));
    bits = list(fields, "cat_threshold", where, static_cast<size_t>(total));
  }
  // One bitset per category set used, built on first use.
  std::vector<int32_t> set_index(static_cast<size_t>(num_cat), -1);
  const double leaves_d = static_cast<double>(leaves), inner_d = static_cast<double>(inner);
  auto id = [&](double child) { return child < 0 ? inner_d + (-child - 1) : child; };
  for (size_t i = 0; i < inner; ++i) {
    const std::string at = where + ", node " + std::to_string(i);
    const double f = feature[i];
    if (!is_integer(f) || f < 0 || f >= num_features) {
      bad(at + ": feature " + format_number(f) + " is outside [0, " + std::to_string(num_features) + ")");
    }
    const double l = left[i], r = right[i];
    for (double c : {l, r}) {
      if (!is_integer(c) || c >= inner_d || c < -leaves_d) bad(at + ": child " + format_number(c) + " is out of range");
    }
    const double dt_d = decision[i];
    if (!is_integer(dt_d) || dt_d < 0 || dt_d > 127) bad(at + ": decision_type " + format_number(dt_d) + " is invalid");
    const int dt = static_cast<int>(dt_d);
    const int missing_type = (dt >> 2) & 3;
    if (missing_type == 3) bad(at + ": unknown missing type 3");
    SourceNode& node = out.nodes[i];
    node.split = true;
    node.feature = f;
    node.left = id(l);
    node.right = id(r);
    node.value = internal_value.empty() ? nan : internal_value[i] * scale;
    node.gain = gain.empty() ? nan : gain[i];
    node.hess = counts_as_cover || internal_weight.empty() ? nan : internal_weight[i];
    node.count = internal_count.empty() ? nan : internal_count[i];
    if (dt & 1) {
      const double c = threshold[i];
      if (!is_integer(c) || c < 0 || c >= static_cast<double>(num_cat)) {
        bad(at + ": category set " + format_number(c) + " is outside [0, " + std::to_string(num_cat) + ")");
      }
      const size_t ci = static_cast<size_t>(c);
      if (set_index[ci] < 0) {
        const double lo = bounds[ci], hi = bounds[ci + 1];
        if (!is_integer(lo) || !is_integer(hi) || lo < 0 || hi < lo || hi > static_cast<double>(bits.size())) {
          bad(where + ": cat_boundaries are not increasing");
        }
        const size_t begin = static_cast<size_t>(lo), end = static_cast<size_t>(hi);
        size_t used = 0;  // words up to the last non-zero one
        for (size_t w = begin; w < end; ++w) {
          const double word = bits[w];
          if (!is_integer(word) || word < 0 || word > 4294967295.0) {
            bad(where + ": cat_threshold word " + format_number(word) + " is not a 32-bit value");
          }
          if (word != 0) used = w - begin + 1;
        }
        // The largest category (bit) must be below 2^24, as for every importer.
        if (used > (size_t{1} << 19)) {
          bad(at + ": a category above 2^24 (cat_threshold words " + std::to_string(used) + ")");
        }
        const size_t words = used == 0 ? 1 : used;
        budget->charge(words, "Invalid LightGBM model: " + at);
        std::vector<uint32_t> set(words, 0u);
        for (size_t w = 0; w < used; ++w) set[w] = static_cast<uint32_t>(bits[begin + w]);
        set_index[ci] = static_cast<int32_t>(out.category_sets.size());
        out.category_sets.push_back(std::move(set));
      }
      // NaN and negative values always go right in LightGBM.
      node.categorical = true;
      node.category_set = set_index[ci];
      node.category_rule = CategoryRule::kTruncate;
      node.default_left = false;
    } else {
      const double t = threshold[i];
      if (std::isnan(t)) bad(at + ": the threshold is NaN");
      node.threshold = t;
      // None: NaN is read as 0, which goes wherever 0 goes.
      node.default_left = missing_type == 0 ? 0 <= t : (dt & 2) != 0;
      node.missing_rule = missing_type == 1 ? MissingRule::kNaNOrZero : MissingRule::kNaN;
    }
  }
  return out;
}

}  // namespace

ImportedGbdt import_lightgbm_text(const char* text_data, size_t size) {
  std::string_view text(text_data, size);
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const size_t invalid = invalid_utf8_offset(text);
  if (invalid != text.size()) bad("the text is not valid UTF-8 (byte " + std::to_string(invalid) + ")");
  // Lines, split at "\n" with a "\r" before it dropped.
  size_t pos = 0;
  auto next_line = [&](std::string_view* line) {
    if (pos > text.size()) return false;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    if (end < text.size() && !l.empty() && l.back() == '\r') l.remove_suffix(1);
    pos = end + 1;
    *line = l;
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || trim(line) != "tree") bad("expected the text model format (first line 'tree')");
  Fields header;
  std::vector<Fields> blocks;
  std::unordered_set<std::string_view> flags;
  Fields* current = &header;
  bool ended = false;
  while (next_line(&line)) {
    if (trim(line).empty()) continue;
    if (line.substr(0, 12) == "end of trees") {
      ended = true;
      break;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      if (current == &header) flags.insert(trim(line));
      continue;
    }
    const std::string_view key = trim(line.substr(0, eq));
    const std::string_view value = line.substr(eq + 1);
    if (key == "Tree") {
      const double index = num(value, "Tree=");
      if (index != static_cast<double>(blocks.size())) {
        bad("expected Tree=" + std::to_string(blocks.size()) + " but found Tree=" + std::string(trim(value).substr(0, 40)));
      }
      blocks.emplace_back();
      current = &blocks.back();
      continue;
    }
    if (!current->emplace(key, value).second) {
      bad((current == &header ? std::string("the header") : "Tree=" + std::to_string(blocks.size() - 1)) + " repeats " +
          std::string(key.substr(0, 60)));
    }
  }
  if (!ended) bad("the text is truncated ('end of trees' not found)");
  if (has(header, "version")) {
    const std::string_view version = trim(field(header, "version"));
    if (version != "v2" && version != "v3" && version != "v4") bad("unsupported format version " + quoted(field(header, "version")));
  }
  const int64_t num_features = integer(header, "max_feature_idx", "the header", 16777215.0) + 1;
  if (num_features > max_features_for(size)) {
    bad("max_feature_idx " + std::to_string(num_features - 1) + " is larger than a model of " + std::to_string(size) +
        " bytes may declare (" + std::to_string(max_features_for(size) - 1) + ")");
  }
  const int64_t per_iteration = has(header, "num_tree_per_iteration") ? integer(header, "num_tree_per_iteration", "the header")
                                                                     : integer(header, "num_class", "the header");
  if (per_iteration < 1) bad("num_tree_per_iteration must be at least 1");
  const ObjectiveInfo info = objective_info(header);
  if (info.transform == OutputTransform::kSoftmax && per_iteration < 2) bad("a multiclass model needs num_tree_per_iteration >= 2");
  if (blocks.size() % static_cast<size_t>(per_iteration) != 0) {
    bad("expected a multiple of " + std::to_string(per_iteration) + " trees but found " + std::to_string(blocks.size()));
  }
  // One output per tree of an iteration: a count that no content backs is refused before the base
  // scores are sized by it.
  if (per_iteration > 65536 && static_cast<size_t>(per_iteration) > blocks.size()) {
    bad("num_tree_per_iteration " + std::to_string(per_iteration) + " is larger than the model's " + std::to_string(blocks.size()) + " trees");
  }
  if (has(header, "tree_sizes") && Tokens(field(header, "tree_sizes")).count() != blocks.size()) {
    bad("tree_sizes lists a different number of trees than the " + std::to_string(blocks.size()) + " found");
  }
  const size_t iterations = blocks.size() / static_cast<size_t>(per_iteration);
  const double scale = flags.count("average_output") != 0 && iterations > 0 ? 1.0 / static_cast<double>(iterations) : 1.0;
  CategoryBudget budget(size);
  TreePacker packer(static_cast<int>(num_features), "LightGBM", &budget);
  for (size_t b = 0; b < blocks.size(); ++b) {
    packer.add(source_tree(blocks[b], b, static_cast<int>(num_features), scale, &budget), static_cast<int>(b));
    Fields().swap(blocks[b]);  // the block's text views are no longer needed
  }
  std::vector<std::string> names;
  if (has(header, "feature_names")) {
    Tokens tokens(field(header, "feature_names"));
    std::string_view tok;
    // More names than features are never kept, so stop counting there.
    while (tokens.next(&tok) && names.size() <= static_cast<size_t>(num_features)) names.emplace_back(tok);
  }
  return build_imported("LightGBM", packer, static_cast<int>(num_features), static_cast<int>(per_iteration),
                        std::vector<double>(static_cast<size_t>(per_iteration), 0.0), info.transform, info.classifier, -1,
                        std::move(names));
}

}  // namespace ensemblekit
