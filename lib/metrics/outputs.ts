/**
 * Calling an estimator's optional output methods in one normalised form: probabilities and decision
 * scores always come back as a {@link Matrix} (a 1-D decision function becomes one column), class
 * lists as arrays. Shared by the scorers, model selection and the ensembles.
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import type { MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { LabelList } from './labels.js';

/** The output methods an estimator may have. */
export type OutputMethod = 'predict' | 'predictProba' | 'decisionFunction';

function nameOf(est: unknown): string {
  const n = (est as { name?: unknown })?.name;
  return typeof n === 'string' ? n : ((est as object)?.constructor?.name ?? 'estimator');
}

/** True when `est[method]` is a function (what scikit-learn's `hasattr` answers). */
export function hasMethod(est: unknown, method: string): boolean {
  return est !== null && typeof est === 'object' && typeof (est as Record<string, unknown>)[method] === 'function';
}

/**
 * True for classifiers: an explicit `estimatorType` says so, or the estimator has `predictProba`,
 * or it is a Pipeline whose final step is a classifier (scikit-learn's `is_classifier`).
 */
export function isClassifierLike(est: unknown): boolean {
  const t = (est as { estimatorType?: unknown } | null)?.estimatorType;
  if (t === 'classifier') return true;
  if (t === 'regressor') return false;
  if (hasMethod(est, 'predictProba')) return true;
  const steps = (est as { steps?: unknown } | null)?.steps;
  if (Array.isArray(steps) && steps.length > 0) {
    const last = (steps[steps.length - 1] as unknown[])[1];
    return last !== est && isClassifierLike(last);
  }
  return false;
}

function asMatrix(v: unknown, rows: number, what: string, est: unknown): Matrix {
  if (v instanceof Matrix) return v;
  if (v instanceof Float64Array || v instanceof Float32Array) {
    if (v.length !== rows) throw new InvalidInputError(`${nameOf(est)}.${what} returned ${v.length} values for ${rows} rows`);
    return new Matrix(Float64Array.from(v), rows, 1);
  }
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'number') return new Matrix(Float64Array.from(v as number[]), v.length, 1);
    return Matrix.fromArray(v as number[][]);
  }
  if (v !== null && typeof v === 'object' && 'data' in v && 'rows' in v && 'cols' in v) {
    const m = v as { data: ArrayLike<number>; rows: number; cols: number };
    return new Matrix(Float64Array.from(m.data), m.rows, m.cols);
  }
  throw new InvalidInputError(`${nameOf(est)}.${what} returned neither a Matrix nor an array`);
}

/** Rows of a matrix input (without validating it further). */
export function rowsOf(X: MatrixInput): number {
  return Array.isArray(X) ? X.length : (X as { rows: number }).rows;
}

/** `est.predictProba(X)` as a Matrix; a clear error when the estimator has none. */
export function probaOf(est: unknown, X: MatrixInput): Matrix {
  if (!hasMethod(est, 'predictProba')) throw new InvalidParameterError(`${nameOf(est)} has no predictProba (use a classifier with probabilities, or soft voting)`);
  return asMatrix((est as { predictProba(X: MatrixInput): unknown }).predictProba(X), rowsOf(X), 'predictProba()', est);
}

/** `est.decisionFunction(X)` as a Matrix (`rows x 1` for a binary classifier or a regressor). */
export function decisionOf(est: unknown, X: MatrixInput): Matrix {
  if (!hasMethod(est, 'decisionFunction')) throw new InvalidParameterError(`${nameOf(est)} has no decisionFunction`);
  return asMatrix((est as { decisionFunction(X: MatrixInput): unknown }).decisionFunction(X), rowsOf(X), 'decisionFunction()', est);
}

/** `est.predict(X)` (labels or values). */
export function predictOf(est: Estimator, X: MatrixInput): Float64Array | string[] {
  const p = est.predict(X);
  if (!(p instanceof Float64Array) && !Array.isArray(p)) {
    if (ArrayBuffer.isView(p)) return Float64Array.from(p as unknown as ArrayLike<number>);
    throw new InvalidInputError(`${nameOf(est)}.predict returned neither a Float64Array nor an array`);
  }
  return p;
}

/** Any of the three outputs as a Matrix (predictions: one column; string labels are not allowed here). */
export function outputOf(est: Estimator, X: MatrixInput, method: OutputMethod): Matrix {
  if (method === 'predictProba') return probaOf(est, X);
  if (method === 'decisionFunction') return decisionOf(est, X);
  const p = predictOf(est, X);
  if (!(p instanceof Float64Array)) throw new InvalidInputError(`${nameOf(est)}.predict returned string labels, which cannot be used as numeric features`);
  return new Matrix(p, p.length, 1);
}

/** The fitted `classes` of a classifier. */
export function classesOf(est: unknown): LabelList {
  const c = (est as { classes?: unknown }).classes;
  if (!Array.isArray(c)) throw new InvalidParameterError(`${nameOf(est)} has no classes (is it a fitted classifier?)`);
  return c as LabelList;
}

/**
 * Re-orders the columns of `m` (one per label in `from`) to the label list `to`; labels missing from
 * `from` get columns of `fill`.
 */
export function alignColumns(m: Matrix, from: LabelList, to: LabelList, fill = 0): Matrix {
  if (from.length === to.length && from.every((c, i) => c === to[i])) return m;
  if (m.cols !== from.length) throw new InvalidInputError(`Expected ${from.length} columns (one per class) but received ${m.cols}`);
  const index = new Map<number | string, number>();
  (to as (number | string)[]).forEach((c, i) => index.set(c, i));
  const map = (from as (number | string)[]).map((c) => {
    const j = index.get(c);
    if (j === undefined) throw new InvalidInputError(`A member knows class ${JSON.stringify(c)}, which was not in y at fit`);
    return j;
  });
  const k = to.length;
  const out = new Matrix(new Float64Array(m.rows * k).fill(fill), m.rows, k);
  for (let i = 0; i < m.rows; i++) for (let c = 0; c < m.cols; c++) out.data[i * k + map[c]!] = m.data[i * m.cols + c]!;
  return out;
}
