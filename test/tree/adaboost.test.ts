import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AdaBoostClassifier,
  AdaBoostRegressor,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  InvalidInputError,
  InvalidParameterError,
  LogisticRegression,
  Matrix,
  estimatorFromJSON,
  loadBreastCancer,
  loadDiabetes,
  loadDigits,
  loadIris,
  loadWine,
  makeClassification,
} from '../../lib/index.js';

// ---- the scikit-learn references (test/fixtures/sklearn_adaboost.py) on sklearn_forest.json's folds ----

interface Reference {
  mean: number;
  seeds: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sklearn_adaboost.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>> & {
  configs: Record<string, Record<string, unknown>>;
};
const folds = JSON.parse(readFileSync(new URL('../fixtures/sklearn_forest.json', import.meta.url), 'utf8')) as Record<string, { fold: number[] }>;

const loaders = { iris: loadIris, breast_cancer: loadBreastCancer, wine: loadWine, digits: loadDigits, diabetes: loadDiabetes };

function rows(X: Matrix, keep: (i: number) => boolean): Matrix {
  const idx: number[] = [];
  for (let i = 0; i < X.rows; i++) if (keep(i)) idx.push(i);
  const data = new Float64Array(idx.length * X.cols);
  idx.forEach((r, j) => data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), j * X.cols));
  return new Matrix(data, idx.length, X.cols);
}

/** scikit-learn's constructor arguments as our options (estimator_max_depth: the base tree's depth). */
function make(params: Record<string, unknown>, classification: boolean, seed: number): AdaBoostClassifier | AdaBoostRegressor {
  const o: Record<string, unknown> = { seed };
  if (params.n_estimators !== undefined) o.nEstimators = params.n_estimators;
  if (params.learning_rate !== undefined) o.learningRate = params.learning_rate;
  if (params.loss !== undefined) o.loss = params.loss;
  if (classification) return new AdaBoostClassifier({ ...o, estimator: new DecisionTreeClassifier({ maxDepth: (params.estimator_max_depth as number) ?? 1 }) });
  return new AdaBoostRegressor({ ...o, estimator: new DecisionTreeRegressor({ maxDepth: (params.estimator_max_depth as number) ?? 3 }) });
}

function cvScore(dataset: keyof typeof loaders, params: Record<string, unknown>, seeds: number[]): number {
  const { X, y } = loaders[dataset]();
  const fold = folds[dataset]!.fold;
  const yy = Float64Array.from(y as ArrayLike<number>);
  const classification = fixture[dataset]!.task === 'classification';
  let total = 0;
  for (const seed of seeds) {
    for (let k = 0; k < 5; k++) {
      const m = make(params, classification, seed).fitSync(rows(X, (i) => fold[i] !== k), yy.filter((_, i) => fold[i] !== k));
      total += m.score(rows(X, (i) => fold[i] === k), yy.filter((_, i) => fold[i] === k));
    }
  }
  return total / (5 * seeds.length);
}

describe('AdaBoost: 5-fold CV within 0.015 of scikit-learn 1.2 (same folds)', () => {
  for (const dataset of Object.keys(loaders) as (keyof typeof loaders)[]) {
    const entry = fixture[dataset]!;
    for (const [config, ref] of Object.entries(entry)) {
      if (ref === null || typeof ref !== 'object' || !('mean' in (ref as object))) continue;
      // The stumps' tie breaks are the only randomness in classification (one seed suffices);
      // AdaBoost.R2's weighted bootstrap differs per seed, so regression averages three.
      const seeds = entry.task === 'classification' ? [0] : [0, 1, 2];
      it(`${dataset} / ${config}`, () => {
        const ours = cvScore(dataset, fixture.configs[config]!, seeds);
        expect(Math.abs(ours - (ref as Reference).mean)).toBeLessThanOrEqual(0.015);
      });
    }
  }
});

// ---- behaviour ----

function easy(n = 400, seed = 3) {
  const d = makeClassification({ nSamples: n, nFeatures: 6, nInformative: 4, nRedundant: 0, classSep: 2, flipY: 0, seed });
  return { X: d.X, y: Float64Array.from(d.y as ArrayLike<number>) };
}

describe('AdaBoostClassifier', () => {
  it('SAMME lowers the training error monotonically on an easy set', () => {
    // With a perfect-on-train depth-unlimited tree boosting would stop at once; stumps on an easy,
    // separable-ish set improve round after round. Staged training error of the ensemble must not
    // go up from one round to the next (non-strict), and must end well below the first stump's.
    const { X, y } = easy();
    const m = new AdaBoostClassifier({ nEstimators: 40, seed: 1 }).fitSync(X, y);
    const errs = Array.from(m.stagedScore(X, y), (s) => 1 - s);
    expect(errs.length).toBeGreaterThan(5);
    // The weighted error of each member stays below chance, and the ensemble's training error
    // does not increase (SAMME's bound: it is at most the product of 2 sqrt(e_t (1 - e_t))).
    let bound = 1;
    const errors = m.estimatorErrors;
    for (let t = 0; t < errs.length; t++) {
      bound *= 2 * Math.sqrt(errors[t]! * (1 - errors[t]!));
      expect(errs[t]!).toBeLessThanOrEqual(bound + 1e-12);
    }
    expect(errs.at(-1)!).toBeLessThan(errs[0]! / 2);
  });

  it('exposes weights, errors, classes, staged outputs and importances consistent with predict', () => {
    const { X, y } = loadIris();
    const m = new AdaBoostClassifier({ nEstimators: 20 }).fitSync(X, y as Float64Array);
    expect(m.classes).toEqual([0, 1, 2]);
    expect(m.estimatorWeights.length).toBe(20);
    expect(m.estimatorErrors.length).toBe(20);
    expect(m.estimators.length).toBeGreaterThan(1);
    const p = m.predictProba(X);
    expect(p.cols).toBe(3);
    for (let i = 0; i < p.rows; i++) expect(p.data[3 * i]! + p.data[3 * i + 1]! + p.data[3 * i + 2]!).toBeCloseTo(1, 12);
    const staged = Array.from(m.stagedPredict(X));
    expect(staged.length).toBe(m.estimators.length);
    expect(Array.from(staged.at(-1) as Float64Array)).toEqual(Array.from(m.predict(X) as Float64Array));
    // predictProba goes through the members compiled into one forest, the staged outputs member by
    // member: equal up to rounding.
    const stagedP = Array.from(m.stagedPredictProba(X));
    const last = stagedP.at(-1)!.data;
    for (let i = 0; i < p.data.length; i++) expect(Math.abs(last[i]! - p.data[i]!)).toBeLessThan(1e-12);
    const imp = m.featureImportances;
    expect(imp.length).toBe(4);
    expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('the compiled vote forest gives the member-by-member decision function (binary, multi-class, deeper members, after a JSON round trip)', () => {
    const { X: Xi, y: yi } = loadIris();
    const { X: Xb, y: yb } = easy(400, 7);
    const cases: [AdaBoostClassifier, typeof Xi, ArrayLike<number>][] = [
      [new AdaBoostClassifier({ nEstimators: 30, seed: 1 }), Xi, yi as Float64Array],
      [new AdaBoostClassifier({ nEstimators: 25, learningRate: 0.5, estimator: new DecisionTreeClassifier({ maxDepth: 3 }), seed: 2 }), Xi, yi as Float64Array],
      [new AdaBoostClassifier({ nEstimators: 40, seed: 3 }), Xb, yb],
      [new AdaBoostClassifier({ nEstimators: 20, estimator: new DecisionTreeClassifier({ maxDepth: 2 }), seed: 4 }), Xb, yb],
    ];
    for (const [model, X, y] of cases) {
      model.fitSync(X, Array.from(y));
      const reloaded = estimatorFromJSON(JSON.parse(JSON.stringify(model.toJSON()))) as unknown as AdaBoostClassifier;
      for (const m of [model, reloaded]) {
        const fast = m.decisionFunction(X);
        const slow = Array.from(m.stagedDecisionFunction(X)).at(-1)!;
        expect(fast.cols).toBe(slow.cols);
        for (let i = 0; i < fast.data.length; i++) expect(Math.abs(fast.data[i]! - slow.data[i]!)).toBeLessThan(1e-12);
        // Labels agree wherever the decision is not a rounding-level tie.
        const staged = Array.from(m.stagedPredict(X)).at(-1) as Float64Array;
        const pred = m.predict(X) as Float64Array;
        if (fast.cols === 1) {
          for (let i = 0; i < pred.length; i++) if (Math.abs(slow.data[i]!) > 1e-9) expect(pred[i]).toBe(staged[i]);
        } else {
          expect(Array.from(pred)).toEqual(Array.from(staged));
        }
      }
    }
  });

  it('binary: one decision column, probabilities from ±d/2, string labels mapped back', () => {
    const { X, y } = easy(300, 5);
    const labels = Array.from(y, (v) => (v === 1 ? 'yes' : 'no'));
    const m = new AdaBoostClassifier({ nEstimators: 15 }).fitSync(X, labels);
    expect(m.classes).toEqual(['no', 'yes']);
    const d = m.decisionFunction(X);
    expect(d.cols).toBe(1);
    const p = m.predictProba(X);
    const pred = m.predict(X) as string[];
    for (let i = 0; i < X.rows; i++) {
      expect(p.data[2 * i + 1]).toBeCloseTo(1 / (1 + Math.exp(-d.data[i]!)), 12);
      expect(pred[i]).toBe(d.data[i]! > 0 ? 'yes' : 'no');
    }
    expect(m.score(X, labels)).toBeGreaterThan(0.9);
  });

  it('stops at a perfect member (weight 1, error 0) and keeps unfitted rounds at 0 / 1', () => {
    const X = [[0], [1], [2], [3]];
    const y = [0, 0, 1, 1];
    const m = new AdaBoostClassifier({ nEstimators: 5 }).fitSync(X, y);
    expect(m.estimators.length).toBe(1);
    expect(Array.from(m.estimatorWeights)).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(m.estimatorErrors)).toEqual([0, 1, 1, 1, 1]);
    expect(Array.from(m.predict(X) as Float64Array)).toEqual(y);
  });

  it('is deterministic per seed, honours sample weights, and accepts any weighted base learner', async () => {
    const { X, y } = easy(200, 7);
    const a = new AdaBoostClassifier({ nEstimators: 10, seed: 4 }).fitSync(X, y);
    const b = await new AdaBoostClassifier({ nEstimators: 10, seed: 4 }).fit(X, y);
    expect(Array.from(a.predictProba(X).data)).toEqual(Array.from(b.predictProba(X).data));
    // Doubling every weight changes nothing (weights are normalised).
    const c = new AdaBoostClassifier({ nEstimators: 10, seed: 4 }).fitSync(X, y, { sampleWeight: new Float64Array(y.length).fill(2) });
    expect(Array.from(c.estimatorWeights)).toEqual(Array.from(a.estimatorWeights));
    const lr = await new AdaBoostClassifier({ nEstimators: 5, estimator: new LogisticRegression() }).fit(X, y);
    expect(lr.score(X, y)).toBeGreaterThan(0.8);
    expect(() => lr.featureImportances).toThrow(InvalidParameterError);
  });

  it('reports progress per round and stops on an AbortSignal', async () => {
    const { X, y } = easy(200, 8);
    const seen: number[] = [];
    await new AdaBoostClassifier({ nEstimators: 6 }).fit(X, y, { onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    ac.abort();
    await expect(new AdaBoostClassifier({ nEstimators: 6 }).fit(X, y, { signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('round-trips through JSON (members through their own toJSON)', () => {
    const { X, y } = loadWine();
    const m = new AdaBoostClassifier({ nEstimators: 12, estimator: new DecisionTreeClassifier({ maxDepth: 2 }), learningRate: 0.5 }).fitSync(X, y as Float64Array);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    expect(json.type).toBe('AdaBoostClassifier');
    expect(json.params.estimator.type).toBe('DecisionTreeClassifier');
    const back = estimatorFromJSON(json) as unknown as AdaBoostClassifier;
    expect(Array.from(back.predictProba(X).data)).toEqual(Array.from(m.predictProba(X).data));
    expect(Array.from(back.estimatorWeights)).toEqual(Array.from(m.estimatorWeights));
    expect(back.getParams(false).learningRate).toBe(0.5);
    const clone = m.clone();
    expect(clone.isFitted).toBe(false);
    expect(() => estimatorFromJSON({ ...json, state: { ...json.state, members: [] } })).toThrow(/members/);
  });

  it('rejects invalid parameters and inputs', () => {
    const { X, y } = easy(50, 9);
    expect(() => new AdaBoostClassifier({ nEstimators: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier({ learningRate: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier({ learningRate: -1 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier({ algorithm: 'SAMME.R' as 'SAMME' }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier({ estimator: {} as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier().setParams({ nope: 1 })).toThrow(InvalidParameterError);
    expect(() => new AdaBoostClassifier().fitSync(X, new Float64Array(y.length))).toThrow(InvalidInputError);
    expect(() => new AdaBoostClassifier().fitSync(X, y, { sampleWeight: new Float64Array(y.length) })).toThrow(InvalidInputError);
    expect(() => new AdaBoostClassifier().predict(X)).toThrow(/not fitted/);
    const m = new AdaBoostClassifier({ nEstimators: 3 }).fitSync(X, y);
    expect(() => m.predict([[1, 2]])).toThrow(InvalidInputError);
  });
});

describe('AdaBoostRegressor', () => {
  it('fits diabetes better than its first member, with staged predictions ending at predict', () => {
    const { X, y } = loadDiabetes();
    const yy = Float64Array.from(y as ArrayLike<number>);
    const m = new AdaBoostRegressor({ nEstimators: 30, seed: 2 }).fitSync(X, yy);
    const scores = Array.from(m.stagedScore(X, yy));
    expect(scores.at(-1)!).toBeGreaterThan(scores[0]!);
    const staged = Array.from(m.stagedPredict(X));
    expect(Array.from(staged.at(-1)!)).toEqual(Array.from(m.predict(X)));
    expect(m.featureImportances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('predicts the weighted median of its members', () => {
    const { X, y } = loadDiabetes();
    const yy = Float64Array.from(y as ArrayLike<number>);
    const m = new AdaBoostRegressor({ nEstimators: 7, loss: 'square' }).fitSync(X, yy);
    const w = m.estimatorWeights;
    const preds = m.estimators.map((e) => e.predict(X) as Float64Array);
    const ours = m.predict(X);
    for (let i = 0; i < 20; i++) {
      const order = preds.map((p, t) => [p[i]!, t] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const total = order.reduce((s, [, t]) => s + w[t]!, 0);
      let cum = 0;
      let pick = order[0]![0];
      for (const [v, t] of order) {
        cum += w[t]!;
        if (cum >= total / 2) {
          pick = v;
          break;
        }
      }
      expect(ours[i]).toBe(pick);
    }
  });

  it('generic bases get the drawn rows; deterministic per seed; JSON round trip', async () => {
    const { X, y } = loadDiabetes();
    const yy = Float64Array.from(y as ArrayLike<number>);
    const a = await new AdaBoostRegressor({ nEstimators: 8, loss: 'exponential', seed: 3 }).fit(X, yy);
    const b = new AdaBoostRegressor({ nEstimators: 8, loss: 'exponential', seed: 3 }).fitSync(X, yy);
    expect(Array.from(a.predict(X))).toEqual(Array.from(b.predict(X)));
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(a.toJSON()))) as unknown as AdaBoostRegressor;
    expect(Array.from(back.predict(X))).toEqual(Array.from(a.predict(X)));
    expect(Array.from(back.estimatorErrors)).toEqual(Array.from(a.estimatorErrors));
  });

  it('rejects invalid parameters and inputs', () => {
    const { X, y } = loadDiabetes();
    const yy = Float64Array.from(y as ArrayLike<number>);
    expect(() => new AdaBoostRegressor({ loss: 'huber' as 'linear' }).fitSync(X, yy)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostRegressor({ learningRate: 0 }).fitSync(X, yy)).toThrow(InvalidParameterError);
    expect(() => new AdaBoostRegressor().fitSync(X, ['a', 'b'] as never)).toThrow(InvalidInputError);
    expect(() => new AdaBoostRegressor().fitSync(X, Array.from(yy, (v) => String(v)))).toThrow(InvalidInputError);
  });
});
