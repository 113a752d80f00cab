/**
 * Classification metrics with scikit-learn's definitions (1.2), down to the order of operations,
 * so that values agree with `sklearn.metrics` to rounding: accuracy, balanced accuracy,
 * precision / recall / F-beta (binary, micro, macro, weighted, per class), the confusion matrix and
 * the log loss. Labels may be numbers or strings (what `predict` returns).
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import { toMatrix, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import { average, encodeAgainst, labelListOf, labelPair, labelsOf, uniqueLabels, weightsOf, type LabelList, type LabelsLike } from './labels.js';

/** Options shared by the label metrics. */
export interface SampleWeightOption {
  /** One non-negative weight per sample (default: all 1). */
  sampleWeight?: ArrayLike<number>;
}

/**
 * Fraction (or, with `normalize: false`, the count / weight sum) of samples whose predicted label
 * equals the true one.
 */
export function accuracyScore(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption & { normalize?: boolean } = {}): number {
  const [t, p] = labelPair(yTrue, yPred);
  const n = t.values.length;
  const w = weightsOf(opts.sampleWeight, n);
  const hit = new Float64Array(n);
  for (let i = 0; i < n; i++) hit[i] = t.values[i] === p.values[i] ? 1 : 0;
  if (opts.normalize === false) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w ? hit[i]! * w[i]! : hit[i]!;
    return s;
  }
  return average(hit, w);
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions extends SampleWeightOption {
  /** Labels indexing the rows and columns, in this order (default: the sorted labels of yTrue and yPred). Others are ignored. */
  labels?: readonly (number | string)[];
  /** Normalise over the true labels (rows), the predictions (columns) or all cells. Default: counts. */
  normalize?: 'true' | 'pred' | 'all' | null;
}

/**
 * `C[i][j]` is the number (or weight) of samples of true label `labels[i]` predicted as
 * `labels[j]`; rows are true labels, columns predictions, as scikit-learn's.
 */
export function confusionMatrix(yTrue: LabelsLike, yPred: LabelsLike, opts: ConfusionMatrixOptions = {}): Matrix {
  const [t, p] = labelPair(yTrue, yPred);
  const labels = opts.labels !== undefined ? labelListOf(opts.labels) : uniqueLabels(t, p);
  const k = labels.length;
  const n = t.values.length;
  const w = weightsOf(opts.sampleWeight, n);
  const ti = encodeAgainst(t, labels);
  const pi = encodeAgainst(p, labels);
  const C = Matrix.zeros(k, k);
  for (let i = 0; i < n; i++) {
    if (ti[i]! < 0 || pi[i]! < 0) continue;
    const cell = ti[i]! * k + pi[i]!;
    C.data[cell] = C.data[cell]! + (w ? w[i]! : 1);
  }
  const norm = opts.normalize ?? null;
  if (norm === 'true' || norm === 'pred') {
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += norm === 'true' ? C.data[a * k + b]! : C.data[b * k + a]!;
      for (let b = 0; b < k; b++) {
        const idx = norm === 'true' ? a * k + b : b * k + a;
        C.data[idx] = s === 0 ? 0 : C.data[idx]! / s;
      }
    }
  } else if (norm === 'all') {
    let s = 0;
    for (const v of C.data) s += v;
    for (let i = 0; i < C.data.length; i++) C.data[i] = s === 0 ? 0 : C.data[i]! / s;
  } else if (norm !== null) {
    throw new InvalidParameterError(`Expected 'true', 'pred', 'all' or null for normalize but received ${JSON.stringify(norm)}`, 'normalize');
  }
  return C;
}

/**
 * The mean of the per-class recalls (classes present in yTrue; a label only predicted is
 * dropped, as scikit-learn does after its warning). `adjusted` rescales so that chance scores 0.
 */
export function balancedAccuracyScore(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption & { adjusted?: boolean } = {}): number {
  const C = confusionMatrix(yTrue, yPred, { sampleWeight: opts.sampleWeight });
  const k = C.rows;
  const perClass: number[] = [];
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += C.data[i * k + j]!;
    const v = C.data[i * k + i]! / s;
    if (!Number.isNaN(v)) perClass.push(v);
  }
  let score = average(perClass);
  if (opts.adjusted) {
    const chance = 1 / perClass.length;
    score -= chance;
    score /= 1 - chance;
  }
  return score;
}

/** How per-class scores are combined. `null` returns one score per label. */
export type AverageMode = 'binary' | 'micro' | 'macro' | 'weighted' | null;

/** Options of the precision / recall / F family. */
export interface PrfOptions extends SampleWeightOption {
  /** Default 'binary': the score of `posLabel` alone (the labels must be binary). */
  average?: AverageMode;
  /** The positive label for `average: 'binary'` (default 1). */
  posLabel?: number | string;
  /** Labels to include (default: the sorted labels of yTrue and yPred). */
  labels?: readonly (number | string)[];
  /** The value of an undefined ratio (no predicted / no true samples of a label). Default 0. */
  zeroDivision?: 0 | 1;
}

/** Per-label (or averaged) precision, recall, F-beta and support. */
export interface PrfResult {
  precision: number | Float64Array;
  recall: number | Float64Array;
  fbeta: number | Float64Array;
  /** Weight of the true samples per label; only when `average` is null. */
  support?: Float64Array;
  /** The labels of the per-label arrays. */
  labels: LabelList;
}

function prfDivide(num: Float64Array, den: Float64Array, zero: number): Float64Array {
  const out = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? zero : num[i]! / den[i]!;
  return out;
}

/** scikit-learn's `precision_recall_fscore_support`. */
export function precisionRecallFscoreSupport(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions & { beta?: number } = {}): PrfResult {
  const [t, p] = labelPair(yTrue, yPred);
  const avg = opts.average === undefined ? 'binary' : opts.average;
  if (!['binary', 'micro', 'macro', 'weighted', null].includes(avg)) {
    throw new InvalidParameterError(`Expected 'binary', 'micro', 'macro', 'weighted' or null for average but received ${JSON.stringify(avg)}`, 'average');
  }
  const beta = opts.beta ?? 1;
  if (!(beta >= 0)) throw new InvalidParameterError(`Expected beta >= 0 but received ${beta}`, 'beta');
  const zero = opts.zeroDivision ?? 0;
  const present = uniqueLabels(t, p);
  let labels: LabelList;
  if (avg === 'binary') {
    if (present.length > 2) {
      throw new InvalidInputError(`Target is multiclass (${present.length} labels) but average='binary'; choose another average ('micro', 'macro', 'weighted' or null)`);
    }
    const pos = opts.posLabel ?? 1;
    if (!(present as (number | string)[]).includes(pos) && present.length >= 2) {
      throw new InvalidInputError(`posLabel=${JSON.stringify(pos)} is not a valid label: it should be one of ${JSON.stringify(present)}`);
    }
    labels = [pos] as LabelList;
  } else {
    labels = opts.labels !== undefined ? labelListOf(opts.labels) : present;
  }
  const k = labels.length;
  const n = t.values.length;
  const w = weightsOf(opts.sampleWeight, n);
  const ti = encodeAgainst(t, labels);
  const pi = encodeAgainst(p, labels);
  let tp = new Float64Array(k);
  let predSum = new Float64Array(k);
  let trueSum = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    if (ti[i]! >= 0) trueSum[ti[i]!] = trueSum[ti[i]!]! + wi;
    if (pi[i]! >= 0) predSum[pi[i]!] = predSum[pi[i]!]! + wi;
    if (ti[i]! >= 0 && ti[i] === pi[i]) tp[ti[i]!] = tp[ti[i]!]! + wi;
  }
  if (avg === 'micro') {
    const sum = (a: Float64Array) => Float64Array.of(a.reduce((x, y) => x + y, 0));
    tp = sum(tp);
    predSum = sum(predSum);
    trueSum = sum(trueSum);
  }
  const beta2 = beta * beta;
  const precision = prfDivide(tp, predSum, zero);
  const recall = prfDivide(tp, trueSum, zero);
  let f: Float64Array;
  if (beta === Infinity) {
    f = recall.slice();
  } else {
    f = new Float64Array(precision.length);
    for (let i = 0; i < f.length; i++) {
      let denom = beta2 * precision[i]! + recall[i]!;
      if (denom === 0) denom = 1;
      f[i] = ((1 + beta2) * precision[i]! * recall[i]!) / denom;
    }
  }
  if (avg === null) return { precision, recall, fbeta: f, support: trueSum, labels };
  let weights: Float64Array | undefined;
  if (avg === 'weighted') {
    weights = trueSum;
    if (trueSum.reduce((a, b) => a + b, 0) === 0) {
      const z = predSum.reduce((a, b) => a + b, 0) === 0 ? zero : 0;
      return { precision: z, recall: zero, fbeta: z, labels };
    }
  }
  return { precision: average(precision, weights), recall: average(recall, weights), fbeta: average(f, weights), labels };
}

/** Precision `tp / (tp + fp)`; see {@link PrfOptions} for `average`. */
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Float64Array {
  return precisionRecallFscoreSupport(yTrue, yPred, opts).precision;
}

/** Recall `tp / (tp + fn)`; see {@link PrfOptions} for `average`. */
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Float64Array {
  return precisionRecallFscoreSupport(yTrue, yPred, opts).recall;
}

/** F1, the harmonic mean of precision and recall; see {@link PrfOptions} for `average`. */
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Float64Array {
  return precisionRecallFscoreSupport(yTrue, yPred, { ...opts, beta: 1 }).fbeta;
}

/** F-beta: recall weighted `beta` times as much as precision. */
export function fbetaScore(yTrue: LabelsLike, yPred: LabelsLike, beta: number, opts: PrfOptions = {}): number | Float64Array {
  return precisionRecallFscoreSupport(yTrue, yPred, { ...opts, beta }).fbeta;
}

/** Predicted probabilities: a Matrix / number[][] (columns in label order) or, for two labels, the positive-class column. */
export type ProbaInput = MatrixInput | ArrayLike<number>;

/** Probabilities as rows x cols (a 1-D input becomes one column). */
export function scoresOf(p: ProbaInput, name: string): { data: ArrayLike<number>; rows: number; cols: number } {
  if (Array.isArray(p) && (p.length === 0 || typeof p[0] === 'number')) return { data: p as number[], rows: p.length, cols: 1 };
  if (ArrayBuffer.isView(p)) return { data: p as unknown as ArrayLike<number>, rows: (p as unknown as ArrayLike<number>).length, cols: 1 };
  const m = toMatrix(p, { name, rejectNaN: true });
  return m;
}

/** Options of {@link logLoss}. */
export interface LogLossOptions extends SampleWeightOption {
  /** Clip probabilities to [eps, 1 - eps] (default: float64 machine epsilon, scikit-learn's 'auto'). */
  eps?: number;
  /** Mean over samples (default) or the sum. */
  normalize?: boolean;
  /** The labels of the probability columns (default: the sorted labels of yTrue). */
  labels?: readonly (number | string)[];
}

/**
 * Cross-entropy `-mean(log p[true label])` after clipping to [eps, 1 - eps] and renormalising
 * each row, as scikit-learn. `yProb` columns follow the sorted labels (or `labels`); for two labels
 * a single column (or a 1-D array) holds the probability of the second.
 */
export function logLoss(yTrue: LabelsLike, yProb: ProbaInput, opts: LogLossOptions = {}): number {
  const t = labelsOf(yTrue, 'yTrue');
  const n = t.values.length;
  const labels = opts.labels !== undefined ? labelListOf(opts.labels) : uniqueLabels(t);
  if (labels.length === 1) {
    throw new InvalidInputError(`yTrue contains only one label (${JSON.stringify(labels[0])}): give every label through the labels option`);
  }
  const P = scoresOf(yProb, 'yProb');
  if (P.rows !== n) throw new InvalidInputError(`Expected ${n} rows in yProb (one per label) but received ${P.rows}`);
  const cols = P.cols === 1 ? 2 : P.cols;
  if (cols !== labels.length) {
    throw new InvalidInputError(`yTrue has ${labels.length} labels but yProb has ${P.cols} columns: give the labels explicitly through the labels option`);
  }
  const idx = encodeAgainst(t, labels);
  for (let i = 0; i < n; i++) if (idx[i]! < 0) throw new InvalidInputError(`yTrue[${i}] = ${JSON.stringify(t.values[i])} is not in labels`);
  const eps = opts.eps ?? Number.EPSILON;
  const w = weightsOf(opts.sampleWeight, n);
  const loss = new Float64Array(n);
  const row = new Float64Array(cols);
  const clip = (v: number) => Math.min(Math.max(v, eps), 1 - eps);
  for (let i = 0; i < n; i++) {
    if (P.cols === 1) {
      // Clip first, then 1 - p, as scikit-learn.
      const v = clip(P.data[i]!);
      row[0] = 1 - v;
      row[1] = v;
    } else {
      for (let c = 0; c < cols; c++) row[c] = clip(P.data[i * cols + c]!);
    }
    let s = 0;
    for (let c = 0; c < cols; c++) s += row[c]!;
    loss[i] = -Math.log(row[idx[i]!]! / s);
  }
  if (opts.normalize === false) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w ? loss[i]! * w[i]! : loss[i]!;
    return s;
  }
  return average(loss, w);
}
