import { describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidInputError,
  InvalidParameterError,
  LogisticRegression,
  Matrix,
  NotFittedError,
  StandardScaler,
  loadBreastCancer,
  loadIris,
  loadWine,
  makeClassification,
} from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';
import { flat, maxAbs, maxRel, sk, take, takeRows, revive } from './fixtures.js';

/** Fit to the optimum itself (see test/fixtures/sklearn_linear.py): no relative-decrease stop. */
const tight = { tol: 1e-10, ftol: 0, maxIter: 10000 } as const;

/** Coefficients within 1e-4 relative (floor: 1e-3 of the largest |coef|), intercepts and probabilities likewise. */
function expectMatches(m: LogisticRegression, ref: { coef: number[][]; intercept: number[]; proba: number[][] }, X: Matrix, label: string) {
  const coef = flat(ref.coef);
  expect(m.coef.rows).toBe(ref.coef.length);
  expect(maxRel(m.coef.data, coef, 1e-3 * maxAbs(coef)), `${label} coef`).toBeLessThan(1e-4);
  expect(maxRel(m.intercept, ref.intercept, 1e-3 * maxAbs(coef)), `${label} intercept`).toBeLessThan(1e-4);
  // Probabilities: relative 1e-4 above 1e-6 (below, both are rounding-level numbers; ours computes
  // 1 - p as e/(1+e) rather than by subtraction).
  expect(maxRel(m.predictProba(X).data, flat(ref.proba), 1e-6), `${label} proba`).toBeLessThan(1e-4);
}

function logLoss(p: Matrix, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.rows; i++) s -= Math.log(p.get(i, y[i]!));
  return s / p.rows;
}

describe('LogisticRegression vs scikit-learn 1.2', () => {
  it('iris, multinomial, C = 1: coef, intercept, probabilities', () => {
    const { X, y } = loadIris();
    const m = new LogisticRegression(tight).fitSync(X, y);
    expect(m.classes).toEqual([0, 1, 2]);
    expect(m.converged).toBe(true);
    expectMatches(m, sk.iris_multinomial, X, 'iris');
  });

  it('breast cancer, binary after StandardScaler: one coefficient row', () => {
    const { X, y } = loadBreastCancer();
    const ref = sk.breast_cancer_binary;
    const scaler = new StandardScaler().fitSync(X);
    expect(maxRel(scaler.mean!, ref.scalerMean)).toBeLessThan(1e-12);
    expect(maxRel(scaler.scale!, ref.scalerScale)).toBeLessThan(1e-12);
    const Xs = scaler.transform(X);
    const m = new LogisticRegression(tight).fitSync(Xs, y);
    expect(m.coef.rows).toBe(1);
    expect(m.intercept.length).toBe(1);
    expectMatches(m, ref, Xs, 'breast cancer');
  });

  it("class_weight='balanced' on an unbalanced iris subset, C = 0.5", () => {
    const { X, y } = loadIris();
    const ref = sk.iris_balanced;
    const Xs = takeRows(X, ref.rows);
    const m = new LogisticRegression({ ...tight, C: 0.5, classWeight: 'balanced' }).fitSync(Xs, take(y, ref.rows));
    expectMatches(m, ref, Xs, 'balanced');
  });

  it('class weights as an object, binary, C = 0.3', () => {
    const { X, y } = loadIris();
    const ref = sk.iris_binary_dict_weight;
    const Xs = takeRows(X, ref.rows);
    const m = new LogisticRegression({ ...tight, C: 0.3, classWeight: { 0: 2, 1: 0.5 } }).fitSync(Xs, take(y, ref.rows));
    expectMatches(m, ref, Xs, 'dict weights');
  });

  it('fitIntercept: false, C = 10', () => {
    const { X, y } = loadIris();
    const m = new LogisticRegression({ ...tight, C: 10, fitIntercept: false }).fitSync(X, y);
    expect(Array.from(m.intercept)).toEqual([0, 0, 0]);
    expectMatches(m, sk.iris_no_intercept, X, 'no intercept');
  });

  it('sample weights (wine, weighted StandardScaler, C = 0.7)', () => {
    const { X, y } = loadWine();
    const ref = sk.wine_weighted;
    const scaler = new StandardScaler().fitSync(X, undefined, { sampleWeight: ref.sampleWeight });
    expect(maxRel(scaler.mean!, ref.scalerMean)).toBeLessThan(1e-12);
    expect(maxRel(scaler.scale!, ref.scalerScale)).toBeLessThan(1e-12);
    const Xs = scaler.transform(X);
    const m = new LogisticRegression({ ...tight, C: 0.7 }).fitSync(Xs, y, { sampleWeight: ref.sampleWeight });
    expectMatches(m, ref, Xs, 'wine weighted');
  });

  it("with default settings follows scikit-learn's lbfgs: same iterations, same coefficients", () => {
    // Same algorithm and stopping rules as scipy's L-BFGS-B: the trajectories agree to rounding, so
    // the iteration counts match and the coefficients where the fits stop agree closely.
    const { X, y } = loadIris();
    const { X: Xb, y: yb } = loadBreastCancer();
    const Xs = new StandardScaler().fitSync(Xb).transform(Xb);
    const { X: Xw, y: yw } = loadWine();
    const w = sk.wine_weighted;
    const Xws = new StandardScaler().fitSync(Xw, undefined, { sampleWeight: w.sampleWeight }).transform(Xw);
    const bal = sk.iris_balanced;
    const dict = sk.iris_binary_dict_weight;
    const cases: [string, LogisticRegression, { lbfgs: { coef: number[][]; intercept: number[]; nIter: number } }][] = [
      ['breast cancer', new LogisticRegression().fitSync(Xs, yb), sk.breast_cancer_binary],
      ['balanced', new LogisticRegression({ C: 0.5, classWeight: 'balanced' }).fitSync(takeRows(X, bal.rows), take(y, bal.rows)), bal],
      ['dict weights', new LogisticRegression({ C: 0.3, classWeight: { 0: 2, 1: 0.5 } }).fitSync(takeRows(X, dict.rows), take(y, dict.rows)), dict],
      ['no intercept', new LogisticRegression({ C: 10, fitIntercept: false }).fitSync(X, y), sk.iris_no_intercept],
      ['wine weighted', new LogisticRegression({ C: 0.7 }).fitSync(Xws, yw, { sampleWeight: w.sampleWeight }), w],
    ];
    for (const [label, m, ref] of cases) {
      const coef = flat(ref.lbfgs.coef);
      expect(m.converged, label).toBe(true);
      expect(Math.abs(m.nIter - ref.lbfgs.nIter), `${label}: ${m.nIter} vs ${ref.lbfgs.nIter} iterations`).toBeLessThanOrEqual(1);
      expect(maxRel(m.coef.data, coef, 1e-3 * maxAbs(coef)), label).toBeLessThan(1e-4);
      expect(maxRel(m.intercept, ref.lbfgs.intercept, 1e-3 * maxAbs(coef)), label).toBeLessThan(1e-4);
    }
    // Iris multinomial does not converge in 100 iterations on either side (scikit-learn warns).
    const iris = new LogisticRegression().fitSync(X, y);
    expect(iris.nIter).toBe(100);
    expect(iris.converged).toBe(false);
    expect(sk.iris_multinomial.lbfgs.nIter).toBe(100);
  });
});

describe('LogisticRegression semantics', () => {
  it('weight 2 equals a duplicated row (sample weights and class weights)', () => {
    // The same objective up to the order of its sums: both fits converge to the same optimum, equal
    // to the precision the stopping rule leaves (~1e-6 relative on iris), well inside 1e-5.
    const { X, y } = loadIris();
    const r = rng(7);
    const picked = Array.from({ length: 40 }, () => Math.floor(r() * 150));
    const weights = new Float64Array(150).fill(1);
    for (const i of picked) weights[i]!++;
    const rows = [...Array.from({ length: 150 }, (_, i) => i), ...picked];
    const dup = new LogisticRegression({ ...tight, C: 2 }).fitSync(takeRows(X, rows), take(y, rows));
    const weighted = new LogisticRegression({ ...tight, C: 2 }).fitSync(X, y, { sampleWeight: weights });
    expect(maxRel(weighted.coef.data, dup.coef.data, 1e-3 * maxAbs(dup.coef.data))).toBeLessThan(1e-5);
    expect(maxRel(weighted.intercept, dup.intercept, 1e-3 * maxAbs(dup.coef.data))).toBeLessThan(1e-5);

    // classWeight {2: 2} == every row of class 2 twice.
    const rows2 = [...Array.from({ length: 150 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 100 + i)];
    const dup2 = new LogisticRegression(tight).fitSync(takeRows(X, rows2), take(y, rows2));
    const cw = new LogisticRegression({ ...tight, classWeight: { 2: 2 } }).fitSync(X, y);
    expect(maxRel(cw.coef.data, dup2.coef.data, 1e-3 * maxAbs(dup2.coef.data))).toBeLessThan(1e-5);
  });

  it("'balanced' is n / (k * count) per class", () => {
    const { X, y } = loadIris();
    const rows = [...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 20 }, (_, i) => 50 + i), ...Array.from({ length: 30 }, (_, i) => 100 + i)];
    const Xs = takeRows(X, rows);
    const ys = take(y, rows);
    const n = rows.length;
    const balanced = new LogisticRegression({ ...tight, classWeight: 'balanced' }).fitSync(Xs, ys);
    const explicit = new LogisticRegression({ ...tight, classWeight: { 0: n / (3 * 50), 1: n / (3 * 20), 2: n / (3 * 30) } }).fitSync(Xs, ys);
    expect(Array.from(balanced.coef.data)).toEqual(Array.from(explicit.coef.data));
  });

  it("penalty 'none' on separable data stops without NaN and separates the classes", () => {
    const { X, y } = loadIris();
    const yb = Array.from(y, (v) => (v === 0 ? 0 : 1)); // setosa vs the rest: linearly separable
    const m = new LogisticRegression({ penalty: 'none', maxIter: 1000 }).fitSync(X, yb);
    expect(Array.from(m.coef.data).every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(m.intercept[0]!)).toBe(true);
    const p = m.predictProba(X);
    expect(Array.from(p.data).every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    expect(m.score(X, yb)).toBe(1);
    // Multinomial without penalty on nearly separable data (the optimum may be at infinity).
    const mm = new LogisticRegression({ penalty: 'none', maxIter: 500 }).fitSync(X, y);
    expect(Array.from(mm.predictProba(X).data).every(Number.isFinite)).toBe(true);
    expect(mm.score(X, y)).toBeGreaterThan(0.97);
  });

  it('string labels: sorted classes, predictions mapped back, same model as numeric labels', () => {
    const { X, y } = loadIris();
    const names = ['virginica', 'setosa', 'versicolor'];
    const ys = Array.from(y, (v) => names[v]!);
    const m = new LogisticRegression().fitSync(X, ys);
    expect(m.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const pred = m.predict(X) as string[];
    expect(pred.every((p) => typeof p === 'string')).toBe(true);
    expect(m.score(X, ys)).toBeGreaterThan(0.95);
    // Class order setosa(1), versicolor(2), virginica(0) -> numeric labels 1, 2, 0 reorder rows.
    const numeric = new LogisticRegression().fitSync(X, Array.from(y, (v) => ({ 0: 2, 1: 0, 2: 1 })[v as 0 | 1 | 2]!));
    expect(Array.from(m.coef.data)).toEqual(Array.from(numeric.coef.data));
    const back = revive<LogisticRegression>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.predict(X)).toEqual(pred);
    expect(back.classes).toEqual(m.classes);
  });

  it('throws NotFittedError before fit', () => {
    const m = new LogisticRegression();
    const X = [[1, 2]];
    expect(() => m.predict(X)).toThrow(NotFittedError);
    expect(() => m.predictProba(X)).toThrow(NotFittedError);
    expect(() => m.decisionFunction(X)).toThrow(NotFittedError);
    expect(() => m.coef).toThrow(NotFittedError);
    expect(() => m.intercept).toThrow(NotFittedError);
    expect(() => m.classes).toThrow(/not fitted yet: call fit\(\) before reading classes/);
    expect(() => m.nIter).toThrow(NotFittedError);
  });

  it('throws InvalidParameterError for bad options, at fit (sync and async)', async () => {
    const { X, y } = loadIris();
    const bad: [object, RegExp][] = [
      [{ C: 0 }, /'C'/],
      [{ C: -1 }, /'C'/],
      [{ penalty: 'l1' }, /'penalty'/],
      [{ maxIter: -1 }, /'maxIter'/],
      [{ maxIter: 2.5 }, /'maxIter'/],
      [{ tol: -1 }, /'tol'/],
      [{ fitIntercept: 'yes' }, /'fitIntercept'/],
      [{ classWeight: 'auto' }, /classWeight/],
      [{ classWeight: { 7: 1 } }, /classWeight names class "7"/],
      [{ classWeight: { 0: -1 } }, /classWeight/],
      [{ Cc: 1 }, /Did you mean 'C'/],
    ];
    for (const [opts, msg] of bad) {
      const m = new LogisticRegression(opts as never);
      expect(() => m.fitSync(X, y), JSON.stringify(opts)).toThrow(InvalidParameterError);
      expect(() => m.fitSync(X, y), JSON.stringify(opts)).toThrow(msg);
      await expect(m.fit(X, y)).rejects.toBeInstanceOf(InvalidParameterError);
    }
    expect(() => new LogisticRegression().setParams({ C: 'big' })).toThrow(InvalidParameterError);
  });

  it('rejects bad input with InvalidInputError naming the row and column', async () => {
    const { X, y } = loadIris();
    const Xn = new Matrix(X.data.slice(), X.rows, X.cols);
    Xn.data[7 * 4 + 2] = Number.NaN;
    expect(() => new LogisticRegression().fitSync(Xn, y)).toThrow(/NaN at row 7, column 2/);
    await expect(new LogisticRegression().fit(Xn, y)).rejects.toBeInstanceOf(InvalidInputError);
    const m = new LogisticRegression().fitSync(X, y);
    expect(() => m.predict(Xn)).toThrow(/NaN at row 7, column 2/);
    expect(() => m.predictProba([[1, 2, 3]])).toThrow(/Expected 4 columns/);
    expect(() => new LogisticRegression().fitSync(X, Array.from(y, () => 1))).toThrow(/at least 2 classes/);
    expect(() => new LogisticRegression().fitSync(X, y, { sampleWeight: [1, 2] })).toThrow(InvalidInputError);
    expect(() => new LogisticRegression().fitSync(X, y.slice(0, 10))).toThrow(InvalidInputError);
  });

  it('JSON round trip gives identical predictions and params', () => {
    const { X, y } = loadWine();
    const m = new LogisticRegression({ C: 0.01, maxIter: 300 }).fitSync(X, y);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.type).toBe('LogisticRegression');
    const back = revive<LogisticRegression>(json);
    expect(back).toBeInstanceOf(LogisticRegression);
    expect(back.getParams()).toEqual(m.getParams());
    expect(Array.from(back.predictProba(X).data)).toEqual(Array.from(m.predictProba(X).data));
    expect(Array.from(back.predict(X) as Float64Array)).toEqual(Array.from(m.predict(X) as Float64Array));
    expect(back.nIter).toBe(m.nIter);
    // Unfitted JSON has no state and revives unfitted.
    const unfitted = revive<LogisticRegression>(new LogisticRegression({ C: 3 }).toJSON());
    expect(unfitted.isFitted).toBe(false);
    expect(unfitted.getParams().C).toBe(3);
  });

  it('clone gives an unfitted copy with equal params', () => {
    const m = new LogisticRegression({ C: 0.5, classWeight: { 0: 2 } }).fitSync([[0], [1], [2], [3]], [0, 0, 1, 1]);
    const c = m.clone();
    expect(c).toBeInstanceOf(LogisticRegression);
    expect(c.isFitted).toBe(false);
    expect(c.getParams()).toEqual(m.getParams());
    expect(c.getParams().classWeight).not.toBe(m.getParams().classWeight);
    expect(m.getParams()).toEqual({ penalty: 'l2', C: 0.5, fitIntercept: true, classWeight: { 0: 2 }, maxIter: 100, tol: 1e-4, ftol: 2.220446049250313e-9, nThreads: 0 });
  });

  it('decisionFunction, predictLogProba and predict agree', () => {
    const { X, y } = loadIris();
    const m = new LogisticRegression().fitSync(X, y);
    const z = m.decisionFunction(X);
    expect([z.rows, z.cols]).toEqual([150, 3]);
    const lp = m.predictLogProba(X);
    const p = m.predictProba(X);
    for (let i = 0; i < 150; i++) {
      const row = Array.from(z.row(i));
      expect(m.predict([Array.from(X.row(i))])[0]).toBe(row.indexOf(Math.max(...row)));
      expect(Math.exp(lp.get(i, 0))).toBeCloseTo(p.get(i, 0), 12);
      expect(p.get(i, 0) + p.get(i, 1) + p.get(i, 2)).toBeCloseTo(1, 14);
    }
    const { X: Xb, y: yb } = loadBreastCancer();
    const b = new LogisticRegression({ maxIter: 1000 }).fitSync(Xb, yb);
    const zb = b.decisionFunction(Xb);
    expect(zb.cols).toBe(1);
    const pb = b.predictProba(Xb);
    for (let i = 0; i < 20; i++) expect(pb.get(i, 1)).toBeCloseTo(1 / (1 + Math.exp(-zb.data[i]!)), 12);
  });

  it('gradient matches finite differences (binary and multinomial, weighted)', () => {
    const { X, y } = loadIris();
    const w = Float64Array.from({ length: 150 }, (_, i) => 0.5 + (i % 5) * 0.3);
    for (const [labels, k] of [[Int32Array.from(y), 3], [Int32Array.from(y, (v) => (v === 2 ? 1 : 0)), 2]] as const) {
      const rows = k === 2 ? 1 : k;
      const size = rows * 5;
      const r = rng(3);
      const params = Float64Array.from({ length: size }, () => r() - 0.5);
      const opts = { C: 0.8, penalty: true, fitIntercept: true, maxIter: 0, tol: 0, ftol: 0, nThreads: 1 };
      const { loss, grad } = native.linear.logisticLossGradient(X.data, 150, 4, labels, k, w, opts, params);
      const h = 1e-6;
      for (let j = 0; j < size; j++) {
        const p1 = params.slice();
        p1[j]! += h;
        const p0 = params.slice();
        p0[j]! -= h;
        const f1 = native.linear.logisticLossGradient(X.data, 150, 4, labels, k, w, opts, p1).loss;
        const f0 = native.linear.logisticLossGradient(X.data, 150, 4, labels, k, w, opts, p0).loss;
        expect(Math.abs((f1 - f0) / (2 * h) - grad[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(grad[j]!)));
      }
      expect(loss).toBeGreaterThan(0);
    }
  });

  it('float32 X gives the float64 model (X widened once)', () => {
    const { X, y } = loadIris();
    const m64 = new LogisticRegression(tight).fitSync(X, y);
    const X32 = { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols };
    const X64 = new Matrix(Float64Array.from(X32.data), X.rows, X.cols);
    const a = new LogisticRegression(tight).fitSync(X32, y);
    const b = new LogisticRegression(tight).fitSync(X64, y);
    expect(Array.from(a.coef.data)).toEqual(Array.from(b.coef.data));
    expect(maxRel(a.predictProba(X32).data, b.predictProba(X64).data, 1e-12)).toBeLessThan(1e-12);
    expect(maxRel(a.coef.data, m64.coef.data, 1e-2)).toBeLessThan(1e-3);
  });
});

describe('LogisticRegression: determinism across SIMD paths and threads, async fit', () => {
  // Large enough for many row blocks in the native loss (so threads really split the work).
  const multi = makeClassification({ nSamples: 6000, nFeatures: 24, nInformative: 10, nClasses: 4, seed: 11 });
  const binary = makeClassification({ nSamples: 8000, nFeatures: 17, nInformative: 6, nClasses: 2, seed: 12 });

  it('loss and gradient: every SIMD path within 1e-12 of scalar; identical bits for 1 and 2 threads', () => {
    for (const [data, k] of [[multi, 4], [binary, 2]] as const) {
      const rows = k === 2 ? 1 : k;
      const r = rng(5);
      const params = Float64Array.from({ length: rows * (data.X.cols + 1) }, () => (r() - 0.5) * 0.2);
      const labels = Int32Array.from(data.y);
      const evalAt = (nThreads: number) =>
        native.linear.logisticLossGradient(data.X.data, data.X.rows, data.X.cols, labels, k, undefined, { C: 1, penalty: true, fitIntercept: true, maxIter: 0, tol: 0, ftol: 0, nThreads }, params);
      const base = withIsa('scalar', () => evalAt(1));
      for (const isa of availableIsas()) {
        const runs = threadCounts().map((t) => withIsa(isa, () => evalAt(t)));
        for (const run of runs) {
          expect(Math.abs(run.loss - base.loss) / base.loss, isa).toBeLessThan(1e-12);
          expect(maxRel(run.grad, base.grad, maxAbs(base.grad)), isa).toBeLessThan(1e-12);
          expect(run.loss).toBe(runs[0]!.loss);
          expect(Array.from(run.grad)).toEqual(Array.from(runs[0]!.grad));
        }
      }
    }
  });

  it('fits: SIMD paths within 1e-10 over a fixed iteration budget; 1 vs 2 threads identical bits', () => {
    for (const data of [multi, binary]) {
      const fits = new Map<string, LogisticRegression>();
      for (const isa of availableIsas()) {
        for (const nThreads of threadCounts()) {
          // tol = ftol = 0: exactly 20 L-BFGS iterations on every path, so rounding differences are
          // compared along the same trajectory.
          fits.set(`${isa}/${nThreads}`, withIsa(isa, () => new LogisticRegression({ C: 0.1, tol: 0, ftol: 0, maxIter: 20, nThreads }).fitSync(data.X, data.y)));
        }
      }
      const base = fits.get('scalar/1')!;
      const scale = maxAbs(base.coef.data);
      for (const [key, m] of fits) {
        expect(m.nIter, key).toBe(20);
        expect(maxRel(m.coef.data, base.coef.data, scale), key).toBeLessThan(1e-10);
        expect(maxRel(m.intercept, base.intercept, scale), key).toBeLessThan(1e-10);
        const [isa] = key.split('/');
        expect(Array.from(m.coef.data), `${key} vs ${isa}/1`).toEqual(Array.from(fits.get(`${isa}/1`)!.coef.data));
      }
    }
  });

  it('converged fits: threads give identical bits; SIMD paths agree to the conditioning of the optimum', () => {
    // Run to convergence the stopping point depends on last-bit differences in f (the objective is
    // flat to rounding within ~1e-8 of the optimum), so across ISAs expect ~1e-7, not 1e-10.
    for (const data of [multi, binary]) {
      const byIsa = availableIsas().map((isa) => threadCounts().map((nThreads) => withIsa(isa, () => new LogisticRegression({ ...tight, C: 0.1, nThreads }).fitSync(data.X, data.y))));
      const base = byIsa[0]![0]!;
      for (const runs of byIsa) {
        expect(maxRel(runs[0]!.coef.data, base.coef.data, maxAbs(base.coef.data))).toBeLessThan(1e-6);
        for (const m of runs) expect(Array.from(m.coef.data)).toEqual(Array.from(runs[0]!.coef.data));
      }
    }
  });

  it('async fit gives the sync model bits, reports progress, and keeps the event loop free', async () => {
    const sync = new LogisticRegression({ maxIter: 50 }).fitSync(multi.X, multi.y);
    const seen: number[] = [];
    const m = await new LogisticRegression({ maxIter: 50 }).fit(multi.X, multi.y, { onProgress: (f) => seen.push(f) });
    expect(Array.from(m.coef.data)).toEqual(Array.from(sync.coef.data));
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });

  it('stops on an AbortSignal with AbortError', async () => {
    const big = makeClassification({ nSamples: 60000, nFeatures: 40, nInformative: 10, nClasses: 5, seed: 5 });
    const controller = new AbortController();
    const pending = new LogisticRegression({ ...tight, maxIter: 100000 }).fit(big.X, big.y, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    const pre = new AbortController();
    pre.abort();
    await expect(new LogisticRegression().fit(big.X, big.y, { signal: pre.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('reaches the same log-loss as a long run on a larger synthetic problem', () => {
    const m = new LogisticRegression().fitSync(multi.X, multi.y);
    const best = new LogisticRegression(tight).fitSync(multi.X, multi.y);
    const a = logLoss(m.predictProba(multi.X), multi.y);
    const b = logLoss(best.predictProba(multi.X), multi.y);
    expect(a).toBeGreaterThanOrEqual(b - 1e-12);
    expect((a - b) / b).toBeLessThan(1e-4);
  });
});
