/**
 * Row subsets of matrices and labels (the data a fold, a bootstrap sample or a holdout sees).
 * The element type is kept: a Float32Array matrix gives Float32Array subsets.
 */
import { InvalidInputError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type Labels, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';

/** Rows `idx` (in that order) of X; columns `cols` when given. */
export function takeRows(X: MatrixLike, idx: ArrayLike<number>, cols?: ArrayLike<number>): MatrixLike {
  const c = X.cols;
  const n = idx.length;
  if (cols === undefined) {
    const data = new (X.data.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(n * c);
    for (let i = 0; i < n; i++) data.set(X.data.subarray(idx[i]! * c, idx[i]! * c + c), i * c);
    return data instanceof Float64Array ? new Matrix(data, n, c) : { data, rows: n, cols: c };
  }
  const k = cols.length;
  const data = new (X.data.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(n * k);
  for (let i = 0; i < n; i++) {
    const base = idx[i]! * c;
    for (let j = 0; j < k; j++) data[i * k + j] = X.data[base + cols[j]!]!;
  }
  return data instanceof Float64Array ? new Matrix(data, n, k) : { data, rows: n, cols: k };
}

/** Entries `idx` of validated labels, in a form every `fit` accepts. */
export function takeLabels(y: Labels, idx: ArrayLike<number>): Float64Array | string[] {
  if (y.kind === 'number') return Float64Array.from({ length: idx.length }, (_, i) => y.values[idx[i]!]!);
  return Array.from({ length: idx.length }, (_, i) => y.values[idx[i]!]!);
}

/** Entries `idx` of a weight vector. */
export function takeWeights(w: ArrayLike<number> | undefined, idx: ArrayLike<number>): Float64Array | undefined {
  if (w === undefined) return undefined;
  return Float64Array.from({ length: idx.length }, (_, i) => w[idx[i]!]!);
}

/** Validated X (NaN allowed: members decide) and, when given, labels of the same length. */
export function checkXy(X: MatrixInput, y: LabelInput | undefined, owner: string, needY = true): { m: MatrixLike; labels: Labels | undefined } {
  const m = toMatrix(X, { allowInfinity: false });
  if (y === undefined) {
    if (needY) throw new InvalidInputError(`${owner} needs labels y`);
    return { m, labels: undefined };
  }
  return { m, labels: toLabels(y, m.rows) };
}

/** Labels as the array form estimators accept. */
export function labelsArray(y: Labels): Float64Array | string[] {
  return y.values;
}
