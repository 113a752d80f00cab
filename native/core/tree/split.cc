#include "split.h"

#include <algorithm>
#include <cmath>

#include "../data/bin_mapper.h"

namespace ensemblekit {

double leaf_output(double grad, double hess, const SplitParams& p, const NodeConstraints& c) {
  const double denom = hess + p.lambda_l2;
  if (!(denom > 0.0)) return 0.0;
  double w = -threshold_l1(grad, p.alpha_l1) / denom;
  if (p.max_delta_step > 0.0) w = std::min(p.max_delta_step, std::max(-p.max_delta_step, w));
  return std::min(c.max_output, std::max(c.min_output, w));
}

double leaf_score_given_output(double grad, double hess, const SplitParams& p, double w) {
  const double t = threshold_l1(grad, p.alpha_l1);
  return -(2.0 * t * w + (hess + p.lambda_l2) * w * w);
}

double leaf_score(double grad, double hess, const SplitParams& p, const NodeConstraints& c) {
  if (p.max_delta_step <= 0.0 && c.unbounded()) {
    const double denom = hess + p.lambda_l2;
    if (!(denom > 0.0)) return 0.0;
    const double t = threshold_l1(grad, p.alpha_l1);
    return t * t / denom;
  }
  return leaf_score_given_output(grad, hess, p, leaf_output(grad, hess, p, c));
}

namespace {

// One direction of the scan. kMissingLeft: the missing bin's stats join the left side. Thresholds t
// run over value bins [0, last]; left = (missing if kMissingLeft) + bins 0..t, right = node - left.
// kPlain: no clipping, no bounds and no monotone constraint, so the score is T^2 / (H + lambda)
// without computing outputs. Otherwise the outputs are computed (clipped, clamped to the node's
// bounds), a candidate whose outputs violate `monotone` is skipped, and the score is taken at them.
template <bool kMissingLeft, bool kPlain, bool kL1>
void scan(const GradStats* hist, int last, const GradStats& missing, const GradStats& node, double min_score,
          const SplitParams& p, const NodeConstraints& c, int monotone, double* best_score, int* best_t,
          GradStats* best_left) {
  double lg = kMissingLeft ? missing.grad : 0.0;
  double lh = kMissingLeft ? missing.hess : 0.0;
  int64_t ln = kMissingLeft ? missing.count : 0;
  const int64_t min_count = std::max<int64_t>(1, p.min_child_samples);
  const double min_hess = p.min_child_weight;
  const double lambda = p.lambda_l2;
  for (int t = 0; t <= last; ++t) {
    // An empty bin leaves the sides as they were at t - 1, where the earlier threshold already won
    // any tie: skip it (deep nodes have mostly empty bins).
    if (hist[t].count == 0) continue;
    lg += hist[t].grad;
    lh += hist[t].hess;
    ln += hist[t].count;
    if (ln < min_count || lh < min_hess) continue;
    const int64_t rn = node.count - ln;
    if (rn < min_count) break;  // only shrinks from here on
    const double rh = node.hess - lh;
    if (rh < min_hess) break;
    const double rg = node.grad - lg;
    double score;
    if (kPlain) {
      const double dl = lh + lambda, dr = rh + lambda;
      if (!(dl > 0.0) || !(dr > 0.0)) continue;
      const double tl = kL1 ? threshold_l1(lg, p.alpha_l1) : lg;
      const double tr = kL1 ? threshold_l1(rg, p.alpha_l1) : rg;
      score = tl * tl / dl + tr * tr / dr;
    } else {
      const double wl = leaf_output(lg, lh, p, c);
      const double wr = leaf_output(rg, rh, p, c);
      if ((monotone > 0 && wl > wr) || (monotone < 0 && wl < wr)) continue;
      score = leaf_score_given_output(lg, lh, p, wl) + leaf_score_given_output(rg, rh, p, wr);
    }
    if (score > min_score && score > *best_score) {
      *best_score = score;
      *best_t = t;
      *best_left = GradStats{lg, lh, ln};
    }
  }
}

template <bool kPlain, bool kL1>
void scan_both(const GradStats* hist, int num_bins, const GradStats& node, double min_score, const SplitParams& p,
               const NodeConstraints& c, int monotone, double* best_score, int* best_t, bool* best_default_left,
               GradStats* best_left) {
  const int missing_bin = num_bins - 1;
  const GradStats& missing = hist[missing_bin];
  if (missing.count > 0) {
    // Missing-left first: with nothing left of t = last every row would go left, so stop one short.
    int t = -1;
    double s = *best_score;
    GradStats l;
    scan<true, kPlain, kL1>(hist, missing_bin - 2, missing, node, min_score, p, c, monotone, &s, &t, &l);
    if (t >= 0) {
      *best_score = s;
      *best_t = t;
      *best_default_left = true;
      *best_left = l;
    }
    t = -1;
    scan<false, kPlain, kL1>(hist, missing_bin - 1, missing, node, min_score, p, c, monotone, &s, &t, &l);
    if (t >= 0) {
      *best_score = s;
      *best_t = t;
      *best_default_left = false;
      *best_left = l;
    }
  } else {
    int t = -1;
    double s = *best_score;
    GradStats l;
    scan<false, kPlain, kL1>(hist, missing_bin - 2, missing, node, min_score, p, c, monotone, &s, &t, &l);
    if (t >= 0) {
      *best_score = s;
      *best_t = t;
      *best_default_left = true;
      *best_left = l;
    }
  }
}

}  // namespace

void find_best_numerical_split(const GradStats* hist, int num_bins, int feature, const GradStats& node,
                               double parent_score, const SplitParams& p, const NodeConstraints& c,
                               SplitInfo* best, int monotone) {
  if (num_bins < 3 && hist[num_bins - 1].count == 0) return;  // one value bin and no missing rows
  const double min_score = parent_score + p.min_split_gain;
  double best_score = -std::numeric_limits<double>::infinity();
  int best_t = -1;
  bool default_left = true;
  GradStats left;
  const bool plain = p.max_delta_step <= 0.0 && c.unbounded() && monotone == 0;
  if (plain) {
    if (p.alpha_l1 > 0.0) {
      scan_both<true, true>(hist, num_bins, node, min_score, p, c, 0, &best_score, &best_t, &default_left, &left);
    } else {
      scan_both<true, false>(hist, num_bins, node, min_score, p, c, 0, &best_score, &best_t, &default_left, &left);
    }
  } else {
    scan_both<false, true>(hist, num_bins, node, min_score, p, c, monotone, &best_score, &best_t, &default_left, &left);
  }
  if (best_t < 0) return;
  SplitInfo s;
  s.feature = feature;
  s.type = SplitType::kNumerical;
  s.threshold_bin = best_t;
  s.default_left = default_left;
  s.gain = best_score - parent_score;
  s.left = left;
  s.right = node.minus(left);
  s.left_output = leaf_output(s.left.grad, s.left.hess, p, c);
  s.right_output = leaf_output(s.right.grad, s.right.hess, p, c);
  if (s.better_than(*best)) *best = s;
}

namespace {

// A categorical candidate: the side that does not hold "other" (its sums and bins), evaluated at
// the clamped outputs under lambda_l2 + extra_l2.
struct CatCandidate {
  double score = -std::numeric_limits<double>::infinity();
  GradStats side;  // sums of the categories sent left (the non-"other" side)
  std::array<uint64_t, 4> bins{};
  double extra_l2 = 0.0;
};

inline void set_bit(std::array<uint64_t, 4>* bits, int b) {
  (*bits)[static_cast<size_t>(b) >> 6] |= uint64_t{1} << (b & 63);
}

// Score of the partition (left, right) at its clamped outputs.
inline double cat_score(const GradStats& l, const GradStats& r, const SplitParams& p, const NodeConstraints& c) {
  const double wl = leaf_output(l.grad, l.hess, p, c);
  const double wr = leaf_output(r.grad, r.hess, p, c);
  return leaf_score_given_output(l.grad, l.hess, p, wl) + leaf_score_given_output(r.grad, r.hess, p, wr);
}

}  // namespace

void find_best_categorical_split(const GradStats* hist, int num_bins, int feature, const GradStats& node,
                                 double parent_score, const SplitParams& p, const NodeConstraints& c,
                                 SplitInfo* best, const std::array<uint64_t, 4>* eligible) {
  const int value_bins = num_bins - 1;
  const int64_t min_count = std::max<int64_t>(1, p.min_child_samples);
  const double min_hess = p.min_child_weight;
  const double min_score = parent_score + p.min_split_gain;
  auto big_enough = [&](const GradStats& s) { return s.count >= min_count && s.hess >= min_hess; };

  // Non-empty value bins that may be named in the left set; the rest of the node is "other".
  int nonempty_bins[BinMapper::kMaxValueBins];
  int nonempty = 0;
  for (int b = 0; b < value_bins; ++b) {
    if (hist[b].count == 0) continue;
    if (eligible != nullptr && !(((*eligible)[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1u)) continue;
    nonempty_bins[nonempty++] = b;
  }
  if (nonempty == 0) return;

  CatCandidate found;
  if (nonempty <= p.max_cat_to_onehot) {
    // One category vs the rest ("other" with the rest), then all values vs "other".
    GradStats values;
    for (int i = 0; i < nonempty; ++i) {
      const int b = nonempty_bins[i];
      values.add(hist[b]);
      const GradStats& l = hist[b];
      const GradStats r = node.minus(l);
      if (!big_enough(l) || !big_enough(r)) continue;
      const double score = cat_score(l, r, p, c);
      if (score > min_score && score > found.score) {
        found.score = score;
        found.side = l;
        found.bins = {};
        set_bit(&found.bins, b);
      }
    }
    const GradStats other = node.minus(values);
    if (other.count > 0 && big_enough(values) && big_enough(other)) {
      const double score = cat_score(values, other, p, c);
      if (score > min_score && score > found.score) {
        found.score = score;
        found.side = values;
        found.bins = {};
        for (int i = 0; i < nonempty; ++i) set_bit(&found.bins, nonempty_bins[i]);
      }
    }
  } else {
    SplitParams pc = p;
    pc.lambda_l2 += p.cat_l2;
    // Categories with enough rows, by smoothed gradient ratio (ties by bin: deterministic).
    int sorted[BinMapper::kMaxValueBins];
    double key[BinMapper::kMaxValueBins + 1];
    int used = 0;
    GradStats placed;
    for (int i = 0; i < nonempty; ++i) {
      const int b = nonempty_bins[i];
      if (static_cast<double>(hist[b].count) < p.cat_smooth) continue;
      sorted[used++] = b;
      key[b] = hist[b].grad / (hist[b].hess + p.cat_smooth);
      placed.add(hist[b]);
    }
    std::sort(sorted, sorted + used, [&](int a, int b) { return key[a] < key[b] || (key[a] == key[b] && a < b); });
    const GradStats other = node.minus(placed);
    const bool other_rows = other.count > 0;
    const int max_num_cat = std::min(p.max_cat_threshold, (used + 1) / 2);
    const int64_t min_group = p.min_data_per_group;
    for (int dir = 0; dir < 2; ++dir) {
      GradStats prefix;
      int64_t group = 0;
      for (int i = 0; i < used && i < max_num_cat; ++i) {
        const int b = sorted[dir == 0 ? i : used - 1 - i];
        prefix.add(hist[b]);
        group += hist[b].count;
        // Prefix vs rest + other: the rest only shrinks from here on, so a too-small rest ends the scan.
        const GradStats rest_other = node.minus(prefix);
        if (rest_other.count < min_count || rest_other.count < min_group || rest_other.hess < min_hess) break;
        if (group < min_group) continue;
        group = 0;
        if (big_enough(prefix)) {
          const double score = cat_score(prefix, rest_other, pc, c);
          if (score > min_score && score > found.score) {
            found.score = score;
            found.side = prefix;
            found.bins = {};
            for (int j = 0; j <= i; ++j) set_bit(&found.bins, sorted[dir == 0 ? j : used - 1 - j]);
            found.extra_l2 = p.cat_l2;
          }
        }
        // Prefix + other vs rest: the left side is the rest.
        if (other_rows) {
          GradStats with_other = prefix;
          with_other.add(other);
          const GradStats rest = node.minus(with_other);
          if (big_enough(with_other) && big_enough(rest) && rest.count >= min_group) {
            const double score = cat_score(rest, with_other, pc, c);
            if (score > min_score && score > found.score) {
              found.score = score;
              found.side = rest;
              found.bins = {};
              for (int j = i + 1; j < used; ++j) set_bit(&found.bins, sorted[dir == 0 ? j : used - 1 - j]);
              found.extra_l2 = p.cat_l2;
            }
          }
        }
      }
    }
  }
  if (!(found.score > -std::numeric_limits<double>::infinity())) return;
  SplitParams po = p;
  po.lambda_l2 += found.extra_l2;
  SplitInfo s;
  s.feature = feature;
  s.type = SplitType::kCategorical;
  s.threshold_bin = 0;
  s.default_left = false;
  s.gain = found.score - parent_score;
  s.left = found.side;
  s.right = node.minus(found.side);
  s.left_bins = found.bins;
  s.extra_l2 = found.extra_l2;
  s.left_output = leaf_output(s.left.grad, s.left.hess, po, c);
  s.right_output = leaf_output(s.right.grad, s.right.hess, po, c);
  if (s.better_than(*best)) *best = s;
}

}  // namespace ensemblekit
