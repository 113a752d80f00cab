/**
 * toXGBoostJSON: models trained here written in XGBoost 1.7's JSON schema.
 * - float32Above is the routing bridge: for float32 x, `x <= t` exactly when `x < float32Above(t)`.
 * - Round trip through our importer: importXGBoost(toXGBoostJSON(m)) predicts what m predicts (raw
 *   margins and transformed outputs, 1e-9) on float32-valued rows with NaN, for binary,
 *   multiclass, squared-error, absolute-error and Poisson models and a categorical model.
 * - Round trip through XGBoost itself (Debian's python3-xgboost 1.7, test/fixtures/xgboost_roundtrip.py):
 *   XGBoost's margins and predictions equal ours to 1e-6 (absolute, or relative above 1). Skipped
 *   when /usr/bin/python3 cannot import xgboost, except in CI (CI=true), where that fails.
 * - Refusals name the objective (huber, quantile, custom).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GradientBoostingClassifier, GradientBoostingRegressor, InvalidInputError, Matrix, importLightGBM, importXGBoost } from '../../lib/index.js';
import { float32Above } from '../../lib/io/index.js';
import { foreignChildEnv, rng } from '../helpers.js';

const cols = 5;

/** float32-valued rows (uniform in [-2, 2), column 4 a category id 0..6), ~8% NaN. */
function data(rows: number, seed: number): Matrix {
  const r = rng(seed);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    const j = i % cols;
    out[i] = r() < 0.08 ? NaN : j === 4 ? Math.floor(r() * 7) : Math.fround(r() * 4 - 2);
  }
  return new Matrix(out, rows, cols);
}

const X = data(600, 1);
const Xtest = data(300, 2);
const at = (M: Matrix, i: number, j: number) => M.data[i * cols + j]!;
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const nz = (v: number) => (Number.isNaN(v) ? 0.3 : v);
const score = (M: Matrix, i: number) => 1.5 * nz(at(M, i, 0)) - nz(at(M, i, 1)) * nz(at(M, i, 2)) + (Number.isNaN(at(M, i, 3)) ? 1 : 0) + ([1, 4, 5].includes(at(M, i, 4)) ? 0.8 : 0);
const r = rng(3);
const yBinary = Float64Array.from({ length: X.rows }, (_, i) => (r() < sig(2 * score(X, i) - 1) ? 1 : 0));
const yMulti = Array.from({ length: X.rows }, (_, i) => ['a', 'b', 'c'][Math.min(2, Math.max(0, Math.floor(score(X, i) + 1 + (r() - 0.5))))]!);
const yReg = Float64Array.from({ length: X.rows }, (_, i) => 3 * score(X, i) + 10 + (r() - 0.5));
const yCount = Float64Array.from({ length: X.rows }, (_, i) => Math.floor(Math.exp(0.5 * score(X, i)) * 2 * r() * 2));

const small = { nEstimators: 25, numLeaves: 12, minChildSamples: 5, learningRate: 0.2 } as const;

type Model = GradientBoostingClassifier | GradientBoostingRegressor;
const models: Record<string, () => Model> = {
  binary: () => new GradientBoostingClassifier(small).fitSync(X, yBinary),
  'binary, baseScore 0.3, depthwise': () => new GradientBoostingClassifier({ ...small, baseScore: 0.3, growPolicy: 'depthwise', maxDepth: 4 }).fitSync(X, yBinary),
  multiclass: () => new GradientBoostingClassifier(small).fitSync(X, yMulti),
  regression: () => new GradientBoostingRegressor(small).fitSync(X, yReg),
  'absolute error': () => new GradientBoostingRegressor({ ...small, objective: 'absolute_error' }).fitSync(X, yReg),
  poisson: () => new GradientBoostingRegressor({ ...small, objective: 'poisson' }).fitSync(X, yCount),
  'categorical column': () => new GradientBoostingClassifier({ ...small, categoricalFeatures: [4], minDataPerGroup: 10, maxCatToOnehot: 2 }).fitSync(X, yBinary),
};
const fitted = new Map<string, Model>();
const get = (name: string): Model => {
  if (!fitted.has(name)) fitted.set(name, models[name]!());
  return fitted.get(name)!;
};

/** Outputs in one layout: class probabilities (all columns) or values. */
function outputs(m: Model, M: Matrix): Float64Array {
  return m instanceof GradientBoostingClassifier ? m.predictProba(M).data : m.predict(M);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= tol)) expect.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (error ${err} > ${tol})`);
  }
}

describe('float32Above', () => {
  it('is the smallest float32 above t, and x <= t iff x < float32Above(t) for float32 x', () => {
    const g = rng(7);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const ts = [0, -0, 1, -1, 0.1, -0.1, 2 ** -149, -(2 ** -149), 1e-50, -1e-50, 3.4e38, -3.4028234663852886e38, -1e39];
    for (let i = 0; i < 2000; i++) ts.push((g() - 0.5) * 10 ** Math.floor(g() * 20 - 10));
    for (const t of ts) {
      const c = float32Above(t);
      expect(Math.fround(c)).toBe(c);
      expect(c > t).toBe(true);
      // The float32 just below c is <= t.
      f32[0] = c;
      if (c > 0) u32[0] = u32[0]! - 1;
      else if (c === 0) f32[0] = -(2 ** -149);
      else u32[0] = u32[0]! + 1;
      expect(f32[0]! <= t, `t=${t}`).toBe(true);
      for (const x of [Math.fround(t), f32[0]!, c]) expect(x <= t, `t=${t} x=${x}`).toBe(x < c);
    }
    expect(float32Above(3.4028234663852886e38)).toBe(Infinity);
    expect(float32Above(Infinity)).toBe(Infinity);
    expect(float32Above(-Infinity)).toBe(-3.4028234663852886e38);
  });
});

describe('toXGBoostJSON -> importXGBoost', () => {
  for (const name of Object.keys(models)) {
    it(`${name}: the same margins and outputs (1e-9)`, () => {
      const m = get(name);
      const json = m.toXGBoostJSON();
      const back = importXGBoost(json);
      expect(back.constructor).toBe(m.constructor);
      for (const M of [X, Xtest]) {
        expectClose(back.predictRaw(M).data, m.predictRaw(M).data, 1e-9, `${name} margins`);
        expectClose(outputs(back, M), outputs(m, M), 1e-9, `${name} outputs`);
      }
    });
  }

  it('writes the objective, num_class, tree groups and base_score XGBoost 1.7 expects', () => {
    const bin = JSON.parse(get('binary, baseScore 0.3, depthwise').toXGBoostJSON()) as any;
    expect(bin.version).toEqual([1, 7, 4]);
    expect(bin.learner.objective.name).toBe('binary:logistic');
    // base_score in probability space: the start margin logit(0.3) through the sigmoid, in float32.
    expect(Math.fround(Number(bin.learner.learner_model_param.base_score))).toBe(Math.fround(sig(Math.log(0.3 / 0.7))));
    // At most 9 significant digits: XGBoost ignores longer base_score strings.
    expect(bin.learner.learner_model_param.base_score.replace(/^[-0.]+|e.*$|\./g, '').length).toBeLessThanOrEqual(9);
    expect(bin.learner.learner_model_param.num_class).toBe('0');
    const multi = JSON.parse(get('multiclass').toXGBoostJSON()) as any;
    expect(multi.learner.objective).toEqual({ name: 'multi:softprob', softmax_multiclass_param: { num_class: '3' } });
    expect(multi.learner.learner_model_param.num_class).toBe('3');
    const info = multi.learner.gradient_booster.model.tree_info as number[];
    expect(info.length).toBe(3 * 25);
    expect(info.every((g, t) => g === t % 3)).toBe(true);
    expect((JSON.parse(get('poisson').toXGBoostJSON()) as any).learner.objective.name).toBe('count:poisson');
    expect((JSON.parse(get('absolute error').toXGBoostJSON()) as any).learner.objective.name).toBe('reg:absoluteerror');
    expect((JSON.parse(get('regression').toXGBoostJSON()) as any).learner.objective.name).toBe('reg:squarederror');
    const cat = JSON.parse(get('categorical column').toXGBoostJSON()) as any;
    expect(cat.learner.feature_types).toEqual(['q', 'q', 'q', 'q', 'c']);
    expect(cat.learner.gradient_booster.model.trees.some((t: any) => t.split_type.includes(1))).toBe(true);
  });

  it('an imported model exports and re-imports to the same predictions', () => {
    const fixture = readFileSync(new URL('./fixtures/xgb_categorical.json', import.meta.url), 'utf8');
    const first = importXGBoost(fixture);
    const second = importXGBoost(first.toXGBoostJSON());
    const M = new Matrix(Float64Array.from({ length: 200 * 6 }, (_, i) => (i % 6 === 2 ? Math.floor((i * 7919) % 9) - 1 : Math.fround(Math.sin(i) * 2))), 200, 6);
    expectClose(second.predictRaw(M).data, first.predictRaw(M).data, 1e-9, 'imported margins');
  });

  it('an imported LightGBM categorical model too (integer ids, NaN); LightGBM zero-as-missing splits are refused', () => {
    const shared = new URL('./fixtures/shared/lightgbm/', import.meta.url);
    const first = importLightGBM(readFileSync(new URL('binary_categorical.txt', shared), 'utf8'));
    const second = importXGBoost(first.toXGBoostJSON());
    const g = rng(5);
    // Columns 0 and 1 hold category ids (unseen ones and negatives included), the rest values.
    const M = new Matrix(Float64Array.from({ length: 300 * 6 }, (_, i) => (g() < 0.08 ? NaN : i % 6 < 2 ? Math.floor(g() * 14) - 2 : Math.fround(g() * 6 - 3))), 300, 6);
    expectClose(second.predictRaw(M).data, first.predictRaw(M).data, 1e-9, 'LightGBM categorical margins');
    const zero = importLightGBM(readFileSync(new URL('regression_zero_as_missing.txt', shared), 'utf8'));
    expect(() => zero.toXGBoostJSON()).toThrow(/zero as missing/);
  });

  it('refuses objectives XGBoost 1.7 does not have, naming them', () => {
    const huber = new GradientBoostingRegressor({ ...small, nEstimators: 3, objective: 'huber' }).fitSync(X, yReg);
    expect(() => huber.toXGBoostJSON()).toThrow(InvalidInputError);
    expect(() => huber.toXGBoostJSON()).toThrow(/'huber'/);
    const quantile = new GradientBoostingRegressor({ ...small, nEstimators: 3, objective: 'quantile' }).fitSync(X, yReg);
    expect(() => quantile.toXGBoostJSON()).toThrow(/'quantile'.*reg:quantileerror/);
    const custom = new GradientBoostingRegressor({
      ...small,
      nEstimators: 3,
      objective: (raw, y) => ({ grad: raw.map((v, i) => v - y[i]!), hess: raw.map(() => 1) }),
    }).fitSync(X, yReg);
    expect(() => custom.toXGBoostJSON()).toThrow(/custom objective/);
    expect(() => new GradientBoostingRegressor().toXGBoostJSON()).toThrow(/not fitted/);
  });
});

// ---- through XGBoost itself ----------------------------------------------------------------------

const python = '/usr/bin/python3';
const script = new URL('../fixtures/xgboost_roundtrip.py', import.meta.url).pathname;
const probe = spawnSync(python, ['-c', 'import xgboost, numpy'], { encoding: 'utf8', env: foreignChildEnv() });
const haveXGBoost = probe.status === 0;
const inCI = process.env.CI === 'true';
const dir = mkdtempSync(join(tmpdir(), 'ekit-xgb-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runXGBoost(model: Model, M: Matrix, name: string): { version: string; margin: number[][]; pred: number[][] } {
  const modelPath = join(dir, `${name.replace(/\W+/g, '_')}.json`);
  const rowsPath = join(dir, `${name.replace(/\W+/g, '_')}.rows.json`);
  writeFileSync(modelPath, model.toXGBoostJSON());
  const rows = Array.from({ length: M.rows }, (_, i) => Array.from(M.data.subarray(i * M.cols, (i + 1) * M.cols), (v) => (Number.isNaN(v) ? null : v)));
  writeFileSync(rowsPath, JSON.stringify({ rows }));
  const run = spawnSync(python, [script, modelPath, rowsPath], { encoding: 'utf8', maxBuffer: 64 << 20, env: foreignChildEnv() });
  if (run.status !== 0) throw new Error(`xgboost_roundtrip.py failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

describe('toXGBoostJSON -> XGBoost 1.7 (python3-xgboost)', () => {
  it('python3-xgboost is available (required in CI)', () => {
    if (inCI) expect(haveXGBoost, `${python} cannot import xgboost: ${probe.stderr}`).toBe(true);
    else if (!haveXGBoost) console.warn(`skipping the XGBoost round trip: ${python} cannot import xgboost`);
  });

  for (const name of Object.keys(models)) {
    it.skipIf(!haveXGBoost && !inCI)(`${name}: XGBoost predicts what we predict (1e-6)`, () => {
      const m = get(name);
      const res = runXGBoost(m, Xtest, name);
      expect(res.version).toMatch(/^1\.7\./);
      const margin = m.predictRaw(Xtest).data;
      expectClose(res.margin.flat(), margin, 1e-6, `${name} XGBoost margins`);
      // XGBoost's predict(): P(class 1) for binary, class probabilities, or the value. Poisson means
      // are compared on the log scale (the margins): exp turns XGBoost's float32 rounding of a
      // margin near 2.5 (~2e-7 per step) into a relative error that can pass 1e-6 by itself.
      const ours = outputs(m, Xtest);
      const expected = m instanceof GradientBoostingClassifier && m.classes.length === 2 ? ours.filter((_, i) => i % 2 === 1) : ours;
      if (name === 'poisson') expectClose(res.pred.flat().map(Math.log), expected.map(Math.log), 1e-6, `${name} XGBoost log predictions`);
      else expectClose(res.pred.flat(), expected, 1e-6, `${name} XGBoost predictions`);
    });
  }

  it.skipIf(!haveXGBoost && !inCI)('an imported LightGBM categorical model: XGBoost predicts what we predict (1e-6)', () => {
    const m = importLightGBM(readFileSync(new URL('./fixtures/shared/lightgbm/binary_categorical.txt', import.meta.url), 'utf8'));
    const g = rng(6);
    const M = new Matrix(Float64Array.from({ length: 300 * 6 }, (_, i) => (g() < 0.08 ? NaN : i % 6 < 2 ? Math.floor(g() * 14) - 2 : Math.fround(g() * 6 - 3))), 300, 6);
    const res = runXGBoost(m, M, 'lightgbm categorical');
    expectClose(res.margin.flat(), m.predictRaw(M).data, 1e-6, 'LightGBM categorical XGBoost margins');
  });
});
