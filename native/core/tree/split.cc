#include "split.h"

#include <algorithm>
#include <cmath>

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
// kPlain: no clipping and no bounds, so the score is T^2 / (H + lambda) without computing outputs.
template <bool kMissingLeft, bool kPlain, bool kL1>
void scan(const GradStats* hist, int last, const GradStats& missing, const GradStats& node, double min_score,
          const SplitParams& p, const NodeConstraints& c, double* best_score, int* best_t, GradStats* best_left) {
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
      score = leaf_score(lg, lh, p, c) + leaf_score(rg, rh, p, c);
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
               const NodeConstraints& c, double* best_score, int* best_t, bool* best_default_left,
               GradStats* best_left) {
  const int missing_bin = num_bins - 1;
  const GradStats& missing = hist[missing_bin];
  if (missing.count > 0) {
    // Missing-left first: with nothing left of t = last every row would go left, so stop one short.
    int t = -1;
    double s = *best_score;
    GradStats l;
    scan<true, kPlain, kL1>(hist, missing_bin - 2, missing, node, min_score, p, c, &s, &t, &l);
    if (t >= 0) {
      *best_score = s;
      *best_t = t;
      *best_default_left = true;
      *best_left = l;
    }
    t = -1;
    scan<false, kPlain, kL1>(hist, missing_bin - 1, missing, node, min_score, p, c, &s, &t, &l);
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
    scan<false, kPlain, kL1>(hist, missing_bin - 2, missing, node, min_score, p, c, &s, &t, &l);
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
                               SplitInfo* best) {
  if (num_bins < 3 && hist[num_bins - 1].count == 0) return;  // one value bin and no missing rows
  const double min_score = parent_score + p.min_split_gain;
  double best_score = -std::numeric_limits<double>::infinity();
  int best_t = -1;
  bool default_left = true;
  GradStats left;
  const bool plain = p.max_delta_step <= 0.0 && c.unbounded();
  if (plain) {
    if (p.alpha_l1 > 0.0) {
      scan_both<true, true>(hist, num_bins, node, min_score, p, c, &best_score, &best_t, &default_left, &left);
    } else {
      scan_both<true, false>(hist, num_bins, node, min_score, p, c, &best_score, &best_t, &default_left, &left);
    }
  } else {
    scan_both<false, true>(hist, num_bins, node, min_score, p, c, &best_score, &best_t, &default_left, &left);
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

}  // namespace ensemblekit
