/**
 * Ensemble selection (Caruana, Niculescu-Mizil, Crew & Ksikes, ICML 2004; as auto-sklearn and
 * AutoGluon use it): from a library of fitted models, greedily add — with replacement — the model
 * whose addition most improves the metric of the averaged output on validation data, `ensembleSize`
 * times. The weights are how often each model was picked over `ensembleSize`. Ties go to the first
 * model in library order (deterministic).
 *
 * With `prefit: true` (default) the members are used as given and `fit(X, y)` receives the
 * validation data; with `prefit: false` clones are fitted on a seeded holdout split's training part
 * and selection runs on the holdout. Classifiers average probabilities; regressors predictions.
 */
import { registerEstimator, type Estimator, type FitOptions } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import type { LabelList } from '../metrics/labels.js';
import { alignColumns, classesOf, hasMethod, isClassifierLike, predictOf, probaOf } from '../metrics/outputs.js';
import { getScorer, type Scoring } from '../metrics/scorer.js';
import { ShuffleSplit, StratifiedShuffleSplit } from '../model_selection/split.js';
import { takeLabels, takeRows, takeWeights } from '../model_selection/subset.js';
import { HeterogeneousEnsemble, checkLabelList, classIndex, classesFrom, fitMember, forEachMember, membersFromJSON, membersToJSON, type FittedMember, type MembersOptions } from './base.js';
import { argmax, labelsAt } from './voting.js';

/** Options of {@link EnsembleSelection}. */
export interface EnsembleSelectionOptions extends MembersOptions {
  /** Selection rounds (picks, with replacement). Default 50. */
  ensembleSize?: number;
  /** Scoring name or Scorer (greater is better). Default 'neg_log_loss' for classifiers, 'neg_mean_squared_error' for regressors. */
  metric?: Scoring | null;
  /** Members are already fitted and fit() gets validation data (default true); false: fit on a holdout split. */
  prefit?: boolean;
  /** prefit false: holdout rows (fraction or count). Default 0.2. */
  holdoutSize?: number;
  /** prefit false: seed of the holdout split. */
  seed?: number | null;
  /** Members fitted at once (prefit false); <= 0 or unset: one per core. */
  nJobs?: number;
}

interface SelectionState {
  members: FittedMember[];
  weights: Float64Array;
  trajectory: Float64Array;
  classes?: LabelList;
}

/** Caruana et al.'s greedy ensemble selection over a library of models. */
export class EnsembleSelection extends HeterogeneousEnsemble<EnsembleSelectionOptions> {
  static readonly params: ParamTable = [
    { name: 'estimators', type: 'any', default: undefined, doc: "[name, estimator] pairs (the library); 'drop' allowed." },
    { name: 'ensembleSize', type: 'int', default: 50, min: 1, doc: 'Selection rounds (with replacement).' },
    { name: 'metric', type: 'any', default: null, nullable: true, doc: 'Scoring name or Scorer (greater is better).' },
    { name: 'prefit', type: 'boolean', default: true, doc: 'Members already fitted; fit() gets validation data.' },
    { name: 'holdoutSize', type: 'number', default: 0.2, gt: 0, doc: 'prefit false: holdout rows.' },
    { name: 'seed', type: 'int', default: null, nullable: true, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'prefit false: holdout seed.' },
    { name: 'nJobs', type: 'int', default: 0, doc: 'Members fitted at once; <= 0 means one per core.' },
  ];

  #state: SelectionState | undefined;

  constructor(options: EnsembleSelectionOptions = {}) {
    super(options);
  }

  /** Classifier when the library's members are classifiers. */
  get estimatorType(): 'classifier' | 'regressor' {
    const first = this.estimators.find(([, e]) => e !== 'drop');
    return first && isClassifierLike(first[1]) ? 'classifier' : 'regressor';
  }

  #output(est: Estimator, X: MatrixInput, classes: LabelList | undefined): Float64Array {
    if (!classes) return predictOf(est, X) as Float64Array;
    if (hasMethod(est, 'predictProba')) return alignColumns(probaOf(est, X), classesOf(est), classes).data;
    const index = classIndex(classes);
    const p = predictOf(est, X);
    const out = new Float64Array(p.length * classes.length);
    p.forEach((v, i) => (out[i * classes.length + index.get(v)!] = 1));
    return out;
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    const p = this.resolved();
    const kept = this.validMembers().filter(([, e]) => e !== 'drop') as [string, Estimator][];
    const m = toMatrix(X);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs y`);
    const labels = toLabels(y, m.rows);
    const classifier = this.estimatorType === 'classifier';
    const classes = classifier ? classesFrom(labels, this.name) : undefined;
    const scorer = getScorer(p.metric ?? (classifier ? 'neg_log_loss' : 'neg_mean_squared_error'));
    let members: FittedMember[] = kept;
    let Xv: MatrixLike = m;
    let yv: Float64Array | string[] = labels.values;
    let swv = opts.sampleWeight;
    if (!p.prefit) {
      const seed = p.seed ?? undefined;
      const [train, hold] = classes
        ? new StratifiedShuffleSplit({ nSplits: 1, testSize: p.holdoutSize, seed }).split(m.rows, labels.values)[0]!
        : new ShuffleSplit({ nSplits: 1, testSize: p.holdoutSize, seed }).split(m.rows)[0]!;
      members = await forEachMember(
        kept.length,
        p.nJobs,
        async (i) => [kept[i]![0], await fitMember(kept[i]![1].clone(), takeRows(m, train), takeLabels(labels, train), { sampleWeight: takeWeights(opts.sampleWeight, train), signal: opts.signal })] as FittedMember,
        opts.signal,
      );
      Xv = takeRows(m, hold);
      yv = takeLabels(labels, hold);
      swv = takeWeights(opts.sampleWeight, hold);
    }
    const outs = members.map(([, e]) => this.#output(e, Xv, classes));
    const k = classes ? classes.length : 1;
    const n = Xv.rows;
    const score = (sum: Float64Array, count: number): number => {
      const avg = Float64Array.from(sum, (v) => v / count);
      if (!classes) return scorer.fromOutputs(yv, { predict: avg }, { sampleWeight: swv });
      const proba = new Matrix(avg, n, k);
      const predict = labelsAt(classes, Int32Array.from({ length: n }, (_, i) => argmax(avg, i * k, k)));
      return scorer.fromOutputs(yv, { proba, predict, classes }, { sampleWeight: swv });
    };
    const counts = new Float64Array(members.length);
    const trajectory = new Float64Array(p.ensembleSize);
    const current = new Float64Array(n * k);
    const cand = new Float64Array(n * k);
    for (let t = 0; t < p.ensembleSize; t++) {
      let best = -Infinity;
      let bestM = -1;
      for (let a = 0; a < outs.length; a++) {
        const o = outs[a]!;
        for (let i = 0; i < cand.length; i++) cand[i] = current[i]! + o[i]!;
        const s = score(cand, t + 1);
        if (s > best || bestM < 0) {
          best = s;
          bestM = a;
        }
      }
      counts[bestM] = counts[bestM]! + 1;
      const o = outs[bestM]!;
      for (let i = 0; i < current.length; i++) current[i] = current[i]! + o[i]!;
      trajectory[t] = best;
    }
    if (!Number.isFinite(trajectory[trajectory.length - 1]!)) throw new InvalidInputError(`${this.name}: the metric is not finite on the validation data`);
    this.#state = { members, weights: Float64Array.from(counts, (c) => c / p.ensembleSize), trajectory, classes };
    this.markFitted();
    return this;
  }

  #fitted(what: string): SelectionState {
    this.assertFitted(what);
    return this.#state!;
  }

  /** Weight of each library member (in `estimators` order, dropped ones left out): picks / ensembleSize. */
  get weights(): Float64Array {
    return this.#fitted('reading weights').weights.slice();
  }

  /** Weights by member name. */
  get namedWeights(): Record<string, number> {
    const s = this.#fitted('reading namedWeights');
    return Object.fromEntries(s.members.map(([n], i) => [n, s.weights[i]!]));
  }

  /** The validation score after each round. */
  get trajectory(): Float64Array {
    return this.#fitted('reading trajectory').trajectory.slice();
  }

  /** Sorted labels seen at fit (classifiers). */
  get classes(): number[] | string[] {
    const c = this.#fitted('reading classes').classes;
    if (!c) throw new InvalidParameterError(`${this.name} holds regressors: it has no classes`);
    return c.slice() as number[] | string[];
  }

  #combined(X: MatrixInput): { data: Float64Array; rows: number; k: number } {
    const s = this.#fitted('predict()');
    const m = toMatrix(X);
    const k = s.classes ? s.classes.length : 1;
    const out = new Float64Array(m.rows * k);
    s.members.forEach(([, e], a) => {
      const w = s.weights[a]!;
      if (w === 0) return;
      const o = this.#output(e, m, s.classes);
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + w * o[i]!;
    });
    return { data: out, rows: m.rows, k };
  }

  /** Weighted mean of the selected members' probabilities (classifiers). */
  predictProba(X: MatrixInput): Matrix {
    const s = this.#fitted('predictProba()');
    if (!s.classes) throw new InvalidParameterError(`${this.name} holds regressors: it has no predictProba`);
    const c = this.#combined(X);
    return new Matrix(c.data, c.rows, c.k);
  }

  /** Classifiers: the class of largest weighted probability; regressors: the weighted mean prediction. */
  predict(X: MatrixInput): Float64Array | string[] {
    const s = this.#fitted('predict()');
    const c = this.#combined(X);
    if (!s.classes) return c.data;
    return labelsAt(s.classes, Int32Array.from({ length: c.rows }, (_, i) => argmax(c.data, i * c.k, c.k)));
  }

  protected stateToJSON(): unknown {
    const s = this.#state!;
    return { members: membersToJSON(s.members), weights: Array.from(s.weights), trajectory: Array.from(s.trajectory), classes: s.classes };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || !Array.isArray(s.weights)) throw new ModelFormatError(`Invalid ${this.name} state`);
    this.#state = {
      members: membersFromJSON(s.members, this.name),
      weights: Float64Array.from(s.weights as number[]),
      trajectory: Float64Array.from((s.trajectory ?? []) as number[]),
      classes: s.classes === undefined ? undefined : checkLabelList(s.classes, this.name),
    };
  }
}

registerEstimator('EnsembleSelection', EnsembleSelection as never);
