/**
 * What the ensembles share: `[name, estimator]` member lists with scikit-learn's parameter
 * semantics (`getParams` lists each member by name and, deep, `name__param`; `setParams` replaces
 * or tunes members), member JSON, label bookkeeping and concurrent member fits.
 */
import { BaseEstimator, estimatorFromJSON, type Estimator, type EstimatorJSON, type FitOptions } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import type { LabelInput, Labels, MatrixInput } from '../core/input.js';
import { uniqueLabels, type LabelList } from '../metrics/labels.js';
import { isClassifierLike } from '../metrics/outputs.js';
import { mapLimit, resolveJobs } from '../model_selection/parallel.js';

/** An ensemble member: an estimator, or `'drop'` to leave it out. */
export type Member = Estimator | 'drop';

/** `[name, member]` pairs. */
export type NamedMembers = [string, Member][];

/** A fitted (or prefit) member with its name. */
export type FittedMember = [string, Estimator];

export function isEstimatorLike(v: unknown): v is Estimator {
  return v !== null && typeof v === 'object' && typeof (v as Estimator).fit === 'function' && typeof (v as Estimator).getParams === 'function' && typeof (v as Estimator).clone === 'function';
}

/** Deep JSON form of a parameter value: estimators through their own toJSON, arrays and plain objects element-wise. */
export function paramToJSON(v: unknown): unknown {
  if (isEstimatorLike(v) && typeof (v as Estimator).toJSON === 'function') return (v as Estimator).toJSON();
  if (Array.isArray(v)) return v.map(paramToJSON);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, paramToJSON(x)]));
  }
  return v;
}

/** Fitted members as JSON pairs. */
export function membersToJSON(members: readonly FittedMember[]): [string, EstimatorJSON][] {
  return members.map(([n, e]) => [n, e.toJSON()]);
}

/** Reads what {@link membersToJSON} wrote. */
export function membersFromJSON(v: unknown, owner: string): FittedMember[] {
  if (!Array.isArray(v)) throw new ModelFormatError(`Invalid ${owner} state: members must be an array`);
  return v.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw new ModelFormatError(`Invalid ${owner} state: members must be [name, estimator] pairs`);
    return [pair[0], estimatorFromJSON(pair[1]) as Estimator];
  });
}

export function checkLabelList(v: unknown, owner: string): LabelList {
  if (!Array.isArray(v) || !(v.every((c) => typeof c === 'number') || v.every((c) => typeof c === 'string'))) {
    throw new ModelFormatError(`Invalid ${owner} state: classes must be numbers or strings`);
  }
  return v as LabelList;
}

/** Sorted classes of validated labels, with at least two. */
export function classesFrom(labels: Labels, owner: string): LabelList {
  const classes = uniqueLabels(labels);
  if (classes.length < 2) throw new InvalidInputError(`Expected at least 2 classes in y for ${owner} but received only ${JSON.stringify(classes[0])}`);
  return classes;
}

/** Index of each label in `classes` (labels must all be present). */
export function classIndex(classes: LabelList): Map<number | string, number> {
  return new Map((classes as (number | string)[]).map((c, i) => [c, i]));
}

/** Fits `est` (itself, not a clone) with the ensemble's fit options. */
export async function fitMember(est: Estimator, X: MatrixInput, y: LabelInput | undefined, opts: FitOptions): Promise<Estimator> {
  await est.fit(X, y, { sampleWeight: opts.sampleWeight, signal: opts.signal });
  return est;
}

/** Fits `est` on the calling thread; members need a `fitSync`. */
export function fitMemberSync(est: Estimator, X: MatrixInput, y: LabelInput | undefined, opts: Pick<FitOptions, 'sampleWeight'>, owner: string, name: string): Estimator {
  const f = (est as unknown as { fitSync?: (X: MatrixInput, y?: LabelInput, o?: Pick<FitOptions, 'sampleWeight'>) => unknown }).fitSync;
  if (typeof f !== 'function') throw new InvalidParameterError(`${owner} member '${name}' (${(est as { name?: string }).name ?? est.constructor.name}) has no fitSync: use fit()`, 'estimators');
  f.call(est, X, y, { sampleWeight: opts.sampleWeight });
  return est;
}

/** Runs `fn` over `n` items at most `nJobs` at a time. */
/**
 * Runs `fn` (a member fit on the rows `rows` of the caller's X). An InvalidInputError that names
 * "row i" of that subset is re-thrown naming the caller's row `rows[i]`, so the message points at
 * the row the user has to fix.
 */
export async function onRows<T>(rows: ArrayLike<number>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw inCallerRows(rows, e);
  }
}

/** {@link onRows} for synchronous work (a member predicting a subset). */
export function onRowsSync<T>(rows: ArrayLike<number>, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw inCallerRows(rows, e);
  }
}

function inCallerRows(rows: ArrayLike<number>, e: unknown): unknown {
  if (!(e instanceof InvalidInputError)) return e;
  const message = e.message.replace(/\brow (\d+)/g, (all, n: string) => (Number(n) < rows.length ? `row ${rows[Number(n)]}` : all));
  return message === e.message ? e : new InvalidInputError(message, { cause: e });
}

export function forEachMember<T>(n: number, nJobs: number | undefined, fn: (i: number) => Promise<T>, signal?: AbortSignal): Promise<T[]> {
  return mapLimit(n, resolveJobs(nJobs), fn, signal);
}

/** Options every heterogeneous ensemble has. */
export interface MembersOptions {
  /** `[name, estimator]` pairs; an estimator may be `'drop'`. Names are unique and contain no `__`. */
  estimators?: NamedMembers;
}

/**
 * Base of the ensembles over named members (Voting, Stacking, Blending, EnsembleSelection): the
 * parameter and JSON semantics of scikit-learn's `_BaseHeterogeneousEnsemble`.
 */
export abstract class HeterogeneousEnsemble<P extends MembersOptions> extends BaseEstimator<P> {
  /** 'classifier' or 'regressor' (what scikit-learn's `is_classifier` reads). */
  abstract readonly estimatorType: 'classifier' | 'regressor';

  /** The `[name, member]` pairs as given (a new array). */
  get estimators(): NamedMembers {
    const e = this.params_.estimators;
    return Array.isArray(e) ? e.map(([n, m]) => [n, m] as [string, Member]) : [];
  }

  /** Validates the member list: pairs, unique names free of '__' and of parameter names, at least one kept. */
  protected validMembers(): NamedMembers {
    const list = this.params_.estimators as unknown;
    if (!Array.isArray(list) || list.length === 0) throw new InvalidParameterError(`Expected a non-empty array of [name, estimator] pairs for ${this.name} parameter 'estimators'`, 'estimators');
    const seen = new Set<string>();
    const reserved = new Set(this.table.map((s) => s.name));
    list.forEach((pair: unknown, i: number) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw new InvalidParameterError(`Expected a [name, estimator] pair at ${this.name} estimators[${i}]`, 'estimators');
      const [name, est] = pair as [string, unknown];
      if (name.length === 0 || name.includes('__')) throw new InvalidParameterError(`${this.name} member names must be non-empty and not contain '__' but received ${JSON.stringify(name)}`, 'estimators');
      if (reserved.has(name)) throw new InvalidParameterError(`${this.name} member name ${JSON.stringify(name)} clashes with a parameter name`, 'estimators');
      if (seen.has(name)) throw new InvalidParameterError(`${this.name} member names must be unique but ${JSON.stringify(name)} appears twice`, 'estimators');
      seen.add(name);
      if (est !== 'drop' && !isEstimatorLike(est)) throw new InvalidParameterError(`${this.name} member ${JSON.stringify(name)} is not an estimator (it needs fit, getParams and clone) or 'drop'`, 'estimators');
    });
    if (list.every(([, e]: [string, unknown]) => e === 'drop')) throw new InvalidParameterError(`All ${this.name} members are 'drop': keep at least one`, 'estimators');
    return list as NamedMembers;
  }

  /** Checks that each kept member is a classifier (or a regressor) as the ensemble. */
  protected checkMemberKinds(members: NamedMembers): void {
    for (const [name, est] of members) {
      if (est === 'drop') continue;
      const cls = isClassifierLike(est);
      if (this.estimatorType === 'classifier' && !cls && typeof (est as { estimatorType?: unknown }).estimatorType === 'string') {
        throw new InvalidParameterError(`${this.name} member '${name}' is a regressor; a classifier is needed`, 'estimators');
      }
      if (this.estimatorType === 'regressor' && (est as { estimatorType?: unknown }).estimatorType === 'classifier') {
        throw new InvalidParameterError(`${this.name} member '${name}' is a classifier; a regressor is needed`, 'estimators');
      }
    }
  }

  /** Every parameter; each member by name; deep: `name__param` for every member's parameters. */
  override getParams(deep = true): Record<string, unknown> {
    const out = super.getParams(deep);
    for (const [name, est] of this.estimators) {
      out[name] = est;
      if (deep && est !== 'drop') for (const [k, v] of Object.entries(est.getParams(true))) out[`${name}__${k}`] = v;
    }
    return out;
  }

  /** Sets parameters, replaces a member by name (an estimator or 'drop'), or tunes one with `name__param`. */
  override setParams(params: Record<string, unknown>): this {
    const names = () => this.estimators.map(([n]) => n);
    const own: Record<string, unknown> = {};
    const replace: [string, unknown][] = [];
    const nested: [string, string, unknown][] = [];
    for (const [key, value] of Object.entries(params)) {
      const sep = key.indexOf('__');
      const head = sep > 0 ? key.slice(0, sep) : key;
      const isMember = !this.table.some((s) => s.name === head) && (names().includes(head) || (Array.isArray(params.estimators) && (params.estimators as NamedMembers).some(([n]) => n === head)));
      if (!isMember) own[key] = value;
      else if (sep > 0) nested.push([head, key.slice(sep + 2), value]);
      else replace.push([key, value]);
    }
    if (Object.keys(own).length > 0) super.setParams(own);
    for (const [name, value] of replace) {
      if (value !== 'drop' && !isEstimatorLike(value)) throw new InvalidParameterError(`Expected an estimator or 'drop' to replace ${this.name} member '${name}'`, name);
      (this.params_ as MembersOptions).estimators = this.estimators.map(([n, e]) => [n, n === name ? (value as Member) : e]);
    }
    for (const [name, key, value] of nested) {
      const est = this.estimators.find(([n]) => n === name)![1];
      if (est === 'drop') throw new InvalidParameterError(`${this.name} member '${name}' is 'drop' and has no parameters`, `${name}__${key}`);
      est.setParams({ [key]: value });
    }
    this.onParamsChanged();
    return this;
  }

  /** Hook after setParams (e.g. to re-sync optional methods). */
  protected onParamsChanged(): void {}

  /** JSON whose params hold every member's own JSON. */
  override toJSON(): EstimatorJSON {
    const json = super.toJSON();
    json.params = paramToJSON(this.params_) as Record<string, unknown>;
    return json;
  }
}

/**
 * Makes an optional method absent (an own `undefined` property shadowing the prototype's), as
 * scikit-learn's `available_if`: `hasMethod(est, name)` then answers false.
 */
export function setMethodAvailable(obj: object, name: string, available: boolean): void {
  if (available) delete (obj as Record<string, unknown>)[name];
  else Object.defineProperty(obj, name, { value: undefined, configurable: true, writable: true, enumerable: false });
}
