/**
 * Importers: every model in test/io/fixtures/shared (a copy of the workspace's shared/fixtures) (XGBoost 1.7.4 JSON, LightGBM 4.6 text) and the extra
 * XGBoost models of test/io/fixtures (make_xgboost_extra.py) must reproduce the library's own margins
 * and transformed predictions to 1e-6 (absolute or relative, whichever is larger), on both SIMD
 * paths, float32 and float64 inputs, and 1 / many threads. Plus the exactness of XGBoost's float32
 * "<" and LightGBM's reading rules, and clear refusals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  ModelFormatError,
  estimatorFromJSON,
  importLightGBM,
  importXGBoost,
  type ImportedModel,
} from '../../lib/index.js';
import { lessThanAsLessEqual } from '../../lib/io/index.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';

const shared = new URL('./fixtures/shared/', import.meta.url);
const local = new URL('./fixtures/', import.meta.url);

interface Expected {
  X: Float64Array;
  rows: number;
  cols: number;
  margin: Float64Array;
  pred: Float64Array;
  k: number;
  predCols: number;
}

function readExpected(url: URL): Expected {
  const lines = readFileSync(url, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  // Columns by name: x0.., then margin / margin0.. and pred / pred0.. in any order.
  const pick = (prefix: string) =>
    head
      .map((h, i) => [h, i] as const)
      .filter(([h]) => h === prefix || new RegExp(`^${prefix}\\d+$`).test(h))
      .sort(([a], [b]) => (Number(a.slice(prefix.length)) || 0) - (Number(b.slice(prefix.length)) || 0))
      .map(([, i]) => i);
  const xi = pick('x');
  const mi = pick('margin');
  const pi = pick('pred');
  const xs = xi.length;
  const ms = mi.length;
  const ps = pi.length;
  const rows = lines.length - 1;
  const X = new Float64Array(rows * xs);
  const margin = new Float64Array(rows * ms);
  const pred = new Float64Array(rows * ps);
  lines.slice(1).forEach((line, r) => {
    const v = line.split(',').map((s) => (s === 'nan' ? NaN : Number(s)));
    xi.forEach((c, j) => (X[r * xs + j] = v[c]!));
    mi.forEach((c, j) => (margin[r * ms + j] = v[c]!));
    pi.forEach((c, j) => (pred[r * ps + j] = v[c]!));
  });
  return { X, rows, cols: xs, margin, pred, k: ms, predCols: ps };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): number {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    worst = Math.max(worst, err);
    if (!(err <= 1e-6)) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
  }
  return worst;
}

/** The library's transformed prediction from our estimator, in the fixture's layout. */
function transformed(model: ImportedModel, X: { data: Float64Array | Float32Array; rows: number; cols: number }, e: Expected, objective: string): Float64Array {
  if (model instanceof GradientBoostingRegressor) return model.predict(X);
  if (objective === 'multi:softmax') return model.predict(X) as Float64Array;
  if (objective === 'binary:logitraw') return model.predictRaw(X).data;
  const p = model.predictProba(X);
  if (e.predCols === 1) return Float64Array.from({ length: p.rows }, (_, i) => p.data[i * 2 + 1]!);
  return p.data;
}

interface Case {
  name: string;
  load: () => ImportedModel;
  expected: URL;
  objective: string;
}

function objectiveOf(name: string, text: string, json: boolean): string {
  if (json) return /"objective":\{"name":"([^"]+)"/.exec(text)![1]!;
  return /^objective=(\S+)/m.exec(text)![1]!;
}

const cases: Case[] = [];
for (const dir of [new URL('xgboost/', shared), local]) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const url = new URL(f, dir);
    const text = readFileSync(url, 'utf8');
    cases.push({ name: `xgboost/${f}`, load: () => importXGBoost(text), expected: new URL(f.replace('.json', '.expected.csv'), dir), objective: objectiveOf(f, text, true) });
  }
}
for (const f of readdirSync(new URL('lightgbm/', shared)).filter((n) => n.endsWith('.txt'))) {
  const url = new URL(`lightgbm/${f}`, shared);
  const text = readFileSync(url, 'utf8');
  cases.push({ name: `lightgbm/${f}`, load: () => importLightGBM(text), expected: new URL(f.replace('.txt', '.expected.csv'), new URL('lightgbm/', shared)), objective: objectiveOf(f, text, false) });
}

describe('importer parity with the libraries', () => {
  it('found the shared fixtures', () => {
    expect(cases.filter((c) => c.name.startsWith('lightgbm/')).length).toBe(5);
    expect(cases.length).toBeGreaterThanOrEqual(9);
  });

  for (const c of cases) {
    it(c.name, () => {
      const e = readExpected(c.expected);
      const model = c.load();
      const X64 = { data: e.X, rows: e.rows, cols: e.cols };
      const X32 = { data: Float32Array.from(e.X), rows: e.rows, cols: e.cols };
      for (const isa of availableIsas()) {
        withIsa(isa, () => {
          for (const threads of threadCounts()) {
            model.setParams({ nThreads: threads });
            for (const X of c.name.startsWith('xgboost/') ? [X64, X32] : [X64]) {
              const what = `${c.name} ${isa} ${threads}t ${X.data.constructor.name}`;
              close(model.predictRaw(X).data, e.margin, `${what} margin`);
              close(transformed(model, X, e, c.objective), e.pred, `${what} pred`);
            }
          }
        });
      }
      // The JSON form keeps the reading rules.
      const back = estimatorFromJSON(JSON.parse(JSON.stringify(model.toJSON()))) as unknown as ImportedModel;
      close(back.predictRaw(X64).data, e.margin, `${c.name} after toJSON/fromJSON`);
    });
  }
});

describe('XGBoost float32 "<" as a double "<="', () => {
  it('routes every double as float32(x) < t does', () => {
    const r = rng(3);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const specials = [0, -0, 2 ** -149, -(2 ** -149), 1, -1, 3.4028234663852886e38, -3.4028234663852886e38, 0.1, 1e-30];
    for (let i = 0; i < 3000; i++) {
      const t = i < specials.length ? Math.fround(specials[i]!) : Math.fround((r() - 0.5) * 10 ** Math.floor(r() * 12 - 6));
      const thr = lessThanAsLessEqual(t);
      // Probe the float32 neighbours of t, the midpoints and doubles just around them.
      f32[0] = t;
      const probes: number[] = [t, thr, -thr];
      for (const d of [-2, -1, 1, 2]) {
        f32[0] = t;
        u32[0] = u32[0]! + d;
        if (Number.isFinite(f32[0]!)) probes.push(f32[0]!, (f32[0]! + t) / 2);
      }
      for (const p of [...probes]) probes.push(p * (1 + 2 ** -52), p * (1 - 2 ** -52));
      for (const x of probes) {
        if (!Number.isFinite(x)) continue;
        expect(x <= thr, `t=${t} x=${x}`).toBe(Math.fround(x) < t);
      }
    }
  });
});

/** A one-split LightGBM model: feature 0 against `threshold` with `decisionType`, leaves -1 / +1. */
function lightgbmStump(decisionType: number, threshold: string, extra = ''): string {
  return [
    'tree', 'version=v4', 'num_class=1', 'num_tree_per_iteration=1', 'label_index=0', 'max_feature_idx=1', 'objective=regression',
    'feature_names=a b', 'tree_sizes=1', '', 'Tree=0', 'num_leaves=2', `num_cat=${extra ? 1 : 0}`, 'split_feature=0', 'split_gain=1',
    `threshold=${threshold}`, `decision_type=${decisionType}`, 'left_child=-1', 'right_child=-2', 'leaf_value=-1 1', 'leaf_weight=1 1',
    'leaf_count=1 1', 'internal_value=0', 'internal_weight=2', 'internal_count=2', extra, 'is_linear=0', 'shrinkage=1', '', 'end of trees', '',
  ].join('\n');
}

describe('LightGBM reading rules', () => {
  const at = (m: ImportedModel, values: number[]): number[] =>
    Array.from((m as GradientBoostingRegressor).predict({ data: Float64Array.from(values.flatMap((v) => [v, 0])), rows: values.length, cols: 2 }));

  it('missing type None reads NaN as 0', () => {
    // threshold 0.5: 0 goes left; threshold -0.5: 0 goes right, whatever the default bit says.
    expect(at(importLightGBM(lightgbmStump(2, '0.5')), [NaN, 0, 1])).toEqual([-1, -1, 1]);
    expect(at(importLightGBM(lightgbmStump(2, '-0.5')), [NaN, 0, -1])).toEqual([1, 1, -1]);
  });

  it('missing type Zero sends NaN and |x| <= 1e-35 to the default side', () => {
    const right = importLightGBM(lightgbmStump(4, '0.5')); // default right
    expect(at(right, [NaN, 0, 1e-36, -1e-36, 1e-30, 0.3, 0.7])).toEqual([1, 1, 1, 1, -1, -1, 1]);
    const left = importLightGBM(lightgbmStump(6, '-0.5')); // default left
    expect(at(left, [NaN, 0, 1e-36, -0.7, -0.3])).toEqual([-1, -1, -1, -1, 1]);
  });

  it('missing type NaN sends only NaN to the default side', () => {
    expect(at(importLightGBM(lightgbmStump(8, '0.5')), [NaN, 0, 1])).toEqual([1, -1, 1]);
    expect(at(importLightGBM(lightgbmStump(8 | 2, '-0.5')), [NaN, 0])).toEqual([-1, 1]);
  });

  it('categorical splits truncate toward zero; NaN and negatives go right', () => {
    // categories {0, 3, 33} go left.
    const m = importLightGBM(lightgbmStump(9, '0', `cat_boundaries=0 2\ncat_threshold=${(1 | 8) >>> 0} 2`));
    expect(at(m, [0, 3, 33, 1, 2, 32, 3.7, -0.5, -1, NaN, 64, 1e12])).toEqual([-1, -1, -1, 1, 1, 1, -1, -1, 1, 1, 1, 1]);
  });
});

describe('refusals', () => {
  const fixture = (name: string) => readFileSync(new URL(name, shared), 'utf8');

  it('refuses linear trees, unsupported objectives and truncated text', () => {
    const text = fixture('lightgbm/regression_bagging.txt');
    expect(() => importLightGBM(text.replace('is_linear=0', 'is_linear=1'))).toThrow(/linear tree/);
    expect(() => importLightGBM(text.replace('objective=regression', 'objective=cross_entropy_lambda'))).toThrow(ModelFormatError);
    expect(() => importLightGBM(text.replace('objective=regression', 'objective=regression sqrt'))).toThrow(/sqrt/);
    expect(() => importLightGBM(text.slice(0, text.length / 2))).toThrow(ModelFormatError);
    expect(() => importLightGBM('not a model')).toThrow(ModelFormatError);
  });

  it('refuses malformed XGBoost JSON with ModelFormatError', () => {
    const json = JSON.parse(fixture('xgboost/binary_logistic_d4.json'));
    expect(() => importXGBoost('{ nope')).toThrow(ModelFormatError);
    const gblinear = structuredClone(json);
    gblinear.learner.gradient_booster.name = 'gblinear';
    expect(() => importXGBoost(gblinear)).toThrow(/gblinear/);
    const cyc = structuredClone(json);
    cyc.learner.gradient_booster.model.trees[0].left_children[1] = 0;
    expect(() => importXGBoost(cyc)).toThrow(/reached twice/);
    const feat = structuredClone(json);
    feat.learner.gradient_booster.model.trees[0].split_indices[0] = 30;
    expect(() => importXGBoost(feat)).toThrow(/feature 30/);
    const obj = structuredClone(json);
    obj.learner.objective.name = 'survival:cox';
    expect(() => importXGBoost(obj)).toThrow(/survival:cox/);
  });

  it('gives classifiers classes 0..k-1 and keeps feature names', () => {
    const m = importLightGBM(fixture('lightgbm/multiclass.txt'));
    expect(m).toBeInstanceOf(GradientBoostingClassifier);
    expect((m as GradientBoostingClassifier).classes).toEqual([0, 1, 2]);
    expect(m.featureNames).toEqual(['Column_0', 'Column_1', 'Column_2', 'Column_3']);
  });
});
