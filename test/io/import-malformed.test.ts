/**
 * The native importers (native/core/io: json.cc, xgboost_json.cc, lightgbm_text.cc) on malformed
 * and hostile input: truncated files, wrong types, child ids out of range, cycles, declared counts
 * larger than their content, huge numbers, deep nesting, invalid UTF-8. Every case must end in a
 * ModelFormatError whose message names the culprit, and the process must survive. Plus the 2.x
 * schema variants the 1.7 fixtures do not show (base_score vector, boolean default_left) and bytes
 * input, checked against the fixture's own predictions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GradientBoostingRegressor, ModelFormatError, importLightGBM, importXGBoost, type ImportedModel } from '../../lib/index.js';

const shared = new URL('./fixtures/shared/', import.meta.url);
const local = new URL('./fixtures/', import.meta.url);
const text = (url: URL) => readFileSync(url, 'utf8');

/** Asserts a ModelFormatError (with code) whose message matches `culprit`. */
function refuses(f: () => unknown, culprit: RegExp): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a refusal matching ${culprit}`).toBeInstanceOf(ModelFormatError);
  expect((error as ModelFormatError).code).toBe('ERR_MODEL_FORMAT');
  expect((error as Error).message).toMatch(culprit);
}

const raw = (m: ImportedModel, X: Float64Array, cols: number) => m.predictRaw({ data: X, rows: X.length / cols, cols }).data;

/** A small XGBoost JSON model around the given trees (regression, `numFeature` features). */
function xgbModel(trees: Record<string, unknown>[], numFeature = 2): Record<string, any> {
  return {
    learner: {
      attributes: {},
      feature_names: [],
      gradient_booster: {
        model: { gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length) }, tree_info: trees.map(() => 0), trees },
        name: 'gbtree',
      },
      learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(numFeature), num_target: '1' },
      objective: { name: 'reg:squarederror' },
    },
    version: [1, 7, 4],
  };
}

/** One XGBoost tree from its node arrays (leaf values in `cond` where left is -1). */
function xgbTree(left: number[], right: number[], feature: number[], cond: (number | string)[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const n = left.length;
  return {
    base_weights: new Array(n).fill(0),
    categories: [], categories_nodes: [], categories_segments: [], categories_sizes: [],
    default_left: new Array(n).fill(0),
    id: 0,
    left_children: left,
    loss_changes: new Array(n).fill(0),
    right_children: right,
    split_conditions: cond,
    split_indices: feature,
    split_type: new Array(n).fill(0),
    sum_hessian: new Array(n).fill(1),
    tree_param: { num_deleted: '0', num_feature: '2', num_nodes: String(n), size_leaf_vector: '0' },
    ...extra,
  };
}

const stump = () => xgbTree([1, -1, -1], [2, -1, -1], [0, 0, 0], [0.5, -1, 1]);

describe('XGBoost JSON: malformed input', () => {
  const fixture = text(new URL('xgboost/binary_logistic_d4.json', shared));

  it('accepts the hand-made stump it refuses variants of', () => {
    const m = importXGBoost(xgbModel([stump()]));
    expect(Array.from(raw(m, Float64Array.from([0, 0, 1, 0, NaN, 0]), 2))).toEqual([-0.5, 1.5, 1.5]);
  });

  it('refuses a truncated file at any cut', () => {
    for (let cut = 0; cut < fixture.length - 1; cut += 997) refuses(() => importXGBoost(fixture.slice(0, cut)), /Invalid XGBoost model/);
    refuses(() => importXGBoost(fixture.slice(0, -1)), /ends inside an object/);
    refuses(() => importXGBoost(fixture.slice(0, 5000)), /not valid JSON/);
  });

  it('refuses values of the wrong type, naming the member', () => {
    const m = xgbModel([stump()]);
    m.learner.learner_model_param.num_feature = { n: 2 };
    refuses(() => importXGBoost(m), /learner_model_param\.num_feature/);
    const t = xgbModel([stump()]);
    t.learner.gradient_booster.model.trees = { 0: stump() };
    refuses(() => importXGBoost(t), /expected an array at model\.trees but found an object/);
    const c = xgbModel([xgbTree([1, -1, -1], [2, -1, -1], [0, 0, 0], [0.5, 'x', 1])]);
    refuses(() => importXGBoost(c), /split_conditions\[1\] is a string/);
    const l = xgbModel([{ ...stump(), left_children: '1,-1,-1' }]);
    refuses(() => importXGBoost(l), /trees\[0\]\.left_children but found a string/);
    const o = xgbModel([stump()]);
    o.learner.objective.name = 7;
    refuses(() => importXGBoost(o), /learner\.objective\.name/);
    refuses(() => importXGBoost('[1, 2]'), /expected JSON text/);
    refuses(() => importXGBoost('{"learner": []}'), /expected an object at learner but found an array/);
    refuses(() => importXGBoost(42 as unknown as string), /expected the model text/);
  });

  it('refuses child ids out of range and cycles', () => {
    refuses(() => importXGBoost(xgbModel([xgbTree([1, -1, -1], [7, -1, -1], [0, 0, 0], [0.5, -1, 1])])), /tree 0, node 0: child 7 is outside \[0, 3\)/);
    refuses(() => importXGBoost(xgbModel([xgbTree([1, -1, -1], [-3, -1, -1], [0, 0, 0], [0.5, -1, 1])])), /child -3 is outside/);
    refuses(() => importXGBoost(xgbModel([xgbTree([1, -1, -1], [2.5, -1, -1], [0, 0, 0], [0.5, -1, 1])])), /child 2\.5 is outside/);
    // Node 1 points back at the root; node 2 is shared.
    refuses(() => importXGBoost(xgbModel([xgbTree([1, 0, -1], [2, 2, -1], [0, 0, 0], [0.5, 0.1, 1])])), /reached twice/);
    refuses(() => importXGBoost(xgbModel([xgbTree([1, 2, -1], [2, -1, -1], [0, 0, 0], [0.5, 0.1, 1])])), /node 2 is reached twice/);
    refuses(() => importXGBoost(xgbModel([xgbTree([1, -1, -1], [2, -1, -1], [5, 0, 0], [0.5, -1, 1])])), /node 0: feature 5 is outside \[0, 2\)/);
  });

  it('refuses declared counts larger than the content before allocating', () => {
    const big = xgbModel([stump()]);
    big.learner.gradient_booster.model.trees[0].tree_param.num_nodes = '1000000000';
    refuses(() => importXGBoost(big), /expected 1000000000 entries in trees\[0\]\.left_children but found 3/);
    big.learner.gradient_booster.model.trees[0].tree_param.num_nodes = '1000000000000';
    refuses(() => importXGBoost(big), /num_nodes "1000000000000" is larger than 2147483647/);
    const cls = xgbModel([stump()]);
    cls.learner.objective.name = 'multi:softprob';
    cls.learner.learner_model_param.num_class = '2000000000';
    refuses(() => importXGBoost(cls), /num_class 2000000000 is larger than the model's 1 trees/);
    const feat = xgbModel([stump()]);
    feat.learner.learner_model_param.num_feature = '1e12';
    refuses(() => importXGBoost(feat), /num_feature .* is larger than/);
    // Per-feature arrays stay proportional to the text: a short file cannot declare 16M features.
    feat.learner.learner_model_param.num_feature = '16000000';
    refuses(() => importXGBoost(feat), /num_feature 16000000 is larger than a model of \d+ bytes may declare/);
    const seg = xgbModel([{ ...stump(), split_type: [1, 0, 0], categories: [1], categories_nodes: [0], categories_segments: [0], categories_sizes: [99999999] }]);
    refuses(() => importXGBoost(seg), /categories segment 0 is out of range/);
  });

  it('bounds the memory of category bitsets shared by many nodes', () => {
    // A chain of 64 categorical nodes that all list category 2^24 - 1 (a 2 MiB bitset each).
    const n = 64;
    const left: number[] = [], right: number[] = [], cond: number[] = [];
    for (let i = 0; i < n; i++) {
      left.push(n + i), right.push(i + 1 < n ? i + 1 : 2 * n), cond.push(0);
    }
    for (let i = 0; i <= n; i++) left.push(-1), right.push(-1), cond.push(i);
    const tree = xgbTree(left, right, new Array(2 * n + 1).fill(0), cond, {
      split_type: [...new Array(n).fill(1), ...new Array(n + 1).fill(0)],
      categories: [16777215], categories_nodes: Array.from({ length: n }, (_, i) => i),
      categories_segments: new Array(n).fill(0), categories_sizes: new Array(n).fill(1),
    });
    refuses(() => importXGBoost(xgbModel([tree])), /category bitsets of the model exceed the size limit/);
    // The same chain with small categories is fine.
    const ok = xgbTree(left, right, new Array(2 * n + 1).fill(0), cond, { ...tree, categories: [3] });
    const m = importXGBoost(xgbModel([ok]));
    expect(Array.from(raw(m, Float64Array.from([3, 0, 4, 0]), 2))).toEqual([n + 0.5, 0.5]);
    refuses(() => importXGBoost(xgbModel([{ ...ok, categories: [16777216] }])), /node 0: category 16777216 is not an integer in \[0, 2\^24\)/);
  });

  it('refuses huge and malformed numbers', () => {
    const s = JSON.stringify(xgbModel([stump()]));
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[1e400,-1,1]')), /too large for a double/);
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', `[0.5,-${'9'.repeat(600)},1]`)), /longer than 512 characters/);
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[0.5,-01,1]')), /leading zero/);
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[0.5,-1.,1]')), /digits after '\.'/);
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[0.5,+1,1]')), /cannot start with '\+'/);
    // XGBoost's bare NaN token reads as NaN: fine for a split's unused slot, not for a leaf.
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[0.5,NaN,1]')), /leaf 1: the value NaN is not finite/);
    refuses(() => importXGBoost(s.replace('[0.5,-1,1]', '[Infinity,-1,1]')), /split condition Infinity is not finite/);
    const huge = xgbModel([stump()]);
    huge.learner.gradient_booster.model.trees[0].tree_param.num_nodes = '1e400';
    refuses(() => importXGBoost(huge), /expected a number at trees\[0\]\.tree_param\.num_nodes/);
  });

  it('refuses deep nesting without exhausting the stack', () => {
    const depth = 200000;
    refuses(() => importXGBoost(`{"learner":${'['.repeat(depth)}${']'.repeat(depth)}}`), /nesting deeper than 128 levels/);
    refuses(() => importXGBoost(`{"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`), /nesting deeper than 128 levels/);
  });

  it('refuses invalid UTF-8, lone surrogates, control characters and repeated members', () => {
    const s = JSON.stringify(xgbModel([stump()]));
    const withName = s.replace('"feature_names":[]', '"feature_names":["ab"]');
    const bytes = new TextEncoder().encode(withName);
    const at = withName.indexOf('"ab"') + 1; // ASCII so far: the byte offset is the character offset
    bytes[at] = 0xc0; // an overlong lead byte
    refuses(() => importXGBoost(bytes), /invalid UTF-8 \(byte 0xC0\)/);
    refuses(() => importXGBoost(s.replace('"feature_names":[]', '"feature_names":["\\ud800"]')), /high surrogate/);
    refuses(() => importXGBoost(s.replace('"feature_names":[]', '"feature_names":["a\tb"]')), /control character/);
    refuses(() => importXGBoost(s.replace('"attributes":{}', '"attributes":{"best_iteration":"1","best_iteration":"2"}')), /member 'best_iteration' appears twice/);
    refuses(() => importXGBoost(`${s} x`), /after the top-level value/);
  });

  it('reads the 2.x schema: base_score vector, boolean default_left, bytes input', () => {
    const json = JSON.parse(text(new URL('xgboost/multi_softprob.json', shared)));
    const e = text(new URL('xgboost/multi_softprob.expected.csv', shared)).trim().split('\n');
    const rows = e.slice(1, 21).map((l) => l.split(',').map(Number));
    const X = Float64Array.from(rows.flatMap((r) => r.slice(0, 4)));
    const base = importXGBoost(json);
    const before = raw(base, X, 4);
    // A per-class vector as 2.x writes it: margins move by (vector - scalar) in float32.
    const scalar = Math.fround(Number(json.learner.learner_model_param.base_score));
    const vec = structuredClone(json);
    vec.learner.learner_model_param.base_score = '[2E-1,5E-1,1.5E0]';
    const after = raw(importXGBoost(vec), X, 4);
    const shift = [0.2, 0.5, 1.5].map((v) => Math.fround(v) - scalar);
    for (let i = 0; i < before.length; i++) expect(after[i]! - before[i]!).toBeCloseTo(shift[i % 3]!, 6);
    // One-element vector = the scalar.
    const one = structuredClone(json);
    one.learner.learner_model_param.base_score = `[${json.learner.learner_model_param.base_score}]`;
    expect(raw(importXGBoost(one), X, 4)).toEqual(before);
    refuses(() => importXGBoost({ ...vec, learner: { ...vec.learner, learner_model_param: { ...vec.learner.learner_model_param, base_score: '[1,2]' } } }), /expected 1 or 3 base scores but found 2/);
    // Booleans for default_left.
    const bools = structuredClone(json);
    for (const t of bools.learner.gradient_booster.model.trees) t.default_left = t.default_left.map((d: number) => d === 1);
    expect(raw(importXGBoost(bools), X, 4)).toEqual(before);
    // Bytes, with a byte order mark.
    const bytes = new TextEncoder().encode(`\ufeff${JSON.stringify(json)}`);
    expect(raw(importXGBoost(bytes), X, 4)).toEqual(before);
  });
});

/** A LightGBM text model around the given `Tree=` blocks (regression, two features). */
function lgbModel(trees: string[][], header: string[] = []): string {
  return [
    'tree', 'version=v4', 'num_class=1', 'num_tree_per_iteration=1', 'label_index=0', 'max_feature_idx=1', 'objective=regression',
    'feature_names=a b', `tree_sizes=${trees.map(() => '1').join(' ')}`, ...header, '',
    ...trees.flatMap((t, i) => [`Tree=${i}`, ...t, '']),
    'end of trees', '',
  ].join('\n');
}

/** A LightGBM tree block; internal nodes 0..k-1, leaves as ~j. */
function lgbTree(f: Record<string, string>): string[] {
  const base: Record<string, string> = {
    num_leaves: '2', num_cat: '0', split_feature: '0', split_gain: '1', threshold: '0.5', decision_type: '2',
    left_child: '-1', right_child: '-2', leaf_value: '-1 1', leaf_weight: '1 1', leaf_count: '1 1',
    internal_value: '0', internal_weight: '2', internal_count: '2', is_linear: '0', shrinkage: '1',
  };
  return Object.entries({ ...base, ...f }).map(([k, v]) => `${k}=${v}`);
}

describe('LightGBM text: malformed input', () => {
  const fixture = text(new URL('lightgbm/binary_categorical.txt', shared));

  it('accepts the hand-made stump it refuses variants of', () => {
    const m = importLightGBM(lgbModel([lgbTree({})]));
    expect(Array.from(raw(m, Float64Array.from([0, 0, 1, 0]), 2))).toEqual([-1, 1]);
  });

  it('refuses a truncated file at any cut', () => {
    const end = fixture.indexOf('end of trees');
    for (let cut = 0; cut < end; cut += 499) refuses(() => importLightGBM(fixture.slice(0, cut)), /truncated|first line 'tree'/);
    // Cut and closed again: refused (counts no longer match) or, when the cut only dropped a field
    // the reader does not need, accepted; never anything else.
    let refused = 0;
    for (let cut = 1; cut < end; cut += 211) {
      try {
        importLightGBM(`${fixture.slice(0, cut)}\nend of trees\n`);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    refuses(() => importLightGBM(fixture.slice(0, fixture.indexOf('end of trees'))), /truncated/);
    refuses(() => importLightGBM(''), /first line 'tree'/);
  });

  it('refuses values of the wrong type, naming the field', () => {
    refuses(() => importLightGBM(lgbModel([lgbTree({ num_leaves: 'two' })])), /cannot read the number 'two' in Tree=0 num_leaves/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ leaf_value: '-1 x' })])), /cannot read the number 'x' in Tree=0 leaf_value/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ num_leaves: '1.5' })])), /non-negative integer for Tree=0 num_leaves/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ decision_type: '300' })])), /node 0: decision_type 300 is invalid/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ decision_type: '12' })])), /unknown missing type 3/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ threshold: 'nan' })])), /node 0: the threshold is NaN/);
    refuses(() => importLightGBM(lgbModel([lgbTree({})], ['max_feature_idx=x']).replace('max_feature_idx=1\n', '')), /max_feature_idx/);
    refuses(() => importLightGBM(new Uint8Array([1, 2]) as unknown as string), /first line 'tree'/);
    refuses(() => importLightGBM({} as unknown as string), /expected the model text/);
  });

  it('refuses child ids out of range and cycles', () => {
    refuses(() => importLightGBM(lgbModel([lgbTree({ left_child: '5' })])), /Tree=0, node 0: child 5 is out of range/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ right_child: '-3' })])), /child -3 is out of range/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ split_feature: '2' })])), /feature 2 is outside \[0, 2\)/);
    // Two internal nodes: node 1 points back at the root.
    const cycle = lgbTree({
      num_leaves: '3', split_feature: '0 1', split_gain: '1 1', threshold: '0.5 0.5', decision_type: '2 2', left_child: '1 0', right_child: '-1 -2',
      leaf_value: '1 2 3', leaf_weight: '1 1 1', leaf_count: '1 1 1', internal_value: '0 0', internal_weight: '1 1', internal_count: '1 1',
    });
    refuses(() => importLightGBM(lgbModel([cycle])), /reached twice/);
  });

  it('refuses declared counts larger than the content before allocating', () => {
    refuses(() => importLightGBM(lgbModel([lgbTree({ num_leaves: '1000000000' })])), /expected 1000000000 values in Tree=0 leaf_value but found 2/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ num_cat: '1000000000', decision_type: '1', threshold: '0', cat_boundaries: '0 1', cat_threshold: '1' })])), /expected 1000000001 values in Tree=0 cat_boundaries/);
    refuses(
      () => importLightGBM(lgbModel([lgbTree({ num_cat: '1', decision_type: '1', threshold: '0', cat_boundaries: '0 16777216', cat_threshold: '1' })])),
      /expected 16777216 values in Tree=0 cat_threshold but found 1/,
    );
    refuses(() => importLightGBM(lgbModel([lgbTree({})]).replace('num_tree_per_iteration=1', 'num_tree_per_iteration=1000000000')), /(multiple of 1000000000|larger than the model's)/);
    refuses(() => importLightGBM(lgbModel([lgbTree({})]).replace('max_feature_idx=1', 'max_feature_idx=100000000000')), /max_feature_idx .* is larger than/);
    refuses(() => importLightGBM(lgbModel([lgbTree({})]).replace('max_feature_idx=1', 'max_feature_idx=16000000')), /max_feature_idx 16000000 is larger than a model of \d+ bytes/);
    refuses(() => importLightGBM(lgbModel([lgbTree({})]).replace('tree_sizes=1', 'tree_sizes=1 1')), /tree_sizes lists a different number/);
  });

  it('refuses huge numbers and deep trees', () => {
    refuses(() => importLightGBM(lgbModel([lgbTree({ leaf_value: '-1 1e400' })])), /leaf 2: the value Infinity is not finite/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ leaf_value: `-1 ${'1'.repeat(600)}` })])), /cannot read the number/);
    // A chain of 70000 internal nodes (depth beyond what the compiled forest walks).
    const inner = 70000;
    const ids = Array.from({ length: inner }, (_, i) => i);
    const chain = lgbTree({
      num_leaves: String(inner + 1), split_feature: ids.map(() => '0').join(' '), split_gain: ids.map(() => '1').join(' '),
      threshold: ids.map(() => '0.5').join(' '), decision_type: ids.map(() => '2').join(' '),
      left_child: ids.map((i) => String(-(i + 1))).join(' '), right_child: ids.map((i) => (i + 1 < inner ? String(i + 1) : String(-(inner + 1)))).join(' '),
      leaf_value: [...ids, inner].map(() => '1').join(' '), leaf_weight: [...ids, inner].map(() => '1').join(' '), leaf_count: [...ids, inner].map(() => '1').join(' '),
      internal_value: ids.map(() => '0').join(' '), internal_weight: ids.map(() => '1').join(' '), internal_count: ids.map(() => '1').join(' '),
    });
    refuses(() => importLightGBM(lgbModel([chain])), /deeper than 65535 levels/);
  });

  it('refuses invalid UTF-8, repeated fields and linear trees', () => {
    const bytes = new TextEncoder().encode(lgbModel([lgbTree({})]));
    bytes[new TextDecoder().decode(bytes).indexOf('=a b') + 1] = 0xff; // ASCII so far: byte offset = character offset
    refuses(() => importLightGBM(bytes), /not valid UTF-8/);
    refuses(() => importLightGBM(lgbModel([[...lgbTree({}), 'leaf_value=1 2']])), /Tree=0 repeats leaf_value/);
    refuses(() => importLightGBM(lgbModel([lgbTree({ is_linear: '1' })])), /Tree=0 is a linear tree/);
    refuses(() => importLightGBM(lgbModel([lgbTree({})]).replace('Tree=0', 'Tree=3')), /expected Tree=0 but found Tree=3/);
  });

  it('reads bytes like text, and a categorical bitset with trailing zero words', () => {
    const m = importLightGBM(fixture);
    const e = text(new URL('lightgbm/binary_categorical.expected.csv', shared)).trim().split('\n').slice(1, 51).map((l) => l.split(',').map((s) => (s === 'nan' ? NaN : Number(s))));
    const X = Float64Array.from(e.flatMap((r) => r.slice(0, 6)));
    expect(raw(importLightGBM(new TextEncoder().encode(fixture)), X, 6)).toEqual(raw(m, X, 6));
    // {0, 3} go left; the set spans three words, the last two zero.
    const cat = importLightGBM(lgbModel([lgbTree({ num_cat: '1', decision_type: '1', threshold: '0', cat_boundaries: '0 3', cat_threshold: '9 0 0' })]));
    expect(cat).toBeInstanceOf(GradientBoostingRegressor);
    expect(Array.from(raw(cat, Float64Array.from([0, 0, 3, 0, 1, 0, 64, 0, NaN, 0]), 2))).toEqual([-1, -1, 1, 1, 1]);
  });
});

describe('the fixtures still import (regression guard for the native readers)', () => {
  it('reads every local XGBoost fixture', () => {
    for (const f of ['xgb_categorical.json', 'xgb_dart.json', 'xgb_forest.json']) expect(importXGBoost(text(new URL(f, local))).nFeaturesIn).toBe(6);
  });
});
