import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  Dataset,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  InvalidParameterError,
  Matrix,
  RandomForestClassifier,
  RandomForestRegressor,
  estimatorFromJSON,
  loadBreastCancer,
  loadDiabetes,
  loadDigits,
  loadIris,
  loadWine,
  makeClassification,
} from '../../lib/index.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';

// ---- the scikit-learn references (test/fixtures/sklearn_forest.py) and the CV loop on its folds ----

interface Reference {
  mean: number;
  seeds: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/sklearn_forest.json', import.meta.url), 'utf8')) as Record<string, unknown> & {
  configs: Record<string, Record<string, unknown>>;
};

const loaders = { iris: loadIris, breast_cancer: loadBreastCancer, wine: loadWine, digits: loadDigits, diabetes: loadDiabetes };

/** scikit-learn's constructor arguments as our options. */
function toOptions(params: Record<string, unknown>): Record<string, unknown> {
  const names: Record<string, string> = {
    n_estimators: 'nEstimators',
    max_depth: 'maxDepth',
    max_leaf_nodes: 'maxLeafNodes',
    max_features: 'maxFeatures',
    min_samples_leaf: 'minSamplesLeaf',
    min_samples_split: 'minSamplesSplit',
    criterion: 'criterion',
  };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [names[k] ?? k, v]));
}

function rows(X: Matrix, keep: (i: number) => boolean): Matrix {
  const idx: number[] = [];
  for (let i = 0; i < X.rows; i++) if (keep(i)) idx.push(i);
  const data = new Float64Array(idx.length * X.cols);
  idx.forEach((r, j) => data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), j * X.cols));
  return new Matrix(data, idx.length, X.cols);
}

interface Fittable {
  fitSync(X: Matrix, y: Float64Array): { score(X: Matrix, y: Float64Array): number };
}

/** Mean 5-fold score on the fixture's folds. */
function crossValidate(dataset: keyof typeof loaders, make: () => Fittable): number {
  const { X, y } = loaders[dataset]();
  const fold = (fixture[dataset] as { fold: number[] }).fold;
  const yy = Float64Array.from(y as ArrayLike<number>);
  let total = 0;
  for (let k = 0; k < 5; k++) {
    const train = rows(X, (i) => fold[i] !== k);
    const test = rows(X, (i) => fold[i] === k);
    const ytrain = yy.filter((_, i) => fold[i] !== k);
    const ytest = yy.filter((_, i) => fold[i] === k);
    total += make().fitSync(train, ytrain).score(test, ytest);
  }
  return total / 5;
}

function reference(dataset: string, config: string): Reference {
  return (fixture[dataset] as Record<string, Reference>)[config]!;
}

const TOLERANCE = 0.015;

describe('forests against scikit-learn (5-fold CV, same folds)', () => {
  const cases: [string, string, 'c' | 'r'][] = [];
  for (const d of ['iris', 'breast_cancer', 'wine', 'digits']) for (const c of ['forest', 'extra']) cases.push([d, c, 'c']);
  for (const c of ['forest', 'forest_sqrt_leaf5', 'extra']) cases.push(['diabetes', c, 'r']);
  for (const [dataset, config, kind] of cases) {
    it(`${dataset} / ${config}`, () => {
      const options = toOptions(fixture.configs[config]!);
      const extra = config === 'extra';
      // Digits is the slow one (64 features, 1.4k rows a fold): one seed keeps the file fast.
      const seeds = dataset === 'digits' ? [0] : [0, 1];
      let ours = 0;
      for (const seed of seeds) {
        ours += crossValidate(dataset as keyof typeof loaders, () => {
          const o = { ...options, seed };
          if (kind === 'c') return extra ? new ExtraTreesClassifier(o) : new RandomForestClassifier(o);
          return extra ? new ExtraTreesRegressor(o) : new RandomForestRegressor(o);
        });
      }
      ours /= seeds.length;
      const ref = reference(dataset, config).mean;
      expect(Math.abs(ours - ref), `ours ${ours.toFixed(4)} vs scikit-learn ${ref.toFixed(4)}`).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

describe('forest properties', () => {
  it('OOB score is close to the CV score; oobDecisionFunction rows are distributions', () => {
    const cv = reference('breast_cancer', 'forest').mean;
    const { X, y } = loadBreastCancer();
    const m = new RandomForestClassifier({ nEstimators: 200, oobScore: true, seed: 1 }).fitSync(X, y);
    expect(Math.abs(m.oobScore_ - cv)).toBeLessThan(0.03);
    const d = m.oobDecisionFunction;
    expect(d.cols).toBe(2);
    for (let i = 0; i < d.rows; i++) expect(d.data[2 * i]! + d.data[2 * i + 1]!).toBeCloseTo(1, 9);
    const r = loadDiabetes();
    const reg = new RandomForestRegressor({ nEstimators: 200, oobScore: true, seed: 1 }).fitSync(r.X, r.y);
    expect(Math.abs(reg.oobScore_ - reference('diabetes', 'forest').mean)).toBeLessThan(0.05);
    expect(reg.oobPrediction.length).toBe(r.X.rows);
  });

  it('an informative feature is more important than a noise feature; importances sum to 1', () => {
    const n = 2000;
    const r = rng(7);
    const X = new Matrix(new Float64Array(n * 3), n, 3);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X.data[3 * i] = r();
      X.data[3 * i + 1] = r();
      X.data[3 * i + 2] = r();
      y[i] = X.data[3 * i]! + 0.1 * r() > 0.55 ? 1 : 0;
    }
    for (const m of [new RandomForestClassifier({ nEstimators: 30 }), new ExtraTreesClassifier({ nEstimators: 30 })]) {
      const imp = m.fitSync(X, y).featureImportances;
      expect(imp[0]).toBeGreaterThan(imp[1]!);
      expect(imp[0]).toBeGreaterThan(imp[2]!);
      expect(imp.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('same seed: identical predictions for 1 and 2 threads and every SIMD path', () => {
    const { X, y } = makeClassification({ nSamples: 3000, nFeatures: 12, nInformative: 6, nClasses: 3, seed: 9 });
    // Two classes with missing values, unit and non-unit weights: the extra-trees count kernels and
    // every partition path (segments of <= 32 rows and longer ones) run on each ISA.
    const two = makeClassification({ nSamples: 2500, nFeatures: 10, nInformative: 5, seed: 21 });
    const r = rng(5);
    for (let i = 0; i < two.X.data.length; i++) if (r() < 0.05) two.X.data[i] = NaN;
    const weights = Float64Array.from(two.y as ArrayLike<number>, (_, i) => 0.5 + (i % 5) / 4);
    const fits: Array<[string, (nThreads: number) => number[]]> = [
      ['rf3', (nThreads) => Array.from(new RandomForestClassifier({ nEstimators: 12, seed: 4, nThreads, oobScore: true }).fitSync(X, y).predictProba(X).data)],
      ['et3', (nThreads) => Array.from(new ExtraTreesClassifier({ nEstimators: 12, seed: 4, nThreads, bootstrap: true }).fitSync(X, y).predictProba(X).data)],
      ['et2', (nThreads) => Array.from(new ExtraTreesClassifier({ nEstimators: 8, seed: 4, nThreads }).fitSync(two.X, two.y).predictProba(two.X).data)],
      ['et2w', (nThreads) => Array.from(new ExtraTreesClassifier({ nEstimators: 8, seed: 4, nThreads }).fitSync(two.X, two.y, { sampleWeight: weights }).predictProba(two.X).data)],
      ['etr', (nThreads) => Array.from(new ExtraTreesRegressor({ nEstimators: 8, seed: 4, nThreads }).fitSync(two.X, Float64Array.from(two.y as ArrayLike<number>, (v, i) => v + (i % 7))).predict(two.X))],
    ];
    const reference = new Map<string, number[]>();
    for (const isa of availableIsas()) {
      withIsa(isa, () => {
        for (const nThreads of threadCounts()) {
          for (const [name, fit] of fits) {
            const p = fit(nThreads);
            const ref = reference.get(name);
            if (ref === undefined) reference.set(name, p);
            else expect(p, `${name} on ${isa} with ${nThreads} threads`).toEqual(ref);
          }
        }
      });
    }
    expect(reference.size).toBe(fits.length);
    const a = new RandomForestClassifier({ nEstimators: 5, seed: 1 }).fitSync(X, y).predictProba(X).data;
    const b = new RandomForestClassifier({ nEstimators: 5, seed: 2 }).fitSync(X, y).predictProba(X).data;
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('extra trees: doubling every sample weight gives the same trees (two classes, several classes, regression)', () => {
    const two = makeClassification({ nSamples: 1500, nFeatures: 8, nInformative: 4, seed: 12 });
    const r = rng(3);
    for (let i = 0; i < two.X.data.length; i++) {
      two.X.data[i] = Math.round(two.X.data[i]! * 2) / 2; // ties and constant nodes
      if (r() < 0.03) two.X.data[i] = NaN;
    }
    const three = Float64Array.from(two.y as ArrayLike<number>, (v, i) => (v + (i % 3 === 0 ? 1 : 0)) % 3);
    const target = Float64Array.from(two.y as ArrayLike<number>, (v, i) => v + (i % 5));
    const twos = new Float64Array(two.X.rows).fill(2);
    for (const [y, make] of [
      [two.y, () => new ExtraTreesClassifier({ nEstimators: 5, seed: 8 })],
      [three, () => new ExtraTreesClassifier({ nEstimators: 5, seed: 8 })],
      [target, () => new ExtraTreesRegressor({ nEstimators: 5, seed: 8 })],
    ] as const) {
      const plain = make().fitSync(two.X, y as Float64Array);
      const doubled = make().fitSync(two.X, y as Float64Array, { sampleWeight: twos });
      const out = (m: typeof plain) => Array.from('predictProba' in m ? m.predictProba(two.X).data : m.predict(two.X));
      expect(out(doubled)).toEqual(out(plain));
    }
  });

  it('fit() trains on X as it was when called: overwriting X while the job runs changes nothing', async () => {
    const { X, y } = makeClassification({ nSamples: 4000, nFeatures: 10, nInformative: 5, seed: 31 });
    const expected = new ExtraTreesClassifier({ nEstimators: 6, seed: 2 }).fitSync(X, y).predictProba(X).data;
    for (const dtype of [Float64Array, Float32Array]) {
      const data = dtype.from(X.data);
      const Xm = { data, rows: X.rows, cols: X.cols };
      const want = dtype === Float64Array ? expected : new ExtraTreesClassifier({ nEstimators: 6, seed: 2 }).fitSync(Xm, y).predictProba(X).data;
      const pending = new ExtraTreesClassifier({ nEstimators: 6, seed: 2 }).fit(Xm, y);
      data.fill(NaN);
      const m = await pending;
      expect(Array.from(m.predictProba(X).data)).toEqual(Array.from(want));
    }
  });

  it('JSON round trip (classifier with string labels, regressor); a Dataset works as X', () => {
    const { X, y } = loadIris();
    const names = ['setosa', 'versicolor', 'virginica'];
    const labels = Array.from(y as ArrayLike<number>, (v) => names[v]!);
    const m = new ExtraTreesClassifier({ nEstimators: 10, seed: 2 }).fitSync(X, labels);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as ExtraTreesClassifier;
    expect(back.classes).toEqual(names);
    expect(Array.from(back.predictProba(X).data)).toEqual(Array.from(m.predictProba(X).data));
    expect(back.predict(X)).toEqual(m.predict(X));
    const d = loadDiabetes();
    const reg = new RandomForestRegressor({ nEstimators: 10, maxSamples: 0.5 }).fitSync(d.X, d.y);
    const reg2 = estimatorFromJSON(JSON.parse(JSON.stringify(reg.toJSON()))) as unknown as RandomForestRegressor;
    expect(Array.from(reg2.predict(d.X))).toEqual(Array.from(reg.predict(d.X)));
    const ds = Dataset.buildSync(d.X);
    const fromDataset = new RandomForestRegressor({ nEstimators: 10, maxSamples: 0.5 }).fitSync(ds, d.y);
    expect(fromDataset.score(d.X, d.y)).toBeGreaterThan(0.5);
    ds.dispose();
  });

  it('async fit reports progress per tree and stops on an AbortSignal', async () => {
    const { X, y } = loadDigits();
    const seen: number[] = [];
    const m = await new RandomForestClassifier({ nEstimators: 20, nThreads: 1 }).fit(X, y, { onProgress: (f) => seen.push(f) });
    expect(m.score(X, y)).toBeGreaterThan(0.95);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBe(1);
    const controller = new AbortController();
    controller.abort();
    await expect(new RandomForestClassifier({ nEstimators: 20 }).fit(X, y, { signal: controller.signal })).rejects.toThrow(AbortError);
  });

  it('invalid parameters are InvalidParameterError', () => {
    const { X, y } = loadWine();
    expect(() => new RandomForestClassifier({ nEstimators: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new RandomForestClassifier({ oobScore: true, bootstrap: false }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new ExtraTreesClassifier({ maxSamples: 0.5 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new RandomForestClassifier({ maxSamples: 1e6 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new RandomForestRegressor({ maxFeatures: -1 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new RandomForestClassifier({ minSamplesLeaf: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new RandomForestClassifier({ unknown: 1 } as never).fitSync(X, y)).toThrow(InvalidParameterError);
  });
});
