/**
 * LightGBM text models (`booster.save_model('m.txt')`, formats v2-v4) into ensemblekit.
 *
 * Node routing follows LightGBM's Tree::NumericalDecision / CategoricalDecision exactly:
 * - decision_type bit 0: categorical; bit 1: default left; bits 2-3: missing type.
 * - Missing type None: NaN is read as 0, so it goes where 0 goes: the importer makes the default
 *   side the side of 0 (`0 <= threshold`), no extra rule needed.
 * - Missing type Zero: NaN and |x| <= 1e-35 take the default side (the node carries MissingRule 1).
 * - Missing type NaN: NaN takes the default side.
 * - Categorical: NaN and negative values go right; otherwise the category is int(x) (toward zero)
 *   and goes left when its bit is set in the node's cat_threshold bitset (CategoryRule 1).
 * Leaf values are LightGBM's doubles; `average_output` (random-forest mode) divides by the number
 * of iterations. The start score is folded into the trees by LightGBM, so the base score is 0.
 * Objectives: binary, multiclass, multiclassova (per-class sigmoid), cross_entropy (sigmoid
 * regressor), regression, regression_l1, huber, fair, quantile, mape (identity), poisson, gamma,
 * tweedie (exp), lambdarank / rank_xendcg / custom (identity scores).
 * Refused with ModelFormatError: linear trees, `regression sqrt`, a sigmoid parameter other than 1,
 * cross_entropy_lambda.
 */
import { ModelFormatError } from '../core/errors.js';
import type { NativeTransform } from '../native.js';
import { buildImported, TreePacker, type ImportedModel, type SourceSplit, type SourceTree } from './trees.js';

function bad(what: string): never {
  throw new ModelFormatError(`Invalid LightGBM model: ${what}`);
}

/** LightGBM's number tokens (%.17g, plus inf/nan spellings). */
function num(token: string, what: string): number {
  const t = token.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan') return NaN;
  const v = t === '' ? NaN : Number(t);
  if (Number.isNaN(v)) bad(`cannot read the number '${token}' in ${what}`);
  return v;
}

type Fields = Map<string, string>;

function list(fields: Fields, key: string, where: string, length: number): number[] {
  const v = fields.get(key);
  if (v === undefined) bad(`${where} has no ${key}`);
  const parts = v.trim() === '' ? [] : v.trim().split(/\s+/);
  if (parts.length !== length) bad(`expected ${length} values in ${where} ${key} but found ${parts.length}`);
  return parts.map((p) => num(p, `${where} ${key}`));
}

function optionalList(fields: Fields, key: string, where: string, length: number): number[] | undefined {
  return fields.has(key) ? list(fields, key, where, length) : undefined;
}

function int(fields: Fields, key: string, where: string): number {
  const v = fields.get(key);
  if (v === undefined) bad(`${where} has no ${key}`);
  const x = num(v, `${where} ${key}`);
  if (!Number.isInteger(x) || x < 0) bad(`expected a non-negative integer for ${where} ${key} but found '${v}'`);
  return x;
}

interface ObjectiveInfo {
  transform: NativeTransform;
  classifier: boolean;
}

function objectiveInfo(line: string | undefined): ObjectiveInfo {
  if (line === undefined) bad('the header has no objective');
  const [name, ...rest] = line.trim().split(/\s+/);
  const opts = new Map(rest.map((r) => r.split(':') as [string, string]));
  const sigmoid = opts.get('sigmoid');
  if (sigmoid !== undefined && num(sigmoid, 'objective sigmoid') !== 1) {
    bad(`objective '${line}': a sigmoid parameter other than 1 is not supported`);
  }
  switch (name) {
    case 'binary':
      return { transform: 'sigmoid', classifier: true };
    case 'multiclass':
    case 'softmax':
      return { transform: 'softmax', classifier: true };
    case 'multiclassova':
    case 'multiclass_ova':
    case 'ova':
    case 'ovr':
      return { transform: 'sigmoid', classifier: true };
    case 'cross_entropy':
    case 'xentropy':
      return { transform: 'sigmoid', classifier: false };
    case 'regression':
    case 'regression_l2':
    case 'regression_l1':
    case 'huber':
    case 'fair':
    case 'quantile':
    case 'mape':
      if (rest.includes('sqrt')) bad(`objective '${line}': the sqrt target transform is not supported`);
      return { transform: 'identity', classifier: false };
    case 'poisson':
    case 'gamma':
    case 'tweedie':
      return { transform: 'exp', classifier: false };
    case 'lambdarank':
    case 'rank_xendcg':
    case 'custom':
    case 'none':
      return { transform: 'identity', classifier: false };
    default:
      bad(`the objective '${line}' is not supported`);
  }
}

/** One `Tree=` block as a SourceTree: internal node i keeps id i, leaf j becomes id (leaves - 1) + j. */
function sourceTree(fields: Fields, index: number, numFeatures: number, scale: number): SourceTree {
  const where = `Tree=${index}`;
  const leaves = int(fields, 'num_leaves', where);
  if (leaves < 1) bad(`${where} has no leaves`);
  if ((fields.get('is_linear') ?? '0').trim() !== '0') bad(`${where} is a linear tree (linear_tree=true models are not supported)`);
  const leafValue = list(fields, 'leaf_value', where, leaves);
  const inner = leaves - 1;
  const leafWeight = optionalList(fields, 'leaf_weight', where, leaves);
  const leafCount = optionalList(fields, 'leaf_count', where, leaves);
  const id = (child: number): number => (child < 0 ? inner + ~child : child);
  const splits: (SourceSplit | undefined)[] = new Array(inner + leaves);
  let internalValue: number[] | undefined, internalWeight: number[] | undefined, internalCount: number[] | undefined, gain: number[] | undefined;
  if (inner > 0) {
    const feature = list(fields, 'split_feature', where, inner);
    const threshold = list(fields, 'threshold', where, inner);
    const decision = list(fields, 'decision_type', where, inner);
    const left = list(fields, 'left_child', where, inner);
    const right = list(fields, 'right_child', where, inner);
    gain = optionalList(fields, 'split_gain', where, inner);
    internalValue = optionalList(fields, 'internal_value', where, inner);
    internalWeight = optionalList(fields, 'internal_weight', where, inner);
    internalCount = optionalList(fields, 'internal_count', where, inner);
    const numCat = int(fields, 'num_cat', where);
    let bounds: number[] = [];
    let bits: number[] = [];
    if (numCat > 0) {
      bounds = list(fields, 'cat_boundaries', where, numCat + 1);
      const total = bounds[numCat]!;
      if (!Number.isInteger(total) || total < 0 || total > 1 << 24) bad(`${where} cat_boundaries ends at ${total}`);
      bits = list(fields, 'cat_threshold', where, total);
    }
    for (let i = 0; i < inner; i++) {
      const f = feature[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= numFeatures) bad(`${where}, node ${i}: feature ${f} is outside [0, ${numFeatures})`);
      const l = left[i]!;
      const r = right[i]!;
      for (const c of [l, r]) {
        if (!Number.isInteger(c) || c >= inner || c < -leaves) bad(`${where}, node ${i}: child ${c} is out of range`);
      }
      const dt = decision[i]!;
      if (!Number.isInteger(dt) || dt < 0 || dt > 127) bad(`${where}, node ${i}: decision_type ${dt} is invalid`);
      const missingType = (dt >> 2) & 3;
      if (missingType === 3) bad(`${where}, node ${i}: unknown missing type 3`);
      if (dt & 1) {
        const c = threshold[i]!;
        if (!Number.isInteger(c) || c < 0 || c >= numCat) bad(`${where}, node ${i}: category set ${c} is outside [0, ${numCat})`);
        const lo = bounds[c]!;
        const hi = bounds[c + 1]!;
        if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo || hi > bits.length) bad(`${where}: cat_boundaries are not increasing`);
        const categories: number[] = [];
        for (let w = lo; w < hi; w++) {
          const word = bits[w]!;
          if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) bad(`${where}: cat_threshold word ${word} is not a 32-bit value`);
          for (let b = 0; b < 32; b++) if ((word >>> b) & 1) categories.push((w - lo) * 32 + b);
        }
        // NaN and negative values always go right in LightGBM.
        splits[i] = { feature: f, threshold: 0, defaultLeft: false, categories, missingRule: 0, categoryRule: 1, left: id(l), right: id(r) };
      } else {
        const t = threshold[i]!;
        if (Number.isNaN(t)) bad(`${where}, node ${i}: the threshold is NaN`);
        // None: NaN is read as 0, which goes wherever 0 goes.
        const defaultLeft = missingType === 0 ? 0 <= t : (dt & 2) !== 0;
        splits[i] = { feature: f, threshold: t, defaultLeft, missingRule: missingType === 1 ? 1 : 0, categoryRule: 0, left: id(l), right: id(r) };
      }
    }
  }
  const at = (a: number[] | undefined, i: number): number => (a === undefined ? NaN : a[i]!);
  return {
    numNodes: inner + leaves,
    split: (n) => splits[n],
    value: (n) => (n < inner ? at(internalValue, n) * scale : leafValue[n - inner]! * scale),
    gain: (n) => (n < inner ? at(gain, n) : 0),
    // LightGBM's TreeSHAP (pred_contrib) weighs a node's sides by data counts, XGBoost's by hessian
    // sums; the compiled forest takes hessian sums as the cover when a tree has them, so with counts
    // present the weights are left out and contributions follow LightGBM's.
    hess: (n) => (internalCount !== undefined && leafCount !== undefined ? NaN : n < inner ? at(internalWeight, n) : at(leafWeight, n - inner)),
    count: (n) => (n < inner ? at(internalCount, n) : at(leafCount, n - inner)),
  };
}

/**
 * Imports a LightGBM model saved as text (`Booster.save_model('model.txt')` / `model_to_string()`,
 * LightGBM v3 and v4): the text or the file's bytes. Returns a fitted
 * {@link GradientBoostingClassifier} (binary, multiclass, multiclassova; classes 0..k-1) or
 * {@link GradientBoostingRegressor} whose margins equal LightGBM's `predict(raw_score=True)`.
 * Throws ModelFormatError naming what is malformed or unsupported.
 */
export function importLightGBM(model: string | Uint8Array): ImportedModel {
  const text = typeof model === 'string' ? model : model instanceof Uint8Array ? new TextDecoder().decode(model) : bad(`expected the model text (a string or Uint8Array) but received ${model === null ? 'null' : typeof model}`);
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== 'tree') bad("expected the text model format (first line 'tree')");
  const header: Fields = new Map();
  const blocks: { index: number; fields: Fields }[] = [];
  let current: Fields = header;
  const flags = new Set<string>();
  let ended = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (line.startsWith('end of trees')) {
      ended = true;
      break;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      if (current === header) flags.add(line.trim());
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1);
    if (key === 'Tree') {
      const index = num(value, 'Tree=');
      if (index !== blocks.length) bad(`expected Tree=${blocks.length} but found Tree=${value}`);
      current = new Map();
      blocks.push({ index, fields: current });
      continue;
    }
    if (current.has(key)) bad(`${current === header ? 'the header' : `Tree=${blocks.length - 1}`} repeats ${key}`);
    current.set(key, value);
  }
  if (!ended) bad("the text is truncated ('end of trees' not found)");
  const version = header.get('version');
  if (version !== undefined && !/^v[2-4]$/.test(version.trim())) bad(`unsupported format version '${version}'`);
  const numFeatures = int(header, 'max_feature_idx', 'the header') + 1;
  const perIteration = header.has('num_tree_per_iteration') ? int(header, 'num_tree_per_iteration', 'the header') : int(header, 'num_class', 'the header');
  if (perIteration < 1) bad('num_tree_per_iteration must be at least 1');
  const info = objectiveInfo(header.get('objective'));
  if (info.transform === 'softmax' && perIteration < 2) bad('a multiclass model needs num_tree_per_iteration >= 2');
  if (blocks.length % perIteration !== 0) bad(`expected a multiple of ${perIteration} trees but found ${blocks.length}`);
  const treeSizes = header.get('tree_sizes');
  if (treeSizes !== undefined && treeSizes.trim().split(/\s+/).length !== blocks.length) bad(`tree_sizes lists a different number of trees than the ${blocks.length} found`);
  const iterations = blocks.length / perIteration;
  const scale = flags.has('average_output') && iterations > 0 ? 1 / iterations : 1;
  const packer = new TreePacker(numFeatures, 'LightGBM');
  for (const b of blocks) packer.add(sourceTree(b.fields, b.index, numFeatures, scale), b.index);
  const names = header.get('feature_names')?.trim().split(/\s+/) ?? [];
  return buildImported({
    source: 'LightGBM',
    numFeatures,
    numOutputs: perIteration,
    baseScore: new Array<number>(perIteration).fill(0),
    transform: info.transform,
    classifier: info.classifier,
    bestIteration: -1,
    featureNames: names,
    trees: packer,
  });
}
