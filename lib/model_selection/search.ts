/**
 * Hyper-parameter search by cross-validation: {@link GridSearchCV} (every combination) and
 * {@link RandomizedSearchCV} (sampled combinations), scikit-learn's semantics. Parameter names are
 * the estimator's, nested ones as `step__param`; every (candidate, fold) fit runs concurrently up to
 * `nJobs`. After the search, the best candidate is refitted on all rows (`refit`) and the search
 * object predicts with it.
 */
import { BaseEstimator, estimatorFromJSON, registerEstimator, type Estimator, type EstimatorJSON, type FitOptions } from '../core/estimator.js';
import { InvalidParameterError, ModelFormatError, NotFittedError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import type { Matrix } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { Random } from '../core/random.js';
import { weightsOf, type LabelsLike } from '../metrics/labels.js';
import { decisionOf, isClassifierLike, probaOf } from '../metrics/outputs.js';
import { mapLimit, resolveJobs } from './parallel.js';
import { checkXy, takeLabels, takeRows, takeWeights } from './subset.js';
import { fitOnRows, makeSplits, resolveScorers, type CvInput, type MultiScoring } from './validation.js';

/** A parameter grid: name -> values to try; an array of grids searches their union. */
export type ParamGrid = Record<string, readonly unknown[]>;

/** A distribution to sample a parameter from: anything with `rvs(random)`. */
export interface Distribution {
  rvs(random: Random): unknown;
}

/** Uniform on [loc, loc + scale] (scipy.stats.uniform's parameters). */
export function uniform(loc = 0, scale = 1): Distribution {
  return { rvs: (r) => loc + scale * r.random() };
}

/** Log-uniform on [low, high] (scipy.stats.loguniform). */
export function loguniform(low: number, high: number): Distribution {
  if (!(low > 0 && high > low)) throw new InvalidParameterError(`Expected 0 < low < high for loguniform but received ${low}, ${high}`);
  return { rvs: (r) => Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * r.random()) };
}

/** Integers uniform on [low, high) (scipy.stats.randint). */
export function randint(low: number, high: number): Distribution {
  if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) throw new InvalidParameterError(`Expected integers low < high for randint but received ${low}, ${high}`);
  return { rvs: (r) => low + r.int(high - low) };
}

function isDistribution(v: unknown): v is Distribution {
  return v !== null && typeof v === 'object' && typeof (v as Distribution).rvs === 'function';
}

/** Every combination of a grid (or grids), in scikit-learn's order: keys sorted, the last varying fastest. */
export function parameterGrid(grid: ParamGrid | readonly ParamGrid[]): Record<string, unknown>[] {
  const grids = Array.isArray(grid) ? (grid as ParamGrid[]) : [grid as ParamGrid];
  const out: Record<string, unknown>[] = [];
  for (const g of grids) {
    if (g === null || typeof g !== 'object') throw new InvalidParameterError('Expected a parameter grid object (name -> array of values)', 'paramGrid');
    const keys = Object.keys(g).sort();
    for (const k of keys) {
      if (!Array.isArray(g[k]) || g[k]!.length === 0) throw new InvalidParameterError(`Expected a non-empty array of values for grid parameter '${k}'`, 'paramGrid');
    }
    const rec = (i: number, acc: Record<string, unknown>) => {
      if (i === keys.length) {
        out.push({ ...acc });
        return;
      }
      for (const v of g[keys[i]!]!) rec(i + 1, { ...acc, [keys[i]!]: v });
    };
    rec(0, {});
  }
  return out;
}

/** Result table of a search, as scikit-learn's `cv_results_` (for the primary metric at the top level). */
export interface CvResults {
  params: Record<string, unknown>[];
  meanTestScore: Float64Array;
  stdTestScore: Float64Array;
  rankTestScore: Int32Array;
  /** `splitTestScores[k][i]`: candidate i on split k. */
  splitTestScores: Float64Array[];
  meanTrainScore?: Float64Array;
  stdTrainScore?: Float64Array;
  meanFitTime: Float64Array;
  stdFitTime: Float64Array;
  meanScoreTime: Float64Array;
  stdScoreTime: Float64Array;
  /** Per scoring name (several scorings): the same columns. */
  byMetric: Record<string, { meanTestScore: Float64Array; stdTestScore: Float64Array; rankTestScore: Int32Array; splitTestScores: Float64Array[]; meanTrainScore?: Float64Array }>;
}

/** Options shared by the searches. */
export interface BaseSearchOptions {
  /** The estimator to tune (cloned for every fit). */
  estimator?: Estimator;
  /** Scoring name / function / Scorer, or several (then `refit` names the one that picks the best). Default: accuracy or R². */
  scoring?: MultiScoring;
  /** Folds: a count (stratified for classifiers), a splitter, or explicit splits. Default 5. */
  cv?: CvInput;
  /** Fits at once; <= 0 or unset: one per core. */
  nJobs?: number;
  /** Refit the best candidate on all rows (default true); with several scorings, the scoring name that picks it. */
  refit?: boolean | string;
  /** Also score the training parts. Default false. */
  returnTrainScore?: boolean;
}

function meanStd(a: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return [mean, Math.sqrt(v / a.length)];
}

/** scipy's rankdata(-x, method='min'); NaN ranks last. */
function rankMin(scores: Float64Array): Int32Array {
  const n = scores.length;
  const key = (i: number) => (Number.isNaN(scores[i]!) ? -Infinity : scores[i]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    rank[i] = r > 0 && key(order[r - 1]!) === key(i) ? rank[order[r - 1]!]! : r + 1;
  }
  return rank;
}

interface SearchState {
  bestIndex: number;
  bestScore: number;
  bestParams: Record<string, unknown>;
  bestEstimator?: Estimator;
  classes?: number[] | string[];
}

/** The shared body of GridSearchCV and RandomizedSearchCV. */
abstract class BaseSearchCV<P extends BaseSearchOptions> extends BaseEstimator<P> implements Estimator {
  #state: SearchState | undefined;
  #cvResults: CvResults | undefined;

  /** The candidates to evaluate (drawn with `rng` when random). */
  protected abstract candidates(): Record<string, unknown>[];

  /** 'classifier' or 'regressor', after the tuned estimator. */
  get estimatorType(): 'classifier' | 'regressor' {
    return isClassifierLike((this.params_ as BaseSearchOptions).estimator) ? 'classifier' : 'regressor';
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions & { groups?: LabelsLike } = {}): Promise<this> {
    const p = this.resolved();
    const estimator = p.estimator;
    if (!estimator) throw new InvalidParameterError(`${this.name} needs an estimator`, 'estimator');
    const { m, labels } = checkXy(X, y, this.name, false);
    const classifier = isClassifierLike(estimator);
    const scorers = resolveScorers(p.scoring, classifier);
    const names = [...scorers.keys()];
    let primary = names[0]!;
    if (names.length > 1 && p.refit !== false) {
      if (typeof p.refit !== 'string' || !scorers.has(p.refit)) {
        throw new InvalidParameterError(`With several scorings, refit must name the one that picks the best (one of ${names.join(', ')}) or be false`, 'refit');
      }
      primary = p.refit;
    }
    const candidates = this.candidates();
    for (const c of candidates) estimator.clone().setParams(c); // fail fast on unknown names
    const splits = makeSplits(p.cv, classifier, m, labels, opts.groups);
    const sw = weightsOf(opts.sampleWeight, m.rows);
    const nS = splits.length;
    const tasks = await mapLimit(
      candidates.length * nS,
      resolveJobs(p.nJobs),
      async (t) => {
        const c = Math.floor(t / nS);
        const [train, test] = splits[t % nS]!;
        const t0 = performance.now();
        const est = await fitOnRows(estimator, m, labels, train, sw, opts.signal, candidates[c]);
        const t1 = performance.now();
        const score = (rows: Int32Array) => {
          const Xs = takeRows(m, rows);
          const ys = labels ? takeLabels(labels, rows) : undefined;
          return names.map((k) => scorers.get(k)!.score(est, Xs, ys as LabelInput, { sampleWeight: takeWeights(sw, rows) }));
        };
        const test_ = score(test);
        const t2 = performance.now();
        const train_ = p.returnTrainScore ? score(train) : undefined;
        return { test: test_, train: train_, fit: (t1 - t0) / 1000, score: (t2 - t1) / 1000 };
      },
      opts.signal,
    );
    const nC = candidates.length;
    const at = (c: number, s: number) => tasks[c * nS + s]!;
    const column = (f: (c: number) => number) => Float64Array.from({ length: nC }, (_, c) => f(c));
    const byMetric: CvResults['byMetric'] = {};
    names.forEach((k, j) => {
      const splitTestScores = Array.from({ length: nS }, (_, s) => column((c) => at(c, s).test[j]!));
      const stats = Array.from({ length: nC }, (_, c) => meanStd(Array.from({ length: nS }, (_, s) => at(c, s).test[j]!)));
      const meanTestScore = Float64Array.from(stats, (x) => x[0]);
      byMetric[k] = { meanTestScore, stdTestScore: Float64Array.from(stats, (x) => x[1]), rankTestScore: rankMin(meanTestScore), splitTestScores };
      if (p.returnTrainScore) byMetric[k]!.meanTrainScore = column((c) => meanStd(Array.from({ length: nS }, (_, s) => at(c, s).train![j]!))[0]);
    });
    const fitStats = Array.from({ length: nC }, (_, c) => meanStd(Array.from({ length: nS }, (_, s) => at(c, s).fit)));
    const scoreStats = Array.from({ length: nC }, (_, c) => meanStd(Array.from({ length: nS }, (_, s) => at(c, s).score)));
    const main = byMetric[primary]!;
    const results: CvResults = {
      params: candidates,
      meanTestScore: main.meanTestScore,
      stdTestScore: main.stdTestScore,
      rankTestScore: main.rankTestScore,
      splitTestScores: main.splitTestScores,
      meanFitTime: Float64Array.from(fitStats, (x) => x[0]),
      stdFitTime: Float64Array.from(fitStats, (x) => x[1]),
      meanScoreTime: Float64Array.from(scoreStats, (x) => x[0]),
      stdScoreTime: Float64Array.from(scoreStats, (x) => x[1]),
      byMetric,
    };
    if (p.returnTrainScore) {
      const j = names.indexOf(primary);
      const tr = Array.from({ length: nC }, (_, c) => meanStd(Array.from({ length: nS }, (_, s) => at(c, s).train![j]!)));
      results.meanTrainScore = Float64Array.from(tr, (x) => x[0]);
      results.stdTrainScore = Float64Array.from(tr, (x) => x[1]);
    }
    let bestIndex = 0;
    for (let c = 1; c < nC; c++) if (main.rankTestScore[c]! < main.rankTestScore[bestIndex]!) bestIndex = c;
    const state: SearchState = { bestIndex, bestScore: main.meanTestScore[bestIndex]!, bestParams: candidates[bestIndex]! };
    if (p.refit !== false) {
      const all = Int32Array.from({ length: m.rows }, (_, i) => i);
      state.bestEstimator = await fitOnRows(estimator, m, labels, all, sw, opts.signal, state.bestParams);
      const cls = (state.bestEstimator as { classes?: unknown }).classes;
      if (classifier && Array.isArray(cls)) state.classes = cls as number[] | string[];
    }
    this.#state = state;
    this.#cvResults = results;
    this.markFitted();
    return this;
  }

  #fitted(what: string): SearchState {
    this.assertFitted(what);
    return this.#state!;
  }

  #best(what: string): Estimator {
    const s = this.#fitted(what);
    if (!s.bestEstimator) throw new NotFittedError(`${this.name} was fitted with refit: false, so it has no best estimator for ${what}`);
    return s.bestEstimator;
  }

  /** The best candidate's parameters. */
  get bestParams(): Record<string, unknown> {
    return { ...this.#fitted('reading bestParams').bestParams };
  }

  /** The best candidate's mean test score. */
  get bestScore(): number {
    return this.#fitted('reading bestScore').bestScore;
  }

  /** Index of the best candidate in cvResults. */
  get bestIndex(): number {
    return this.#fitted('reading bestIndex').bestIndex;
  }

  /** The best candidate refitted on all rows (with refit). */
  get bestEstimator(): Estimator {
    return this.#best('reading bestEstimator');
  }

  /** The table of candidates and scores (not kept in the JSON form). */
  get cvResults(): CvResults {
    this.assertFitted('reading cvResults');
    if (!this.#cvResults) throw new NotFittedError(`${this.name} was restored from JSON, which does not keep cvResults`);
    return this.#cvResults;
  }

  /** The best estimator's classes. */
  get classes(): number[] | string[] {
    const c = (this.#best('reading classes') as { classes?: unknown }).classes;
    if (!Array.isArray(c)) throw new InvalidParameterError(`${this.name}: the estimator is not a classifier`);
    return c as number[] | string[];
  }

  predict(X: MatrixInput): Float64Array | string[] {
    return this.#best('predict()').predict(X);
  }

  predictProba(X: MatrixInput): Matrix {
    return probaOf(this.#best('predictProba()'), X);
  }

  decisionFunction(X: MatrixInput): Matrix {
    return decisionOf(this.#best('decisionFunction()'), X);
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { bestIndex: s.bestIndex, bestScore: s.bestScore, bestParams: s.bestParams, bestEstimator: s.bestEstimator?.toJSON() };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || typeof s.bestIndex !== 'number') throw new ModelFormatError(`Invalid ${this.name} state`);
    this.#state = {
      bestIndex: s.bestIndex,
      bestScore: Number(s.bestScore),
      bestParams: (s.bestParams ?? {}) as Record<string, unknown>,
      bestEstimator: s.bestEstimator ? (estimatorFromJSON(s.bestEstimator) as Estimator) : undefined,
    };
  }

  override toJSON(): EstimatorJSON {
    return super.toJSON();
  }
}

const commonTable: ParamTable = [
  { name: 'estimator', type: 'any', default: undefined, doc: 'The estimator to tune.' },
  { name: 'scoring', type: 'any', default: undefined, doc: 'Scoring name / function / Scorer, or several.' },
  { name: 'cv', type: 'any', default: 5, doc: 'Fold count, splitter or explicit splits.' },
  { name: 'nJobs', type: 'int', default: 0, doc: 'Fits at once; <= 0 means one per core.' },
  { name: 'refit', type: 'any', default: true, doc: 'Refit the best candidate on all rows (the scoring name with several).' },
  { name: 'returnTrainScore', type: 'boolean', default: false, doc: 'Also score the training parts.' },
];

/** Options of {@link GridSearchCV}. */
export interface GridSearchCVOptions extends BaseSearchOptions {
  /** Name -> values (nested names as `step__param`); an array of grids searches their union. */
  paramGrid?: ParamGrid | ParamGrid[];
}

/** Exhaustive search over a parameter grid by cross-validation. */
export class GridSearchCV extends BaseSearchCV<GridSearchCVOptions> {
  static readonly params: ParamTable = [...commonTable, { name: 'paramGrid', type: 'any', default: undefined, doc: 'Name -> values to try (or an array of such grids).' }];

  constructor(options: GridSearchCVOptions = {}) {
    super(options);
  }

  protected candidates(): Record<string, unknown>[] {
    const g = this.params_.paramGrid;
    if (!g) throw new InvalidParameterError('GridSearchCV needs a paramGrid', 'paramGrid');
    return parameterGrid(g);
  }
}

/** Options of {@link RandomizedSearchCV}. */
export interface RandomizedSearchCVOptions extends BaseSearchOptions {
  /** Name -> values (picked uniformly) or a {@link Distribution}; an array of such objects picks one at random per candidate. */
  paramDistributions?: Record<string, readonly unknown[] | Distribution> | Record<string, readonly unknown[] | Distribution>[];
  /** Candidates to draw. Default 10. When every parameter is a list, at most the grid's size, drawn without replacement. */
  nIter?: number;
  /** Seed of the draws. */
  seed?: number;
}

/** Search over sampled parameter settings by cross-validation (scikit-learn's ParameterSampler semantics). */
export class RandomizedSearchCV extends BaseSearchCV<RandomizedSearchCVOptions> {
  static readonly params: ParamTable = [
    ...commonTable,
    { name: 'paramDistributions', type: 'any', default: undefined, doc: 'Name -> values or distribution (or an array of such).' },
    { name: 'nIter', type: 'int', default: 10, min: 1, doc: 'Candidates to draw.' },
    { name: 'seed', type: 'int', default: undefined, nullable: true, doc: 'Seed of the draws.' },
  ];

  constructor(options: RandomizedSearchCVOptions = {}) {
    super(options);
  }

  protected candidates(): Record<string, unknown>[] {
    const p = this.resolved();
    const d = p.paramDistributions;
    if (!d) throw new InvalidParameterError('RandomizedSearchCV needs paramDistributions', 'paramDistributions');
    const dists = Array.isArray(d) ? d : [d];
    const rng = Random.fromSeed(p.seed ?? undefined);
    const allLists = dists.every((g) => Object.values(g).every((v) => Array.isArray(v)));
    if (allLists) {
      const grid = parameterGrid(dists as ParamGrid[]);
      const n = Math.min(grid.length, p.nIter);
      return Array.from(rng.sample(grid.length, n), (i) => grid[i]!);
    }
    const out: Record<string, unknown>[] = [];
    for (let t = 0; t < p.nIter; t++) {
      const g = dists[dists.length === 1 ? 0 : rng.int(dists.length)]!;
      const c: Record<string, unknown> = {};
      for (const k of Object.keys(g).sort()) {
        const v = g[k];
        if (Array.isArray(v)) c[k] = v[rng.int(v.length)];
        else if (isDistribution(v)) c[k] = v.rvs(rng);
        else throw new InvalidParameterError(`Expected an array of values or a distribution (with rvs) for parameter '${k}'`, 'paramDistributions');
      }
      out.push(c);
    }
    return out;
  }
}

registerEstimator('GridSearchCV', GridSearchCV as never);
registerEstimator('RandomizedSearchCV', RandomizedSearchCV as never);
