// Generators checked by the properties scikit-learn's semantics imply (numbers cannot match numpy's:
// the random generator differs): class counts from the weights rule, geometry of the clusters,
// exact linear structure of redundant/repeated columns and of regression targets, the Friedman
// formula, the low-rank spectrum, determinism, and the parameter constraints.
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../lib/core/errors.js';
import { Matrix } from '../../lib/core/matrix.js';
import { makeClassification, makeFriedman1, makeRegression } from '../../lib/datasets/index.js';
import { orthonormalColumns } from '../../lib/datasets/generators.js';

function counts(y: Float64Array, k: number): number[] {
  const out = new Array<number>(k).fill(0);
  for (const v of y) out[v]! += 1;
  return out;
}

/** Least-squares residual norm of `target` regressed on `cols` of X (normal equations, small p). */
function residualNorm(X: Matrix, cols: number[], target: Float64Array): number {
  const p = cols.length;
  const a = new Float64Array(p * (p + 1));
  for (let i = 0; i < X.rows; i++) {
    for (let r = 0; r < p; r++) {
      const xr = X.get(i, cols[r]!);
      for (let c = 0; c < p; c++) a[r * (p + 1) + c]! += xr * X.get(i, cols[c]!);
      a[r * (p + 1) + p]! += xr * target[i]!;
    }
  }
  // Gauss-Jordan with partial pivoting.
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r * (p + 1) + c]!) > Math.abs(a[piv * (p + 1) + c]!)) piv = r;
    for (let k = 0; k <= p; k++) [a[c * (p + 1) + k], a[piv * (p + 1) + k]] = [a[piv * (p + 1) + k]!, a[c * (p + 1) + k]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r * (p + 1) + c]! / a[c * (p + 1) + c]!;
      for (let k = c; k <= p; k++) a[r * (p + 1) + k]! -= f * a[c * (p + 1) + k]!;
    }
  }
  const beta = Array.from({ length: p }, (_, r) => a[r * (p + 1) + p]! / a[r * (p + 1) + r]!);
  let ss = 0;
  for (let i = 0; i < X.rows; i++) {
    let fit = 0;
    for (let r = 0; r < p; r++) fit += beta[r]! * X.get(i, cols[r]!);
    ss += (target[i]! - fit) ** 2;
  }
  return Math.sqrt(ss);
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** The InvalidParameterError thrown by `fn`, to check `param` and the message. */
function paramError(fn: () => unknown): InvalidParameterError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParameterError);
    return err as InvalidParameterError;
  }
  throw new Error('expected an InvalidParameterError');
}

describe('makeClassification', () => {
  it('has scikit-learn defaults: 100x20, two classes, deterministic per seed', () => {
    const a = makeClassification({ seed: 1 });
    expect([a.X.rows, a.X.cols, a.y.length]).toEqual([100, 20, 100]);
    expect(a.y.every((v) => v === 0 || v === 1)).toBe(true);
    const b = makeClassification({ seed: 1 });
    expect(b.X.data).toEqual(a.X.data);
    expect(b.y).toEqual(a.y);
    expect(makeClassification({ seed: 2 }).X.data).not.toEqual(a.X.data);
    expect(makeClassification().X.data).not.toEqual(makeClassification().X.data);
  });

  it("splits samples by scikit-learn's rounding rule", () => {
    const base = { nSamples: 1000, flipY: 0, seed: 3 };
    expect(counts(makeClassification({ ...base, weights: [0.9, 0.1] }).y, 2)).toEqual([900, 100]);
    // 1 - 0.9 = 0.09999999999999998, so clusters of class 1 get trunc(49.99...) = 49 and the two
    // left over go to clusters 0 and 1: exactly what scikit-learn 1.2 returns for weights=[0.9].
    expect(counts(makeClassification({ ...base, weights: [0.9] }).y, 2)).toEqual([901, 99]);
    // Balanced, 3 classes x 2 clusters: 16 per cluster, 4 left over for clusters 0..3.
    expect(counts(makeClassification({ nSamples: 100, nClasses: 3, nInformative: 3, flipY: 0, seed: 3 }).y, 3)).toEqual([34, 33, 33]);
    // Weights above 1 in total: later clusters are cut short, there are still nSamples rows.
    const over = makeClassification({ ...base, weights: [0.7, 0.5] });
    expect(over.X.rows).toBe(1000);
    expect(counts(over.y, 2)).toEqual([700, 300]);
  });

  it('puts clusters on distinct hypercube vertices at +-classSep', () => {
    const { X, y } = makeClassification({
      nSamples: 2000, nFeatures: 3, nInformative: 3, nRedundant: 0, nClasses: 8, nClustersPerClass: 1,
      classSep: 10, flipY: 0, shuffle: false, seed: 4,
    });
    const patterns = new Set<string>();
    for (let k = 0; k < 8; k++) {
      const mean = [0, 0, 0];
      let n = 0;
      for (let i = 0; i < X.rows; i++) {
        if (y[i] !== k) continue;
        n++;
        for (let j = 0; j < 3; j++) mean[j]! += X.get(i, j);
      }
      const m = mean.map((s) => s / n);
      for (const v of m) expect(Math.abs(Math.abs(v) - 10)).toBeLessThan(0.5);
      patterns.add(m.map((v) => (v > 0 ? '+' : '-')).join(''));
    }
    expect(patterns.size).toBe(8);
  });

  it('puts clusters inside the hypercube when hypercube is false', () => {
    const { X, y } = makeClassification({
      nSamples: 2000, nFeatures: 3, nInformative: 3, nRedundant: 0, nClasses: 4, nClustersPerClass: 1,
      classSep: 10, flipY: 0, hypercube: false, shuffle: false, seed: 5,
    });
    let maxAbsMean = 0;
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        let n = 0;
        for (let i = 0; i < X.rows; i++) if (y[i] === k) (s += X.get(i, j)), n++;
        maxAbsMean = Math.max(maxAbsMean, Math.abs(s / n));
      }
    }
    expect(maxAbsMean).toBeLessThan(10.5);
    expect(maxAbsMean).toBeGreaterThan(0);
  });

  it('handles more than 30 informative features (free leading bits)', () => {
    const { X, y } = makeClassification({ nSamples: 200, nFeatures: 34, nInformative: 32, nClasses: 4, flipY: 0, seed: 6 });
    expect([X.rows, X.cols]).toEqual([200, 34]);
    expect(counts(y, 4)).toEqual([50, 50, 50, 50]);
  });

  it('makes separable classes for a large classSep (nearest-centroid accuracy > 0.9)', () => {
    const { X, y } = makeClassification({
      nSamples: 600, nFeatures: 5, nInformative: 3, nRedundant: 0, nClasses: 3, nClustersPerClass: 1,
      classSep: 3, flipY: 0, seed: 7,
    });
    const centroids = Array.from({ length: 3 }, () => new Float64Array(X.cols));
    const n = counts(y, 3);
    for (let i = 0; i < X.rows; i++) for (let j = 0; j < X.cols; j++) centroids[y[i]!]![j]! += X.get(i, j) / n[y[i]!]!;
    let correct = 0;
    for (let i = 0; i < X.rows; i++) {
      const d = centroids.map((c) => c.reduce((s, cj, j) => s + (X.get(i, j) - cj) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === y[i]) correct++;
    }
    expect(correct / X.rows).toBeGreaterThan(0.9);
  });

  it('orders columns informative, redundant (exact linear combinations), repeated, noise', () => {
    const { X } = makeClassification({
      nSamples: 300, nFeatures: 12, nInformative: 4, nRedundant: 3, nRepeated: 2, shuffle: false, seed: 8,
    });
    const informative = [0, 1, 2, 3];
    for (const c of [4, 5, 6]) {
      const col = X.column(c);
      expect(residualNorm(X, informative, col) / norm(col)).toBeLessThan(1e-10);
    }
    for (const c of [7, 8]) {
      const col = X.column(c);
      const sources = [0, 1, 2, 3, 4, 5, 6].filter((s) => X.column(s).every((v, i) => v === col[i]));
      expect(sources.length).toBeGreaterThan(0);
    }
    // The noise columns are not in the informative span.
    for (const c of [9, 10, 11]) {
      const col = X.column(c);
      expect(residualNorm(X, informative, col) / norm(col)).toBeGreaterThan(0.5);
    }
  });

  it('flips about flipY * (1 - 1/nClasses) of the labels and nothing else', () => {
    const opts = { nSamples: 4000, flipY: 0, shuffle: false, seed: 9 };
    const clean = makeClassification(opts);
    const noisy = makeClassification({ ...opts, flipY: 0.5 });
    expect(noisy.X.data.every((v, i) => v === clean.X.data[i])).toBe(true);
    let changed = 0;
    for (let i = 0; i < 4000; i++) if (noisy.y[i] !== clean.y[i]) changed++;
    expect(Math.abs(changed / 4000 - 0.25)).toBeLessThan(0.035);
  });

  it('applies shift, then scale, per feature', () => {
    const opts = { nSamples: 50, nFeatures: 6, shuffle: false, seed: 10 };
    const plain = makeClassification(opts);
    const shift = [1, -2, 3, 0, 0.5, 10];
    const scale = [2, 1, 0.5, 4, 1, 3];
    const moved = makeClassification({ ...opts, shift, scale });
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < 6; j++) expect(moved.X.get(i, j)).toBe((plain.X.get(i, j) + shift[j]!) * scale[j]!);
    }
    const uniformShift = makeClassification({ ...opts, shift: 2, scale: 3 });
    expect(uniformShift.X.get(3, 4)).toBe((plain.X.get(3, 4) + 2) * 3);
    const random = makeClassification({ ...opts, shift: null, scale: null });
    expect(random.X.data.every(Number.isFinite)).toBe(true);
    expect(random.X.data).not.toEqual(plain.X.data);
    expect(random.y).toEqual(plain.y);
  });

  it('rejects parameters outside scikit-learn constraints, naming them', () => {
    expect(paramError(() => makeClassification({ nFeatures: 3 })).param).toBe('nFeatures');
    expect(paramError(() => makeClassification({ nFeatures: 3 })).message).toMatch(/nInformative \+ nRedundant \+ nRepeated <= nFeatures/);
    expect(paramError(() => makeClassification({ nClasses: 3, nClustersPerClass: 2 })).param).toBe('nInformative');
    expect(paramError(() => makeClassification({ nClasses: 3, nClustersPerClass: 2 })).message).toMatch(/nClasses \* nClustersPerClass <= 2 \*\* nInformative/);
    expect(() => makeClassification({ nClasses: 2, nClustersPerClass: 2, nInformative: 2 })).not.toThrow();
    expect(paramError(() => makeClassification({ weights: [0.2, 0.3, 0.5] })).param).toBe('weights');
    expect(paramError(() => makeClassification({ weights: [1.2] })).message).toMatch(/inferred/);
    expect(paramError(() => makeClassification({ weights: [-0.1, 1.1] })).param).toBe('weights');
    const cases: [Record<string, unknown>, string][] = [
      [{ nSamples: 0 }, 'nSamples'],
      [{ nSamples: 1.5 }, 'nSamples'],
      [{ nRedundant: -1 }, 'nRedundant'],
      [{ flipY: 1.5 }, 'flipY'],
      [{ classSep: 0 }, 'classSep'],
      [{ hypercube: 'yes' }, 'hypercube'],
      [{ shift: [1, 2] }, 'shift'],
      [{ scale: 0 }, 'scale'],
      [{ scale: new Array(20).fill(1).map((v, i) => (i === 5 ? -1 : v)) }, 'scale'],
      [{ seed: 0.5 }, 'seed'],
    ];
    for (const [opts, param] of cases) expect(paramError(() => makeClassification(opts as never)).param).toBe(param);
    expect(paramError(() => makeClassification({ nSample: 10 } as never)).message).toMatch(/Did you mean 'nSamples'/);
  });
});

describe('makeRegression', () => {
  const checkLinear = (X: Matrix, y: Float64Array, coef: Float64Array, bias: number, targets = 1, t = 0) => {
    for (let i = 0; i < X.rows; i++) {
      let s = bias;
      for (let j = 0; j < X.cols; j++) s += X.get(i, j) * coef[j * targets + t]!;
      expect(Math.abs(y[i * targets + t]! - s)).toBeLessThan(1e-9 * Math.max(1, Math.abs(s)));
    }
  };

  it('has scikit-learn defaults: 100x100, one target, no coef', () => {
    const r = makeRegression({ seed: 1 });
    expect([r.X.rows, r.X.cols, r.y.length]).toEqual([100, 100, 100]);
    expect(r.y).toBeInstanceOf(Float64Array);
    expect('coef' in r).toBe(false);
    expect(makeRegression({ seed: 1 }).y).toEqual(r.y);
    expect(makeRegression({ seed: 2 }).y).not.toEqual(r.y);
  });

  it('gives y = X coef + bias with exactly nInformative non-zero coefficients', () => {
    const { X, y, coef } = makeRegression({ nSamples: 200, nFeatures: 30, nInformative: 7, bias: 3.5, coef: true, seed: 2 });
    expect(coef).toBeInstanceOf(Float64Array);
    checkLinear(X, y, coef!, 3.5);
    const nonZero = Array.from(coef!).filter((c) => c !== 0);
    expect(nonZero).toHaveLength(7);
    expect(nonZero.every((c) => c > 0 && c < 100)).toBe(true);
  });

  it('keeps the informative features first without shuffling, and caps nInformative at nFeatures', () => {
    const { coef } = makeRegression({ nFeatures: 20, nInformative: 5, shuffle: false, coef: true, seed: 3 });
    expect(Array.from(coef!).map((c) => c !== 0)).toEqual(Array.from({ length: 20 }, (_, j) => j < 5));
    const capped = makeRegression({ nFeatures: 5, nInformative: 10, coef: true, seed: 3 });
    expect(Array.from(capped.coef!).every((c) => c !== 0)).toBe(true);
  });

  it('returns Matrices for several targets', () => {
    const r = makeRegression({ nSamples: 50, nFeatures: 8, nInformative: 3, nTargets: 3, bias: -1, coef: true, seed: 4 });
    expect(r.y).toBeInstanceOf(Matrix);
    expect(r.coef).toBeInstanceOf(Matrix);
    const y = r.y as Matrix;
    const coef = r.coef as Matrix;
    expect([y.rows, y.cols, coef.rows, coef.cols]).toEqual([50, 3, 8, 3]);
    for (let t = 0; t < 3; t++) checkLinear(r.X, y.data, coef.data, -1, 3, t);
    let nonZeroRows = 0;
    for (let j = 0; j < 8; j++) if (coef.row(j).some((c) => c !== 0)) nonZeroRows++;
    expect(nonZeroRows).toBe(3);
  });

  it('adds Gaussian noise of standard deviation noise', () => {
    const { X, y, coef } = makeRegression({ nSamples: 5000, nFeatures: 5, nInformative: 5, noise: 2, coef: true, seed: 5 });
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < X.rows; i++) {
      let fit = 0;
      for (let j = 0; j < 5; j++) fit += X.get(i, j) * coef![j]!;
      s += y[i]! - fit;
      s2 += (y[i]! - fit) ** 2;
    }
    expect(Math.abs(s / 5000)).toBeLessThan(0.15);
    expect(Math.abs(Math.sqrt(s2 / 5000) - 2)).toBeLessThan(0.1);
  });

  it('builds a low-rank X with the make_low_rank_matrix singular values', () => {
    for (const [rows, cols] of [[60, 25], [20, 40]] as const) {
      const rank = 5;
      const tail = 0.3;
      const { X, y, coef } = makeRegression({ nSamples: rows, nFeatures: cols, effectiveRank: rank, tailStrength: tail, coef: true, seed: 6 });
      checkLinear(X, y, coef!, 0);
      // X = U diag(s) V' with orthonormal U, V: trace(X'X) = sum s^2 and trace((X'X)^2) = sum s^4.
      const n = Math.min(rows, cols);
      let sum2 = 0;
      let sum4 = 0;
      for (let k = 0; k < n; k++) {
        const s = (1 - tail) * Math.exp(-((k / rank) ** 2)) + tail * Math.exp((-0.1 * k) / rank);
        sum2 += s * s;
        sum4 += s ** 4;
      }
      const gram = new Float64Array(cols * cols);
      for (let i = 0; i < rows; i++) for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) gram[a * cols + b]! += X.get(i, a) * X.get(i, b);
      let trace = 0;
      let frob2 = 0;
      for (let a = 0; a < cols; a++) trace += gram[a * cols + a]!;
      for (const g of gram) frob2 += g * g;
      expect(trace).toBeCloseTo(sum2, 10);
      expect(frob2).toBeCloseTo(sum4, 10);
    }
  });

  it('rejects parameters outside scikit-learn constraints, naming them', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ nSamples: 0 }, 'nSamples'],
      [{ nFeatures: 0 }, 'nFeatures'],
      [{ nInformative: -1 }, 'nInformative'],
      [{ nTargets: 0 }, 'nTargets'],
      [{ bias: Infinity }, 'bias'],
      [{ effectiveRank: 0 }, 'effectiveRank'],
      [{ effectiveRank: 2.5 }, 'effectiveRank'],
      [{ tailStrength: 1.5 }, 'tailStrength'],
      [{ noise: -1 }, 'noise'],
      [{ coef: 1 }, 'coef'],
    ];
    for (const [opts, param] of cases) expect(paramError(() => makeRegression(opts as never)).param).toBe(param);
  });
});

describe('makeFriedman1', () => {
  it('follows the formula exactly without noise, with X in [0, 1)', () => {
    const { X, y } = makeFriedman1({ nSamples: 500, nFeatures: 7, seed: 1 });
    expect([X.rows, X.cols, y.length]).toEqual([500, 7, 500]);
    expect(X.data.every((v) => v >= 0 && v < 1)).toBe(true);
    for (let i = 0; i < 500; i++) {
      const x = X.row(i);
      const d = x[2]! - 0.5;
      expect(y[i]).toBe(10 * Math.sin(Math.PI * x[0]! * x[1]!) + 20 * (d * d) + 10 * x[3]! + 5 * x[4]!);
    }
    expect(makeFriedman1({ nSamples: 500, nFeatures: 7, seed: 1 }).y).toEqual(y);
    expect(makeFriedman1({ nSamples: 500, nFeatures: 7, seed: 2 }).y).not.toEqual(y);
  });

  it('adds N(0, noise^2) noise and keeps X independent of it', () => {
    const clean = makeFriedman1({ nSamples: 5000, seed: 3 });
    const noisy = makeFriedman1({ nSamples: 5000, noise: 1.5, seed: 3 });
    expect([clean.X.cols, noisy.X.cols]).toEqual([10, 10]);
    expect(noisy.X.data.every((v, i) => v === clean.X.data[i])).toBe(true);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 5000; i++) {
      const e = noisy.y[i]! - clean.y[i]!;
      s += e;
      s2 += e * e;
    }
    expect(Math.abs(s / 5000)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(s2 / 5000) - 1.5)).toBeLessThan(0.08);
  });

  it('needs at least 5 features', () => {
    expect(() => makeFriedman1({ nFeatures: 5, seed: 1 })).not.toThrow();
    expect(paramError(() => makeFriedman1({ nFeatures: 4 })).param).toBe('nFeatures');
    expect(paramError(() => makeFriedman1({ noise: -0.1 })).param).toBe('noise');
  });
});

describe('orthonormalColumns (the QR behind effectiveRank)', () => {
  const check = (a: Float64Array, m: number, n: number) => {
    const original = a.slice();
    const q = orthonormalColumns(a, m, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let r = 0; r < m; r++) dot += q[r * n + i]! * q[r * n + j]!;
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    return { q, original };
  };

  it('returns orthonormal columns spanning those of A', () => {
    const m = 40;
    const n = 8;
    const a = Float64Array.from({ length: m * n }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * i * 0.3));
    const { q, original } = check(a, m, n);
    // A = Q Q' A: every column of A lies in the span of Q.
    for (let c = 0; c < n; c++) {
      const proj = new Float64Array(n);
      for (let k = 0; k < n; k++) for (let r = 0; r < m; r++) proj[k]! += q[r * n + k]! * original[r * n + c]!;
      for (let r = 0; r < m; r++) {
        let back = 0;
        for (let k = 0; k < n; k++) back += q[r * n + k]! * proj[k]!;
        expect(Math.abs(back - original[r * n + c]!)).toBeLessThan(1e-12);
      }
    }
  });

  it('stays orthonormal for rank-deficient input and zero columns', () => {
    const m = 6;
    const n = 3;
    const a = new Float64Array(m * n);
    for (let r = 0; r < m; r++) {
      a[r * n] = r + 1;
      a[r * n + 1] = 2 * (r + 1);
    }
    check(a, m, n);
    check(new Float64Array(m * n), m, n);
  });
});
