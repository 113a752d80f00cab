import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  InvalidParameterError,
  Matrix,
  NotFittedError,
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

describe('DecisionTree* against scikit-learn (5-fold CV, same folds)', () => {
  const cases: [string, string, 'c' | 'r'][] = [];
  for (const d of ['iris', 'breast_cancer', 'wine', 'digits']) for (const c of ['tree', 'tree_entropy_depth4', 'tree_leaves8']) cases.push([d, c, 'c']);
  for (const c of ['tree_depth4', 'tree_mae_depth3']) cases.push(['diabetes', c, 'r']);
  for (const [dataset, config, kind] of cases) {
    it(`${dataset} / ${config}`, () => {
      const options = toOptions(fixture.configs[config]!);
      // scikit-learn's tie breaks between equal features are random: average a few seeds, as the fixture does.
      const seeds = [0, 1, 2];
      let ours = 0;
      for (const seed of seeds) {
        ours += crossValidate(dataset as keyof typeof loaders, () =>
          kind === 'c' ? new DecisionTreeClassifier({ ...options, seed }) : new DecisionTreeRegressor({ ...options, seed }),
        );
      }
      ours /= seeds.length;
      const ref = reference(dataset, config).mean;
      expect(Math.abs(ours - ref), `ours ${ours.toFixed(4)} vs scikit-learn ${ref.toFixed(4)}`).toBeLessThanOrEqual(TOLERANCE);
    });
  }
});

/** n x d uniform(-1, 1) features from a seed. */
function uniform(n: number, d: number, seed: number): Matrix {
  const r = rng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  return new Matrix(data, n, d);
}

describe('DecisionTree properties', () => {
  it('a depth-unlimited tree fits distinct training rows exactly (classification and regression)', () => {
    const X = uniform(3000, 5, 1);
    const r = rng(2);
    const y = Float64Array.from({ length: 3000 }, () => Math.floor(r() * 3));
    const clf = new DecisionTreeClassifier().fitSync(X, y);
    expect(clf.score(X, y)).toBe(1);
    const t = Float64Array.from({ length: 3000 }, () => r() * 10);
    const reg = new DecisionTreeRegressor().fitSync(X, t);
    const pred = reg.predict(X);
    for (let i = 0; i < t.length; i++) expect(pred[i]).toBeCloseTo(t[i]!, 9);
  });

  it('maxDepth and maxLeafNodes bound the tree; leaves give class frequencies', () => {
    const { X, y } = loadBreastCancer();
    const shallow = new DecisionTreeClassifier({ maxDepth: 3 }).fitSync(X, y);
    expect(shallow.depth).toBeLessThanOrEqual(3);
    const eight = new DecisionTreeClassifier({ maxLeafNodes: 8 }).fitSync(X, y);
    expect(eight.nLeaves).toBe(8);
    const t = eight.trees();
    const p = eight.predictProba(X);
    for (let i = 0; i < p.rows; i++) expect(p.data[2 * i]! + p.data[2 * i + 1]!).toBeCloseTo(1, 12);
    // The root's distribution is the class balance.
    const ones = (y as ArrayLike<number>) as Float64Array;
    let pos = 0;
    for (let i = 0; i < ones.length; i++) pos += ones[i]!;
    expect(t.distribution[1]).toBeCloseTo(pos / ones.length, 12);
  });

  it('minImpurityDecrease prunes (a huge value leaves one leaf), minSamplesLeaf holds', () => {
    const { X, y } = loadIris();
    expect(new DecisionTreeClassifier({ minImpurityDecrease: 10 }).fitSync(X, y).nLeaves).toBe(1);
    const m = new DecisionTreeClassifier({ minSamplesLeaf: 10 }).fitSync(X, y);
    const t = m.trees();
    for (let i = 0; i < t.left.length; i++) if (t.left[i]! < 0) expect(t.count[i]).toBeGreaterThanOrEqual(10);
  });

  it('absolute_error leaves predict the median', () => {
    const X = new Matrix(new Float64Array(7).fill(1), 7, 1);
    const y = Float64Array.from([1, 2, 3, 10, 50, 60, 100]);
    expect(new DecisionTreeRegressor({ criterion: 'absolute_error' }).fitSync(X, y).predict(X)[0]).toBe(10);
    const y6 = Float64Array.from([1, 2, 3, 10, 50, 60]);
    const X6 = new Matrix(new Float64Array(6).fill(1), 6, 1);
    expect(new DecisionTreeRegressor({ criterion: 'absolute_error' }).fitSync(X6, y6).predict(X6)[0]).toBe(6.5);
  });

  it('learns the missing-value direction; NaN is allowed at predict', () => {
    const n = 1000;
    const X = uniform(n, 3, 3);
    const r = rng(4);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = r() < 0.5 ? 1 : 0;
      if (y[i] === 1) X.data[3 * i + 1] = NaN;
    }
    const m = new DecisionTreeClassifier({ maxDepth: 1 }).fitSync(X, y);
    expect(m.score(X, y)).toBe(1);
    expect(m.trees().feature[0]).toBe(1);
  });

  it("classWeight 'balanced' shifts predictions towards the rare class; string labels map back", () => {
    const { X, y } = makeClassification({ nSamples: 2000, nFeatures: 6, weights: [0.9, 0.1], flipY: 0.1, seed: 5 });
    const names = Array.from(y, (v) => (v === 1 ? 'rare' : 'common'));
    const plain = new DecisionTreeClassifier({ maxDepth: 3 }).fitSync(X, names);
    const balanced = new DecisionTreeClassifier({ maxDepth: 3, classWeight: 'balanced' }).fitSync(X, names);
    expect(plain.classes).toEqual(['common', 'rare']);
    const count = (p: string[] | Float64Array) => (p as string[]).filter((v) => v === 'rare').length;
    expect(count(balanced.predict(X))).toBeGreaterThan(count(plain.predict(X)));
  });

  it('identical trees for 1 and 2 threads and every SIMD path; JSON round trip', () => {
    const { X, y } = loadDigits();
    let reference: number[] | undefined;
    for (const isa of availableIsas()) {
      withIsa(isa, () => {
        for (const nThreads of threadCounts()) {
          const m = new DecisionTreeClassifier({ maxFeatures: 'sqrt', seed: 3, nThreads }).fitSync(X, y);
          const p = Array.from(m.predictProba(X).data);
          if (reference === undefined) reference = p;
          else expect(p).toEqual(reference);
        }
      });
    }
    const m = new DecisionTreeRegressor({ maxDepth: 6 }).fitSync(loadDiabetes().X, loadDiabetes().y);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as DecisionTreeRegressor;
    expect(Array.from(back.predict(loadDiabetes().X))).toEqual(Array.from(m.predict(loadDiabetes().X)));
    expect(Array.from(back.featureImportances)).toEqual(Array.from(m.featureImportances));
  });

  it('invalid parameters are InvalidParameterError; reading before fit is NotFittedError', () => {
    const { X, y } = loadWine();
    expect(() => new DecisionTreeClassifier({ criterion: 'mse' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeClassifier({ maxDepth: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeClassifier({ minSamplesSplit: 1 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeClassifier({ maxFeatures: 'half' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeClassifier({ maxFeatures: 99 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeRegressor({ criterion: 'gini' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new DecisionTreeClassifier().featureImportances).toThrow(NotFittedError);
  });
});
