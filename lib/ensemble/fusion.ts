/**
 * Model fusion: one model from the internals of several (not from their outputs).
 * - `fuseLinear` averages the coefficients of linear models, so the fused model's decision function
 *   is exactly the weighted average of theirs: `x·(Σ wᵢ Wᵢ) + Σ wᵢ bᵢ = Σ wᵢ (x·Wᵢ + bᵢ)` with Σ wᵢ = 1.
 * - `fuseTrees` merges tree ensembles: gradient-boosted models (their trees summed, leaves scaled by
 *   wᵢ, base scores combined) or random forests / extra trees (their trees averaged with per-tree
 *   weights), so the fused raw output is Σ wᵢ rawᵢ(x).
 * Weights default to equal and are normalised to sum to 1 in both.
 */
import { estimatorFromJSON, type EstimatorJSON } from '../core/estimator.js';
import { InvalidInputError } from '../core/errors.js';
import { LogisticRegression } from '../linear/logistic_regression.js';
import { LinearRegression, Ridge } from '../linear/ridge.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';
import { ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor } from '../tree/forest.js';

/** Weights normalised to sum 1 (default equal); InvalidInputError on a bad vector. */
function fusionWeights(fn: string, n: number, weights: ArrayLike<number> | undefined): Float64Array {
  const w = weights === undefined ? new Float64Array(n).fill(1) : Float64Array.from(weights);
  if (w.length !== n) throw new InvalidInputError(`${fn}: expected ${n} weights (one per model) but received ${w.length}`);
  let total = 0;
  for (const v of w) {
    if (!(Number.isFinite(v) && v >= 0)) throw new InvalidInputError(`${fn}: weights must be finite and non-negative but received ${v}`);
    total += v;
  }
  if (total === 0) throw new InvalidInputError(`${fn}: weights sum to zero`);
  for (let i = 0; i < n; i++) w[i] = w[i]! / total;
  return w;
}

/** The linear models fuseLinear accepts. */
export type LinearModel = LogisticRegression | Ridge | LinearRegression;

/**
 * One linear model whose coefficients and intercepts are the weighted average of the inputs'
 * (weights default equal; normalised to sum to 1). All must be fitted and of one kind: all
 * LogisticRegression with the same classes, or all Ridge / LinearRegression with the same number
 * of targets; and the same number of features. The result has the first model's class and options.
 * @throws InvalidInputError when the models cannot be fused.
 */
export function fuseLinear<T extends LinearModel>(models: readonly T[], weights?: ArrayLike<number>): T {
  if (!Array.isArray(models) || models.length === 0) throw new InvalidInputError('fuseLinear needs at least one model');
  const logistic = models[0] instanceof LogisticRegression;
  models.forEach((m, i) => {
    const ok = logistic ? m instanceof LogisticRegression : m instanceof Ridge || m instanceof LinearRegression;
    if (!ok) throw new InvalidInputError(`fuseLinear: model ${i} (${(m as object)?.constructor?.name}) cannot be fused with a ${models[0]!.constructor.name}: all must be LogisticRegression, or all Ridge / LinearRegression`);
    if (!m.isFitted) throw new InvalidInputError(`fuseLinear: model ${i} is not fitted`);
  });
  const w = fusionWeights('fuseLinear', models.length, weights);
  const first = models[0]!;
  const nFeatures = first.nFeaturesIn;
  const coef0 = first.coef;
  const classes = logistic ? (first as LogisticRegression).classes : undefined;
  const coef = new Float64Array(coef0.data.length);
  const intercept = new Float64Array(first.intercept.length);
  models.forEach((m, i) => {
    if (m.nFeaturesIn !== nFeatures) throw new InvalidInputError(`fuseLinear: model ${i} has ${m.nFeaturesIn} features but model 0 has ${nFeatures}`);
    if (logistic) {
      const c = (m as LogisticRegression).classes;
      if (c.length !== classes!.length || c.some((x, j) => x !== classes![j])) {
        throw new InvalidInputError(`fuseLinear: model ${i} has classes ${JSON.stringify(c)} but model 0 has ${JSON.stringify(classes)}`);
      }
    }
    const C = m.coef;
    if (C.rows !== coef0.rows) throw new InvalidInputError(`fuseLinear: model ${i} has ${C.rows} coefficient rows but model 0 has ${coef0.rows}`);
    const wi = w[i]!;
    for (let j = 0; j < coef.length; j++) coef[j] = coef[j]! + wi * C.data[j]!;
    const b = m.intercept;
    for (let j = 0; j < intercept.length; j++) intercept[j] = intercept[j]! + wi * b[j]!;
  });
  // Through the JSON form: the models' own state format, so the result is an ordinary fitted model.
  const json = first.toJSON() as EstimatorJSON & { state: Record<string, unknown> };
  json.state = { ...json.state, coef: Array.from(coef), intercept: Array.from(intercept) };
  if (!logistic) json.state.solver = 'cholesky';
  return estimatorFromJSON(json) as unknown as T;
}

/** The tree models fuseTrees accepts: gradient-boosted models (trained or imported) and forests. */
export type TreeModel =
  | GradientBoostingClassifier
  | GradientBoostingRegressor
  | RandomForestClassifier
  | RandomForestRegressor
  | ExtraTreesClassifier
  | ExtraTreesRegressor;

type Kind = 'gbdt-classifier' | 'gbdt-regressor' | 'forest-classifier' | 'forest-regressor';

const kindNames: Record<Kind, string> = {
  'gbdt-classifier': 'GradientBoostingClassifier',
  'gbdt-regressor': 'GradientBoostingRegressor',
  'forest-classifier': 'RandomForestClassifier / ExtraTreesClassifier',
  'forest-regressor': 'RandomForestRegressor / ExtraTreesRegressor',
};

function kindOf(m: unknown): Kind | undefined {
  if (m instanceof GradientBoostingClassifier) return 'gbdt-classifier';
  if (m instanceof GradientBoostingRegressor) return 'gbdt-regressor';
  if (m instanceof RandomForestClassifier || m instanceof ExtraTreesClassifier) return 'forest-classifier';
  if (m instanceof RandomForestRegressor || m instanceof ExtraTreesRegressor) return 'forest-regressor';
  return undefined;
}

type State = Record<string, unknown>;
type TreesState = Record<string, unknown[]>;

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A forest's stored number (finite, or 'Infinity' / '-Infinity' strings) times s. */
function scaled(v: unknown, s: number): unknown {
  return typeof v === 'number' ? v * s : v;
}

/**
 * One tree model whose raw output is the weighted combination of the inputs' raw outputs,
 * `raw(x) = Σ wᵢ rawᵢ(x)` with the weights normalised to sum 1 (default: equal weights).
 *
 * - Gradient-boosted models (GradientBoostingClassifier / GradientBoostingRegressor, trained here
 *   or imported with importXGBoost / importLightGBM): the trees are concatenated with their leaf
 *   values scaled by wᵢ and the base scores combined as Σ wᵢ baseᵢ, so the fused margin
 *   (`predictRaw`) is the weighted average Σ wᵢ fᵢ(x) of the margins; predictions are its link
 *   (sigmoid, softmax, exp). All must share the output transform and number of outputs; identity-link
 *   regressors also the objective (and quantileAlpha for 'quantile'; imported models count as their
 *   default objective, 'squared_error'). The fused model keeps every tree (bestIteration = last
 *   round); `numIteration` on it counts rounds of the concatenated sequence.
 * - Random forests and extra trees (RandomForest* / ExtraTrees*, which may be mixed): one forest
 *   holding all trees, each tree's leaf outputs (class frequencies for classifiers) scaled by
 *   wᵢ·N/nᵢ (nᵢ trees in forest i, N in all), so the forest's average over its N trees is
 *   Σ wᵢ (forest i's average) — `predictProba` / `predict` of the fused forest. Feature importances
 *   stay the unweighted average over the trees; the out-of-bag score is dropped.
 *
 * All models must be fitted, of one kind (all boosted classifiers, all boosted regressors, all forest
 * classifiers or all forest regressors), with the same number of features and (classifiers) the
 * same classes in the same order. Models with weight 0 contribute no trees. The result is an
 * ordinary fitted model of the first model's class with its parameters: it predicts, saves and
 * loads like any other. Feature names (imported models) are kept when all models agree on them.
 * @throws InvalidInputError naming the model that cannot be fused, and why.
 */
export function fuseTrees<T extends TreeModel>(models: readonly T[], weights?: ArrayLike<number>): T {
  if (!Array.isArray(models) || models.length === 0) throw new InvalidInputError('fuseTrees needs at least one model');
  const kind = kindOf(models[0]);
  const describe = (m: unknown) => (m as object)?.constructor?.name ?? typeof m;
  if (kind === undefined) {
    throw new InvalidInputError(`fuseTrees: model 0 (${describe(models[0])}) is not a tree ensemble it can fuse: expected GradientBoostingClassifier / GradientBoostingRegressor or RandomForest* / ExtraTrees*`);
  }
  models.forEach((m, i) => {
    const k = kindOf(m);
    if (k !== kind) {
      throw new InvalidInputError(`fuseTrees: model ${i} (${describe(m)}) cannot be fused with model 0 (${describe(models[0])}): all must be ${kindNames[kind]}`);
    }
    if (!m.isFitted) throw new InvalidInputError(`fuseTrees: model ${i} (${describe(m)}) is not fitted`);
  });
  const w = fusionWeights('fuseTrees', models.length, weights);
  const first = models[0]!;
  const nFeatures = first.nFeaturesIn;
  const classifier = kind === 'gbdt-classifier' || kind === 'forest-classifier';
  const classes = classifier ? (first as GradientBoostingClassifier).classes : undefined;
  models.forEach((m, i) => {
    if (m.nFeaturesIn !== nFeatures) throw new InvalidInputError(`fuseTrees: model ${i} has ${m.nFeaturesIn} features but model 0 has ${nFeatures}`);
    if (classes !== undefined) {
      const c = (m as GradientBoostingClassifier).classes;
      if (!sameList(c, classes)) throw new InvalidInputError(`fuseTrees: model ${i} has classes ${JSON.stringify(c)} but model 0 has ${JSON.stringify(classes)}`);
    }
  });
  const jsons = models.map((m) => m.toJSON() as EstimatorJSON & { state: State });
  const fused = kind.startsWith('gbdt') ? fuseBoosted(models as readonly TreeModel[], jsons, w) : fuseForests(jsons, w);
  return estimatorFromJSON(fused) as unknown as T;
}

function fuseBoosted(models: readonly TreeModel[], jsons: (EstimatorJSON & { state: State })[], w: Float64Array): EstimatorJSON {
  const s0 = jsons[0]!.state;
  const outputs = s0.numOutputs as number;
  const transform = s0.transform as string;
  const objectiveOf = (i: number) => {
    const p = models[i]!.getParams(false);
    return { objective: p.objective, alpha: p.quantileAlpha };
  };
  const o0 = objectiveOf(0);
  jsons.forEach((j, i) => {
    const s = j.state;
    if (s.transform !== transform) throw new InvalidInputError(`fuseTrees: model ${i} has the output transform '${String(s.transform)}' but model 0 has '${transform}'`);
    if (s.numOutputs !== outputs) throw new InvalidInputError(`fuseTrees: model ${i} has ${String(s.numOutputs)} outputs but model 0 has ${outputs}`);
    if (transform === 'identity' && models[i] instanceof GradientBoostingRegressor) {
      const o = objectiveOf(i);
      const name = (v: unknown) => (typeof v === 'function' ? 'a custom function' : `'${String(v)}'`);
      if (o.objective !== o0.objective) throw new InvalidInputError(`fuseTrees: model ${i} has the objective ${name(o.objective)} but model 0 has ${name(o0.objective)}`);
      if (o.objective === 'quantile' && o.alpha !== o0.alpha) throw new InvalidInputError(`fuseTrees: model ${i} fits the quantile ${String(o.alpha)} but model 0 the quantile ${String(o0.alpha)}`);
    }
  });
  const fields = ['nodeCounts', 'left', 'right', 'feature', 'threshold', 'thresholdBin', 'defaultLeft', 'splitType', 'categorySet', 'value', 'gain', 'sumHess', 'count'];
  const out: TreesState = Object.fromEntries(fields.map((f) => [f, []]));
  const missingRule: unknown[] = [];
  const categoryRule: unknown[] = [];
  const categorySets: unknown[] = [];
  let withRules = false;
  const base = new Array<number>(outputs).fill(0);
  jsons.forEach((j, i) => {
    const wi = w[i]!;
    const s = j.state;
    const b = s.baseScore as number[];
    for (let g = 0; g < outputs; g++) base[g] = base[g]! + wi * b[g]!;
    if (wi === 0) return;
    const t = s.trees as TreesState;
    const offset = categorySets.length;
    for (const f of fields) {
      const src = t[f]!;
      if (f === 'value') for (const v of src) out.value!.push((v as number) * wi);
      else if (f === 'categorySet') for (const v of src) out.categorySet!.push((v as number) < 0 ? v : (v as number) + offset);
      else for (const v of src) out[f]!.push(v);
    }
    const nodes = t.left!.length;
    if (t.missingRule !== undefined) {
      withRules = true;
      missingRule.push(...t.missingRule);
      categoryRule.push(...t.categoryRule!);
    } else {
      for (let k = 0; k < nodes; k++) {
        missingRule.push(0);
        categoryRule.push(0);
      }
    }
    categorySets.push(...((t.categorySets as unknown[] | undefined) ?? []));
  });
  const trees: Record<string, unknown> = { ...out, categorySets };
  if (withRules) Object.assign(trees, { missingRule, categoryRule });
  const state: State = { ...s0, baseScore: base, bestIteration: -1, evalsResult: {}, trees };
  const names = jsons.map((j) => j.state.featureNames as string[] | undefined);
  if (names[0] === undefined || !names.every((n) => n !== undefined && sameList(n, names[0]!))) delete state.featureNames;
  return { ...jsons[0]!, state };
}

function fuseForests(jsons: (EstimatorJSON & { state: State })[], w: Float64Array): EstimatorJSON {
  const s0 = jsons[0]!.state;
  const classification = (s0.numClasses as number) >= 2;
  const fields = ['nodeCounts', 'left', 'right', 'feature', 'threshold', 'thresholdBin', 'defaultLeft', 'value', 'gain', 'weight', 'count', 'distribution'];
  const out: TreesState = Object.fromEntries(fields.map((f) => [f, []]));
  let total = 0;
  jsons.forEach((j, i) => {
    if (w[i]! > 0) total += ((j.state.trees as TreesState).nodeCounts ?? []).length;
  });
  jsons.forEach((j, i) => {
    const wi = w[i]!;
    if (wi === 0) return;
    const t = j.state.trees as TreesState;
    // The fused forest divides by `total` trees; this forest's trees must count wᵢ / nᵢ each.
    const scale = (wi * total) / t.nodeCounts!.length;
    const scaledField = classification ? 'distribution' : 'value';
    for (const f of fields) {
      const src = t[f] ?? [];
      if (f === scaledField) for (const v of src) out[f]!.push(scaled(v, scale));
      else for (const v of src) out[f]!.push(v);
    }
  });
  const state: State = { ...s0, trees: out };
  delete state.oobScore;
  return { ...jsons[0]!, state };
}
