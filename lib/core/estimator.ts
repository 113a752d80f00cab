/**
 * The estimator contract (DESIGN.md, "Estimator"): every model — native or pure TypeScript,
 * including a user's own class — fits with `fit(X, y, opts) -> Promise<this>`, predicts, exposes its
 * parameters through `getParams`/`setParams`, makes unfitted copies with `clone()`, and has a JSON
 * form. Ensembles accept anything that satisfies these interfaces, so they compose.
 *
 * As in scikit-learn: the constructor stores the options as given and does no work; validation
 * happens at fit against the estimator's parameter table; fitted state is read through getters that
 * throw NotFittedError before fit.
 */
import { writeFileSync } from 'node:fs';
import type { JobOptions } from '../native.js';
import { InvalidParameterError, ModelFormatError, NotFittedError } from './errors.js';
import type { LabelInput, MatrixInput } from './input.js';
import type { Matrix } from './matrix.js';
import { encodeModelBytes } from './model-bytes.js';
import { checkParam, resolveParams, type ParamTable } from './params.js';

/** Options every `fit` accepts. */
export interface FitOptions extends JobOptions {
  /** One weight per row (default: all 1). */
  sampleWeight?: ArrayLike<number>;
}

/** The serialisable form of an estimator. `state` is absent for an unfitted one. */
export interface EstimatorJSON {
  /** The class name registered with {@link registerEstimator}. */
  type: string;
  /** Format version of this estimator's state. */
  version: number;
  params: Record<string, unknown>;
  state?: unknown;
}

export interface Estimator {
  fit(X: MatrixInput, y?: LabelInput, opts?: FitOptions): Promise<this>;
  predict(X: MatrixInput): Float64Array | string[];
  getParams(deep?: boolean): Record<string, unknown>;
  setParams(params: Record<string, unknown>): this;
  /** An unfitted copy with the same parameters (nested estimators cloned too). */
  clone(): this;
  toJSON(): EstimatorJSON;
}

export interface Classifier extends Estimator {
  predictProba(X: MatrixInput): Matrix;
  /** Sorted distinct labels seen at fit; columns of predictProba follow this order. */
  readonly classes: number[] | string[];
}

export interface Regressor extends Estimator {
  predict(X: MatrixInput): Float64Array;
}

export interface Transformer {
  fit(X: MatrixInput, y?: LabelInput, opts?: FitOptions): Promise<this>;
  transform(X: MatrixInput): Matrix;
  fitTransform(X: MatrixInput, y?: LabelInput, opts?: FitOptions): Promise<Matrix>;
  getParams(deep?: boolean): Record<string, unknown>;
  setParams(params: Record<string, unknown>): this;
  clone(): this;
  toJSON(): EstimatorJSON;
}

export function isClassifier(e: unknown): e is Classifier {
  return typeof (e as Classifier | null)?.predictProba === 'function';
}

export function isEstimator(e: unknown): e is Estimator {
  const x = e as Estimator | null;
  return typeof x?.fit === 'function' && typeof x.getParams === 'function' && typeof x.clone === 'function';
}

function isCloneable(v: unknown): v is { clone(): unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { clone?: unknown }).clone === 'function' && typeof (v as { getParams?: unknown }).getParams === 'function';
}

/** Deep copy of a parameter value: estimators are cloned, arrays and plain objects copied. */
export function cloneParam(v: unknown): unknown {
  if (isCloneable(v)) return v.clone();
  if (Array.isArray(v)) return v.map(cloneParam);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return (v as unknown as Float64Array).slice();
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneParam(x)]));
  }
  return v;
}

/**
 * Base class for the library's estimators: parameter storage from a declarative table, getParams /
 * setParams / clone, fitted-state bookkeeping and the JSON envelope. Subclasses declare
 * `static readonly params: ParamTable` and implement fit/predict and `stateToJSON`/`stateFromJSON`.
 */
export abstract class BaseEstimator<P extends object> {
  /** The options as given to the constructor or setParams (not defaulted, not validated). */
  protected params_: Partial<P>;
  #fitted = false;

  constructor(params: Partial<P> = {}) {
    this.params_ = { ...params };
  }

  /** The parameter table of the concrete class. */
  protected get table(): ParamTable {
    return (this.constructor as unknown as { params: ParamTable }).params;
  }

  /** The class name used in messages and in the JSON `type`. */
  get name(): string {
    return this.constructor.name;
  }

  /** Validates the stored options against the table; call at the start of fit. Returns them with defaults. */
  protected resolved(): Required<P> {
    return resolveParams<Required<P>>(this.table, this.params_, this.name);
  }

  /** Every parameter with its current value (defaults filled in). `deep` adds `step__param` entries of nested estimators. */
  getParams(deep = true): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const given = this.params_ as Record<string, unknown>;
    for (const spec of this.table) {
      const v = given[spec.name] === undefined ? spec.default : given[spec.name];
      out[spec.name] = v;
      if (deep && isCloneable(v) && typeof (v as { getParams?: unknown }).getParams === 'function') {
        for (const [k, x] of Object.entries((v as unknown as BaseEstimator<object>).getParams(true))) out[`${spec.name}__${k}`] = x;
      }
    }
    return out;
  }

  /** Sets parameters (checked at once for names and types); nested ones with `name__param`. Unfits nothing: refit to apply. */
  setParams(params: Record<string, unknown>): this {
    const known = this.table.map((s) => s.name);
    const given = this.params_ as Record<string, unknown>;
    for (const [key, value] of Object.entries(params)) {
      const sep = key.indexOf('__');
      if (sep > 0) {
        const head = key.slice(0, sep);
        const inner = given[head] ?? this.table.find((s) => s.name === head)?.default;
        if (!isCloneable(inner)) throw InvalidParameterError.unknown(key, known, this.name);
        (inner as unknown as BaseEstimator<object>).setParams({ [key.slice(sep + 2)]: value });
        continue;
      }
      const spec = this.table.find((s) => s.name === key);
      if (!spec) throw InvalidParameterError.unknown(key, known, this.name);
      checkParam(this.name, spec, value);
      given[key] = value;
    }
    return this;
  }

  /** An unfitted copy with the same parameters; nested estimators are cloned. */
  clone(): this {
    const Ctor = this.constructor as new (p: Partial<P>) => this;
    return new Ctor(cloneParam(this.params_) as Partial<P>);
  }

  /** True after a successful fit. */
  get isFitted(): boolean {
    return this.#fitted;
  }

  protected markFitted(fitted = true): void {
    this.#fitted = fitted;
  }

  /** Throws NotFittedError naming the estimator and what was asked. */
  protected assertFitted(what: string): void {
    if (!this.#fitted) throw new NotFittedError(`${this.name} is not fitted yet: call fit() before ${what}`);
  }

  /** Version of this estimator's JSON state. */
  protected static readonly stateVersion: number = 1;

  /** The fitted state as JSON-safe data. */
  protected abstract stateToJSON(): unknown;
  /** Restores the fitted state written by stateToJSON (throw ModelFormatError on bad input). */
  protected abstract stateFromJSON(state: unknown, version: number): void;

  toJSON(): EstimatorJSON {
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.params_)) params[k] = isCloneable(v) ? (v as unknown as Estimator).toJSON() : v;
    const json: EstimatorJSON = { type: this.name, version: (this.constructor as unknown as { stateVersion: number }).stateVersion, params };
    if (this.#fitted) json.state = this.stateToJSON();
    return json;
  }

  /**
   * The binary form: {@link toJSON} in the model-bytes container (lib/core/model-bytes.ts: the long
   * numeric arrays packed, checksummed). Gradient-boosted models override it with their native form.
   * Reload with `modelFromBuffer` / `loadModel` (lib/io).
   */
  toBuffer(): Buffer {
    return encodeModelBytes(this.toJSON());
  }

  /** Writes {@link toBuffer} to `path`; `loadModel(path)` reads it back. */
  save(path: string): void {
    writeFileSync(path, this.toBuffer());
  }

  /**
   * @internal used by {@link estimatorFromJSON}. The JSON `version` must be one this class reads:
   * an integer in [1, stateVersion] (a state written by a newer release may mean something else).
   */
  restore(json: EstimatorJSON): this {
    checkStateVersion(json.version, (this.constructor as unknown as { stateVersion: number }).stateVersion, `Invalid ${this.name} JSON`);
    if (json.state !== undefined) {
      this.stateFromJSON(json.state, json.version);
      this.#fitted = true;
    }
    return this;
  }
}

/**
 * @internal Throws ModelFormatError (`<where>: ...`) unless `version` is a state version a class
 * whose current one is `supported` can read: an integer in [1, supported].
 */
export function checkStateVersion(version: unknown, supported: number, where: string): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    const got = typeof version === 'number' ? String(version) : version === undefined ? 'none' : JSON.stringify(version);
    throw new ModelFormatError(`${where}: expected a positive integer for 'version' but received ${got}`);
  }
  if (version > supported) {
    throw new ModelFormatError(`${where}: version ${version} was written by a newer ensemblekit (this one reads versions 1 to ${supported}); upgrade ensemblekit to load it`);
  }
}

/** A class {@link registerEstimator} accepts: constructed from a params object. */
export type EstimatorClass = new (params?: Record<string, unknown>) => Estimator | Transformer;
const registry = new Map<string, EstimatorClass>();

/** Makes a class revivable by {@link estimatorFromJSON} under its `type` name. */
export function registerEstimator(name: string, cls: EstimatorClass): void {
  registry.set(name, cls);
}

function reviveParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    const looksLikeEstimator = v !== null && typeof v === 'object' && typeof (v as EstimatorJSON).type === 'string' && 'params' in (v as object);
    out[k] = looksLikeEstimator ? estimatorFromJSON(v as EstimatorJSON) : Array.isArray(v) ? v.map((x) => (x !== null && typeof x === 'object' && 'type' in x && 'params' in x ? estimatorFromJSON(x as EstimatorJSON) : Array.isArray(x) ? reviveParams({ x }).x : x)) : v;
  }
  return out;
}

/** Rebuilds an estimator (fitted or not) from its JSON form. */
export function estimatorFromJSON(json: unknown): Estimator & Transformer {
  const j = json as EstimatorJSON | null;
  if (j === null || typeof j !== 'object' || typeof j.type !== 'string' || typeof j.params !== 'object' || j.params === null) {
    throw new ModelFormatError('Expected an estimator JSON object with "type" and "params"');
  }
  const Cls = registry.get(j.type);
  if (!Cls) throw new ModelFormatError(`Unknown estimator type '${j.type}' (known: ${[...registry.keys()].join(', ') || 'none'})`);
  const est = new Cls(reviveParams(j.params)) as unknown as BaseEstimator<object>;
  return est.restore(j) as unknown as Estimator & Transformer;
}
