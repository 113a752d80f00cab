/**
 * fuseTrees: the fused model's raw output equals Σ wᵢ rawᵢ(x) (weights normalised to sum 1) to 1e-9
 * on random data with NaN — margins (predictRaw) of gradient-boosted models (binary, multiclass,
 * regression; trained here and imported from the XGBoost / LightGBM fixtures), probabilities and
 * values of forests — and its transformed predictions follow; the fused model saves and loads to
 * the same predictions; incompatible inputs throw InvalidInputError naming the culprit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  InvalidInputError,
  LogisticRegression,
  Matrix,
  RandomForestClassifier,
  RandomForestRegressor,
  estimatorFromJSON,
  fuseTrees,
  importLightGBM,
  importXGBoost,
  type TreeModel,
} from '../../lib/index.js';
import { loadModel, saveModel } from '../../lib/io/index.js';
import { rng } from '../helpers.js';

/** rows x cols uniform in [-2, 2), ~7% NaN. */
function data(rows: number, cols: number, seed: number): Matrix {
  const r = rng(seed);
  return new Matrix(Float64Array.from({ length: rows * cols }, () => (r() < 0.07 ? NaN : r() * 4 - 2)), rows, cols);
}

const cols = 6;
const X = data(400, cols, 11);
const Xtest = data(250, cols, 12);
const v = (M: Matrix, i: number, j: number) => (Number.isNaN(M.data[i * M.cols + j]!) ? 0.5 : M.data[i * M.cols + j]!);
const r = rng(13);
const f = (i: number) => v(X, i, 0) - 0.7 * v(X, i, 1) * v(X, i, 2) + 0.3 * v(X, i, 3) + (r() - 0.5);
const yBin = Float64Array.from({ length: X.rows }, (_, i) => (f(i) > 0 ? 1 : 0));
const yMulti = Array.from({ length: X.rows }, (_, i) => ['x', 'y', 'z'][f(i) < -0.7 ? 0 : f(i) < 0.7 ? 1 : 2]!);
const yReg = Float64Array.from({ length: X.rows }, (_, i) => 5 * f(i) + 2);
const yCount = Float64Array.from({ length: X.rows }, (_, i) => Math.round(Math.exp(0.5 * f(i)) * 3 * r()));

const gb = { nEstimators: 15, numLeaves: 8, minChildSamples: 5 } as const;
const rf = { nEstimators: 12, maxDepth: 6 } as const;

/** The raw output fuseTrees combines: margins for boosted models, probabilities / values for forests. */
function raw(m: TreeModel, M: Matrix): Float64Array {
  if (m instanceof GradientBoostingClassifier || m instanceof GradientBoostingRegressor) return m.predictRaw(M).data;
  if (m instanceof RandomForestClassifier || m instanceof ExtraTreesClassifier) return m.predictProba(M).data;
  return m.predict(M);
}

function weightedSum(models: TreeModel[], w: number[], M: Matrix): Float64Array {
  const total = w.reduce((a, b) => a + b, 0);
  const outs = models.map((m) => raw(m, M));
  return outs[0]!.map((_, j) => outs.reduce((acc, o, i) => acc + (w[i]! / total) * o[j]!, 0));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= tol)) expect.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ekit-fuse-trees-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fuses, checks the raw output on M (and the transformed output where there is a link), and a save/load round trip. */
function check(models: TreeModel[], w: number[] | undefined, M: Matrix, what: string): TreeModel {
  const fused = fuseTrees(models, w);
  expect(fused.constructor).toBe(models[0]!.constructor);
  const weights = w ?? models.map(() => 1);
  const expected = weightedSum(models, weights, M);
  expectClose(raw(fused, M), expected, 1e-9, `${what}: fused raw output`);
  if (fused instanceof GradientBoostingClassifier) {
    // Probabilities are the link of the fused margin.
    const k = fused.classes.length;
    const p = fused.predictProba(M).data;
    for (let i = 0; i < M.rows; i++) {
      if (k === 2) expect(p[i * 2 + 1]).toBeCloseTo(1 / (1 + Math.exp(-expected[i]!)), 12);
      else {
        const z = expected.subarray(i * k, (i + 1) * k);
        const mx = Math.max(...z);
        const s = z.reduce((a, b) => a + Math.exp(b - mx), 0);
        for (let c = 0; c < k; c++) expect(p[i * k + c]).toBeCloseTo(Math.exp(z[c]! - mx) / s, 12);
      }
    }
  }
  // Persistence: the file form and the JSON form predict the same.
  const path = join(dir, `${what.replace(/\W+/g, '_')}.model`);
  saveModel(fused, path);
  const loaded = loadModel(path) as unknown as TreeModel;
  expect(Array.from(raw(loaded, M))).toEqual(Array.from(raw(fused, M)));
  const revived = estimatorFromJSON(JSON.parse(JSON.stringify(fused.toJSON()))) as unknown as TreeModel;
  expect(Array.from(raw(revived, M))).toEqual(Array.from(raw(fused, M)));
  return fused;
}

describe('fuseTrees: gradient-boosted models trained here', () => {
  it('binary: fused margin = Σ wᵢ marginᵢ', () => {
    const a = new GradientBoostingClassifier(gb).fitSync(X, yBin);
    const b = new GradientBoostingClassifier({ ...gb, learningRate: 0.3, seed: 3, subsample: 0.7 }).fitSync(X, yBin);
    const c = new GradientBoostingClassifier({ ...gb, baseScore: 0.2, growPolicy: 'depthwise', maxDepth: 3 }).fitSync(X, yBin);
    check([a, b, c], [1, 2, 5], Xtest, 'gbdt binary');
    check([a, b], undefined, Xtest, 'gbdt binary equal weights');
    // One model with weight 1: the same model.
    expectClose(raw(fuseTrees([a]), Xtest), raw(a, Xtest), 1e-12, 'a single model');
  });

  it('multiclass with string labels', () => {
    const a = new GradientBoostingClassifier(gb).fitSync(X, yMulti);
    const b = new GradientBoostingClassifier({ ...gb, nEstimators: 9, learningRate: 0.25 }).fitSync(X, yMulti);
    const fused = check([a, b], [0.3, 0.7], Xtest, 'gbdt multiclass') as GradientBoostingClassifier;
    expect(fused.classes).toEqual(['x', 'y', 'z']);
  });

  it('regression (squared error, and Poisson on the log scale) with a categorical column', () => {
    const Xc = new Matrix(X.data.map((x, i) => (i % cols === 5 && !Number.isNaN(x) ? Math.floor(x + 2) * 2 : x)), X.rows, cols);
    const Tc = new Matrix(Xtest.data.map((x, i) => (i % cols === 5 && !Number.isNaN(x) ? Math.floor(x + 2) * 2 : x)), Xtest.rows, cols);
    // The category column (ids 0, 2, 4, 6) moves the target.
    const yc = yReg.map((y, i) => y + ([2, 6].includes(Xc.data[i * cols + 5]!) ? 4 : 0));
    const a = new GradientBoostingRegressor(gb).fitSync(Xc, yc);
    // Two models with categorical splits: their category sets are renumbered in the fused model.
    const cat = { ...gb, categoricalFeatures: [5], minDataPerGroup: 5, maxCatToOnehot: 1 };
    const b = new GradientBoostingRegressor(cat).fitSync(Xc, yc);
    const c = new GradientBoostingRegressor({ ...cat, subsample: 0.7, seed: 4 }).fitSync(Xc, yc);
    expect(b.trees().categorySets.length).toBeGreaterThan(0);
    expect(c.trees().categorySets.length).toBeGreaterThan(0);
    check([a, b, c], [2, 1, 1], Tc, 'gbdt regression');
    const p = new GradientBoostingRegressor({ ...gb, objective: 'poisson' }).fitSync(X, yCount);
    const q = new GradientBoostingRegressor({ ...gb, objective: 'poisson', nEstimators: 5 }).fitSync(X, yCount);
    const fused = check([p, q], [1, 1], Xtest, 'gbdt poisson') as GradientBoostingRegressor;
    const z = weightedSum([p, q], [1, 1], Xtest);
    expectClose(fused.predict(Xtest), z.map(Math.exp), 1e-9, 'poisson mean = exp(fused margin)');
  });

  it('a model with weight 0 contributes nothing', () => {
    const a = new GradientBoostingRegressor(gb).fitSync(X, yReg);
    const b = new GradientBoostingRegressor({ ...gb, nEstimators: 4 }).fitSync(X, yReg);
    const fused = fuseTrees([a, b], [1, 0]);
    expectClose(raw(fused, Xtest), raw(a, Xtest), 1e-12, 'weight 0');
    expect(fused.nEstimatorsFitted).toBe(a.nEstimatorsFitted);
  });
});

describe('fuseTrees: imported XGBoost and LightGBM models', () => {
  const fixtures = new URL('../io/fixtures/shared/', import.meta.url);
  const text = (p: string) => readFileSync(new URL(p, fixtures), 'utf8');
  /** The fixture's input rows (with NaN). */
  function rows(p: string): Matrix {
    const lines = text(p).trim().split('\n');
    const head = lines[0]!.split(',');
    const xs = head.map((h, i) => [h, i] as const).filter(([h]) => /^x\d+$/.test(h)).map(([, i]) => i);
    const out: number[] = [];
    for (const line of lines.slice(1)) {
      const vals = line.split(',');
      for (const i of xs) out.push(vals[i] === 'nan' ? NaN : Number(vals[i]));
    }
    return new Matrix(Float64Array.from(out), lines.length - 1, xs.length);
  }

  it('binary: two XGBoost models, a LightGBM model and one trained here (breast cancer rows)', () => {
    const M = rows('xgboost/binary_logistic_d4.expected.csv');
    const x1 = importXGBoost(text('xgboost/binary_logistic_d4.json'));
    const x2 = importXGBoost(text('xgboost/binary_logistic_lossguide.json'));
    const l1 = importLightGBM(text('lightgbm/binary_nan.txt'));
    const y = Float64Array.from(x1.predictRaw(M).data, (z) => (z > 0 ? 1 : 0));
    const ours = new GradientBoostingClassifier(gb).fitSync(M, y);
    check([x1, x2, l1, ours], [1, 2, 3, 4], M, 'imported binary');
  });

  it('multiclass: XGBoost multi:softprob + LightGBM multiclass (iris rows)', () => {
    const M = rows('xgboost/multi_softprob.expected.csv');
    check([importXGBoost(text('xgboost/multi_softprob.json')), importLightGBM(text('lightgbm/multiclass.txt'))], [0.6, 0.4], M, 'imported multiclass');
  });

  it('regression: XGBoost + LightGBM (bagging, zero as missing) (diabetes rows)', () => {
    const M = rows('xgboost/reg_squarederror.expected.csv');
    const parts = [importXGBoost(text('xgboost/reg_squarederror.json')), importLightGBM(text('lightgbm/regression_bagging.txt')), importLightGBM(text('lightgbm/regression_zero_as_missing.txt'))];
    check(parts, [1, 1, 2], M, 'imported regression');
  });
});

describe('fuseTrees: forests', () => {
  it('classifiers (two and three classes): fused probabilities = Σ wᵢ probaᵢ; RF and extra trees mix', () => {
    const a = new RandomForestClassifier(rf).fitSync(X, yBin);
    const b = new ExtraTreesClassifier({ ...rf, nEstimators: 7 }).fitSync(X, yBin);
    const c = new RandomForestClassifier({ ...rf, nEstimators: 3, seed: 5 }).fitSync(X, yBin);
    check([a, b, c], [1, 2, 3], Xtest, 'forest binary');
    const m1 = new RandomForestClassifier(rf).fitSync(X, yMulti);
    const m2 = new RandomForestClassifier({ ...rf, nEstimators: 5, seed: 9 }).fitSync(X, yMulti);
    const fused = check([m1, m2], undefined, Xtest, 'forest multiclass') as RandomForestClassifier;
    const p = fused.predictProba(Xtest).data;
    for (let i = 0; i < Xtest.rows; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).toBeCloseTo(1, 12);
  });

  it('regressors: fused prediction = Σ wᵢ predictionᵢ', () => {
    const a = new RandomForestRegressor(rf).fitSync(X, yReg);
    const b = new ExtraTreesRegressor({ ...rf, nEstimators: 4 }).fitSync(X, yReg);
    const c = new RandomForestRegressor({ ...rf, criterion: 'absolute_error', nEstimators: 5 }).fitSync(X, yReg);
    check([a, b, c], [0.5, 0.25, 0.25], Xtest, 'forest regression');
  });
});

describe('fuseTrees: refusals', () => {
  const gbc = new GradientBoostingClassifier({ ...gb, nEstimators: 3 }).fitSync(X, yBin);
  const gbr = new GradientBoostingRegressor({ ...gb, nEstimators: 3 }).fitSync(X, yReg);
  const rfc = new RandomForestClassifier({ ...rf, nEstimators: 2 }).fitSync(X, yBin);
  const rfr = new RandomForestRegressor({ ...rf, nEstimators: 2 }).fitSync(X, yReg);

  const cases: [string, () => unknown, RegExp][] = [
    ['no models', () => fuseTrees([]), /at least one model/],
    ['boosted + forest', () => fuseTrees([gbc, rfc] as TreeModel[]), /model 1 \(RandomForestClassifier\).*GradientBoostingClassifier/],
    ['classifier + regressor', () => fuseTrees([rfr, rfc] as TreeModel[]), /model 1 \(RandomForestClassifier\)/],
    ['not a tree model', () => fuseTrees([new LogisticRegression() as unknown as TreeModel]), /model 0 \(LogisticRegression\)/],
    ['unfitted', () => fuseTrees([gbr, new GradientBoostingRegressor()]), /model 1 .* not fitted/],
    ['feature counts', () => fuseTrees([gbr, new GradientBoostingRegressor({ ...gb, nEstimators: 2 }).fitSync(new Matrix(X.data.subarray(0, X.rows * 4), X.rows, 4), yReg)]), /model 1 has 4 features but model 0 has 6/],
    ['classes', () => fuseTrees([gbc, new GradientBoostingClassifier({ ...gb, nEstimators: 2 }).fitSync(X, yMulti)]), /model 1 has classes \["x","y","z"\]/],
    ['forest classes', () => fuseTrees([rfc, new RandomForestClassifier({ ...rf, nEstimators: 2 }).fitSync(X, Array.from(yBin, (y) => (y ? 'p' : 'n')))]), /model 1 has classes \["n","p"\]/],
    ['objectives', () => fuseTrees([gbr, new GradientBoostingRegressor({ ...gb, nEstimators: 2, objective: 'absolute_error' }).fitSync(X, yReg)]), /model 1 has the objective 'absolute_error' but model 0 has 'squared_error'/],
    ['transforms', () => fuseTrees([gbr, new GradientBoostingRegressor({ ...gb, nEstimators: 2, objective: 'poisson' }).fitSync(X, yCount)]), /model 1 has the output transform 'exp' but model 0 has 'identity'/],
    ['weights count', () => fuseTrees([gbr, gbr], [1]), /expected 2 weights/],
    ['negative weight', () => fuseTrees([gbr, gbr], [1, -1]), /non-negative/],
    ['zero weights', () => fuseTrees([gbr, gbr], [0, 0]), /sum to zero/],
  ];
  for (const [name, fn, message] of cases) {
    it(name, () => {
      expect(fn).toThrow(InvalidInputError);
      expect(fn).toThrow(message);
    });
  }
});
