/**
 * Pipelines: transformers followed by a final estimator, fitted and applied as one estimator
 * (scikit-learn's `Pipeline` / `make_pipeline`), so a chain like imputer -> scaler -> model can be a
 * base learner inside any ensemble, be cloned, have its nested parameters searched
 * (`step__param`) and be saved as one JSON document.
 */
import {
  BaseEstimator,
  cloneParam,
  registerEstimator,
  type Estimator,
  type EstimatorJSON,
  type FitOptions,
  type Transformer,
} from '../core/estimator.js';
import { AbortError, InvalidParameterError, NotFittedError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import type { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';

/** A pipeline step: a transformer, an estimator (final step), or `'passthrough'` (no-op). */
export type PipelineStep = Estimator | Transformer | 'passthrough';

export interface PipelineOptions {
  /** `[name, step]` pairs: transformers, then a final estimator (or transformer). Names are unique and contain no `__`. */
  steps: [string, PipelineStep][];
}

type Fittable = {
  fit(X: MatrixInput, y?: LabelInput, opts?: FitOptions): Promise<unknown>;
  fitSync?(X: MatrixInput, y?: LabelInput, opts?: Pick<FitOptions, 'sampleWeight'>): unknown;
  transform?(X: MatrixInput): Matrix;
  fitTransform?(X: MatrixInput, y?: LabelInput, opts?: FitOptions): Promise<Matrix>;
  getParams(deep?: boolean): Record<string, unknown>;
  setParams(params: Record<string, unknown>): unknown;
};

function isStep(v: unknown): v is Fittable {
  return v !== null && typeof v === 'object' && typeof (v as Fittable).fit === 'function' && typeof (v as Fittable).getParams === 'function';
}

function hasMethod(step: PipelineStep | undefined, method: string): boolean {
  return step !== undefined && step !== 'passthrough' && typeof (step as unknown as Record<string, unknown>)[method] === 'function';
}

/**
 * Transformers then a final estimator. `fit` fits each transformer on the output of the previous
 * ones (`fitTransform`) and the final step on the last output; `predict` and friends transform X
 * through the fitted transformers and call the final step. Methods that depend on the final step
 * exist only when it has them (as scikit-learn's `available_if`): `predictProba`,
 * `predictLogProba`, `decisionFunction`, `score`, `transform` (final step a transformer or
 * `'passthrough'`) and `inverseTransform` (every step has one), so `isClassifier(pipeline)` tells
 * the truth.
 *
 * Parameters follow scikit-learn: `getParams()` lists `steps`, each step by name and, deep, every
 * `name__param` of every step; `setParams` accepts the same names (`{ logisticregression__C: 10 }`,
 * or a step name to replace a step). `sampleWeight` given to `fit` is passed to every step (steps
 * that cannot use weights ignore them; scikit-learn instead requires `name__sample_weight`).
 */
export class Pipeline extends BaseEstimator<PipelineOptions> implements Estimator {
  static readonly params: ParamTable = [
    { name: 'steps', type: 'any', default: undefined, doc: '[name, step] pairs: transformers, then a final estimator.' },
  ];

  /** Class probabilities of the final step; present only when it has predictProba. */
  declare predictProba?: (X: MatrixInput) => Matrix;
  /** Log-probabilities of the final step; present only when it has predictLogProba. */
  declare predictLogProba?: (X: MatrixInput) => Matrix;
  /** Decision scores of the final step; present only when it has decisionFunction. */
  declare decisionFunction?: (X: MatrixInput) => Matrix | Float64Array;
  /** The final step's score on transformed X; present only when it has score. */
  declare score?: (X: MatrixInput, y: LabelInput) => number;
  /** X through every step; present only when the final step is a transformer or 'passthrough'. */
  declare transform?: (X: MatrixInput) => Matrix;
  /** Fits, then transforms the training data; present with transform. */
  declare fitTransform?: (X: MatrixInput, y?: LabelInput, opts?: FitOptions) => Promise<Matrix>;
  /** Through every step's inverseTransform in reverse; present only when all steps have one. */
  declare inverseTransform?: (X: MatrixInput) => Matrix;

  /** `new Pipeline([[name, step], ...])` or `new Pipeline({ steps })`. */
  constructor(steps: [string, PipelineStep][] | PipelineOptions = { steps: [] }) {
    super(Array.isArray(steps) ? { steps } : steps);
    this.#syncMethods();
  }

  /** The `[name, step]` pairs (a new array; the steps themselves are not copied). */
  get steps(): [string, PipelineStep][] {
    return this.#steps().map(([n, s]) => [n, s] as [string, PipelineStep]);
  }

  /** The steps by name. */
  get namedSteps(): Record<string, PipelineStep> {
    return Object.fromEntries(this.#steps());
  }

  #steps(): [string, PipelineStep][] {
    const s = (this.params_ as PipelineOptions).steps;
    return Array.isArray(s) ? s : [];
  }

  #final(): PipelineStep | undefined {
    const s = this.#steps();
    return s.length > 0 ? s[s.length - 1]![1] : undefined;
  }

  /** Checks the steps: pairs, unique names without '__', transformers before the last, something fittable last. */
  #validate(): [string, PipelineStep][] {
    for (const key of Object.keys(this.params_)) {
      if (key !== 'steps') throw InvalidParameterError.unknown(key, ['steps'], this.name);
    }
    const steps = (this.params_ as PipelineOptions).steps as unknown;
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new InvalidParameterError('Expected a non-empty array of [name, step] pairs for Pipeline parameter \'steps\'', 'steps');
    }
    const seen = new Set<string>();
    steps.forEach((pair: unknown, i: number) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
        throw new InvalidParameterError(`Expected a [name, step] pair at Pipeline steps[${i}]`, 'steps');
      }
      const [name, step] = pair as [string, unknown];
      if (name.length === 0 || name.includes('__')) throw new InvalidParameterError(`Pipeline step names must be non-empty and not contain '__' but received ${JSON.stringify(name)}`, 'steps');
      if (name === 'steps') throw new InvalidParameterError("A Pipeline step cannot be named 'steps' (it is the parameter name)", 'steps');
      if (seen.has(name)) throw new InvalidParameterError(`Pipeline step names must be unique but ${JSON.stringify(name)} appears twice`, 'steps');
      seen.add(name);
      if (step === 'passthrough') return;
      if (!isStep(step)) throw new InvalidParameterError(`Pipeline step ${JSON.stringify(name)} is not an estimator (it needs fit and getParams) or 'passthrough'`, 'steps');
      if (i < steps.length - 1 && typeof step.transform !== 'function') {
        throw new InvalidParameterError(`Pipeline step ${JSON.stringify(name)} is not the last step, so it must be a transformer (have transform) or 'passthrough'`, 'steps');
      }
    });
    return steps as [string, PipelineStep][];
  }

  /** Installs the methods the final step supports (and removes the others). */
  #syncMethods(): void {
    const steps = this.#steps();
    const last = this.#final();
    const self = this as unknown as Record<string, unknown>;
    const install = (name: string, present: boolean, fn: unknown) => {
      if (present) Object.defineProperty(this, name, { value: fn, configurable: true, writable: true, enumerable: false });
      else delete self[name];
    };
    install('predictProba', hasMethod(last, 'predictProba'), (X: MatrixInput) => this.#callFinal('predictProba', X));
    install('predictLogProba', hasMethod(last, 'predictLogProba'), (X: MatrixInput) => this.#callFinal('predictLogProba', X));
    install('decisionFunction', hasMethod(last, 'decisionFunction'), (X: MatrixInput) => this.#callFinal('decisionFunction', X));
    install('score', hasMethod(last, 'score'), (X: MatrixInput, y: LabelInput) => this.#callFinal('score', X, y));
    const transforms = last === 'passthrough' || hasMethod(last, 'transform');
    install('transform', transforms, (X: MatrixInput) => this.#transformAll(X));
    install('fitTransform', transforms, async (X: MatrixInput, y?: LabelInput, opts?: FitOptions) => {
      await this.fit(X, y, opts);
      return this.#transformAll(X);
    });
    const invertible = steps.length > 0 && steps.every(([, s]) => s === 'passthrough' || hasMethod(s, 'inverseTransform'));
    install('inverseTransform', invertible, (X: MatrixInput) => {
      this.assertFitted('inverseTransform()');
      let out: MatrixInput = X;
      for (let i = steps.length - 1; i >= 0; i--) {
        const s = steps[i]![1];
        if (s !== 'passthrough') out = (s as unknown as { inverseTransform(X: MatrixInput): Matrix }).inverseTransform(out);
      }
      return out as Matrix;
    });
  }

  /** X through every step but the last. */
  #transformHead(X: MatrixInput): MatrixInput {
    const steps = this.#steps();
    let out = X;
    for (let i = 0; i < steps.length - 1; i++) {
      const s = steps[i]![1];
      if (s !== 'passthrough') out = (s as Fittable).transform!(out);
    }
    return out;
  }

  #transformAll(X: MatrixInput): Matrix {
    this.assertFitted('transform()');
    const last = this.#final();
    const head = this.#transformHead(X);
    return (last === 'passthrough' ? head : (last as Fittable).transform!(head)) as Matrix;
  }

  #callFinal(method: string, X: MatrixInput, ...rest: unknown[]): never {
    this.assertFitted(`${method}()`);
    const last = this.#final() as unknown as Record<string, (...a: unknown[]) => unknown>;
    return last[method]!.call(last, this.#transformHead(X), ...rest) as never;
  }

  /**
   * Fits the transformers in order (each on the previous one's output) and then the final step.
   * The signal is checked between steps and handed to each; progress is reported per step.
   */
  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    const steps = this.#validate();
    const { signal, onProgress, sampleWeight } = opts;
    let Xt: MatrixInput = X;
    for (let i = 0; i < steps.length; i++) {
      if (signal?.aborted) throw new AbortError();
      const [name, step] = steps[i]!;
      if (step === 'passthrough') continue;
      const s = step as Fittable;
      const stepOpts: FitOptions = { sampleWeight, signal, onProgress: onProgress ? (f, label) => onProgress((i + f) / steps.length, `${name}: ${label}`) : undefined };
      if (i < steps.length - 1) {
        Xt = s.fitTransform ? await s.fitTransform(Xt, y, stepOpts) : (await s.fit(Xt, y, stepOpts), s.transform!(Xt));
      } else {
        await s.fit(Xt, y, stepOpts);
      }
      onProgress?.((i + 1) / steps.length, name);
    }
    this.markFitted();
    return this;
  }

  /** Fits every step on the calling thread; each (non-passthrough) step needs a fitSync. */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const steps = this.#validate();
    let Xt: MatrixInput = X;
    steps.forEach(([name, step], i) => {
      if (step === 'passthrough') return;
      const s = step as Fittable;
      if (typeof s.fitSync !== 'function') throw new InvalidParameterError(`Pipeline step ${JSON.stringify(name)} has no fitSync: use fit()`, 'steps');
      s.fitSync(Xt, y, { sampleWeight: opts.sampleWeight });
      if (i < steps.length - 1) Xt = s.transform!(Xt);
    });
    this.markFitted();
    return this;
  }

  /** The final step's predictions on transformed X. */
  predict(X: MatrixInput): Float64Array | string[] {
    this.assertFitted('predict()');
    const last = this.#final();
    if (!hasMethod(last, 'predict')) throw new InvalidParameterError('The final Pipeline step has no predict method', 'steps');
    return (last as Estimator).predict(this.#transformHead(X));
  }

  /** The final step's classes. */
  get classes(): number[] | string[] {
    if (!this.isFitted) throw new NotFittedError('Pipeline is not fitted yet: call fit() before reading classes');
    const last = this.#final() as unknown as { classes?: number[] | string[] };
    if (last === undefined || (last as unknown) === 'passthrough' || !('classes' in (last as object))) {
      throw new InvalidParameterError('The final Pipeline step is not a classifier (it has no classes)', 'steps');
    }
    return last.classes!;
  }

  /**
   * `steps`, every step by name and (deep, the default) every step's parameters as
   * `name__param`, as scikit-learn's Pipeline.get_params.
   */
  override getParams(deep = true): Record<string, unknown> {
    const steps = this.#steps();
    const out: Record<string, unknown> = { steps: this.steps };
    for (const [name, step] of steps) out[name] = step;
    if (!deep) return out;
    for (const [name, step] of steps) {
      if (step !== 'passthrough' && isStep(step)) {
        for (const [k, v] of Object.entries(step.getParams(true))) out[`${name}__${k}`] = v;
      }
    }
    return out;
  }

  /**
   * Sets `steps`, replaces a step by name, or sets a step's parameter with `name__param`
   * (applied in that order, as scikit-learn). Unknown names throw InvalidParameterError.
   */
  override setParams(params: Record<string, unknown>): this {
    const given = this.params_ as PipelineOptions;
    if ('steps' in params) {
      given.steps = params.steps as [string, PipelineStep][];
    }
    const names = () => this.#steps().map(([n]) => n);
    for (const [key, value] of Object.entries(params)) {
      if (key === 'steps' || key.includes('__')) continue;
      const i = names().indexOf(key);
      if (i < 0) throw InvalidParameterError.unknown(key, ['steps', ...names()], this.name);
      if (value !== 'passthrough' && !isStep(value)) throw new InvalidParameterError(`Expected an estimator or 'passthrough' to replace Pipeline step '${key}'`, key);
      const steps = this.#steps().slice();
      steps[i] = [key, value as PipelineStep];
      given.steps = steps;
    }
    for (const [key, value] of Object.entries(params)) {
      const sep = key.indexOf('__');
      if (sep <= 0) continue;
      const head = key.slice(0, sep);
      const step = this.namedSteps[head];
      if (step === undefined) throw InvalidParameterError.unknown(key, ['steps', ...names()], this.name);
      if (step === 'passthrough') throw new InvalidParameterError(`Pipeline step '${head}' is 'passthrough' and has no parameters`, key);
      (step as Fittable).setParams({ [key.slice(sep + 2)]: value });
    }
    this.#syncMethods();
    return this;
  }

  /** An unfitted copy: every step cloned (pre-fitted steps come back unfitted). */
  override clone(): this {
    const steps = this.#steps().map(([n, s]) => [n, s === 'passthrough' ? s : cloneParam(s)] as [string, PipelineStep]);
    return new (this.constructor as new (o: PipelineOptions) => this)({ steps });
  }

  /** JSON with each step's own JSON (fitted state included) under `params.steps`. */
  override toJSON(): EstimatorJSON {
    const json = super.toJSON();
    json.params = { steps: this.#steps().map(([n, s]) => [n, s === 'passthrough' ? s : (s as Estimator).toJSON()]) };
    return json;
  }

  protected stateToJSON(): unknown {
    // The fitted state lives in the steps' JSON.
    return {};
  }

  protected stateFromJSON(): void {}
}

/** Default step names as scikit-learn's make_pipeline: lower-cased class names, `-1`, `-2`, ... for repeats. */
function stepName(step: PipelineStep): string {
  return step === 'passthrough' ? 'passthrough' : (step as object).constructor.name.toLowerCase();
}

/**
 * A Pipeline with generated step names: `makePipeline(new StandardScaler(), new LogisticRegression())`
 * names its steps `standardscaler` and `logisticregression` (repeated names get `-1`, `-2`, ...).
 */
export function makePipeline(...steps: PipelineStep[]): Pipeline {
  const names = steps.map(stepName);
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const seen = new Map<string, number>();
  const named = steps.map((s, i) => {
    const n = names[i]!;
    if (counts.get(n)! === 1) return [n, s] as [string, PipelineStep];
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return [`${n}-${k}`, s] as [string, PipelineStep];
  });
  return new Pipeline(named);
}

registerEstimator('Pipeline', Pipeline as never);
