/** Scaling each feature to a range (scikit-learn's `MinMaxScaler`). */
import { registerEstimator, type FitOptions } from '../core/estimator.js';
import { InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { handleZerosInScale, numbersFromJSON, numbersToJSON, TransformerBase } from './transformer.js';

export interface MinMaxScalerOptions {
  /** Target range `[lo, hi]` with lo < hi (default `[0, 1]`). */
  featureRange?: readonly [number, number];
  /** Clip transformed values to featureRange (default false: data outside the fitted range maps outside it). */
  clip?: boolean;
}

interface MinMaxState {
  nFeatures: number;
  dataMin: Float64Array;
  dataMax: Float64Array;
  scale: Float64Array;
  min: Float64Array;
}

/**
 * `x * scale + min` per feature, with `scale = (hi - lo) / (dataMax - dataMin)` and
 * `min = lo - dataMin * scale`, so the data seen at fit spans `[lo, hi]`. A constant feature gets
 * scale `hi - lo` (its range is treated as 1, as scikit-learn does). NaN values are ignored at fit
 * and stay NaN; a feature with no observed value has NaN statistics (and transforms to NaN).
 * Sample weights are accepted and ignored (the range does not depend on them).
 */
export class MinMaxScaler extends TransformerBase<MinMaxScalerOptions> {
  static readonly params: ParamTable = [
    { name: 'featureRange', type: 'any', default: [0, 1], doc: 'Target range [lo, hi], lo < hi.' },
    { name: 'clip', type: 'boolean', default: false, doc: 'Clip transformed values to featureRange.' },
  ];

  #state: MinMaxState | undefined;

  constructor(options: MinMaxScalerOptions = {}) {
    super(options);
  }

  #range(): [number, number] {
    const r = this.resolved().featureRange as unknown;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(r[0] < r[1])) {
      throw new InvalidParameterError(`Expected [lo, hi] with finite lo < hi for MinMaxScaler parameter 'featureRange' but received ${JSON.stringify(r)}`, 'featureRange');
    }
    return [r[0] as number, r[1] as number];
  }

  fitSync(X: MatrixInput, _y?: LabelInput, _opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const [lo, hi] = this.#range();
    const m = toMatrix(X);
    const { rows, cols, data } = m;
    const dataMin = new Float64Array(cols).fill(Infinity);
    const dataMax = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = data[base + j]!;
        if (v < dataMin[j]!) dataMin[j] = v;
        if (v > dataMax[j]!) dataMax[j] = v;
      }
    }
    const range = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      if (dataMin[j] === Infinity) {
        dataMin[j] = Number.NaN;
        dataMax[j] = Number.NaN;
      }
      range[j] = dataMax[j]! - dataMin[j]!;
    }
    const denom = handleZerosInScale(range.slice());
    const scale = new Float64Array(cols);
    const min = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      scale[j] = Number.isNaN(range[j]!) ? Number.NaN : (hi - lo) / denom[j]!;
      min[j] = lo - dataMin[j]! * scale[j]!;
    }
    this.#state = { nFeatures: cols, dataMin, dataMax, scale, min };
    this.markFitted();
    return this;
  }

  #fitted(what: string): MinMaxState {
    this.assertFitted(what);
    return this.#state!;
  }

  transform(X: MatrixInput): Matrix {
    const s = this.#fitted('transform()');
    const clip = this.resolved().clip;
    const [lo, hi] = this.#range();
    const m = toMatrix(X, { cols: s.nFeatures });
    const out = new Float64Array(m.rows * m.cols);
    for (let i = 0; i < m.rows * m.cols; i++) {
      const j = i % m.cols;
      let v = m.data[i]! * s.scale[j]! + s.min[j]!;
      if (clip) v = v < lo ? lo : v > hi ? hi : v;
      out[i] = v;
    }
    return new Matrix(out, m.rows, m.cols);
  }

  /** Undoes {@link transform} (without clipping): `(x - min) / scale`. */
  inverseTransform(X: MatrixInput): Matrix {
    const s = this.#fitted('inverseTransform()');
    const m = toMatrix(X, { cols: s.nFeatures });
    const out = new Float64Array(m.rows * m.cols);
    for (let i = 0; i < m.rows * m.cols; i++) {
      const j = i % m.cols;
      out[i] = (m.data[i]! - s.min[j]!) / s.scale[j]!;
    }
    return new Matrix(out, m.rows, m.cols);
  }

  /** Per-feature minimum seen at fit. */
  get dataMin(): Float64Array {
    return this.#fitted('reading dataMin').dataMin.slice();
  }

  /** Per-feature maximum seen at fit. */
  get dataMax(): Float64Array {
    return this.#fitted('reading dataMax').dataMax.slice();
  }

  /** `dataMax - dataMin`. */
  get dataRange(): Float64Array {
    const s = this.#fitted('reading dataRange');
    return s.dataMax.map((v, j) => v - s.dataMin[j]!);
  }

  /** Per-feature multiplier. */
  get scale(): Float64Array {
    return this.#fitted('reading scale').scale.slice();
  }

  /** Per-feature offset added after scaling. */
  get min(): Float64Array {
    return this.#fitted('reading min').min.slice();
  }

  get nFeaturesIn(): number {
    return this.#fitted('reading nFeaturesIn').nFeatures;
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { nFeatures: s.nFeatures, dataMin: numbersToJSON(s.dataMin), dataMax: numbersToJSON(s.dataMax), scale: numbersToJSON(s.scale), min: numbersToJSON(s.min) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>;
    const n = s.nFeatures;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ModelFormatError('Invalid MinMaxScaler state: nFeatures');
    const get = (k: string): Float64Array => {
      const v = numbersFromJSON(s[k], n);
      if (!v) throw new ModelFormatError(`Invalid MinMaxScaler state: ${k} must be ${n} numbers`);
      return v;
    };
    this.#state = { nFeatures: n, dataMin: get('dataMin'), dataMax: get('dataMax'), scale: get('scale'), min: get('min') };
  }
}

registerEstimator('MinMaxScaler', MinMaxScaler as never);
