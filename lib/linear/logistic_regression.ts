/**
 * Logistic regression (scikit-learn's `LogisticRegression(solver='lbfgs')`, same parameters in
 * camelCase and the same objective), fitted natively by L-BFGS over the GEMM kernels.
 */
import { BaseEstimator, registerEstimator, type Classifier, type FitOptions } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import { classesFromScores, encodeClasses, toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { native, runJob, type NativeLogisticOptions, type NativeLogisticResult } from '../native.js';
import { classWeightFactors, combineWeights, toSampleWeight, type ClassWeight } from './weights.js';
import { accuracyScore } from '../metrics/classification.js';

/** Options of {@link LogisticRegression}. */
export interface LogisticRegressionOptions {
  /** `'l2'` (default) penalises `||W||² / (2C)`; `'none'` fits without penalty (C is ignored). */
  penalty?: 'l2' | 'none';
  /**
   * Inverse regularisation strength (> 0, default 1). The objective is scikit-learn's:
   * `0.5 ||W||² + C Σ_i s_i loss_i` (s_i: sample times class weight), the intercept not penalised.
   */
  C?: number;
  /** Fit an intercept per coefficient row (default true). */
  fitIntercept?: boolean;
  /**
   * Class weights multiplied into the sample weights: `null` (default), `'balanced'`
   * (`nSamples / (nClasses * count(class))`, scikit-learn's formula) or `{ [label]: weight }`.
   */
  classWeight?: ClassWeight;
  /** L-BFGS iterations at most (default 100, as scikit-learn). */
  maxIter?: number;
  /**
   * Stop when max |gradient| <= tol (default 1e-4), the gradient of `Σ_i s_i loss_i + ||W||²/(2C)`
   * as in scikit-learn 1.2; the fit also stops when an iteration lowers that objective by a relative
   * 2.2e-9 or less (scipy's L-BFGS-B default `factr`).
   */
  tol?: number;
  /**
   * Not in scikit-learn: the relative-decrease stopping test, `(f_old - f) / max(|f_old|, |f|, 1) <= ftol`
   * after an iteration. The default is scipy's L-BFGS-B default (`factr * eps` = 2.2e-9), which
   * scikit-learn always uses; it usually stops the fit before `tol` does, a little short of the
   * optimum (~1e-3 relative on the coefficients of iris). Set 0 to run until `tol` or `maxIter`.
   */
  ftol?: number;
  /** Threads; <= 0 (default) means all cores. Results do not depend on it. */
  nThreads?: number;
}

interface LogisticState {
  classes: number[] | string[];
  nFeatures: number;
  rows: number;
  coef: Float64Array;
  intercept: Float64Array;
  nIter: number;
  converged: boolean;
}

/**
 * Binary and multinomial logistic regression with an L2 penalty. Two classes fit one coefficient
 * vector (the logistic function of `x·w + b` is the probability of `classes[1]`), more classes a
 * softmax over one row per class, exactly as scikit-learn's default (`multi_class='auto'`). The
 * solver is L-BFGS with a strong-Wolfe line search and scipy's stopping rules (see
 * native/core/linalg/lbfgs.h), so coefficients agree with scikit-learn's at convergence.
 *
 * X must not contain NaN (impute first, e.g. with a Pipeline and SimpleImputer).
 */
export class LogisticRegression extends BaseEstimator<LogisticRegressionOptions> implements Classifier {
  static readonly params: ParamTable = [
    { name: 'penalty', type: 'string', default: 'l2', oneOf: ['l2', 'none'], doc: "'l2' penalises ||W||²/(2C); 'none' fits without penalty." },
    { name: 'C', type: 'number', default: 1, gt: 0, doc: 'Inverse regularisation strength: 0.5||W||² + C Σ s_i loss_i.' },
    { name: 'fitIntercept', type: 'boolean', default: true, doc: 'Fit an (unpenalised) intercept.' },
    { name: 'classWeight', type: 'any', default: null, nullable: true, doc: "null, 'balanced' or { label: weight }, multiplied into the sample weights." },
    { name: 'maxIter', type: 'int', default: 100, min: 0, doc: 'L-BFGS iterations at most.' },
    { name: 'tol', type: 'number', default: 1e-4, min: 0, doc: 'Stop when max |gradient| <= tol.' },
    { name: 'ftol', type: 'number', default: 2.220446049250313e-9, min: 0, doc: "Stop when an iteration lowers the objective by a relative ftol or less (scipy's default; 0 disables)." },
    { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
  ];

  #state: LogisticState | undefined;

  constructor(options: LogisticRegressionOptions = {}) {
    super(options);
  }

  /** Fits off the event loop; cancellable with `signal`, progress per L-BFGS iteration. */
  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    const job = this.#prepare(X, y, opts, true);
    const result = await runJob(
      (token, onProgress) => native.linear.logisticFit(job.m.data, job.m.rows, job.m.cols, job.indices, job.classes.length, job.weights, job.options, token, onProgress),
      opts,
    );
    this.#finish(job, result);
    return this;
  }

  /** Fits on the calling thread (blocks the event loop; for small data, scripts and workers). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const job = this.#prepare(X, y, opts);
    this.#finish(job, native.linear.logisticFitSync(job.m.data, job.m.rows, job.m.cols, job.indices, job.classes.length, job.weights, job.options));
    return this;
  }

  #prepare(X: MatrixInput, y: LabelInput | undefined, opts: Pick<FitOptions, 'sampleWeight'>, copy = false) {
    const p = this.resolved();
    const m = toMatrix(X, { rejectNaN: true, copy });
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs labels y`);
    const { classes, indices } = encodeClasses(toLabels(y, m.rows));
    if (classes.length < 2) {
      throw new InvalidInputError(`Expected at least 2 classes in y for ${this.name} but received only ${JSON.stringify(classes[0])}`);
    }
    const factors = classWeightFactors(p.classWeight, classes, indices, this.name);
    const weights = combineWeights(toSampleWeight(opts.sampleWeight, m.rows), factors, indices);
    const options: NativeLogisticOptions = {
      C: p.C,
      penalty: p.penalty === 'l2',
      fitIntercept: p.fitIntercept,
      maxIter: p.maxIter,
      tol: p.tol,
      ftol: p.ftol,
      nThreads: p.nThreads,
    };
    return { m, classes, indices, weights, options };
  }

  #finish(job: { m: MatrixLike; classes: number[] | string[] }, r: NativeLogisticResult): void {
    this.#state = {
      classes: job.classes,
      nFeatures: job.m.cols,
      rows: r.rows,
      coef: r.coef,
      intercept: r.intercept,
      nIter: r.nIter,
      converged: r.converged,
    };
    this.markFitted();
  }

  #fitted(what: string): LogisticState {
    this.assertFitted(what);
    return this.#state!;
  }

  #input(X: MatrixInput, what: string): MatrixLike {
    const s = this.#fitted(what);
    return toMatrix(X, { rejectNaN: true, cols: s.nFeatures });
  }

  /** Class probabilities, `rows x classes.length`, columns in `classes` order. */
  predictProba(X: MatrixInput): Matrix {
    const m = this.#input(X, 'predictProba()');
    const s = this.#state!;
    const k = s.classes.length;
    const p = native.linear.logisticProba(m.data, m.rows, m.cols, s.coef, s.rows, s.intercept, k, this.#threads());
    return new Matrix(p, m.rows, k);
  }

  /** Log of {@link predictProba}. */
  predictLogProba(X: MatrixInput): Matrix {
    const p = this.predictProba(X);
    for (let i = 0; i < p.data.length; i++) p.data[i] = Math.log(p.data[i]!);
    return p;
  }

  /**
   * Decision scores `X Wᵀ + b`: `rows x 1` for two classes (positive means `classes[1]`; scikit-learn
   * returns this column as a 1-D array), `rows x nClasses` otherwise.
   */
  decisionFunction(X: MatrixInput): Matrix {
    const m = this.#input(X, 'decisionFunction()');
    const s = this.#state!;
    const z = native.linear.decision(m.data, m.rows, m.cols, s.coef, s.rows, s.intercept, this.#threads());
    return new Matrix(z, m.rows, s.rows);
  }

  /** The most probable class per row (ties: the first in `classes` order). */
  predict(X: MatrixInput): Float64Array | string[] {
    const z = this.decisionFunction(X);
    return classesFromScores(z, this.#state!.classes);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }

  /** Sorted distinct labels seen at fit. */
  get classes(): number[] | string[] {
    const s = this.#fitted('reading classes');
    return s.classes.slice() as number[] | string[];
  }

  /** Coefficients, `1 x nFeatures` for two classes, `nClasses x nFeatures` otherwise (a copy). */
  get coef(): Matrix {
    const s = this.#fitted('reading coef');
    return new Matrix(s.coef.slice(), s.rows, s.nFeatures);
  }

  /** Intercepts, one per coefficient row (zeros without fitIntercept; a copy). */
  get intercept(): Float64Array {
    return this.#fitted('reading intercept').intercept.slice();
  }

  /** L-BFGS iterations run. */
  get nIter(): number {
    return this.#fitted('reading nIter').nIter;
  }

  /** False when the fit stopped at maxIter (or a failed line search) before meeting tol. */
  get converged(): boolean {
    return this.#fitted('reading converged').converged;
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.#fitted('reading nFeaturesIn').nFeatures;
  }

  #threads(): number {
    const n = (this.params_ as LogisticRegressionOptions).nThreads;
    return typeof n === 'number' && Number.isInteger(n) ? n : 0;
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return {
      classes: s.classes,
      nFeatures: s.nFeatures,
      rows: s.rows,
      coef: Array.from(s.coef),
      intercept: Array.from(s.intercept),
      nIter: s.nIter,
      converged: s.converged,
    };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    const bad = (what: string) => new ModelFormatError(`Invalid LogisticRegression state: ${what}`);
    if (s === null || typeof s !== 'object') throw bad('expected an object');
    const { classes, nFeatures, rows, coef, intercept } = s as { classes: unknown; nFeatures: unknown; rows: unknown; coef: unknown; intercept: unknown };
    if (!Array.isArray(classes) || classes.length < 2 || !(classes.every((c) => typeof c === 'number') || classes.every((c) => typeof c === 'string'))) {
      throw bad('classes must be an array of at least 2 numbers or strings');
    }
    if (typeof nFeatures !== 'number' || !Number.isInteger(nFeatures) || nFeatures < 1) throw bad('nFeatures must be a positive integer');
    const expectRows = classes.length === 2 ? 1 : classes.length;
    if (rows !== expectRows) throw bad(`rows must be ${expectRows} for ${classes.length} classes`);
    const numbers = (v: unknown, n: number, name: string): Float64Array => {
      if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad(`${name} must be ${n} finite numbers`);
      return Float64Array.from(v as number[]);
    };
    this.#state = {
      classes: classes as number[] | string[],
      nFeatures,
      rows: expectRows,
      coef: numbers(coef, expectRows * nFeatures, 'coef'),
      intercept: numbers(intercept, expectRows, 'intercept'),
      nIter: typeof s.nIter === 'number' ? s.nIter : 0,
      converged: s.converged !== false,
    };
  }
}

registerEstimator('LogisticRegression', LogisticRegression as never);
