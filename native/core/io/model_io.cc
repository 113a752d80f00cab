#include "model_io.h"

#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "../errors.h"
#include "tree_io.h"

namespace ensemblekit {

namespace {

constexpr char kMagic[4] = {'E', 'K', 'G', 'B'};
constexpr size_t kLeafBytes = 1 + 3 * 8;  // the smallest node record
constexpr uint8_t kLeafFlag = 1u << 6;
constexpr size_t kHeaderBytes = 4 + 4 + 8;

// A 64-bit multiply-xorshift hash over 8-byte words (the tail zero-padded): fast enough that
// verifying a 500-tree model costs well under a millisecond, and every single-bit change shows.
uint64_t checksum(const uint8_t* p, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  uint64_t w = 0;
  std::memcpy(&w, p + i, n - i);
  h = (h ^ w ^ (static_cast<uint64_t>(n - i) << 56)) * 0x94D049BB133111EBull;
  return h ^ (h >> 29);
}

class Writer {
 public:
  template <class T>
  void put(T v) {
    const size_t at = out_.size();
    out_.resize(at + sizeof(T));
    std::memcpy(out_.data() + at, &v, sizeof(T));
  }
  void bytes(const void* p, size_t n) {
    const size_t at = out_.size();
    out_.resize(at + n);
    if (n != 0) std::memcpy(out_.data() + at, p, n);
  }
  std::vector<uint8_t>& out() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  Reader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  // Refuses a count whose items (each at least `item_bytes`) cannot fit in what is left.
  uint32_t count(const char* what, size_t item_bytes) {
    const uint32_t c = get<uint32_t>(what);
    if (item_bytes != 0 && static_cast<uint64_t>(c) * item_bytes > left()) {
      throw ModelFormat(std::string("Invalid model buffer: ") + what + " " + std::to_string(c) + " exceeds the data left (truncated or corrupted)");
    }
    return c;
  }
  size_t left() const { return n_ - at_; }

 private:
  void need(size_t k, const char* what) const {
    if (k > n_ - at_) throw ModelFormat(std::string("Invalid model buffer: truncated while reading ") + what);
  }
  const uint8_t* p_;
  size_t n_;
  size_t at_ = 0;
};

}  // namespace

uint64_t model_payload_checksum(const uint8_t* payload, size_t size) { return checksum(payload, size); }

std::vector<uint8_t> serialize_gbdt(const GbdtModel& m) {
  Writer w;
  w.put<int32_t>(m.num_features);
  w.put<int32_t>(m.num_outputs);
  w.put<uint8_t>(static_cast<uint8_t>(m.transform));
  w.put<int32_t>(m.best_iteration);
  w.put<uint32_t>(static_cast<uint32_t>(m.trees.size()));
  for (double b : m.base_score) w.put<double>(b);
  for (const Tree& t : m.trees) {
    w.put<uint32_t>(static_cast<uint32_t>(t.num_nodes()));
    w.put<uint32_t>(static_cast<uint32_t>(t.category_sets().size()));
    for (const TreeNode& n : t.nodes()) {
      if (n.is_leaf()) {
        w.put<uint8_t>(kLeafFlag);
      } else {
        const bool cat = n.split_type == SplitType::kCategorical;
        w.put<uint8_t>(static_cast<uint8_t>((cat ? 1 : 0) | (n.default_left ? 2 : 0) | (static_cast<uint8_t>(n.missing_rule) << 2) |
                                            (static_cast<uint8_t>(n.category_rule) << 4)));
        w.put<int32_t>(n.left);  // right = left + 1 (Tree's layout)
        w.put<int32_t>(n.feature);
        w.put<int32_t>(n.threshold_bin);
        if (cat) {
          w.put<int32_t>(n.category_set);
        } else {
          w.put<double>(n.threshold);
        }
        w.put<double>(n.gain);
      }
      w.put<double>(n.value);
      w.put<double>(n.sum_hess);
      w.put<int64_t>(n.count);
    }
    for (const CategorySet& s : t.category_sets()) {
      w.put<uint32_t>(static_cast<uint32_t>(s.categories.size()));
      w.bytes(s.categories.data(), s.categories.size() * sizeof(uint32_t));
      w.put<uint32_t>(static_cast<uint32_t>(s.bins.size()));
      w.bytes(s.bins.data(), s.bins.size() * sizeof(uint64_t));
    }
  }
  std::vector<uint8_t> payload = std::move(w.out());
  Writer out;
  out.bytes(kMagic, 4);
  out.put<uint32_t>(kModelFormatVersion);
  out.put<uint64_t>(payload.size());
  out.bytes(payload.data(), payload.size());
  out.put<uint64_t>(checksum(payload.data(), payload.size()));
  return std::move(out.out());
}

GbdtModel deserialize_gbdt(const uint8_t* data, size_t size) {
  if (data == nullptr || size < kHeaderBytes + 8) throw ModelFormat("Invalid model buffer: too short to be a model");
  if (std::memcmp(data, kMagic, 4) != 0) throw ModelFormat("Invalid model buffer: not an ensemblekit model (bad magic)");
  uint32_t version;
  std::memcpy(&version, data + 4, 4);
  if (version != kModelFormatVersion) {
    throw ModelFormat("Unsupported model format version " + std::to_string(version) + " (this build reads version " +
                      std::to_string(kModelFormatVersion) + ")");
  }
  uint64_t payload_bytes;
  std::memcpy(&payload_bytes, data + 8, 8);
  if (payload_bytes != size - kHeaderBytes - 8) {
    throw ModelFormat("Invalid model buffer: the header declares " + std::to_string(payload_bytes) + " payload bytes but " +
                      std::to_string(size - kHeaderBytes - 8) + " are present (truncated or padded)");
  }
  const uint8_t* payload = data + kHeaderBytes;
  uint64_t stored;
  std::memcpy(&stored, payload + payload_bytes, 8);
  if (stored != checksum(payload, static_cast<size_t>(payload_bytes))) throw ModelFormat("Invalid model buffer: checksum mismatch (the data is corrupted)");

  Reader r(payload, static_cast<size_t>(payload_bytes));
  const int32_t num_features = r.get<int32_t>("num_features");
  const int32_t num_outputs = r.get<int32_t>("num_outputs");
  const uint8_t transform = r.get<uint8_t>("transform");
  const int32_t best = r.get<int32_t>("best_iteration");
  if (num_features < 1 || num_features > kMaxModelFeatures) throw ModelFormat("Invalid model buffer: num_features " + std::to_string(num_features));
  if (num_outputs < 1 || static_cast<uint64_t>(num_outputs) * 8 > r.left()) throw ModelFormat("Invalid model buffer: num_outputs " + std::to_string(num_outputs));
  if (transform > static_cast<uint8_t>(OutputTransform::kExp)) throw ModelFormat("Invalid model buffer: unknown transform " + std::to_string(transform));
  const uint32_t num_trees = r.count("num_trees", 8 + kLeafBytes);
  std::vector<double> base(static_cast<size_t>(num_outputs));
  for (double& b : base) {
    b = r.get<double>("base_score");
    if (!std::isfinite(b)) throw ModelFormat("Invalid model buffer: a base score is not finite");
  }
  std::vector<Tree> trees;
  trees.reserve(num_trees);
  for (uint32_t t = 0; t < num_trees; ++t) {
    const uint32_t n = r.count("num_nodes", kLeafBytes);
    const uint32_t num_sets = r.count("num_category_sets", 8);
    std::vector<TreeNode> nodes(n);
    for (TreeNode& node : nodes) {
      const uint8_t flags = r.get<uint8_t>("flags");
      if (flags == kLeafFlag) {
        node.default_left = false;
      } else {
        if ((flags & kLeafFlag) || (flags >> 7) != 0 || (flags >> 2 & 3) > 1 || (flags >> 4 & 3) > 2) {
          throw ModelFormat("Invalid tree " + std::to_string(t) + ": unknown node flags");
        }
        node.split_type = (flags & 1) ? SplitType::kCategorical : SplitType::kNumerical;
        node.default_left = (flags & 2) != 0;
        node.missing_rule = static_cast<MissingRule>(flags >> 2 & 3);
        node.category_rule = static_cast<CategoryRule>(flags >> 4 & 3);
        node.left = r.get<int32_t>("left");
        if (node.left < 0 || node.left == INT32_MAX) throw ModelFormat("Invalid tree " + std::to_string(t) + ": a child id is out of range");
        node.right = node.left + 1;
        node.feature = r.get<int32_t>("feature");
        node.threshold_bin = r.get<int32_t>("threshold_bin");
        if (node.split_type == SplitType::kCategorical) {
          node.category_set = r.get<int32_t>("category_set");
        } else {
          node.threshold = r.get<double>("threshold");
          // +-inf is a real threshold: the trainer writes +inf for a split that sends every value left and
          // only NaN right. Only NaN is meaningless (tree_from_nodes refuses it too).
          if (std::isnan(node.threshold)) throw ModelFormat("Invalid tree " + std::to_string(t) + ": a threshold is NaN");
        }
        node.gain = r.get<double>("gain");
      }
      node.value = r.get<double>("value");
      node.sum_hess = r.get<double>("sum_hess");
      node.count = r.get<int64_t>("count");
    }
    std::vector<CategorySet> sets(num_sets);
    for (CategorySet& s : sets) {
      s.categories.resize(r.count("category words", 4));
      for (uint32_t& c : s.categories) c = r.get<uint32_t>("categories");
      s.bins.resize(r.count("bin words", 8));
      for (uint64_t& b : s.bins) b = r.get<uint64_t>("bins");
    }
    trees.push_back(tree_from_nodes(nodes, sets, num_features, static_cast<int>(t)));
  }
  if (r.left() != 0) throw ModelFormat("Invalid model buffer: " + std::to_string(r.left()) + " unexpected bytes after the trees");
  return gbdt_model_from_trees(num_features, num_outputs, std::move(base), static_cast<OutputTransform>(transform), std::move(trees), best);
}

}  // namespace ensemblekit
