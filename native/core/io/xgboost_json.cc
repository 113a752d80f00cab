// XGBoost JSON models (`booster.save_model('m.json')`, schema of 1.x and 2.x) into a GbdtModel.
//
// What is mapped, and how it stays exact:
// - Numerical splits: XGBoost reads features as float32 and goes left when `float32(x) < cond`;
//   each condition becomes xgboost_threshold(cond), so `x <= threshold` on the double takes the same
//   branch for every input. NaN takes `default_left`.
// - Categorical splits (XGBoost >= 1.6): the categories a node lists go RIGHT in XGBoost and every
//   other value (including invalid ones: negative, >= 2^24) goes left; the children are swapped so
//   the listed set goes left, as the compiled forest expects, and the node reads a category as
//   XGBoost does (CategoryRule::kTruncateFloat32).
// - Trees add to output `tree_info[t]`; dart trees are scaled by `weight_drop`; random-forest style
//   models (num_parallel_tree > 1) are supported. tree_info and (when present)
//   gbtree_model_param.num_trees must agree with the number of trees.
// - base_score (output space; a scalar, or a per-class vector in 2.x, written as a string) becomes
//   the raw start margin through the objective's link, in float32 as XGBoost's ProbToMargin does.
// Refused: gblinear, multi-target trees (leaf vectors), objectives outside the table below.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../errors.h"
#include "text.h"
#include "import.h"
#include "import_trees.h"
#include "json.h"

namespace ensemblekit {

namespace {

[[noreturn]] void bad(const std::string& what) { throw ModelFormat("Invalid XGBoost model: " + what); }

// A value as a message quotes it (strings shortened).
std::string shown(const JsonValue& v) {
  if (v.is_number()) return format_number(v.number());
  if (v.is_string()) {
    std::string s(v.string().substr(0, 40));
    return "\"" + s + (v.string().size() > 40 ? "...\"" : "\"");
  }
  return v.type_name();
}

JsonValue obj(const JsonValue& v, const std::string& what) {
  if (!v.is_object()) bad("expected an object at " + what + " but found " + v.type_name());
  return v;
}

JsonValue arr(const JsonValue& v, const std::string& what, int64_t length = -1) {
  if (!v.is_array()) bad("expected an array at " + what + " but found " + v.type_name());
  if (length >= 0 && v.size() != static_cast<uint64_t>(length)) {
    bad("expected " + std::to_string(length) + " entries in " + what + " but found " + std::to_string(v.size()));
  }
  return v;
}

// Numbers (null, and the NaN token, read as NaN). Booleans too where `bools` (default_left).
std::vector<double> nums(const JsonValue& v, const std::string& what, int64_t length = -1, bool bools = false) {
  const JsonValue a = arr(v, what, length);
  std::vector<double> out;
  out.reserve(a.size());
  a.for_each([&](uint32_t i, const JsonValue& e) {
    if (e.is_number()) {
      out.push_back(e.number());
    } else if (e.is_null()) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
    } else if (bools && e.is_bool()) {
      out.push_back(e.boolean() ? 1.0 : 0.0);
    } else {
      bad(what + "[" + std::to_string(i) + "] is " + e.type_name() + ", not a number");
    }
  });
  return out;
}

// XGBoost writes most parameters as strings ("30", "5E-1").
double num_param(const JsonValue& v, const std::string& what, const double* fallback = nullptr) {
  if (!v.exists() && fallback != nullptr) return *fallback;
  double x = std::numeric_limits<double>::quiet_NaN();
  if (v.is_number()) {
    x = v.number();
  } else if (v.is_string()) {
    std::string_view s = v.string();
    while (!s.empty() && std::strchr(" \t\n\r", s.front()) != nullptr) s.remove_prefix(1);
    while (!s.empty() && std::strchr(" \t\n\r", s.back()) != nullptr) s.remove_suffix(1);
    if (!parse_decimal(s, &x)) x = std::numeric_limits<double>::quiet_NaN();
  }
  if (!std::isfinite(x)) bad("expected a number at " + what + " but found " + shown(v));
  return x;
}

// A non-negative integer parameter no larger than `max`.
int64_t int_param(const JsonValue& v, const std::string& what, double fallback = -1, double max = 2147483647.0) {
  const double x = num_param(v, what, fallback >= 0 ? &fallback : nullptr);
  if (x != std::floor(x) || x < 0) bad("expected a non-negative integer at " + what + " but found " + shown(v));
  if (x > max) bad(what + " " + shown(v) + " is larger than " + format_number(max));
  return static_cast<int64_t>(x);
}

enum class Link { kIdentity, kLogit, kLog };

struct ObjectiveInfo {
  const char* name;
  OutputTransform transform;
  Link link;
  bool classifier;
};

constexpr ObjectiveInfo kObjectives[] = {
    {"reg:squarederror", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:linear", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:pseudohubererror", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:absoluteerror", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:squaredlogerror", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:quantileerror", OutputTransform::kIdentity, Link::kIdentity, false},
    {"reg:logistic", OutputTransform::kSigmoid, Link::kLogit, false},
    {"binary:logistic", OutputTransform::kSigmoid, Link::kLogit, true},
    // logitraw's base_score is already a margin (checked against XGBoost 1.7).
    {"binary:logitraw", OutputTransform::kSigmoid, Link::kIdentity, true},
    {"multi:softprob", OutputTransform::kSoftmax, Link::kIdentity, true},
    {"multi:softmax", OutputTransform::kSoftmax, Link::kIdentity, true},
    {"count:poisson", OutputTransform::kExp, Link::kLog, false},
    {"reg:gamma", OutputTransform::kExp, Link::kLog, false},
    {"reg:tweedie", OutputTransform::kExp, Link::kLog, false},
};

// ProbToMargin in float32, as XGBoost computes the start margin.
double to_margin(double score, Link link, const std::string& objective) {
  const float s = static_cast<float>(score);
  if (link == Link::kLogit) {
    if (!(s > 0 && s < 1)) bad("base_score " + format_number(score) + " must be in (0, 1) for " + objective);
    const float inv = static_cast<float>(1.0 / static_cast<double>(s));
    const float odds = static_cast<float>(static_cast<double>(inv) - 1.0);
    return static_cast<float>(-std::log(static_cast<double>(odds)));
  }
  if (link == Link::kLog) {
    if (!(s > 0)) bad("base_score " + format_number(score) + " must be > 0 for " + objective);
    return static_cast<float>(std::log(static_cast<double>(s)));
  }
  return s;
}

std::vector<double> parse_base_score(const JsonValue& v, size_t k) {
  if (v.is_string()) {
    std::string_view s = v.string();
    size_t i = 0;
    while (i < s.size() && std::strchr(" \t\n\r", s[i]) != nullptr) ++i;
    if (i < s.size() && s[i] == '[') {
      // 2.x writes the per-class vector as JSON text inside the string.
      JsonLimits limits;
      limits.max_depth = 2;
      std::vector<double> a;
      try {
        const JsonDocument doc = JsonDocument::parse(s.data(), s.size(), limits);
        a = nums(doc.root(), "learner_model_param.base_score");
      } catch (const ModelFormat& e) {
        bad("cannot read base_score " + shown(v) + " (" + e.what() + ")");
      }
      if (a.size() == 1) return std::vector<double>(k, a[0]);
      if (a.size() != k) bad("expected 1 or " + std::to_string(k) + " base scores but found " + std::to_string(a.size()));
      return a;
    }
  }
  const double half = 0.5;
  return std::vector<double>(k, num_param(v, "learner_model_param.base_score", &half));
}

// One tree of the JSON schema as a SourceTree (children swapped at categorical nodes).
SourceTree source_tree(const JsonValue& t, size_t index, int num_features, double scale, CategoryBudget* budget) {
  const std::string where = "trees[" + std::to_string(index) + "]";
  const JsonValue param = obj(t.get("tree_param"), where + ".tree_param");
  const int64_t n = int_param(param.get("num_nodes"), where + ".tree_param.num_nodes");
  if (n < 1) bad(where + " has no nodes");
  if (int_param(param.get("size_leaf_vector"), where + ".tree_param.size_leaf_vector", 0) > 1) {
    bad(where + " is a multi-target tree (leaf vectors are not supported)");
  }
  // Every array must hold exactly num_nodes entries: checked before anything is sized by n.
  const std::vector<double> left = nums(t.get("left_children"), where + ".left_children", n);
  const std::vector<double> right = nums(t.get("right_children"), where + ".right_children", n);
  const std::vector<double> feature = nums(t.get("split_indices"), where + ".split_indices", n);
  const std::vector<double> cond = nums(t.get("split_conditions"), where + ".split_conditions", n);
  const std::vector<double> default_left = nums(t.get("default_left"), where + ".default_left", n, true);
  const JsonValue gain_v = t.get("loss_changes"), hess_v = t.get("sum_hessian"), type_v = t.get("split_type");
  const std::vector<double> gain = gain_v.exists() ? nums(gain_v, where + ".loss_changes", n) : std::vector<double>();
  const std::vector<double> hess = hess_v.exists() ? nums(hess_v, where + ".sum_hessian", n) : std::vector<double>();
  const std::vector<double> split_type = type_v.exists() ? nums(type_v, where + ".split_type", n) : std::vector<double>();
  SourceTree out;
  // Categorical nodes: node id -> the listing of its categories (the last one wins, as a map would).
  std::vector<int64_t> listing_of(static_cast<size_t>(n), -1);
  bool any_categorical = false;
  for (double s : split_type) any_categorical |= s == 1;
  std::vector<double> all, seg, size;
  if (any_categorical) {
    all = nums(t.get("categories"), where + ".categories");
    const std::vector<double> nodes = nums(t.get("categories_nodes"), where + ".categories_nodes");
    seg = nums(t.get("categories_segments"), where + ".categories_segments", static_cast<int64_t>(nodes.size()));
    size = nums(t.get("categories_sizes"), where + ".categories_sizes", static_cast<int64_t>(nodes.size()));
    for (size_t i = 0; i < nodes.size(); ++i) {
      const double s = seg[i], z = size[i];
      if (s != std::floor(s) || z != std::floor(z) || !(s >= 0) || !(z >= 0) || s + z > static_cast<double>(all.size())) {
        bad(where + ": categories segment " + std::to_string(i) + " is out of range");
      }
      const double node = nodes[i];
      // Only ids of this tree's nodes are ever looked up.
      if (node >= 0 && node < static_cast<double>(n) && node == std::floor(node)) listing_of[static_cast<size_t>(node)] = static_cast<int64_t>(i);
    }
  }
  out.nodes.resize(static_cast<size_t>(n));
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    SourceNode& node = out.nodes[i];
    node.gain = gain.empty() ? 0 : gain[i];
    node.hess = hess.empty() ? std::numeric_limits<double>::quiet_NaN() : hess[i];
    node.count = std::numeric_limits<double>::quiet_NaN();
    if (left[i] == -1) {
      // Leaves keep their value in split_conditions, taken as written: XGBoost prints its float32
      // values exactly enough to round-trip and sums them in float32 anyway, so rounding here buys no
      // parity, while as written toXGBoostJSON -> importXGBoost is lossless.
      node.value = cond[i] * scale;
      continue;
    }
    const double f = feature[i];
    if (f != std::floor(f) || !(f >= 0) || f >= num_features) {
      bad(where + ", node " + std::to_string(i) + ": feature " + format_number(f) + " is outside [0, " + std::to_string(num_features) + ")");
    }
    node.split = true;
    node.feature = f;
    node.value = std::numeric_limits<double>::quiet_NaN();  // internal: the cover-weighted mean of the children
    if (!split_type.empty() && split_type[i] == 1) {
      const int64_t listing = listing_of[i];
      if (listing < 0) bad(where + ", node " + std::to_string(i) + ": a categorical split without categories");
      const size_t s = static_cast<size_t>(seg[static_cast<size_t>(listing)]), z = static_cast<size_t>(size[static_cast<size_t>(listing)]);
      node.category_set = static_cast<int32_t>(out.category_sets.size());
      out.category_sets.push_back(category_bitset(all.data() + s, z, "Invalid XGBoost model: " + where + ", node " + std::to_string(i), budget));
      // XGBoost sends the listed categories right: swap so they go left here.
      node.categorical = true;
      node.category_rule = CategoryRule::kTruncateFloat32;
      node.default_left = default_left[i] != 1;
      node.left = right[i];
      node.right = left[i];
    } else {
      const double c = cond[i];
      if (!std::isfinite(c)) bad(where + ", node " + std::to_string(i) + ": the split condition " + format_number(c) + " is not finite");
      node.threshold = xgboost_threshold(static_cast<float>(c));
      node.default_left = default_left[i] == 1;
      node.left = left[i];
      node.right = right[i];
    }
  }
  return out;
}

}  // namespace

double xgboost_threshold(float t) {
  // p: the float32 just below t (-2^128 stands for the step below -FLT_MAX).
  double p;
  if (t == 0) {
    p = -std::ldexp(1.0, -149);
  } else {
    uint32_t bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = t > 0 ? bits - 1 : bits + 1;
    float below;
    std::memcpy(&below, &bits, sizeof below);
    p = std::isfinite(below) ? static_cast<double>(below) : -std::ldexp(1.0, 128);
  }
  // The midpoint of p and t is the rounding boundary (exact: adjacent float32s differ in the 25th
  // bit at most); it belongs to the lower side when it rounds down (ties to even), else the
  // boundary is the double just below it.
  const double m = (p + static_cast<double>(t)) / 2;
  if (static_cast<float>(m) < t) return m;
  if (std::isinf(m) && m < 0) return std::numeric_limits<double>::quiet_NaN();  // t = -inf: no double is below
  return std::nextafter(m, -std::numeric_limits<double>::infinity());
}

ImportedGbdt import_xgboost_json(const char* text, size_t size) {
  size_t i = 0;
  if (size >= 3 && std::memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3;
  while (i < size && std::strchr(" \t\n\r", text[i]) != nullptr && text[i] != '\0') ++i;
  if (i == size || text[i] != '{') bad("expected JSON text (UBJSON and the legacy binary format are not supported)");
  JsonDocument doc;
  try {
    doc = JsonDocument::parse(text, size);
  } catch (const ModelFormat& e) {
    bad(e.what());
  }
  try {
    const JsonValue learner = obj(obj(doc.root(), "the top level").get("learner"), "learner");
    const JsonValue param = obj(learner.get("learner_model_param"), "learner.learner_model_param");
    const int64_t num_features = int_param(param.get("num_feature"), "learner_model_param.num_feature", -1, 16777216.0);
    if (num_features < 1) bad("num_feature must be at least 1");
    if (num_features > max_features_for(size)) {
      bad("num_feature " + std::to_string(num_features) + " is larger than a model of " + std::to_string(size) +
          " bytes may declare (" + std::to_string(max_features_for(size)) + ")");
    }
    const int64_t num_class = int_param(param.get("num_class"), "learner_model_param.num_class", 0);
    if (int_param(param.get("num_target"), "learner_model_param.num_target", 1) > 1) bad("multi-target models are not supported");
    const JsonValue objective_v = obj(learner.get("objective"), "learner.objective").get("name");
    if (!objective_v.is_string()) bad("expected a string at learner.objective.name but found " + std::string(objective_v.type_name()));
    const std::string objective(objective_v.string());
    const ObjectiveInfo* info = nullptr;
    std::string supported;
    for (const ObjectiveInfo& o : kObjectives) {
      if (objective == o.name) info = &o;
      supported += (supported.empty() ? "" : ", ") + std::string(o.name);
    }
    if (info == nullptr) bad("the objective '" + objective + "' is not supported (supported: " + supported + ")");
    const bool multi = objective.compare(0, 6, "multi:") == 0;
    const int64_t k = multi ? num_class : 1;
    if (multi && k < 2) bad(objective + " needs num_class >= 2 but found " + std::to_string(num_class));
    if (!multi && num_class > 1) bad("num_class " + std::to_string(num_class) + " with the single-output objective " + objective);

    const JsonValue booster = obj(learner.get("gradient_booster"), "learner.gradient_booster");
    const JsonValue booster_name = booster.get("name");
    JsonValue gbtree;
    std::vector<double> weights;
    bool dart = false;
    if (booster_name.is_string() && booster_name.string() == "gbtree") {
      gbtree = obj(booster.get("model"), "gradient_booster.model");
    } else if (booster_name.is_string() && booster_name.string() == "dart") {
      gbtree = obj(obj(booster.get("gbtree"), "gradient_booster.gbtree").get("model"), "gradient_booster.gbtree.model");
      weights = nums(booster.get("weight_drop"), "gradient_booster.weight_drop");
      dart = true;
    } else {
      bad("the booster " + shown(booster_name) + " is not supported (only gbtree and dart)");
    }
    const std::vector<JsonValue> trees = arr(gbtree.get("trees"), "model.trees").elements();
    // One output per class: a count that no content backs (more classes than trees) is refused
    // before the base scores are sized by it.
    if (k > 65536 && static_cast<size_t>(k) > trees.size()) {
      bad("num_class " + std::to_string(k) + " is larger than the model's " + std::to_string(trees.size()) + " trees");
    }
    std::vector<double> base_score = parse_base_score(param.get("base_score"), static_cast<size_t>(k));
    for (double& b : base_score) b = to_margin(b, info->link, objective);

    const std::vector<double> tree_info = nums(gbtree.get("tree_info"), "model.tree_info", static_cast<int64_t>(trees.size()));
    const JsonValue model_param_v = gbtree.get("gbtree_model_param");
    int64_t parallel = 1;
    if (model_param_v.exists()) {
      const JsonValue model_param = obj(model_param_v, "model.gbtree_model_param");
      parallel = int_param(model_param.get("num_parallel_tree"), "gbtree_model_param.num_parallel_tree", 1);
      if (parallel == 0) parallel = 1;
      // The declared count must be the trees found (dart: the inner gbtree's, as `gbtree` is here).
      // XGBoost 1.7 loads a mismatch without a word, but such a file is damaged or hand-edited and
      // which of the two counts is meant cannot be told.
      const JsonValue num_trees_v = model_param.get("num_trees");
      if (num_trees_v.exists()) {
        const int64_t num_trees = int_param(num_trees_v, "gbtree_model_param.num_trees");
        if (static_cast<uint64_t>(num_trees) != trees.size()) {
          bad("gbtree_model_param.num_trees is " + std::to_string(num_trees) + " but the model holds " + std::to_string(trees.size()) +
              " trees");
        }
      }
    }
    if (dart && weights.size() != trees.size()) {
      bad("expected " + std::to_string(trees.size()) + " dart weights but found " + std::to_string(weights.size()));
    }
    const size_t per_round = static_cast<size_t>(k) * static_cast<size_t>(parallel);
    if (trees.size() % per_round != 0) {
      bad("expected a multiple of " + std::to_string(per_round) + " trees (num_class x num_parallel_tree) but found " +
          std::to_string(trees.size()));
    }
    // XGBoost orders a round as [class 0 x parallel, class 1 x parallel, ...]; the compiled model
    // wants tree t on output t % k, so each round is interleaved (same trees, same sums).
    CategoryBudget budget(size);
    TreePacker packer(static_cast<int>(num_features), "XGBoost", &budget);
    for (size_t r = 0; r < trees.size() / per_round; ++r) {
      for (size_t p = 0; p < static_cast<size_t>(parallel); ++p) {
        for (size_t c = 0; c < static_cast<size_t>(k); ++c) {
          const size_t t = r * per_round + c * static_cast<size_t>(parallel) + p;
          if (tree_info[t] != static_cast<double>(c)) {
            bad("tree_info[" + std::to_string(t) + "] is " + format_number(tree_info[t]) + " but the round layout expects output " +
                std::to_string(c));
          }
          const double scale = dart ? weights[t] : 1.0;
          if (!std::isfinite(scale)) bad("dart weight " + std::to_string(t) + " is not finite");
          packer.add(source_tree(obj(trees[t], "trees[" + std::to_string(t) + "]"), t, static_cast<int>(num_features), scale, &budget),
                     static_cast<int>(t));
        }
      }
    }
    const JsonValue attrs_v = learner.get("attributes");
    int64_t best = -1;
    if (attrs_v.exists()) {
      const JsonValue best_v = obj(attrs_v, "learner.attributes").get("best_iteration");
      if (best_v.exists()) best = int_param(best_v, "attributes.best_iteration", -1, 1e15);
    }
    std::vector<std::string> names;
    const JsonValue names_v = learner.get("feature_names");
    if (names_v.exists()) {
      arr(names_v, "learner.feature_names").for_each([&](uint32_t i, const JsonValue& e) {
        if (!e.is_string()) bad("learner.feature_names[" + std::to_string(i) + "] is " + e.type_name() + ", not a string");
        names.emplace_back(e.string());
      });
    }
    // best_iteration counts boosting rounds; with parallel trees a round is `parallel` compiled
    // rounds. Past the last round it means the last round.
    const double best_compiled = best < 0 ? -1 : (static_cast<double>(best) + 1) * static_cast<double>(parallel) - 1;
    const int best_iteration = best_compiled > 2147483647.0 ? -1 : static_cast<int>(best_compiled);
    return build_imported("XGBoost", packer, static_cast<int>(num_features), static_cast<int>(k), std::move(base_score),
                          info->transform, info->classifier, best_iteration, std::move(names));
  } catch (const ModelFormat& e) {
    // The JSON reader's own complaints (a repeated member) get the model's prefix too.
    if (std::strncmp(e.what(), "not valid JSON", 14) == 0) bad(e.what());
    throw;
  }
}

}  // namespace ensemblekit
