/** Standardisation: `(x - mean) / std` per feature (scikit-learn's `StandardScaler`). */
import { registerEstimator, type FitOptions } from '../core/estimator.js';
import { ModelFormatError } from '../core/errors.js';
import { toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { toSampleWeight } from '../linear/weights.js';
import { handleZerosInScale, numbersFromJSON, numbersToJSON, TransformerBase } from './transformer.js';

export interface StandardScalerOptions {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

interface ScalerState {
  nFeatures: number;
  mean: Float64Array;
  variance: Float64Array;
  scale: Float64Array;
  nSamplesSeen: Float64Array;
}

/**
 * Centres and scales each feature to unit variance: `z = (x - mean) / scale`, with the population
 * (ddof = 0) standard deviation, optionally weighted by `sampleWeight`. NaN values are missing: they
 * are ignored at fit and stay NaN through transform. A feature that is constant (variance within
 * the rounding error of the two-pass algorithm, scikit-learn's test) gets scale 1, so it becomes 0
 * rather than NaN. A feature with no observed value gets mean 0 and scale 1.
 */
export class StandardScaler extends TransformerBase<StandardScalerOptions> {
  static readonly params: ParamTable = [
    { name: 'withMean', type: 'boolean', default: true, doc: 'Subtract the mean.' },
    { name: 'withStd', type: 'boolean', default: true, doc: 'Divide by the standard deviation.' },
  ];

  #state: ScalerState | undefined;

  constructor(options: StandardScalerOptions = {}) {
    super(options);
  }

  fitSync(X: MatrixInput, _y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    this.resolved();
    const m = toMatrix(X);
    const w = toSampleWeight(opts.sampleWeight, m.rows);
    const { rows, cols, data } = m;
    const count = new Float64Array(cols);
    const mean = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const wi = w ? w[i]! : 1;
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = data[base + j]!;
        if (v === v) {
          count[j]! += wi;
          mean[j]! += wi * v;
        }
      }
    }
    for (let j = 0; j < cols; j++) mean[j] = count[j]! > 0 ? mean[j]! / count[j]! : 0;
    // Second pass for the variance (exact two-pass algorithm; the constant-feature test below
    // bounds its rounding error).
    const variance = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const wi = w ? w[i]! : 1;
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = data[base + j]!;
        if (v === v) variance[j]! += wi * (v - mean[j]!) ** 2;
      }
    }
    const constant = new Uint8Array(cols);
    const eps = Number.EPSILON;
    for (let j = 0; j < cols; j++) {
      const n = count[j]!;
      variance[j] = n > 0 ? variance[j]! / n : 0;
      const bound = n * eps * variance[j]! + (n * mean[j]! * eps) ** 2;
      constant[j] = n === 0 || variance[j]! <= bound ? 1 : 0;
    }
    const scale = handleZerosInScale(variance.map(Math.sqrt), constant);
    this.#state = { nFeatures: cols, mean, variance, scale, nSamplesSeen: count };
    this.markFitted();
    return this;
  }

  #fitted(what: string): ScalerState {
    this.assertFitted(what);
    return this.#state!;
  }

  transform(X: MatrixInput): Matrix {
    const s = this.#fitted('transform()');
    const { withMean, withStd } = this.resolved();
    const m = toMatrix(X, { cols: s.nFeatures });
    const out = new Float64Array(m.rows * m.cols);
    const cols = m.cols;
    for (let i = 0; i < m.rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        let v = m.data[base + j]!;
        if (withMean) v -= s.mean[j]!;
        if (withStd) v /= s.scale[j]!;
        out[base + j] = v;
      }
    }
    return new Matrix(out, m.rows, cols);
  }

  /** Undoes {@link transform}: `x * scale + mean`. */
  inverseTransform(X: MatrixInput): Matrix {
    const s = this.#fitted('inverseTransform()');
    const { withMean, withStd } = this.resolved();
    const m = toMatrix(X, { cols: s.nFeatures });
    const out = new Float64Array(m.rows * m.cols);
    const cols = m.cols;
    for (let i = 0; i < m.rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        let v = m.data[base + j]!;
        if (withStd) v *= s.scale[j]!;
        if (withMean) v += s.mean[j]!;
        out[base + j] = v;
      }
    }
    return new Matrix(out, m.rows, cols);
  }

  /** Per-feature (weighted) means seen at fit; null when neither withMean nor withStd (as scikit-learn). */
  get mean(): Float64Array | null {
    const s = this.#fitted('reading mean');
    const p = this.resolved();
    return p.withMean || p.withStd ? s.mean.slice() : null;
  }

  /** Per-feature population variances; null without withStd. */
  get variance(): Float64Array | null {
    const s = this.#fitted('reading variance');
    return this.resolved().withStd ? s.variance.slice() : null;
  }

  /** Per-feature scales (standard deviations, 1 for constant features); null without withStd. */
  get scale(): Float64Array | null {
    const s = this.#fitted('reading scale');
    return this.resolved().withStd ? s.scale.slice() : null;
  }

  /** Per-feature number (sum of weights) of non-missing values seen at fit. */
  get nSamplesSeen(): Float64Array {
    return this.#fitted('reading nSamplesSeen').nSamplesSeen.slice();
  }

  get nFeaturesIn(): number {
    return this.#fitted('reading nFeaturesIn').nFeatures;
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { nFeatures: s.nFeatures, mean: numbersToJSON(s.mean), variance: numbersToJSON(s.variance), scale: numbersToJSON(s.scale), nSamplesSeen: numbersToJSON(s.nSamplesSeen) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>;
    const n = s.nFeatures;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ModelFormatError('Invalid StandardScaler state: nFeatures');
    const get = (k: string): Float64Array => {
      const v = numbersFromJSON(s[k], n);
      if (!v) throw new ModelFormatError(`Invalid StandardScaler state: ${k} must be ${n} numbers`);
      return v;
    };
    this.#state = { nFeatures: n, mean: get('mean'), variance: get('variance'), scale: get('scale'), nSamplesSeen: get('nSamplesSeen') };
  }
}

registerEstimator('StandardScaler', StandardScaler as never);
