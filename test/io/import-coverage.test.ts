/**
 * Importer behaviours test/io/import.test.ts does not reach: XGBoost's declared tree counts
 * (gbtree_model_param.num_trees, tree_info), feature names and best_iteration; every LightGBM
 * objective's output transform (built by editing a fixture's objective line: the trees, hence the
 * raw margins, stay LightGBM's own); the v3 text format; imported models as members of voting and
 * stacking ensembles, saved and loaded.
 *
 * Fixtures: test/io/fixtures/shared (XGBoost 1.7.4 JSON, LightGBM 4.6 text) and
 * test/io/fixtures/import_coverage_xgboost (an early-stopped XGBoost 1.7.4 model with feature names;
 * make_import_coverage.py writes it and Booster.predict's outputs). Tolerances: against the
 * libraries' own outputs 1e-6 (absolute or relative, whichever is larger), as import.test.ts;
 * against a transform computed here from our own raw margins 1e-12 relative (only the last ulps of
 * exp may differ between V8 and libm); between two models holding the same trees, bit equality.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  ModelFormatError,
  StackingClassifier,
  VotingClassifier,
  importLightGBM,
  importXGBoost,
  loadBreastCancer,
  loadModel,
  saveModel,
  type Classifier,
  type ImportedModel,
} from '../../lib/index.js';

const shared = new URL('./fixtures/shared/', import.meta.url);
const local = new URL('./fixtures/import_coverage_xgboost/', import.meta.url);
const fixture = (name: string, dir = shared) => readFileSync(new URL(name, dir), 'utf8');
const json = (name: string, dir = shared): any => JSON.parse(fixture(name, dir));

interface Table {
  X: { data: Float64Array; rows: number; cols: number };
  /** A column by its header name. */
  col: (name: string) => Float64Array;
  /** The columns named `prefix`, `prefix0`, `prefix1`, ... row-major (`margin0..` for multiclass). */
  cols: (prefix: string) => Float64Array;
}

/** A fixture's expected CSV: inputs x0.. (`nan` = missing), then the library's outputs by name. */
function readTable(url: URL): Table {
  const lines = readFileSync(url, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const values = lines.slice(1).map((l) => l.split(',').map((s) => (s === 'nan' ? NaN : Number(s))));
  const pick = (indices: number[]) => {
    const out = new Float64Array(values.length * indices.length);
    values.forEach((v, r) => indices.forEach((c, j) => (out[r * indices.length + j] = v[c]!)));
    return out;
  };
  const named = (prefix: string) =>
    head
      .map((h, i) => [h, i] as const)
      .filter(([h]) => h === prefix || new RegExp(`^${prefix}\\d+$`).test(h))
      .sort(([a], [b]) => (Number(a.slice(prefix.length)) || 0) - (Number(b.slice(prefix.length)) || 0))
      .map(([, i]) => i);
  const xi = named('x');
  return {
    X: { data: pick(xi), rows: values.length, cols: xi.length },
    col: (name) => {
      const i = head.indexOf(name);
      if (i < 0) throw new Error(`no column ${name} in ${url.pathname}`);
      return pick([i]);
    },
    cols: (prefix) => pick(named(prefix)),
  };
}

/** |a - e| <= tol * max(1, |e|) element-wise (tol 1e-6: a library's printed outputs). */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-6): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

/** |a - e| <= tol * |e| element-wise: a transform recomputed here from the same raw margins. */
function expectRelClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-12): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.abs(e))) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
}

/** The refusal `run` throws: a ModelFormatError whose message matches `culprit`. */
function expectRefusal(run: () => unknown, culprit: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a refusal matching ${culprit}`).toBeInstanceOf(ModelFormatError);
  expect((error as Error).message).toMatch(culprit);
}

const raw = (m: ImportedModel, X: Table['X'], opts = {}) => m.predictRaw(X, opts).data;
/** Column 1 of a two-column probability matrix. */
const positive = (p: { data: Float64Array; rows: number }) => Float64Array.from({ length: p.rows }, (_, i) => p.data[2 * i + 1]!);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('XGBoost: the declared tree counts', () => {
  it('refuses a gbtree_model_param.num_trees other than the number of trees, naming both', () => {
    const model = json('xgboost/binary_logistic_d4.json');
    const trees = model.learner.gradient_booster.model.trees.length;
    expect(trees).toBe(20);
    expect(() => importXGBoost(model)).not.toThrow();
    for (const declared of ['3', '0', '19', '21', '200']) {
      const m = structuredClone(model);
      m.learner.gradient_booster.model.gbtree_model_param.num_trees = declared;
      expectRefusal(() => importXGBoost(m), new RegExp(`num_trees is ${declared} but the model holds ${trees} trees`));
    }
    const garbled = structuredClone(model);
    garbled.learner.gradient_booster.model.gbtree_model_param.num_trees = 'twenty';
    expectRefusal(() => importXGBoost(garbled), /num_trees/);
  });

  it('reads num_trees of a dart model where its trees are, one level deeper', () => {
    const model = json('xgb_dart.json', new URL('../', local));
    const inner = model.learner.gradient_booster.gbtree.model;
    expect(model.learner.gradient_booster.name).toBe('dart');
    expect(inner.gbtree_model_param.num_trees).toBe(String(inner.trees.length));
    expect(() => importXGBoost(model)).not.toThrow();
    const m = structuredClone(model);
    m.learner.gradient_booster.gbtree.model.gbtree_model_param.num_trees = '5';
    expectRefusal(() => importXGBoost(m), new RegExp(`num_trees is 5 but the model holds ${inner.trees.length} trees`));
  });

  it('counts every parallel tree in num_trees (num_parallel_tree 3)', () => {
    const model = json('xgb_forest.json', new URL('../', local));
    const p = model.learner.gradient_booster.model.gbtree_model_param;
    expect(p.num_parallel_tree).toBe('3');
    expect(p.num_trees).toBe('36');
    expect(() => importXGBoost(model)).not.toThrow();
    // The count of rounds x classes (12) leaves out the parallel trees: refused.
    const m = structuredClone(model);
    m.learner.gradient_booster.model.gbtree_model_param.num_trees = '12';
    expectRefusal(() => importXGBoost(m), /num_trees is 12 but the model holds 36 trees/);
  });

  it('takes a file without num_trees by its trees', () => {
    const model = json('xgboost/binary_logistic_d4.json');
    const X = readTable(new URL('xgboost/binary_logistic_d4.expected.csv', shared)).X;
    const m = structuredClone(model);
    delete m.learner.gradient_booster.model.gbtree_model_param.num_trees;
    expect(raw(importXGBoost(m), X)).toEqual(raw(importXGBoost(model), X));
  });

  it('refuses a tree_info shorter or longer than the trees', () => {
    const model = json('xgboost/binary_logistic_d4.json');
    const short = structuredClone(model);
    short.learner.gradient_booster.model.tree_info.pop();
    expectRefusal(() => importXGBoost(short), /expected 20 entries in model\.tree_info but found 19/);
    const long = structuredClone(model);
    long.learner.gradient_booster.model.tree_info.push(0);
    expectRefusal(() => importXGBoost(long), /expected 20 entries in model\.tree_info but found 21/);
    const dart = json('xgb_dart.json', new URL('../', local));
    dart.learner.gradient_booster.gbtree.model.tree_info.pop();
    expectRefusal(() => importXGBoost(dart), /expected 12 entries in model\.tree_info but found 11/);
  });
});

describe('XGBoost: feature names and best_iteration', () => {
  const early = json('import_coverage_early_stop.json', local);
  const table = readTable(new URL('import_coverage_early_stop.expected.csv', local));

  it('keeps learner.feature_names; feature_types change no prediction', () => {
    const model = json('xgboost/binary_logistic_d4.json');
    const X = readTable(new URL('xgboost/binary_logistic_d4.expected.csv', shared)).X;
    expect(model.learner.feature_names).toEqual([]);
    const plain = importXGBoost(model);
    expect(plain.featureNames).toEqual([]);
    const names = Array.from({ length: 30 }, (_, i) => (i === 3 ? 'Größe (cm)' : `feature_${i}`));
    const named = structuredClone(model);
    named.learner.feature_names = names;
    named.learner.feature_types = names.map((_, i) => (i % 7 === 0 ? 'int' : i % 11 === 0 ? 'i' : 'float'));
    const m = importXGBoost(named);
    expect(m.featureNames).toEqual(names);
    expect(raw(m, X)).toEqual(raw(plain, X));
    expect((m as GradientBoostingClassifier).predictProba(X).data).toEqual((plain as GradientBoostingClassifier).predictProba(X).data);
  });

  it('keeps the names XGBoost wrote', () => {
    expect(early.learner.feature_names).toEqual(['age', 'income', 'tenure', 'score', 'visits']);
    expect(importXGBoost(early).featureNames).toEqual(early.learner.feature_names);
  });

  it('reports best_iteration as bestIteration and predicts with every round, as Booster.predict does by default', () => {
    // XGBoost 1.7 Booster.predict: "The full model will be used unless `iteration_range` is
    // specified" (the default is (0, 0)); only the scikit-learn wrapper defaults to best_iteration.
    const best = Number(early.learner.attributes.best_iteration);
    const rounds = early.learner.gradient_booster.model.trees.length;
    expect(best).toBeGreaterThan(0);
    expect(best).toBeLessThan(rounds - 1);
    const m = importXGBoost(early) as GradientBoostingClassifier;
    expect(m.bestIteration).toBe(best);
    expect(m.nEstimatorsFitted).toBe(rounds);
    const margin = table.col('margin');
    const bestMargin = table.col('best_margin');
    // The fixture tells the two apart: the rounds after best_iteration move the margins.
    expect(Math.max(...margin.map((v, i) => Math.abs(v - bestMargin[i]!)))).toBeGreaterThan(0.1);
    expectClose(raw(m, table.X), margin, 'default margin');
    expectClose(positive(m.predictProba(table.X)), table.col('pred'), 'default probability');
    // iteration_range=(0, best + 1) is the model best_iteration designates.
    expectClose(raw(m, table.X, { iterationRange: [0, best + 1] }), bestMargin, 'best margin');
    expectClose(raw(m, table.X, { numIteration: best + 1 }), bestMargin, 'best margin (numIteration)');
    expectClose(positive(m.predictProba(table.X, { iterationRange: [0, best + 1] })), table.col('best_pred'), 'best probability');
  });

  it('an edited best_iteration changes bestIteration and no prediction', () => {
    const model = json('xgboost/binary_logistic_d4.json');
    const X = readTable(new URL('xgboost/binary_logistic_d4.expected.csv', shared)).X;
    const edited = structuredClone(model);
    edited.learner.attributes.best_iteration = '4';
    const before = importXGBoost(model);
    const after = importXGBoost(edited);
    expect(before.bestIteration).toBe(Number(model.learner.attributes.best_iteration));
    expect(after.bestIteration).toBe(4);
    expect(raw(after, X)).toEqual(raw(before, X));
    // Without the attribute, the last round.
    const none = structuredClone(model);
    delete none.learner.attributes.best_iteration;
    expect(importXGBoost(none).bestIteration).toBe(model.learner.gradient_booster.model.trees.length - 1);
  });

  it('with parallel trees, bestIteration counts compiled rounds (num_parallel_tree per XGBoost round)', () => {
    const model = json('xgb_forest.json', new URL('../', local));
    model.learner.attributes.best_iteration = '1';
    // XGBoost round 1 ends with compiled round (1 + 1) * 3 - 1.
    expect(importXGBoost(model).bestIteration).toBe(5);
  });
});

// LightGBM's ConvertOutput per objective (microsoft/LightGBM, src/objective/), the transform a model
// loaded from text applies after summing the trees:
// - regression, regression_l1, huber, fair, quantile, mape: RegressionL2loss::ConvertOutput
//   (regression_objective.hpp) returns the input unchanged unless `sqrt` (then sign(x) * x^2); the
//   others inherit it (RegressionL1loss, RegressionHuberLoss, RegressionFairLoss,
//   RegressionQuantileloss, RegressionMAPELOSS).
// - poisson: RegressionPoissonLoss::ConvertOutput is exp(x) (regression_objective.hpp); gamma and
//   tweedie inherit it (RegressionGammaLoss, RegressionTweedieLoss). Tweedie's ToString writes just
//   "tweedie"; a variance power token is ignored by LightGBM's loader and by ours.
// - binary: BinaryLogloss::ConvertOutput is 1 / (1 + exp(-sigmoid_ * x)) and ToString writes
//   "binary sigmoid:<sigmoid_>" (binary_objective.hpp).
// - multiclassova: MulticlassOVA::ConvertOutput is 1 / (1 + exp(-sigmoid_ * x_k)) for each class k
//   on its own, no normalisation (multiclass_objective.hpp); ToString "multiclassova num_class:K
//   sigmoid:S".
// - cross_entropy: CrossEntropy::ConvertOutput is 1 / (1 + exp(-x)) (xentropy_objective.hpp);
//   ToString "cross_entropy". GBDT::LoadModelFromString (gbdt_model_text.cpp) passes the objective
//   line through ParseObjectiveAlias, so a bare "xentropy" line loads as cross_entropy too.
interface ObjectiveCase {
  line: string;
  transform: (x: number) => number;
  classifier: boolean;
}

const identity = (x: number) => x;
const singleOutput: ObjectiveCase[] = [
  ...['regression', 'regression_l1', 'huber', 'fair', 'quantile', 'mape'].map((line) => ({ line, transform: identity, classifier: false })),
  ...['poisson', 'gamma', 'tweedie', 'tweedie tweedie_variance_power:1.5'].map((line) => ({ line, transform: Math.exp, classifier: false })),
  ...['cross_entropy', 'xentropy'].map((line) => ({ line, transform: sigmoid, classifier: false })),
  { line: 'binary sigmoid:1', transform: sigmoid, classifier: true },
];

const withObjective = (text: string, line: string) => {
  expect(text).toMatch(/^objective=.*$/m);
  return text.replace(/^objective=.*$/m, `objective=${line}`);
};

describe('LightGBM objectives: the output transform of each', () => {
  for (const base of ['binary_nan', 'regression_bagging']) {
    const text = fixture(`lightgbm/${base}.txt`);
    const table = readTable(new URL(`lightgbm/${base}.expected.csv`, shared));
    const margin = importLightGBM(text).predictRaw(table.X).data;

    it(`${base}: the unedited model's raw margin is LightGBM's`, () => {
      expectClose(margin, table.col('margin'), `${base} margin`);
    });

    for (const c of singleOutput) {
      it(`${base} as "${c.line}"`, () => {
        const m = importLightGBM(withObjective(text, c.line));
        expect(m).toBeInstanceOf(c.classifier ? GradientBoostingClassifier : GradientBoostingRegressor);
        // Same trees: the raw margin is the unedited model's, bit for bit.
        expect(m.predictRaw(table.X).data).toEqual(margin);
        const expected = margin.map(c.transform);
        if (m instanceof GradientBoostingClassifier) {
          expect(m.classes).toEqual([0, 1]);
          const p = m.predictProba(table.X);
          expectRelClose(positive(p), expected, `${base} ${c.line} P(1)`);
          expectRelClose(Float64Array.from({ length: p.rows }, (_, i) => p.data[2 * i]!), expected.map((v) => 1 - v), `${base} ${c.line} P(0)`);
        } else {
          expectRelClose(m.predict(table.X), expected, `${base} ${c.line}`);
        }
      });
    }
  }

  it('multiclassova: one independent sigmoid per class, not a softmax', () => {
    const text = fixture('lightgbm/multiclass.txt');
    const table = readTable(new URL('lightgbm/multiclass.expected.csv', shared));
    const softmax = importLightGBM(text) as GradientBoostingClassifier;
    const margin = softmax.predictRaw(table.X).data;
    expectClose(margin, table.cols('margin'), 'multiclass margin');
    expect(text).toMatch(/^objective=multiclass num_class:3$/m);
    const m = importLightGBM(withObjective(text, 'multiclassova num_class:3 sigmoid:1'));
    expect(m).toBeInstanceOf(GradientBoostingClassifier);
    const ova = m as GradientBoostingClassifier;
    expect(ova.classes).toEqual([0, 1, 2]);
    expect(ova.predictRaw(table.X).data).toEqual(margin);
    const p = ova.predictProba(table.X);
    expect([p.rows, p.cols]).toEqual([table.X.rows, 3]);
    expectRelClose(p.data, margin.map(sigmoid), 'multiclassova probabilities');
    // Rows need not sum to 1 (a softmax would): most here do not.
    const sums = Array.from({ length: p.rows }, (_, i) => p.data[3 * i]! + p.data[3 * i + 1]! + p.data[3 * i + 2]!);
    expect(sums.filter((s) => Math.abs(s - 1) > 0.01).length).toBeGreaterThan(p.rows / 2);
    // The sigmoid is monotone: the predicted class is the softmax model's.
    expect(ova.predict(table.X)).toEqual(softmax.predict(table.X));
  });

  it('refuses a sigmoid parameter other than 1 instead of mispredicting', () => {
    // LightGBM would output sigmoid(k * x) while its raw score stays x; the compiled forest has
    // only sigmoid(x) and predictRaw must stay LightGBM's raw score, so k != 1 cannot be mapped.
    const binary = fixture('lightgbm/binary_nan.txt');
    for (const line of ['binary sigmoid:2', 'binary sigmoid:0.5']) {
      expectRefusal(() => importLightGBM(withObjective(binary, line)), /sigmoid parameter other than 1/);
    }
    const multi = fixture('lightgbm/multiclass.txt');
    expectRefusal(() => importLightGBM(withObjective(multi, 'multiclassova num_class:3 sigmoid:2')), /sigmoid parameter other than 1/);
  });

  it('refuses the sqrt target transform, which LightGBM undoes with sign(x) * x^2', () => {
    const text = fixture('lightgbm/regression_bagging.txt');
    for (const name of ['regression', 'regression_l1', 'fair', 'quantile', 'mape']) {
      expectRefusal(() => importLightGBM(withObjective(text, `${name} sqrt`)), /sqrt/);
    }
  });
});

/** The byte length of each `Tree=i` block (to the next block or "end of trees"), as tree_sizes lists them. */
function treeSizes(text: string): number[] {
  const starts = [...text.matchAll(/^Tree=\d+$/gm)].map((m) => m.index!);
  const end = text.indexOf('end of trees');
  return starts.map((s, i) => Buffer.byteLength(text.slice(s, i + 1 < starts.length ? starts[i + 1] : end)));
}

/**
 * The v3 text of a v4 model. GBDT::SaveModelToString (gbdt_model_text.cpp) writes the header lines
 * and the tree blocks (Tree::ToString, src/io/tree.cpp) alike under kModelVersion "v3" and "v4";
 * what differs lies after "end of trees", which the importer does not read (v3 titles the
 * importance section "feature importances:", v4 "feature_importances:", and v4 may add a "parser:"
 * section), and in the trees of LightGBM 3.0 / 3.1, which have no `is_linear=` line (added with
 * linear trees in 3.2, still format v3): that shortens every tree_sizes entry.
 */
function asV3(v4: string, linearField: boolean): string {
  expect(v4).toMatch(/^version=v4$/m);
  let text = v4.replace(/^version=v4$/m, 'version=v3').replace(/^feature_importances:$/m, 'feature importances:');
  if (!linearField) {
    text = text.replace(/^is_linear=0\n/gm, '');
    text = text.replace(/^tree_sizes=.*$/m, `tree_sizes=${treeSizes(text).join(' ')}`);
  }
  return text;
}

describe('LightGBM v3 text', () => {
  it('the tree_sizes helper reproduces LightGBM\'s own', () => {
    const text = fixture('lightgbm/binary_categorical.txt');
    expect(treeSizes(text).join(' ')).toBe(/^tree_sizes=(.*)$/m.exec(text)![1]);
  });

  for (const name of ['binary_nan', 'binary_categorical', 'multiclass', 'regression_bagging', 'regression_zero_as_missing']) {
    it(`${name}: a v3 file imports and predicts as the v4 one`, () => {
      const v4 = fixture(`lightgbm/${name}.txt`);
      const table = readTable(new URL(`lightgbm/${name}.expected.csv`, shared));
      const reference = importLightGBM(v4);
      const margin = reference.predictRaw(table.X).data;
      expectClose(margin, table.cols('margin'), `${name} v4 margin`);
      for (const linearField of [true, false]) {
        const v3 = asV3(v4, linearField);
        expect(v3).toMatch(/^version=v3$/m);
        expect(v3.includes('is_linear=')).toBe(linearField);
        const m = importLightGBM(v3);
        expect(m.constructor).toBe(reference.constructor);
        expect(m.featureNames).toEqual(reference.featureNames);
        expect(m.predictRaw(table.X).data).toEqual(margin);
        if (m instanceof GradientBoostingClassifier) {
          expect(m.predictProba(table.X).data).toEqual((reference as GradientBoostingClassifier).predictProba(table.X).data);
        } else {
          expect(m.predict(table.X)).toEqual((reference as GradientBoostingRegressor).predict(table.X));
        }
      }
    });
  }
});

describe('imported models as ensemble members', () => {
  // Breast cancer with 5% NaN (the LightGBM fixture's rows; the XGBoost one was trained on the same
  // data set) and its labels.
  const X = readTable(new URL('lightgbm/binary_nan.expected.csv', shared)).X;
  const y = loadBreastCancer().y;
  const members = () => {
    const xgb = importXGBoost(fixture('xgboost/binary_logistic_d4.json')) as GradientBoostingClassifier;
    const lgb = importLightGBM(fixture('lightgbm/binary_nan.txt')) as GradientBoostingClassifier;
    return { xgb, lgb };
  };

  /** `fn(path)` with a fresh temporary directory, removed afterwards. */
  function inTemp<T>(fn: (dir: string) => T): T {
    const dir = mkdtempSync(join(tmpdir(), 'ensemblekit-import-coverage-'));
    try {
      return fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a soft VotingClassifier of prefit imported members averages their probabilities', async () => {
    const { xgb, lgb } = members();
    expect(y.length).toBe(X.rows);
    const px = xgb.predictProba(X).data;
    const pl = lgb.predictProba(X).data;
    // The members differ, so the mean is not either of them.
    expect(Math.max(...px.map((v, i) => Math.abs(v - pl[i]!)))).toBeGreaterThan(0.05);

    const voting = await new VotingClassifier({ estimators: [['xgb', xgb], ['lgb', lgb]], voting: 'soft', prefit: true }).fit(X, y);
    expect(voting.namedEstimators.xgb).toBe(xgb);
    expect(voting.namedEstimators.lgb).toBe(lgb);
    expect(voting.classes).toEqual([0, 1]);
    const p = voting.predictProba(X);
    expectRelClose(p.data, px.map((v, i) => (v + pl[i]!) / 2), 'soft vote');
    const labels = Float64Array.from({ length: p.rows }, (_, i) => (p.data[2 * i + 1]! > p.data[2 * i]! ? 1 : 0));
    expect(voting.predict(X)).toEqual(labels);

    const weighted = await new VotingClassifier({ estimators: [['xgb', xgb], ['lgb', lgb]], voting: 'soft', prefit: true, weights: [1, 3] }).fit(X, y);
    expectRelClose(weighted.predictProba(X).data, px.map((v, i) => (v + 3 * pl[i]!) / 4), 'weighted soft vote');

    inTemp((dir) => {
      for (const model of [voting, weighted]) {
        const path = join(dir, 'voting.ekm');
        saveModel(model, path);
        const back = loadModel(path) as VotingClassifier;
        expect(back).toBeInstanceOf(VotingClassifier);
        expect(back.predictProba(X).data).toEqual(model.predictProba(X).data);
        expect(back.predict(X)).toEqual(model.predict(X));
      }
    });
  });

  it("a StackingClassifier with cv: 'prefit' stacks the imported members' probabilities", async () => {
    const { xgb, lgb } = members();
    const stack = await new StackingClassifier({ estimators: [['xgb', xgb], ['lgb', lgb]], cv: 'prefit' }).fit(X, y);
    expect(stack.namedEstimators.xgb).toBe(xgb);
    expect(stack.namedEstimators.lgb).toBe(lgb);
    expect(stack.stackMethods).toEqual(['predictProba', 'predictProba']);
    // Two classes: one column per member, its P(1).
    const meta = stack.transform(X);
    expect([meta.rows, meta.cols]).toEqual([X.rows, 2]);
    const px = positive(xgb.predictProba(X));
    const pl = positive(lgb.predictProba(X));
    expect(Float64Array.from({ length: meta.rows }, (_, i) => meta.data[2 * i]!)).toEqual(px);
    expect(Float64Array.from({ length: meta.rows }, (_, i) => meta.data[2 * i + 1]!)).toEqual(pl);
    const p = stack.predictProba(X);
    expect(p.data).toEqual((stack.finalEstimatorFitted as Classifier).predictProba(meta).data);
    // Stacking two good members should still classify the training rows well.
    expect(stack.score(X, y)).toBeGreaterThan(0.9);

    inTemp((dir) => {
      const path = join(dir, 'stacking.ekm');
      saveModel(stack, path);
      const back = loadModel(path) as StackingClassifier;
      expect(back).toBeInstanceOf(StackingClassifier);
      expect(back.transform(X).data).toEqual(meta.data);
      expect(back.predictProba(X).data).toEqual(p.data);
      expect(back.predict(X)).toEqual(stack.predict(X));
    });
  });
});
