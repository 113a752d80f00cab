/** Filling missing values (NaN) per feature (scikit-learn's `SimpleImputer`). */
import { registerEstimator, type FitOptions } from '../core/estimator.js';
import { InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { numbersFromJSON, numbersToJSON, TransformerBase } from './transformer.js';

export interface SimpleImputerOptions {
  /**
   * What replaces a missing value of a feature: the `'mean'` (default), `'median'` or
   * `'most_frequent'` (the smallest of tied values) of its observed values at fit, or the
   * `'constant'` fillValue.
   */
  strategy?: 'mean' | 'median' | 'most_frequent' | 'constant';
  /** The value for strategy 'constant' (default 0). */
  fillValue?: number | null;
  /**
   * Keep features that had no observed value at fit, filled with 0 (strategy 'constant': fillValue).
   * Default false: such features are dropped from the output, as scikit-learn 1.2 does.
   */
  keepEmptyFeatures?: boolean;
}

interface ImputerState {
  nFeatures: number;
  statistics: Float64Array;
  /** Indices of the input columns present in the output. */
  kept: Int32Array;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const n = values.length;
  const h = n >> 1;
  return n % 2 ? values[h]! : (values[h - 1]! + values[h]!) / 2;
}

function mostFrequent(values: number[]): number {
  values.sort((a, b) => a - b);
  let best = values[0]!;
  let bestCount = 0;
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = values[i]!;
    }
    i = j;
  }
  return best;
}

/**
 * Replaces NaN (the library's missing value) per feature. Infinity is not accepted (as in
 * scikit-learn). Sample weights are accepted and ignored. There is no inverseTransform: which values
 * were missing is not kept.
 */
export class SimpleImputer extends TransformerBase<SimpleImputerOptions> {
  static readonly params: ParamTable = [
    { name: 'strategy', type: 'string', default: 'mean', oneOf: ['mean', 'median', 'most_frequent', 'constant'], doc: 'mean, median, most_frequent or constant.' },
    { name: 'fillValue', type: 'number', default: null, nullable: true, doc: "The value for strategy 'constant' (null: 0)." },
    { name: 'keepEmptyFeatures', type: 'boolean', default: false, doc: 'Keep features with no observed value at fit (filled with 0) instead of dropping them.' },
  ];

  #state: ImputerState | undefined;

  constructor(options: SimpleImputerOptions = {}) {
    super(options);
  }

  fitSync(X: MatrixInput, _y?: LabelInput, _opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const p = this.resolved();
    if (p.fillValue !== null && !Number.isFinite(p.fillValue)) {
      throw new InvalidParameterError(`Expected a finite number for SimpleImputer parameter 'fillValue' but received ${p.fillValue}`, 'fillValue');
    }
    const m = toMatrix(X);
    const { rows, cols, data } = m;
    const statistics = new Float64Array(cols);
    const kept: number[] = [];
    for (let j = 0; j < cols; j++) {
      if (p.strategy === 'constant') {
        statistics[j] = p.fillValue ?? 0;
        kept.push(j);
        continue;
      }
      const values: number[] = [];
      for (let i = 0; i < rows; i++) {
        const v = data[i * cols + j]!;
        if (v === v) values.push(v);
      }
      if (values.length === 0) {
        statistics[j] = p.keepEmptyFeatures ? 0 : Number.NaN;
        if (p.keepEmptyFeatures) kept.push(j);
        continue;
      }
      if (p.strategy === 'mean') {
        let s = 0;
        for (const v of values) s += v;
        statistics[j] = s / values.length;
      } else if (p.strategy === 'median') {
        statistics[j] = median(values);
      } else {
        statistics[j] = mostFrequent(values);
      }
      kept.push(j);
    }
    this.#state = { nFeatures: cols, statistics, kept: Int32Array.from(kept) };
    this.markFitted();
    return this;
  }

  #fitted(what: string): ImputerState {
    this.assertFitted(what);
    return this.#state!;
  }

  /** X with each NaN replaced by its feature's statistic; features empty at fit dropped (unless keepEmptyFeatures). */
  transform(X: MatrixInput): Matrix {
    const s = this.#fitted('transform()');
    const m = toMatrix(X, { cols: s.nFeatures });
    const k = s.kept.length;
    const out = new Float64Array(m.rows * k);
    for (let i = 0; i < m.rows; i++) {
      for (let c = 0; c < k; c++) {
        const j = s.kept[c]!;
        const v = m.data[i * m.cols + j]!;
        out[i * k + c] = v === v ? v : s.statistics[j]!;
      }
    }
    return new Matrix(out, m.rows, k);
  }

  /** The fill value per input feature (NaN for a feature dropped because it had no observed value). */
  get statistics(): Float64Array {
    return this.#fitted('reading statistics').statistics.slice();
  }

  get nFeaturesIn(): number {
    return this.#fitted('reading nFeaturesIn').nFeatures;
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { nFeatures: s.nFeatures, statistics: numbersToJSON(s.statistics), kept: Array.from(s.kept) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = (state ?? {}) as Record<string, unknown>;
    const n = s.nFeatures;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ModelFormatError('Invalid SimpleImputer state: nFeatures');
    const statistics = numbersFromJSON(s.statistics, n);
    const kept = s.kept;
    if (!statistics) throw new ModelFormatError(`Invalid SimpleImputer state: statistics must be ${n} numbers`);
    if (!Array.isArray(kept) || !kept.every((j) => Number.isInteger(j) && j >= 0 && j < n)) throw new ModelFormatError('Invalid SimpleImputer state: kept');
    this.#state = { nFeatures: n, statistics, kept: Int32Array.from(kept as number[]) };
  }
}

registerEstimator('SimpleImputer', SimpleImputer as never);
