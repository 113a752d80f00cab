/**
 * Coercion and validation of what users pass in: feature matrices and labels. Everything native
 * code receives has gone through here, so errors name the argument, row and column in JS terms.
 */
import { InvalidInputError } from './errors.js';
import type { MatrixLike } from './matrix.js';

/** What estimators accept as a feature matrix (DESIGN.md, "Matrix in"). */
export type MatrixInput = readonly (readonly number[])[] | MatrixLike;

/** What estimators accept as labels. */
export type LabelInput = readonly number[] | readonly string[] | Float64Array | Float32Array | Int32Array | Uint8Array;

/** Largest element count a typed array may hold here (V8's limit on 64-bit builds, 2^32 - 1). */
const kMaxElements = 2 ** 32 - 1;

export interface MatrixCheckOptions {
  /** Argument name used in messages. Default 'X'. */
  name?: string;
  /** Reject NaN (missing values) instead of passing them on. Default false. */
  rejectNaN?: boolean;
  /** Accept +/-Infinity. Default false (as scikit-learn). */
  allowInfinity?: boolean;
  /** Expected column count (e.g. the count seen at fit). */
  cols?: number;
  /**
   * Return data the caller cannot reach: a caller's typed array is copied. Async jobs ask for this,
   * since they read X after the call returns, when the caller may have transferred (detached), resized
   * or rewritten the buffer; N-API cannot pin an ArrayBuffer. Default false (sync calls read in place).
   */
  copy?: boolean;
}

/** True when `buffer` has been detached (transferred or structuredClone'd away). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** ' (its ArrayBuffer is detached)' when it is, else ''. For messages about a length that looks wrong. */
export function detachedNote(view: ArrayBufferView): string {
  return isDetached(view.buffer) ? ' (its ArrayBuffer is detached: it was transferred away)' : '';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '…' : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function checkDimension(value: unknown, what: string, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidInputError(`Expected a non-negative integer for ${name}.${what} but received ${describe(value)}`);
  }
  return value;
}

function checkValues(data: ArrayLike<number>, rows: number, cols: number, opts: MatrixCheckOptions, name: string): void {
  const rejectNaN = opts.rejectNaN ?? false;
  const allowInfinity = opts.allowInfinity ?? false;
  if (!rejectNaN && allowInfinity) return;
  const n = rows * cols;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    // v - v is 0 for finite values and NaN for NaN and +/-Infinity: one test on the fast path.
    if (v - v !== 0) {
      if (v !== v) {
        if (!rejectNaN) continue;
        throw new InvalidInputError(`${name} contains NaN at row ${Math.floor(i / cols)}, column ${i % cols} (missing values are not accepted here)`);
      }
      if (!allowInfinity) {
        throw new InvalidInputError(`${name} contains ${v} at row ${Math.floor(i / cols)}, column ${i % cols}; use NaN for a missing value`);
      }
    }
  }
}

/**
 * Validates a feature matrix and returns it row-major. A `{ data, rows, cols }` input is returned
 * as is (no copy: native code reads the caller's buffer); a `number[][]` is copied into a
 * Float64Array. NaN means missing.
 */
export function toMatrix(X: unknown, opts: MatrixCheckOptions = {}): MatrixLike {
  const name = opts.name ?? 'X';
  let out: MatrixLike;
  if (Array.isArray(X)) {
    const rows = X.length;
    if (rows === 0) throw new InvalidInputError(`Expected at least one row in ${name} but received an empty array`);
    const first: unknown = X[0];
    if (!Array.isArray(first)) {
      throw new InvalidInputError(`Expected ${name} to be an array of rows (number[][]) but row 0 is ${describe(first)}`);
    }
    const cols = first.length;
    if (cols === 0) throw new InvalidInputError(`Expected at least one column in ${name} but row 0 is empty`);
    if (rows * cols > kMaxElements) throw new InvalidInputError(`${name} is too large: ${rows} x ${cols} values`);
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row: unknown = X[r];
      if (!Array.isArray(row)) throw new InvalidInputError(`Expected row ${r} of ${name} to be an array but received ${describe(row)}`);
      if (row.length !== cols) {
        throw new InvalidInputError(`Expected ${cols} values in row ${r} of ${name} (as in row 0) but received ${row.length}`);
      }
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const v: unknown = row[c];
        if (typeof v !== 'number') {
          throw new InvalidInputError(`Expected a number at row ${r}, column ${c} of ${name} but received ${describe(v)}`);
        }
        data[base + c] = v;
      }
    }
    out = { data, rows, cols };
  } else if (X !== null && typeof X === 'object' && 'data' in X && 'rows' in X && 'cols' in X) {
    const m = X as { data: unknown; rows: unknown; cols: unknown };
    if (!(m.data instanceof Float64Array) && !(m.data instanceof Float32Array)) {
      throw new InvalidInputError(`Expected ${name}.data to be a Float32Array or Float64Array but received ${describe(m.data)}`);
    }
    const rows = checkDimension(m.rows, 'rows', name);
    const cols = checkDimension(m.cols, 'cols', name);
    if (rows === 0 || cols === 0) throw new InvalidInputError(`Expected ${name} to have at least one row and one column but it is ${rows} x ${cols}`);
    const total = rows * cols;
    if (!Number.isSafeInteger(total) || total > kMaxElements) {
      throw new InvalidInputError(`${name} is too large: rows * cols = ${rows} x ${cols} overflows the element limit ${kMaxElements}`);
    }
    if (m.data.length !== total) {
      throw new InvalidInputError(`Expected ${name}.data of length rows * cols = ${total} but received ${m.data.length}${detachedNote(m.data)}`);
    }
    out = { data: opts.copy ? m.data.slice() : m.data, rows, cols };
  } else {
    throw new InvalidInputError(`Expected ${name} to be number[][] or { data: Float32Array | Float64Array, rows, cols } but received ${describe(X)}`);
  }
  if (opts.cols !== undefined && out.cols !== opts.cols) {
    throw new InvalidInputError(`Expected ${opts.cols} columns in ${name} (as at fit) but received ${out.cols}`);
  }
  checkValues(out.data, out.rows, out.cols, opts, name);
  return out;
}

/** Labels after validation: numbers, or strings kept as given. */
export type Labels = { kind: 'number'; values: Float64Array } | { kind: 'string'; values: string[] };

/** Validates labels: length `rows`, all numbers (finite) or all strings. */
export function toLabels(y: unknown, rows: number, name = 'y'): Labels {
  if (ArrayBuffer.isView(y) && !(y instanceof DataView)) {
    const arr = y as unknown as ArrayLike<number>;
    if (typeof (arr as { [i: number]: unknown })[0] === 'bigint') throw new InvalidInputError(`Expected numeric labels in ${name} but received a BigInt array`);
    if (arr.length !== rows) throw new InvalidInputError(`Expected ${rows} labels in ${name} (one per row of X) but received ${arr.length}${detachedNote(y)}`);
    const values = Float64Array.from(arr);
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(values[i]!)) throw new InvalidInputError(`Expected a finite label at ${name}[${i}] but received ${values[i]}`);
    }
    return { kind: 'number', values };
  }
  if (!Array.isArray(y)) throw new InvalidInputError(`Expected ${name} to be an array of labels but received ${describe(y)}`);
  if (y.length !== rows) throw new InvalidInputError(`Expected ${rows} labels in ${name} (one per row of X) but received ${y.length}`);
  if (rows === 0) throw new InvalidInputError(`Expected at least one label in ${name}`);
  if (typeof y[0] === 'string') {
    const values: string[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const v: unknown = y[i];
      if (typeof v !== 'string') throw new InvalidInputError(`Expected a string label at ${name}[${i}] (as ${name}[0]) but received ${describe(v)}`);
      values[i] = v;
    }
    return { kind: 'string', values };
  }
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v: unknown = y[i];
    if (typeof v !== 'number') throw new InvalidInputError(`Expected a number label at ${name}[${i}] but received ${describe(v)}`);
    if (!Number.isFinite(v)) throw new InvalidInputError(`Expected a finite label at ${name}[${i}] but received ${v}`);
    values[i] = v;
  }
  return { kind: 'number', values };
}

/** Class labels encoded as indices into the sorted `classes`. */
export interface EncodedClasses {
  classes: number[] | string[];
  indices: Int32Array;
}

/**
 * The index of each label in `classes`, -1 for a label not among them: a direct table when the
 * classes are small non-negative integers, a hash map otherwise.
 */
export function indexOfLabels(values: ArrayLike<number> | readonly string[], classes: readonly number[] | readonly string[]): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  if (typeof classes[0] === 'number') {
    const numeric = classes as readonly number[];
    const nums = values as ArrayLike<number>;
    const max = numeric.length > 0 ? numeric[numeric.length - 1]! : -1;
    if (numeric.every((c) => (c | 0) === c && c >= 0 && c < 65536)) {
      const table = new Int32Array(max + 1).fill(-1);
      numeric.forEach((c, i) => (table[c] = i));
      for (let i = 0; i < n; i++) {
        const v = nums[i]!;
        const iv = v | 0;
        out[i] = iv === v && iv >= 0 && iv <= max ? table[iv]! : -1;
      }
      return out;
    }
  }
  const index = new Map<number | string, number>((classes as readonly (number | string)[]).map((c, i) => [c, i]));
  for (let i = 0; i < n; i++) out[i] = index.get((values as ArrayLike<number | string>)[i]!) ?? -1;
  return out;
}

/** Sorts the distinct labels (numbers ascending, strings by code unit) and maps each row to its index. */
export function encodeClasses(labels: Labels): EncodedClasses {
  if (labels.kind === 'number') {
    // Plain loops (no iterator protocol, no callback per row): boosting encodes its labels once per
    // member fit, on every training row.
    const values = labels.values;
    const n = values.length;
    let max = -1;
    let small = true;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      const iv = v | 0;
      if (iv !== v || iv < 0 || iv >= 65536) {
        small = false;
        break;
      }
      if (iv > max) max = iv;
    }
    let classes: number[];
    if (small) {
      // Non-negative integer labels (the usual case, and what meta-estimators pass their members).
      const seen = new Uint8Array(max + 1);
      for (let i = 0; i < n; i++) seen[values[i]!] = 1;
      classes = [];
      for (let c = 0; c <= max; c++) if (seen[c]) classes.push(c);
    } else {
      const set = new Set<number>();
      for (let i = 0; i < n; i++) set.add(values[i]!);
      classes = Array.from(set).sort((a, b) => a - b);
    }
    return { classes, indices: indexOfLabels(values, classes) };
  }
  const classes = Array.from(new Set(labels.values)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  const indices = new Int32Array(labels.values.length);
  labels.values.forEach((v, i) => (indices[i] = index.get(v)!));
  return { classes, indices };
}

/**
 * The class of each row of `scores` (rows x classes, or rows x 1 for two classes): the column with
 * the largest score (ties: the first in `classes` order), or for one column `classes[1]` when the
 * score is above `binaryThreshold` (0 for margins, 0.5 for probabilities). Labels map back to `classes`.
 */
export function classesFromScores(scores: MatrixLike, classes: readonly number[] | readonly string[], binaryThreshold = 0): Float64Array | string[] {
  const { data, rows, cols } = scores;
  const best = new Int32Array(rows);
  if (cols === 1) {
    for (let i = 0; i < rows; i++) best[i] = data[i]! > binaryThreshold ? 1 : 0;
  } else {
    for (let i = 0; i < rows; i++) {
      let b = 0;
      for (let c = 1; c < cols; c++) if (data[i * cols + c]! > data[i * cols + b]!) b = c;
      best[i] = b;
    }
  }
  if (typeof classes[0] === 'string') return Array.from(best, (b) => (classes as readonly string[])[b]!);
  const out = new Float64Array(rows);
  const numeric = classes as readonly number[];
  for (let i = 0; i < rows; i++) out[i] = numeric[best[i]!]!;
  return out;
}
