/**
 * Voting ensembles (scikit-learn's VotingClassifier / VotingRegressor): members fit independently
 * on the same data (concurrently, up to `nJobs`); the classifier takes a (weighted) majority of the
 * predicted labels ('hard') or the argmax of the weighted mean of the probabilities ('soft'); the
 * regressor averages predictions. Members may be `'drop'`, and members named in `prefit` are used
 * as given (already fitted) instead of being cloned and fitted.
 */
import { registerEstimator, type Classifier, type Estimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import type { LabelList } from '../metrics/labels.js';
import { alignColumns, classesOf, predictOf, probaOf, rowsOf } from '../metrics/outputs.js';
import {
  HeterogeneousEnsemble,
  checkLabelList,
  classIndex,
  classesFrom,
  fitMember,
  fitMemberSync,
  forEachMember,
  membersFromJSON,
  membersToJSON,
  setMethodAvailable,
  type FittedMember,
  type MembersOptions,
  type NamedMembers,
} from './base.js';
import { accuracyScore } from '../metrics/classification.js';

/** Options shared by the voting ensembles. */
export interface VotingOptions extends MembersOptions {
  /** One weight per member in `estimators` (dropped ones included); default: equal weights. */
  weights?: number[] | null;
  /** Members fitted at once; <= 0 or unset: one per core. */
  nJobs?: number;
  /**
   * Members already fitted, used as given: `true` for all, or their names. Not in scikit-learn. A
   * prefit classifier must have been fitted on labels among those of y.
   */
  prefit?: boolean | string[];
}

/** Options of {@link VotingClassifier}. */
export interface VotingClassifierOptions extends VotingOptions {
  /** 'hard' (default): weighted majority of labels; 'soft': argmax of the weighted mean probability. */
  voting?: 'hard' | 'soft';
  /** Soft voting: transform() returns all probabilities side by side (default true) or one matrix per member. */
  flattenTransform?: boolean;
}

const commonTable: ParamTable = [
  { name: 'estimators', type: 'any', default: undefined, doc: "[name, estimator] pairs; an estimator may be 'drop'." },
  { name: 'weights', type: 'any', default: null, nullable: true, doc: 'One weight per member (default equal).' },
  { name: 'nJobs', type: 'int', default: 0, doc: 'Members fitted at once; <= 0 means one per core.' },
  { name: 'prefit', type: 'any', default: false, doc: 'Members already fitted: true for all, or their names.' },
];

interface VotingState {
  members: FittedMember[];
  weights: Float64Array;
  classes?: LabelList;
}

/** Shared fitting of the voting ensembles. */
abstract class BaseVoting<P extends VotingOptions> extends HeterogeneousEnsemble<P> {
  protected state: VotingState | undefined;

  /** Kept members and their weights, after validation. */
  protected plan(): { kept: [string, Estimator][]; weights: Float64Array; prefit: (name: string) => boolean } {
    const members = this.validMembers();
    this.checkMemberKinds(members);
    const w = this.params_.weights;
    if (w !== undefined && w !== null) {
      if (!Array.isArray(w) || w.length !== members.length || !w.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new InvalidParameterError(`Expected ${members.length} finite numbers for ${this.name} parameter 'weights' (one per estimator) but received ${JSON.stringify(w)}`, 'weights');
      }
    }
    const kept = members.filter(([, e]) => e !== 'drop') as [string, Estimator][];
    const weights = Float64Array.from(members.flatMap(([, e], i) => (e === 'drop' ? [] : [w ? w[i]! : 1])));
    const pre = this.params_.prefit ?? false;
    if (typeof pre !== 'boolean' && !(Array.isArray(pre) && pre.every((n) => typeof n === 'string'))) {
      throw new InvalidParameterError(`Expected a boolean or an array of member names for ${this.name} parameter 'prefit'`, 'prefit');
    }
    if (Array.isArray(pre)) for (const n of pre) if (!members.some(([m]) => m === n)) throw new InvalidParameterError(`prefit names '${n}', which is not a member of ${this.name}`, 'prefit');
    const prefit = (name: string) => pre === true || (Array.isArray(pre) && pre.includes(name));
    return { kept, weights, prefit };
  }

  protected async fitMembers(X: MatrixInput, y: LabelInput | undefined, opts: FitOptions, classes?: LabelList): Promise<this> {
    const { kept, weights, prefit } = this.plan();
    const fitted = await forEachMember(
      kept.length,
      this.params_.nJobs,
      async (i) => {
        const [name, est] = kept[i]!;
        return [name, prefit(name) ? est : await fitMember(est.clone(), X, y, opts)] as FittedMember;
      },
      opts.signal,
    );
    this.state = { members: fitted, weights, classes };
    this.markFitted();
    return this;
  }

  protected fitMembersSync(X: MatrixInput, y: LabelInput | undefined, opts: Pick<FitOptions, 'sampleWeight'>, classes?: LabelList): this {
    const { kept, weights, prefit } = this.plan();
    const fitted = kept.map(([name, est]) => [name, prefit(name) ? est : fitMemberSync(est.clone(), X, y, opts, this.name, name)] as FittedMember);
    this.state = { members: fitted, weights, classes };
    this.markFitted();
    return this;
  }

  protected fitted(what: string): VotingState {
    this.assertFitted(what);
    return this.state!;
  }

  /** The fitted members by name (prefit ones as given). */
  get namedEstimators(): Record<string, Estimator> {
    return Object.fromEntries(this.fitted('reading namedEstimators').members);
  }

  /** The fitted members, in order (dropped ones left out). */
  get fittedEstimators(): Estimator[] {
    return this.fitted('reading fittedEstimators').members.map(([, e]) => e);
  }

  protected stateToJSON(): unknown {
    const s = this.state!;
    return { members: membersToJSON(s.members), weights: Array.from(s.weights), classes: s.classes };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || !Array.isArray(s.weights)) throw new ModelFormatError(`Invalid ${this.name} state`);
    const members = membersFromJSON(s.members, this.name);
    if (s.weights.length !== members.length) throw new ModelFormatError(`Invalid ${this.name} state: one weight per member`);
    this.state = { members, weights: Float64Array.from(s.weights as number[]), classes: s.classes === undefined ? undefined : checkLabelList(s.classes, this.name) };
  }
}

/**
 * Majority ('hard') or probability ('soft') voting over classifiers. Ties go to the first class in
 * sorted order. `predictProba` exists only with soft voting (as scikit-learn's `available_if`).
 */
export class VotingClassifier extends BaseVoting<VotingClassifierOptions> implements Classifier {
  static readonly params: ParamTable = [
    ...commonTable,
    { name: 'voting', type: 'string', default: 'hard', oneOf: ['hard', 'soft'], doc: "'hard' (labels) or 'soft' (mean probabilities)." },
    { name: 'flattenTransform', type: 'boolean', default: true, doc: 'Soft voting: transform() gives one matrix of all probabilities.' },
  ];

  readonly estimatorType = 'classifier' as const;

  constructor(options: VotingClassifierOptions = {}) {
    super(options);
    this.onParamsChanged();
  }

  protected override onParamsChanged(): void {
    setMethodAvailable(this, 'predictProba', (this.params_.voting ?? 'hard') === 'soft');
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    this.resolved();
    const m = toMatrix(X);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs labels y`);
    const classes = classesFrom(toLabels(y, m.rows), this.name);
    return this.fitMembers(m, y, opts, classes);
  }

  /** Fits every member on the calling thread (each needs fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    this.resolved();
    const m = toMatrix(X);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fitSync needs labels y`);
    const classes = classesFrom(toLabels(y, m.rows), this.name);
    return this.fitMembersSync(m, y, opts, classes);
  }

  /** Sorted labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /** Each member's probabilities, columns aligned to `classes`. */
  #probas(X: MatrixInput): Matrix[] {
    const s = this.fitted('predictProba()');
    return s.members.map(([, e]) => alignColumns(probaOf(e, X), classesOf(e), s.classes!));
  }

  /** Each member's predicted class index per row. */
  #votes(X: MatrixInput): Int32Array[] {
    const s = this.fitted('predict()');
    const index = classIndex(s.classes!);
    return s.members.map(([name, e]) => {
      const p = predictOf(e, X);
      return Int32Array.from({ length: p.length }, (_, i) => {
        const j = index.get(p[i]!);
        if (j === undefined) throw new InvalidInputError(`${this.name} member '${name}' predicted ${JSON.stringify(p[i])}, which is not among the classes seen at fit`);
        return j;
      });
    });
  }

  /** The weighted mean of the members' probabilities (soft voting only). */
  predictProba(X: MatrixInput): Matrix {
    const s = this.fitted('predictProba()');
    if ((this.params_.voting ?? 'hard') !== 'soft') throw new InvalidParameterError("predictProba is not available when voting='hard'", 'voting');
    const P = this.#probas(X);
    const out = Matrix.zeros(P[0]!.rows, P[0]!.cols);
    let sw = 0;
    P.forEach((p, m) => {
      const w = s.weights[m]!;
      sw += w;
      for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! + p.data[i]! * w;
    });
    for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! / sw;
    return out;
  }

  /** The class with the largest weighted vote (hard) or mean probability (soft). */
  predict(X: MatrixInput): Float64Array | string[] {
    const s = this.fitted('predict()');
    const k = s.classes!.length;
    let best: Int32Array;
    if ((this.params_.voting ?? 'hard') === 'soft') {
      const p = this.predictProba(X);
      best = Int32Array.from({ length: p.rows }, (_, i) => argmax(p.data, i * k, k));
    } else {
      const votes = this.#votes(X);
      const n = votes[0]!.length;
      const tally = new Float64Array(k);
      best = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        tally.fill(0);
        votes.forEach((v, m) => (tally[v[i]!] = tally[v[i]!]! + s.weights[m]!));
        best[i] = argmax(tally, 0, k);
      }
    }
    return labelsAt(s.classes!, best);
  }

  /**
   * Soft voting: the members' probabilities, side by side (`rows x members*classes`) with
   * flattenTransform, else one matrix per member. Hard voting: each member's predicted class index
   * (`rows x members`).
   */
  transform(X: MatrixInput): Matrix | Matrix[] {
    const s = this.fitted('transform()');
    if ((this.params_.voting ?? 'hard') === 'soft') {
      const P = this.#probas(X);
      if (this.params_.flattenTransform === false) return P;
      return hstack(P);
    }
    const votes = this.#votes(X);
    const n = rowsOf(X);
    const out = Matrix.zeros(n, s.members.length);
    votes.forEach((v, m) => v.forEach((c, i) => (out.data[i * s.members.length + m] = c)));
    return out;
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }
}

/** Averages the members' predictions (weighted). */
export class VotingRegressor extends BaseVoting<VotingOptions> implements Regressor {
  static readonly params: ParamTable = commonTable;
  readonly estimatorType = 'regressor' as const;

  constructor(options: VotingOptions = {}) {
    super(options);
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    this.resolved();
    return this.fitMembers(toMatrix(X), y, opts);
  }

  /** Fits every member on the calling thread (each needs fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    this.resolved();
    return this.fitMembersSync(toMatrix(X), y, opts);
  }

  /** Each member's predictions as columns, `rows x members`. */
  transform(X: MatrixInput): Matrix {
    const s = this.fitted('transform()');
    const preds = s.members.map(([, e]) => predictOf(e, X) as Float64Array);
    const n = preds[0]!.length;
    const k = preds.length;
    const out = Matrix.zeros(n, k);
    preds.forEach((p, m) => p.forEach((v, i) => (out.data[i * k + m] = v)));
    return out;
  }

  /** The weighted mean of the members' predictions. */
  predict(X: MatrixInput): Float64Array {
    const s = this.fitted('predict()');
    const P = this.transform(X);
    const out = new Float64Array(P.rows);
    let sw = 0;
    for (const w of s.weights) sw += w;
    for (let i = 0; i < P.rows; i++) {
      let acc = 0;
      for (let m = 0; m < P.cols; m++) acc += P.data[i * P.cols + m]! * s.weights[m]!;
      out[i] = acc / sw;
    }
    return out;
  }
}

/** Index of the largest of `a[off .. off+k)` (first on ties). */
export function argmax(a: ArrayLike<number>, off: number, k: number): number {
  let b = 0;
  for (let c = 1; c < k; c++) if (a[off + c]! > a[off + b]!) b = c;
  return b;
}

/** Labels at the given class indices, in the labels' own type. */
export function labelsAt(classes: LabelList, idx: Int32Array): Float64Array | string[] {
  if (typeof classes[0] === 'string') return Array.from(idx, (i) => (classes as string[])[i]!);
  return Float64Array.from(idx, (i) => (classes as number[])[i]!);
}

/** Matrices side by side. */
export function hstack(parts: readonly Matrix[]): Matrix {
  const rows = parts[0]!.rows;
  const cols = parts.reduce((a, p) => a + p.cols, 0);
  const out = Matrix.zeros(rows, cols);
  let off = 0;
  for (const p of parts) {
    if (p.rows !== rows) throw new InvalidInputError(`Cannot stack outputs of ${p.rows} and ${rows} rows`);
    for (let i = 0; i < rows; i++) for (let c = 0; c < p.cols; c++) out.data[i * cols + off + c] = p.data[i * p.cols + c]!;
    off += p.cols;
  }
  return out;
}

registerEstimator('VotingClassifier', VotingClassifier as never);
registerEstimator('VotingRegressor', VotingRegressor as never);
export type { NamedMembers };
