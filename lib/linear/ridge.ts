/**
 * Least squares and ridge regression in closed form (scikit-learn's `LinearRegression` and
 * `Ridge(solver='cholesky')`), on the native GEMM and Cholesky kernels; one or several targets.
 */
import { BaseEstimator, registerEstimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { native, runJob, type NativeRidgeOptions, type NativeRidgeResult } from '../native.js';
import { toSampleWeight } from './weights.js';

/** Regression targets: one value per row, or a matrix of `rows x nTargets` for several targets at once. */
export type TargetInput = LabelInput | MatrixInput;

interface Targets {
  data: Float64Array;
  nTargets: number;
  /** y was a matrix (even with one column): predictions then come from predictMatrix. */
  multi: boolean;
}

function isMatrixShaped(y: unknown): boolean {
  if (Array.isArray(y)) return y.length > 0 && Array.isArray(y[0]);
  return y !== null && typeof y === 'object' && !ArrayBuffer.isView(y) && 'data' in y && 'rows' in y && 'cols' in y;
}

function toTargets(y: TargetInput | undefined, rows: number, owner: string): Targets {
  if (y === undefined) throw new InvalidInputError(`${owner}.fit needs targets y`);
  if (isMatrixShaped(y)) {
    const m = toMatrix(y, { name: 'y', rejectNaN: true, copy: true });
    if (m.rows !== rows) throw new InvalidInputError(`Expected ${rows} rows in y (one per row of X) but received ${m.rows}`);
    return { data: m.data instanceof Float64Array ? m.data : Float64Array.from(m.data), nTargets: m.cols, multi: true };
  }
  const labels = toLabels(y, rows);
  if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${owner} but received strings`);
  return { data: labels.values, nTargets: 1, multi: false };
}

interface LinearState {
  nFeatures: number;
  nTargets: number;
  multi: boolean;
  coef: Float64Array;
  intercept: Float64Array;
  solver: 'cholesky' | 'eigen';
  rank: number;
}

interface CommonOptions {
  fitIntercept?: boolean;
  nThreads?: number;
}

/** The shared body of {@link LinearRegression} and {@link Ridge}. */
abstract class LinearRegressorBase<P extends CommonOptions> extends BaseEstimator<P> implements Regressor {
  #state: LinearState | undefined;

  protected abstract alpha(): number;

  async fit(X: MatrixInput, y?: TargetInput, opts: FitOptions = {}): Promise<this> {
    const j = this.#prepare(X, y, opts, true);
    const r = await runJob((token, onProgress) => native.linear.ridgeFit(j.m.data, j.m.rows, j.m.cols, j.t.data, j.t.nTargets, j.w, j.options, token, onProgress), opts);
    this.#finish(j.m, j.t, r);
    return this;
  }

  /** Fits on the calling thread. */
  fitSync(X: MatrixInput, y?: TargetInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const j = this.#prepare(X, y, opts);
    this.#finish(j.m, j.t, native.linear.ridgeFitSync(j.m.data, j.m.rows, j.m.cols, j.t.data, j.t.nTargets, j.w, j.options));
    return this;
  }

  #prepare(X: MatrixInput, y: TargetInput | undefined, opts: Pick<FitOptions, 'sampleWeight'>, copy = false) {
    const p = this.resolved();
    const m = toMatrix(X, { rejectNaN: true, copy });
    const t = toTargets(y, m.rows, this.name);
    const w = toSampleWeight(opts.sampleWeight, m.rows);
    const options: NativeRidgeOptions = { alpha: this.alpha(), fitIntercept: p.fitIntercept ?? true, nThreads: p.nThreads ?? 0 };
    return { m, t, w, options };
  }

  #finish(m: MatrixLike, t: Targets, r: NativeRidgeResult): void {
    this.#state = { nFeatures: m.cols, nTargets: t.nTargets, multi: t.multi, coef: r.coef, intercept: r.intercept, solver: r.solver, rank: r.rank };
    this.markFitted();
  }

  #fitted(what: string): LinearState {
    this.assertFitted(what);
    return this.#state!;
  }

  /**
   * Predictions for a model fitted on a one-dimensional y. A model fitted on a matrix y (several
   * targets) throws here: use {@link predictMatrix}.
   */
  predict(X: MatrixInput): Float64Array {
    const s = this.#fitted('predict()');
    if (s.multi) {
      throw new InvalidInputError(`${this.name} was fitted on a matrix y (${s.nTargets} targets): use predictMatrix() for its predictions`);
    }
    return this.predictMatrix(X).data;
  }

  /** Predictions as `rows x nTargets` (any fit; one column for a one-dimensional y). */
  predictMatrix(X: MatrixInput): Matrix {
    const s = this.#fitted('predictMatrix()');
    const m = toMatrix(X, { rejectNaN: true, cols: s.nFeatures });
    const out = native.linear.decision(m.data, m.rows, m.cols, s.coef, s.nTargets, s.intercept, this.#threads());
    return new Matrix(out, m.rows, s.nTargets);
  }

  /** Coefficient of determination R² (averaged uniformly over targets), as scikit-learn's score. */
  score(X: MatrixInput, y: TargetInput, sampleWeight?: ArrayLike<number>): number {
    const pred = this.predictMatrix(X);
    const t = toTargets(y, pred.rows, this.name);
    if (t.nTargets !== pred.cols) throw new InvalidInputError(`Expected ${pred.cols} target columns in y but received ${t.nTargets}`);
    const w = toSampleWeight(sampleWeight, pred.rows);
    let total = 0;
    for (let c = 0; c < pred.cols; c++) {
      let sw = 0;
      let mean = 0;
      for (let i = 0; i < pred.rows; i++) {
        const wi = w ? w[i]! : 1;
        sw += wi;
        mean += wi * t.data[i * pred.cols + c]!;
      }
      mean /= sw;
      let ssRes = 0;
      let ssTot = 0;
      for (let i = 0; i < pred.rows; i++) {
        const wi = w ? w[i]! : 1;
        const v = t.data[i * pred.cols + c]!;
        ssRes += wi * (v - pred.data[i * pred.cols + c]!) ** 2;
        ssTot += wi * (v - mean) ** 2;
      }
      // scikit-learn: a constant target scores 1 when predicted exactly, else 0.
      total += ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
    }
    return total / pred.cols;
  }

  /** Coefficients `nTargets x nFeatures` (one row for a one-dimensional y; a copy). */
  get coef(): Matrix {
    const s = this.#fitted('reading coef');
    return new Matrix(s.coef.slice(), s.nTargets, s.nFeatures);
  }

  /** One intercept per target (zeros without fitIntercept; a copy). */
  get intercept(): Float64Array {
    return this.#fitted('reading intercept').intercept.slice();
  }

  /** Number of target columns. */
  get nTargets(): number {
    return this.#fitted('reading nTargets').nTargets;
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.#fitted('reading nFeaturesIn').nFeatures;
  }

  /**
   * How the normal equations were solved: `'cholesky'`, or `'eigen'` when `XᵀX + alpha I` was not
   * safely positive definite (collinear or constant columns, more columns than rows) and the
   * minimum-norm solution was computed instead.
   */
  get solver(): 'cholesky' | 'eigen' {
    return this.#fitted('reading solver').solver;
  }

  /** Numerical rank of the (centred, weighted) system solved. */
  get rank(): number {
    return this.#fitted('reading rank').rank;
  }

  #threads(): number {
    const n = (this.params_ as CommonOptions).nThreads;
    return typeof n === 'number' && Number.isInteger(n) ? n : 0;
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { ...s, coef: Array.from(s.coef), intercept: Array.from(s.intercept) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    const bad = (what: string) => new ModelFormatError(`Invalid ${this.name} state: ${what}`);
    if (s === null || typeof s !== 'object') throw bad('expected an object');
    const int = (v: unknown, name: string): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad(`${name} must be a positive integer`);
      return v;
    };
    const nFeatures = int(s.nFeatures, 'nFeatures');
    const nTargets = int(s.nTargets, 'nTargets');
    const numbers = (v: unknown, n: number, name: string): Float64Array => {
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad(`${name} must be ${n} finite numbers`);
      return Float64Array.from(v as number[]);
    };
    this.#state = {
      nFeatures,
      nTargets,
      multi: s.multi === true,
      coef: numbers(s.coef, nTargets * nFeatures, 'coef'),
      intercept: numbers(s.intercept, nTargets, 'intercept'),
      solver: s.solver === 'eigen' ? 'eigen' : 'cholesky',
      rank: typeof s.rank === 'number' ? s.rank : nFeatures,
    };
  }
}

/** Options of {@link LinearRegression}. */
export interface LinearRegressionOptions {
  /** Fit an intercept (X and y are centred on their weighted means first). Default true. */
  fitIntercept?: boolean;
  /** Threads; <= 0 (default) means all cores. */
  nThreads?: number;
}

/**
 * Ordinary least squares: minimises `Σ_i s_i ||y_i - W x_i - b||²`. Solved through the normal
 * equations by Cholesky; when `XᵀX` is singular or nearly so (collinear or constant columns, fewer
 * rows than columns) the minimum-norm solution is returned instead (as scikit-learn's, which uses
 * `scipy.linalg.lstsq`), and {@link solver} says `'eigen'`. Forming `XᵀX` squares the condition
 * number: for badly conditioned X prefer a small Ridge penalty.
 */
export class LinearRegression extends LinearRegressorBase<LinearRegressionOptions> {
  static readonly params: ParamTable = [
    { name: 'fitIntercept', type: 'boolean', default: true, doc: 'Fit an intercept (centre X and y first).' },
    { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
  ];

  constructor(options: LinearRegressionOptions = {}) {
    super(options);
  }

  protected alpha(): number {
    return 0;
  }
}

/** Options of {@link Ridge}. */
export interface RidgeOptions {
  /** L2 penalty strength `alpha >= 0` on `||W||²` (default 1; the intercept is not penalised). */
  alpha?: number;
  /** Fit an intercept (X and y are centred on their weighted means first). Default true. */
  fitIntercept?: boolean;
  /** Threads; <= 0 (default) means all cores. */
  nThreads?: number;
}

/**
 * Ridge regression: minimises `Σ_i s_i ||y_i - W x_i - b||² + alpha ||W||²` in closed form,
 * `(XᵀX + alpha I) Wᵀ = XᵀY` by Cholesky (scikit-learn's `Ridge(solver='cholesky')`, what its
 * 'auto' picks for dense X), with the same minimum-norm fallback as {@link LinearRegression}.
 */
export class Ridge extends LinearRegressorBase<RidgeOptions> {
  static readonly params: ParamTable = [
    { name: 'alpha', type: 'number', default: 1, min: 0, doc: 'L2 penalty strength on the coefficients.' },
    { name: 'fitIntercept', type: 'boolean', default: true, doc: 'Fit an intercept (centre X and y first).' },
    { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
  ];

  constructor(options: RidgeOptions = {}) {
    super(options);
  }

  protected alpha(): number {
    return this.resolved().alpha;
  }
}

// The registry takes constructors of Record<string, unknown>; ours take their typed options.
registerEstimator('LinearRegression', LinearRegression as never);
registerEstimator('Ridge', Ridge as never);
