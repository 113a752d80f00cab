/**
 * Gradient-boosted models into XGBoost's JSON model schema, as XGBoost 1.7 writes it with
 * `booster.save_model('model.json')`, so `xgboost.Booster(model_file='model.json')` loads the model
 * and predicts what it predicts here. Used by `toXGBoostJSON()` (the file text) of GradientBoostingClassifier /
 * GradientBoostingRegressor (trained here or imported).
 *
 * How each convention is translated, and where the translation is exact:
 * - Numerical splits: here `x <= threshold` goes left (on the double value); XGBoost reads a
 *   feature as float32 and goes left when `float32(x) < split_condition`. The split condition
 *   written is the smallest float32 strictly greater than the threshold ({@link float32Above}): for
 *   every input that is a float32 value (a Float32Array, or doubles that went through Math.fround)
 *   `x <= threshold` and `x < split_condition` then agree, so XGBoost takes the same branch. A
 *   double that is not a float32 value and lies within one float32 step of a threshold may be
 *   routed differently by XGBoost's own rounding to float32: feed float32 data when bit-exact
 *   routing matters. A threshold at or above float32's largest value (the trainer's "NaN versus
 *   the rest" splits have +Infinity) sends every finite value left; XGBoost's "<" cannot express
 *   that, so such a node is written with its children swapped and the condition -FLT_MAX, which
 *   no finite value is below. XGBoost refuses infinite inputs, so ±Infinity is outside the
 *   contract (importXGBoost reads such a node back exactly except for -Infinity).
 * - Missing values: NaN takes the node's default side in both; default_left is copied. LightGBM's
 *   "zero as missing" nodes (imported) have no XGBoost equivalent and are refused.
 * - Categorical splits (XGBoost >= 1.6 reads them; feature_types marks the columns 'c'): a node
 *   here sends its listed categories left and everything else right; XGBoost sends its listed
 *   categories right and everything else (unlisted categories, negative and too-large values)
 *   left. The export lists the same categories and swaps the two children, and default_left is
 *   negated so NaN keeps its side. Exact for NaN and every integer value; a fractional value on a
 *   categorical column (not a category id) goes right here but is truncated to an integer by
 *   XGBoost, so categorical columns must hold integer ids.
 * - Leaf values are written with double precision; XGBoost keeps them (and sums them) in float32,
 *   so its predictions agree to float32 rounding (about 1e-7 relative), not to the last bit.
 * - base_score: XGBoost 1.7 stores one scalar in output space (a probability for binary:logistic,
 *   a mean for count:poisson) and turns it into the start margin in float32 (ProbToMargin). The
 *   scalar written is the model's start margin taken through the inverse link and rounded to
 *   float32; what that loses (the model's margin minus the margin XGBoost will compute from the
 *   scalar, and for multiclass models the per-class differences from one shared scalar) is added to
 *   the leaves of the first tree of each output, so the sum is the model's margin again.
 * - Objectives: binary classifiers → binary:logistic; multiclass → multi:softprob (num_class,
 *   tree_info = the class of each tree); regressors: squared_error → reg:squarederror,
 *   absolute_error → reg:absoluteerror, poisson (and imported exp-link models) → count:poisson,
 *   imported sigmoid regressors → reg:logistic. Huber (XGBoost 1.7 has only pseudo-Huber),
 *   quantile (reg:quantileerror came with XGBoost 2.0) and custom objectives are refused with an
 *   InvalidInputError naming the objective.
 * - Classes: XGBoost predicts class indices 0..k-1, in the order of the model's `classes`.
 */
import { InvalidInputError } from '../core/errors.js';
import type { NativeGbdtModel, NativeGbdtTrees } from '../native.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const FLT_MAX = 3.4028234663852886e38;

/**
 * The smallest float32 strictly greater than `t` (Infinity when there is none). For every float32
 * value x, `x <= t` exactly when `x < float32Above(t)`.
 */
export function float32Above(t: number): number {
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return Infinity;
  const f = Math.fround(t);
  if (f > t) return f; // t rounded up: f is the float32 just above t
  // f <= t: the next float32 above f.
  if (f === 0) return 2 ** -149;
  f32[0] = f;
  u32[0] = f > 0 ? u32[0]! + 1 : u32[0]! - 1;
  return f32[0]!;
}

/**
 * XGBoost's ProbToMargin for a base_score `s` (already a float32), in float32 arithmetic: the
 * start margin XGBoost computes (the importer uses the same function).
 */
export function xgboostBaseMargin(s: number, link: 'identity' | 'logit' | 'log'): number {
  if (link === 'logit') return Math.fround(-Math.log(Math.fround(Math.fround(1 / s) - 1)));
  if (link === 'log') return Math.fround(Math.log(s));
  return s;
}

/** What the exporter needs of an estimator. */
export interface XGBoostExportSource {
  /** The estimator's class name (for messages). */
  name: string;
  classifier: boolean;
  /** The `objective` parameter: a name or a custom function. */
  objective: unknown;
  featureNames: string[];
  model: NativeGbdtModel;
}

interface ObjectiveChoice {
  name: string;
  link: 'identity' | 'logit' | 'log';
  /** The objective's own parameter block, as XGBoost 1.7 writes it. */
  params: Record<string, unknown>;
}

function chooseObjective(src: XGBoostExportSource, transform: string, k: number): ObjectiveChoice {
  const refuse = (why: string): never => {
    throw new InvalidInputError(`toXGBoostJSON: ${src.name} with ${why}`);
  };
  if (typeof src.objective === 'function') refuse('a custom objective function cannot be written as an XGBoost objective');
  const obj = String(src.objective);
  if (src.classifier) {
    if (transform === 'sigmoid' && k === 1) return { name: 'binary:logistic', link: 'logit', params: { reg_loss_param: { scale_pos_weight: '1' } } };
    if (transform === 'softmax' && k >= 2) return { name: 'multi:softprob', link: 'identity', params: { softmax_multiclass_param: { num_class: String(k) } } };
    return refuse(`the output transform '${transform}' on ${k} outputs has no XGBoost objective`);
  }
  if (k !== 1) refuse(`${k} outputs: XGBoost regression objectives have one`);
  if (transform === 'exp') return { name: 'count:poisson', link: 'log', params: { poisson_regression_param: { max_delta_step: '0.699999988' } } };
  if (transform === 'sigmoid') return { name: 'reg:logistic', link: 'logit', params: { reg_loss_param: { scale_pos_weight: '1' } } };
  if (transform !== 'identity') return refuse(`the output transform '${transform}' has no XGBoost objective`);
  switch (obj) {
    case 'squared_error':
      return { name: 'reg:squarederror', link: 'identity', params: { reg_loss_param: { scale_pos_weight: '1' } } };
    case 'absolute_error':
      return { name: 'reg:absoluteerror', link: 'identity', params: {} };
    case 'huber':
      return refuse("the objective 'huber': XGBoost 1.7 has no Huber loss (reg:pseudohubererror is the pseudo-Huber loss, a different objective)");
    case 'quantile':
      return refuse("the objective 'quantile': XGBoost 1.7 has no quantile loss (reg:quantileerror arrived in XGBoost 2.0)");
    default:
      return refuse(`the objective '${obj}', which has no XGBoost equivalent`);
  }
}

/** base_score (float32, output space) for start margin m; clamped into the link's domain. */
function baseScoreFor(m: number, link: ObjectiveChoice['link']): number {
  if (link === 'logit') {
    const p = Math.fround(1 / (1 + Math.exp(-m)));
    // Keep it strictly inside (0, 1) in float32; the residual absorbs the difference.
    return Math.min(Math.max(p, 2 ** -126), Math.fround(1 - 2 ** -24));
  }
  if (link === 'log') {
    const e = Math.fround(Math.exp(m));
    return Math.min(Math.max(e, 2 ** -126), FLT_MAX);
  }
  const s = Math.fround(m);
  return Number.isFinite(s) ? s : Math.sign(m) * FLT_MAX;
}

function categoriesOf(bits: Uint32Array): number[] {
  const out: number[] = [];
  for (let w = 0; w < bits.length; w++) {
    const word = bits[w]!;
    if (word === 0) continue;
    for (let b = 0; b < 32; b++) if ((word >>> b) & 1) out.push(w * 32 + b);
  }
  return out;
}

/** One node in XGBoost's terms; children are source ids (renumbered afterwards). */
interface XNode {
  left: number;
  right: number;
  feature: number;
  condition: number;
  defaultLeft: number;
  categorical: boolean;
  categories: number[];
  value: number;
  gain: number;
  hess: number;
}

/**
 * One tree of the JSON schema from node arrays [start, start + n). `shift` is added to every value.
 * Nodes are renumbered breadth-first with each node's two children consecutive, left first: XGBoost's
 * predictor finds the right child as left + 1.
 */
function treeJSON(t: NativeGbdtTrees, index: number, start: number, n: number, shift: number, numFeatures: number, categoricalColumns: Set<number>, owner: string): Record<string, unknown> {
  const nodes: XNode[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const g = start + i;
    const where = `${owner}: tree ${index}, node ${i}`;
    const node: XNode = { left: -1, right: -1, feature: 0, condition: 0, defaultLeft: 0, categorical: false, categories: [], value: t.value[g]! + shift, gain: t.gain[g]!, hess: t.sumHess[g]! };
    nodes[i] = node;
    const l = t.left[g]!;
    if (l < 0) {
      node.condition = node.value;
      node.gain = 0;
      continue;
    }
    const r = t.right[g]!;
    if (l >= n || r < 0 || r >= n) throw new InvalidInputError(`${where}: a child is outside the tree`);
    const feature = t.feature[g]!;
    if (feature < 0 || feature >= numFeatures) throw new InvalidInputError(`${where}: feature ${feature} is outside [0, ${numFeatures})`);
    node.feature = feature;
    if (t.splitType[g] === 1) {
      // Ours: listed categories left, the rest right. XGBoost: listed right, the rest left.
      const set = t.categorySets[t.categorySet[g]!];
      if (set === undefined) throw new InvalidInputError(`${where}: missing category set`);
      const cats = categoriesOf(set.categories);
      if (cats.length === 0) throw new InvalidInputError(`${where}: a categorical split without categories has no XGBoost form`);
      if (cats[cats.length - 1]! >= 2 ** 24) throw new InvalidInputError(`${where}: category ${cats[cats.length - 1]} is beyond XGBoost's limit of 2^24`);
      node.left = r;
      node.right = l;
      node.defaultLeft = t.defaultLeft[g] ? 0 : 1;
      node.categorical = true;
      node.categories = cats;
      node.condition = 0; // XGBoost writes NaN here and never reads it; 0 keeps the file standard JSON
      categoricalColumns.add(feature);
      continue;
    }
    if (t.missingRule !== undefined && t.missingRule[g] === 1) {
      throw new InvalidInputError(`${where}: a LightGBM "zero as missing" split (imported) has no XGBoost equivalent`);
    }
    const c = float32Above(t.threshold[g]!);
    if (Number.isNaN(c)) throw new InvalidInputError(`${where}: the threshold is NaN`);
    if (c === Infinity) {
      // threshold >= FLT_MAX (the trainer's "NaN versus the rest" splits have +Infinity): every
      // finite float32 goes left. XGBoost's "<" cannot say that (no float32 above FLT_MAX in
      // standard JSON), so the children are swapped and the condition is one nothing finite is
      // below: -FLT_MAX. (XGBoost refuses infinite inputs, so only NaN and finite values matter.)
      node.left = r;
      node.right = l;
      node.condition = -FLT_MAX;
      node.defaultLeft = t.defaultLeft[g] ? 0 : 1;
    } else {
      node.left = l;
      node.right = r;
      node.condition = c;
      node.defaultLeft = t.defaultLeft[g] ? 1 : 0;
    }
  }
  // Breadth-first renumbering: order[k] is the source id of node k.
  const newId = new Int32Array(n).fill(-1);
  const order = [0];
  newId[0] = 0;
  for (let k = 0; k < order.length; k++) {
    const node = nodes[order[k]!]!;
    if (node.left < 0) continue;
    for (const child of [node.left, node.right]) {
      if (newId[child] !== -1) throw new InvalidInputError(`${owner}: tree ${index}: node ${child} is reached twice`);
      newId[child] = order.length;
      order.push(child);
    }
  }
  const m = order.length;
  const parents: number[] = new Array(m).fill(2147483647);
  const categories: number[] = [];
  const categoriesNodes: number[] = [];
  const categoriesSegments: number[] = [];
  const categoriesSizes: number[] = [];
  const pick = <T>(f: (x: XNode, k: number) => T): T[] => order.map((id, k) => f(nodes[id]!, k));
  order.forEach((id, k) => {
    const node = nodes[id]!;
    if (node.left < 0) return;
    parents[newId[node.left]!] = k;
    parents[newId[node.right]!] = k;
    if (node.categorical) {
      categoriesNodes.push(k);
      categoriesSegments.push(categories.length);
      categoriesSizes.push(node.categories.length);
      for (const c of node.categories) categories.push(c);
    }
  });
  return {
    base_weights: pick((x) => x.value),
    categories,
    categories_nodes: categoriesNodes,
    categories_segments: categoriesSegments,
    categories_sizes: categoriesSizes,
    default_left: pick((x) => x.defaultLeft),
    id: index,
    left_children: pick((x) => (x.left < 0 ? -1 : newId[x.left]!)),
    loss_changes: pick((x) => x.gain),
    parents,
    right_children: pick((x) => (x.right < 0 ? -1 : newId[x.right]!)),
    split_conditions: pick((x) => x.condition),
    split_indices: pick((x) => x.feature),
    split_type: pick((x) => (x.categorical ? 1 : 0)),
    sum_hessian: pick((x) => x.hess),
    tree_param: { num_deleted: '0', num_feature: String(numFeatures), num_nodes: String(m), size_leaf_vector: '0' },
  };
}

/**
 * The shortest decimal that reads back as float32 `v`. XGBoost parses parameter strings such as
 * base_score with at most 9 significant digits and silently falls back to the default on longer
 * ones (seen with 1.7.4: "0.47711244225502014" loads as 0.5).
 */
function float32Text(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toPrecision(9);
}

/** A single-leaf tree (for a model without trees whose base margin needs a correction). */
function leafTree(index: number, value: number, numFeatures: number): Record<string, unknown> {
  return {
    base_weights: [value],
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: [0],
    id: index,
    left_children: [-1],
    loss_changes: [0],
    parents: [2147483647],
    right_children: [-1],
    split_conditions: [value],
    split_indices: [0],
    split_type: [0],
    sum_hessian: [0],
    tree_param: { num_deleted: '0', num_feature: String(numFeatures), num_nodes: '1', size_leaf_vector: '0' },
  };
}

/** The XGBoost 1.7 JSON model as an object (see {@link toXGBoostText} for the file text). */
export function toXGBoostModel(src: XGBoostExportSource): Record<string, unknown> {
  const info = src.model.info();
  const k = info.numOutputs;
  const numFeatures = info.numFeatures;
  const objective = chooseObjective(src, info.transform, k);
  const owner = `toXGBoostJSON(${src.name})`;

  // One scalar base_score; the rest of each output's start margin goes into its first tree.
  const margins = Array.from(info.baseScore);
  for (const m of margins) if (!Number.isFinite(m)) throw new InvalidInputError(`${owner}: the base margin ${m} is not finite`);
  const start = k === 1 ? margins[0]! : margins.reduce((a, b) => a + b, 0) / k;
  const baseScore = baseScoreFor(start, objective.link);
  const m0 = xgboostBaseMargin(baseScore, objective.link);
  const residual = margins.map((m) => m - m0);

  const t = src.model.exportTrees();
  const numTrees = t.nodeCounts.length;
  const categoricalColumns = new Set<number>();
  const trees: Record<string, unknown>[] = [];
  const treeInfo: number[] = [];
  let at = 0;
  for (let i = 0; i < numTrees; i++) {
    const n = t.nodeCounts[i]!;
    const group = i % k;
    const shift = i < k ? residual[group]! : 0;
    trees.push(treeJSON(t, i, at, n, shift, numFeatures, categoricalColumns, owner));
    treeInfo.push(group);
    at += n;
  }
  if (numTrees === 0 && residual.some((r) => r !== 0)) {
    for (let g = 0; g < k; g++) {
      trees.push(leafTree(g, residual[g]!, numFeatures));
      treeInfo.push(g);
    }
  }

  const attributes: Record<string, string> = {};
  const rounds = trees.length / k;
  if (rounds > 0) {
    const best = info.bestIteration >= 0 ? Math.min(info.bestIteration, rounds - 1) : rounds - 1;
    attributes.best_iteration = String(best);
    attributes.best_ntree_limit = String(best + 1);
  }
  const featureTypes = categoricalColumns.size === 0 ? [] : Array.from({ length: numFeatures }, (_, j) => (categoricalColumns.has(j) ? 'c' : 'q'));
  return {
    learner: {
      attributes,
      feature_names: src.featureNames.length === numFeatures ? src.featureNames.slice() : [],
      feature_types: featureTypes,
      gradient_booster: {
        model: {
          gbtree_model_param: { num_parallel_tree: '1', num_trees: String(trees.length), size_leaf_vector: '0' },
          tree_info: treeInfo,
          trees,
        },
        name: 'gbtree',
      },
      learner_model_param: {
        base_score: float32Text(baseScore),
        boost_from_average: '1',
        num_class: String(k > 1 ? k : 0),
        num_feature: String(numFeatures),
        num_target: '1',
      },
      objective: { name: objective.name, ...objective.params },
    },
    version: [1, 7, 4],
  };
}

/** Arrays XGBoost reads as floats: their integral values need a decimal point in the text. */
const floatArrays = new Set(['split_conditions', 'base_weights', 'loss_changes', 'sum_hessian']);

/** A number as XGBoost's JSON reader takes a float (it types "0" as an Integer and refuses it). */
function floatText(v: number): string {
  const s = String(v);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/**
 * The file text of {@link toXGBoostModel}: JSON with every float written as a float (`0.0`, not
 * `0`), as XGBoost's typed JSON reader requires.
 */
export function toXGBoostText(src: XGBoostExportSource): string {
  const marked = JSON.stringify(toXGBoostModel(src), (key, value: unknown) =>
    floatArrays.has(key) && Array.isArray(value) ? value.map((v) => `\u0000${floatText(v as number)}`) : value,
  );
  return marked.replace(/"\\u0000([^"]*)"/g, '$1');
}
