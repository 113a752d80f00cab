/**
 * Serving paths of forests and single trees: predictOne (one row on the calling thread, through the
 * same compiled forest as the batch) must equal predict / predictProba bit for bit, for float64,
 * float32 and plain-array rows, NaN and infinities included, on every ISA; predictAsync /
 * predictProbaAsync must equal their synchronous twins and honour an AbortSignal.
 */
import { describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  ExtraTreesRegressor,
  GradientBoostingRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  loadIris,
} from '../../lib/index.js';
import { availableIsas, rng, withIsa } from '../helpers.js';

const cols = 6;

function data(rows: number, seed: number) {
  const r = rng(seed);
  const X = new Float64Array(rows * cols);
  const y2 = new Float64Array(rows);
  const yr = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = r() < 0.05 ? NaN : r() * 4 - 2;
    const a = X[i * cols]! || 0;
    const b = X[i * cols + 1]! || 0;
    y2[i] = a + 0.5 * b + 0.3 * (r() - 0.5) > 0 ? 1 : 0;
    yr[i] = Math.sin(a) * 3 + b * b + 0.2 * r();
  }
  return { X: { data: X, rows, cols }, y2, yr };
}

// Rows that sit on the learned thresholds' sides, plus NaN and infinities.
function queries(seed: number) {
  const q = data(60, seed).X;
  q.data[0] = NaN;
  q.data[cols + 1] = Infinity;
  q.data[2 * cols + 2] = -Infinity;
  return q;
}

const train = data(500, 1);

describe('forests and trees: predictOne', () => {
  const iris = loadIris();
  const models = {
    'RandomForestClassifier (2 classes)': () => new RandomForestClassifier({ nEstimators: 15, seed: 2 }).fitSync(train.X, train.y2),
    'RandomForestRegressor': () => new RandomForestRegressor({ nEstimators: 10, seed: 3 }).fitSync(train.X, train.yr),
    'ExtraTreesRegressor': () => new ExtraTreesRegressor({ nEstimators: 10, seed: 4 }).fitSync(train.X, train.yr),
    'DecisionTreeClassifier (2 classes)': () => new DecisionTreeClassifier({ maxDepth: 8 }).fitSync(train.X, train.y2),
  };
  for (const [name, make] of Object.entries(models)) {
    it(`${name}: equals the batch prediction row by row on every ISA`, () => {
      const m = make();
      for (const isa of availableIsas()) {
        withIsa(isa, () => {
          const q = queries(7);
          const batch = 'predictProba' in m ? (m as RandomForestClassifier).predictProba(q).data : (m as RandomForestRegressor).predict(q);
          const k = 'predictProba' in m ? 2 : 1;
          for (let i = 0; i < q.rows; i++) {
            const row = q.data.subarray(i * cols, (i + 1) * cols);
            const want = batch[i * k + k - 1]; // P(class 1) or the value
            expect(m.predictOne(row), `${isa} row ${i}`).toBe(want);
            expect(m.predictOne(Array.from(row)), `${isa} row ${i} (plain array)`).toBe(want);
            const f32 = Float32Array.from(row);
            const wantF32 = 'predictProba' in m ? (m as RandomForestClassifier).predictProba({ data: f32, rows: 1, cols }).data[1] : (m as RandomForestRegressor).predict({ data: f32, rows: 1, cols })[0];
            expect(m.predictOne(f32), `${isa} row ${i} (float32)`).toBe(wantF32);
          }
        });
      }
      expect(() => m.predictOne(new Float64Array(cols + 1))).toThrow(/values/);
    });
  }

  it('a multi-class forest writes its class probabilities into out', () => {
    const m = new RandomForestClassifier({ nEstimators: 12, seed: 5 }).fitSync(iris.X, iris.y);
    const p = m.predictProba(iris.X).data;
    const out = new Float64Array(3);
    for (let i = 0; i < iris.X.rows; i += 7) {
      const row = iris.X.data.subarray(i * 4, i * 4 + 4);
      expect(m.predictOne(row, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(p.subarray(3 * i, 3 * i + 3)));
    }
    expect(() => m.predictOne(iris.X.data.subarray(0, 4))).toThrow(/out/);
    expect(() => new RandomForestClassifier().predictOne([1, 2])).toThrow(/not fitted/);
  });

  it('plain-array rows hold numbers only, as the batch input (nothing coerced)', () => {
    const m = new DecisionTreeClassifier({ maxDepth: 3 }).fitSync(train.X, train.y2);
    const g = new GradientBoostingRegressor({ nEstimators: 3 }).fitSync(train.X, train.yr);
    for (const bad of [null, 'x', undefined, true]) {
      const row: unknown[] = [0.5, 1, -1, 0, 2, 1];
      row[2] = bad;
      expect(() => m.predictOne(row as number[]), String(bad)).toThrow(/Expected a number at row\[2\]/);
      expect(() => g.predictOne(row as number[]), String(bad)).toThrow(/Expected a number at row\[2\]/);
    }
    expect(m.predictOne([0.5, 1, NaN, Infinity, 2, 1])).toBe(m.predictProba({ data: Float64Array.from([0.5, 1, NaN, Infinity, 2, 1]), rows: 1, cols }).data[1]);
  });

  it('the scratch row follows a refit with another feature count (plain arrays)', () => {
    const m = new RandomForestRegressor({ nEstimators: 3, seed: 1 }).fitSync(train.X, train.yr);
    expect(typeof m.predictOne(Array.from(train.X.data.subarray(0, cols)))).toBe('number');
    m.fitSync({ data: train.X.data.subarray(0, 500 * 3), rows: 500, cols: 3 }, train.yr);
    const row = Array.from(train.X.data.subarray(0, 3));
    expect(m.predictOne(row)).toBe(m.predict({ data: Float64Array.from(row), rows: 1, cols: 3 })[0]);
    const g = new GradientBoostingRegressor({ nEstimators: 5 }).fitSync(train.X, train.yr);
    expect(typeof g.predictOne(Array.from(train.X.data.subarray(0, cols)))).toBe('number');
    g.fitSync({ data: train.X.data.subarray(0, 500 * 3), rows: 500, cols: 3 }, train.yr);
    expect(g.predictOne(row)).toBe(g.predict({ data: Float64Array.from(row), rows: 1, cols: 3 })[0]);
  });
});

describe('forests: predictAsync', () => {
  it('equals predict / predictProba, and honours an AbortSignal', async () => {
    const q = queries(9);
    const rf = await new RandomForestClassifier({ nEstimators: 10, seed: 6 }).fit(train.X, train.y2);
    expect(await rf.predictAsync(q)).toEqual(rf.predict(q));
    expect((await rf.predictProbaAsync(q)).data).toEqual(rf.predictProba(q).data);
    const et = await new ExtraTreesRegressor({ nEstimators: 6, seed: 8 }).fit(train.X, train.yr);
    expect(await et.predictAsync(q)).toEqual(et.predict(q));
    const iris = loadIris();
    const multi = new RandomForestClassifier({ nEstimators: 8, seed: 2 }).fitSync(iris.X, iris.y);
    expect((await multi.predictProbaAsync(iris.X)).data).toEqual(multi.predictProba(iris.X).data);
    expect(await multi.predictAsync(iris.X)).toEqual(multi.predict(iris.X));
    const ac = new AbortController();
    ac.abort();
    await expect(et.predictAsync(q, { signal: ac.signal })).rejects.toThrow(/abort/i);
    // A refit while the job runs must not relabel its scores with the new model's classes.
    const labelled = await new RandomForestClassifier({ nEstimators: 5, seed: 1 }).fit(train.X, Array.from(train.y2, (v) => (v ? 'a' : 'b')));
    const before = labelled.predict(q);
    const pending = labelled.predictAsync(q);
    labelled.fitSync(train.X, Array.from(train.y2, (v) => (v ? 'x' : 'y')));
    expect(await pending).toEqual(before);
    await expect(new ExtraTreesRegressor().predictAsync(q)).rejects.toThrow(/not fitted/);
  });
});
