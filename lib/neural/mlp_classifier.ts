/**
 * Multi-layer perceptron classifier (scikit-learn's `MLPClassifier`, same options in camelCase and
 * the same objective), trained natively on the GEMM kernels.
 */
import { registerEstimator, type Classifier, type FitOptions } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import { classesFromScores, encodeClasses, toLabels, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { MLPBase, mlpParams, sameClasses, type MLPFitOptions, type MLPOptions } from './base.js';
import { accuracyScore } from '../metrics/classification.js';

/** Options of {@link MLPClassifier}. */
export type MLPClassifierOptions = MLPOptions;

/**
 * A feed-forward network with a log-loss output: one logistic unit for two classes (its output is
 * the probability of `classes[1]`), a softmax over one unit per class otherwise, as scikit-learn.
 * Hidden layers, activations, solvers (adam, sgd with momentum / Nesterov and learning-rate
 * schedules, lbfgs), the L2 penalty, mini-batches, early stopping and the stopping rule follow
 * scikit-learn 1.2; the initial weights are Glorot-uniform with scikit-learn's bounds, drawn from
 * our own generator (so weights are not bit-equal to scikit-learn's for one seed, but accuracy is
 * comparable over seeds). Scale the features first (StandardScaler in a Pipeline); X must not
 * contain NaN.
 */
export class MLPClassifier extends MLPBase<MLPClassifierOptions> implements Classifier {
  static readonly params: ParamTable = mlpParams;

  #classes: number[] | string[] | undefined;

  constructor(options: MLPClassifierOptions = {}) {
    super(options);
  }

  /** Fits off the event loop; cancellable with `signal`, progress (and `onEpoch`) after every epoch. */
  async fit(X: MatrixInput, y?: LabelInput, opts: MLPFitOptions = {}): Promise<this> {
    return this.fitNative(X, y, opts);
  }

  /** Fits on the calling thread (blocks the event loop; for small data, scripts and workers). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    return this.fitNativeSync(X, y, opts);
  }

  protected targets(y: unknown, rows: number, warm: boolean) {
    const { classes, indices } = encodeClasses(toLabels(y, rows));
    if (classes.length < 2) {
      throw new InvalidInputError(`Expected at least 2 classes in y for ${this.name} but received only ${JSON.stringify(classes[0])}`);
    }
    if (warm && this.#classes) sameClasses(this.#classes, classes, this.name);
    const k = classes.length;
    return { y: indices, nClasses: k, outputs: k === 2 ? 1 : k, output: (k === 2 ? 'logistic' : 'softmax') as 'logistic' | 'softmax', meta: classes };
  }

  protected commitTargets(meta: unknown): void {
    this.#classes = meta as number[] | string[];
  }

  /** Class probabilities, `rows x classes.length`, columns in `classes` order. */
  predictProba(X: MatrixInput): Matrix {
    const out = this.outputs(X, 'predictProba()');
    if (out.cols !== 1) return out;
    const p = new Float64Array(out.rows * 2);
    for (let i = 0; i < out.rows; i++) {
      p[2 * i] = 1 - out.data[i]!;
      p[2 * i + 1] = out.data[i]!;
    }
    return new Matrix(p, out.rows, 2);
  }

  /** Log of {@link predictProba}. */
  predictLogProba(X: MatrixInput): Matrix {
    const p = this.predictProba(X);
    for (let i = 0; i < p.data.length; i++) p.data[i] = Math.log(p.data[i]!);
    return p;
  }

  /** The most probable class per row (two classes: `classes[1]` when its probability is > 0.5). */
  predict(X: MatrixInput): Float64Array | string[] {
    const out = this.outputs(X, 'predict()');
    return classesFromScores(out, this.#classes!, 0.5);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }

  /** Sorted distinct labels seen at fit. */
  get classes(): number[] | string[] {
    this.fittedState('reading classes');
    return this.#classes!.slice() as number[] | string[];
  }

  protected stateToJSON(): unknown {
    return { ...this.stateToJSONBase(), classes: this.#classes };
  }

  protected stateFromJSON(state: unknown): void {
    const s = this.stateFromJSONBase(state);
    const classes = s.classes;
    if (!Array.isArray(classes) || classes.length < 2 || !(classes.every((c) => typeof c === 'number') || classes.every((c) => typeof c === 'string'))) {
      throw new ModelFormatError('Invalid MLPClassifier state: classes must be an array of at least 2 numbers or strings');
    }
    const units = classes.length === 2 ? 1 : classes.length;
    const sizes = this.state_!.sizes;
    if (sizes[sizes.length - 1] !== units) throw new ModelFormatError(`Invalid MLPClassifier state: ${classes.length} classes need ${units} output units`);
    this.#classes = classes as number[] | string[];
  }
}

registerEstimator('MLPClassifier', MLPClassifier as never);
