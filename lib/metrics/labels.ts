/**
 * Label handling shared by the metrics: validation (through core's toLabels), the sorted union of
 * the labels seen (scikit-learn's `unique_labels`), encoding against a label list, and the
 * weight vector.
 */
import { InvalidInputError } from '../core/errors.js';
import { toLabels, type LabelInput, type Labels } from '../core/input.js';

/** Labels as metrics accept them: anything `fit` accepts, or what `predict` returned. */
export type LabelsLike = LabelInput | Float64Array | string[];

/** A label list: numbers or strings. */
export type LabelList = number[] | string[];

/** Validates `y` (all numbers or all strings); `rows` defaults to its own length. */
export function labelsOf(y: LabelsLike, name: string, rows?: number): Labels {
  const n = rows ?? (y as ArrayLike<unknown>).length;
  return toLabels(y, n, name);
}

/** Validates a pair of label arrays of equal length and the same kind. */
export function labelPair(yTrue: LabelsLike, yPred: LabelsLike): [Labels, Labels] {
  const t = labelsOf(yTrue, 'yTrue');
  const p = labelsOf(yPred, 'yPred', t.values.length);
  if (t.kind !== p.kind) throw new InvalidInputError(`Expected yTrue and yPred to hold the same kind of labels but yTrue has ${t.kind}s and yPred ${p.kind}s`);
  return [t, p];
}

function compare(a: number | string, b: number | string): number {
  return typeof a === 'number' ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted distinct labels of every argument (numbers ascending, strings by code unit). */
export function uniqueLabels(...all: Labels[]): LabelList {
  const set = new Set<number | string>();
  for (const l of all) for (const v of l.values) set.add(v);
  return Array.from(set).sort(compare) as LabelList;
}

/** Index of each label in `list` (-1 when absent). */
export function encodeAgainst(labels: Labels, list: LabelList): Int32Array {
  const index = new Map<number | string, number>();
  (list as (number | string)[]).forEach((c, i) => index.set(c, i));
  const out = new Int32Array(labels.values.length);
  for (let i = 0; i < out.length; i++) out[i] = index.get(labels.values[i]!) ?? -1;
  return out;
}

/** Validates the label list a caller passed (`labels` option). */
export function labelListOf(labels: readonly (number | string)[], name = 'labels'): LabelList {
  if (!Array.isArray(labels) || labels.length === 0) throw new InvalidInputError(`Expected a non-empty array for ${name}`);
  const kind = typeof labels[0];
  if (!labels.every((l) => typeof l === kind && (kind === 'string' || kind === 'number'))) {
    throw new InvalidInputError(`Expected ${name} to be all numbers or all strings`);
  }
  return labels.slice() as LabelList;
}

/** Sample weights validated to `n` finite non-negative numbers, or undefined. */
export function weightsOf(w: ArrayLike<number> | undefined, n: number): Float64Array | undefined {
  if (w === undefined || w === null) return undefined;
  if (w.length !== n) throw new InvalidInputError(`Expected ${n} values in sampleWeight (one per sample) but received ${w.length}`);
  const out = Float64Array.from(w);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(out[i]!) || out[i]! < 0) throw new InvalidInputError(`Expected a finite non-negative sampleWeight[${i}] but received ${out[i]}`);
  }
  return out;
}

/** numpy's `np.average(a, weights=w)`: sum(a*w) / sum(w), or the mean. */
export function average(a: ArrayLike<number>, w?: ArrayLike<number>): number {
  let s = 0;
  if (w === undefined) {
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s / a.length;
  }
  let sw = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]! * w[i]!;
    sw += w[i]!;
  }
  if (sw === 0) throw new InvalidInputError('Weights sum to zero: the weighted average is not defined');
  return s / sw;
}
