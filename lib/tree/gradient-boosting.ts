/**
 * Histogram gradient boosting (LightGBM / XGBoost class): {@link GradientBoostingClassifier} and
 * {@link GradientBoostingRegressor}. Training runs natively (native/core/boost) on quantile-binned
 * features, off the event loop; prediction goes through the compiled forest. Options are LightGBM's
 * and XGBoost's in camelCase, with LightGBM's defaults.
 */
import { readFileSync } from 'node:fs';
import { Dataset } from '../core/dataset.js';
import { BaseEstimator, checkStateVersion, isClassifier, registerEstimator, type Classifier, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError, NotFittedError } from '../core/errors.js';
import { classesFromScores, encodeClasses, toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamSpec, ParamTable } from '../core/params.js';
import {
  native,
  runJob,
  type NativeDataset,
  type NativeEvalSet,
  type NativeGbdtCallbacks,
  type NativeGbdtModel,
  type NativeGbdtOptions,
  type NativeGbdtTrees,
  type NativeMatrixArg,
  type NativeTransform,
  type JobOptions,
} from '../native.js';
import { classWeightFactors, combineWeights, toSampleWeight, type ClassWeight } from '../linear/weights.js';
import { accuracyScore } from '../metrics/classification.js';
import { encodeNumbers, probaColumns } from './forest.js';
import { maxModelFeatures, readClasses, readFinite, readGbdtTrees, readInt, readObject, received } from './tree-state.js';
import { r2Score } from '../metrics/regression.js';
import { SingleRow, type RowInput } from './single-row.js';
import { toXGBoostText } from '../io/xgboost-export.js';

/**
 * A custom loss: given the raw margins (`rows x outputs`, row-major; one output for regression and
 * binary classification, one per class otherwise) and the labels (class indices for a classifier),
 * return the gradient and hessian of the loss per margin, same shape. Called once per round. Sample
 * weights are passed so the function can apply them (the trainer does not).
 */
export type ObjectiveFunction = (
  rawPredictions: Float64Array,
  labels: Float64Array,
  sampleWeight: Float64Array | undefined,
) => { grad: ArrayLike<number>; hess: ArrayLike<number> };

/** A custom evaluation metric on raw margins (same layout as {@link ObjectiveFunction}). */
export interface CustomMetric {
  name: string;
  fn: (rawPredictions: Float64Array, labels: Float64Array, sampleWeight: Float64Array | undefined) => number;
  /** Early stopping direction (default false: lower is better). */
  higherIsBetter?: boolean;
}

/** Built-in metric names. */
export type MetricName = 'rmse' | 'mae' | 'logloss' | 'auc' | 'error' | 'multi_logloss' | 'multi_error' | 'poisson' | 'quantile';

const metricNames: readonly MetricName[] = ['rmse', 'mae', 'logloss', 'auc', 'error', 'multi_logloss', 'multi_error', 'poisson', 'quantile'];

/** A validation set: `{ X, y, name?, sampleWeight? }` or the tuple `[X, y]` (named `validation_i`, as XGBoost). */
export type EvalSetInput = { X: MatrixInput; y: LabelInput; name?: string; sampleWeight?: ArrayLike<number> } | readonly [MatrixInput, LabelInput];

/** Options of `fit` for gradient boosting. */
export interface GradientBoostingFitOptions extends FitOptions {
  /** Validation sets: metric history per round (`evalsResult`) and early stopping on the first one. */
  evalSet?: readonly EvalSetInput[];
}

/** Options shared by {@link GradientBoostingClassifier} and {@link GradientBoostingRegressor}. */
export interface GradientBoostingOptions {
  /** Boosting rounds (trees per output). Default 100. */
  nEstimators?: number;
  /** Shrinkage applied to every tree. Default 0.1. */
  learningRate?: number;
  /** 'leafwise' (LightGBM: split the best leaf until numLeaves) or 'depthwise' (XGBoost: level by level). */
  growPolicy?: 'leafwise' | 'depthwise';
  /** Most leaves per tree (leaf-wise growth). Default 31. */
  numLeaves?: number;
  /** Deepest a leaf may be (root = 0); -1 means unlimited. Caps both policies. Default -1. */
  maxDepth?: number;
  /** L2 regularisation on leaf outputs. Default 0 (LightGBM); XGBoost's is 1. */
  lambda?: number;
  /** L1 regularisation on leaf outputs. Default 0. */
  alpha?: number;
  /** Least hessian sum in a child. Default 1e-3. */
  minChildWeight?: number;
  /** Fewest rows in a child. Default 20. */
  minChildSamples?: number;
  /** Least loss reduction for a split. Default 0. */
  minSplitGain?: number;
  /** > 0: clips leaf outputs (before shrinkage) to ±maxDeltaStep. Default 0. */
  maxDeltaStep?: number;
  /** Fraction of rows each round trains on (seeded). Default 1. */
  subsample?: number;
  /** Fraction of features each tree may use (seeded). Default 1. */
  colsampleBytree?: number;
  /** Fraction of the tree's features each node may use (seeded). Default 1. */
  colsampleBynode?: number;
  /** Value bins per feature (2..255), a missing bin on top. Default 255. Ignored when X is a Dataset. */
  maxBins?: number;
  /** Column indices holding categories (non-negative integers). Ignored when X is a Dataset (set them when building it). */
  categoricalFeatures?: number[] | null;
  /** Categorical splits: most categories on the smaller side of a many-vs-many split. Default 32. */
  maxCatThreshold?: number;
  /** Categorical splits: smoothing added to the hessian when ordering categories. Default 10. */
  catSmooth?: number;
  /** Categorical splits: extra L2 regularisation. Default 10. */
  catL2?: number;
  /** Categorical splits: fewest rows on each side. Default 100. */
  minDataPerGroup?: number;
  /** Categorical features with at most this many categories try one-vs-rest splits. Default 4. */
  maxCatToOnehot?: number;
  /** Per feature: +1 (prediction non-decreasing in it), -1 (non-increasing) or 0. */
  monotoneConstraints?: number[] | null;
  /** Feature groups: the features on any root-to-leaf path must all lie in one group. */
  interactionConstraints?: number[][] | null;
  /** Stop when the first metric on the first eval set has not improved for this many rounds (0: off). */
  earlyStoppingRounds?: number;
  /** Built-in metric name(s) reported on eval sets, or one custom metric. Default: the objective's. */
  evalMetric?: MetricName | MetricName[] | CustomMetric | null;
  /** Histograms from 8-bit quantized gradients (LightGBM's use_quantized_grad): faster, near-identical models. */
  quantizedGradients?: boolean;
  /**
   * MiB of memory for node histograms kept for the subtraction trick (LightGBM's histogram_pool_size);
   * when full, histograms are rebuilt instead. <= 0 (default): 1 GiB.
   */
  histogramPoolSize?: number;
  /** Start from the loss-minimising constant (mean, log-odds, ...) instead of 0. Default true. */
  boostFromAverage?: boolean;
  /**
   * XGBoost's base_score: the prediction every model starts from, in output space (a probability for
   * binary classification, a mean for regression; for softmax any value is equivalent to 0).
   * null (default): boostFromAverage decides.
   */
  baseScore?: number | null;
  /** Seed of row/column sampling and binning. Same seed, same model, whatever nThreads. Default 0. */
  seed?: number;
  /** Threads; <= 0 means all cores. Default 0. */
  nThreads?: number;
  /** Print eval metrics to stderr every `verbose` rounds (true = 1). Default 0 (silent). */
  verbose?: boolean | number;
}

/** Options of {@link GradientBoostingClassifier}. */
export interface GradientBoostingClassifierOptions extends GradientBoostingOptions {
  /** 'auto' (binary log-loss for two classes, softmax otherwise) or a custom loss. */
  objective?: 'auto' | ObjectiveFunction;
  /** Class weights multiplied into the sample weights: null, 'balanced' or `{ [label]: weight }`. */
  classWeight?: ClassWeight;
}

/** Options of {@link GradientBoostingRegressor}. */
export interface GradientBoostingRegressorOptions extends GradientBoostingOptions {
  /** Loss: 'squared_error' (default), 'absolute_error', 'huber', 'quantile', 'poisson', or a custom loss. */
  objective?: 'squared_error' | 'absolute_error' | 'huber' | 'quantile' | 'poisson' | ObjectiveFunction;
  /** Huber: where the loss turns linear. Default 0.9 (LightGBM's). */
  huberDelta?: number;
  /** Quantile: the quantile fitted, in (0, 1). Default 0.9 (LightGBM's). */
  quantileAlpha?: number;
}

const commonParams: ParamSpec[] = [
  { name: 'nEstimators', type: 'int', default: 100, min: 1, max: 1_000_000, doc: 'Boosting rounds (trees per output).' },
  { name: 'learningRate', type: 'number', default: 0.1, gt: 0, doc: 'Shrinkage applied to every tree.' },
  { name: 'growPolicy', type: 'string', default: 'leafwise', oneOf: ['leafwise', 'depthwise'], doc: "'leafwise' (best leaf first, up to numLeaves) or 'depthwise' (level by level)." },
  { name: 'numLeaves', type: 'int', default: 31, min: 2, max: 131072, doc: 'Most leaves per tree (leaf-wise).' },
  { name: 'maxDepth', type: 'int', default: -1, min: -1, doc: 'Deepest leaf (root = 0); -1 unlimited. Caps both policies.' },
  { name: 'lambda', type: 'number', default: 0, min: 0, doc: 'L2 regularisation on leaf outputs.' },
  { name: 'alpha', type: 'number', default: 0, min: 0, doc: 'L1 regularisation on leaf outputs.' },
  { name: 'minChildWeight', type: 'number', default: 1e-3, min: 0, doc: 'Least hessian sum in a child.' },
  { name: 'minChildSamples', type: 'int', default: 20, min: 0, doc: 'Fewest rows in a child.' },
  { name: 'minSplitGain', type: 'number', default: 0, min: 0, doc: 'Least loss reduction for a split.' },
  { name: 'maxDeltaStep', type: 'number', default: 0, min: 0, doc: '> 0: clip leaf outputs to ±maxDeltaStep.' },
  { name: 'subsample', type: 'number', default: 1, gt: 0, max: 1, doc: 'Fraction of rows per round.' },
  { name: 'colsampleBytree', type: 'number', default: 1, gt: 0, max: 1, doc: 'Fraction of features per tree.' },
  { name: 'colsampleBynode', type: 'number', default: 1, gt: 0, max: 1, doc: "Fraction of the tree's features per node." },
  { name: 'maxBins', type: 'int', default: 255, min: 2, max: 255, doc: 'Value bins per feature (a missing bin on top).' },
  { name: 'categoricalFeatures', type: 'intArray', default: null, min: 0, nullable: true, doc: 'Column indices holding categories.' },
  { name: 'maxCatThreshold', type: 'int', default: 32, min: 1, doc: 'Categorical: most categories on one side of a split.' },
  { name: 'catSmooth', type: 'number', default: 10, min: 0, doc: 'Categorical: hessian smoothing when ordering categories.' },
  { name: 'catL2', type: 'number', default: 10, min: 0, doc: 'Categorical: extra L2 regularisation.' },
  { name: 'minDataPerGroup', type: 'int', default: 100, min: 1, doc: 'Categorical: fewest rows per side.' },
  { name: 'maxCatToOnehot', type: 'int', default: 4, min: 1, doc: 'Categorical: one-vs-rest splits up to this many categories.' },
  { name: 'monotoneConstraints', type: 'intArray', default: null, min: -1, max: 1, nullable: true, doc: 'Per feature: +1, -1 or 0.' },
  { name: 'interactionConstraints', type: 'any', default: null, nullable: true, doc: 'Groups of feature indices allowed to interact.' },
  { name: 'earlyStoppingRounds', type: 'int', default: 0, min: 0, doc: 'Stop after this many rounds without improvement on the first eval set (0: off).' },
  { name: 'evalMetric', type: 'any', default: null, nullable: true, doc: 'Metric name(s) or one custom metric { name, fn, higherIsBetter }.' },
  { name: 'quantizedGradients', type: 'boolean', default: false, doc: 'Histograms from 8-bit quantized gradients.' },
  { name: 'histogramPoolSize', type: 'number', default: -1, doc: 'MiB for cached node histograms; <= 0 means 1 GiB.' },
  { name: 'boostFromAverage', type: 'boolean', default: true, doc: 'Start from the loss-minimising constant.' },
  { name: 'baseScore', type: 'number', default: null, nullable: true, doc: "XGBoost's base_score: the start prediction in output space; null: boostFromAverage decides." },
  { name: 'seed', type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'Seed of sampling and binning.' },
  { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
  { name: 'verbose', type: 'any', default: 0, doc: 'Print eval metrics every N rounds to stderr (true = 1).' },
];

/** What the JSON form stores of a fitted model. */
interface GbdtState {
  nFeatures: number;
  classes?: number[] | string[];
  model: NativeGbdtModel;
  evalsResult: Record<string, Record<string, number[]>>;
  /** Column names carried by an imported model (XGBoost / LightGBM), if it had any. */
  featureNames?: string[];
}

function isTuple(e: EvalSetInput): e is readonly [MatrixInput, LabelInput] {
  return Array.isArray(e) && e.length === 2 && !('X' in (e as object));
}

function checkInteractionConstraints(v: unknown, cols: number, owner: string): number[][] {
  if (v === null || v === undefined) return [];
  const bad = (why: string): never => {
    throw new InvalidParameterError(`Expected an array of arrays of feature indices for ${owner} parameter 'interactionConstraints': ${why}`, 'interactionConstraints');
  };
  if (!Array.isArray(v)) bad('received ' + typeof v);
  return (v as unknown[]).map((group, g) => {
    if (!Array.isArray(group)) bad(`group ${g} is not an array`);
    return (group as unknown[]).map((f) => {
      if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f >= cols) bad(`group ${g} holds ${String(f)}, not a feature index in [0, ${cols})`);
      return f as number;
    });
  });
}

function resolveVerbose(v: unknown, owner: string): number {
  if (v === true) return 1;
  if (v === false || v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new InvalidParameterError(`Expected a boolean or a non-negative integer for ${owner} parameter 'verbose' but received ${String(v)}`, 'verbose');
}

function resolveMetrics(v: unknown, owner: string): { names: string[]; custom?: CustomMetric } {
  if (v === null || v === undefined) return { names: [] };
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  if (list.length === 1 && typeof list[0] === 'object' && list[0] !== null) {
    const c = list[0] as CustomMetric;
    if (typeof c.name !== 'string' || typeof c.fn !== 'function') {
      throw new InvalidParameterError(`Expected { name: string, fn: function } for a custom ${owner} parameter 'evalMetric'`, 'evalMetric');
    }
    return { names: [], custom: c };
  }
  for (const m of list) {
    if (typeof m !== 'string' || !metricNames.includes(m as MetricName)) {
      throw new InvalidParameterError(
        `Expected one of ${metricNames.map((n) => JSON.stringify(n)).join(', ')} (or one custom metric) for ${owner} parameter 'evalMetric' but received ${JSON.stringify(m)}`,
        'evalMetric',
      );
    }
  }
  return { names: list as string[] };
}

function toFloat64(values: ArrayLike<number>, n: number, what: string): Float64Array {
  if (values === null || typeof values !== 'object' || values.length !== n) {
    throw new InvalidInputError(`Expected the custom objective to return ${what} with ${n} values but received ${values === null || typeof values !== 'object' ? String(values) : values.length}`);
  }
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

/** Everything a fit needs, prepared on the main thread (shared by fit and fitSync). */
interface PreparedFit {
  X: NativeMatrixArg | NativeDataset;
  nFeatures: number;
  y: Float64Array;
  weights: Float64Array | undefined;
  options: NativeGbdtOptions;
  evalSets: NativeEvalSet[];
  callbacks: NativeGbdtCallbacks | undefined;
  /** The first error a user callback threw (rethrown instead of the native failure). */
  callbackError: { error?: unknown };
  classes?: number[] | string[];
}

/** Which boosting rounds a prediction uses. */
export interface GbdtPredictOptions {
  /** The first `numIteration` rounds. */
  numIteration?: number;
  /**
   * Rounds `[start, end)` (XGBoost's `iteration_range`; `end` 0 means through the last round). A
   * round is one tree per output (for an imported XGBoost model with `num_parallel_tree` p, p rounds
   * here per XGBoost round). Not together with `numIteration`.
   */
  iterationRange?: [number, number];
}

/** Per-tree leaf ids, row-major `rows x cols` (cols = trees used). */
export interface LeafIndices {
  readonly data: Int32Array;
  readonly rows: number;
  readonly cols: number;
}

/**
 * The shared machinery of the classifier and the regressor: option resolution, input coercion, the
 * native fit, prediction and the JSON form.
 */
abstract class BaseGradientBoosting<P extends GradientBoostingOptions> extends BaseEstimator<P> {
  protected state_: GbdtState | undefined;

  /** Labels to the native form (class indices or values); sets the objective fields of `options`. */
  protected abstract encodeTarget(
    y: LabelInput | undefined,
    rows: number,
    p: Required<P>,
  ): { y: Float64Array; classes?: number[] | string[]; objective: string; numClass: number; customOutputs: number; customTransform: NativeTransform; classIndices?: Int32Array };

  /** Labels of an eval set in the native form (uses the classes seen in the training labels). */
  protected abstract encodeEvalTarget(y: LabelInput, rows: number, classes: number[] | string[] | undefined, name: string): Float64Array;

  /** XGBoost's base_score (output space) as a raw margin for the objective. */
  protected baseMargin(score: number, objective: string): number {
    const bad = (range: string) =>
      new InvalidParameterError(`Expected baseScore ${range} for the ${objective} objective of ${this.name} but received ${score}`, 'baseScore');
    if (!Number.isFinite(score)) throw bad('finite');
    if (objective === 'binary') {
      if (!(score > 0 && score < 1)) throw bad('in (0, 1)');
      return Math.log(score / (1 - score));
    }
    if (objective === 'poisson') {
      if (!(score > 0)) throw bad('> 0');
      return Math.log(score);
    }
    return score;
  }

  /** Class weights (classifier only). */
  protected classWeights(_p: Required<P>, _classes: number[] | string[] | undefined, _indices: Int32Array | undefined): Float64Array | undefined {
    return undefined;
  }

  protected prepare(X: MatrixInput | Dataset, y: LabelInput | undefined, opts: GradientBoostingFitOptions): PreparedFit {
    const resolved = this.resolved();
    const p = resolved as unknown as Required<GradientBoostingOptions>;
    const owner = this.name;
    let Xn: NativeMatrixArg | NativeDataset;
    let rows: number;
    let cols: number;
    if (X instanceof Dataset) {
      if (X.disposed) throw new InvalidInputError(`${owner}.fit: the Dataset has been disposed`);
      Xn = Dataset.handleOf(X);
      rows = X.rows;
      cols = X.cols;
    } else {
      const m = toMatrix(X, { allowInfinity: true });
      Xn = { data: m.data, rows: m.rows, cols: m.cols };
      rows = m.rows;
      cols = m.cols;
    }
    if (rows < 1) throw new InvalidInputError(`${owner}.fit needs at least one row`);
    const target = this.encodeTarget(y, rows, resolved);
    const factors = this.classWeights(resolved, target.classes, target.classIndices);
    const sample = toSampleWeight(opts.sampleWeight, rows);
    const weights = target.classIndices ? combineWeights(sample, factors, target.classIndices) : sample;

    const categorical = p.categoricalFeatures ? Array.from(p.categoricalFeatures) : [];
    for (const c of categorical) {
      if (c >= cols) throw new InvalidParameterError(`categoricalFeatures names column ${c} but X has ${cols} columns`, 'categoricalFeatures');
    }
    const monotone = p.monotoneConstraints ? Array.from(p.monotoneConstraints) : [];
    if (monotone.length !== 0 && monotone.length !== cols) {
      throw new InvalidParameterError(`Expected ${cols} values in monotoneConstraints (one per feature) but received ${monotone.length}`, 'monotoneConstraints');
    }
    const interactions = checkInteractionConstraints(p.interactionConstraints, cols, owner);
    const metrics = resolveMetrics(p.evalMetric, owner);

    // Eval sets.
    const evalSets: NativeEvalSet[] = [];
    (opts.evalSet ?? []).forEach((e, i) => {
      const ex = isTuple(e) ? e[0] : e.X;
      const ey = isTuple(e) ? e[1] : e.y;
      const name = isTuple(e) ? `validation_${i}` : (e.name ?? `validation_${i}`);
      const m = toMatrix(ex, { allowInfinity: true, cols, name: `evalSet[${i}].X` });
      const yv = this.encodeEvalTarget(ey, m.rows, target.classes, `evalSet[${i}].y`);
      const set: NativeEvalSet = { name, X: { data: m.data, rows: m.rows, cols: m.cols }, y: yv };
      if (!isTuple(e) && e.sampleWeight !== undefined) set.sampleWeight = toSampleWeight(e.sampleWeight, m.rows);
      evalSets.push(set);
    });
    const names = new Set(evalSets.map((e) => e.name));
    if (names.size !== evalSets.length) throw new InvalidInputError(`${owner}.fit: eval set names must be distinct`);
    if (p.earlyStoppingRounds > 0 && evalSets.length === 0) {
      throw new InvalidParameterError(`${owner}: earlyStoppingRounds needs at least one evalSet in fit()`, 'earlyStoppingRounds');
    }

    // JS callbacks (custom objective / metric); errors they throw are kept and rethrown as they were.
    const callbackError: { error?: unknown } = {};
    let callbacks: NativeGbdtCallbacks | undefined;
    const objectiveFn = (resolved as { objective?: unknown }).objective;
    if (typeof objectiveFn === 'function') {
      const fn = objectiveFn as ObjectiveFunction;
      const labels = target.y;
      callbacks = {
        objective: (scores) => {
          try {
            const r = fn(scores, labels, weights);
            if (r === null || typeof r !== 'object') throw new InvalidInputError('Expected the custom objective to return { grad, hess }');
            return { grad: toFloat64(r.grad, scores.length, 'grad'), hess: toFloat64(r.hess, scores.length, 'hess') };
          } catch (error) {
            callbackError.error ??= error;
            throw error;
          }
        },
      };
    }
    if (metrics.custom) {
      const c = metrics.custom;
      callbacks ??= {};
      callbacks.metric = (setIndex, scores) => {
        try {
          const set = evalSets[setIndex]!;
          const v = c.fn(scores, set.y, set.sampleWeight);
          if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidInputError(`Expected the custom metric '${c.name}' to return a number but received ${String(v)}`);
          return v;
        } catch (error) {
          callbackError.error ??= error;
          throw error;
        }
      };
    }

    const options: NativeGbdtOptions = {
      nEstimators: p.nEstimators,
      learningRate: p.learningRate,
      growPolicy: p.growPolicy,
      numLeaves: p.numLeaves,
      maxDepth: p.maxDepth,
      lambda: p.lambda,
      alpha: p.alpha,
      minChildWeight: p.minChildWeight,
      minChildSamples: p.minChildSamples,
      minSplitGain: p.minSplitGain,
      maxDeltaStep: p.maxDeltaStep,
      subsample: p.subsample,
      colsampleBytree: p.colsampleBytree,
      colsampleBynode: p.colsampleBynode,
      quantizedGradients: p.quantizedGradients,
      histogramPoolSize: p.histogramPoolSize,
      seed: p.seed,
      nThreads: p.nThreads,
      earlyStoppingRounds: p.earlyStoppingRounds,
      objective: target.objective,
      numClass: target.numClass,
      huberDelta: (resolved as { huberDelta?: number }).huberDelta ?? 0.9,
      quantileAlpha: (resolved as { quantileAlpha?: number }).quantileAlpha ?? 0.9,
      boostFromAverage: p.boostFromAverage,
      customNumOutputs: target.customOutputs,
      customTransform: target.customTransform,
      metrics: metrics.names,
      verbose: resolveVerbose(p.verbose, owner),
      maxBins: p.maxBins,
      categoricalFeatures: categorical,
      monotoneConstraints: monotone,
      interactionConstraints: interactions,
      maxCatToOnehot: p.maxCatToOnehot,
      maxCatThreshold: p.maxCatThreshold,
      catSmooth: p.catSmooth,
      catL2: p.catL2,
      minDataPerGroup: p.minDataPerGroup,
    };
    if (p.baseScore !== null && p.baseScore !== undefined) options.baseMargin = this.baseMargin(p.baseScore, target.objective);
    if (metrics.custom) {
      options.customMetricName = metrics.custom.name;
      options.customMetricHigherBetter = metrics.custom.higherIsBetter === true;
    }
    const prepared: PreparedFit = { X: Xn, nFeatures: cols, y: target.y, weights, options, evalSets, callbacks, callbackError };
    if (target.classes) prepared.classes = target.classes;
    return prepared;
  }

  protected finish(job: PreparedFit, model: NativeGbdtModel): void {
    const evalsResult: Record<string, Record<string, number[]>> = {};
    for (const h of model.history()) {
      (evalsResult[h.set] ??= {})[h.metric] = Array.from(h.values);
    }
    this.state_ = { nFeatures: job.nFeatures, model, evalsResult };
    if (job.classes) this.state_.classes = job.classes;
    this.markFitted();
  }

  /** Fits off the event loop (the Promise settles when done); cancellable with `signal`, progress per round. */
  async fit(X: MatrixInput | Dataset, y?: LabelInput, opts: GradientBoostingFitOptions = {}): Promise<this> {
    // No JS-side copy of X or the eval sets: the native job takes its own (in huge pages, much
    // cheaper) and drops each as soon as it is binned.
    const job = this.prepare(X, y, opts);
    let model: NativeGbdtModel;
    try {
      model = await runJob((token, onProgress) => native.gbdt.fit(job.X, job.y, job.weights, job.options, job.evalSets, job.callbacks, token, onProgress), opts);
    } catch (error) {
      if (job.callbackError.error !== undefined) throw job.callbackError.error;
      throw error;
    }
    this.finish(job, model);
    return this;
  }

  /** Fits on the calling thread (blocks the event loop; for scripts and workers). */
  fitSync(X: MatrixInput | Dataset, y?: LabelInput, opts: Omit<GradientBoostingFitOptions, 'signal' | 'onProgress'> = {}): this {
    const job = this.prepare(X, y, opts);
    let model: NativeGbdtModel;
    try {
      model = native.gbdt.fitSync(job.X, job.y, job.weights, job.options, job.evalSets, job.callbacks);
    } catch (error) {
      if (job.callbackError.error !== undefined) throw job.callbackError.error;
      throw error;
    }
    this.finish(job, model);
    return this;
  }

  protected fitted(what: string): GbdtState {
    this.assertFitted(what);
    return this.state_!;
  }

  /** Trees to use for `numIteration` rounds (-1: all kept trees). */
  protected treeEnd(s: GbdtState, numIteration: number | undefined): number {
    if (numIteration === undefined) return -1;
    if (!Number.isInteger(numIteration) || numIteration < 1) throw new InvalidParameterError(`Expected a positive integer for numIteration but received ${numIteration}`, 'numIteration');
    const info = s.model.info();
    return Math.min(numIteration, info.numRounds) * info.numOutputs;
  }

  /** Trees [begin, end) for `numIteration` / `iterationRange` (end -1: all kept trees). */
  protected treeRange(s: GbdtState, opts: GbdtPredictOptions): [number, number] {
    const r = opts.iterationRange;
    if (r === undefined) return [0, this.treeEnd(s, opts.numIteration)];
    if (opts.numIteration !== undefined) throw new InvalidParameterError('Expected numIteration or iterationRange, not both', 'iterationRange');
    if (!Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1])) {
      throw new InvalidParameterError(`Expected [start, end) integers for iterationRange but received ${JSON.stringify(r)}`, 'iterationRange');
    }
    const info = s.model.info();
    const end = r[1] === 0 ? info.numRounds : Math.min(r[1], info.numRounds);
    if (r[0] < 0 || r[0] >= end) {
      throw new InvalidParameterError(`Expected 0 <= start < end for iterationRange over ${info.numRounds} rounds but received ${JSON.stringify(r)}`, 'iterationRange');
    }
    return [r[0] * info.numOutputs, end * info.numOutputs];
  }

  protected run(X: MatrixInput, what: string, raw: boolean, opts: GbdtPredictOptions = {}): Matrix {
    const s = this.fitted(what);
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const [begin, end] = this.treeRange(s, opts);
    const out = begin === 0
      ? s.model.predict(m.data, m.rows, m.cols, this.threads(), end, raw)
      : s.model.predictRange(m.data, m.rows, m.cols, this.threads(), begin, end, raw);
    return new Matrix(out, m.rows, s.model.info().numOutputs);
  }

  /**
   * Exact TreeSHAP feature contributions (path-dependent, Lundberg et al. 2018), `rows x
   * (outputs * (nFeatures + 1))`: per row, for each output (one for regression and binary models,
   * one per class otherwise) the contribution of every feature then the bias (the expected raw
   * margin), as XGBoost's `pred_contribs` / LightGBM's `pred_contrib` lay them out. Per row and output
   * they sum to {@link predictRaw} over the same rounds. Missing values and categorical features
   * follow the prediction's own routing.
   */
  predictContrib(X: MatrixInput, opts: GbdtPredictOptions = {}): Matrix {
    const s = this.fitted('predictContrib()');
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const [begin, end] = this.treeRange(s, opts);
    const out = s.model.predictContrib(m.data, m.rows, m.cols, this.threads(), begin, end);
    return new Matrix(out, m.rows, s.model.info().numOutputs * (s.nFeatures + 1));
  }

  /**
   * The leaf each tree sends each row to, `rows x trees` (trees in model order: round-major, one per
   * output per round). Leaf ids are node ids within each tree: for an imported XGBoost model with
   * numerical splits XGBoost's own node ids (its `pred_leaf`); otherwise the tree's creation-order
   * numbering (root 0, the two children of a split consecutive; for imported LightGBM models and
   * XGBoost trees with categorical splits, the importer's breadth-first order).
   */
  predictLeaf(X: MatrixInput, opts: GbdtPredictOptions = {}): LeafIndices {
    const s = this.fitted('predictLeaf()');
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const [begin, end] = this.treeRange(s, opts);
    const data = s.model.predictLeaf(m.data, m.rows, m.cols, this.threads(), begin, end);
    return { data, rows: m.rows, cols: m.rows === 0 ? 0 : data.length / m.rows };
  }

  /** {@link run} off the event loop (the libuv pool), with AbortSignal and progress. */
  protected async runAsync(X: MatrixInput, what: string, raw: boolean, opts: GbdtPredictOptions & JobOptions): Promise<Matrix> {
    const s = this.fitted(what);
    const [begin, end] = this.treeRange(s, opts);
    // A range that starts past round 0 has no async native path: it runs here (synchronously).
    if (begin > 0) return this.run(X, what, raw, opts);
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures, copy: true });
    const out = await runJob((job, onProgress) => s.model.predictAsync(m.data, m.rows, m.cols, this.threads(), end, raw, job, onProgress), opts);
    return new Matrix(out, m.rows, s.model.info().numOutputs);
  }

  readonly #single = new SingleRow();

  /**
   * One row, synchronously, on the calling thread: no thread pool, no Promise, and no allocation
   * beyond the returned number when `row` is a Float64Array / Float32Array of nFeaturesIn values
   * (a plain array is copied into a reused scratch row). Returns the prediction of a one-output model
   * (the value for a regressor, the positive-class probability for a binary classifier); a
   * multi-output model (multiclass) writes its outputs (class probabilities) into `out` and returns it.
   */
  predictOne(row: RowInput): number;
  predictOne(row: RowInput, out: Float64Array): Float64Array;
  predictOne(row: RowInput, out?: Float64Array): number | Float64Array {
    return this.one(row, out, false);
  }

  /** {@link predictOne} before the link function: the raw margin(s). */
  predictOneRaw(row: RowInput): number;
  predictOneRaw(row: RowInput, out: Float64Array): Float64Array;
  predictOneRaw(row: RowInput, out?: Float64Array): number | Float64Array {
    return this.one(row, out, true);
  }

  private one(row: RowInput, out: Float64Array | undefined, raw: boolean): number | Float64Array {
    const s = this.state_;
    if (s === undefined || !this.isFitted) throw new NotFittedError(`${this.name} is not fitted yet: call fit() before predictOne()`);
    return this.#single.predict(s.model, s.nFeatures, row, out, raw);
  }

  /**
   * The compact binary form (format documented in native/core/io/model_io.h): a small JSON header
   * (type, params, classes, feature names) and the checksummed native model. Reload with
   * {@link gradientBoostingFromBuffer} or lib/io's `loadModel`. `save(path)` writes it. An unfitted
   * estimator (parameters only) has no native model: it writes the generic form, which `loadModel` reads.
   */
  override toBuffer(): Buffer {
    if (!this.isFitted) return super.toBuffer();
    const s = this.fitted('toBuffer()');
    const header = Buffer.from(
      JSON.stringify({
        type: this.name,
        version: (this.constructor as unknown as { stateVersion: number }).stateVersion,
        params: this.params_,
        state: { nFeatures: s.nFeatures, classes: s.classes, featureNames: s.featureNames, evalsResult: s.evalsResult },
      }),
      'utf8',
    );
    const blob = s.model.toBuffer();
    const out = Buffer.allocUnsafe(12 + header.length + blob.length);
    out.write(containerMagic, 0, 'latin1');
    out.writeUInt32LE(containerVersion, 4);
    out.writeUInt32LE(header.length, 8);
    header.copy(out, 12);
    out.set(blob, 12 + header.length);
    return out;
  }

  /** Raw margins (before the link function), `rows x outputs`; `numIteration` limits the rounds used. */
  predictRaw(X: MatrixInput, opts: GbdtPredictOptions = {}): Matrix {
    return this.run(X, 'predictRaw()', true, opts);
  }

  /**
   * Feature importances: `'split'` (number of splits on each feature, LightGBM's default) or
   * `'gain'` (total loss reduction of those splits), over the trees kept.
   */
  featureImportances(type: 'split' | 'gain' = 'split'): Float64Array {
    const s = this.fitted('featureImportances()');
    if (type !== 'split' && type !== 'gain') throw new InvalidParameterError(`Expected 'split' or 'gain' for the importance type but received ${JSON.stringify(type)}`, 'type');
    return s.model.importance(type);
  }

  /** The 0-based round that scored best on the first eval set under early stopping; otherwise the last round. */
  get bestIteration(): number {
    return this.fitted('reading bestIteration').model.info().bestIteration;
  }

  /** Rounds kept in the model (after an early stop: bestIteration + 1). */
  get nEstimatorsFitted(): number {
    return this.fitted('reading nEstimatorsFitted').model.info().numRounds;
  }

  /** Per eval set and metric, the value after every round trained: `{ validation_0: { logloss: [...] } }`. */
  get evalsResult(): Record<string, Record<string, number[]>> {
    const r = this.fitted('reading evalsResult').evalsResult;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([m, a]) => [m, a.slice()]))]));
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.fitted('reading nFeaturesIn').nFeatures;
  }

  /**
   * @internal Makes this estimator the holder of an already built native model (the importers in
   * lib/io and the binary loader use it); `classes` for a classifier.
   */
  adoptModel(model: NativeGbdtModel, nFeatures: number, classes?: number[] | string[], featureNames?: string[]): this {
    this.state_ = { nFeatures, model, evalsResult: {} };
    if (classes) this.state_.classes = classes;
    if (featureNames && featureNames.length > 0) this.state_.featureNames = featureNames.slice();
    this.markFitted();
    return this;
  }

  /** Column names of an imported model (empty when the model had none). */
  get featureNames(): string[] {
    return this.fitted('reading featureNames').featureNames?.slice() ?? [];
  }

  /** The trees as node arrays (for inspection and export). */
  trees(): NativeGbdtTrees {
    return this.fitted('trees()').model.exportTrees();
  }

  /**
   * The model as the text of an XGBoost JSON model file, in the schema XGBoost 1.7 writes with
   * `save_model('m.json')`: `writeFileSync('m.json', model.toXGBoostJSON())`, then
   * `xgboost.Booster(model_file='m.json')` predicts what this model predicts (XGBoost computes in
   * float32: equal to about 1e-7 relative; splits route identically for float32-valued inputs and
   * NaN). Objectives: binary:logistic, multi:softprob, reg:squarederror, reg:absoluteerror,
   * count:poisson (and reg:logistic for imported models); Huber, quantile and custom objectives
   * throw InvalidInputError. Categorical splits are written as XGBoost categorical splits
   * (categorical columns must hold integer ids). lib/io/xgboost-export.ts details each convention.
   * `importXGBoost` reads the text back to the same predictions.
   */
  toXGBoostJSON(): string {
    const s = this.fitted('toXGBoostJSON()');
    return toXGBoostText({
      name: this.name,
      classifier: s.classes !== undefined,
      objective: this.getParams(false).objective,
      featureNames: s.featureNames ?? [],
      model: s.model,
    });
  }

  protected threads(): number {
    const n = (this.params_ as GradientBoostingOptions).nThreads;
    return typeof n === 'number' && Number.isInteger(n) ? n : 0;
  }

  protected stateToJSON(): unknown {
    const s = this.state_!;
    const info = s.model.info();
    const t = s.model.exportTrees();
    const out: Record<string, unknown> = {
      nFeatures: s.nFeatures,
      numOutputs: info.numOutputs,
      baseScore: Array.from(info.baseScore),
      transform: info.transform,
      bestIteration: info.bestIteration,
      evalsResult: s.evalsResult,
      trees: {
        nodeCounts: Array.from(t.nodeCounts),
        left: Array.from(t.left),
        right: Array.from(t.right),
        feature: Array.from(t.feature),
        // +Infinity: the trainer's split of NaN from every value (not a JSON number).
        threshold: encodeNumbers(t.threshold),
        thresholdBin: Array.from(t.thresholdBin),
        defaultLeft: Array.from(t.defaultLeft),
        splitType: Array.from(t.splitType),
        // Imported reading rules; written only when some node has one (trained models never do).
        ...(t.missingRule?.some((v) => v !== 0) || t.categoryRule?.some((v) => v !== 0)
          ? { missingRule: Array.from(t.missingRule!), categoryRule: Array.from(t.categoryRule!) }
          : {}),
        categorySet: Array.from(t.categorySet),
        value: Array.from(t.value),
        gain: Array.from(t.gain),
        sumHess: Array.from(t.sumHess),
        count: Array.from(t.count),
        categorySets: t.categorySets.map((c) => ({ categories: Array.from(c.categories), bins: Array.from(c.bins) })),
      },
    };
    if (s.classes) out.classes = s.classes;
    if (s.featureNames) out.featureNames = s.featureNames;
    return out;
  }

  /**
   * Restores the state written by {@link stateToJSON}. Everything is validated before the native
   * model is built (lib/tree/tree-state.ts: every node value, the array lengths against nodeCounts,
   * the tree structure); any defect throws ModelFormatError.
   */
  protected stateFromJSON(state: unknown): void {
    const bad = (what: string) => new ModelFormatError(`Invalid ${this.name} state: ${what}`);
    const s = readObject(state, 'the state', bad);
    const nFeatures = readInt(s.nFeatures, 'nFeatures', 1, maxModelFeatures, bad);
    const numOutputs = readInt(s.numOutputs, 'numOutputs', 1, 2 ** 31 - 1, bad);
    const transform = s.transform;
    if (transform !== 'identity' && transform !== 'sigmoid' && transform !== 'softmax' && transform !== 'exp') {
      throw bad(`expected 'identity', 'sigmoid', 'softmax' or 'exp' for transform but received ${received(transform)}`);
    }
    const baseScore = readFinite(s.baseScore, 'baseScore', undefined, bad);
    if (baseScore.length !== numOutputs) throw bad(`expected ${numOutputs} values in baseScore (one per output) but received ${baseScore.length}`);
    // -1: the last round (models written before early stopping kept it may lack the field).
    const bestIteration = s.bestIteration === undefined ? -1 : readInt(s.bestIteration, 'bestIteration', -1, 2 ** 31 - 1, bad);
    const trees = readGbdtTrees(s.trees, nFeatures, bad);
    if (trees.nodeCounts.length % numOutputs !== 0) {
      throw bad(`expected a multiple of ${numOutputs} trees (one per output per round) in trees.nodeCounts but received ${trees.nodeCounts.length}`);
    }
    const evalsResult = readEvalsResult(s.evalsResult, bad);
    let classes: number[] | string[] | undefined;
    if (isClassifier(this)) classes = readClasses(s.classes, 'classes', bad);
    else if (s.classes !== undefined) throw bad(`expected no classes for a regressor but received ${received(s.classes)}`);
    let featureNames: string[] | undefined;
    if (s.featureNames !== undefined) {
      if (!Array.isArray(s.featureNames) || !s.featureNames.every((n) => typeof n === 'string') || (s.featureNames.length !== 0 && s.featureNames.length !== nFeatures)) {
        throw bad(`featureNames must be ${nFeatures} strings`);
      }
      featureNames = s.featureNames as string[];
    }
    const shape = outputShapeError(numOutputs, transform, classes?.length);
    if (shape) throw bad(shape);
    const model = native.gbdt.modelFromTrees({ numFeatures: nFeatures, numOutputs, baseScore, transform, bestIteration, ...trees });
    this.state_ = { nFeatures, model, evalsResult };
    if (classes) this.state_.classes = classes;
    if (featureNames) this.state_.featureNames = featureNames;
  }
}

/**
 * Why a model's outputs and link cannot belong to its estimator kind (`classes` given: a classifier
 * with that many classes), or undefined when they can. A classifier has one output and a sigmoid
 * (two classes), or one output per class with a softmax or per-class sigmoids (LightGBM's OvA; also
 * two classes, as XGBoost's multi:softprob with num_class 2). A regressor's outputs (several for an
 * imported custom objective) are not a softmax, which only classification has.
 */
export function outputShapeError(numOutputs: number, transform: string, classes: number | undefined): string | undefined {
  if (classes === undefined) return transform === 'softmax' ? `a regressor cannot have the softmax transform (${numOutputs} outputs)` : undefined;
  if (numOutputs === 1) return classes === 2 && transform === 'sigmoid' ? undefined : `1 output with transform '${transform}' for ${classes} classes (expected 2 classes and 'sigmoid')`;
  if (numOutputs !== classes) return `${numOutputs} outputs for ${classes} classes`;
  return transform === 'softmax' || transform === 'sigmoid' ? undefined : `transform '${transform}' for ${classes} class outputs (expected 'softmax' or 'sigmoid')`;
}

/**
 * `evalsResult` of a JSON state: `{ set: { metric: values } }`. A NaN metric value was written as
 * null (JSON has no NaN) and is read back as NaN; anything else must be a number.
 */
function readEvalsResult(v: unknown, bad: (what: string) => Error): GbdtState['evalsResult'] {
  if (v === undefined) return {};
  const out: GbdtState['evalsResult'] = {};
  for (const [set, metrics] of Object.entries(readObject(v, 'evalsResult', bad))) {
    const perMetric: Record<string, number[]> = {};
    // defineProperty: a set or metric named "__proto__" stays an own entry, as JSON.parse made it.
    Object.defineProperty(out, set, { value: perMetric, enumerable: true, writable: true, configurable: true });
    for (const [metric, values] of Object.entries(readObject(metrics, `evalsResult.${set}`, bad))) {
      if (!Array.isArray(values)) throw bad(`expected an array of numbers for evalsResult.${set}.${metric} but received ${received(values)}`);
      const read = values.map((x: unknown, i) => {
        if (x === null) return NaN;
        if (typeof x !== 'number') throw bad(`expected a number for evalsResult.${set}.${metric}[${i}] but received ${received(x)}`);
        return x;
      });
      Object.defineProperty(perMetric, metric, { value: read, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/**
 * Gradient-boosted trees for classification: binary log-loss for two classes, softmax (one tree
 * per class per round) for more. Labels may be numbers or strings; `classes` keeps them sorted and
 * `predictProba` follows that order.
 */
export class GradientBoostingClassifier extends BaseGradientBoosting<GradientBoostingClassifierOptions> implements Classifier {
  static readonly params: ParamTable = [
    ...commonParams,
    { name: 'objective', type: 'any', default: 'auto', doc: "'auto' (binary or softmax by the number of classes) or a custom loss function." },
    { name: 'classWeight', type: 'any', default: null, nullable: true, doc: "null, 'balanced' or { label: weight }, multiplied into the sample weights." },
  ];

  constructor(options: GradientBoostingClassifierOptions = {}) {
    super(options);
  }

  protected encodeTarget(y: LabelInput | undefined, rows: number, p: Required<GradientBoostingClassifierOptions>) {
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs labels y`);
    const { classes, indices } = encodeClasses(toLabels(y, rows));
    if (classes.length < 2) throw new InvalidInputError(`Expected at least 2 classes in y for ${this.name} but received only ${JSON.stringify(classes[0])}`);
    if (p.objective !== 'auto' && typeof p.objective !== 'function') {
      throw new InvalidParameterError(`Expected 'auto' or a function for ${this.name} parameter 'objective' but received ${JSON.stringify(p.objective)}`, 'objective');
    }
    const k = classes.length;
    const custom = typeof p.objective === 'function';
    return {
      y: Float64Array.from(indices),
      classes,
      classIndices: indices,
      objective: custom ? 'custom' : k === 2 ? 'binary' : 'multiclass',
      numClass: k,
      customOutputs: k === 2 ? 1 : k,
      customTransform: (k === 2 ? 'sigmoid' : 'softmax') as NativeTransform,
    };
  }

  protected encodeEvalTarget(y: LabelInput, rows: number, classes: number[] | string[] | undefined, name: string): Float64Array {
    const labels = toLabels(y, rows, name);
    const known = classes!;
    const index = new Map<number | string, number>((known as (number | string)[]).map((c, i) => [c, i]));
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = labels.values[i]!;
      const c = index.get(v);
      if (c === undefined) throw new InvalidInputError(`${name}[${i}] is ${JSON.stringify(v)}, a class not seen in the training labels ${JSON.stringify(known)}`);
      out[i] = c;
    }
    return out;
  }

  protected override classWeights(p: Required<GradientBoostingClassifierOptions>, classes: number[] | string[] | undefined, indices: Int32Array | undefined): Float64Array | undefined {
    return classWeightFactors(p.classWeight, classes!, indices!, this.name);
  }

  /** Class probabilities, `rows x classes.length`, columns in `classes` order. */
  predictProba(X: MatrixInput, opts: GbdtPredictOptions = {}): Matrix {
    return probaColumns(this.run(X, 'predictProba()', false, opts));
  }

  /** {@link predictProba} off the event loop. */
  async predictProbaAsync(X: MatrixInput, opts: GbdtPredictOptions & JobOptions = {}): Promise<Matrix> {
    return probaColumns(await this.runAsync(X, 'predictProbaAsync()', false, opts));
  }

  /** {@link predict} off the event loop (worth it for large inputs). */
  async predictAsync(X: MatrixInput, opts: GbdtPredictOptions & JobOptions = {}): Promise<Float64Array | string[]> {
    // The classes of the model that predicts: a refit while the job runs must not relabel its scores.
    const classes = this.fitted('predictAsync()').classes!;
    return classesFromScores(await this.runAsync(X, 'predictAsync()', true, opts), classes);
  }

  /** The most probable class per row (ties: the first in `classes` order). */
  predict(X: MatrixInput, opts: GbdtPredictOptions = {}): Float64Array | string[] {
    return this.labelsOf(this.run(X, 'predict()', true, opts));
  }

  private labelsOf(z: Matrix): Float64Array | string[] {
    return classesFromScores(z, this.state_!.classes!);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }

  /** Sorted distinct labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  protected override stateFromJSON(state: unknown): void {
    super.stateFromJSON(state);
    const c = this.state_!.classes;
    if (!Array.isArray(c) || c.length < 2) throw new ModelFormatError(`Invalid ${this.name} state: classes must list at least 2 labels`);
  }
}

/** Gradient-boosted trees for regression. */
export class GradientBoostingRegressor extends BaseGradientBoosting<GradientBoostingRegressorOptions> implements Regressor {
  static readonly params: ParamTable = [
    ...commonParams,
    { name: 'objective', type: 'any', default: 'squared_error', doc: "'squared_error', 'absolute_error', 'huber', 'quantile', 'poisson', or a custom loss function." },
    { name: 'huberDelta', type: 'number', default: 0.9, gt: 0, doc: 'Huber: where the loss turns linear.' },
    { name: 'quantileAlpha', type: 'number', default: 0.9, gt: 0, max: 0.999999, doc: 'Quantile: the quantile fitted.' },
  ];

  constructor(options: GradientBoostingRegressorOptions = {}) {
    super(options);
  }

  protected encodeTarget(y: LabelInput | undefined, rows: number, p: Required<GradientBoostingRegressorOptions>) {
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs targets y`);
    const labels = toLabels(y, rows);
    if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${this.name}`);
    const objectives = ['squared_error', 'absolute_error', 'huber', 'quantile', 'poisson'];
    const custom = typeof p.objective === 'function';
    if (!custom && !objectives.includes(p.objective as string)) {
      throw new InvalidParameterError(
        `Expected one of ${objectives.map((o) => JSON.stringify(o)).join(', ')} or a function for ${this.name} parameter 'objective' but received ${JSON.stringify(p.objective)}`,
        'objective',
      );
    }
    return { y: labels.values, objective: custom ? 'custom' : (p.objective as string), numClass: 1, customOutputs: 1, customTransform: 'identity' as NativeTransform };
  }

  protected encodeEvalTarget(y: LabelInput, rows: number, _classes: unknown, name: string): Float64Array {
    const labels = toLabels(y, rows, name);
    if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in ${name}`);
    return labels.values;
  }

  /** Predicted values (for 'poisson', the mean: exp of the margin). */
  predict(X: MatrixInput, opts: GbdtPredictOptions = {}): Float64Array {
    return this.run(X, 'predict()', false, opts).data;
  }

  /** {@link predict} off the event loop (worth it for large inputs). */
  async predictAsync(X: MatrixInput, opts: GbdtPredictOptions & JobOptions = {}): Promise<Float64Array> {
    return (await this.runAsync(X, 'predictAsync()', false, opts)).data;
  }

  /** R² on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return r2Score(y, this.predict(X));
  }
}

const containerMagic = 'EKIT';
const containerVersion = 1;

/** True when `bytes` starts like a {@link BaseGradientBoosting.toBuffer} container. */
export function isModelBuffer(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x45 && bytes[1] === 0x4b && bytes[2] === 0x49 && bytes[3] === 0x54;
}

/**
 * Rebuilds a GradientBoostingClassifier / GradientBoostingRegressor from its `toBuffer()` bytes.
 * Everything is validated (header, JSON, the native model's structure and checksum); any defect
 * throws ModelFormatError.
 */
export function gradientBoostingFromBuffer(bytes: Uint8Array): GradientBoostingClassifier | GradientBoostingRegressor {
  const bad = (what: string): never => {
    throw new ModelFormatError(`Invalid model buffer: ${what}`);
  };
  if (!(bytes instanceof Uint8Array)) bad('expected a Buffer or Uint8Array');
  if (!isModelBuffer(bytes)) bad('not an ensemblekit model (bad magic)');
  if (bytes.length < 12) bad('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== containerVersion) bad(`unsupported container version ${version} (this build reads ${containerVersion})`);
  const headerBytes = view.getUint32(8, true);
  if (headerBytes > bytes.length - 12) bad(`the header declares ${headerBytes} bytes but only ${bytes.length - 12} follow`);
  let header: { type?: unknown; version?: unknown; params?: unknown; state?: Record<string, unknown> };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerBytes)));
  } catch (e) {
    return bad(`unreadable header (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object') bad('the header is not an object');
  const Cls = header.type === 'GradientBoostingClassifier' ? GradientBoostingClassifier : header.type === 'GradientBoostingRegressor' ? GradientBoostingRegressor : undefined;
  if (Cls === undefined) return bad(`unknown model type ${JSON.stringify(header.type)}`);
  checkStateVersion(header.version, (Cls as unknown as { stateVersion: number }).stateVersion, 'Invalid model buffer');
  if (header.params === null || typeof header.params !== 'object' || Array.isArray(header.params)) bad('params must be an object');
  const st = header.state;
  if (st === null || typeof st !== 'object') bad('state must be an object');
  const model = native.gbdt.modelFromBuffer(bytes.subarray(12 + headerBytes));
  const info = model.info();
  if (st!.nFeatures !== info.numFeatures) bad(`the header says ${String(st!.nFeatures)} features, the model ${info.numFeatures}`);
  const names = st!.featureNames;
  if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string') || names.length !== info.numFeatures)) bad('featureNames must list one string per feature');
  let classes: number[] | string[] | undefined;
  if (Cls === GradientBoostingClassifier) {
    const c = st!.classes;
    if (!Array.isArray(c) || c.length < 2 || !(c.every((x) => typeof x === 'number') || c.every((x) => typeof x === 'string'))) bad('classes must list at least 2 labels');
    classes = c as number[] | string[];
    const shape = outputShapeError(info.numOutputs, info.transform, classes.length);
    if (shape) bad(shape);
  } else if (st!.classes !== undefined) {
    bad('a regressor has no classes');
  } else {
    const shape = outputShapeError(info.numOutputs, info.transform, undefined);
    if (shape) bad(shape);
  }
  const est = new Cls(header.params as never).adoptModel(model, info.numFeatures, classes, names as string[] | undefined);
  const evals = st!.evalsResult;
  if (evals !== null && typeof evals === 'object') (est as unknown as { state_: GbdtState }).state_.evalsResult = evals as GbdtState['evalsResult'];
  return est;
}

/** Reads a model written by `save(path)`. */
export function loadGradientBoosting(path: string): GradientBoostingClassifier | GradientBoostingRegressor {
  return gradientBoostingFromBuffer(readFileSync(path));
}

registerEstimator('GradientBoostingClassifier', GradientBoostingClassifier as never);
registerEstimator('GradientBoostingRegressor', GradientBoostingRegressor as never);
