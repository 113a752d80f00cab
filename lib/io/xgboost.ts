/**
 * XGBoost JSON models (`booster.save_model('m.json')`, schema of 1.x and 2.x) into ensemblekit.
 *
 * What is mapped, and how it stays exact:
 * - Numerical splits: XGBoost reads features as float32 and goes left when `float32(x) < cond`.
 *   The compiled forest goes left when `x <= threshold` on the raw double, so each condition is
 *   turned into the largest double whose float32 rounding is below it (see {@link lessThanAsLessEqual});
 *   every double input then takes the branch XGBoost would take. NaN takes `default_left`.
 * - Categorical splits (XGBoost >= 1.6): the categories a node lists go RIGHT in XGBoost and every
 *   other value (including invalid ones: negative, >= 2^24) goes left; the importer swaps the two
 *   children so the listed set goes left, as the compiled forest expects, and marks the node with
 *   XGBoost's reading of a category (int(float32(x))).
 * - Trees add to output `tree_info[t]`; dart trees are scaled by `weight_drop`; random-forest style
 *   models (num_parallel_tree > 1) are supported.
 * - base_score (output space; a scalar, or a per-class vector in newer files) becomes the raw start
 *   margin through the objective's link, as XGBoost's ProbToMargin does (in float32).
 * - Objectives: reg:squarederror / reg:linear / reg:pseudohubererror / reg:absoluteerror /
 *   reg:squaredlogerror / reg:quantileerror (identity), reg:logistic (sigmoid regressor),
 *   binary:logistic and binary:logitraw (binary classifiers; for logitraw predictRaw is XGBoost's
 *   output and predictProba its sigmoid), multi:softprob / multi:softmax (softmax classifiers),
 *   count:poisson / reg:gamma / reg:tweedie (exp link).
 * Refused with ModelFormatError: gblinear, multi-target trees (leaf vectors), other objectives.
 */
import { ModelFormatError } from '../core/errors.js';
import type { NativeTransform } from '../native.js';
import { buildImported, TreePacker, type ImportedModel, type SourceSplit, type SourceTree } from './trees.js';
import { xgboostBaseMargin } from './xgboost-export.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The float32 just below float32 t (t finite); -2^128 stands for the step below -FLT_MAX. */
function floatBelow(t: number): number {
  if (t === 0) return -(2 ** -149);
  f32[0] = t;
  u32[0] = t > 0 ? u32[0]! - 1 : u32[0]! + 1;
  return Number.isFinite(f32[0]!) ? f32[0]! : -(2 ** 128);
}

/** The double just below d (d finite, non-zero). */
function doubleBelow(d: number): number {
  f64[0] = d;
  u64[0] = d > 0 ? u64[0]! - 1n : u64[0]! + 1n;
  return f64[0]!;
}

/**
 * XGBoost's `float32(x) < t` (t a float32) as `x <= threshold` on doubles: the midpoint between t
 * and the float32 below it is the rounding boundary; it belongs to the lower side when it rounds
 * down (ties to even), else the boundary is the double just below it.
 */
export function lessThanAsLessEqual(t: number): number {
  const p = floatBelow(t);
  const m = (p + t) / 2; // exact: adjacent float32s differ in the 25th bit at most
  return Math.fround(m) < t ? m : doubleBelow(m);
}

type Json = Record<string, unknown>;

function bad(what: string): never {
  throw new ModelFormatError(`Invalid XGBoost model: ${what}`);
}

function obj(v: unknown, what: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`expected an object at ${what} but found ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v as Json;
}

function arr(v: unknown, what: string, length?: number): unknown[] {
  if (!Array.isArray(v)) bad(`expected an array at ${what}`);
  if (length !== undefined && v.length !== length) bad(`expected ${length} entries in ${what} but found ${v.length}`);
  return v;
}

/** Numbers; null stands for the NaN / Infinity tokens XGBoost writes (see parseXGBoostJSON) and reads as NaN. */
function nums(v: unknown, what: string, length?: number): number[] {
  const a = arr(v, what, length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === null) a[i] = NaN;
    else if (typeof a[i] !== 'number') bad(`${what}[${i}] is not a number`);
  }
  return a as number[];
}

/**
 * XGBoost's JSON writer emits bare NaN / Infinity (e.g. the split condition of a categorical
 * node), which JSON.parse refuses; on failure those tokens are read as null and parsing retried.
 */
function parseXGBoostJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const patched = text.replace(/([[,:]\s*)[-+]?(?:NaN|Infinity|inf|nan)(?=\s*[,\]}])/g, '$1null');
    try {
      return JSON.parse(patched);
    } catch {
      bad(`not valid JSON (${(first as Error).message})`);
    }
  }
}

/** XGBoost writes most parameters as strings ("30", "5E-1"). */
function numParam(v: unknown, what: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) bad(`expected a number at ${what} but found ${JSON.stringify(v)}`);
  return x;
}

function intParam(v: unknown, what: string, fallback?: number): number {
  const x = numParam(v, what, fallback);
  if (!Number.isInteger(x) || x < 0) bad(`expected a non-negative integer at ${what} but found ${JSON.stringify(v)}`);
  return x;
}

interface ObjectiveInfo {
  transform: NativeTransform;
  link: 'identity' | 'logit' | 'log';
  classifier: boolean;
}

const objectives: Record<string, ObjectiveInfo> = {
  'reg:squarederror': { transform: 'identity', link: 'identity', classifier: false },
  'reg:linear': { transform: 'identity', link: 'identity', classifier: false },
  'reg:pseudohubererror': { transform: 'identity', link: 'identity', classifier: false },
  'reg:absoluteerror': { transform: 'identity', link: 'identity', classifier: false },
  'reg:squaredlogerror': { transform: 'identity', link: 'identity', classifier: false },
  'reg:quantileerror': { transform: 'identity', link: 'identity', classifier: false },
  'reg:logistic': { transform: 'sigmoid', link: 'logit', classifier: false },
  'binary:logistic': { transform: 'sigmoid', link: 'logit', classifier: true },
  // logitraw's base_score is already a margin (checked against XGBoost 1.7).
  'binary:logitraw': { transform: 'sigmoid', link: 'identity', classifier: true },
  'multi:softprob': { transform: 'softmax', link: 'identity', classifier: true },
  'multi:softmax': { transform: 'softmax', link: 'identity', classifier: true },
  'count:poisson': { transform: 'exp', link: 'log', classifier: false },
  'reg:gamma': { transform: 'exp', link: 'log', classifier: false },
  'reg:tweedie': { transform: 'exp', link: 'log', classifier: false },
};

/** ProbToMargin in float32, as XGBoost computes the start margin. */
function toMargin(score: number, link: ObjectiveInfo['link'], objective: string): number {
  const s = Math.fround(score);
  if (link === 'logit' && !(s > 0 && s < 1)) bad(`base_score ${score} must be in (0, 1) for ${objective}`);
  if (link === 'log' && !(s > 0)) bad(`base_score ${score} must be > 0 for ${objective}`);
  return xgboostBaseMargin(s, link);
}

function parseBaseScore(v: unknown, k: number): number[] {
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      bad(`cannot read base_score ${JSON.stringify(v)}`);
    }
    const a = nums(parsed, 'learner_model_param.base_score');
    if (a.length === 1) return new Array<number>(k).fill(a[0]!);
    if (a.length !== k) bad(`expected 1 or ${k} base scores but found ${a.length}`);
    return a;
  }
  return new Array<number>(k).fill(numParam(v, 'learner_model_param.base_score', 0.5));
}

/** A tree of the JSON schema as a SourceTree (children swapped at categorical nodes). */
function sourceTree(t: Json, index: number, numFeatures: number, scale: number): SourceTree {
  const where = `trees[${index}]`;
  const param = obj(t.tree_param, `${where}.tree_param`);
  const n = intParam(param.num_nodes, `${where}.tree_param.num_nodes`);
  if (n < 1) bad(`${where} has no nodes`);
  if (intParam(param.size_leaf_vector, `${where}.tree_param.size_leaf_vector`, 0) > 1) bad(`${where} is a multi-target tree (leaf vectors are not supported)`);
  const left = nums(t.left_children, `${where}.left_children`, n);
  const right = nums(t.right_children, `${where}.right_children`, n);
  const feature = nums(t.split_indices, `${where}.split_indices`, n);
  const cond = nums(t.split_conditions, `${where}.split_conditions`, n);
  const defaultLeft = nums(t.default_left, `${where}.default_left`, n);
  const weights = t.base_weights === undefined ? undefined : nums(t.base_weights, `${where}.base_weights`, n);
  const gain = t.loss_changes === undefined ? undefined : nums(t.loss_changes, `${where}.loss_changes`, n);
  const hess = t.sum_hessian === undefined ? undefined : nums(t.sum_hessian, `${where}.sum_hessian`, n);
  const splitType = t.split_type === undefined ? undefined : nums(t.split_type, `${where}.split_type`, n);
  // Categorical nodes: node id -> its categories.
  const cats = new Map<number, number[]>();
  if (splitType?.some((s) => s === 1)) {
    const all = nums(t.categories, `${where}.categories`);
    const nodes = nums(t.categories_nodes, `${where}.categories_nodes`);
    const seg = nums(t.categories_segments, `${where}.categories_segments`, nodes.length);
    const size = nums(t.categories_sizes, `${where}.categories_sizes`, nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const s = seg[i]!;
      const z = size[i]!;
      if (!Number.isInteger(s) || !Number.isInteger(z) || s < 0 || z < 0 || s + z > all.length) bad(`${where}: categories segment ${i} is out of range`);
      cats.set(nodes[i]!, all.slice(s, s + z));
    }
  }
  const splits: (SourceSplit | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const l = left[i]!;
    if (l === -1) continue;
    const r = right[i]!;
    const f = feature[i]!;
    if (!Number.isInteger(f) || f < 0 || f >= numFeatures) bad(`${where}, node ${i}: feature ${f} is outside [0, ${numFeatures})`);
    const categorical = splitType !== undefined && splitType[i] === 1;
    if (categorical) {
      const c = cats.get(i);
      if (c === undefined) bad(`${where}, node ${i}: a categorical split without categories`);
      // XGBoost sends the listed categories right: swap so they go left here.
      splits[i] = { feature: f, threshold: 0, defaultLeft: defaultLeft[i] !== 1, categories: c, missingRule: 0, categoryRule: 2, left: r, right: l };
    } else {
      const c = cond[i]!;
      if (!Number.isFinite(c)) bad(`${where}, node ${i}: the split condition ${c} is not finite`);
      splits[i] = { feature: f, threshold: lessThanAsLessEqual(Math.fround(c)), defaultLeft: defaultLeft[i] === 1, missingRule: 0, categoryRule: 0, left: l, right: r };
    }
  }
  return {
    numNodes: n,
    split: (id) => splits[id],
    // Leaves keep their value in split_conditions, taken as written (XGBoost's writer prints its
    // float32 values exactly enough to round-trip, and XGBoost sums them in float32 anyway, so
    // rounding them here would buy no parity; as written, toXGBoostJSON -> importXGBoost is
    // lossless). Internal nodes get the cover-weighted mean.
    value: (id) => (splits[id] === undefined ? cond[id]! * scale : NaN),
    gain: (id) => gain?.[id] ?? 0,
    hess: (id) => hess?.[id] ?? NaN,
    count: () => NaN,
  };
}

/**
 * Imports an XGBoost model saved as JSON (`Booster.save_model('model.json')`, XGBoost 1.x / 2.x):
 * the JSON text, its parsed object, or the file's bytes. Returns a fitted
 * {@link GradientBoostingClassifier} (binary:*, multi:*; classes 0..k-1) or
 * {@link GradientBoostingRegressor} whose margins equal XGBoost's `predict(output_margin=True)`.
 * Throws ModelFormatError naming what is malformed or unsupported.
 */
export function importXGBoost(model: string | Uint8Array | object): ImportedModel {
  let root: unknown = model;
  if (typeof model === 'string' || model instanceof Uint8Array) {
    const text = typeof model === 'string' ? model : new TextDecoder().decode(model);
    if (text.trimStart().startsWith('{') === false) bad('expected JSON text (UBJSON and the legacy binary format are not supported)');
    root = parseXGBoostJSON(text);
  }
  const learner = obj(obj(root, 'the top level').learner, 'learner');
  const param = obj(learner.learner_model_param, 'learner.learner_model_param');
  const numFeatures = intParam(param.num_feature, 'learner_model_param.num_feature');
  if (numFeatures < 1) bad('num_feature must be at least 1');
  const numClass = intParam(param.num_class, 'learner_model_param.num_class', 0);
  if (intParam(param.num_target, 'learner_model_param.num_target', 1) > 1) bad('multi-target models are not supported');
  const objective = String(obj(learner.objective, 'learner.objective').name);
  const info = objectives[objective];
  if (info === undefined) bad(`the objective '${objective}' is not supported (supported: ${Object.keys(objectives).join(', ')})`);
  const k = objective.startsWith('multi:') ? numClass : 1;
  if (objective.startsWith('multi:') && k < 2) bad(`${objective} needs num_class >= 2 but found ${numClass}`);
  if (!objective.startsWith('multi:') && numClass > 1) bad(`num_class ${numClass} with the single-output objective ${objective}`);
  const baseScore = parseBaseScore(param.base_score, k).map((s) => toMargin(s, info.link, objective));

  const booster = obj(learner.gradient_booster, 'learner.gradient_booster');
  let gbtree: Json;
  let weights: number[] | undefined;
  if (booster.name === 'gbtree') {
    gbtree = obj(booster.model, 'gradient_booster.model');
  } else if (booster.name === 'dart') {
    gbtree = obj(obj(booster.gbtree, 'gradient_booster.gbtree').model, 'gradient_booster.gbtree.model');
    weights = nums(booster.weight_drop, 'gradient_booster.weight_drop');
  } else {
    bad(`the booster '${String(booster.name)}' is not supported (only gbtree and dart)`);
  }
  const trees = arr(gbtree.trees, 'model.trees');
  const treeInfo = nums(gbtree.tree_info, 'model.tree_info', trees.length);
  const modelParam = gbtree.gbtree_model_param === undefined ? {} : obj(gbtree.gbtree_model_param, 'model.gbtree_model_param');
  const parallel = intParam(modelParam.num_parallel_tree, 'gbtree_model_param.num_parallel_tree', 1) || 1;
  if (weights !== undefined && weights.length !== trees.length) bad(`expected ${trees.length} dart weights but found ${weights.length}`);
  const perRound = k * parallel;
  if (trees.length % perRound !== 0) bad(`expected a multiple of ${perRound} trees (num_class x num_parallel_tree) but found ${trees.length}`);
  // XGBoost orders a round as [class 0 x parallel, class 1 x parallel, ...]; the compiled model
  // wants tree t on output t % k, so each round is interleaved (same trees, same sums).
  const packer = new TreePacker(numFeatures, 'XGBoost');
  for (let r = 0; r < trees.length / perRound; r++) {
    for (let p = 0; p < parallel; p++) {
      for (let c = 0; c < k; c++) {
        const t = r * perRound + c * parallel + p;
        if (treeInfo[t] !== c) bad(`tree_info[${t}] is ${treeInfo[t]} but the round layout expects output ${c}`);
        const scale = weights === undefined ? 1 : weights[t]!;
        if (!Number.isFinite(scale)) bad(`dart weight ${t} is not finite`);
        packer.add(sourceTree(obj(trees[t], `trees[${t}]`), t, numFeatures, scale), t);
      }
    }
  }
  const attrs = learner.attributes === undefined ? {} : obj(learner.attributes, 'learner.attributes');
  const best = attrs.best_iteration === undefined ? -1 : intParam(attrs.best_iteration, 'attributes.best_iteration');
  const names = learner.feature_names === undefined ? [] : arr(learner.feature_names, 'learner.feature_names').map(String);
  return buildImported({
    source: 'XGBoost',
    numFeatures,
    numOutputs: k,
    baseScore,
    transform: info.transform,
    classifier: info.classifier,
    // best_iteration counts boosting rounds; with parallel trees a round is `parallel` compiled rounds.
    bestIteration: best < 0 ? -1 : (best + 1) * parallel - 1,
    featureNames: names,
    trees: packer,
  });
}
