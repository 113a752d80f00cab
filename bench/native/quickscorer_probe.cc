// QuickScorer against the compiled forest's walk, on one thread, same process, interleaved rounds.
//
// Issue 7 asks for both batch layouts to be measured: gathers over a dense layout (measured and
// removed, see native/core/predict/dense_walk.h) and a QuickScorer-style bitvector layout for
// small trees (Lucchese et al., "QuickScorer: a fast algorithm to rank documents with additive
// ensembles of regression trees", SIGIR 2015; the vectorised form: Lucchese et al., "Exploiting
// CPU SIMD extensions to speed-up document scoring with tree ensembles", SIGIR 2016). This probe
// builds QuickScorer from an imported model and times, on the same rows:
//   walk   CompiledForest::predict_raw, one thread (what the library ships)
//   qs     QuickScorer, one row at a time (scalar)
//   vqs    QuickScorer, 4 rows per AVX2 vector (64-bit leaf bitvectors, one lane per row), and
//          8 rows per AVX-512 vector where the CPU has it
// and checks that all three give the same margins.
//
// QuickScorer, for trees of at most 64 leaves: number each tree's leaves left to right. A node
// whose test is false for the row (x > threshold: the row goes right) rules out the leaves of its
// left subtree; its mask has those bits cleared. Per feature, every node testing it is listed by
// ascending threshold; a row walks each list while threshold < x and ANDs the masks into its
// trees' bitvectors. The lowest set bit of a tree's bitvector is then the leaf the row reaches.
// NaN takes each node's default side: the masks of the default-right nodes of that feature.
//
// Build: cmake -S . -B build-probe -DENSEMBLEKIT_PROBES=ON && cmake --build build-probe --target quickscorer_probe
// Run:   build-probe/quickscorer_probe MODEL.json X.f32 COLS [ROWS] [ROUNDS]
//        (npm run bench -- predict writes /tmp/ensemblekit_bench_predict_A.json and the test split
//        /tmp/ensemblekit_bench_gbdt_binary_1250000_test_X.f32, 28 columns)
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/import.h"

using ensemblekit::CompiledForest;
using ensemblekit::DenseMatrix;
using ensemblekit::Tree;
using ensemblekit::TreeNode;

namespace {

struct Entry {
  double threshold;
  uint32_t tree;
  uint64_t mask;
};

struct QuickScorer {
  int num_features = 0;
  int num_trees = 0;
  std::vector<std::vector<Entry>> by_feature;     // ascending threshold
  std::vector<std::vector<Entry>> nan_right;      // default-right nodes per feature
  std::vector<double> leaf_values;                // tree t's leaf j at t * 64 + j
  double base = 0.0;
};

// Leaves in left-to-right order; mask of each internal node: its left subtree's leaves cleared.
int number_leaves(const Tree& tree, int node, std::vector<int>* leaf_index, int* next) {
  const TreeNode& n = tree.node(node);
  if (n.is_leaf()) {
    (*leaf_index)[static_cast<size_t>(node)] = (*next)++;
    return 1;
  }
  int a = number_leaves(tree, n.left, leaf_index, next);
  int b = number_leaves(tree, n.right, leaf_index, next);
  return a + b;
}

void leaf_range(const Tree& tree, int node, const std::vector<int>& leaf_index, int* lo, int* hi) {
  const TreeNode& n = tree.node(node);
  if (n.is_leaf()) {
    *lo = std::min(*lo, leaf_index[static_cast<size_t>(node)]);
    *hi = std::max(*hi, leaf_index[static_cast<size_t>(node)]);
    return;
  }
  leaf_range(tree, n.left, leaf_index, lo, hi);
  leaf_range(tree, n.right, leaf_index, lo, hi);
}

QuickScorer build(const ensemblekit::GbdtModel& m) {
  QuickScorer qs;
  qs.num_features = m.num_features;
  qs.num_trees = static_cast<int>(m.trees.size());
  qs.by_feature.resize(static_cast<size_t>(m.num_features));
  qs.nan_right.resize(static_cast<size_t>(m.num_features));
  qs.leaf_values.assign(static_cast<size_t>(qs.num_trees) * 64, 0.0);
  qs.base = m.base_score[0];
  for (int t = 0; t < qs.num_trees; ++t) {
    const Tree& tree = m.trees[static_cast<size_t>(t)];
    std::vector<int> leaf_index(static_cast<size_t>(tree.num_nodes()), -1);
    int next = 0;
    number_leaves(tree, 0, &leaf_index, &next);
    if (next > 64) {
      std::fprintf(stderr, "tree %d has %d leaves: QuickScorer's 64-bit vectors need <= 64\n", t, next);
      std::exit(2);
    }
    for (int i = 0; i < tree.num_nodes(); ++i) {
      const TreeNode& n = tree.node(i);
      if (n.is_leaf()) {
        qs.leaf_values[static_cast<size_t>(t) * 64 + static_cast<size_t>(leaf_index[static_cast<size_t>(i)])] = n.value;
        continue;
      }
      if (n.split_type != ensemblekit::SplitType::kNumerical || n.missing_rule != ensemblekit::MissingRule::kNaN) {
        std::fprintf(stderr, "QuickScorer probe: numerical NaN-rule splits only\n");
        std::exit(2);
      }
      int lo = 64, hi = -1;
      leaf_range(tree, n.left, leaf_index, &lo, &hi);
      const uint64_t left_bits = (hi - lo == 63) ? ~uint64_t{0} : (((uint64_t{1} << (hi - lo + 1)) - 1) << lo);
      const Entry e{n.threshold, static_cast<uint32_t>(t), ~left_bits};
      qs.by_feature[static_cast<size_t>(n.feature)].push_back(e);
      if (!n.default_left) qs.nan_right[static_cast<size_t>(n.feature)].push_back(e);
    }
  }
  for (auto& list : qs.by_feature) {
    std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.threshold < b.threshold; });
  }
  return qs;
}

// One row at a time.
void score_qs(const QuickScorer& qs, const float* x, int64_t rows, int cols, double* out) {
  std::vector<uint64_t> v(static_cast<size_t>(qs.num_trees));
  for (int64_t r = 0; r < rows; ++r) {
    std::fill(v.begin(), v.end(), ~uint64_t{0});
    const float* row = x + r * cols;
    for (int f = 0; f < qs.num_features; ++f) {
      const double xf = row[f];
      if (std::isnan(xf)) {
        for (const Entry& e : qs.nan_right[static_cast<size_t>(f)]) v[e.tree] &= e.mask;
        continue;
      }
      for (const Entry& e : qs.by_feature[static_cast<size_t>(f)]) {
        if (!(e.threshold < xf)) break;
        v[e.tree] &= e.mask;
      }
    }
    double s = qs.base;
    for (int t = 0; t < qs.num_trees; ++t) s += qs.leaf_values[static_cast<size_t>(t) * 64 + static_cast<size_t>(__builtin_ctzll(v[static_cast<size_t>(t)]))];
    out[r] = s;
  }
}

// Four rows per AVX2 vector: lane i holds row i's bitvector of every tree. A feature's list is
// walked until no lane's x exceeds the threshold; lanes already past their last false node AND
// with all-ones.
__attribute__((target("avx2"))) void score_vqs(const QuickScorer& qs, const float* x, int64_t rows, int cols, double* out) {
  std::vector<__m256i> v(static_cast<size_t>(qs.num_trees));
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    for (auto& b : v) b = _mm256_set1_epi64x(-1);
    for (int f = 0; f < qs.num_features; ++f) {
      alignas(32) double xs[4];
      bool any_nan = false;
      for (int i = 0; i < 4; ++i) {
        xs[i] = x[(r + i) * cols + f];
        any_nan |= std::isnan(xs[i]);
      }
      const __m256d xv = _mm256_load_pd(xs);
      if (any_nan) {
        // NaN lanes: the default-right masks; the others walk as usual (NaN compares false).
        const __m256i nan_lanes = _mm256_castpd_si256(_mm256_cmp_pd(xv, xv, _CMP_UNORD_Q));
        for (const Entry& e : qs.nan_right[static_cast<size_t>(f)]) {
          const __m256i m = _mm256_or_si256(_mm256_set1_epi64x(static_cast<long long>(e.mask)), _mm256_xor_si256(nan_lanes, _mm256_set1_epi64x(-1)));
          v[e.tree] = _mm256_and_si256(v[e.tree], m);
        }
      }
      for (const Entry& e : qs.by_feature[static_cast<size_t>(f)]) {
        const __m256d lt = _mm256_cmp_pd(_mm256_set1_pd(e.threshold), xv, _CMP_LT_OQ);
        if (_mm256_movemask_pd(lt) == 0) break;
        // Lanes where threshold < x take the mask, the others all-ones.
        const __m256i m = _mm256_or_si256(_mm256_set1_epi64x(static_cast<long long>(e.mask)), _mm256_xor_si256(_mm256_castpd_si256(lt), _mm256_set1_epi64x(-1)));
        v[e.tree] = _mm256_and_si256(v[e.tree], m);
      }
    }
    alignas(32) uint64_t lanes[4];
    double s[4] = {qs.base, qs.base, qs.base, qs.base};
    for (int t = 0; t < qs.num_trees; ++t) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v[static_cast<size_t>(t)]);
      const double* lv = qs.leaf_values.data() + static_cast<size_t>(t) * 64;
      for (int i = 0; i < 4; ++i) s[i] += lv[__builtin_ctzll(lanes[i])];
    }
    for (int i = 0; i < 4; ++i) out[r + i] = s[i];
  }
  if (r < rows) score_qs(qs, x + r * cols, rows - r, cols, out + r);
}

// Eight rows per AVX-512 vector, the lanes' updates selected by a compare mask.
__attribute__((target("avx512f"))) void score_vqs512(const QuickScorer& qs, const float* x, int64_t rows, int cols, double* out) {
  std::vector<__m512i> v(static_cast<size_t>(qs.num_trees));
  int64_t r = 0;
  for (; r + 8 <= rows; r += 8) {
    for (auto& b : v) b = _mm512_set1_epi64(-1);
    for (int f = 0; f < qs.num_features; ++f) {
      alignas(64) double xs[8];
      for (int i = 0; i < 8; ++i) xs[i] = x[(r + i) * cols + f];
      const __m512d xv = _mm512_load_pd(xs);
      const __mmask8 nan_lanes = _mm512_cmp_pd_mask(xv, xv, _CMP_UNORD_Q);
      if (nan_lanes != 0) {
        for (const Entry& e : qs.nan_right[static_cast<size_t>(f)]) {
          v[e.tree] = _mm512_mask_and_epi64(v[e.tree], nan_lanes, v[e.tree], _mm512_set1_epi64(static_cast<long long>(e.mask)));
        }
      }
      for (const Entry& e : qs.by_feature[static_cast<size_t>(f)]) {
        const __mmask8 lt = _mm512_cmp_pd_mask(_mm512_set1_pd(e.threshold), xv, _CMP_LT_OQ);
        if (lt == 0) break;
        v[e.tree] = _mm512_mask_and_epi64(v[e.tree], lt, v[e.tree], _mm512_set1_epi64(static_cast<long long>(e.mask)));
      }
    }
    alignas(64) uint64_t lanes[8];
    double s[8];
    for (int i = 0; i < 8; ++i) s[i] = qs.base;
    for (int t = 0; t < qs.num_trees; ++t) {
      _mm512_store_si512(lanes, v[static_cast<size_t>(t)]);
      const double* lv = qs.leaf_values.data() + static_cast<size_t>(t) * 64;
      for (int i = 0; i < 8; ++i) s[i] += lv[__builtin_ctzll(lanes[i])];
    }
    for (int i = 0; i < 8; ++i) out[r + i] = s[i];
  }
  if (r < rows) score_qs(qs, x + r * cols, rows - r, cols, out + r);
}

double seconds_of(const std::chrono::steady_clock::time_point& t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL.json X.f32 COLS [ROWS] [ROUNDS]\n", argv[0]);
    return 1;
  }
  std::ifstream mf(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << mf.rdbuf();
  const std::string text = ss.str();
  const ensemblekit::ImportedGbdt imported = ensemblekit::import_xgboost_json(text.data(), text.size());
  const ensemblekit::GbdtModel& model = imported.model;
  if (model.num_outputs != 1) {
    std::fprintf(stderr, "one-output models only\n");
    return 1;
  }
  const int cols = std::atoi(argv[3]);
  std::ifstream xf(argv[2], std::ios::binary | std::ios::ate);
  const int64_t available = static_cast<int64_t>(xf.tellg()) / 4 / cols;
  const int64_t rows = argc > 4 ? std::min<int64_t>(std::atoll(argv[4]), available) : available;
  const int rounds = argc > 5 ? std::atoi(argv[5]) : 5;
  std::vector<float> x(static_cast<size_t>(rows * cols));
  xf.seekg(0);
  xf.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * 4));

  const QuickScorer qs = build(model);
  size_t entries = 0;
  for (const auto& l : qs.by_feature) entries += l.size();
  std::printf("model: %d trees, %zu internal nodes; %lld rows x %d\n", qs.num_trees, entries, static_cast<long long>(rows), cols);

  std::vector<double> walk(static_cast<size_t>(rows)), a(static_cast<size_t>(rows)), b(static_cast<size_t>(rows)), c(static_cast<size_t>(rows));
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const DenseMatrix view(x.data(), rows, cols);
  double best_walk = 1e30, best_qs = 1e30, best_vqs = 1e30, best_512 = 1e30;
  for (int round = 0; round < rounds; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    model.forest.predict_raw(view, walk.data(), 1);
    best_walk = std::min(best_walk, seconds_of(t0));
    t0 = std::chrono::steady_clock::now();
    score_qs(qs, x.data(), rows, cols, a.data());
    best_qs = std::min(best_qs, seconds_of(t0));
    t0 = std::chrono::steady_clock::now();
    score_vqs(qs, x.data(), rows, cols, b.data());
    best_vqs = std::min(best_vqs, seconds_of(t0));
    if (avx512) {
      t0 = std::chrono::steady_clock::now();
      score_vqs512(qs, x.data(), rows, cols, c.data());
      best_512 = std::min(best_512, seconds_of(t0));
    }
  }
  double diff_a = 0.0, diff_b = 0.0, diff_c = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    diff_a = std::max(diff_a, std::fabs(a[static_cast<size_t>(i)] - walk[static_cast<size_t>(i)]));
    diff_b = std::max(diff_b, std::fabs(b[static_cast<size_t>(i)] - walk[static_cast<size_t>(i)]));
    if (avx512) diff_c = std::max(diff_c, std::fabs(c[static_cast<size_t>(i)] - walk[static_cast<size_t>(i)]));
  }
  const double n = static_cast<double>(rows) / 1e6;
  std::printf("walk (compiled forest, 1 thread): %.2f M rows/s\n", n / best_walk);
  std::printf("QuickScorer, scalar:              %.2f M rows/s (%.2fx the walk), max |diff| %.1e\n", n / best_qs, best_walk / best_qs, diff_a);
  std::printf("QuickScorer, AVX2 4 rows/vector:  %.2f M rows/s (%.2fx the walk), max |diff| %.1e\n", n / best_vqs, best_walk / best_vqs, diff_b);
  if (avx512) std::printf("QuickScorer, AVX-512 8 rows/vector: %.2f M rows/s (%.2fx the walk), max |diff| %.1e\n", n / best_512, best_walk / best_512, diff_c);
  return diff_a > 1e-9 || diff_b > 1e-9 || diff_c > 1e-9 ? 3 : 0;
}
