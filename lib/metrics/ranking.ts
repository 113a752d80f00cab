/**
 * ROC AUC as scikit-learn computes it: the ROC curve through the distinct score thresholds (with
 * collinear points dropped) integrated by the trapezoid rule; several classes one-vs-rest.
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import { scoresOf, type ProbaInput, type SampleWeightOption } from './classification.js';
import { average, encodeAgainst, labelListOf, labelsOf, uniqueLabels, weightsOf, type LabelsLike } from './labels.js';

/** Options of {@link rocAucScore}. */
export interface RocAucOptions extends SampleWeightOption {
  /** Several classes: how per-class AUCs are combined ('macro' default, 'weighted' by prevalence, or null for per class). */
  average?: 'macro' | 'weighted' | null;
  /** Several classes: 'ovr' (one-vs-rest). The default 'raise' throws for several classes, as scikit-learn. */
  multiClass?: 'raise' | 'ovr';
  /** Several classes: the labels of the score columns (default: the sorted labels of yTrue). */
  labels?: readonly (number | string)[];
}

/**
 * Cumulative weighted true and false positives at each distinct score, highest score first
 * (scikit-learn's `_binary_clf_curve`): the shared start of the ROC and precision-recall curves.
 */
function binaryClfCurve(yTrue01: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): { tps: number[]; fps: number[]; thresholds: number[] } {
  const n = score.length;
  if (yTrue01.length !== n) throw new InvalidInputError(`Expected ${n} labels (one per score) but received ${yTrue01.length}`);
  if (w !== undefined && w.length !== n) throw new InvalidInputError(`Expected ${n} sample weights (one per score) but received ${w.length}`);
  // Descending by score; stable on ties like numpy's mergesort reversed (ties keep reverse order,
  // which does not change the curve: only the last index of each run of equal scores is used).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || b - a);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const wi = w ? w[i]! : 1;
    tp += yTrue01[i]! * wi;
    fp += (1 - yTrue01[i]!) * wi;
    if (r === n - 1 || score[order[r + 1]!] !== score[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(score[i]!);
    }
  }
  return { tps, fps, thresholds };
}

/** ROC curve of a binary problem: false and true positive rates at each distinct threshold (sklearn's drop_intermediate). */
export function rocCurve(yTrue01: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array } {
  const { tps: tpsAll, fps: fpsAll, thresholds: thr } = binaryClfCurve(yTrue01, score, w);
  // drop_intermediate: keep the ends and every point where the curve bends.
  const keep: number[] = [];
  const m = tpsAll.length;
  for (let j = 0; j < m; j++) {
    if (j === 0 || j === m - 1) {
      keep.push(j);
      continue;
    }
    // numpy's diff(x, 2) is diff(diff(x)): (x2 - x1) - (x1 - x0).
    const e2f = fpsAll[j + 1]! - fpsAll[j]! - (fpsAll[j]! - fpsAll[j - 1]!);
    const e2t = tpsAll[j + 1]! - tpsAll[j]! - (tpsAll[j]! - tpsAll[j - 1]!);
    if (e2f !== 0 || e2t !== 0) keep.push(j);
  }
  const fps = [0, ...keep.map((j) => fpsAll[j]!)];
  const tps = [0, ...keep.map((j) => tpsAll[j]!)];
  const lastF = fps[fps.length - 1]!;
  const lastT = tps[tps.length - 1]!;
  return {
    fpr: Float64Array.from(fps, (v) => v / lastF),
    tpr: Float64Array.from(tps, (v) => v / lastT),
    thresholds: Float64Array.from([Infinity, ...keep.map((j) => thr[j]!)]),
  };
}

/**
 * Precision-recall curve of a binary problem as scikit-learn's `precision_recall_curve`: one point per
 * distinct score threshold, in increasing threshold order (recall decreasing), then the point
 * (recall 0, precision 1) that has no threshold. Precision is 0 where nothing is predicted positive;
 * with no positive label, recall is 1 everywhere.
 */
export function precisionRecallCurve(yTrue01: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): { precision: Float64Array; recall: Float64Array; thresholds: Float64Array } {
  const { tps, fps, thresholds } = binaryClfCurve(yTrue01, score, w);
  const m = tps.length;
  const lastT = m > 0 ? tps[m - 1]! : 0;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const r = m - 1 - j;
    const ps = tps[r]! + fps[r]!;
    precision[j] = ps !== 0 ? tps[r]! / ps : 0;
    recall[j] = lastT === 0 ? 1 : tps[r]! / lastT;
    thr[j] = thresholds[r]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

/**
 * Average precision of a binary problem (scikit-learn's `average_precision_score`): the sum over
 * thresholds of precision times the recall gained, with no interpolation.
 */
export function averagePrecisionScore(yTrue01: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(yTrue01, score, w);
  let s = 0;
  for (let j = 0; j + 1 < recall.length; j++) s -= (recall[j + 1]! - recall[j]!) * precision[j]!;
  return s;
}

function trapz(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return s;
}

function binaryAuc(y01: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): number {
  let pos = false;
  let neg = false;
  for (let i = 0; i < y01.length; i++) (y01[i] ? (pos = true) : (neg = true));
  if (!pos || !neg) throw new InvalidInputError('Only one class present in yTrue: ROC AUC is not defined in that case');
  const { fpr, tpr } = rocCurve(y01, score, w);
  return trapz(fpr, tpr);
}

/**
 * Area under the ROC curve. Two labels: `yScore` is the score of the greater label (a 1-D array,
 * a one-column matrix, or the probability matrix whose second column is taken). Several labels
 * (`multiClass: 'ovr'`): `yScore` is `rows x classes` probabilities summing to 1 per row, and each
 * class's one-vs-rest AUC is averaged.
 */
export function rocAucScore(yTrue: LabelsLike, yScore: ProbaInput, opts: RocAucOptions = {}): number | Float64Array {
  const t = labelsOf(yTrue, 'yTrue');
  const n = t.values.length;
  const S = scoresOf(yScore, 'yScore');
  if (S.rows !== n) throw new InvalidInputError(`Expected ${n} rows in yScore (one per label) but received ${S.rows}`);
  const w = weightsOf(opts.sampleWeight, n);
  const present = uniqueLabels(t);
  if (present.length <= 2 && opts.labels === undefined && (S.cols === 1 || S.cols === 2)) {
    if (present.length < 2) throw new InvalidInputError('Only one class present in yTrue: ROC AUC is not defined in that case');
    const y01 = Float64Array.from(encodeAgainst(t, present));
    const col = S.cols === 1 ? 0 : 1;
    const score = Float64Array.from({ length: n }, (_, i) => S.data[i * S.cols + col]!);
    return binaryAuc(y01, score, w);
  }
  const mode = opts.multiClass ?? 'raise';
  if (mode !== 'ovr') {
    throw new InvalidParameterError("yTrue has more than two labels: pass multiClass: 'ovr' for one-vs-rest ROC AUC", 'multiClass');
  }
  const labels = opts.labels !== undefined ? labelListOf(opts.labels) : present;
  const k = labels.length;
  if (S.cols !== k) throw new InvalidInputError(`Expected ${k} columns in yScore (one per label) but received ${S.cols}`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += S.data[i * k + c]!;
    if (Math.abs(s - 1) > 1e-8 + 1e-5) throw new InvalidInputError(`Target scores must be probabilities for multiClass 'ovr' (each row summing to 1) but row ${i} sums to ${s}`);
  }
  const idx = encodeAgainst(t, labels);
  for (let i = 0; i < n; i++) if (idx[i]! < 0) throw new InvalidInputError(`yTrue[${i}] = ${JSON.stringify(t.values[i])} is not in labels`);
  const avg = opts.average === undefined ? 'macro' : opts.average;
  const scores = new Float64Array(k);
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const y01 = new Float64Array(n);
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y01[i] = idx[i] === c ? 1 : 0;
      col[i] = S.data[i * k + c]!;
      weights[c] = weights[c]! + y01[i]! * (w ? w[i]! : 1);
    }
    scores[c] = binaryAuc(y01, col, w);
  }
  if (avg === null) return scores;
  if (avg === 'weighted') return average(scores, weights);
  if (avg === 'macro') return average(scores);
  throw new InvalidParameterError(`Expected 'macro', 'weighted' or null for average but received ${JSON.stringify(avg)}`, 'average');
}
