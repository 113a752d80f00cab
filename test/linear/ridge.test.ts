import { describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  InvalidParameterError,
  LinearRegression,
  Matrix,
  NotFittedError,
  Ridge,
  loadDiabetes,
  makeRegression,
} from '../../lib/index.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';
import { flat, maxAbs, maxRel, sk, take, takeRows, revive } from './fixtures.js';

describe('Ridge and LinearRegression vs scikit-learn 1.2 (diabetes)', () => {
  const { X, y } = loadDiabetes();

  it('Ridge(alpha = 1): coef, intercept, predictions', () => {
    const m = new Ridge({ alpha: 1 }).fitSync(X, y);
    const ref = sk.diabetes_ridge;
    expect(m.solver).toBe('cholesky');
    expect(maxRel(m.coef.data, ref.coef)).toBeLessThan(1e-10);
    expect(Math.abs(m.intercept[0]! - ref.intercept) / ref.intercept).toBeLessThan(1e-12);
    expect(maxRel(m.predict(X), ref.pred)).toBeLessThan(1e-10);
  });

  it('LinearRegression: coef, intercept, predictions', () => {
    const m = new LinearRegression().fitSync(X, y);
    const ref = sk.diabetes_linear;
    expect(maxRel(m.coef.data, ref.coef)).toBeLessThan(1e-8);
    expect(Math.abs(m.intercept[0]! - ref.intercept) / ref.intercept).toBeLessThan(1e-12);
    expect(maxRel(m.predict(X), ref.pred)).toBeLessThan(1e-9);
  });

  it('sample weights, and weight 2 equals a duplicated row', () => {
    const ref = sk.diabetes_ridge_weighted;
    const m = new Ridge({ alpha: 0.5 }).fitSync(X, y, { sampleWeight: ref.sampleWeight });
    expect(maxRel(m.coef.data, ref.coef)).toBeLessThan(1e-10);
    expect(Math.abs(m.intercept[0]! - ref.intercept) / ref.intercept).toBeLessThan(1e-12);

    const r = rng(9);
    const picked = Array.from({ length: 60 }, () => Math.floor(r() * X.rows));
    const w = new Float64Array(X.rows).fill(1);
    for (const i of picked) w[i]!++;
    const rows = [...Array.from({ length: X.rows }, (_, i) => i), ...picked];
    for (const Model of [Ridge, LinearRegression]) {
      const dup = new Model().fitSync(takeRows(X, rows), take(y, rows));
      const weighted = new Model().fitSync(X, y, { sampleWeight: w });
      expect(maxRel(weighted.coef.data, dup.coef.data)).toBeLessThan(1e-9);
      expect(maxRel(weighted.intercept, dup.intercept)).toBeLessThan(1e-12);
    }
  });

  it('several targets at once (y as a Matrix), predictMatrix; predict refuses a multi-target model', () => {
    const ref = sk.diabetes_ridge_multi;
    const Y = Matrix.zeros(X.rows, 2);
    for (let i = 0; i < X.rows; i++) {
      Y.data[2 * i] = y[i]!;
      Y.data[2 * i + 1] = 0.5 * y[i]! + 100 * X.get(i, 2);
    }
    const m = new Ridge({ alpha: 2 }).fitSync(X, Y);
    expect(m.nTargets).toBe(2);
    expect([m.coef.rows, m.coef.cols]).toEqual([2, 10]);
    expect(maxRel(m.coef.data, flat(ref.coef))).toBeLessThan(1e-10);
    expect(maxRel(m.intercept, ref.intercept)).toBeLessThan(1e-12);
    const head = takeRows(X, Array.from({ length: 10 }, (_, i) => i));
    expect(maxRel(m.predictMatrix(head).data, flat(ref.pred))).toBeLessThan(1e-10);
    expect(() => m.predict(head)).toThrow(/predictMatrix/);
    // Each column equals a single-target fit.
    const single = new Ridge({ alpha: 2 }).fitSync(X, Y.column(1));
    expect(maxRel(single.coef.data, m.coef.row(1))).toBeLessThan(1e-12);
    // number[][] targets work too.
    const m2 = new Ridge({ alpha: 2 }).fitSync(X, Y.toArray());
    expect(Array.from(m2.coef.data)).toEqual(Array.from(m.coef.data));
  });

  it('fitIntercept: false', () => {
    const m = new Ridge({ fitIntercept: false }).fitSync(X, y);
    expect(maxRel(m.coef.data, sk.diabetes_ridge_no_intercept.coef)).toBeLessThan(1e-10);
    expect(m.intercept[0]).toBe(0);
  });

  it('LinearRegression with a duplicated column: minimum-norm solution (as lstsq) through the eigen fallback', () => {
    const Xd = Matrix.zeros(X.rows, 11);
    for (let i = 0; i < X.rows; i++) {
      Xd.data.set(X.row(i), i * 11);
      Xd.data[i * 11 + 10] = X.get(i, 0);
    }
    const m = new LinearRegression().fitSync(Xd, y);
    const ref = sk.diabetes_linear_collinear;
    expect(m.solver).toBe('eigen');
    expect(m.rank).toBe(10);
    expect(maxRel(m.coef.data, ref.coef)).toBeLessThan(1e-6);
    expect(Math.abs(m.intercept[0]! - ref.intercept) / ref.intercept).toBeLessThan(1e-10);
    // A constant column and more columns than rows are handled the same way.
    const tiny = new LinearRegression().fitSync([[1, 5, 2], [2, 5, 0], [3, 5, 1]], [1, 2, 3]);
    expect(tiny.solver).toBe('eigen');
    expect(tiny.coef.get(0, 1)).toBe(0);
    expect(Array.from(tiny.predict([[1, 5, 2], [2, 5, 0], [3, 5, 1]])).map((v) => +v.toFixed(9))).toEqual([1, 2, 3]);
    const wide = new LinearRegression().fitSync([[1, 2, 3, 4], [0, 1, 0, 1]], [3, 1]);
    expect(Array.from(wide.predict([[1, 2, 3, 4], [0, 1, 0, 1]])).map((v) => +v.toFixed(9))).toEqual([3, 1]);
  });

  it('score is R²', () => {
    const m = new LinearRegression().fitSync(X, y);
    const pred = m.predict(X);
    let mean = 0;
    for (const v of y) mean += v / y.length;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < y.length; i++) {
      res += (y[i]! - pred[i]!) ** 2;
      tot += (y[i]! - mean) ** 2;
    }
    expect(m.score(X, y)).toBeCloseTo(1 - res / tot, 12);
  });
});

describe('Ridge and LinearRegression: contract', () => {
  const data = makeRegression({ nSamples: 20000, nFeatures: 30, nTargets: 1, noise: 1, seed: 4 });

  it('NotFittedError before fit; InvalidParameterError for bad options; InvalidInputError for NaN', async () => {
    expect(() => new Ridge().predict([[1]])).toThrow(NotFittedError);
    expect(() => new LinearRegression().coef).toThrow(NotFittedError);
    for (const opts of [{ alpha: -1 }, { alpha: 'x' }, { fitIntercept: 1 }, { alfa: 1 }]) {
      expect(() => new Ridge(opts as never).fitSync([[1], [2]], [1, 2]), JSON.stringify(opts)).toThrow(InvalidParameterError);
      await expect(new Ridge(opts as never).fit([[1], [2]], [1, 2])).rejects.toBeInstanceOf(InvalidParameterError);
    }
    expect(() => new LinearRegression({ alpha: 1 } as never).fitSync([[1], [2]], [1, 2])).toThrow(/Unknown parameter 'alpha'/);
    expect(() => new Ridge().fitSync([[1, 2], [3, Number.NaN]], [1, 2])).toThrow(/NaN at row 1, column 1/);
    expect(() => new Ridge().fitSync([[1], [2]], [1, Number.NaN])).toThrow(InvalidInputError);
    expect(() => new Ridge().fitSync([[1], [2]], ['a', 'b'])).toThrow(/numeric targets/);
    const m = new Ridge().fitSync([[1, 2], [2, 1], [3, 3]], [1, 2, 3]);
    expect(() => m.predict([[1, Number.NaN]])).toThrow(/NaN at row 0, column 1/);
    expect(() => m.predict([[1]])).toThrow(/Expected 2 columns/);
  });

  it('JSON round trip gives identical predictions; clone is unfitted with equal params', () => {
    const m = new Ridge({ alpha: 3, fitIntercept: true }).fitSync(data.X, data.y);
    const back = revive<Ridge>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back).toBeInstanceOf(Ridge);
    expect(Array.from(back.predict(data.X))).toEqual(Array.from(m.predict(data.X)));
    expect(back.solver).toBe(m.solver);
    const c = m.clone();
    expect(c.isFitted).toBe(false);
    expect(c.getParams()).toEqual({ alpha: 3, fitIntercept: true, nThreads: 0 });
    const lr = new LinearRegression().fitSync(data.X, data.y);
    const lrBack = revive<LinearRegression>(lr.toJSON());
    expect(Array.from(lrBack.predict(data.X))).toEqual(Array.from(lr.predict(data.X)));
  });

  it('SIMD paths within 1e-10; 1 vs 2 threads identical; async = sync', async () => {
    const fits = availableIsas().flatMap((isa) => threadCounts().map((nThreads) => ({ isa, nThreads, m: withIsa(isa, () => new Ridge({ alpha: 0.1, nThreads }).fitSync(data.X, data.y)) })));
    const base = fits[0]!.m;
    for (const { isa, nThreads, m } of fits) {
      expect(maxRel(m.coef.data, base.coef.data, maxAbs(base.coef.data)), `${isa}/${nThreads}`).toBeLessThan(1e-10);
      const same = fits.find((f) => f.isa === isa)!.m;
      expect(Array.from(m.coef.data)).toEqual(Array.from(same.coef.data));
      expect(Array.from(m.intercept)).toEqual(Array.from(same.intercept));
    }
    const seen: number[] = [];
    const a = await new Ridge({ alpha: 0.1 }).fit(data.X, data.y, { onProgress: (f) => seen.push(f) });
    const s = new Ridge({ alpha: 0.1 }).fitSync(data.X, data.y);
    expect(Array.from(a.coef.data)).toEqual(Array.from(s.coef.data));
    expect(seen.at(-1)).toBe(1);
  });

  it('float32 X gives the float64 fit of the widened values', () => {
    const X32 = { data: Float32Array.from(data.X.data), rows: data.X.rows, cols: data.X.cols };
    const a = new Ridge().fitSync(X32, data.y);
    const widened = new Matrix(Float64Array.from(X32.data), X32.rows, X32.cols);
    const b = new Ridge().fitSync(widened, data.y);
    expect(maxRel(a.coef.data, b.coef.data, 1e-6)).toBeLessThan(1e-12);
    expect(maxRel(a.predict(X32), b.predict(widened), 1e-6)).toBeLessThan(1e-12);
  });
});
