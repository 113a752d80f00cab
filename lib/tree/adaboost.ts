/**
 * AdaBoost ({@link AdaBoostClassifier}: SAMME, multi-class; {@link AdaBoostRegressor}: AdaBoost.R2),
 * with scikit-learn 1.2's semantics (sklearn/ensemble/_weight_boosting.py) in camelCase. Boosting is
 * sequential and cheap next to a base learner's fit, so it is orchestrated here in TypeScript; the
 * members are ordinary estimators (any estimator whose `fit` honours `sampleWeight`).
 *
 * Speed with the tree bases of this library (the default stumps): the training matrix is binned once
 * into a {@link Dataset} and every member trains on it (no re-binning per round; bins as the tree
 * itself would make them: `maxBins`, exact splits with few distinct values). Each round then costs
 * one native tree fit on the shared bins plus one prediction over the training rows. A fitted
 * AdaBoostClassifier of single trees predicts through one native forest of its weighted votes
 * (built on first use), not one prediction per member.
 *
 * Differences from scikit-learn: only `algorithm: 'SAMME'` (scikit-learn 1.2's default is SAMME.R,
 * deprecated there since 1.4); `seed` defaults to 0 (deterministic) instead of a random state; each
 * member gets its own seed drawn up front from `seed` (handed to every `seed` / `*__seed` parameter),
 * and the AdaBoost.R2 bootstrap uses the library's random stream, not numpy's. With a tree base
 * from this library, AdaBoostRegressor's weighted bootstrap is passed to the member as sample
 * weights (draw counts) instead of as repeated rows: the same tree for the criteria here, without
 * copying X every round; other bases get the repeated rows, as in scikit-learn.
 */
import { Dataset } from '../core/dataset.js';
import { BaseEstimator, estimatorFromJSON, isClassifier, registerEstimator, type Classifier, type Estimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { AbortError, InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { classesFromScores, encodeClasses, indexOfLabels, toLabels, toMatrix, type LabelInput, type Labels, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { Random } from '../core/random.js';
import { toSampleWeight } from '../linear/weights.js';
import { takeLabels, takeRows } from '../model_selection/subset.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './decision-tree.js';
import { BaseForestClassifier, type TreeClassifierOptions } from './forest.js';
import { native, type NativeForestModel, type NativeForestTrees } from '../native.js';
import { BaseForest } from './forest.js';
import { accuracyScore } from '../metrics/classification.js';
import { readClasses, readFinite, readInt, readObject, received } from './tree-state.js';
import { r2Score } from '../metrics/regression.js';

/** Options of {@link AdaBoostClassifier}. */
export interface AdaBoostClassifierOptions {
  /** The base estimator, cloned for every round; its `fit` must honour `sampleWeight`. Default `DecisionTreeClassifier({ maxDepth: 1 })` (a stump). */
  estimator?: Estimator | null;
  /** Most boosting rounds (fewer when a member is perfect or no better than chance). Default 50. */
  nEstimators?: number;
  /** Shrinks each member's weight (and the re-weighting). Default 1. */
  learningRate?: number;
  /** Only 'SAMME' (discrete multi-class AdaBoost). */
  algorithm?: 'SAMME';
  /** Seed of the members' seeds. Default 0. */
  seed?: number;
}

/** Options of {@link AdaBoostRegressor}. */
export interface AdaBoostRegressorOptions {
  /** The base estimator, cloned for every round. Default `DecisionTreeRegressor({ maxDepth: 3 })`. */
  estimator?: Estimator | null;
  /** Most boosting rounds. Default 50. */
  nEstimators?: number;
  /** Shrinks each member's weight (and the re-weighting). Default 1. */
  learningRate?: number;
  /** How a row's error (scaled by the round's largest) becomes its loss: 'linear' e, 'square' e², 'exponential' 1 - exp(-e). Default 'linear'. */
  loss?: 'linear' | 'square' | 'exponential';
  /** Seed of the members' seeds and of the weighted bootstrap. Default 0. */
  seed?: number;
}

/** Options of fit. */
export type AdaBoostFitOptions = FitOptions;

const commonParams: ParamTable = [
  { name: 'estimator', type: 'any', default: null, nullable: true, doc: 'Base estimator, cloned per round (default: a depth-1 tree for the classifier, depth-3 for the regressor).' },
  { name: 'nEstimators', type: 'int', default: 50, min: 1, max: 1_000_000, doc: 'Most boosting rounds.' },
  { name: 'learningRate', type: 'number', default: 1, gt: 0, doc: "Shrinks each member's weight." },
  { name: 'seed', type: 'int', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, doc: "Seed of the members' seeds (and of AdaBoost.R2's bootstrap)." },
];

interface Member {
  est: Estimator;
  seed: number;
}

interface AdaState {
  members: Member[];
  /** Length nEstimators; rounds not fitted hold 0 (weights) and 1 (errors), as scikit-learn. */
  weights: Float64Array;
  errors: Float64Array;
  nFeatures: number;
  classes?: number[] | string[];
}

interface Round {
  est: Estimator;
  seed: number;
  /** The training data the member fits on (X, or the Dataset of X for the library's trees). */
  X: MatrixInput | Dataset;
}

function isEstimator(v: unknown): v is Estimator {
  return v !== null && typeof v === 'object' && typeof (v as Estimator).fit === 'function' && typeof (v as Estimator).getParams === 'function' && typeof (v as Estimator).clone === 'function';
}

function hasFitSync(e: Estimator): e is Estimator & { fitSync(X: unknown, y?: unknown, o?: unknown): unknown } {
  return typeof (e as { fitSync?: unknown }).fitSync === 'function';
}

interface ClsJob {
  p: Required<AdaBoostClassifierOptions>;
  base: Estimator;
  m: MatrixLike;
  labels: Labels;
  enc: { classes: number[] | string[]; indices: Int32Array };
  w: Float64Array;
  yFit: LabelInput;
  seeds: number[];
}

interface RegJob {
  p: Required<AdaBoostRegressorOptions>;
  base: Estimator;
  m: MatrixLike;
  y: Float64Array;
  labels: Labels;
  w: Float64Array;
  seeds: number[];
  rng: Random;
}

/** @internal The boosting loop, member bookkeeping, JSON and importances shared by both estimators. */
abstract class BaseAdaBoost<P extends AdaBoostClassifierOptions | AdaBoostRegressorOptions> extends BaseEstimator<P> {
  protected state_: AdaState | undefined;

  protected abstract defaultEstimator(): Estimator;

  protected base(): Estimator {
    const e = (this.params_ as { estimator?: unknown }).estimator;
    if (e === null || e === undefined) return this.defaultEstimator();
    if (!isEstimator(e)) throw new InvalidParameterError(`Expected an estimator for ${this.name} parameter 'estimator' but received ${typeof e}`, 'estimator');
    return e;
  }

  /** A fresh member for a round: a clone of the base with its seed parameters set. */
  protected member(base: Estimator, seed: number): Estimator {
    const est = base.clone();
    const keys = Object.keys(est.getParams(true)).filter((k) => k === 'seed' || k.endsWith('__seed'));
    if (keys.length > 0) est.setParams(Object.fromEntries(keys.map((k) => [k, seed])));
    return est;
  }

  /** The Dataset every member of the library's tree types trains on (binned as such a tree bins X). */
  protected sharedBins(base: Estimator, m: MatrixLike): Dataset | undefined {
    if (!(base instanceof BaseForest)) return undefined;
    const p = base.getParams(false) as { maxBins?: number; nThreads?: number };
    return Dataset.buildSync(m, { maxBin: p.maxBins ?? 255, minDataInBin: 1, seed: 0, nThreads: p.nThreads ?? 0 });
  }

  protected fitted(what: string): AdaState {
    this.assertFitted(what);
    return this.state_!;
  }

  /** The fitted members, in boosting order. */
  get estimators(): Estimator[] {
    return this.fitted('reading estimators').members.map((m) => m.est);
  }

  /** Weight of each round's member (length nEstimators; 0 for rounds that did not run). scikit-learn's `estimator_weights_`. */
  get estimatorWeights(): Float64Array {
    return this.fitted('reading estimatorWeights').weights.slice();
  }

  /** Weighted training error of each round's member (length nEstimators; 1 for rounds that did not run). scikit-learn's `estimator_errors_`. */
  get estimatorErrors(): Float64Array {
    return this.fitted('reading estimatorErrors').errors.slice();
  }

  /** Number of features seen at fit. */
  get nFeaturesIn(): number {
    return this.fitted('reading nFeaturesIn').nFeatures;
  }

  /**
   * The members' featureImportances averaged with their estimator weights (scikit-learn's
   * `feature_importances_`). Needs a base with `featureImportances`.
   */
  get featureImportances(): Float64Array {
    const s = this.fitted('reading featureImportances');
    const out = new Float64Array(s.nFeatures);
    let norm = 0;
    s.members.forEach((m, i) => {
      const imp = (m.est as { featureImportances?: ArrayLike<number> }).featureImportances;
      if (imp === undefined || imp === null) throw new InvalidParameterError(`${this.name}: the base estimator has no featureImportances`, 'estimator');
      const w = s.weights[i]!;
      norm += w;
      for (let f = 0; f < out.length; f++) out[f] = out[f]! + w * imp[f]!;
    });
    if (norm > 0) for (let f = 0; f < out.length; f++) out[f] = out[f]! / norm;
    return out;
  }

  /** The member seeds, one per round, drawn up front from `seed`. */
  protected seeds(n: number, seed: number): number[] {
    const master = new Random(seed);
    return Array.from({ length: n }, () => master.nextU32());
  }

  protected checkX(X: MatrixInput, what: string): MatrixLike {
    const s = this.fitted(what);
    return toMatrix(X, { allowInfinity: true, cols: s.nFeatures });
  }

  protected stateToJSON(): unknown {
    const s = this.state_!;
    const out: Record<string, unknown> = {
      members: s.members.map((m) => ({ est: m.est.toJSON(), seed: m.seed })),
      weights: Array.from(s.weights),
      errors: Array.from(s.errors),
      nFeatures: s.nFeatures,
    };
    if (s.classes) out.classes = s.classes;
    return out;
  }

  /**
   * Restores the state written by {@link stateToJSON}: every member through its own JSON loader (a
   * defect there is reported as this state's, with the member's error as the cause), which must give
   * a fitted estimator on nFeatures columns predicting only this ensemble's classes.
   */
  protected stateFromJSON(state: unknown): void {
    const bad = (what: string, cause?: unknown) => new ModelFormatError(`Invalid ${this.name} state: ${what}`, cause === undefined ? undefined : { cause });
    const s = readObject(state, 'the state', bad);
    if (!Array.isArray(s.members) || s.members.length === 0) throw bad(`expected a non-empty array for members but received ${Array.isArray(s.members) ? 'an empty one' : received(s.members)}`);
    const weights = readFinite(s.weights, 'weights', undefined, bad);
    const errors = readFinite(s.errors, 'errors', undefined, bad);
    if (weights.length !== errors.length || weights.length < s.members.length) {
      throw bad(`expected weights and errors with one entry per round (at least ${s.members.length}) but received ${weights.length} and ${errors.length}`);
    }
    const nFeatures = readInt(s.nFeatures, 'nFeatures', 1, Number.MAX_SAFE_INTEGER, bad);
    let classes: number[] | string[] | undefined;
    if (isClassifier(this)) classes = readClasses(s.classes, 'classes', bad);
    else if (s.classes !== undefined) throw bad(`expected no classes for a regressor but received ${received(s.classes)}`);
    const known = new Set<unknown>(classes);
    const members = s.members.map((m: unknown, i: number): Member => {
      const x = readObject(m, `members[${i}]`, bad);
      const seed = readInt(x.seed, `members[${i}].seed`, 0, 2 ** 32 - 1, bad);
      let est: Estimator;
      try {
        est = estimatorFromJSON(x.est) as Estimator;
      } catch (e) {
        throw bad(`members[${i}].est: ${(e as Error).message}`, e);
      }
      if ((est as { isFitted?: unknown }).isFitted === false) throw bad(`members[${i}].est is not fitted (its JSON has no state)`);
      const nf = (est as { nFeaturesIn?: unknown }).nFeaturesIn;
      if (typeof nf === 'number' && nf !== nFeatures) throw bad(`members[${i}].est takes ${nf} features but nFeatures is ${nFeatures}`);
      const mc = (est as { classes?: unknown }).classes;
      if (classes !== undefined && Array.isArray(mc) && mc.some((c) => !known.has(c))) {
        throw bad(`members[${i}].est predicts classes ${JSON.stringify(mc)}, not all among ${JSON.stringify(classes)}`);
      }
      return { est, seed };
    });
    const st: AdaState = { members, weights, errors, nFeatures };
    if (classes) st.classes = classes;
    this.state_ = st;
  }

  /** Fits one round's member (async path). */
  protected async fitRound(r: Round, y: LabelInput, sampleWeight: Float64Array | undefined, opts: FitOptions): Promise<void> {
    await r.est.fit(r.X as MatrixInput, y, { sampleWeight, signal: opts.signal });
  }

  /** Fits one round's member on the calling thread. */
  protected fitRoundSync(r: Round, y: LabelInput, sampleWeight: Float64Array | undefined, round: number): void {
    if (!hasFitSync(r.est)) {
      throw new InvalidParameterError(`${this.name}.fitSync: the base estimator (${(r.est as { name?: string }).name ?? r.est.constructor.name}) has no fitSync; use fit()`, 'estimator');
    }
    try {
      r.est.fitSync(r.X, y, { sampleWeight });
    } catch (err) {
      if (err instanceof Error && round >= 0) err.message = `${this.name} round ${round}: ${err.message}`;
      throw err;
    }
  }
}

/** Softmax of each row, in place. */
function softmaxRows(d: Float64Array, rows: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, d[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(d[i * k + c]! - max);
      d[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) d[i * k + c] = d[i * k + c]! / sum;
  }
}

/**
 * AdaBoost for classification with SAMME (Zhu et al., 2009; scikit-learn's AdaBoostClassifier with
 * algorithm='SAMME'): round t fits a member with the current row weights, its weighted error e_t
 * gives it the weight α_t = learningRate · (ln((1 - e_t) / e_t) + ln(K - 1)), and misclassified rows'
 * weights are multiplied by exp(α_t), then normalised. A perfect member (e_t = 0) ends boosting with
 * weight 1; a member no better than chance (e_t >= 1 - 1/K) is discarded and ends it. The decision
 * function is Σ α_t [member t predicts class k] / Σ α_t; `predictProba` is its softmax (divided by
 * K - 1; binary: ±d/2), as scikit-learn.
 */
export class AdaBoostClassifier extends BaseAdaBoost<AdaBoostClassifierOptions> implements Classifier {
  static readonly params: ParamTable = [...commonParams, { name: 'algorithm', type: 'string', default: 'SAMME', oneOf: ['SAMME'], doc: "Only 'SAMME' (discrete multi-class AdaBoost)." }];

  constructor(options: AdaBoostClassifierOptions = {}) {
    super(options);
  }

  protected defaultEstimator(): Estimator {
    return new DecisionTreeClassifier({ maxDepth: 1 });
  }

  // The members' weighted votes compiled into one native forest (see #voteForest), for the state it
  // was built from; null when the members cannot be compiled.
  #votes: { state: AdaState; model: NativeForestModel | null; threads: number } | undefined;

  /**
   * When every member is a single tree of this library (the default stumps, any DecisionTreeClassifier)
   * with the ensemble's classes, the vote Σ_t α_t [member t predicts c] is itself a forest: tree t
   * with its leaves replaced by α_t times the one-hot of the class the leaf predicts (two classes: by
   * ±α_t, the binary decision's sum1 - sum0). One native pass over the rows then replaces a predict
   * per member; the sums equal the member-by-member ones up to rounding (the forest scales by T and
   * back). Built on first use, for the current state.
   */
  #voteForest(s: AdaState): NativeForestModel | null {
    if (this.#votes?.state === s) return this.#votes.model;
    this.#votes = { state: s, model: null, threads: 0 };
    const classes = s.classes!;
    const k = classes.length;
    const T = s.members.length;
    const parts: NativeForestTrees[] = [];
    for (const { est } of s.members) {
      if (!(est instanceof BaseForestClassifier) || !est.isFitted) return null;
      const c = est.classes;
      if (c.length !== k || c.some((v, i) => v !== classes[i])) return null;
      const trees = est.nativeTrees();
      if (trees.nodeCounts.length !== 1) return null;
      parts.push(trees);
    }
    if (T === 0) return null;
    const total = parts.reduce((n, t) => n + t.nodeCounts[0]!, 0);
    const cat = <A extends Int32Array | Uint8Array | Float64Array>(make: (n: number) => A, pick: (t: NativeForestTrees) => A, per = 1): A => {
      const out = make(total * per);
      let at = 0;
      for (const t of parts) {
        out.set(pick(t), at);
        at += t.nodeCounts[0]! * per;
      }
      return out;
    };
    const value = new Float64Array(total);
    const distribution = new Float64Array(k === 2 ? 0 : total * k);
    let at = 0;
    parts.forEach((t, m) => {
      const alpha = s.weights[m]! * T;
      const d = t.distribution;
      for (let i = 0; i < t.nodeCounts[0]!; i++, at++) {
        if (k === 2) {
          // The member's rule: class 1 when P(class 1) > 1 - P(class 1) (predictProba's columns).
          const p = d[2 * i + 1]!;
          value[at] = p > 1 - p ? alpha : -alpha;
        } else {
          let best = 0;
          for (let c = 1; c < k; c++) if (d[i * k + c]! > d[i * k + best]!) best = c;
          distribution[at * k + best] = alpha;
        }
      }
    });
    const model = native.forest.modelFromTrees({
      numFeatures: s.nFeatures,
      numClasses: k === 2 ? 0 : k,
      nodeCounts: Int32Array.from(parts, (t) => t.nodeCounts[0]!),
      left: cat((n) => new Int32Array(n), (t) => t.left),
      right: cat((n) => new Int32Array(n), (t) => t.right),
      feature: cat((n) => new Int32Array(n), (t) => t.feature),
      threshold: cat((n) => new Float64Array(n), (t) => t.threshold),
      thresholdBin: cat((n) => new Int32Array(n), (t) => t.thresholdBin),
      defaultLeft: cat((n) => new Uint8Array(n), (t) => t.defaultLeft),
      value,
      gain: cat((n) => new Float64Array(n), (t) => t.gain),
      weight: cat((n) => new Float64Array(n), (t) => t.weight),
      count: cat((n) => new Float64Array(n), (t) => t.count),
      distribution,
    });
    this.#votes = { state: s, model, threads: (s.members[0]!.est as BaseForestClassifier<TreeClassifierOptions>).predictThreads() };
    return model;
  }

  /** Class index of each row of a member's predictions. */
  #indices(est: Estimator, X: MatrixInput, classes: number[] | string[]): Int32Array {
    const pred = est.predict(X) as ArrayLike<number> | string[];
    const out = indexOfLabels(pred, classes);
    for (let i = 0; i < out.length; i++) {
      if (out[i]! < 0) throw new InvalidInputError(`${this.name}: a member predicted ${JSON.stringify(pred[i])}, which is not a class seen in y`);
    }
    return out;
  }

  #prepare(X: MatrixInput, y: LabelInput | undefined, opts: FitOptions): ClsJob {
    const p = this.resolved() as Required<AdaBoostClassifierOptions>;
    const base = this.base();
    const m = toMatrix(X, { allowInfinity: true });
    if (m.rows < 1) throw new InvalidInputError(`${this.name}.fit needs at least one row`);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs labels y`);
    const labels = toLabels(y, m.rows);
    const enc = encodeClasses(labels);
    if (enc.classes.length < 2) throw new InvalidInputError(`Expected at least 2 classes in y for ${this.name} but received only ${JSON.stringify(enc.classes[0])}`);
    const w = initialWeights(opts.sampleWeight, m.rows, this.name);
    const yFit: LabelInput = labels.values;
    return { p, base, m, labels, enc, w, yFit, seeds: this.seeds(p.nEstimators, p.seed) };
  }

  /**
   * One SAMME step after the member fitted: its weighted error, weight and the re-weighting.
   * Returns false when boosting ends here (the member is kept unless `discard`).
   */
  #step(j: ClsJob, est: Estimator, t: number, st: AdaState): boolean {
    const { m, enc, w, p } = j;
    const k = enc.classes.length;
    const pred = this.#indices(est, m, j.enc.classes);
    const y = enc.indices;
    let wrong = 0;
    let total = 0;
    for (let i = 0; i < m.rows; i++) {
      total += w[i]!;
      if (pred[i] !== y[i]) wrong += w[i]!;
    }
    const err = wrong / total;
    if (err <= 0) {
      st.members.push({ est, seed: j.seeds[t]! });
      st.weights[t] = 1;
      st.errors[t] = 0;
      return false;
    }
    if (err >= 1 - 1 / k) {
      if (st.members.length === 0) {
        throw new InvalidInputError(`${this.name}: the base estimator is worse than random (weighted error ${err.toFixed(4)} >= ${(1 - 1 / k).toFixed(4)}); the ensemble cannot be fit`);
      }
      return false;
    }
    const alpha = p.learningRate * (Math.log((1 - err) / err) + Math.log(k - 1));
    st.members.push({ est, seed: j.seeds[t]! });
    st.weights[t] = alpha;
    st.errors[t] = err;
    const last = t === p.nEstimators - 1;
    if (!last) {
      const boost = Math.exp(alpha);
      for (let i = 0; i < m.rows; i++) if (pred[i] !== y[i] && w[i]! > 0) w[i] = w[i]! * boost;
    }
    return normalise(w, last, this.name);
  }

  #newState(j: ClsJob): AdaState {
    return { members: [], weights: new Float64Array(j.p.nEstimators), errors: new Float64Array(j.p.nEstimators).fill(1), nFeatures: j.m.cols, classes: j.enc.classes };
  }

  /** Boosts off the event loop between rounds (each member's own fit runs as it does alone); progress per round ('rounds'), cancellable with `signal`. */
  async fit(X: MatrixInput, y?: LabelInput, opts: AdaBoostFitOptions = {}): Promise<this> {
    const j = this.#prepare(X, y, opts);
    const st = this.#newState(j);
    const bins = this.sharedBins(j.base, j.m);
    try {
      for (let t = 0; t < j.p.nEstimators; t++) {
        if (opts.signal?.aborted) throw new AbortError();
        const est = this.member(j.base, j.seeds[t]!);
        await this.fitRound({ est, seed: j.seeds[t]!, X: bins ?? j.m }, j.yFit, j.w.slice(), opts);
        const more = this.#step(j, est, t, st);
        opts.onProgress?.((t + 1) / j.p.nEstimators, 'rounds');
        if (!more) break;
      }
    } finally {
      bins?.dispose();
    }
    this.state_ = st;
    this.markFitted();
    return this;
  }

  /** Boosts on the calling thread (the base estimator needs fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<AdaBoostFitOptions, 'sampleWeight'> = {}): this {
    const j = this.#prepare(X, y, opts);
    const st = this.#newState(j);
    const bins = this.sharedBins(j.base, j.m);
    try {
      for (let t = 0; t < j.p.nEstimators; t++) {
        const est = this.member(j.base, j.seeds[t]!);
        this.fitRoundSync({ est, seed: j.seeds[t]!, X: bins ?? j.m }, j.yFit, j.w.slice(), t);
        if (!this.#step(j, est, t, st)) break;
      }
    } finally {
      bins?.dispose();
    }
    this.state_ = st;
    this.markFitted();
    return this;
  }

  /** Sorted distinct labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /**
   * The decision function after each round (scikit-learn's staged_decision_function): `rows x 1`
   * (binary: positive favours classes[1]) or `rows x K`.
   */
  *stagedDecisionFunction(X: MatrixInput): Generator<Matrix> {
    const s = this.fitted('stagedDecisionFunction()');
    const m = this.checkX(X, 'stagedDecisionFunction()');
    const k = s.classes!.length;
    const sum = new Float64Array(m.rows * k);
    let norm = 0;
    for (let t = 0; t < s.members.length; t++) {
      const w = s.weights[t]!;
      const pred = this.#indices(s.members[t]!.est, m, s.classes!);
      for (let i = 0; i < m.rows; i++) sum[i * k + pred[i]!] = sum[i * k + pred[i]!]! + w;
      norm += w;
      yield decision(sum, norm, m.rows, k);
    }
  }

  /** The decision function of the whole ensemble (see {@link stagedDecisionFunction}). */
  decisionFunction(X: MatrixInput): Matrix {
    const s = this.fitted('decisionFunction()');
    const votes = this.#voteForest(s);
    if (votes) {
      const m = this.checkX(X, 'decisionFunction()');
      const k = s.classes!.length;
      const out = votes.predict(m.data, m.rows, m.cols, this.#votes!.threads);
      let norm = 0;
      for (let t = 0; t < s.members.length; t++) norm += s.weights[t]!;
      const scale = norm > 0 ? 1 / norm : 1;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
      return new Matrix(out, m.rows, k === 2 ? 1 : k);
    }
    let last: Matrix | undefined;
    for (const d of this.stagedDecisionFunction(X)) last = d;
    return last!;
  }

  /** Class probabilities after each round. */
  *stagedPredictProba(X: MatrixInput): Generator<Matrix> {
    for (const d of this.stagedDecisionFunction(X)) yield probaFromDecision(d, this.state_!.classes!.length);
  }

  /** Class probabilities: the softmax of the decision function over K - 1 (binary: of (-d/2, d/2)), as scikit-learn. */
  predictProba(X: MatrixInput): Matrix {
    return probaFromDecision(this.decisionFunction(X), this.fitted('predictProba()').classes!.length);
  }

  /** Predicted labels after each round. */
  *stagedPredict(X: MatrixInput): Generator<Float64Array | string[]> {
    for (const d of this.stagedDecisionFunction(X)) yield this.#labels(d);
  }

  /** The class with the largest decision value (binary: classes[1] when positive). */
  predict(X: MatrixInput): Float64Array | string[] {
    return this.#labels(this.decisionFunction(X));
  }

  /** Accuracy after each round on (X, y). */
  *stagedScore(X: MatrixInput, y: LabelInput): Generator<number> {
    const labels = toLabels(y, this.checkX(X, 'stagedScore()').rows);
    for (const pred of this.stagedPredict(X)) yield accuracyScore(labels.values, pred);
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }

  #labels(d: Matrix): Float64Array | string[] {
    return classesFromScores(d, this.state_!.classes!);
  }
}

function decision(sum: Float64Array, norm: number, rows: number, k: number): Matrix {
  const scale = norm > 0 ? 1 / norm : 1;
  if (k === 2) {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = (sum[2 * i + 1]! - sum[2 * i]!) * scale;
    return new Matrix(out, rows, 1);
  }
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = sum[i]! * scale;
  return new Matrix(out, rows, k);
}

function probaFromDecision(d: Matrix, k: number): Matrix {
  if (d.cols === 1) {
    const out = new Float64Array(d.rows * 2);
    for (let i = 0; i < d.rows; i++) {
      out[2 * i] = -d.data[i]! / 2;
      out[2 * i + 1] = d.data[i]! / 2;
    }
    softmaxRows(out, d.rows, 2);
    return new Matrix(out, d.rows, 2);
  }
  const out = new Float64Array(d.rows * k);
  for (let i = 0; i < out.length; i++) out[i] = d.data[i]! / (k - 1);
  softmaxRows(out, d.rows, k);
  return new Matrix(out, d.rows, k);
}


/** The starting row weights: sampleWeight (or all 1) normalised to sum 1. */
function initialWeights(sampleWeight: ArrayLike<number> | undefined, rows: number, owner: string): Float64Array {
  const given = toSampleWeight(sampleWeight, rows);
  const w = given ? Float64Array.from(given) : new Float64Array(rows).fill(1);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    if (!(w[i]! >= 0) || !Number.isFinite(w[i]!)) throw new InvalidInputError(`Expected a finite non-negative sample weight at sampleWeight[${i}] for ${owner} but received ${w[i]}`);
    sum += w[i]!;
  }
  if (!(sum > 0)) throw new InvalidInputError(`Expected sample weights with a positive sum for ${owner}`);
  for (let i = 0; i < rows; i++) w[i] = w[i]! / sum;
  return w;
}

/** scikit-learn's end-of-round checks: stop on a non-finite or non-positive weight sum; normalise unless last. */
function normalise(w: Float64Array, last: boolean, owner: string): boolean {
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i]!;
  if (!Number.isFinite(sum)) {
    process.emitWarning(`${owner}: the sample weights reached infinite values; boosting stopped early (try a smaller learningRate or fewer rounds)`);
    return false;
  }
  if (sum <= 0) return false;
  if (!last) for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return true;
}

/**
 * AdaBoost.R2 for regression (Drucker, 1997; scikit-learn's AdaBoostRegressor): round t fits a member
 * on a bootstrap sample drawn with the current row weights, scales each row's absolute error by the
 * round's largest, turns it into a loss L_i (linear, square or exponential) and the weighted mean
 * loss e_t; β_t = e_t / (1 - e_t), the member's weight is learningRate · ln(1 / β_t) and row weights
 * are multiplied by β_t^((1 - L_i) · learningRate), then normalised. A perfect member ends boosting
 * with weight 1; one with e_t >= 0.5 ends it and is discarded unless it is the first. The prediction
 * is the weighted median of the members' predictions.
 */
export class AdaBoostRegressor extends BaseAdaBoost<AdaBoostRegressorOptions> implements Regressor {
  static readonly params: ParamTable = [...commonParams, { name: 'loss', type: 'string', default: 'linear', oneOf: ['linear', 'square', 'exponential'], doc: "Row loss from the scaled error: 'linear', 'square' or 'exponential'." }];

  constructor(options: AdaBoostRegressorOptions = {}) {
    super(options);
  }

  protected defaultEstimator(): Estimator {
    return new DecisionTreeRegressor({ maxDepth: 3 });
  }

  #prepare(X: MatrixInput, y: LabelInput | undefined, opts: FitOptions): RegJob {
    const p = this.resolved() as Required<AdaBoostRegressorOptions>;
    const base = this.base();
    const m = toMatrix(X, { allowInfinity: true });
    if (m.rows < 1) throw new InvalidInputError(`${this.name}.fit needs at least one row`);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs targets y`);
    const labels = toLabels(y, m.rows);
    if (labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${this.name}`);
    for (let i = 0; i < m.rows; i++) if (!Number.isFinite(labels.values[i]!)) throw new InvalidInputError(`Expected a finite target at y[${i}] for ${this.name}`);
    const w = initialWeights(opts.sampleWeight, m.rows, this.name);
    // The bootstrap stream's seed first, then one seed per member.
    const master = new Random(p.seed);
    const rng = new Random(master.nextU32());
    const seeds = Array.from({ length: p.nEstimators }, () => master.nextU32());
    return { p, base, m, y: labels.values, labels, w, seeds, rng };
  }

  /** The round's training set: the Dataset with draw counts as weights (library trees) or the drawn rows. */
  #round(j: RegJob, t: number, bins: Dataset | undefined): { r: Round; y: LabelInput; sw: Float64Array | undefined } {
    const n = j.m.rows;
    // Weighted bootstrap: n draws from the row weights (inverse CDF on their running sum).
    const cdf = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cdf[i] = acc += j.w[i]!;
    const counts = new Float64Array(n);
    const idx = new Int32Array(n);
    for (let d = 0; d < n; d++) {
      const u = j.rng.random() * acc;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      idx[d] = lo;
      counts[lo] = counts[lo]! + 1;
    }
    const est = this.member(j.base, j.seeds[t]!);
    if (bins) return { r: { est, seed: j.seeds[t]!, X: bins }, y: j.y, sw: counts };
    idx.sort();
    return { r: { est, seed: j.seeds[t]!, X: takeRows(j.m, idx) }, y: takeLabels(j.labels, idx), sw: undefined };
  }

  /** One AdaBoost.R2 step after the member fitted; false when boosting ends here. */
  #step(j: RegJob, est: Estimator, t: number, st: AdaState): boolean {
    const { m, w, p, y } = j;
    const pred = est.predict(m) as Float64Array;
    const e = new Float64Array(m.rows);
    let max = 0;
    for (let i = 0; i < m.rows; i++) {
      e[i] = Math.abs(pred[i]! - y[i]!);
      if (w[i]! > 0 && e[i]! > max) max = e[i]!;
    }
    let err = 0;
    for (let i = 0; i < m.rows; i++) {
      if (!(w[i]! > 0)) continue;
      let v = max !== 0 ? e[i]! / max : e[i]!;
      if (p.loss === 'square') v *= v;
      else if (p.loss === 'exponential') v = 1 - Math.exp(-v);
      e[i] = v;
      err += w[i]! * v;
    }
    st.members.push({ est, seed: j.seeds[t]! });
    if (err <= 0) {
      st.weights[t] = 1;
      st.errors[t] = 0;
      return false;
    }
    if (err >= 0.5) {
      if (st.members.length > 1) st.members.pop();
      return false;
    }
    const beta = err / (1 - err);
    st.weights[t] = p.learningRate * Math.log(1 / beta);
    st.errors[t] = err;
    const last = t === p.nEstimators - 1;
    if (!last) for (let i = 0; i < m.rows; i++) if (w[i]! > 0) w[i] = w[i]! * Math.pow(beta, (1 - e[i]!) * p.learningRate);
    return normalise(w, last, this.name);
  }

  #newState(j: RegJob): AdaState {
    return { members: [], weights: new Float64Array(j.p.nEstimators), errors: new Float64Array(j.p.nEstimators).fill(1), nFeatures: j.m.cols };
  }

  /** Boosts off the event loop between rounds; progress per round ('rounds'), cancellable with `signal`. */
  async fit(X: MatrixInput, y?: LabelInput, opts: AdaBoostFitOptions = {}): Promise<this> {
    const j = this.#prepare(X, y, opts);
    const st = this.#newState(j);
    const bins = this.sharedBins(j.base, j.m);
    try {
      for (let t = 0; t < j.p.nEstimators; t++) {
        if (opts.signal?.aborted) throw new AbortError();
        const { r, y: yr, sw } = this.#round(j, t, bins);
        await this.fitRound(r, yr, sw, opts);
        const more = this.#step(j, r.est, t, st);
        opts.onProgress?.((t + 1) / j.p.nEstimators, 'rounds');
        if (!more) break;
      }
    } finally {
      bins?.dispose();
    }
    this.state_ = st;
    this.markFitted();
    return this;
  }

  /** Boosts on the calling thread (the base estimator needs fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<AdaBoostFitOptions, 'sampleWeight'> = {}): this {
    const j = this.#prepare(X, y, opts);
    const st = this.#newState(j);
    const bins = this.sharedBins(j.base, j.m);
    try {
      for (let t = 0; t < j.p.nEstimators; t++) {
        const { r, y: yr, sw } = this.#round(j, t, bins);
        this.fitRoundSync(r, yr, sw, t);
        if (!this.#step(j, r.est, t, st)) break;
      }
    } finally {
      bins?.dispose();
    }
    this.state_ = st;
    this.markFitted();
    return this;
  }

  /** The weighted median of the first `limit` members' predictions (scikit-learn's _get_median_predict). */
  #median(preds: Float64Array[], weights: Float64Array, rows: number, limit: number): Float64Array {
    const out = new Float64Array(rows);
    const order = new Int32Array(limit);
    const col = new Float64Array(limit);
    for (let i = 0; i < rows; i++) {
      for (let t = 0; t < limit; t++) {
        col[t] = preds[t]![i]!;
        order[t] = t;
      }
      // Stable by member index on ties (numpy's argsort is not stable, but ties give the same value).
      order.sort((a, b) => col[a]! - col[b]! || a - b);
      let total = 0;
      for (let t = 0; t < limit; t++) total += weights[order[t]!]!;
      let cum = 0;
      let pick = order[0]!;
      for (let t = 0; t < limit; t++) {
        cum += weights[order[t]!]!;
        if (cum >= 0.5 * total) {
          pick = order[t]!;
          break;
        }
      }
      out[i] = col[pick]!;
    }
    return out;
  }

  /** Predictions after each round (the weighted median of the members so far). */
  *stagedPredict(X: MatrixInput): Generator<Float64Array> {
    const s = this.fitted('stagedPredict()');
    const m = this.checkX(X, 'stagedPredict()');
    const preds: Float64Array[] = [];
    for (let t = 0; t < s.members.length; t++) {
      preds.push(s.members[t]!.est.predict(m) as Float64Array);
      yield this.#median(preds, s.weights, m.rows, t + 1);
    }
  }

  /** The weighted median of the members' predictions (weights: estimatorWeights). */
  predict(X: MatrixInput): Float64Array {
    const s = this.fitted('predict()');
    const m = this.checkX(X, 'predict()');
    const preds = s.members.map((x) => x.est.predict(m) as Float64Array);
    return this.#median(preds, s.weights, m.rows, preds.length);
  }

  /** R² after each round on (X, y). */
  *stagedScore(X: MatrixInput, y: LabelInput): Generator<number> {
    const labels = toLabels(y, this.checkX(X, 'stagedScore()').rows);
    if (labels.kind !== 'number') throw new InvalidInputError('Expected numeric targets in y');
    for (const pred of this.stagedPredict(X)) yield r2Score(labels.values, pred);
  }

  /** R² on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return r2Score(y, this.predict(X));
  }
}


registerEstimator('AdaBoostClassifier', AdaBoostClassifier as never);
registerEstimator('AdaBoostRegressor', AdaBoostRegressor as never);
