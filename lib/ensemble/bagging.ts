/**
 * Bootstrap aggregating (scikit-learn's BaggingClassifier / BaggingRegressor) over any estimator:
 * each member fits on a random sample of the rows (with replacement with `bootstrap`) and of the
 * columns; the classifier averages the members' probabilities (their votes when the base has no
 * predictProba), the regressor their predictions. One seed per member is drawn up front from `seed`
 * (and handed to members with a `seed` parameter), so results do not depend on `nJobs`.
 *
 * Differences from scikit-learn: members fit on the sampled rows themselves (scikit-learn passes
 * bootstrap counts as sample weights to estimators that accept them, which is the same for linear
 * models but not for row-count rules such as `minChildSamples`); `maxSamples` / `maxFeatures` in
 * (0, 1] are fractions and larger integers counts (JavaScript has no 1 vs 1.0); the random streams
 * are the library's, not numpy's.
 */
import { BaseEstimator, estimatorFromJSON, registerEstimator, type Classifier, type Estimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type Labels, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { Random } from '../core/random.js';
import { weightsOf, type LabelList } from '../metrics/labels.js';
import { accuracyScore } from '../metrics/classification.js';
import { r2Score } from '../metrics/regression.js';
import { alignColumns, classesOf, decisionOf, hasMethod, predictOf, probaOf } from '../metrics/outputs.js';
import { takeLabels, takeRows, takeWeights } from '../model_selection/subset.js';
import { checkLabelList, classIndex, classesFrom, fitMember, fitMemberSync, forEachMember, isEstimatorLike, paramToJSON } from './base.js';
import { argmax, labelsAt } from './voting.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../tree/decision-tree.js';

/** Options of the bagging ensembles. */
export interface BaggingOptions {
  /**
   * The base estimator, cloned for every member. Default (null): a `DecisionTreeClassifier` /
   * `DecisionTreeRegressor` with its defaults (a fully grown tree), scikit-learn's default.
   */
  estimator?: Estimator | null;
  /** Members. Default 10. */
  nEstimators?: number;
  /** Rows per member: a fraction of the rows in (0, 1] or a count > 1. Default 1 (as many as there are rows). */
  maxSamples?: number;
  /** Columns per member: a fraction in (0, 1] or a count > 1. Default 1 (all). */
  maxFeatures?: number;
  /** Draw rows with replacement. Default true. */
  bootstrap?: boolean;
  /** Draw columns with replacement. Default false. */
  bootstrapFeatures?: boolean;
  /** Score each row with the members that did not train on it (`oobScore`, `oobDecisionFunction` / `oobPrediction`). Default false. */
  oobScore?: boolean;
  /** A further fit adds members up to nEstimators and keeps the fitted ones. Default false. */
  warmStart?: boolean;
  /** Seed of all draws; unset: a random seed (read it back from `seedUsed`). */
  seed?: number | null;
  /** Members fitted at once; <= 0 or unset: one per core. */
  nJobs?: number;
}

interface BagMember {
  est: Estimator;
  seed: number;
  /** Columns the member sees, or null for all in order. */
  features: Int32Array | null;
}

interface BagState {
  members: BagMember[];
  nFeatures: number;
  seedUsed: number;
  classes?: LabelList;
  oobScore?: number;
  oob?: Matrix | Float64Array;
}

interface Prepared {
  p: Required<BaggingOptions>;
  m: MatrixLike;
  labels: Labels;
  classes: LabelList | undefined;
  prev: BagState | undefined;
  seedUsed: number;
}

function resolveCount(v: number, n: number, name: string, owner: string): number {
  const k = v <= 1 ? Math.floor(v * n) : v;
  if (!(v > 0) || (v > 1 && !Number.isInteger(v)) || k < 1 || k > n) {
    throw new InvalidParameterError(`Expected ${owner} parameter '${name}' to be a fraction in (0, 1] or an integer count in [2, ${n}] but received ${v} (giving ${k} of ${n})`, name);
  }
  return k;
}

abstract class BaseBagging<P extends BaggingOptions> extends BaseEstimator<P> {
  static readonly params: ParamTable = [
    { name: 'estimator', type: 'any', default: null, nullable: true, doc: 'Base estimator; null: a DecisionTreeClassifier / DecisionTreeRegressor.' },
    { name: 'nEstimators', type: 'int', default: 10, min: 1, doc: 'Members.' },
    { name: 'maxSamples', type: 'number', default: 1, gt: 0, doc: 'Rows per member: fraction in (0, 1] or count.' },
    { name: 'maxFeatures', type: 'number', default: 1, gt: 0, doc: 'Columns per member: fraction in (0, 1] or count.' },
    { name: 'bootstrap', type: 'boolean', default: true, doc: 'Draw rows with replacement.' },
    { name: 'bootstrapFeatures', type: 'boolean', default: false, doc: 'Draw columns with replacement.' },
    { name: 'oobScore', type: 'boolean', default: false, doc: 'Out-of-bag score and predictions.' },
    { name: 'warmStart', type: 'boolean', default: false, doc: 'A further fit adds members.' },
    { name: 'seed', type: 'int', default: null, nullable: true, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'Seed of all draws.' },
    { name: 'nJobs', type: 'int', default: 0, doc: 'Members fitted at once; <= 0 means one per core.' },
  ];

  abstract readonly estimatorType: 'classifier' | 'regressor';
  protected state: BagState | undefined;

  /** Row and column draws of one member, from its seed. */
  #draws(seed: number, n: number, F: number, p: Required<BaggingOptions>): { samples: Int32Array; features: Int32Array | null } {
    const rng = new Random(seed);
    const nf = resolveCount(p.maxFeatures, F, 'maxFeatures', this.name);
    const ns = resolveCount(p.maxSamples, n, 'maxSamples', this.name);
    let features: Int32Array | null;
    if (p.bootstrapFeatures) features = Int32Array.from({ length: nf }, () => rng.int(F));
    else features = nf < F ? rng.sample(F, nf).sort() : null;
    let samples: Int32Array;
    if (p.bootstrap) samples = Int32Array.from({ length: ns }, () => rng.int(n));
    else samples = ns < n ? rng.sample(n, ns) : Int32Array.from({ length: n }, (_, i) => i);
    return { samples, features };
  }

  #prepare(X: MatrixInput, y: LabelInput | undefined) {
    const p = this.resolved() as Required<BaggingOptions>;
    const base = p.estimator ?? (this.estimatorType === 'classifier' ? new DecisionTreeClassifier() : new DecisionTreeRegressor());
    if (!isEstimatorLike(base)) throw new InvalidParameterError(`Expected an estimator for ${this.name} parameter 'estimator'`, 'estimator');
    const m = toMatrix(X);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs y`);
    const labels = toLabels(y, m.rows);
    const classes = this.estimatorType === 'classifier' ? classesFrom(labels, this.name) : undefined;
    if (!classes && labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${this.name}`);
    if (p.oobScore && !p.bootstrap) throw new InvalidParameterError('Out-of-bag estimation is only available with bootstrap: true', 'oobScore');
    const prev = p.warmStart && this.state && this.state.nFeatures === m.cols ? this.state : undefined;
    if (prev && p.nEstimators < prev.members.length) {
      throw new InvalidParameterError(`nEstimators=${p.nEstimators} must be at least the ${prev.members.length} members already fitted when warmStart is true`, 'nEstimators');
    }
    const seedUsed = prev ? prev.seedUsed : p.seed ?? Random.fromSeed().nextU32();
    // One seed per member, drawn up front: member i always gets the i-th draw, warm start or not.
    const master = new Random(seedUsed);
    const seeds = Array.from({ length: p.nEstimators }, () => master.nextU32());
    const start = prev ? prev.members.length : 0;
    return { p, base, m, labels, classes, prev, seedUsed, seeds, start };
  }

  #member(base: Estimator, seed: number): Estimator {
    const est = base.clone();
    const keys = Object.keys(est.getParams(true)).filter((k) => k === 'seed' || k.endsWith('__seed'));
    if (keys.length > 0) est.setParams(Object.fromEntries(keys.map((k) => [k, seed])));
    return est;
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    const j = this.#prepare(X, y);
    const sw = weightsOf(opts.sampleWeight, j.m.rows);
    const added = await forEachMember(
      j.seeds.length - j.start,
      j.p.nJobs,
      async (t) => {
        const seed = j.seeds[j.start + t]!;
        const { samples, features } = this.#draws(seed, j.m.rows, j.m.cols, j.p);
        const est = await fitMember(this.#member(j.base, seed), takeRows(j.m, samples, features ?? undefined), takeLabels(j.labels, samples), { sampleWeight: takeWeights(sw, samples), signal: opts.signal });
        return { est, seed, features } as BagMember;
      },
      opts.signal,
    );
    this.#finish(j, added);
    return this;
  }

  /** Fits every member on the calling thread (the base estimator needs fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const j = this.#prepare(X, y);
    const sw = weightsOf(opts.sampleWeight, j.m.rows);
    const added: BagMember[] = [];
    for (let t = j.start; t < j.seeds.length; t++) {
      const seed = j.seeds[t]!;
      const { samples, features } = this.#draws(seed, j.m.rows, j.m.cols, j.p);
      const est = fitMemberSync(this.#member(j.base, seed), takeRows(j.m, samples, features ?? undefined), takeLabels(j.labels, samples), { sampleWeight: takeWeights(sw, samples) }, this.name, `member ${t}`);
      added.push({ est, seed, features });
    }
    this.#finish(j, added);
    return this;
  }

  #finish(j: Prepared, added: BagMember[]): void {
    const members = [...(j.prev?.members ?? []), ...added];
    const state: BagState = { members, nFeatures: j.m.cols, seedUsed: j.seedUsed, classes: j.classes };
    if (j.p.oobScore) this.#oob(state, j.m, j.labels, j.p);
    this.state = state;
    this.markFitted();
  }

  #oob(state: BagState, m: MatrixLike, labels: Labels, p: Required<BaggingOptions>): void {
    const n = m.rows;
    const classes = state.classes;
    const k = classes ? classes.length : 1;
    const acc = new Float64Array(n * k);
    const count = new Float64Array(n);
    for (const mem of state.members) {
      const { samples } = this.#draws(mem.seed, n, m.cols, p);
      const inBag = new Uint8Array(n);
      for (const s of samples) inBag[s] = 1;
      const oobRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !inBag[i]);
      if (oobRows.length === 0) continue;
      const Xo = takeRows(m, oobRows, mem.features ?? undefined);
      const out = this.memberScores(mem.est, Xo, classes);
      oobRows.forEach((r, i) => {
        count[r] = count[r]! + 1;
        for (let c = 0; c < k; c++) acc[r * k + c] = acc[r * k + c]! + out[i * k + c]!;
      });
    }
    if (count.some((c) => c === 0)) {
      process.emitWarning(`${this.name}: some rows were never left out of bag; their out-of-bag estimates are not defined (NaN). Use more estimators.`);
    }
    if (classes) {
      const dec = new Matrix(new Float64Array(n * k), n, k);
      const best = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += acc[i * k + c]!;
        for (let c = 0; c < k; c++) dec.data[i * k + c] = acc[i * k + c]! / s;
        best[i] = argmax(acc, i * k, k);
      }
      state.oob = dec;
      state.oobScore = accuracyScore(labels.values, labelsAt(classes, best));
    } else {
      const pred = Float64Array.from(acc, (v, i) => v / (count[i] || 1));
      state.oob = pred;
      state.oobScore = r2Score(labels.values, pred);
    }
  }

  /** A member's contribution per row: probabilities (or one-hot votes) aligned to classes, or its predictions. */
  protected memberScores(est: Estimator, X: MatrixLike, classes: LabelList | undefined): Float64Array {
    if (!classes) return predictOf(est, X) as Float64Array;
    if (hasMethod(est, 'predictProba')) return alignColumns(probaOf(est, X), classesOf(est), classes).data;
    const index = classIndex(classes);
    const pred = predictOf(est, X);
    const out = new Float64Array(pred.length * classes.length);
    pred.forEach((v, i) => (out[i * classes.length + index.get(v)!] = 1));
    return out;
  }

  protected fitted(what: string): BagState {
    this.assertFitted(what);
    return this.state!;
  }

  /** Mean of the members' contributions on X (each member on its own columns). */
  protected aggregate(X: MatrixInput): { data: Float64Array; rows: number; k: number } {
    const s = this.fitted('predict()');
    const m = toMatrix(X, { cols: s.nFeatures });
    const k = s.classes ? s.classes.length : 1;
    const sum = new Float64Array(m.rows * k);
    const all = Int32Array.from({ length: m.rows }, (_, i) => i);
    for (const mem of s.members) {
      const Xm = mem.features ? takeRows(m, all, mem.features) : m;
      const out = this.memberScores(mem.est, Xm, s.classes);
      for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + out[i]!;
    }
    const n = s.members.length;
    for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! / n;
    return { data: sum, rows: m.rows, k };
  }

  /** The fitted members. */
  get estimators(): Estimator[] {
    return this.fitted('reading estimators').members.map((x) => x.est);
  }

  /** Columns each member saw (all columns when not subsampled). */
  get estimatorsFeatures(): Int32Array[] {
    const s = this.fitted('reading estimatorsFeatures');
    return s.members.map((x) => x.features?.slice() ?? Int32Array.from({ length: s.nFeatures }, (_, i) => i));
  }

  /** The seed given to each member. */
  get memberSeeds(): number[] {
    return this.fitted('reading memberSeeds').members.map((x) => x.seed);
  }

  /** The master seed (the `seed` option, or the random one drawn when it was unset). */
  get seedUsed(): number {
    return this.fitted('reading seedUsed').seedUsed;
  }

  /** Out-of-bag score: accuracy (classifier) or R² (regressor); needs oobScore. */
  get oobScore(): number {
    const s = this.fitted('reading oobScore');
    if (s.oobScore === undefined) throw new InvalidParameterError(`${this.name} was fitted without oobScore: true`, 'oobScore');
    return s.oobScore;
  }

  protected stateToJSON(): unknown {
    const s = this.state!;
    return {
      members: s.members.map((x) => ({ est: x.est.toJSON(), seed: x.seed, features: x.features ? Array.from(x.features) : null })),
      nFeatures: s.nFeatures,
      seedUsed: s.seedUsed,
      classes: s.classes,
      oobScore: s.oobScore,
    };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || !Array.isArray(s.members) || typeof s.nFeatures !== 'number') throw new ModelFormatError(`Invalid ${this.name} state`);
    this.state = {
      members: s.members.map((x: { est: unknown; seed: number; features: number[] | null }) => ({ est: estimatorFromJSON(x.est) as Estimator, seed: x.seed, features: x.features ? Int32Array.from(x.features) : null })),
      nFeatures: s.nFeatures,
      seedUsed: Number(s.seedUsed),
      classes: s.classes === undefined ? undefined : checkLabelList(s.classes, this.name),
      oobScore: typeof s.oobScore === 'number' ? s.oobScore : undefined,
    };
  }

  override toJSON() {
    const json = super.toJSON();
    json.params = paramToJSON(this.params_) as Record<string, unknown>;
    return json;
  }
}

/** Bagging of classifiers: mean member probabilities (votes when the base has no predictProba). */
export class BaggingClassifier extends BaseBagging<BaggingOptions> implements Classifier {
  readonly estimatorType = 'classifier' as const;

  constructor(options: BaggingOptions = {}) {
    super(options);
  }

  /** Sorted labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /** Mean of the members' probabilities (aligned to classes; a class a member never saw counts 0), or the share of votes. */
  predictProba(X: MatrixInput): Matrix {
    const a = this.aggregate(X);
    return new Matrix(a.data, a.rows, a.k);
  }

  /** The class with the largest mean probability (or share of votes). */
  predict(X: MatrixInput): Float64Array | string[] {
    const a = this.aggregate(X);
    return labelsAt(this.state!.classes!, Int32Array.from({ length: a.rows }, (_, i) => argmax(a.data, i * a.k, a.k)));
  }

  /** Mean of the members' decision functions (the base must have one, and every member must have seen every class). */
  decisionFunction(X: MatrixInput): Matrix {
    const s = this.fitted('decisionFunction()');
    const m = toMatrix(X, { cols: s.nFeatures });
    const all = Int32Array.from({ length: m.rows }, (_, i) => i);
    let sum: Matrix | undefined;
    for (const mem of s.members) {
      const d = decisionOf(mem.est, mem.features ? takeRows(m, all, mem.features) : m);
      if (sum && d.cols !== sum.cols) throw new InvalidInputError(`${this.name}: members disagree on the decision function's width (a bootstrap sample missed a class)`);
      if (!sum) sum = Matrix.zeros(d.rows, d.cols);
      for (let i = 0; i < d.data.length; i++) sum.data[i] = sum.data[i]! + d.data[i]!;
    }
    for (let i = 0; i < sum!.data.length; i++) sum!.data[i] = sum!.data[i]! / s.members.length;
    return sum!;
  }

  /** Out-of-bag class probabilities per training row (NaN for rows always in bag); needs oobScore. */
  get oobDecisionFunction(): Matrix {
    const s = this.fitted('reading oobDecisionFunction');
    if (!(s.oob instanceof Matrix)) throw new InvalidParameterError(`${this.name} was fitted without oobScore: true (not kept in JSON)`, 'oobScore');
    return s.oob;
  }
}

/** Bagging of regressors: mean member prediction. */
export class BaggingRegressor extends BaseBagging<BaggingOptions> implements Regressor {
  readonly estimatorType = 'regressor' as const;

  constructor(options: BaggingOptions = {}) {
    super(options);
  }

  /** Mean of the members' predictions. */
  predict(X: MatrixInput): Float64Array {
    return this.aggregate(X).data;
  }

  /** Out-of-bag prediction per training row; needs oobScore. */
  get oobPrediction(): Float64Array {
    const s = this.fitted('reading oobPrediction');
    if (!(s.oob instanceof Float64Array)) throw new InvalidParameterError(`${this.name} was fitted without oobScore: true (not kept in JSON)`, 'oobScore');
    return s.oob;
  }
}

registerEstimator('BaggingClassifier', BaggingClassifier as never);
registerEstimator('BaggingRegressor', BaggingRegressor as never);
