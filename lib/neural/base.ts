/**
 * What MLPClassifier and MLPRegressor share: scikit-learn's options (camelCase) in one parameter
 * table, the native fit (sync and async with per-epoch progress and AbortSignal), warm starts, the
 * fitted state (flat parameters plus the layer shapes), its getters and its JSON form.
 */
import { BaseEstimator, type FitOptions } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import { toMatrix, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import {
  native,
  runJob,
  type NativeMlpNet,
  type NativeMlpOptions,
  type NativeMlpResult,
  type NativeMlpWarm,
  type ProgressCallback,
} from '../native.js';

export type Activation = 'identity' | 'logistic' | 'tanh' | 'relu';
export type Solver = 'adam' | 'sgd' | 'lbfgs';
export type LearningRateSchedule = 'constant' | 'invscaling' | 'adaptive';

/** Options of {@link MLPClassifier} and {@link MLPRegressor} (scikit-learn's, in camelCase). */
export interface MLPOptions {
  /** Units of each hidden layer (default `[100]`). */
  hiddenLayerSizes?: number[];
  /** Hidden-layer activation: `'relu'` (default), `'tanh'`, `'logistic'` or `'identity'`. */
  activation?: Activation;
  /** `'adam'` (default), `'sgd'` (momentum, Nesterov, learning-rate schedules) or `'lbfgs'` (full batch). */
  solver?: Solver;
  /** L2 penalty: `alpha / (2 n_batch) Σ ||W||²` is added to each batch's mean loss (default 1e-4); biases are not penalised. */
  alpha?: number;
  /** Mini-batch rows (adam, sgd); `'auto'` (default) is `min(200, rows)`, larger values are clipped to the rows. */
  batchSize?: number | 'auto';
  /** sgd only: `'constant'` (default), `'invscaling'` (`lr0 / (t + 1)^powerT`, t = samples seen, updated per epoch) or `'adaptive'` (divide by 5 when the fit stalls). */
  learningRate?: LearningRateSchedule;
  /** Initial step size (adam, sgd; default 1e-3). */
  learningRateInit?: number;
  /** Exponent of the invscaling schedule (default 0.5). */
  powerT?: number;
  /** Epochs (adam, sgd) or L-BFGS iterations (lbfgs) at most (default 200). */
  maxIter?: number;
  /** Shuffle the rows before every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the initial weights, the shuffles and the validation split (default 0). Same seed, same model, whatever nThreads. */
  seed?: number;
  /**
   * Improvement threshold (default 1e-4): more than `nIterNoChange` epochs whose loss (or validation
   * score) fails to improve on the best by `tol` stop the fit; lbfgs stops when max |gradient| <= tol.
   */
  tol?: number;
  /**
   * Continue from the fitted weights at the next fit instead of re-initialising (classes and layer
   * sizes must not change). As in scikit-learn, the optimizer state (Adam's moments, sgd's velocity)
   * starts afresh, while `lossCurve`, `nIter`, `t`, `bestLoss` and the no-improvement count carry
   * over; the shuffles of a continued fit differ from the first fit's. A fitted model revived from
   * JSON can be warm-started too (fine-tuning; see {@link fuseWeights}).
   */
  warmStart?: boolean;
  /** sgd momentum in [0, 1] (default 0.9). */
  momentum?: number;
  /** Nesterov's momentum for sgd (default true). */
  nesterovsMomentum?: boolean;
  /**
   * Hold out `validationFraction` of the rows (stratified for classifiers), score them after every
   * epoch (accuracy / R²), stop when the score stalls and keep the best weights (adam, sgd; default false).
   * The held-out rows are drawn from `seed` at every fit; a warm-started fit tracks its own best
   * score (scikit-learn carries the previous fit's best over). Ignored by lbfgs, as in scikit-learn.
   */
  earlyStopping?: boolean;
  /** Held-out fraction for early stopping, in (0, 1) (default 0.1). */
  validationFraction?: number;
  /** Adam's first-moment decay in [0, 1) (default 0.9). */
  beta1?: number;
  /** Adam's second-moment decay in [0, 1) (default 0.999). */
  beta2?: number;
  /** Adam's numerical-stability constant (default 1e-8). */
  epsilon?: number;
  /** Epochs without improvement tolerated before stopping (default 10). */
  nIterNoChange?: number;
  /** lbfgs: loss evaluations at most (default 15000). */
  maxFun?: number;
  /**
   * Not in scikit-learn (which follows X's dtype): the compute precision. `'auto'` (default) uses
   * float32 when X is a Float32Array matrix, float64 otherwise; predictions are always computed in float64.
   */
  dtype?: 'auto' | 'float32' | 'float64';
  /** Threads; <= 0 (default) means all cores. Results do not depend on it. */
  nThreads?: number;
}

/** `fit` options of the MLPs: the usual ones plus a per-epoch callback. */
export interface MLPFitOptions extends FitOptions {
  /**
   * Called after every epoch (lbfgs: every iteration) with its number (counting earlier
   * warm-started fits) and loss. Like onProgress, events are coalesced when the event loop is busy:
   * epoch numbers always increase and the last epoch is always reported, but some may be skipped
   * (`lossCurve` has them all).
   */
  onEpoch?: (epoch: number, loss: number) => void;
}

export const mlpParams: ParamTable = [
  { name: 'hiddenLayerSizes', type: 'intArray', default: [100], min: 1, max: 2 ** 24, doc: 'Units of each hidden layer.' },
  { name: 'activation', type: 'string', default: 'relu', oneOf: ['identity', 'logistic', 'tanh', 'relu'], doc: 'Hidden-layer activation.' },
  { name: 'solver', type: 'string', default: 'adam', oneOf: ['adam', 'sgd', 'lbfgs'], doc: 'Weight optimizer.' },
  { name: 'alpha', type: 'number', default: 1e-4, min: 0, doc: 'L2 penalty (alpha / 2n ||W||²).' },
  { name: 'batchSize', type: 'int', default: 'auto', min: 1, oneOf: ['auto'], doc: "Mini-batch rows; 'auto' = min(200, rows)." },
  { name: 'learningRate', type: 'string', default: 'constant', oneOf: ['constant', 'invscaling', 'adaptive'], doc: 'sgd learning-rate schedule.' },
  { name: 'learningRateInit', type: 'number', default: 1e-3, gt: 0, doc: 'Initial step size (adam, sgd).' },
  { name: 'powerT', type: 'number', default: 0.5, min: 0, doc: 'Exponent of the invscaling schedule.' },
  { name: 'maxIter', type: 'int', default: 200, min: 1, doc: 'Epochs (adam, sgd) or iterations (lbfgs) at most.' },
  { name: 'shuffle', type: 'boolean', default: true, doc: 'Shuffle rows every epoch.' },
  { name: 'seed', type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'Seed of the initial weights, shuffles and validation split.' },
  { name: 'tol', type: 'number', default: 1e-4, min: 0, doc: 'Improvement threshold of the stopping rule.' },
  { name: 'warmStart', type: 'boolean', default: false, doc: 'Continue from the fitted weights.' },
  { name: 'momentum', type: 'number', default: 0.9, min: 0, max: 1, doc: 'sgd momentum.' },
  { name: 'nesterovsMomentum', type: 'boolean', default: true, doc: "Nesterov's momentum (sgd)." },
  { name: 'earlyStopping', type: 'boolean', default: false, doc: 'Stop on a held-out validation score.' },
  { name: 'validationFraction', type: 'number', default: 0.1, gt: 0, max: 0.999999, doc: 'Held-out fraction for early stopping.' },
  { name: 'beta1', type: 'number', default: 0.9, min: 0, max: 0.999999999, doc: "Adam's first-moment decay." },
  { name: 'beta2', type: 'number', default: 0.999, min: 0, max: 0.999999999, doc: "Adam's second-moment decay." },
  { name: 'epsilon', type: 'number', default: 1e-8, gt: 0, doc: "Adam's stability constant." },
  { name: 'nIterNoChange', type: 'int', default: 10, min: 1, doc: 'Epochs without improvement before stopping.' },
  { name: 'maxFun', type: 'int', default: 15000, min: 1, doc: 'lbfgs: loss evaluations at most.' },
  { name: 'dtype', type: 'string', default: 'auto', oneOf: ['auto', 'float32', 'float64'], doc: 'Compute precision.' },
  { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
];

/** The fitted network and its training record. */
export interface MLPState {
  /** [inputs, hidden..., outputs]. */
  sizes: number[];
  activation: Activation;
  output: NativeMlpNet['output'];
  /** Flat [W0, b0, W1, b1, ...], W_l row-major sizes[l] x sizes[l+1]. */
  params: Float64Array;
  lossCurve: number[];
  validationScores: number[];
  loss: number;
  bestLoss: number;
  bestValidationScore: number;
  nIter: number;
  t: number;
  noImprovement: number;
  earlyStopping: boolean;
}

/** Offsets of W_l and b_l in the flat parameter vector. */
export function layerOffsets(sizes: readonly number[]): { w: number; b: number }[] {
  const out: { w: number; b: number }[] = [];
  let off = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    out.push({ w: off, b: off + sizes[l]! * sizes[l + 1]! });
    off += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  }
  return out;
}

export function paramCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
  return n;
}

/** The progress label of native epochs is "epoch E loss L" (or "iteration E loss L"). */
function epochRelay(onProgress: ProgressCallback | undefined, onEpoch: MLPFitOptions['onEpoch']): ProgressCallback | undefined {
  if (!onProgress && !onEpoch) return undefined;
  return (fraction, label) => {
    onProgress?.(fraction, label);
    if (onEpoch) {
      const m = /^(?:epoch|iteration) (\d+) loss (\S+)$/.exec(label);
      if (m) onEpoch(Number(m[1]), Number(m[2]));
    }
  };
}

/** The shared body of the two MLP estimators. */
export abstract class MLPBase<P extends MLPOptions> extends BaseEstimator<P> {
  protected state_: MLPState | undefined;

  /**
   * The targets for native code and the output layer; subclasses validate y. `meta` is what the
   * subclass keeps of them (classes, multi-output); it travels with the fit and is handed to
   * commitTargets when that fit finishes, so overlapping fits cannot mix one's classes with
   * another's weights.
   */
  protected abstract targets(y: unknown, rows: number, warm: boolean): { y: Int32Array | Float64Array; nClasses: number; outputs: number; output: NativeMlpNet['output']; meta: unknown };
  /** Called after a successful fit with the `meta` of its targets() call. */
  protected abstract commitTargets(meta: unknown): void;

  protected prepare(X: MatrixInput, y: unknown, opts: Pick<FitOptions, 'sampleWeight'>, copy = false) {
    const p = this.resolved() as Required<MLPOptions>;
    if (opts.sampleWeight !== undefined) {
      throw new InvalidInputError(`${this.name} does not support sampleWeight (as scikit-learn's MLPs); resample the rows instead`);
    }
    const m = toMatrix(X, { rejectNaN: true, copy });
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs targets y`);
    const prev = p.warmStart ? this.state_ : undefined;
    const t = this.targets(y, m.rows, prev !== undefined);
    const sizes = [m.cols, ...Array.from(p.hiddenLayerSizes), t.outputs];
    if (prev !== undefined) {
      if (prev.sizes.length !== sizes.length || prev.sizes.some((s, i) => s !== sizes[i]) || prev.activation !== p.activation) {
        throw new InvalidInputError(
          `${this.name} warmStart: the network is [${prev.sizes.join(', ')}] (${prev.activation}) but this fit asks for [${sizes.join(', ')}] (${p.activation})`,
        );
      }
    }
    const dtype = p.dtype === 'auto' ? (m.data instanceof Float32Array ? 'float32' : 'float64') : p.dtype;
    const options: NativeMlpOptions = {
      sizes,
      activation: p.activation,
      output: t.output,
      solver: p.solver,
      learningRate: p.learningRate,
      learningRateInit: p.learningRateInit,
      powerT: p.powerT,
      momentum: p.momentum,
      nesterovsMomentum: p.nesterovsMomentum,
      beta1: p.beta1,
      beta2: p.beta2,
      epsilon: p.epsilon,
      alpha: p.alpha,
      batchSize: p.batchSize === 'auto' ? 0 : p.batchSize,
      maxIter: p.maxIter,
      shuffle: p.shuffle,
      seed: p.seed,
      tol: p.tol,
      nIterNoChange: p.nIterNoChange,
      earlyStopping: p.earlyStopping && p.solver !== 'lbfgs',
      validationFraction: p.validationFraction,
      maxFun: p.maxFun,
      dtype,
      nClasses: t.nClasses,
      nThreads: p.nThreads,
    };
    const warm: NativeMlpWarm | undefined = prev
      ? { params: prev.params, nIter: prev.nIter, t: prev.t, bestLoss: Number.isFinite(prev.bestLoss) ? prev.bestLoss : Infinity, noImprovement: prev.noImprovement }
      : undefined;
    return { m, y: t.y, meta: t.meta, options, warm, prev };
  }

  protected finish(job: ReturnType<MLPBase<P>['prepare']>, r: NativeMlpResult): void {
    const prev = job.prev;
    const o = job.options;
    this.state_ = {
      sizes: o.sizes,
      activation: o.activation,
      output: o.output,
      params: r.params,
      lossCurve: [...(prev?.lossCurve ?? []), ...r.lossCurve],
      validationScores: [...(prev?.validationScores ?? []), ...r.validationScores],
      loss: r.loss,
      bestLoss: r.bestLoss,
      bestValidationScore: r.bestValidationScore,
      nIter: (prev?.nIter ?? 0) + r.nIter,
      t: r.t,
      noImprovement: r.noImprovement,
      earlyStopping: o.earlyStopping,
    };
    this.commitTargets(job.meta);
    this.markFitted();
  }

  protected async fitNative(X: MatrixInput, y: unknown, opts: MLPFitOptions): Promise<this> {
    const job = this.prepare(X, y, opts, true);
    const result = await runJob(
      (token, onProgress) => native.nn.fit(job.m.data, job.m.rows, job.m.cols, job.y, job.options, job.warm, token, onProgress),
      { signal: opts.signal, onProgress: epochRelay(opts.onProgress, opts.onEpoch) },
    );
    this.finish(job, result);
    return this;
  }

  protected fitNativeSync(X: MatrixInput, y: unknown, opts: Pick<FitOptions, 'sampleWeight'>): this {
    const job = this.prepare(X, y, opts);
    this.finish(job, native.nn.fitSync(job.m.data, job.m.rows, job.m.cols, job.y, job.options, job.warm));
    return this;
  }

  protected fittedState(what: string): MLPState {
    this.assertFitted(what);
    return this.state_!;
  }

  /** Network outputs after the output activation (rows x output units). */
  protected outputs(X: MatrixInput, what: string): Matrix {
    const s = this.fittedState(what);
    const m: MatrixLike = toMatrix(X, { rejectNaN: true, cols: s.sizes[0] });
    const out = native.nn.predict(m.data, m.rows, m.cols, s.params, { sizes: s.sizes, activation: s.activation, output: s.output }, this.threads());
    return new Matrix(out, m.rows, s.sizes[s.sizes.length - 1]!);
  }

  protected threads(): number {
    const n = (this.params_ as MLPOptions).nThreads;
    return typeof n === 'number' && Number.isInteger(n) ? n : 0;
  }

  /** Weight matrices, one per layer: `coefs[l]` is `sizes[l] x sizes[l+1]` (scikit-learn's `coefs_`; copies). */
  get coefs(): Matrix[] {
    const s = this.fittedState('reading coefs');
    return layerOffsets(s.sizes).map(({ w }, l) => new Matrix(s.params.slice(w, w + s.sizes[l]! * s.sizes[l + 1]!), s.sizes[l]!, s.sizes[l + 1]!));
  }

  /** Bias vectors, one per layer (scikit-learn's `intercepts_`; copies). */
  get intercepts(): Float64Array[] {
    const s = this.fittedState('reading intercepts');
    return layerOffsets(s.sizes).map(({ b }, l) => s.params.slice(b, b + s.sizes[l + 1]!));
  }

  /** Training loss after every epoch, across warm-started fits (lbfgs: after every iteration). */
  get lossCurve(): number[] {
    return this.fittedState('reading lossCurve').lossCurve.slice();
  }

  /** The loss of the last epoch (lbfgs: the final objective). */
  get loss(): number {
    return this.fittedState('reading loss').loss;
  }

  /** Lowest epoch loss seen (lbfgs: the final objective); `null` with early stopping, as scikit-learn's `best_loss_ = None`. */
  get bestLoss(): number | null {
    const s = this.fittedState('reading bestLoss');
    return s.earlyStopping ? null : s.bestLoss;
  }

  /** Early stopping: the validation score after every epoch (accuracy or R²). */
  get validationScores(): number[] {
    return this.fittedState('reading validationScores').validationScores.slice();
  }

  /** Early stopping: the best validation score (its weights are the model's); `null` otherwise. */
  get bestValidationScore(): number | null {
    const s = this.fittedState('reading bestValidationScore');
    return s.earlyStopping ? s.bestValidationScore : null;
  }

  /** Epochs (lbfgs: iterations) run, across warm-started fits. */
  get nIter(): number {
    return this.fittedState('reading nIter').nIter;
  }

  /** Training samples seen by the optimizer (scikit-learn's `t_`). */
  get t(): number {
    return this.fittedState('reading t').t;
  }

  /** Layers including input and output (scikit-learn's `n_layers_`). */
  get nLayers(): number {
    return this.fittedState('reading nLayers').sizes.length;
  }

  /** Output units (scikit-learn's `n_outputs_`). */
  get nOutputs(): number {
    const s = this.fittedState('reading nOutputs');
    return s.sizes[s.sizes.length - 1]!;
  }

  /** Output activation: `'identity'`, `'logistic'` or `'softmax'` (scikit-learn's `out_activation_`). */
  get outActivation(): string {
    return this.fittedState('reading outActivation').output;
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.fittedState('reading nFeaturesIn').sizes[0]!;
  }

  /** @internal Layer sizes, activation and flat parameters (for fusion). */
  get networkState(): Readonly<MLPState> {
    return this.fittedState('reading the network');
  }

  protected stateToJSONBase(): Record<string, unknown> {
    const s = this.state_!;
    return {
      sizes: s.sizes,
      activation: s.activation,
      output: s.output,
      params: Array.from(s.params),
      lossCurve: s.lossCurve,
      validationScores: s.validationScores,
      loss: s.loss,
      bestLoss: Number.isFinite(s.bestLoss) ? s.bestLoss : null,
      bestValidationScore: Number.isFinite(s.bestValidationScore) ? s.bestValidationScore : null,
      nIter: s.nIter,
      t: s.t,
      noImprovement: s.noImprovement,
      earlyStopping: s.earlyStopping,
    };
  }

  protected stateFromJSONBase(state: unknown): Record<string, unknown> {
    const bad = (what: string) => new ModelFormatError(`Invalid ${this.name} state: ${what}`);
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object') throw bad('expected an object');
    const sizes = s.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((v) => Number.isInteger(v) && v >= 1)) throw bad('sizes must be at least 2 positive integers');
    if (!['identity', 'logistic', 'tanh', 'relu'].includes(s.activation as string)) throw bad('unknown activation');
    if (!['identity', 'logistic', 'softmax'].includes(s.output as string)) throw bad('unknown output activation');
    const n = paramCount(sizes as number[]);
    const params = s.params;
    if (!Array.isArray(params) || params.length !== n || !params.every((v) => typeof v === 'number' && Number.isFinite(v))) throw bad(`params must be ${n} finite numbers`);
    const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
    const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
    this.state_ = {
      sizes: sizes as number[],
      activation: s.activation as Activation,
      output: s.output as NativeMlpNet['output'],
      params: Float64Array.from(params as number[]),
      lossCurve: numbers(s.lossCurve),
      validationScores: numbers(s.validationScores),
      loss: num(s.loss, NaN),
      bestLoss: num(s.bestLoss, Infinity),
      bestValidationScore: num(s.bestValidationScore, -Infinity),
      nIter: num(s.nIter, 0),
      t: num(s.t, 0),
      noImprovement: num(s.noImprovement, 0),
      earlyStopping: s.earlyStopping === true,
    };
    return s;
  }
}

/** Throws InvalidParameterError when a warm start would change the class set (scikit-learn's rule). */
export function sameClasses(prev: readonly (number | string)[], next: readonly (number | string)[], owner: string): void {
  if (prev.length !== next.length || prev.some((c, i) => c !== next[i])) {
    throw new InvalidInputError(`${owner} warmStart can only be used where y has the same classes as in the previous fit: ${JSON.stringify(prev)} then ${JSON.stringify(next)}`);
  }
}
