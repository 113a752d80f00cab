/**
 * Synthetic data sets with scikit-learn's semantics: `makeClassification`, `makeRegression` and
 * `makeFriedman1` follow `sklearn.datasets` 1.2 (`_samples_generator.py`) step by step: the same
 * parameters (in camelCase), defaults, constraints, and the same order of random draws. The
 * numbers are not numpy's (the generator is {@link Random}, not the Mersenne Twister), so check
 * properties, not values. Where this module differs, the option's comment says so.
 *
 * Every result is a row-major {@link Matrix} and `Float64Array`s; the same `seed` gives the same
 * data in every version (see the stability note in `lib/core/random.ts`).
 */
import { InvalidParameterError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import { resolveParams, type ParamTable } from '../core/params.js';
import { Random } from '../core/random.js';

/** A classification data set: `X` is `nSamples x nFeatures`, `y` holds class labels 0..nClasses-1. */
export interface ClassificationData {
  X: Matrix;
  y: Float64Array;
}

/** Options of {@link makeClassification} (scikit-learn's `make_classification`, camelCased). */
export interface MakeClassificationOptions {
  /** Number of samples (rows). Integer >= 1. Default 100. */
  nSamples?: number;
  /** Total number of features: informative, redundant, repeated, then noise. Integer >= 1. Default 20. */
  nFeatures?: number;
  /**
   * Number of informative features: each cluster is Gaussian around a vertex of a hypercube in
   * this many dimensions, with a random covariance. Integer >= 1. Default 2.
   */
  nInformative?: number;
  /** Number of redundant features: random linear combinations of the informative ones. Integer >= 0. Default 2. */
  nRedundant?: number;
  /** Number of duplicated features, copied from random informative or redundant columns. Integer >= 0. Default 0. */
  nRepeated?: number;
  /** Number of classes. Integer >= 1. Default 2. */
  nClasses?: number;
  /**
   * Number of clusters per class. Integer >= 1; `nClasses * nClustersPerClass` must be at most
   * `2 ** nInformative` (the hypercube's vertex count). Default 2.
   */
  nClustersPerClass?: number;
  /**
   * Class proportions, of length `nClasses`, or `nClasses - 1` with the last one inferred as
   * `1 - sum(weights)`. Each cluster gets `trunc(nSamples * weights[class] / nClustersPerClass)`
   * samples and the remainder goes one by one to clusters 0, 1, 2, ... (scikit-learn's rule; so
   * `[0.9]` with 1000 samples gives 901/99, because `1 - 0.9` is 0.09999999999999998 in floating
   * point, while `[0.9, 0.1]` gives 900/100). If the weights sum to more than 1 the last clusters
   * are cut short: there are always `nSamples` rows. Default `null`: balanced classes.
   * Unlike scikit-learn, negative or non-finite weights (given or inferred) are rejected.
   */
  weights?: readonly number[] | Float64Array | null;
  /**
   * Fraction of samples whose label is replaced by a uniformly random class (which may be the
   * same class). In [0, 1]. Default 0.01.
   */
  flipY?: number;
  /** Half the side of the hypercube: larger values separate the classes more. Finite, > 0. Default 1. */
  classSep?: number;
  /**
   * Put the cluster centres on hypercube vertices (`true`), or on the vertices of a random
   * polytope: the vertices scaled by a uniform factor per cluster and per dimension (`false`).
   * Default `true`.
   */
  hypercube?: boolean;
  /**
   * Added to every feature: one number, one number per feature (length `nFeatures`, in the
   * unshuffled column order), or `null` for `(2u - 1) * classSep` per feature, u ~ U[0, 1).
   * Default 0.
   */
  shift?: number | ArrayLike<number> | null;
  /**
   * Multiplies every feature after the shift: one number > 0, one per feature, or `null` for
   * `1 + 100u` per feature (u ~ U[0, 1), as scikit-learn's code does; its doc says [1, 100]).
   * Default 1.
   */
  scale?: number | ArrayLike<number> | null;
  /**
   * Shuffle the rows, then the columns. Without shuffling the columns are, in order: informative,
   * redundant, repeated, noise; and rows come cluster by cluster. Default `true`.
   */
  shuffle?: boolean;
  /** Seed of the {@link Random} generator; `undefined` draws a fresh one. */
  seed?: number;
}

/**
 * A random `nClasses`-class classification problem (scikit-learn's `make_classification`,
 * after Guyon's Madelon design): Gaussian clusters (std 1, then a random covariance
 * `X_k := X_k A`, A ~ U[-1, 1)) around hypercube vertices of side `2 * classSep`, assigned to
 * classes in turn (cluster k belongs to class `k mod nClasses`), plus redundant, repeated and
 * noise features, label noise, shift and scale.
 * @throws InvalidParameterError naming the parameter and the constraint it breaks.
 */
export function makeClassification(options: MakeClassificationOptions = {}): ClassificationData {
  const p = resolveParams<Required<MakeClassificationOptions>>(makeClassificationParams, options, 'makeClassification');
  const { nSamples, nFeatures, nInformative, nRedundant, nRepeated, nClasses, nClustersPerClass } = p;
  const { flipY, classSep, hypercube, shuffle } = p;

  if (nInformative + nRedundant + nRepeated > nFeatures) {
    throw new InvalidParameterError(
      `Expected nInformative + nRedundant + nRepeated <= nFeatures for makeClassification but received ` +
        `${nInformative} + ${nRedundant} + ${nRepeated} > ${nFeatures}`,
      'nFeatures',
    );
  }
  const nClusters = nClasses * nClustersPerClass;
  if (nClusters > 2 ** nInformative) {
    throw new InvalidParameterError(
      `Expected nClasses * nClustersPerClass <= 2 ** nInformative for makeClassification but received ` +
        `${nClasses} * ${nClustersPerClass} > 2 ** ${nInformative}`,
      'nInformative',
    );
  }
  const weights = classWeights(p.weights, nClasses);
  const shift = perFeature('shift', p.shift, nFeatures, false);
  const scale = perFeature('scale', p.scale, nFeatures, true);
  const rng = Random.fromSeed(p.seed ?? undefined);

  const nUseless = nFeatures - nInformative - nRedundant - nRepeated;
  const perCluster: number[] = [];
  for (let k = 0; k < nClusters; k++) perCluster.push(Math.trunc((nSamples * weights[k % nClasses]!) / nClustersPerClass));
  const assigned = perCluster.reduce((a, b) => a + b, 0);
  for (let i = 0; i < nSamples - assigned; i++) perCluster[i % nClusters]! += 1;

  const X = new Float64Array(nSamples * nFeatures);
  const y = new Float64Array(nSamples);

  // Cluster centres: distinct hypercube vertices, mapped from {0, 1} to {-classSep, +classSep}.
  const centroids = hypercubeVertices(nClusters, nInformative, rng);
  for (let i = 0; i < centroids.length; i++) centroids[i] = centroids[i]! * (2 * classSep) - classSep;
  if (!hypercube) {
    for (let k = 0; k < nClusters; k++) {
      const f = rng.random();
      for (let j = 0; j < nInformative; j++) centroids[k * nInformative + j]! *= f;
    }
    const colFactors = uniforms(rng, nInformative);
    for (let k = 0; k < nClusters; k++) {
      for (let j = 0; j < nInformative; j++) centroids[k * nInformative + j]! *= colFactors[j]!;
    }
  }

  for (let i = 0; i < nSamples; i++) {
    for (let j = 0; j < nInformative; j++) X[i * nFeatures + j] = rng.normal();
  }

  // Each cluster: a random linear map (covariance), then the shift to its vertex.
  const tmp = new Float64Array(nInformative);
  let stop = 0;
  for (let k = 0; k < nClusters; k++) {
    const start = stop;
    stop += perCluster[k]!;
    const A = uniforms(rng, nInformative * nInformative, -1, 1);
    for (let i = start; i < Math.min(stop, nSamples); i++) {
      y[i] = k % nClasses;
      const o = i * nFeatures;
      tmp.fill(0);
      for (let a = 0; a < nInformative; a++) {
        const xa = X[o + a]!;
        for (let b = 0; b < nInformative; b++) tmp[b]! += xa * A[a * nInformative + b]!;
      }
      for (let b = 0; b < nInformative; b++) X[o + b] = tmp[b]! + centroids[k * nInformative + b]!;
    }
  }

  if (nRedundant > 0) {
    const B = uniforms(rng, nInformative * nRedundant, -1, 1);
    for (let i = 0; i < nSamples; i++) {
      const o = i * nFeatures;
      for (let r = 0; r < nRedundant; r++) {
        let s = 0;
        for (let a = 0; a < nInformative; a++) s += X[o + a]! * B[a * nRedundant + r]!;
        X[o + nInformative + r] = s;
      }
    }
  }

  if (nRepeated > 0) {
    const n = nInformative + nRedundant;
    const source = Array.from(uniforms(rng, nRepeated), (u) => Math.trunc((n - 1) * u + 0.5));
    for (let i = 0; i < nSamples; i++) {
      const o = i * nFeatures;
      for (let r = 0; r < nRepeated; r++) X[o + n + r] = X[o + source[r]!]!;
    }
  }

  for (let i = 0; i < nSamples; i++) {
    for (let j = nFeatures - nUseless; j < nFeatures; j++) X[i * nFeatures + j] = rng.normal();
  }

  // Label noise: all the coin flips first, then the new labels, as scikit-learn draws them.
  const flip = uniforms(rng, nSamples);
  for (let i = 0; i < nSamples; i++) if (flip[i]! < flipY) y[i] = rng.int(nClasses);

  const shiftBy = shift ?? Float64Array.from(uniforms(rng, nFeatures), (u) => (2 * u - 1) * classSep);
  const scaleBy = scale ?? Float64Array.from(uniforms(rng, nFeatures), (u) => 1 + 100 * u);
  for (let i = 0; i < nSamples; i++) {
    for (let j = 0; j < nFeatures; j++) X[i * nFeatures + j] = (X[i * nFeatures + j]! + shiftBy[j]!) * scaleBy[j]!;
  }

  if (!shuffle) return { X: new Matrix(X, nSamples, nFeatures), y };
  const { X: Xs, y: ys } = shuffleRows(X, y, nSamples, nFeatures, 1, rng);
  return { X: new Matrix(shuffleColumns(Xs, nSamples, nFeatures, rng.permutation(nFeatures)), nSamples, nFeatures), y: ys };
}

/** Options of {@link makeRegression} (scikit-learn's `make_regression`, camelCased). */
export interface MakeRegressionOptions {
  /** Number of samples (rows). Integer >= 1. Default 100. */
  nSamples?: number;
  /** Number of features. Integer >= 1. Default 100. */
  nFeatures?: number;
  /**
   * Number of features with a non-zero coefficient (each drawn from U[0, 100)). Integer >= 0;
   * values above `nFeatures` mean `nFeatures`, as in scikit-learn. Default 10.
   */
  nInformative?: number;
  /** Number of regression targets: 1 gives `y` as a `Float64Array`, more give a Matrix. Integer >= 1. Default 1. */
  nTargets?: number;
  /** Intercept added to every target. Finite. Default 0. */
  bias?: number;
  /**
   * `undefined`/`null` (default): X is i.i.d. N(0, 1). An integer >= 1: X is a low-rank matrix
   * with a fat tail, as `make_low_rank_matrix`: `X = U diag(s) Vᵀ` with random orthonormal U, V
   * and `s_i = (1 - tailStrength) exp(-(i / effectiveRank)^2) + tailStrength exp(-0.1 i / effectiveRank)`.
   */
  effectiveRank?: number | null;
  /** Weight of the fat tail of the singular values when `effectiveRank` is set. In [0, 1]. Default 0.5. */
  tailStrength?: number;
  /** Standard deviation of the Gaussian noise added to `y`. >= 0. Default 0. */
  noise?: number;
  /** Shuffle the rows, then the columns (and `coef` with them). Default `true`. */
  shuffle?: boolean;
  /** Also return the true coefficients as `coef`. Default `false`. */
  coef?: boolean;
  /** Seed of the {@link Random} generator; `undefined` draws a fresh one. */
  seed?: number;
}

/**
 * A regression data set. `y` and `coef` are `Float64Array`s when there is one target, and
 * Matrices (`nSamples x nTargets`, `nFeatures x nTargets`) otherwise. `coef` is present only
 * when the `coef` option is `true`; then `y = X · coef + bias + noise`.
 */
export interface RegressionData<Y extends Float64Array | Matrix = Float64Array | Matrix> {
  X: Matrix;
  y: Y;
  coef?: Y;
}

/**
 * A random linear regression problem (scikit-learn's `make_regression`): X is Gaussian or low
 * rank, the first `nInformative` coefficients (before shuffling) are U[0, 100) and the rest zero,
 * `y = X · coef + bias`, plus N(0, noise²).
 * @throws InvalidParameterError naming the parameter and the constraint it breaks.
 */
export function makeRegression(options?: MakeRegressionOptions & { nTargets?: 1 }): RegressionData<Float64Array>;
export function makeRegression(options: MakeRegressionOptions): RegressionData;
export function makeRegression(options: MakeRegressionOptions = {}): RegressionData {
  const p = resolveParams<Required<MakeRegressionOptions>>(makeRegressionParams, options, 'makeRegression');
  const { nSamples, nFeatures, nTargets, bias, effectiveRank, tailStrength, noise, shuffle } = p;
  const nInformative = Math.min(nFeatures, p.nInformative);
  if (!Number.isFinite(bias)) {
    throw new InvalidParameterError(`Expected a finite number for makeRegression parameter 'bias' but received ${bias}`, 'bias');
  }
  const rng = Random.fromSeed(p.seed ?? undefined);

  let X: Float64Array;
  if (effectiveRank == null) {
    X = normals(rng, nSamples * nFeatures);
  } else {
    X = lowRankMatrix(nSamples, nFeatures, effectiveRank, tailStrength, rng);
  }

  let coef = new Float64Array(nFeatures * nTargets);
  coef.set(Float64Array.from(uniforms(rng, nInformative * nTargets), (u) => 100 * u));

  let y = new Float64Array(nSamples * nTargets);
  for (let i = 0; i < nSamples; i++) {
    for (let t = 0; t < nTargets; t++) {
      let s = 0;
      for (let j = 0; j < nFeatures; j++) s += X[i * nFeatures + j]! * coef[j * nTargets + t]!;
      y[i * nTargets + t] = s + bias;
    }
  }
  if (noise > 0) for (let i = 0; i < y.length; i++) y[i]! += noise * rng.normal();

  if (shuffle) {
    ({ X, y } = shuffleRows(X, y, nSamples, nFeatures, nTargets, rng));
    const perm = rng.permutation(nFeatures);
    X = shuffleColumns(X, nSamples, nFeatures, perm);
    const permuted = new Float64Array(coef.length);
    for (let j = 0; j < nFeatures; j++) permuted.set(coef.subarray(perm[j]! * nTargets, (perm[j]! + 1) * nTargets), j * nTargets);
    coef = permuted;
  }

  const shape = (data: Float64Array, rows: number): Float64Array | Matrix =>
    nTargets === 1 ? data : new Matrix(data, rows, nTargets);
  const out: RegressionData = { X: new Matrix(X, nSamples, nFeatures), y: shape(y, nSamples) };
  if (p.coef) out.coef = shape(coef, nFeatures);
  return out;
}

/** Options of {@link makeFriedman1} (scikit-learn's `make_friedman1`, camelCased). */
export interface MakeFriedman1Options {
  /** Number of samples (rows). Integer >= 1. Default 100. */
  nSamples?: number;
  /** Number of features, all U[0, 1); only the first 5 enter `y`. Integer >= 5. Default 10. */
  nFeatures?: number;
  /** Standard deviation of the Gaussian noise added to `y`. >= 0. Default 0. */
  noise?: number;
  /** Seed of the {@link Random} generator; `undefined` draws a fresh one. */
  seed?: number;
}

/**
 * Friedman's #1 regression problem (scikit-learn's `make_friedman1`): X ~ U[0, 1) and
 * `y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise * N(0, 1)`, evaluated left to
 * right as written, with `(x2 - 0.5)^2` as a product.
 * @throws InvalidParameterError naming the parameter and the constraint it breaks.
 */
export function makeFriedman1(options: MakeFriedman1Options = {}): RegressionData<Float64Array> {
  const { nSamples, nFeatures, noise, seed } = resolveParams<Required<MakeFriedman1Options>>(makeFriedman1Params, options, 'makeFriedman1');
  const rng = Random.fromSeed(seed ?? undefined);

  const X = uniforms(rng, nSamples * nFeatures);
  const y = new Float64Array(nSamples);
  for (let i = 0; i < nSamples; i++) {
    const o = i * nFeatures;
    const d = X[o + 2]! - 0.5;
    y[i] = 10 * Math.sin(Math.PI * X[o]! * X[o + 1]!) + 20 * (d * d) + 10 * X[o + 3]! + 5 * X[o + 4]!;
  }
  // As scikit-learn: the normals are drawn (and scaled) even when noise is 0.
  for (let i = 0; i < nSamples; i++) y[i]! += noise * rng.normal();
  return { X: new Matrix(X, nSamples, nFeatures), y };
}

// ---------------------------------------------------------------------------------------------
// Sampling and linear algebra helpers

function uniforms(rng: Random, n: number, low = 0, high = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = low === 0 && high === 1 ? rng.random() : (high - low) * rng.random() + low;
  return out;
}

function normals(rng: Random, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/**
 * `samples` distinct binary vectors of length `dims`, row-major, as 0/1. Like scikit-learn's
 * `_generate_hypercube`: beyond 30 dimensions the leading `dims - 30` bits are free coin flips
 * (drawn first) and only the last 30 are sampled without replacement; bits are big-endian.
 */
function hypercubeVertices(samples: number, dims: number, rng: Random): Float64Array {
  const out = new Float64Array(samples * dims);
  const free = Math.max(0, dims - 30);
  for (let s = 0; s < samples; s++) for (let j = 0; j < free; j++) out[s * dims + j] = rng.int(2);
  const d = dims - free;
  const codes = rng.sample(2 ** d, samples);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < d; j++) out[s * dims + free + j] = (codes[s]! >>> (d - 1 - j)) & 1;
  }
  return out;
}

/** Rows permuted by one `permutation(nSamples)`, X (`cols` wide) and y (`yCols` wide) together. */
function shuffleRows(X: Float64Array, y: Float64Array, rows: number, cols: number, yCols: number, rng: Random) {
  const perm = rng.permutation(rows);
  const Xo = new Float64Array(X.length);
  const yo = new Float64Array(y.length);
  for (let i = 0; i < rows; i++) {
    const p = perm[i]!;
    Xo.set(X.subarray(p * cols, (p + 1) * cols), i * cols);
    yo.set(y.subarray(p * yCols, (p + 1) * yCols), i * yCols);
  }
  return { X: Xo, y: yo };
}

/** `out[:, j] = X[:, perm[j]]`. */
function shuffleColumns(X: Float64Array, rows: number, cols: number, perm: Int32Array): Float64Array {
  const out = new Float64Array(X.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = X[i * cols + perm[j]!]!;
  return out;
}

/**
 * `X = U diag(s) Vᵀ` (scikit-learn's `make_low_rank_matrix`): U and V are the Q factors of
 * `nSamples x n` and `nFeatures x n` Gaussian matrices, n = min(nSamples, nFeatures), drawn in
 * that order; s is the bell-shaped profile plus the fat tail.
 */
function lowRankMatrix(rows: number, cols: number, effectiveRank: number, tailStrength: number, rng: Random): Float64Array {
  const n = Math.min(rows, cols);
  const u = orthonormalColumns(normals(rng, rows * n), rows, n);
  const v = orthonormalColumns(normals(rng, cols * n), cols, n);
  const s = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = k / effectiveRank;
    s[k] = (1 - tailStrength) * Math.exp(-1 * r * r) + tailStrength * Math.exp((-0.1 * k) / effectiveRank);
  }
  const X = new Float64Array(rows * cols);
  const us = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < n; k++) us[k] = u[i * n + k]! * s[k]!;
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += us[k]! * v[j * n + k]!;
      X[i * cols + j] = acc;
    }
  }
  return X;
}

/**
 * The thin Q (m x n, row-major, m >= n) of a Householder QR of the row-major `a` (m x n), which
 * is overwritten. LAPACK's sign convention (R's diagonal has the opposite sign of the pivot), so
 * Q matches scipy's `qr(mode='economic')` up to rounding. Q is orthonormal whatever `a` is: a
 * zero column just skips its reflection. Exported for tests only (not re-exported by the package).
 * @internal
 */
export function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = [];
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(m - k);
    let norm2 = 0;
    for (let i = k; i < m; i++) {
      v[i - k] = a[i * n + k]!;
      norm2 += v[i - k]! * v[i - k]!;
    }
    const norm = Math.sqrt(norm2);
    if (norm === 0) {
      vs.push(new Float64Array(m - k));
      continue;
    }
    const x0 = v[0]!;
    const alpha = x0 >= 0 ? -norm : norm;
    v[0] = x0 - alpha;
    // |v|^2 = (x0 - alpha)^2 + |x|^2 - x0^2 = 2 |x| (|x| + |x0|): no cancellation, no second pass.
    const vnorm = Math.sqrt(2 * norm * (norm + Math.abs(x0)));
    for (let i = 0; i < v.length; i++) v[i]! /= vnorm;
    vs.push(v);
    reflect(a, n, k, k, v, w);
  }
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, n, k, 0, vs[k]!, w);
  return q;
}

/** Applies `I - 2 v vᵀ` to rows k.. of the columns c0.. of the row-major `mat` (`n` wide). */
function reflect(mat: Float64Array, n: number, k: number, c0: number, v: Float64Array, w: Float64Array): void {
  w.fill(0);
  for (let i = 0; i < v.length; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    for (let c = c0; c < n; c++) w[c]! += vi * mat[(k + i) * n + c]!;
  }
  for (let i = 0; i < v.length; i++) {
    const vi = 2 * v[i]!;
    if (vi === 0) continue;
    for (let c = c0; c < n; c++) mat[(k + i) * n + c]! -= vi * w[c]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Parameter checks (scikit-learn's constraints; messages "Expected X for Y but received Z")

/** Parameter table of {@link makeClassification} (scikit-learn's constraints). */
export const makeClassificationParams: ParamTable = [
  { name: 'nSamples', type: 'int', default: 100, min: 1, doc: 'Number of samples.' },
  { name: 'nFeatures', type: 'int', default: 20, min: 1, doc: 'Total number of features.' },
  { name: 'nInformative', type: 'int', default: 2, min: 1, doc: 'Informative features (hypercube dimensions).' },
  { name: 'nRedundant', type: 'int', default: 2, min: 0, doc: 'Random linear combinations of the informative features.' },
  { name: 'nRepeated', type: 'int', default: 0, min: 0, doc: 'Copies of informative or redundant features.' },
  { name: 'nClasses', type: 'int', default: 2, min: 1, doc: 'Number of classes.' },
  { name: 'nClustersPerClass', type: 'int', default: 2, min: 1, doc: 'Gaussian clusters per class.' },
  { name: 'weights', type: 'any', default: null, nullable: true, doc: 'Class proportions (nClasses or nClasses - 1 values); null: balanced.' },
  { name: 'flipY', type: 'number', default: 0.01, min: 0, max: 1, doc: 'Fraction of labels replaced at random.' },
  { name: 'classSep', type: 'number', default: 1, gt: 0, doc: 'Half the hypercube side.' },
  { name: 'hypercube', type: 'boolean', default: true, doc: 'Centres on hypercube vertices (else a random polytope).' },
  { name: 'shift', type: 'any', default: 0, nullable: true, doc: 'Added to the features: a number, one per feature, or null (random).' },
  { name: 'scale', type: 'any', default: 1, nullable: true, doc: 'Multiplies the features after the shift: a number, one per feature, or null (random).' },
  { name: 'shuffle', type: 'boolean', default: true, doc: 'Shuffle rows, then columns.' },
  { name: 'seed', type: 'int', default: undefined, nullable: true, doc: 'Seed; undefined draws a fresh one.' },
];

/** Parameter table of {@link makeRegression} (scikit-learn's constraints). */
export const makeRegressionParams: ParamTable = [
  { name: 'nSamples', type: 'int', default: 100, min: 1, doc: 'Number of samples.' },
  { name: 'nFeatures', type: 'int', default: 100, min: 1, doc: 'Number of features.' },
  { name: 'nInformative', type: 'int', default: 10, min: 0, doc: 'Features with a non-zero coefficient (capped at nFeatures).' },
  { name: 'nTargets', type: 'int', default: 1, min: 1, doc: 'Number of targets.' },
  { name: 'bias', type: 'number', default: 0, doc: 'Intercept.' },
  { name: 'effectiveRank', type: 'int', default: null, min: 1, nullable: true, doc: 'Approximate rank of X; null: i.i.d. Gaussian X.' },
  { name: 'tailStrength', type: 'number', default: 0.5, min: 0, max: 1, doc: 'Weight of the fat tail of the singular values.' },
  { name: 'noise', type: 'number', default: 0, min: 0, doc: 'Standard deviation of the Gaussian noise on y.' },
  { name: 'shuffle', type: 'boolean', default: true, doc: 'Shuffle rows, then columns.' },
  { name: 'coef', type: 'boolean', default: false, doc: 'Also return the true coefficients.' },
  { name: 'seed', type: 'int', default: undefined, nullable: true, doc: 'Seed; undefined draws a fresh one.' },
];

/** Parameter table of {@link makeFriedman1} (scikit-learn's constraints). */
export const makeFriedman1Params: ParamTable = [
  { name: 'nSamples', type: 'int', default: 100, min: 1, doc: 'Number of samples.' },
  { name: 'nFeatures', type: 'int', default: 10, min: 5, doc: 'Number of features (only the first 5 enter y).' },
  { name: 'noise', type: 'number', default: 0, min: 0, doc: 'Standard deviation of the Gaussian noise on y.' },
  { name: 'seed', type: 'int', default: undefined, nullable: true, doc: 'Seed; undefined draws a fresh one.' },
];

/** `shift`/`scale`: a number or one per feature (finite; > 0 for scale); `null` means "draw at random". */
function perFeature(name: string, value: unknown, nFeatures: number, positive: boolean): Float64Array | null {
  if (value === null) return null;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0);
  const what = positive ? 'finite numbers > 0' : 'finite numbers';
  if (ok(value)) return new Float64Array(nFeatures).fill(value);
  const list = isArrayLike(value) ? Array.from(value) : undefined;
  if (list === undefined || list.length !== nFeatures || !list.every(ok)) {
    const shown = list === undefined ? String(value) : `an array of length ${list.length}${list.every(ok) ? '' : ' with an invalid entry'}`;
    throw new InvalidParameterError(
      `Expected a number or nFeatures (${nFeatures}) values, ${what}, for makeClassification parameter '${name}' but received ${shown}`,
      name,
    );
  }
  return Float64Array.from(list);
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

/** scikit-learn's weights rule: balanced when absent, last one inferred from `nClasses - 1`. */
function classWeights(value: unknown, nClasses: number): number[] {
  if (value == null) return new Array<number>(nClasses).fill(1 / nClasses);
  const param = "makeClassification parameter 'weights'";
  if (!isArrayLike(value)) throw new InvalidParameterError(`Expected an array of numbers for ${param} but received ${String(value)}`, 'weights');
  const w = Array.from(value) as number[];
  if (w.length !== nClasses && w.length !== nClasses - 1) {
    throw new InvalidParameterError(`Expected nClasses (${nClasses}) or nClasses - 1 values for ${param} but received ${w.length}`, 'weights');
  }
  if (w.length === nClasses - 1) w.push(1 - w.reduce((a, b) => a + b, 0));
  const bad = w.findIndex((x) => !(typeof x === 'number' && Number.isFinite(x) && x >= 0));
  if (bad >= 0) {
    const inferred = w.length > value.length && bad === w.length - 1 ? ' (inferred as 1 - the sum of the others)' : '';
    throw new InvalidParameterError(`Expected finite values >= 0 for ${param} but received ${String(w[bad])} for class ${bad}${inferred}`, 'weights');
  }
  return w;
}
