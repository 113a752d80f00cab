/**
 * Multi-layer perceptron regressor (scikit-learn's `MLPRegressor`, same options in camelCase and the
 * same objective), trained natively on the GEMM kernels; one or several targets.
 */
import { registerEstimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import type { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { MLPBase, mlpParams, type MLPFitOptions, type MLPOptions } from './base.js';

/** Options of {@link MLPRegressor}. */
export type MLPRegressorOptions = MLPOptions;

/** Regression targets: one value per row, or a `rows x nOutputs` matrix for several at once. */
export type MLPTargetInput = LabelInput | MatrixInput;

function isMatrixShaped(y: unknown): boolean {
  if (Array.isArray(y)) return y.length > 0 && Array.isArray(y[0]);
  return y !== null && typeof y === 'object' && !ArrayBuffer.isView(y) && 'data' in y && 'rows' in y && 'cols' in y;
}

/**
 * A feed-forward network with an identity output and the squared error, as scikit-learn's
 * `MLPRegressor` (see {@link MLPClassifier} for what is shared). Several targets (y a matrix) are
 * fitted by one network with one output unit each; `predict` then returns the first column and
 * `predictMatrix` all of them. For several outputs the loss reported in `lossCurve` is
 * `Σ_o (y_o - ŷ_o)² / 2` per row, the function both libraries step along; scikit-learn reports it
 * divided by the number of outputs. Targets are not scaled: standardise y when it is large.
 */
export class MLPRegressor extends MLPBase<MLPRegressorOptions> implements Regressor {
  static readonly params: ParamTable = mlpParams;

  #multi = false;

  constructor(options: MLPRegressorOptions = {}) {
    super(options);
  }

  /** Fits off the event loop; cancellable with `signal`, progress (and `onEpoch`) after every epoch. */
  async fit(X: MatrixInput, y?: MLPTargetInput, opts: MLPFitOptions = {}): Promise<this> {
    return this.fitNative(X, y, opts);
  }

  /** Fits on the calling thread (blocks the event loop; for small data, scripts and workers). */
  fitSync(X: MatrixInput, y?: MLPTargetInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    return this.fitNativeSync(X, y, opts);
  }

  protected targets(y: unknown, rows: number) {
    let data: Float64Array;
    let outputs = 1;
    if (isMatrixShaped(y)) {
      const m = toMatrix(y, { name: 'y', rejectNaN: true, copy: true });
      if (m.rows !== rows) throw new InvalidInputError(`Expected ${rows} rows in y (one per row of X) but received ${m.rows}`);
      data = m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
      outputs = m.cols;
    } else {
      const labels = toLabels(y, rows);
      if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${this.name} but received strings`);
      data = labels.values;
    }
    return { y: data, nClasses: 0, outputs, output: 'identity' as const, meta: isMatrixShaped(y) };
  }

  protected commitTargets(meta: unknown): void {
    this.#multi = meta === true;
  }

  /** Predictions; with several outputs, those of the first (use {@link predictMatrix} for all). */
  predict(X: MatrixInput): Float64Array {
    const out = this.outputs(X, 'predict()');
    return out.cols === 1 ? out.data : out.column(0);
  }

  /** All outputs, `rows x nOutputs`. */
  predictMatrix(X: MatrixInput): Matrix {
    return this.outputs(X, 'predictMatrix()');
  }

  /** R² on (X, y), averaged uniformly over outputs (scikit-learn's `score`). */
  score(X: MatrixInput, y: MLPTargetInput): number {
    const p = this.outputs(X, 'score()');
    const t = isMatrixShaped(y) ? toMatrix(y, { name: 'y', rejectNaN: true }) : { data: toLabels(y, p.rows).values as ArrayLike<number>, rows: p.rows, cols: 1 };
    if (t.rows !== p.rows || t.cols !== p.cols) throw new InvalidInputError(`Expected y of ${p.rows} x ${p.cols} but received ${t.rows} x ${t.cols}`);
    let total = 0;
    for (let c = 0; c < p.cols; c++) {
      let mean = 0;
      for (let r = 0; r < p.rows; r++) mean += t.data[r * p.cols + c]!;
      mean /= p.rows;
      let res = 0;
      let tot = 0;
      for (let r = 0; r < p.rows; r++) {
        const v = t.data[r * p.cols + c]!;
        res += (v - p.data[r * p.cols + c]!) ** 2;
        tot += (v - mean) ** 2;
      }
      total += tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
    }
    return total / p.cols;
  }

  /** True when fitted on a y matrix (even of one column). */
  get multiOutput(): boolean {
    this.fittedState('reading multiOutput');
    return this.#multi;
  }

  protected stateToJSON(): unknown {
    return { ...this.stateToJSONBase(), multi: this.#multi };
  }

  protected stateFromJSON(state: unknown): void {
    const s = this.stateFromJSONBase(state);
    if (this.state_!.output !== 'identity') throw new ModelFormatError('Invalid MLPRegressor state: the output activation must be identity');
    this.#multi = s.multi === true;
  }
}

registerEstimator('MLPRegressor', MLPRegressor as never);
