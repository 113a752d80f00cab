import { describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidInputError,
  InvalidParameterError,
  Matrix,
  MinMaxScaler,
  NotFittedError,
  SimpleImputer,
  StandardScaler,
  loadBreastCancer,
  loadWine,
} from '../../lib/index.js';
import { flat, maxRel, sk, revive } from '../linear/fixtures.js';

describe('StandardScaler', () => {
  it('matches scikit-learn (breast cancer; weighted on wine)', () => {
    const { X } = loadBreastCancer();
    const ref = sk.breast_cancer_binary;
    const s = new StandardScaler().fitSync(X);
    expect(maxRel(s.mean!, ref.scalerMean)).toBeLessThan(1e-12);
    expect(maxRel(s.variance!, ref.scalerVar)).toBeLessThan(1e-12);
    expect(maxRel(s.scale!, ref.scalerScale)).toBeLessThan(1e-12);
    expect(Array.from(s.nSamplesSeen).every((n) => n === X.rows)).toBe(true);
    const { X: Xw } = loadWine();
    const w = sk.wine_weighted;
    const sw = new StandardScaler().fitSync(Xw, undefined, { sampleWeight: w.sampleWeight });
    expect(maxRel(sw.mean!, w.scalerMean)).toBeLessThan(1e-12);
    expect(maxRel(sw.scale!, w.scalerScale)).toBeLessThan(1e-12);
  });

  it('transform gives zero mean / unit variance; inverseTransform undoes it; input untouched', () => {
    const { X } = loadWine();
    const before = X.data.slice();
    const s = new StandardScaler();
    const Z = s.fitTransformSync(X);
    expect(Array.from(X.data)).toEqual(Array.from(before));
    for (let j = 0; j < Z.cols; j++) {
      const col = Z.column(j);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const v = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(v).toBeCloseTo(1, 12);
    }
    expect(maxRel(s.inverseTransform(Z).data, X.data, 1)).toBeLessThan(1e-13);
  });

  it('constant features get scale 1 (output 0, not NaN); NaN is ignored at fit and kept', () => {
    const X = [[1, 5, Number.NaN], [2, 5, 4], [3, 5, 6], [4, 5, Number.NaN]];
    const s = new StandardScaler().fitSync(X);
    expect(s.scale![1]).toBe(1);
    expect(s.mean![2]).toBe(5);
    expect(s.variance![2]).toBe(1);
    expect(Array.from(s.nSamplesSeen)).toEqual([4, 4, 2]);
    const Z = s.transform(X);
    expect(Z.column(1).every((v) => v === 0)).toBe(true);
    expect(Number.isNaN(Z.get(0, 2))).toBe(true);
    expect(Z.get(1, 2)).toBe(-1);
    // A feature of 0.1 repeated (variance ~1e-33 from rounding) is constant too, as scikit-learn's test.
    const near = new StandardScaler().fitSync(Array.from({ length: 10 }, () => [0.1]));
    expect(near.scale![0]).toBe(1);
    // No observed value: mean 0, scale 1.
    const empty = new StandardScaler().fitSync([[Number.NaN], [Number.NaN]]);
    expect([empty.mean![0], empty.scale![0]]).toEqual([0, 1]);
  });

  it('withMean / withStd', () => {
    const X = [[1, 10], [3, 30]];
    expect(new StandardScaler({ withMean: false }).fitSync(X).transform(X).toArray()).toEqual([[1, 1], [3, 3]]);
    expect(new StandardScaler({ withStd: false }).fitSync(X).transform(X).toArray()).toEqual([[-1, -10], [1, 10]]);
    const none = new StandardScaler({ withMean: false, withStd: false }).fitSync(X);
    expect(none.mean).toBeNull();
    expect(none.scale).toBeNull();
    expect(none.transform(X).toArray()).toEqual(X);
  });

  it('errors, JSON round trip, clone, async fit with signal', async () => {
    expect(() => new StandardScaler().transform([[1]])).toThrow(NotFittedError);
    expect(() => new StandardScaler({ withMean: 'no' } as never).fitSync([[1]])).toThrow(InvalidParameterError);
    expect(() => new StandardScaler().fitSync([[1, Infinity]])).toThrow(InvalidInputError);
    const s = new StandardScaler().fitSync([[1, Number.NaN], [2, Number.NaN]]);
    expect(() => s.transform([[1]])).toThrow(/Expected 2 columns/);
    const back = revive<StandardScaler>(JSON.parse(JSON.stringify(s.toJSON())));
    expect(back.transform([[3, 1]]).toArray()).toEqual(s.transform([[3, 1]]).toArray());
    expect(s.clone().isFitted).toBe(false);
    const c = new AbortController();
    c.abort();
    await expect(new StandardScaler().fit([[1]], undefined, { signal: c.signal })).rejects.toBeInstanceOf(AbortError);
    const Z = await new StandardScaler().fitTransform([[1], [3]]);
    expect(Z.toArray()).toEqual([[-1], [1]]);
  });
});

describe('MinMaxScaler', () => {
  it('matches scikit-learn (wine, featureRange [-1, 2])', () => {
    const { X } = loadWine();
    const ref = sk.wine_minmax;
    const m = new MinMaxScaler({ featureRange: [-1, 2] }).fitSync(X);
    expect(Array.from(m.dataMin)).toEqual(ref.dataMin);
    expect(Array.from(m.dataMax)).toEqual(ref.dataMax);
    expect(maxRel(m.scale, ref.scale)).toBeLessThan(1e-15);
    expect(maxRel(m.min, ref.min, 1e-12)).toBeLessThan(1e-14);
    const head = new Matrix(X.data.slice(0, 5 * X.cols), 5, X.cols);
    expect(maxRel(m.transform(head).data, flat(ref.transformed), 1e-12)).toBeLessThan(1e-14);
    expect(maxRel(m.inverseTransform(m.transform(X)).data, X.data, 1)).toBeLessThan(1e-13);
  });

  it('clip, constant features, NaN', () => {
    const m = new MinMaxScaler({ clip: true }).fitSync([[0, 7, Number.NaN], [10, 7, 1], [5, 7, 3]]);
    expect(m.transform([[20, 7, 2], [-5, 8, Number.NaN]]).toArray().map((r) => r.map((v) => (Number.isNaN(v) ? 'nan' : v)))).toEqual([[1, 0, 0.5], [0, 1, 'nan']]);
    expect(m.scale[1]).toBe(1);
    const noClip = new MinMaxScaler().fitSync([[0], [10]]);
    expect(noClip.transform([[20]]).get(0, 0)).toBe(2);
  });

  it('rejects a bad featureRange; JSON round trip', () => {
    for (const r of [[1, 0], [0, 0], [0], [0, Infinity], 'x']) {
      expect(() => new MinMaxScaler({ featureRange: r as never }).fitSync([[1]]), JSON.stringify(r)).toThrow(InvalidParameterError);
    }
    const m = new MinMaxScaler({ featureRange: [2, 4] }).fitSync([[1, 5], [3, 9]]);
    const back = revive<MinMaxScaler>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.transform([[2, 7]]).toArray()).toEqual([[3, 3]]);
    expect(back.getParams()).toEqual({ featureRange: [2, 4], clip: false });
  });
});

describe('SimpleImputer', () => {
  const ref = sk.iris_imputer;
  const X = (ref.X as (number | null)[][]).map((r) => r.map((v) => (v === null ? Number.NaN : v)));

  it('matches scikit-learn for mean, median, most_frequent and constant', () => {
    for (const strategy of ['mean', 'median', 'most_frequent', 'constant'] as const) {
      const imp = new SimpleImputer({ strategy, fillValue: strategy === 'constant' ? -1.5 : null }).fitSync(X);
      expect(maxRel(imp.statistics, ref[strategy].statistics), strategy).toBeLessThan(1e-15);
      expect(maxRel(imp.transform(X).data, flat(ref[strategy].transformed)), strategy).toBeLessThan(1e-15);
    }
  });

  it('most_frequent breaks ties by the smallest value; constant defaults to 0', () => {
    expect(Array.from(new SimpleImputer({ strategy: 'most_frequent' }).fitSync([[3], [1], [3], [1], [Number.NaN]]).statistics)).toEqual([1]);
    expect(new SimpleImputer({ strategy: 'constant' }).fitSync([[Number.NaN]]).transform([[Number.NaN]]).toArray()).toEqual([[0]]);
    expect(new SimpleImputer({ strategy: 'median' }).fitSync([[1], [4], [Number.NaN], [2], [10]]).statistics[0]).toBe(3);
  });

  it('drops features with no observed value (keepEmptyFeatures keeps them, filled with 0)', () => {
    const data = [[1, Number.NaN, 3], [Number.NaN, Number.NaN, 5]];
    const drop = new SimpleImputer().fitSync(data);
    expect(drop.transform(data).toArray()).toEqual([[1, 3], [1, 5]]);
    expect(Number.isNaN(drop.statistics[1]!)).toBe(true);
    const keep = new SimpleImputer({ keepEmptyFeatures: true }).fitSync(data);
    expect(keep.transform(data).toArray()).toEqual([[1, 0, 3], [1, 0, 5]]);
    const back = revive<SimpleImputer>(JSON.parse(JSON.stringify(drop.toJSON())));
    expect(back.transform(data).toArray()).toEqual([[1, 3], [1, 5]]);
  });

  it('errors', () => {
    expect(() => new SimpleImputer({ strategy: 'mode' } as never).fitSync(X)).toThrow(InvalidParameterError);
    expect(() => new SimpleImputer().fitSync([[Infinity]])).toThrow(InvalidInputError);
    expect(() => new SimpleImputer().transform(X)).toThrow(NotFittedError);
    expect(() => new SimpleImputer().fitSync(X).transform([[1]])).toThrow(/Expected 4 columns/);
  });
});
