/**
 * The shared body of the pure-TypeScript transformers: `fit` is the synchronous fit behind the
 * async contract (these are single memory-bound passes, cheaper than a trip to the thread pool),
 * honouring an already-aborted signal and reporting completion.
 */
import { BaseEstimator, type FitOptions, type Transformer } from '../core/estimator.js';
import { AbortError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import type { Matrix } from '../core/matrix.js';

export abstract class TransformerBase<P extends object> extends BaseEstimator<P> implements Transformer {
  /** Fits on the calling thread. */
  abstract fitSync(X: MatrixInput, y?: LabelInput, opts?: Pick<FitOptions, 'sampleWeight'>): this;
  /** Applies the fitted transformation; returns a new Matrix (the input is not modified). */
  abstract transform(X: MatrixInput): Matrix;

  /** Fits (synchronously inside: a single pass over X). Rejects with AbortError if `signal` is already aborted. */
  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    if (opts.signal?.aborted) throw new AbortError();
    this.fitSync(X, y, opts);
    opts.onProgress?.(1, this.name);
    return this;
  }

  async fitTransform(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<Matrix> {
    await this.fit(X, y, opts);
    return this.transform(X);
  }

  fitTransformSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): Matrix {
    return this.fitSync(X, y, opts).transform(X);
  }
}

/** scikit-learn's `_handle_zeros_in_scale`: scales that are (nearly) zero, or flagged constant, become 1. */
export function handleZerosInScale(scale: Float64Array, constant?: Uint8Array): Float64Array {
  const eps = Number.EPSILON;
  for (let j = 0; j < scale.length; j++) {
    if ((constant && constant[j]) || scale[j]! < 10 * eps) scale[j] = 1;
  }
  return scale;
}

/** JSON cannot hold NaN / Infinity: arrays of numbers are written with `null` for NaN. */
export function numbersToJSON(a: Float64Array): (number | null)[] {
  return Array.from(a, (v) => (Number.isNaN(v) ? null : v));
}

/** Reads what {@link numbersToJSON} wrote; `null` becomes NaN. Returns undefined when the shape is wrong. */
export function numbersFromJSON(v: unknown, n: number): Float64Array | undefined {
  if (!Array.isArray(v) || v.length !== n) return undefined;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (x === null) out[i] = Number.NaN;
    else if (typeof x === 'number' && Number.isFinite(x)) out[i] = x;
    else return undefined;
  }
  return out;
}
