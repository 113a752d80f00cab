import { describe, expect, it } from 'vitest';
import {
  AbortError,
  Dataset,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  InvalidInputError,
  InvalidParameterError,
  Matrix,
  ModelFormatError,
  NotFittedError,
  estimatorFromJSON,
  loadBreastCancer,
  loadDiabetes,
  makeClassification,
  makeFriedman1,
} from '../../lib/index.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';

/** n x d uniform(-1, 1) features from a seed. */
function uniform(n: number, d: number, seed: number): Matrix {
  const r = rng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return new Matrix(data, n, d);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** A small nonlinear regression problem. */
function friedman(n: number, seed: number) {
  return makeFriedman1({ nSamples: n, nFeatures: 8, noise: 0.5, seed });
}

describe('GradientBoostingRegressor basics', () => {
  it('a tree that cannot split predicts the base score (label mean; log-odds for binary)', () => {
    const { X, y } = friedman(300, 1);
    const m = new GradientBoostingRegressor({ nEstimators: 5, minChildSamples: 1000 }).fitSync(X, y);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    // Every tree is a single leaf; its output -G/H is zero up to the float32 rounding of the gradients.
    expect(Array.from(m.trees().nodeCounts)).toEqual([1]);
    for (const p of m.predict(X)) expect(Math.abs(p - mean)).toBeLessThan(1e-7 * Math.abs(mean));

    const c = makeClassification({ nSamples: 400, nFeatures: 5, seed: 3, weights: [0.7, 0.3] });
    const clf = new GradientBoostingClassifier({ nEstimators: 3, minChildSamples: 10_000 }).fitSync(c.X, c.y);
    const rate = c.y.reduce((a, b) => a + b, 0) / c.y.length;
    const raw = clf.predictRaw(c.X);
    for (const z of raw.data) expect(z).toBeCloseTo(Math.log(rate / (1 - rate)), 7);
    expect(clf.predictProba(c.X).data[1]).toBeCloseTo(rate, 7);
  });

  it('absolute error starts at the median, quantile at the quantile', () => {
    const { X, y } = friedman(501, 2);
    const sorted = Array.from(y).sort((a, b) => a - b);
    const l1 = new GradientBoostingRegressor({ objective: 'absolute_error', nEstimators: 1, minChildSamples: 10_000 }).fitSync(X, y);
    expect(l1.predict(X)[0]).toBeCloseTo(sorted[250]!, 10);
    // A fitted 0.9-quantile model leaves about 90% of the training targets below its predictions.
    const q = new GradientBoostingRegressor({ objective: 'quantile', quantileAlpha: 0.9, nEstimators: 200, minChildSamples: 5 }).fitSync(X, y);
    const pred = q.predict(X);
    let below = 0;
    for (let i = 0; i < y.length; i++) if (y[i]! <= pred[i]!) below++;
    expect(below / y.length).toBeGreaterThan(0.85);
    expect(below / y.length).toBeLessThan(0.95);
  });

  it('fits Friedman #1 well and the R² beats a shallow model', () => {
    const train = friedman(3000, 4);
    const test = friedman(1000, 5);
    const m = new GradientBoostingRegressor({ nEstimators: 200, learningRate: 0.1, numLeaves: 15 }).fitSync(train.X, train.y);
    const stump = new GradientBoostingRegressor({ nEstimators: 200, learningRate: 0.1, numLeaves: 2 }).fitSync(train.X, train.y);
    const r2 = m.score(test.X, test.y);
    expect(r2).toBeGreaterThan(0.9);
    expect(r2).toBeGreaterThan(stump.score(test.X, test.y));
  });

  it('poisson predicts positive means close to the rate', () => {
    const r = rng(7);
    const n = 4000;
    const X = uniform(n, 2, 8);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lambda = Math.exp(1 + X.data[2 * i]!);
      // Knuth's Poisson sampler
      let k = 0;
      let p = 1;
      const L = Math.exp(-lambda);
      do {
        k++;
        p *= r();
      } while (p > L);
      y[i] = k - 1;
    }
    const m = new GradientBoostingRegressor({ objective: 'poisson', nEstimators: 100 }).fitSync(X, y);
    const probe = new Matrix(Float64Array.from([0.5, 0, -0.5, 0]), 2, 2);
    const pred = m.predict(probe);
    expect(pred[0]! / Math.exp(1.5)).toBeGreaterThan(0.85);
    expect(pred[0]! / Math.exp(1.5)).toBeLessThan(1.15);
    expect(pred[1]! / Math.exp(0.5)).toBeGreaterThan(0.85);
    expect(pred[1]! / Math.exp(0.5)).toBeLessThan(1.15);
  });
});

describe('GradientBoostingClassifier basics', () => {
  it('fit() trains on X and the eval sets as they were when called: overwriting them while the job runs changes nothing', async () => {
    const all = makeClassification({ nSamples: 5000, nFeatures: 8, nInformative: 5, seed: 17 });
    const cut = 4000 * 8;
    const opts = { nEstimators: 30, numLeaves: 15, earlyStoppingRounds: 5, seed: 1 };
    for (const dtype of [Float64Array, Float32Array]) {
      const Xtr = { data: dtype.from(all.X.data.subarray(0, cut)), rows: 4000, cols: 8 };
      const Xva = { data: dtype.from(all.X.data.subarray(cut)), rows: 1000, cols: 8 };
      const ytr = Array.from(all.y).slice(0, 4000);
      const yva = Array.from(all.y).slice(4000);
      const ref = new GradientBoostingClassifier(opts).fitSync(Xtr, ytr, { evalSet: [{ X: Xva, y: yva }] });
      const want = Array.from(ref.predictRaw(Xva).data);
      const pending = new GradientBoostingClassifier(opts).fit(Xtr, ytr, { evalSet: [{ X: Xva, y: yva }] });
      const keep = { data: dtype.from(Xva.data), rows: 1000, cols: 8 };
      Xtr.data.fill(NaN);
      Xva.data.fill(NaN);
      const m = await pending;
      expect(m.bestIteration).toBe(ref.bestIteration);
      expect(Array.from(m.predictRaw(keep).data)).toEqual(want);
    }
  });

  it('string labels, classes order and probabilities summing to one (3 classes)', () => {
    const c = makeClassification({ nSamples: 900, nFeatures: 6, nInformative: 4, nClasses: 3, seed: 11 });
    const names = ['setosa', 'versicolor', 'virginica'];
    const y = Array.from(c.y, (v) => names[v]!);
    const m = new GradientBoostingClassifier({ nEstimators: 30 }).fitSync(c.X, y);
    expect(m.classes).toEqual(names);
    const p = m.predictProba(c.X);
    expect(p.cols).toBe(3);
    for (let i = 0; i < p.rows; i++) expect(p.data[3 * i]! + p.data[3 * i + 1]! + p.data[3 * i + 2]!).toBeCloseTo(1, 12);
    const pred = m.predict(c.X) as string[];
    for (let i = 0; i < p.rows; i++) {
      const row = [p.data[3 * i]!, p.data[3 * i + 1]!, p.data[3 * i + 2]!];
      expect(pred[i]).toBe(names[row.indexOf(Math.max(...row))]);
    }
    expect(m.score(c.X, y)).toBeGreaterThan(0.9);
  });

  it('binary probabilities are the sigmoid of the margins', () => {
    const { X, y } = loadBreastCancer();
    const m = new GradientBoostingClassifier({ nEstimators: 20 }).fitSync(X, y);
    const raw = m.predictRaw(X);
    const p = m.predictProba(X);
    expect(raw.cols).toBe(1);
    for (let i = 0; i < 50; i++) expect(p.data[2 * i + 1]).toBeCloseTo(sigmoid(raw.data[i]!), 12);
  });

  it('learns the missing-value direction: NaN exactly when the label is 1', () => {
    const n = 2000;
    const X = uniform(n, 4, 21);
    const r = rng(22);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = r() < 0.5 ? 1 : 0;
      if (y[i] === 1) X.data[4 * i + 2] = NaN;
    }
    const m = new GradientBoostingClassifier({ nEstimators: 5, numLeaves: 4 }).fitSync(X, y);
    expect(m.score(X, y)).toBe(1);
    const trees = m.trees();
    expect(trees.feature[0]).toBe(2); // the root of the first tree splits on the NaN feature
    expect(m.featureImportances('gain')[2]).toBeGreaterThan(0.99 * m.featureImportances('gain').reduce((a, b) => a + b, 0));
  });
});

describe('histograms and threads', () => {
  it('histogram subtraction equals building every node directly', () => {
    // First trees from a zero start: gradients are integers (regression on integer targets) or ±0.5
    // with hessian 0.25 (binary), so every histogram sum is exact and subtraction must give the very
    // same histograms, hence the very same tree, as building each child directly.
    const n = 3000;
    const X = uniform(n, 10, 31);
    const r = rng(32);
    const yReg = Float64Array.from({ length: n }, (_, i) => Math.round(8 * X.data[10 * i]! + 4 * X.data[10 * i + 1]! ** 2 + 3 * r()));
    const yBin = Float64Array.from(yReg, (v) => (v > 0 ? 1 : 0));
    const opts = { nEstimators: 1, numLeaves: 63, minChildSamples: 5, boostFromAverage: false };
    for (const [Model, y] of [[GradientBoostingRegressor, yReg], [GradientBoostingClassifier, yBin]] as const) {
      const subtract = new Model(opts).fitSync(X, y);
      // A pool too small for any parent histogram forces a direct build of both children.
      const direct = new Model({ ...opts, histogramPoolSize: 1e-6 }).fitSync(X, y);
      const a = subtract.trees();
      const b = direct.trees();
      expect(a.nodeCounts[0]).toBeGreaterThan(100);
      expect(Array.from(a.feature)).toEqual(Array.from(b.feature));
      expect(Array.from(a.thresholdBin)).toEqual(Array.from(b.thresholdBin));
      expect(Array.from(a.value)).toEqual(Array.from(b.value));
      expect(Array.from(a.gain)).toEqual(Array.from(b.gain));
    }
  });

  it('same seed: identical predictions for 1 and 2 threads and every SIMD path (with sampling)', () => {
    const { X, y } = makeClassification({ nSamples: 4000, nFeatures: 12, nClasses: 3, nInformative: 6, seed: 41 });
    const probe = uniform(200, 12, 42);
    const reference: Record<string, Float64Array> = {};
    let accuracy: Record<string, number> = {};
    for (const isa of availableIsas()) {
      withIsa(isa, () => {
        for (const nThreads of threadCounts()) {
          for (const quantizedGradients of [false, true]) {
            const m = new GradientBoostingClassifier({
              nEstimators: 15, subsample: 0.8, colsampleBytree: 0.8, colsampleBynode: 0.7, seed: 5, nThreads, quantizedGradients,
            }).fitSync(X, y);
            const p = m.predictRaw(probe).data;
            const key = String(quantizedGradients);
            if (reference[key] === undefined) reference[key] = p;
            else expect(Array.from(p)).toEqual(Array.from(reference[key]!));
            accuracy = { ...accuracy, [key]: m.score(X, y) };
          }
        }
      });
    }
    // Quantized histograms choose nearly the same splits.
    expect(Math.abs(accuracy.true! - accuracy.false!)).toBeLessThan(0.02);
  });

  it('a different seed changes a subsampled model', () => {
    const { X, y } = friedman(1000, 43);
    const a = new GradientBoostingRegressor({ nEstimators: 10, subsample: 0.5, seed: 1 }).fitSync(X, y).predict(X);
    const b = new GradientBoostingRegressor({ nEstimators: 10, subsample: 0.5, seed: 2 }).fitSync(X, y).predict(X);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-6);
  });
});

describe('early stopping and eval sets', () => {
  it('stops at the best round of the first metric, keeps it, and predicts with it', async () => {
    const all = makeClassification({ nSamples: 3000, nFeatures: 10, flipY: 0.2, seed: 51 });
    const n = 2000;
    const Xt = new Matrix(all.X.data.slice(0, n * 10), n, 10);
    const Xv = new Matrix(all.X.data.slice(n * 10), 1000, 10);
    const yt = all.y.slice(0, n);
    const yv = all.y.slice(n);
    const opts = { nEstimators: 500, learningRate: 0.3, numLeaves: 63, minChildSamples: 2 };
    const m = await new GradientBoostingClassifier({ ...opts, earlyStoppingRounds: 10, evalMetric: 'logloss' }).fit(Xt, yt, {
      evalSet: [{ X: Xv, y: yv, name: 'valid' }, [Xt, yt]],
    });
    const history = m.evalsResult.valid!.logloss!;
    expect(history.length).toBeLessThan(500);
    const best = history.indexOf(Math.min(...history));
    expect(m.bestIteration).toBe(best);
    expect(history.length).toBe(best + 1 + 10);
    expect(m.nEstimatorsFitted).toBe(best + 1);
    expect(m.evalsResult.validation_1!.logloss!.length).toBe(history.length);
    // The kept model is the model trained for best + 1 rounds.
    const short = new GradientBoostingClassifier({ ...opts, nEstimators: best + 1 }).fitSync(Xt, yt);
    expect(maxAbsDiff(m.predictRaw(Xv).data, short.predictRaw(Xv).data)).toBeLessThan(1e-12);
    // The recorded metric is the log-loss of the predictions after each round.
    const p = short.predictProba(Xv);
    let ll = 0;
    for (let i = 0; i < yv.length; i++) ll -= Math.log(p.data[2 * i + yv[i]!]!);
    expect(history[best]).toBeCloseTo(ll / yv.length, 9);
  });

  it('numIteration limits the rounds used', () => {
    const { X, y } = friedman(500, 52);
    const m = new GradientBoostingRegressor({ nEstimators: 20 }).fitSync(X, y);
    const m5 = new GradientBoostingRegressor({ nEstimators: 5 }).fitSync(X, y);
    expect(maxAbsDiff(m.predict(X, { numIteration: 5 }), m5.predict(X))).toBeLessThan(1e-12);
  });

  it('earlyStoppingRounds without an evalSet is an InvalidParameterError', () => {
    const { X, y } = friedman(100, 53);
    expect(() => new GradientBoostingRegressor({ earlyStoppingRounds: 5 }).fitSync(X, y)).toThrow(InvalidParameterError);
  });
});

describe('constraints', () => {
  it('monotone constraints hold on a grid (leaf-wise and depth-wise)', () => {
    const n = 3000;
    const X = uniform(n, 3, 61);
    const r = rng(62);
    const y = new Float64Array(n);
    // Non-monotone truth, so an unconstrained model would break the constraints.
    for (let i = 0; i < n; i++) y[i] = Math.sin(4 * X.data[3 * i]!) - Math.cos(5 * X.data[3 * i + 1]!) + X.data[3 * i + 2]! + 0.3 * (r() - 0.5);
    for (const growPolicy of ['leafwise', 'depthwise'] as const) {
      const m = new GradientBoostingRegressor({ nEstimators: 50, growPolicy, maxDepth: growPolicy === 'depthwise' ? 5 : -1, monotoneConstraints: [1, -1, 0] }).fitSync(X, y);
      const steps = 60;
      const base = uniform(40, 3, 63);
      for (const feature of [0, 1]) {
        const grid = new Float64Array(base.rows * steps * 3);
        for (let b = 0; b < base.rows; b++) {
          for (let s = 0; s < steps; s++) {
            const row = (b * steps + s) * 3;
            grid.set(base.data.subarray(3 * b, 3 * b + 3), row);
            grid[row + feature] = -1.2 + (2.4 * s) / (steps - 1);
          }
        }
        const pred = m.predict(new Matrix(grid, base.rows * steps, 3));
        for (let b = 0; b < base.rows; b++) {
          for (let s = 1; s < steps; s++) {
            const d = pred[b * steps + s]! - pred[b * steps + s - 1]!;
            if (feature === 0) expect(d).toBeGreaterThanOrEqual(0);
            else expect(d).toBeLessThanOrEqual(0);
          }
        }
      }
      // Still a useful model.
      expect(m.score(X, y)).toBeGreaterThan(0.5);
    }
  });

  it('interaction constraints: every root-to-leaf path stays inside one group', () => {
    const { X, y } = friedman(2000, 64);
    const groups = [[0, 1], [2, 3, 4], [5, 6, 7]];
    const m = new GradientBoostingRegressor({ nEstimators: 30, numLeaves: 31, interactionConstraints: groups }).fitSync(X, y);
    const t = m.trees();
    let start = 0;
    let sawTwoFeatures = false;
    for (const count of t.nodeCounts) {
      const walk = (node: number, used: Set<number>): void => {
        const id = start + node;
        if (t.left[id]! < 0) {
          expect(groups.some((g) => [...used].every((f) => g.includes(f)))).toBe(true);
          if (used.size > 1) sawTwoFeatures = true;
          return;
        }
        const next = new Set(used).add(t.feature[id]!);
        walk(t.left[id]!, next);
        walk(t.right[id]!, next);
      };
      walk(0, new Set());
      start += count;
    }
    expect(sawTwoFeatures).toBe(true);
  });

  it('categorical splits group scattered categories; unseen categories and NaN follow the learned default', () => {
    const n = 6000;
    const r = rng(71);
    const X = new Float64Array(n * 2);
    const y = new Float64Array(n);
    const positive = new Set([3, 7, 11, 12, 19, 23, 28]);
    for (let i = 0; i < n; i++) {
      const cat = Math.floor(r() * 30);
      X[2 * i] = cat;
      X[2 * i + 1] = r();
      y[i] = positive.has(cat) !== r() < 0.05 ? 1 : 0;
    }
    const Xm = new Matrix(X, n, 2);
    const cat = new GradientBoostingClassifier({ nEstimators: 20, numLeaves: 4, categoricalFeatures: [0], minDataPerGroup: 20 }).fitSync(Xm, y);
    const num = new GradientBoostingClassifier({ nEstimators: 20, numLeaves: 4 }).fitSync(Xm, y);
    expect(cat.score(Xm, y)).toBeGreaterThan(0.93);
    expect(cat.score(Xm, y)).toBeGreaterThan(num.score(Xm, y) + 0.05);
    // Unseen categories (30, 31, 1000) and NaN all go where the training's missing bin went, so they
    // predict alike; a category with a learned set predicts differently.
    const probe = new Matrix(Float64Array.from([30, 0.5, 31, 0.5, 1000, 0.5, NaN, 0.5]), 4, 2);
    const p = cat.predictRaw(probe).data;
    expect(p[1]).toBe(p[0]);
    expect(p[2]).toBe(p[0]);
    expect(p[3]).toBe(p[0]);
    // JSON round trip keeps categorical splits.
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(cat))) as unknown as GradientBoostingClassifier;
    expect(Array.from(back.predictRaw(Xm).data)).toEqual(Array.from(cat.predictRaw(Xm).data));
    expect(Array.from(back.predictRaw(probe).data)).toEqual(Array.from(p));
  });
});

describe('custom objective and metric', () => {
  it('a JS squared-error objective reproduces the built-in one (sync and async)', async () => {
    const { X, y } = friedman(800, 81);
    const builtIn = new GradientBoostingRegressor({ nEstimators: 20, boostFromAverage: false }).fitSync(X, y);
    let calls = 0;
    const objective = (pred: Float64Array, labels: Float64Array) => {
      calls++;
      const grad = new Float64Array(pred.length);
      const hess = new Float64Array(pred.length).fill(1);
      for (let i = 0; i < pred.length; i++) grad[i] = pred[i]! - labels[i]!;
      return { grad, hess };
    };
    const sync = new GradientBoostingRegressor({ nEstimators: 20, objective }).fitSync(X, y);
    expect(calls).toBe(20);
    const asyncModel = await new GradientBoostingRegressor({ nEstimators: 20, objective }).fit(X, y);
    expect(calls).toBe(40);
    expect(maxAbsDiff(sync.predict(X), builtIn.predict(X))).toBeLessThan(1e-4);
    expect(Array.from(asyncModel.predict(X))).toEqual(Array.from(sync.predict(X)));
  });

  it('a custom softmax objective for 3 classes predicts probabilities', () => {
    const c = makeClassification({ nSamples: 600, nFeatures: 5, nInformative: 3, nClasses: 3, seed: 82 });
    const objective = (raw: Float64Array, labels: Float64Array) => {
      const k = 3;
      const n = labels.length;
      const grad = new Float64Array(n * k);
      const hess = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        const m = Math.max(raw[i * k]!, raw[i * k + 1]!, raw[i * k + 2]!);
        const e = [0, 1, 2].map((j) => Math.exp(raw[i * k + j]! - m));
        const s = e[0]! + e[1]! + e[2]!;
        for (let j = 0; j < k; j++) {
          const p = e[j]! / s;
          grad[i * k + j] = p - (labels[i] === j ? 1 : 0);
          hess[i * k + j] = Math.max(2 * p * (1 - p), 1e-6);
        }
      }
      return { grad, hess };
    };
    const m = new GradientBoostingClassifier({ nEstimators: 30, objective }).fitSync(c.X, c.y);
    expect(m.predictRaw(c.X).cols).toBe(3);
    expect(m.score(c.X, c.y)).toBeGreaterThan(0.85);
  });

  it('an error thrown by the objective rejects the fit with that error', async () => {
    const { X, y } = friedman(200, 83);
    const boom = new RangeError('boom');
    const objective = () => {
      throw boom;
    };
    await expect(new GradientBoostingRegressor({ objective }).fit(X, y)).rejects.toBe(boom);
    expect(() => new GradientBoostingRegressor({ objective }).fitSync(X, y)).toThrow(boom);
    const wrongLength = () => ({ grad: [1], hess: [1] });
    expect(() => new GradientBoostingRegressor({ objective: wrongLength }).fitSync(X, y)).toThrow(InvalidInputError);
  });

  it('a custom metric equals the built-in one and drives early stopping', async () => {
    const all = friedman(1500, 84);
    const Xt = new Matrix(all.X.data.slice(0, 1000 * 8), 1000, 8);
    const Xv = new Matrix(all.X.data.slice(1000 * 8), 500, 8);
    const yt = all.y.slice(0, 1000);
    const yv = all.y.slice(1000);
    const rmse = {
      name: 'my_rmse',
      fn: (raw: Float64Array, labels: Float64Array) => {
        let s = 0;
        for (let i = 0; i < labels.length; i++) s += (raw[i]! - labels[i]!) ** 2;
        return Math.sqrt(s / labels.length);
      },
    };
    const opts = { nEstimators: 300, learningRate: 0.3, numLeaves: 63, minChildSamples: 3, earlyStoppingRounds: 5 };
    const custom = await new GradientBoostingRegressor({ ...opts, evalMetric: rmse }).fit(Xt, yt, { evalSet: [[Xv, yv]] });
    const builtIn = await new GradientBoostingRegressor({ ...opts, evalMetric: 'rmse' }).fit(Xt, yt, { evalSet: [[Xv, yv]] });
    const a = custom.evalsResult.validation_0!.my_rmse!;
    const b = builtIn.evalsResult.validation_0!.rmse!;
    expect(a.length).toBe(b.length);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-9);
    expect(custom.bestIteration).toBe(builtIn.bestIteration);
  });
});

describe('API contract', () => {
  it('fit returns a Promise, reports progress, and stops on an AbortSignal', async () => {
    const { X, y } = friedman(20_000, 91);
    const fractions: number[] = [];
    const m = await new GradientBoostingRegressor({ nEstimators: 10 }).fit(X, y, { onProgress: (f) => fractions.push(f) });
    expect(m.isFitted).toBe(true);
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    const controller = new AbortController();
    const pending = new GradientBoostingRegressor({ nEstimators: 100_000, numLeaves: 255, minChildSamples: 1 }).fit(X, y, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it('unknown or out-of-range options are InvalidParameterError before any work', () => {
    const { X, y } = friedman(50, 92);
    expect(() => new GradientBoostingRegressor({ numLeavs: 3 } as never).fitSync(X, y)).toThrow(/numLeaves/);
    expect(() => new GradientBoostingRegressor({ learningRate: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ subsample: 1.5 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ numLeaves: 1 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ objective: 'hinge' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ evalMetric: 'accuracy' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ monotoneConstraints: [1, 0] }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor({ interactionConstraints: [[0, 99]] }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new GradientBoostingRegressor().setParams({ maxBins: 300 })).toThrow(InvalidParameterError);
  });

  it('bad input is InvalidInputError naming it; predict before fit is NotFittedError', () => {
    const { X, y } = friedman(50, 93);
    expect(() => new GradientBoostingRegressor().predict(X)).toThrow(NotFittedError);
    expect(() => new GradientBoostingClassifier().fitSync(X, new Float64Array(50))).toThrow(InvalidInputError);
    const m = new GradientBoostingRegressor({ nEstimators: 2 }).fitSync(X, y);
    expect(() => m.predict(new Matrix(new Float64Array(7), 1, 7))).toThrow(InvalidInputError);
    const c = makeClassification({ nSamples: 100, nFeatures: 3, nRedundant: 0, seed: 1 });
    expect(() => new GradientBoostingClassifier().fitSync(c.X, c.y, { evalSet: [[c.X, Array.from(c.y, (v) => v + 5)]] })).toThrow(/not seen/);
  });

  it('JSON round trip predicts identically; a corrupt tree is a ModelFormatError', () => {
    const c = makeClassification({ nSamples: 800, nFeatures: 6, nClasses: 3, nInformative: 4, seed: 94 });
    const m = new GradientBoostingClassifier({ nEstimators: 10, classWeight: 'balanced' }).fitSync(c.X, c.y);
    const json = JSON.parse(JSON.stringify(m));
    const back = estimatorFromJSON(json) as unknown as GradientBoostingClassifier;
    expect(back.classes).toEqual(m.classes);
    expect(Array.from(back.predictProba(c.X).data)).toEqual(Array.from(m.predictProba(c.X).data));
    expect(Array.from(back.featureImportances('gain'))).toEqual(Array.from(m.featureImportances('gain')));
    const broken = JSON.parse(JSON.stringify(m));
    broken.state.trees.left[0] = 5;
    expect(() => estimatorFromJSON(broken)).toThrow(ModelFormatError);
    const clone = m.clone();
    expect(clone.isFitted).toBe(false);
    expect(clone.getParams().classWeight).toBe('balanced');
  });

  it('fits on a prebuilt Dataset like on the matrix', async () => {
    const { X, y } = loadDiabetes();
    const ds = await Dataset.build(X);
    const a = new GradientBoostingRegressor({ nEstimators: 10 }).fitSync(ds, y);
    const b = new GradientBoostingRegressor({ nEstimators: 10 }).fitSync(X, y);
    expect(Array.from(a.predict(X))).toEqual(Array.from(b.predict(X)));
    ds.dispose();
  });

  it('sample weight 2 equals a duplicated row', () => {
    // 200 rows: every distinct value gets its own bin, so both fits see the same bins.
    const { X, y } = friedman(200, 95);
    const w = new Float64Array(200).fill(1);
    w[0] = 2;
    const Xd = new Matrix(new Float64Array([...X.data, ...X.data.subarray(0, 8)]), 201, 8);
    const yd = Float64Array.from([...y, y[0]!]);
    const opts = { nEstimators: 10, minChildSamples: 0, minChildWeight: 1e-3 };
    const a = new GradientBoostingRegressor(opts).fitSync(X, y, { sampleWeight: w });
    const b = new GradientBoostingRegressor(opts).fitSync(Xd, yd);
    expect(maxAbsDiff(a.predict(X), b.predict(X))).toBeLessThan(1e-9);
  });
});
