// libFuzzer harness: the tree arrays loader (native/core/io/tree_io: tree_from_nodes and
// gbdt_model_from_trees; forest_model_from_trees for random forests). This is the path of the JSON
// model form and of the importers: lib/ turns JSON into node arrays (left, right, feature,
// threshold, ... as in lib/native.ts NativeGbdtTrees / NativeForestTrees), and the addon
// (gbdt.cc / forest.cc modelFromTrees) copies them into TreeNodes for these functions unchanged.
//
// Input: those arrays in a flat little-endian layout (scripts/make-fuzz-corpus.mjs writes real
// models in it), read to the end; an input that ends early is dropped (a truncated file).
//   u8 kind (bit 0: forest), i32 num_features, i32 num_outputs (GBDT) or num_classes (forest),
//   u8 transform, i32 best_iteration, u16 num_trees,
//   per tree: u16 num_nodes, u16 num_category_sets,
//             per node: i32 left, i32 right, i32 feature, i32 threshold_bin, f64 threshold,
//                       u8 default_left, u8 split_type, u8 missing_rule, u8 category_rule,
//                       i32 category_set, f64 value, f64 gain, f64 sum_hess, i64 count
//             per set: u16 words, u32 categories[words], u16 bin words, u64 bins[bin words]
//             forest with num_classes >= 2: f64 distribution[num_nodes * num_classes]
//   GBDT: f64 base_score[num_outputs]
//
// Every input must either throw ModelFormat or build a model. A built model must predict the same
// through every path (fuzz_common.h); a GBDT model must also load back from its own binary save
// with the same bytes and predictions.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/errors.h"
#include "core/forest/forest.h"
#include "core/io/model_io.h"
#include "core/io/tree_io.h"
#include "fuzz_common.h"

using namespace ensemblekit;
using namespace ensemblekit_fuzz;

namespace {

class Input {
 public:
  Input(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  template <class T>
  T get() {
    T v{};
    if (sizeof(T) > n_ - at_) {
      at_ = n_;
      short_ = true;
      return v;
    }
    std::memcpy(&v, p_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  bool short_read() const { return short_; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t at_ = 0;
  bool short_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const bool forest = (in.get<uint8_t>() & 1) != 0;
  const int32_t num_features = in.get<int32_t>();
  const int32_t num_outputs = in.get<int32_t>();
  const uint8_t transform = in.get<uint8_t>();
  const int32_t best = in.get<int32_t>();
  const uint16_t num_trees = in.get<uint16_t>();
  // The addon refuses these before building (split type checks, transform from a fixed name list).
  if (transform > 3) return 0;
  const int k = forest && num_outputs >= 2 ? num_outputs : 0;  // forest classes (0: regression)
  if (k > 64) return 0;                                         // bounds the harness's own loops
  std::vector<Tree> trees;
  std::vector<NodeArray<double>> distributions;
  std::vector<double> thresholds;
  try {
    for (int t = 0; t < num_trees; ++t) {
      const uint16_t n = in.get<uint16_t>();
      const uint16_t num_sets = in.get<uint16_t>();
      std::vector<TreeNode> nodes(n);
      for (TreeNode& node : nodes) {
        node.left = in.get<int32_t>();
        node.right = in.get<int32_t>();
        node.feature = in.get<int32_t>();
        node.threshold_bin = in.get<int32_t>();
        node.threshold = in.get<double>();
        node.default_left = in.get<uint8_t>() != 0;
        const uint8_t split_type = in.get<uint8_t>();
        if (split_type > 1) { refused("split type"); return 0; }  // the addon throws ModelFormat("unknown split type")
        const uint8_t missing_rule = in.get<uint8_t>(), category_rule = in.get<uint8_t>();
        // Both are uint8_t enums: any byte is a representable value, tree_from_nodes must refuse the unknown ones.
        const int32_t category_set = in.get<int32_t>();
        if (!forest) {  // forest.cc leaves these at their defaults
          node.missing_rule = static_cast<MissingRule>(missing_rule);
          node.category_rule = static_cast<CategoryRule>(category_rule);
          node.split_type = static_cast<SplitType>(split_type);
          node.category_set = category_set;
        }
        node.value = in.get<double>();
        node.gain = in.get<double>();
        node.sum_hess = in.get<double>();
        node.count = in.get<int64_t>();
        if (!node.is_leaf() && std::isfinite(node.threshold) && thresholds.size() < 64) thresholds.push_back(node.threshold);
        if (in.short_read()) { refused("truncated"); return 0; }
      }
      std::vector<CategorySet> sets(num_sets);
      for (CategorySet& s : sets) {
        s.categories.resize(in.get<uint16_t>());
        for (uint32_t& w : s.categories) w = in.get<uint32_t>();
        s.bins.resize(in.get<uint16_t>());
        for (uint64_t& w : s.bins) w = in.get<uint64_t>();
        if (in.short_read()) { refused("truncated"); return 0; }
      }
      if (k != 0) {
        NodeArray<double> d(static_cast<size_t>(n) * static_cast<size_t>(k));
        for (double& v : d) v = in.get<double>();
        distributions.push_back(std::move(d));
      }
      if (in.short_read()) { refused("truncated"); return 0; }
      trees.push_back(tree_from_nodes(nodes, forest ? std::vector<CategorySet>{} : sets, num_features, t));
    }
    if (forest) {
      const ForestModel model = forest_model_from_trees(num_features, k, std::move(trees), std::move(distributions));
      if (model.num_features <= 4096) predict_all_paths(model.forest, probe_rows(model.num_features, 7, thresholds), 7);
      return 0;
    }
    if (num_outputs > 64) return 0;  // bounds the harness's own loop; the loader checks the count itself
    std::vector<double> base(static_cast<size_t>(num_outputs < 0 ? 0 : num_outputs));
    for (double& b : base) b = in.get<double>();
    if (in.short_read()) { refused("truncated"); return 0; }
    const GbdtModel model =
        gbdt_model_from_trees(num_features, num_outputs, std::move(base), static_cast<OutputTransform>(transform), std::move(trees), best);
    const std::vector<uint8_t> saved = serialize_gbdt(model);
    GbdtModel again;
    try {
      again = deserialize_gbdt(saved.data(), saved.size());
    } catch (const ModelFormat& e) {
      std::fprintf(stderr, "a model that was built does not load back from its own save: %s\n", e.what());
      __builtin_trap();
    }
    EK_FUZZ_CHECK(serialize_gbdt(again) == saved);
    if (model.num_features <= 4096) {
      const std::vector<double> x = probe_rows(model.num_features, 7, thresholds);
      const std::vector<double> a = predict_all_paths(model.forest, x, 7);
      const std::vector<double> b = predict_all_paths(again.forest, x, 7);
      for (size_t i = 0; i < a.size(); ++i) EK_FUZZ_CHECK(same(a[i], b[i]));
    }
  } catch (const ModelFormat& e) {
    refused(e.what());
    return 0;
  }
  return 0;
}
