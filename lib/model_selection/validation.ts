/**
 * Cross-validation (scikit-learn's `cross_val_score`, `cross_validate`, `cross_val_predict`): clone,
 * fit on each training part, score or predict on the test part. Folds fit concurrently, at most
 * `nJobs` at a time (each fit's native work shares the process-wide thread budget).
 */
import { cloneParam, type Estimator } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import type { LabelInput, Labels, MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import { uniqueLabels, weightsOf, type LabelList, type LabelsLike } from '../metrics/labels.js';
import { alignColumns, classesOf, isClassifierLike, outputOf, predictOf, type OutputMethod } from '../metrics/outputs.js';
import { defaultScorer, getScorer, type Scorer, type Scoring } from '../metrics/scorer.js';
import { mapLimit, resolveJobs } from './parallel.js';
import { KFold, StratifiedKFold, type Split, type Splitter } from './split.js';
import { checkXy, takeLabels, takeRows, takeWeights } from './subset.js';

/** What `cv` accepts: a fold count (stratified for classifiers), a splitter, or explicit `[train, test]` splits. */
export type CvInput = number | Splitter | readonly Split[];

/** scikit-learn's `check_cv`: a number gives StratifiedKFold for a classifier, KFold otherwise (no shuffle). */
export function checkCv(cv: CvInput | undefined, classifier: boolean): Splitter {
  const c = cv ?? 5;
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 2) throw new InvalidParameterError(`Expected an integer >= 2 (or a splitter) for cv but received ${c}`, 'cv');
    return classifier ? new StratifiedKFold({ nSplits: c }) : new KFold({ nSplits: c });
  }
  if (Array.isArray(c)) {
    const splits = (c as readonly Split[]).map(([tr, te]) => [Int32Array.from(tr), Int32Array.from(te)] as Split);
    return { split: () => splits, getNSplits: () => splits.length };
  }
  if (c !== null && typeof c === 'object' && typeof (c as Splitter).split === 'function') return c as Splitter;
  throw new InvalidParameterError(`Expected a fold count, a splitter (with split()) or an array of [train, test] splits for cv but received ${String(c)}`, 'cv');
}

/** The splits of (X, y) by `cv`, checked to index rows of X. */
export function makeSplits(cv: CvInput | undefined, classifier: boolean, m: MatrixLike, y: Labels | undefined, groups?: LabelsLike): Split[] {
  const splitter = checkCv(cv, classifier);
  const splits = splitter.split(m.rows, y?.values as LabelsLike | undefined, groups);
  for (const [tr, te] of splits) {
    for (const i of [...tr, ...te]) if (!(Number.isInteger(i) && i >= 0 && i < m.rows)) throw new InvalidInputError(`A cv split holds row ${i}, outside 0..${m.rows - 1}`);
    if (tr.length === 0 || te.length === 0) throw new InvalidInputError('A cv split has an empty training or test part');
  }
  return splits;
}

/** Options shared by the cross-validation functions. */
export interface CrossValOptions {
  /** Folds: a count (default 5; stratified for classifiers), a splitter, or `[train, test]` splits. */
  cv?: CvInput;
  /** Group label per row, for group splitters. */
  groups?: LabelsLike;
  /** Folds fitted at once; <= 0 or unset: one per core. */
  nJobs?: number;
  /** Weights passed to every fit (subset to the training rows). */
  sampleWeight?: ArrayLike<number>;
  /** Stops the fits; the promise rejects with AbortError. */
  signal?: AbortSignal;
}

/** A scoring given as several: names, or a record of name -> scoring. */
export type MultiScoring = Scoring | readonly Scoring[] | Record<string, Scoring>;

/** The scorers of a scoring argument, by name (`'score'` for a single one). */
export function resolveScorers(scoring: MultiScoring | undefined, classifier: boolean): Map<string, Scorer> {
  const out = new Map<string, Scorer>();
  if (scoring === undefined || scoring === null) out.set('score', defaultScorer(classifier));
  else if (Array.isArray(scoring)) {
    for (const s of scoring as Scoring[]) {
      const sc = getScorer(s);
      out.set(typeof s === 'string' ? s : sc.name, sc);
    }
    if (out.size === 0) throw new InvalidParameterError('Expected at least one scoring', 'scoring');
  } else if (typeof scoring === 'string' || typeof scoring === 'function' || typeof (scoring as Scorer).score === 'function') {
    out.set('score', getScorer(scoring as Scoring));
  } else {
    for (const [k, s] of Object.entries(scoring as Record<string, Scoring>)) out.set(k, getScorer(s));
    if (out.size === 0) throw new InvalidParameterError('Expected at least one scoring', 'scoring');
  }
  return out;
}

/** A fitted clone of `estimator` on rows `train`. */
export async function fitOnRows(estimator: Estimator, m: MatrixLike, y: Labels | undefined, train: ArrayLike<number>, sw: ArrayLike<number> | undefined, signal?: AbortSignal, params?: Record<string, unknown>): Promise<Estimator> {
  const est = estimator.clone();
  if (params) est.setParams(cloneParam(params) as Record<string, unknown>);
  await est.fit(takeRows(m, train), y ? takeLabels(y, train) : undefined, { sampleWeight: takeWeights(sw, train), signal });
  return est;
}

/** What {@link crossValidate} returns. */
export interface CrossValidateResult {
  /** Seconds spent in each fold's fit (wall time; folds may overlap). */
  fitTime: Float64Array;
  /** Seconds spent scoring each fold. */
  scoreTime: Float64Array;
  /** Test scores per scoring name (`score` for a single scoring), one per fold. */
  test: Record<string, Float64Array>;
  /** Training scores, with `returnTrainScore`. */
  train?: Record<string, Float64Array>;
  /** The fitted fold estimators, with `returnEstimator`. */
  estimators?: Estimator[];
  /** The splits used. */
  splits: Split[];
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions extends CrossValOptions {
  /** A scoring name / function / Scorer, or several (array or record). Default: accuracy or R². */
  scoring?: MultiScoring;
  /** Also score the training parts. */
  returnTrainScore?: boolean;
  /** Keep the fitted fold estimators. */
  returnEstimator?: boolean;
}

/** Fits and scores `estimator` on each fold: several metrics, fit and score times. */
export async function crossValidate(estimator: Estimator, X: MatrixInput, y?: LabelInput, opts: CrossValidateOptions = {}): Promise<CrossValidateResult> {
  const { m, labels } = checkXy(X, y, 'crossValidate', false);
  const classifier = isClassifierLike(estimator);
  const scorers = resolveScorers(opts.scoring, classifier);
  const splits = makeSplits(opts.cv, classifier, m, labels, opts.groups);
  const sw = weightsOf(opts.sampleWeight, m.rows);
  const results = await mapLimit(
    splits.length,
    resolveJobs(opts.nJobs),
    async (f) => {
      const [train, test] = splits[f]!;
      const t0 = performance.now();
      const est = await fitOnRows(estimator, m, labels, train, sw, opts.signal);
      const t1 = performance.now();
      const score = (rows: Int32Array) => {
        const Xs = takeRows(m, rows);
        const ys = labels ? takeLabels(labels, rows) : undefined;
        const out: Record<string, number> = {};
        for (const [name, sc] of scorers) out[name] = sc.score(est, Xs, ys as LabelInput, { sampleWeight: takeWeights(sw, rows) });
        return out;
      };
      const testScores = score(test);
      const t2 = performance.now();
      const trainScores = opts.returnTrainScore ? score(train) : undefined;
      return { est, testScores, trainScores, fit: (t1 - t0) / 1000, score: (t2 - t1) / 1000 };
    },
    opts.signal,
  );
  const collect = (pick: (r: (typeof results)[number]) => Record<string, number> | undefined) =>
    Object.fromEntries([...scorers.keys()].map((k) => [k, Float64Array.from(results, (r) => pick(r)![k]!)]));
  const out: CrossValidateResult = {
    fitTime: Float64Array.from(results, (r) => r.fit),
    scoreTime: Float64Array.from(results, (r) => r.score),
    test: collect((r) => r.testScores),
    splits,
  };
  if (opts.returnTrainScore) out.train = collect((r) => r.trainScores);
  if (opts.returnEstimator) out.estimators = results.map((r) => r.est);
  return out;
}

/** One test score per fold (scikit-learn's cross_val_score). */
export async function crossValScore(estimator: Estimator, X: MatrixInput, y?: LabelInput, opts: CrossValOptions & { scoring?: Scoring } = {}): Promise<Float64Array> {
  const r = await crossValidate(estimator, X, y, { ...opts, scoring: opts.scoring, returnTrainScore: false });
  return r.test.score!;
}

/**
 * Out-of-fold outputs as a Matrix (`rows x outputs`) on given splits, which must partition the rows.
 * Probabilities and multi-class decision scores are aligned to `classes` (a class missing from a
 * fold's training part gets probability 0, decision score -MAX_VALUE, as scikit-learn).
 * @internal shared with the ensembles.
 */
export async function crossValOutputs(
  estimator: Estimator,
  m: MatrixLike,
  y: Labels,
  splits: readonly Split[],
  method: OutputMethod,
  nJobs: number | undefined,
  sw: ArrayLike<number> | undefined,
  signal: AbortSignal | undefined,
  classes?: LabelList,
): Promise<Matrix> {
  checkPartition(splits, m.rows);
  const parts = await mapLimit(
    splits.length,
    resolveJobs(nJobs),
    async (f) => {
      const [train, test] = splits[f]!;
      const est = await fitOnRows(estimator, m, y, train, sw, signal);
      const Xt = takeRows(m, test);
      let out = method === 'predict' && classes ? classIndexMatrix(predictOf(est, Xt), classes) : outputOf(est, Xt, method);
      if (classes && method !== 'predict' && !(method === 'decisionFunction' && out.cols === 1)) {
        out = alignColumns(out, classesOf(est), classes, method === 'predictProba' ? 0 : -Number.MAX_VALUE);
      }
      return out;
    },
    signal,
  );
  const cols = parts[0]!.cols;
  const result = Matrix.zeros(m.rows, cols);
  parts.forEach((p, f) => {
    if (p.cols !== cols) throw new InvalidInputError(`Fold ${f} gave ${p.cols} output columns but fold 0 gave ${cols}: a fold's training part is missing a class`);
    const test = splits[f]![1];
    for (let i = 0; i < test.length; i++) result.data.set(p.row(i), test[i]! * cols);
  });
  return result;
}

/** Predicted labels as their index in `classes`, one column (what stacking feeds on for 'predict'). */
export function classIndexMatrix(pred: Float64Array | string[], classes: LabelList): Matrix {
  const index = new Map<number | string, number>((classes as (number | string)[]).map((c, i) => [c, i]));
  return new Matrix(
    Float64Array.from({ length: pred.length }, (_, i) => {
      const j = index.get(pred[i]!);
      if (j === undefined) throw new InvalidInputError(`A prediction ${JSON.stringify(pred[i])} is not among the classes seen at fit`);
      return j;
    }),
    pred.length,
    1,
  );
}

function checkPartition(splits: readonly Split[], n: number): void {
  const seen = new Uint8Array(n);
  for (const [, test] of splits) for (const i of test) seen[i] = seen[i]! + 1;
  for (let i = 0; i < n; i++) {
    if (seen[i] !== 1) throw new InvalidInputError(`cross-validated predictions need splits whose test parts partition the rows, but row ${i} is tested ${seen[i]} times`);
  }
}

/** Options of {@link crossValPredict}. */
export interface CrossValPredictOptions extends CrossValOptions {
  /** Which output: 'predict' (default), 'predictProba' or 'decisionFunction'. */
  method?: OutputMethod;
}

/**
 * Each row's prediction by the model fitted on the folds that did not contain it (scikit-learn's
 * cross_val_predict). 'predict' gives labels or values; 'predictProba' and 'decisionFunction' give a
 * Matrix whose columns follow the sorted classes of y (a binary decision function: one column).
 */
export async function crossValPredict(estimator: Estimator, X: MatrixInput, y: LabelInput, opts?: CrossValPredictOptions & { method?: 'predict' }): Promise<Float64Array | string[]>;
export async function crossValPredict(estimator: Estimator, X: MatrixInput, y: LabelInput, opts: CrossValPredictOptions & { method: 'predictProba' | 'decisionFunction' }): Promise<Matrix>;
export async function crossValPredict(estimator: Estimator, X: MatrixInput, y: LabelInput, opts: CrossValPredictOptions = {}): Promise<Float64Array | string[] | Matrix> {
  const { m, labels } = checkXy(X, y, 'crossValPredict');
  const classifier = isClassifierLike(estimator);
  const splits = makeSplits(opts.cv, classifier, m, labels, opts.groups);
  const method = opts.method ?? 'predict';
  if (!['predict', 'predictProba', 'decisionFunction'].includes(method)) {
    throw new InvalidParameterError(`Expected 'predict', 'predictProba' or 'decisionFunction' for method but received ${JSON.stringify(method)}`, 'method');
  }
  const sw = weightsOf(opts.sampleWeight, m.rows);
  if (method !== 'predict') {
    return crossValOutputs(estimator, m, labels!, splits, method, opts.nJobs, sw, opts.signal, classifier ? uniqueLabels(labels!) : undefined);
  }
  checkPartition(splits, m.rows);
  const parts = await mapLimit(
    splits.length,
    resolveJobs(opts.nJobs),
    async (f) => {
      const [train, test] = splits[f]!;
      const est = await fitOnRows(estimator, m, labels, train, sw, opts.signal);
      return predictOf(est, takeRows(m, test));
    },
    opts.signal,
  );
  const strings = Array.isArray(parts[0]);
  const out: Float64Array | string[] = strings ? new Array<string>(m.rows) : new Float64Array(m.rows);
  parts.forEach((p, f) => {
    const test = splits[f]![1];
    for (let i = 0; i < test.length; i++) (out as unknown as unknown[])[test[i]!] = p[i]!;
  });
  return out;
}
