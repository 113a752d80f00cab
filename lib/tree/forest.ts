/**
 * Random forests and extra trees ({@link RandomForestClassifier}, {@link RandomForestRegressor},
 * {@link ExtraTreesClassifier}, {@link ExtraTreesRegressor}), and the machinery they share with the
 * single decision trees of decision-tree.ts. Training runs natively (native/core/forest) on
 * quantile-binned features (exact splits when a feature has at most `maxBins` distinct values), trees
 * in parallel across threads, off the event loop; prediction averages the trees through the compiled
 * forest. Options and semantics are scikit-learn's (1.2) in camelCase; differences are stated where
 * they apply.
 */
import { Dataset } from '../core/dataset.js';
import { BaseEstimator, registerEstimator, type Classifier, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { classesFromScores, encodeClasses, toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamSpec, ParamTable } from '../core/params.js';
import { native, runJob, type JobOptions, type NativeDataset, type NativeForestModel, type NativeForestOptions, type NativeForestTrees, type NativeMatrixArg } from '../native.js';
import { classWeightFactors, combineWeights, toSampleWeight, type ClassWeight } from '../linear/weights.js';
import { accuracyScore } from '../metrics/classification.js';
import { r2Score } from '../metrics/regression.js';
import type { LeafIndices } from './gradient-boosting.js';
import { SingleRow, type RowInput } from './single-row.js';
import { maxModelClasses, maxModelFeatures, readClasses, readForestTrees, readInt, readObject, received } from './tree-state.js';

/**
 * Candidate features per split: 'sqrt' (floor(sqrt(n)), at least 1), 'log2' (floor(log2(n)), at
 * least 1), a fraction in (0, 1] of the features (floor(f * n), at least 1; 1 means all), an integer
 * count >= 2, or null (all). Unlike scikit-learn, the number 1 is the fraction 1.0 (all features):
 * JavaScript has one number type; pass e.g. 1e-9 for a single feature.
 */
export type MaxFeatures = 'sqrt' | 'log2' | number | null;

/** Options of every tree model here (decision trees, random forests, extra trees). */
export interface TreeOptions {
  /** Deepest a leaf may be (root = 0); null: unlimited. Default null. */
  maxDepth?: number | null;
  /** Fewest rows a node needs to be split. Default 2. */
  minSamplesSplit?: number;
  /** Fewest rows in each child. Default 1. */
  minSamplesLeaf?: number;
  /** Most leaves; when set, the tree grows best-first (largest impurity decrease first). Default null. */
  maxLeafNodes?: number | null;
  /** Candidate features per split (see {@link MaxFeatures}). */
  maxFeatures?: MaxFeatures;
  /** A node splits only when the weighted impurity decrease (scikit-learn's formula) is at least this. Default 0. */
  minImpurityDecrease?: number;
  /** Value bins per feature (2..255); features with at most this many distinct values split exactly. Default 255. Ignored for a Dataset. */
  maxBins?: number;
  /** Seed of every random draw (bootstrap, features, thresholds, binning sample). Default 0. */
  seed?: number;
  /** Threads; <= 0 means all cores. Never changes the model. Default 0. */
  nThreads?: number;
}

/** Options of the ensembles of trees. */
export interface ForestOptions extends TreeOptions {
  /** Number of trees. Default 100. */
  nEstimators?: number;
  /** Train each tree on a bootstrap sample (rows drawn with replacement). */
  bootstrap?: boolean;
  /** Rows drawn per bootstrap sample: a fraction in (0, 1] of the rows, an integer count >= 2, or null (all rows). Default null. */
  maxSamples?: number | null;
  /** Compute out-of-bag predictions and `oobScore_` (accuracy or R²). Needs bootstrap. Default false. */
  oobScore?: boolean;
}

/** Classifier-only options. */
export interface TreeClassifierOptions {
  /** 'gini' (default), 'entropy' or 'log_loss' (same as entropy). */
  criterion?: 'gini' | 'entropy' | 'log_loss';
  /** Class weights multiplied into the sample weights: null, 'balanced' or `{ [label]: weight }`. */
  classWeight?: ClassWeight;
}

/** Regressor-only options. */
export interface TreeRegressorOptions {
  /** 'squared_error' (default; leaves predict the mean) or 'absolute_error' (leaves predict the weighted median). */
  criterion?: 'squared_error' | 'absolute_error';
}

export interface RandomForestClassifierOptions extends ForestOptions, TreeClassifierOptions {}
export interface RandomForestRegressorOptions extends ForestOptions, TreeRegressorOptions {}
export interface ExtraTreesClassifierOptions extends ForestOptions, TreeClassifierOptions {}
export interface ExtraTreesRegressorOptions extends ForestOptions, TreeRegressorOptions {}

function isMaxFeatures(v: unknown): boolean {
  return v === null || v === 'sqrt' || v === 'log2' || (typeof v === 'number' && ((v > 0 && v <= 1) || (Number.isInteger(v) && v >= 2)));
}

/** @internal The parameter rows shared by every tree model. */
export function treeParams(maxFeaturesDefault: MaxFeatures): ParamSpec[] {
  return [
    { name: 'maxDepth', type: 'int', default: null, min: 1, nullable: true, doc: 'Deepest leaf (root = 0); null: unlimited.' },
    { name: 'minSamplesSplit', type: 'int', default: 2, min: 2, doc: 'Fewest rows a node needs to be split.' },
    { name: 'minSamplesLeaf', type: 'int', default: 1, min: 1, doc: 'Fewest rows in each child.' },
    { name: 'maxLeafNodes', type: 'int', default: null, min: 2, nullable: true, doc: 'Most leaves (best-first growth); null: unlimited.' },
    { name: 'maxFeatures', type: 'any', default: maxFeaturesDefault, nullable: true, doc: "Features per split: 'sqrt', 'log2', a fraction in (0, 1], a count >= 2, or null (all)." },
    { name: 'minImpurityDecrease', type: 'number', default: 0, min: 0, doc: 'Least weighted impurity decrease for a split.' },
    { name: 'maxBins', type: 'int', default: 255, min: 2, max: 255, doc: 'Value bins per feature (exact splits up to this many distinct values).' },
    { name: 'seed', type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'Seed of every random draw.' },
    { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
  ];
}

/** @internal The parameter rows of the ensembles. */
export function forestParams(bootstrapDefault: boolean): ParamSpec[] {
  return [
    { name: 'nEstimators', type: 'int', default: 100, min: 1, max: 1_000_000, doc: 'Number of trees.' },
    { name: 'bootstrap', type: 'boolean', default: bootstrapDefault, doc: 'Train each tree on a bootstrap sample.' },
    { name: 'maxSamples', type: 'number', default: null, gt: 0, nullable: true, doc: 'Rows per bootstrap sample: a fraction in (0, 1], a count >= 2, or null (all).' },
    { name: 'oobScore', type: 'boolean', default: false, doc: 'Compute out-of-bag predictions and oobScore_.' },
  ];
}

/** @internal */
export const classifierParams: ParamSpec[] = [
  { name: 'criterion', type: 'string', default: 'gini', oneOf: ['gini', 'entropy', 'log_loss'], doc: "Split quality: 'gini' or 'entropy' ('log_loss')." },
  { name: 'classWeight', type: 'any', default: null, nullable: true, doc: "null, 'balanced' or { label: weight }, multiplied into the sample weights." },
];

/** @internal */
export const regressorParams: ParamSpec[] = [
  { name: 'criterion', type: 'string', default: 'squared_error', oneOf: ['squared_error', 'absolute_error'], doc: "Split quality: 'squared_error' (mean leaves) or 'absolute_error' (median leaves)." },
];

/** The resolved feature count for `maxFeatures` (scikit-learn's rules). */
export function resolveMaxFeatures(v: MaxFeatures | undefined, cols: number, owner: string): number {
  if (v === null || v === undefined) return cols;
  if (!isMaxFeatures(v)) {
    throw new InvalidParameterError(`Expected 'sqrt', 'log2', a fraction in (0, 1], an integer >= 2 or null for ${owner} parameter 'maxFeatures' but received ${JSON.stringify(v)}`, 'maxFeatures');
  }
  if (v === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(cols)));
  if (v === 'log2') return Math.max(1, Math.floor(Math.log2(cols)));
  if (v <= 1) return Math.max(1, Math.floor(v * cols));
  if (v > cols) throw new InvalidParameterError(`${owner} parameter 'maxFeatures' is ${v} but X has only ${cols} columns`, 'maxFeatures');
  return v;
}

function resolveMaxSamples(v: number | null | undefined, rows: number, owner: string): number {
  if (v === null || v === undefined) return rows;
  if (v > 0 && v <= 1) return Math.max(1, Math.round(v * rows));
  if (!Number.isInteger(v) || v < 2) {
    throw new InvalidParameterError(`Expected a fraction in (0, 1], an integer >= 2 or null for ${owner} parameter 'maxSamples' but received ${v}`, 'maxSamples');
  }
  if (v > rows) throw new InvalidParameterError(`${owner} parameter 'maxSamples' is ${v} but X has only ${rows} rows`, 'maxSamples');
  return v;
}

interface ForestState {
  nFeatures: number;
  classes?: number[] | string[];
  model: NativeForestModel;
  oobScore?: number;
  oob?: Float64Array;
}

interface PreparedFit {
  X: NativeMatrixArg | NativeDataset;
  nFeatures: number;
  y: Float64Array;
  weights: Float64Array | undefined;
  options: NativeForestOptions;
  classes?: number[] | string[];
  classIndices?: Int32Array;
}

/** @internal Everything a thresholds array holds, made JSON-safe (+/-Infinity are not JSON numbers). Gradient boosting's JSON form uses it too; tree-state.ts reads it back. */
export function encodeNumbers(a: Float64Array): (number | string)[] {
  return Array.from(a, (v) => (Number.isFinite(v) ? v : String(v)));
}

/**
 * @internal The shared machinery of every tree model: option resolution, input coercion, the native
 * fit, prediction, importances, out-of-bag results and the JSON form. Subclasses say whether they
 * classify, and which ensemble settings apply (a decision tree is a forest of one tree without
 * bootstrap).
 */
export abstract class BaseForest<P extends TreeOptions> extends BaseEstimator<P> {
  protected state_: ForestState | undefined;

  protected abstract readonly classification: boolean;
  /** Extra trees (random thresholds) instead of best thresholds. */
  protected readonly extraTrees: boolean = false;

  protected prepare(X: MatrixInput | Dataset, y: LabelInput | undefined, opts: FitOptions): PreparedFit {
    const p = this.resolved() as unknown as Required<ForestOptions & TreeClassifierOptions> & { criterion: string };
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
    if (y === undefined) throw new InvalidInputError(`${owner}.fit needs ${this.classification ? 'labels' : 'targets'} y`);
    const labels = toLabels(y, rows);
    let target: Float64Array;
    let classes: number[] | string[] | undefined;
    let indices: Int32Array | undefined;
    if (this.classification) {
      const enc = encodeClasses(labels);
      classes = enc.classes;
      indices = enc.indices;
      if (classes.length < 2) throw new InvalidInputError(`Expected at least 2 classes in y for ${owner} but received only ${JSON.stringify(classes[0])}`);
      target = new Float64Array(indices);
    } else {
      if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${owner}`);
      target = labels.values;
    }
    const sample = toSampleWeight(opts.sampleWeight, rows);
    const factors = this.classification ? classWeightFactors(p.classWeight, classes!, indices!, owner) : undefined;
    const weights = indices ? combineWeights(sample, factors, indices) : sample;

    const nEstimators = p.nEstimators ?? 1;
    const bootstrap = p.bootstrap ?? false;
    const oob = p.oobScore ?? false;
    if (oob && !bootstrap) throw new InvalidParameterError(`${owner}: oobScore needs bootstrap: true`, 'oobScore');
    if (!bootstrap && p.maxSamples !== null && p.maxSamples !== undefined) {
      throw new InvalidParameterError(`${owner}: maxSamples needs bootstrap: true`, 'maxSamples');
    }
    const options: NativeForestOptions = {
      criterion: (p.criterion === 'log_loss' ? 'entropy' : p.criterion) as NativeForestOptions['criterion'],
      numClasses: classes ? classes.length : 0,
      nEstimators,
      maxDepth: p.maxDepth ?? -1,
      minSamplesSplit: p.minSamplesSplit,
      minSamplesLeaf: p.minSamplesLeaf,
      maxLeafNodes: p.maxLeafNodes ?? 0,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, cols, owner),
      minImpurityDecrease: p.minImpurityDecrease,
      extraTrees: this.extraTrees,
      bootstrap,
      numBootstrap: bootstrap ? resolveMaxSamples(p.maxSamples, rows, owner) : 0,
      oob,
      seed: p.seed,
      nThreads: p.nThreads,
      maxBins: p.maxBins,
    };
    const prepared: PreparedFit = { X: Xn, nFeatures: cols, y: target, weights, options };
    if (classes) {
      prepared.classes = classes;
      prepared.classIndices = indices!;
    }
    return prepared;
  }

  protected finish(job: PreparedFit, model: NativeForestModel): void {
    const state: ForestState = { nFeatures: job.nFeatures, model };
    if (job.classes) state.classes = job.classes;
    const oob = model.oob();
    if (oob) {
      state.oob = oob;
      state.oobScore = this.classification ? oobAccuracy(oob, job.classIndices!, job.classes!.length) : oobR2(oob, job.y);
    }
    this.state_ = state;
    this.markFitted();
  }

  /** Fits off the event loop (the Promise settles when done); cancellable with `signal`, progress per tree. */
  async fit(X: MatrixInput | Dataset, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    // No JS-side copy of X: the native job takes its own (in huge pages, much cheaper).
    const job = this.prepare(X, y, opts);
    const model = await runJob((token, onProgress) => native.forest.fit(job.X, job.y, job.weights, job.options, token, onProgress), opts);
    this.finish(job, model);
    return this;
  }

  /** Fits on the calling thread (blocks the event loop; for scripts and workers). */
  fitSync(X: MatrixInput | Dataset, y?: LabelInput, opts: Omit<FitOptions, 'signal' | 'onProgress'> = {}): this {
    const job = this.prepare(X, y, opts);
    this.finish(job, native.forest.fitSync(job.X, job.y, job.weights, job.options));
    return this;
  }

  protected fitted(what: string): ForestState {
    this.assertFitted(what);
    return this.state_!;
  }

  protected threads(): number {
    const n = (this.params_ as TreeOptions).nThreads;
    return typeof n === 'number' && Number.isInteger(n) ? n : 0;
  }

  /** @internal The fitted trees as node arrays, for meta-estimators that compile their members into one forest (AdaBoostClassifier's votes). */
  nativeTrees(): NativeForestTrees {
    return this.fitted('nativeTrees()').model.exportTrees();
  }

  /** @internal The thread count predictions use (nThreads; 0 = all cores). */
  predictThreads(): number {
    return this.threads();
  }

  /** Native outputs: rows x (1 or classes). */
  protected run(X: MatrixInput, what: string): Matrix {
    const s = this.fitted(what);
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const out = s.model.predict(m.data, m.rows, m.cols, this.threads());
    return new Matrix(out, m.rows, s.model.info().numOutputs);
  }

  /** {@link run} off the event loop (the libuv pool), with AbortSignal and progress. */
  protected async runAsync(X: MatrixInput, what: string, opts: JobOptions): Promise<Matrix> {
    const s = this.fitted(what);
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures, copy: true });
    const out = await runJob((job, onProgress) => s.model.predictAsync(m.data, m.rows, m.cols, this.threads(), -1, false, job, onProgress), opts);
    return new Matrix(out, m.rows, s.model.info().numOutputs);
  }

  readonly #single = new SingleRow();

  /**
   * One row, synchronously, on the calling thread: no thread pool, no Promise, and no allocation
   * beyond the returned number when `row` is a Float64Array / Float32Array of nFeaturesIn values
   * (a plain array is copied into a reused scratch row). Returns the forest's output for a
   * one-output model (the mean for a regressor, P(class 1) for two classes); with more classes it
   * writes the class probabilities into `out` and returns it.
   */
  predictOne(row: RowInput): number;
  predictOne(row: RowInput, out: Float64Array): Float64Array;
  predictOne(row: RowInput, out?: Float64Array): number | Float64Array {
    const s = this.fitted('predictOne()');
    return this.#single.predict(s.model, s.nFeatures, row, out, false);
  }

  /**
   * Exact TreeSHAP feature contributions (path-dependent, Lundberg et al. 2018) of the forest's
   * output, `rows x (outputs * (nFeatures + 1))`: per row, for each output (the prediction for
   * regression, P(class 1) for two classes, each class probability otherwise) the contribution of
   * every feature then the bias (the expected output). The trees' contributions are averaged as
   * their predictions are, so per row and output they sum to the forest's prediction. Node covers
   * are the training sample weights (bootstrap counts included).
   */
  predictContrib(X: MatrixInput): Matrix {
    const s = this.fitted('predictContrib()');
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const out = s.model.predictContrib(m.data, m.rows, m.cols, this.threads(), 0, -1);
    return new Matrix(out, m.rows, s.model.info().numOutputs * (s.nFeatures + 1));
  }

  /**
   * The leaf each tree sends each row to, `rows x nTrees`: the leaf's node id in its tree (the
   * tree's creation order: root 0, the two children of a split consecutive; the ids of
   * {@link trees}).
   */
  predictLeaf(X: MatrixInput): LeafIndices {
    const s = this.fitted('predictLeaf()');
    const m: MatrixLike = toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
    const all = s.model.predictLeaf(m.data, m.rows, m.cols, this.threads(), 0, -1);
    const trees = s.model.info().numTrees;
    const compiled = m.rows === 0 ? trees : all.length / m.rows;
    if (compiled === trees) return { data: all, rows: m.rows, cols: trees };
    // K > 2 classes: every tree is compiled once per class (same structure); keep the first copy.
    const k = compiled / trees;
    const data = new Int32Array(m.rows * trees);
    for (let r = 0; r < m.rows; r++) for (let t = 0; t < trees; t++) data[r * trees + t] = all[r * compiled + t * k]!;
    return { data, rows: m.rows, cols: trees };
  }

  /**
   * Impurity-based feature importances (scikit-learn's `feature_importances_`): per tree the
   * weighted impurity decrease of the splits on each feature, normalised to sum 1; averaged over the
   * trees that split at all and normalised again. All zero when no tree splits.
   */
  get featureImportances(): Float64Array {
    return this.fitted('reading featureImportances').model.importance();
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.fitted('reading nFeaturesIn').nFeatures;
  }

  /** The trees as node arrays (for inspection and export). */
  trees(): NativeForestTrees {
    return this.fitted('trees()').model.exportTrees();
  }

  /** Deepest leaf over the trees (root = 0). */
  get maxTreeDepth(): number {
    return this.fitted('reading maxTreeDepth').model.info().maxDepth;
  }

  /** Leaves over all trees. */
  get nLeaves(): number {
    return this.fitted('reading nLeaves').model.info().numLeaves;
  }

  protected oobState(what: string): ForestState {
    const s = this.fitted(what);
    if (s.oobScore === undefined) throw new InvalidParameterError(`${this.name}: ${what} needs oobScore: true at fit`, 'oobScore');
    return s;
  }

  /** Out-of-bag score: accuracy (classifiers) or R² (regressors) over the rows that were out of bag for at least one tree. */
  get oobScore_(): number {
    return this.oobState('reading oobScore_').oobScore!;
  }

  protected stateToJSON(): unknown {
    const s = this.state_!;
    const t = s.model.exportTrees();
    const out: Record<string, unknown> = {
      nFeatures: s.nFeatures,
      numClasses: s.model.info().numClasses,
      trees: {
        nodeCounts: Array.from(t.nodeCounts),
        left: Array.from(t.left),
        right: Array.from(t.right),
        feature: Array.from(t.feature),
        threshold: encodeNumbers(t.threshold),
        thresholdBin: Array.from(t.thresholdBin),
        defaultLeft: Array.from(t.defaultLeft),
        value: encodeNumbers(t.value),
        gain: encodeNumbers(t.gain),
        weight: encodeNumbers(t.weight),
        count: Array.from(t.count),
        distribution: encodeNumbers(t.distribution),
      },
    };
    if (s.classes) out.classes = s.classes;
    if (s.oobScore !== undefined) out.oobScore = s.oobScore;
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
    let classes: number[] | string[] | undefined;
    let numClasses = 0;
    if (this.classification) {
      numClasses = readInt(s.numClasses, 'numClasses', 2, maxModelClasses, bad);
      classes = readClasses(s.classes, 'classes', bad);
      if (classes.length !== numClasses) throw bad(`expected numClasses (${numClasses}) labels in classes but received ${classes.length}`);
    } else {
      if (s.numClasses !== 0) throw bad(`expected 0 for numClasses (a regressor) but received ${received(s.numClasses)}`);
      if (s.classes !== undefined) throw bad(`expected no classes for a regressor but received ${received(s.classes)}`);
    }
    const trees = readForestTrees(s.trees, nFeatures, numClasses, bad);
    // NaN (no row ever out of bag) was written as null: JSON has no NaN.
    const oob = s.oobScore;
    if (oob !== undefined && oob !== null && typeof oob !== 'number') throw bad(`expected a number for oobScore but received ${received(oob)}`);
    const model = native.forest.modelFromTrees({ numFeatures: nFeatures, numClasses, ...trees });
    this.state_ = { nFeatures, model };
    if (classes) this.state_.classes = classes;
    if (oob !== undefined) this.state_.oobScore = oob ?? NaN;
  }
}

function oobAccuracy(oob: Float64Array, indices: Int32Array, k: number): number {
  let hits = 0;
  let n = 0;
  for (let i = 0; i < indices.length; i++) {
    if (Number.isNaN(oob[i * k]!)) continue;
    let best = 0;
    for (let c = 1; c < k; c++) if (oob[i * k + c]! > oob[i * k + best]!) best = c;
    if (best === indices[i]) hits++;
    n++;
  }
  return n === 0 ? NaN : hits / n;
}

function oobR2(oob: Float64Array, y: Float64Array): number {
  let mean = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(oob[i]!)) continue;
    mean += y[i]!;
    n++;
  }
  if (n === 0) return NaN;
  mean /= n;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isNaN(oob[i]!)) continue;
    ssr += (y[i]! - oob[i]!) ** 2;
    sst += (y[i]! - mean) ** 2;
  }
  return sst === 0 ? (ssr === 0 ? 1 : 0) : 1 - ssr / sst;
}

/** @internal Classifier behaviour on top of {@link BaseForest}. */
export abstract class BaseForestClassifier<P extends TreeOptions & TreeClassifierOptions> extends BaseForest<P> implements Classifier {
  protected readonly classification = true;

  /** Class probabilities (leaf class frequencies averaged over the trees), `rows x classes.length`, columns in `classes` order. */
  predictProba(X: MatrixInput): Matrix {
    return probaColumns(this.run(X, 'predictProba()'));
  }

  /** {@link predictProba} off the event loop (for large inputs), with AbortSignal and progress. */
  async predictProbaAsync(X: MatrixInput, opts: JobOptions = {}): Promise<Matrix> {
    return probaColumns(await this.runAsync(X, 'predictProbaAsync()', opts));
  }

  /** The most probable class per row (ties: the first in `classes` order). */
  predict(X: MatrixInput): Float64Array | string[] {
    const p = this.predictProba(X);
    return classesFromScores(p, this.state_!.classes!);
  }

  /** {@link predict} off the event loop. */
  async predictAsync(X: MatrixInput, opts: JobOptions = {}): Promise<Float64Array | string[]> {
    // The classes of the model that predicts: a refit while the job runs must not relabel its scores.
    const classes = this.fitted('predictAsync()').classes!;
    return classesFromScores(await this.predictProbaAsync(X, opts), classes);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }

  /** Sorted distinct labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /** Out-of-bag class probabilities, `rows x classes` (NaN rows were in every bootstrap sample). Not kept in the JSON form. */
  get oobDecisionFunction(): Matrix {
    const s = this.oobState('reading oobDecisionFunction');
    if (!s.oob) throw new InvalidParameterError(`${this.name}: the out-of-bag predictions are not kept in the JSON form; refit to get them`, 'oobScore');
    const k = s.classes!.length;
    return new Matrix(s.oob.slice(), s.oob.length / k, k);
  }
}

/**
 * @internal Two-class tree models (forests, gradient boosting) output P(class 1): the probability
 * matrix adds P(class 0) as its first column. Other matrices are returned as they are.
 */
export function probaColumns(p: Matrix): Matrix {
  if (p.cols !== 1) return p;
  const out = new Float64Array(p.rows * 2);
  for (let i = 0; i < p.rows; i++) {
    out[2 * i] = 1 - p.data[i]!;
    out[2 * i + 1] = p.data[i]!;
  }
  return new Matrix(out, p.rows, 2);
}

/** @internal Regressor behaviour on top of {@link BaseForest}. */
export abstract class BaseForestRegressor<P extends TreeOptions & TreeRegressorOptions> extends BaseForest<P> implements Regressor {
  protected readonly classification = false;

  /** The mean of the trees' predictions (leaf means, or leaf medians for 'absolute_error'). */
  predict(X: MatrixInput): Float64Array {
    return this.run(X, 'predict()').data;
  }

  /** {@link predict} off the event loop (for large inputs), with AbortSignal and progress. */
  async predictAsync(X: MatrixInput, opts: JobOptions = {}): Promise<Float64Array> {
    return (await this.runAsync(X, 'predictAsync()', opts)).data;
  }

  /** R² on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return r2Score(y, this.predict(X));
  }

  /** Out-of-bag predictions, one per row (NaN: the row was in every bootstrap sample). Not kept in the JSON form. */
  get oobPrediction(): Float64Array {
    const s = this.oobState('reading oobPrediction');
    if (!s.oob) throw new InvalidParameterError(`${this.name}: the out-of-bag predictions are not kept in the JSON form; refit to get them`, 'oobScore');
    return s.oob.slice();
  }
}

/**
 * A random forest classifier (scikit-learn's RandomForestClassifier): `nEstimators` trees, each on a
 * bootstrap sample, `maxFeatures` candidate features per split (default 'sqrt'), grown to full depth
 * by default; `predictProba` averages the leaves' class frequencies.
 */
export class RandomForestClassifier extends BaseForestClassifier<RandomForestClassifierOptions> {
  static readonly params: ParamTable = [...forestParams(true), ...treeParams('sqrt'), ...classifierParams];
  constructor(options: RandomForestClassifierOptions = {}) {
    super(options);
  }
}

/** A random forest regressor (scikit-learn's RandomForestRegressor; maxFeatures default 1.0 = all features, as scikit-learn >= 1.1). */
export class RandomForestRegressor extends BaseForestRegressor<RandomForestRegressorOptions> {
  static readonly params: ParamTable = [...forestParams(true), ...treeParams(1), ...regressorParams];
  constructor(options: RandomForestRegressorOptions = {}) {
    super(options);
  }
}

/**
 * Extremely randomized trees (scikit-learn's ExtraTreesClassifier): one random threshold per
 * candidate feature, drawn uniformly over the bins between the node's smallest and largest value
 * (scikit-learn draws uniformly over the value range); no bootstrap by default.
 */
export class ExtraTreesClassifier extends BaseForestClassifier<ExtraTreesClassifierOptions> {
  static readonly params: ParamTable = [...forestParams(false), ...treeParams('sqrt'), ...classifierParams];
  protected override readonly extraTrees = true;
  constructor(options: ExtraTreesClassifierOptions = {}) {
    super(options);
  }
}

/** Extremely randomized trees for regression (scikit-learn's ExtraTreesRegressor; maxFeatures default 1.0). */
export class ExtraTreesRegressor extends BaseForestRegressor<ExtraTreesRegressorOptions> {
  static readonly params: ParamTable = [...forestParams(false), ...treeParams(1), ...regressorParams];
  protected override readonly extraTrees = true;
  constructor(options: ExtraTreesRegressorOptions = {}) {
    super(options);
  }
}

registerEstimator('RandomForestClassifier', RandomForestClassifier as never);
registerEstimator('RandomForestRegressor', RandomForestRegressor as never);
registerEstimator('ExtraTreesClassifier', ExtraTreesClassifier as never);
registerEstimator('ExtraTreesRegressor', ExtraTreesRegressor as never);
