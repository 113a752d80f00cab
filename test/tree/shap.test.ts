/**
 * TreeSHAP contributions (native/core/predict/tree_shap.h), per-tree leaf indices and iteration
 * ranges (native/core/predict/leaf_index.h), through the estimators.
 *
 * References: (1) efficiency — contributions + bias equal the raw margin (forests: the prediction)
 * to 1e-9, on models trained here and on every imported fixture of test/io/fixtures; (2) XGBoost's
 * own pred_contribs, pred_leaf and iteration_range outputs recorded by test/fixtures/xgboost_shap.py
 * (XGBoost 1.7.4) in test/fixtures/xgboost_shap.json; (3) a brute-force Shapley value (all feature
 * subsets, path-dependent conditional expectation) on small trees with <= 6 features.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  ExtraTreesRegressor,
  importLightGBM,
  importXGBoost,
  gradientBoostingFromBuffer,
  estimatorFromJSON,
  InvalidParameterError,
  type Matrix,
} from '../../lib/index.js';
import { rng } from '../helpers.js';

const fixtures = new URL('../io/fixtures/', import.meta.url);

interface RefRange {
  range: [number, number];
  margin: (number | null)[];
  contribs: (number | null)[];
  leaf?: number[];
}
interface RefModel {
  x: (number | null)[];
  numFeatures: number;
  rounds: number;
  parallelTrees: number;
  margin: number[];
  contribs: number[];
  leaf?: number[];
  ranges: RefRange[];
}
const reference = JSON.parse(readFileSync(new URL('../fixtures/xgboost_shap.json', import.meta.url), 'utf8')) as {
  rows: number;
  models: Record<string, RefModel>;
};

function dataset(seed: number, rows: number, cols: number, nanRate = 0.05) {
  const r = rng(seed);
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const c = new Float64Array(rows);
  const k = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = r() < nanRate ? NaN : r() * 4 - 2;
    const v = (j: number) => (Number.isNaN(X[i * cols + j]!) ? 0.5 : X[i * cols + j]!);
    y[i] = 2 * v(0) - v(1) * v(2) + (cols > 3 ? Math.sin(v(3)) : 0) + 0.2 * r();
    c[i] = y[i]! > 0 ? 1 : 0;
    k[i] = y[i]! < -1 ? 0 : y[i]! < 1 ? 1 : 2;
  }
  return { X: { data: X, rows, cols }, xs: X, y, c, k, rows, cols };
}

/** Per row and output: sum of the (features + 1) values. */
function sums(contrib: Matrix, outputs: number): Float64Array {
  const w = contrib.cols / outputs;
  const out = new Float64Array(contrib.rows * outputs);
  for (let r = 0; r < contrib.rows; r++) {
    for (let g = 0; g < outputs; g++) {
      let s = 0;
      for (let j = 0; j < w; j++) s += contrib.data[r * contrib.cols + g * w + j]!;
      out[r * outputs + g] = s;
    }
  }
  return out;
}

/** |actual - expected| <= tol * max(1, |expected|, scale[i]) for every entry; returns the worst ratio. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number | null>, tol: number, what: string, scale?: (i: number) => number): number {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? NaN;
    const a = actual[i]!;
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e), scale?.(i) ?? 0);
    worst = Math.max(worst, err);
    if (!(err <= tol)) expect.fail(`${what}[${i}]: ${a} vs ${e} (tolerance ${tol})`);
  }
  return worst;
}

/** Tree t of an exported model as a walkable structure. */
interface FlatTree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  value: Float64Array;
  cover: Float64Array;
}

function treeAt(
  e: { nodeCounts: Int32Array; left: Int32Array; right: Int32Array; feature: Int32Array; threshold: Float64Array; defaultLeft: Uint8Array; value: Float64Array; count: Float64Array },
  hess: Float64Array,
  t: number,
  scale = 1,
): FlatTree {
  let off = 0;
  for (let i = 0; i < t; i++) off += e.nodeCounts[i]!;
  const n = e.nodeCounts[t]!;
  const s = <A extends Int32Array | Float64Array | Uint8Array>(a: A) => a.subarray(off, off + n) as A;
  const useHess = hess[off]! > 0;
  return {
    left: s(e.left),
    right: s(e.right),
    feature: s(e.feature),
    threshold: s(e.threshold),
    defaultLeft: s(e.defaultLeft),
    value: s(e.value).map((v) => v * scale),
    cover: useHess ? s(hess) : s(e.count),
  };
}

function goesLeft(t: FlatTree, i: number, x: ArrayLike<number>): boolean {
  const v = x[t.feature[i]!]!;
  return Number.isNaN(v) ? t.defaultLeft[i] === 1 : v <= t.threshold[i]!;
}

/** The path-dependent expectation of the tree given the features in `known` take x's values. */
function conditional(t: FlatTree, i: number, x: ArrayLike<number>, known: Set<number>): number {
  if (t.left[i]! < 0) return t.value[i]!;
  const l = t.left[i]!;
  const r = t.right[i]!;
  if (known.has(t.feature[i]!)) return conditional(t, goesLeft(t, i, x) ? l : r, x, known);
  const c = t.cover[i]!;
  const wl = c > 0 ? t.cover[l]! / c : 0.5;
  const wr = c > 0 ? t.cover[r]! / c : 0.5;
  return wl * conditional(t, l, x, known) + wr * conditional(t, r, x, known);
}

/**
 * Exact Shapley values by enumerating every subset of the other players. The players are the
 * features the tree splits on (any other feature is a null player, and adding null players changes
 * no Shapley value), so wide data (30 features) stays enumerable for a small tree.
 */
function bruteShapley(t: FlatTree, x: ArrayLike<number>, features: number): Float64Array {
  const players = [...new Set(Array.from(t.feature).filter((f, i) => t.left[i]! >= 0 && f >= 0))];
  const p = players.length;
  const fact = [1];
  for (let i = 1; i <= p; i++) fact.push(fact[i - 1]! * i);
  const phi = new Float64Array(features);
  for (const f of players) {
    const others = players.filter((j) => j !== f);
    for (let mask = 0; mask < 1 << others.length; mask++) {
      const s = new Set(others.filter((_, b) => (mask >> b) & 1));
      const w = (fact[s.size]! * fact[p - s.size - 1]!) / fact[p]!;
      const without = conditional(t, 0, x, s);
      s.add(f);
      phi[f]! += w * (conditional(t, 0, x, s) - without);
    }
  }
  return phi;
}

describe('TreeSHAP: contributions + bias = raw margin', () => {
  const d = dataset(3, 400, 5);
  it('GBDT regressor, binary and multiclass (trained here, with NaN)', () => {
    const reg = new GradientBoostingRegressor({ nEstimators: 30, numLeaves: 15 }).fitSync(d.X, d.y);
    const bin = new GradientBoostingClassifier({ nEstimators: 20, numLeaves: 7 }).fitSync(d.X, d.c);
    const multi = new GradientBoostingClassifier({ nEstimators: 15, numLeaves: 7 }).fitSync(d.X, d.k);
    for (const [m, k] of [[reg, 1], [bin, 1], [multi, 3]] as const) {
      const phi = m.predictContrib(d.X);
      expect(phi.rows).toBe(d.rows);
      expect(phi.cols).toBe(k * (d.cols + 1));
      expectClose(sums(phi, k), m.predictRaw(d.X).data, 1e-9, 'sum');
    }
  });

  it('forests average the trees: contributions sum to the forest prediction', () => {
    const rf = new RandomForestRegressor({ nEstimators: 12, maxDepth: 6, seed: 1 }).fitSync(d.X, d.y);
    const et = new ExtraTreesRegressor({ nEstimators: 8, maxDepth: 5, seed: 2 }).fitSync(d.X, d.y);
    expectClose(sums(rf.predictContrib(d.X), 1), rf.predict(d.X), 1e-9, 'random forest');
    expectClose(sums(et.predictContrib(d.X), 1), et.predict(d.X), 1e-9, 'extra trees');
    const rfc = new RandomForestClassifier({ nEstimators: 10, maxDepth: 5, seed: 3 }).fitSync(d.X, d.c);
    const p2 = rfc.predictProba(d.X);
    const s2 = sums(rfc.predictContrib(d.X), 1);
    expectClose(s2, Array.from({ length: d.rows }, (_, r) => p2.data[2 * r + 1]!), 1e-9, 'binary forest: P(class 1)');
    const rf3 = new RandomForestClassifier({ nEstimators: 10, maxDepth: 5, seed: 4 }).fitSync(d.X, d.k);
    expectClose(sums(rf3.predictContrib(d.X), 3), rf3.predictProba(d.X).data, 1e-9, '3-class forest');
    const dt = new DecisionTreeClassifier({ maxDepth: 4 }).fitSync(d.X, d.k);
    expectClose(sums(dt.predictContrib(d.X), 3), dt.predictProba(d.X).data, 1e-9, 'decision tree');
  });

  const files = [
    ...readdirSync(new URL('shared/xgboost/', fixtures)).filter((f) => f.endsWith('.json')).map((f) => `shared/xgboost/${f}`),
    ...readdirSync(new URL('shared/lightgbm/', fixtures)).filter((f) => f.endsWith('.txt')).map((f) => `shared/lightgbm/${f}`),
    ...readdirSync(fixtures).filter((f) => /^xgb_.*\.json$/.test(f)),
  ];
  it.each(files)('imported %s', (file) => {
    const text = readFileSync(new URL(file, fixtures), 'utf8');
    const m = file.endsWith('.txt') ? importLightGBM(text) : importXGBoost(text);
    const csv = readFileSync(new URL(file.replace(/\.(json|txt)$/, '.expected.csv'), fixtures), 'utf8').trim().split('\n');
    const head = csv[0]!.split(',');
    const xs = head.map((h, i) => [h, i] as const).filter(([h]) => /^x\d+$/.test(h)).map(([, i]) => i);
    const X = new Float64Array((csv.length - 1) * xs.length);
    csv.slice(1).forEach((line, r) => {
      const v = line.split(',');
      xs.forEach((c, j) => (X[r * xs.length + j] = v[c] === 'nan' ? NaN : Number(v[c])));
    });
    const raw = m.predictRaw({ data: X, rows: csv.length - 1, cols: xs.length });
    const phi = m.predictContrib({ data: X, rows: csv.length - 1, cols: xs.length });
    expectClose(sums(phi, raw.cols), raw.data, 1e-9, file);
  });
});

describe('TreeSHAP: against XGBoost pred_contribs (test/fixtures/xgboost_shap.json)', () => {
  for (const [file, ref] of Object.entries(reference.models)) {
    it(file, () => {
      const m = importXGBoost(readFileSync(new URL(file, fixtures), 'utf8'));
      const X = { data: Float64Array.from(ref.x, (v) => v ?? NaN), rows: reference.rows, cols: ref.numFeatures };
      // XGBoost computes in float32 and sums the trees' contributions in float32, so its rounding
      // scales with the margin (diabetes targets are ~150): 1e-6 relative to max(1, |value|, |margin|).
      expectClose(m.predictRaw(X).data, ref.margin, 1e-6, 'margin');
      const w = ref.numFeatures + 1;
      const marginOf = (margin: ArrayLike<number | null>) => (i: number) => Math.abs(margin[Math.floor(i / w)] ?? 0);
      expectClose(m.predictContrib(X).data, ref.contribs, 1e-6, 'contribs', marginOf(ref.margin));
      // A feature no tree splits on gets exactly 0.
      const used = new Set(m.trees().feature.filter((f) => f >= 0));
      const phi = m.predictContrib(X);
      for (let i = 0; i < phi.data.length; i++) {
        const j = i % w;
        if (j < ref.numFeatures && !used.has(j)) expect(phi.data[i]).toBe(0);
      }
      // iterationRange: XGBoost rounds of p parallel trees are p rounds here.
      const p = ref.parallelTrees;
      for (const r of ref.ranges) {
        const iterationRange: [number, number] = [r.range[0] * p, r.range[1] * p];
        expectClose(m.predictRaw(X, { iterationRange }).data, r.margin, 1e-6, `margin ${r.range}`);
        expectClose(m.predictContrib(X, { iterationRange }).data, r.contribs, 1e-6, `contribs ${r.range}`, marginOf(r.margin));
      }
    });
  }
});

describe('predictLeaf and iterationRange', () => {
  // XGBoost trees with categorical splits are renumbered by the importer (children swapped), so
  // their ids are not XGBoost's; models with parallel trees order trees differently.
  const comparable = Object.entries(reference.models).filter(([f, r]) => r.leaf !== undefined && !f.includes('categorical'));
  it.each(comparable.map(([f]) => f))('%s: XGBoost pred_leaf node ids', (file) => {
    const ref = reference.models[file]!;
    const m = importXGBoost(readFileSync(new URL(file, fixtures), 'utf8'));
    const X = { data: Float64Array.from(ref.x, (v) => v ?? NaN), rows: reference.rows, cols: ref.numFeatures };
    const leaves = m.predictLeaf(X);
    expect(leaves.rows).toBe(reference.rows);
    expect(Array.from(leaves.data)).toEqual(ref.leaf);
    for (const r of ref.ranges) expect(Array.from(m.predictLeaf(X, { iterationRange: r.range }).data), `${r.range}`).toEqual(r.leaf);
    // The numbering survives the binary and JSON forms.
    expect(Array.from(gradientBoostingFromBuffer(m.toBuffer()).predictLeaf(X).data)).toEqual(ref.leaf);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as typeof m;
    expect(Array.from(back.predictLeaf(X).data)).toEqual(ref.leaf);
  });

  it('leaf ids index the exported trees and rebuild the margin (trained GBDT and forest)', () => {
    const d = dataset(11, 300, 4);
    const m = new GradientBoostingClassifier({ nEstimators: 6, numLeaves: 9 }).fitSync(d.X, d.k);
    const leaves = m.predictLeaf(d.X);
    const t = m.trees();
    const offsets = [0];
    for (const n of t.nodeCounts) offsets.push(offsets[offsets.length - 1]! + n);
    expect(leaves.cols).toBe(t.nodeCounts.length);
    const raw = m.predictRaw(d.X);
    const base: number[] = [];
    for (let r = 0; r < d.rows; r++) {
      const s = [0, 0, 0];
      for (let k = 0; k < leaves.cols; k++) {
        const id = leaves.data[r * leaves.cols + k]!;
        expect(t.left[offsets[k]! + id]).toBe(-1);
        s[k % 3]! += t.value[offsets[k]! + id]!;
      }
      // raw = base score (per class, the same for every row) + the leaves' values.
      for (let g = 0; g < 3; g++) {
        const b = raw.data[r * 3 + g]! - s[g]!;
        base[g] ??= b;
        expect(Math.abs(b - base[g]!)).toBeLessThan(1e-9);
      }
    }
    const dt = new DecisionTreeRegressor({ maxDepth: 5 }).fitSync(d.X, d.y);
    const dl = dt.predictLeaf(d.X);
    const pred = dt.predict(d.X);
    const e = dt.trees();
    for (let r = 0; r < d.rows; r++) expect(e.value[dl.data[r]!]).toBeCloseTo(pred[r]!, 12);
    const rf3 = new RandomForestClassifier({ nEstimators: 4, maxDepth: 3, seed: 1 }).fitSync(d.X, d.k);
    expect(rf3.predictLeaf(d.X).cols).toBe(4);
  });

  it('iterationRange [a, b) = rounds [0, b) minus rounds [0, a); async; validation', async () => {
    const d = dataset(12, 200, 4);
    const m = new GradientBoostingRegressor({ nEstimators: 10, numLeaves: 7 }).fitSync(d.X, d.y);
    const full = m.predictRaw(d.X, { numIteration: 7 }).data;
    const head = m.predictRaw(d.X, { numIteration: 3 }).data;
    const mid = m.predictRaw(d.X, { iterationRange: [3, 7] }).data;
    // The base score: the margin minus the leaves' values.
    const leaves = m.predictLeaf(d.X);
    const e = m.trees();
    const offsets = [0];
    for (const n of e.nodeCounts) offsets.push(offsets[offsets.length - 1]! + n);
    let base = m.predictRaw(d.X).data[0]!;
    for (let t = 0; t < leaves.cols; t++) base -= e.value[offsets[t]! + leaves.data[t]!]!;
    for (let i = 0; i < d.rows; i++) expect(Math.abs(mid[i]! - (full[i]! - head[i]!) - base)).toBeLessThan(1e-9);
    for (let i = 0; i < d.rows; i++) {
      let s = base;
      for (let t = 3; t < 7; t++) s += e.value[offsets[t]! + leaves.data[i * leaves.cols + t]!]!;
      expect(Math.abs(mid[i]! - s)).toBeLessThan(1e-12);
    }
    expectClose(sums(m.predictContrib(d.X, { iterationRange: [3, 7] }), 1), mid, 1e-9, 'contrib range');
    expect(m.predictLeaf(d.X, { iterationRange: [3, 7] }).cols).toBe(4);
    expect(Array.from((await m.predictAsync(d.X, { iterationRange: [3, 7] })))).toEqual(Array.from(m.predict(d.X, { iterationRange: [3, 7] })));
    expect(Array.from((await m.predictAsync(d.X, { iterationRange: [0, 7] })))).toEqual(Array.from(m.predict(d.X, { numIteration: 7 })));
    expect(() => m.predictRaw(d.X, { iterationRange: [5, 5] })).toThrow(InvalidParameterError);
    expect(() => m.predictRaw(d.X, { iterationRange: [2, 4], numIteration: 3 })).toThrow(InvalidParameterError);
    expect(Array.from(m.predictRaw(d.X, { iterationRange: [0, 0] }).data)).toEqual(Array.from(m.predictRaw(d.X).data));
  });
});

describe('TreeSHAP: brute-force Shapley values', () => {
  it('GBDT (hessian covers) and a decision tree (sample-weight covers) with 5 features', () => {
    const d = dataset(21, 300, 5, 0.08);
    const m = new GradientBoostingRegressor({ nEstimators: 3, numLeaves: 12, minChildSamples: 5 }).fitSync(d.X, d.y);
    const e = m.trees();
    const trees = Array.from(e.nodeCounts, (_, t) => treeAt(e, e.sumHess, t));
    const dt = new DecisionTreeRegressor({ maxDepth: 6 }).fitSync(d.X, d.y);
    const de = dt.trees();
    const dtree = treeAt(de, de.weight, 0);
    const phiM = m.predictContrib(d.X);
    const phiD = dt.predictContrib(d.X);
    let nonzero = 0;
    for (let r = 0; r < 40; r++) {
      const x = d.xs.subarray(r * 5, r * 5 + 5);
      const want = new Float64Array(5);
      for (const t of trees) bruteShapley(t, x, 5).forEach((v, j) => (want[j]! += v));
      expectClose(phiM.data.subarray(r * 6, r * 6 + 5), want, 1e-9, `gbdt row ${r}`);
      const wantD = bruteShapley(dtree, x, 5);
      expectClose(phiD.data.subarray(r * 6, r * 6 + 5), wantD, 1e-9, `tree row ${r}`);
      nonzero += want.filter((v) => v !== 0).length;
      // The bias is the expectation with no feature known (a decision tree has no base score).
      expect(phiD.data[r * 6 + 5]).toBeCloseTo(conditional(dtree, 0, x, new Set()), 12);
    }
    expect(nonzero).toBeGreaterThan(40);
  });

  it('imported LightGBM trees: covers are data counts, as LightGBM\'s pred_contrib', () => {
    for (const name of ['binary_nan', 'multiclass']) {
      const m = importLightGBM(readFileSync(new URL(`shared/lightgbm/${name}.txt`, fixtures), 'utf8'));
      const e = m.trees();
      const nf = m.nFeaturesIn;
      const k = m.predictRaw({ data: new Float64Array(nf), rows: 1, cols: nf }).cols;
      const rounds = 4;
      const trees = Array.from({ length: rounds * k }, (_, t) => treeAt(e, new Float64Array(e.sumHess.length), t));
      const csv = readFileSync(new URL(`shared/lightgbm/${name}.expected.csv`, fixtures), 'utf8').trim().split('\n').slice(1, 11);
      const X = Float64Array.from(csv.flatMap((l) => l.split(',').slice(0, nf).map((v) => (v === 'nan' ? NaN : Number(v)))));
      const phi = m.predictContrib({ data: X, rows: csv.length, cols: nf }, { iterationRange: [0, rounds] });
      for (let r = 0; r < csv.length; r++) {
        const x = X.subarray(r * nf, (r + 1) * nf);
        for (let g = 0; g < k; g++) {
          const want = new Float64Array(nf);
          for (let t = g; t < trees.length; t += k) bruteShapley(trees[t]!, x, nf).forEach((v, j) => (want[j]! += v));
          const at = (r * k + g) * (nf + 1);
          expectClose(phi.data.subarray(at, at + nf), want, 1e-9, `${name} row ${r} output ${g}`);
        }
      }
    }
  });

  it('a feature never used gets 0; results do not depend on the thread count', () => {
    const d = dataset(5, 300, 4);
    for (let i = 0; i < d.rows; i++) d.xs[i * 4 + 3] = 1.5; // constant: never split on
    const m = new GradientBoostingClassifier({ nEstimators: 10, numLeaves: 7, nThreads: 1 }).fitSync(d.X, d.k);
    const one = m.predictContrib(d.X);
    for (let r = 0; r < d.rows; r++) for (let g = 0; g < 3; g++) expect(one.data[r * 15 + g * 5 + 3]).toBe(0);
    m.setParams({ nThreads: 2 });
    expect(Array.from(m.predictContrib(d.X).data)).toEqual(Array.from(one.data));
    const f32 = m.predictContrib({ data: Float32Array.from(d.xs), rows: d.rows, cols: 4 });
    expect(f32.cols).toBe(15);
  });
});
