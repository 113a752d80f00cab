/**
 * Blending (not in scikit-learn): the members fit on a seeded holdout split's training part, and
 * the blender learns from their outputs on the holdout rows (stratified for classifiers). The
 * blender is a meta-estimator (default LogisticRegression / Ridge, fed like stacking's final
 * estimator), `'mean'` (equal weights on probabilities / predictions) or `'optimize'` (non-negative
 * weights summing to 1 that minimise the holdout log loss / squared error). `refit: true` refits
 * the members on all rows afterwards (the blender is kept).
 */
import { estimatorFromJSON, registerEstimator, type Classifier, type Estimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type Labels, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { LogisticRegression } from '../linear/logistic_regression.js';
import { Ridge } from '../linear/ridge.js';
import { encodeAgainst, weightsOf, type LabelList } from '../metrics/labels.js';
import { alignColumns, classesOf, decisionOf, hasMethod, predictOf, probaOf, type OutputMethod } from '../metrics/outputs.js';
import { ShuffleSplit, StratifiedShuffleSplit } from '../model_selection/split.js';
import { takeLabels, takeRows, takeWeights } from '../model_selection/subset.js';
import {
  HeterogeneousEnsemble,
  checkLabelList,
  classIndex,
  classesFrom,
  fitMember,
  onRows,
  onRowsSync,
  forEachMember,
  isEstimatorLike,
  membersFromJSON,
  membersToJSON,
  type FittedMember,
  type MembersOptions,
} from './base.js';
import { concatMeta, memberOutput, resolveStackMethods, type StackMethod } from './meta.js';
import { minimizeOnSimplex } from './simplex.js';
import { argmax, labelsAt } from './voting.js';

/** Options of the blending ensembles. */
export interface BlendingOptions extends MembersOptions {
  /** A meta-estimator, 'mean' or 'optimize'. Default: LogisticRegression() / Ridge(). */
  blender?: Estimator | 'mean' | 'optimize' | null;
  /** Holdout rows: a fraction in (0, 1) or a count. Default 0.2. */
  holdoutSize?: number;
  /** Seed of the holdout split; unset: random. */
  seed?: number | null;
  /** Meta-estimator blender: which member output it learns from (as stacking's stackMethod). */
  stackMethod?: StackMethod;
  /** Meta-estimator blender: append X to its input. Default false. */
  passthrough?: boolean;
  /** Refit the members on all rows after the blender has learned. Default false. */
  refit?: boolean;
  /** Members fitted at once; <= 0 or unset: one per core. */
  nJobs?: number;
}

interface BlendState {
  members: FittedMember[];
  methods: OutputMethod[];
  blender?: Estimator;
  weights?: Float64Array;
  classes?: LabelList;
  nFeatures: number;
  holdoutIndex: Int32Array;
}

const table: ParamTable = [
  { name: 'estimators', type: 'any', default: undefined, doc: "[name, estimator] pairs; an estimator may be 'drop'." },
  { name: 'blender', type: 'any', default: null, nullable: true, doc: "A meta-estimator, 'mean' or 'optimize'." },
  { name: 'holdoutSize', type: 'number', default: 0.2, gt: 0, doc: 'Holdout rows: fraction or count.' },
  { name: 'seed', type: 'int', default: null, nullable: true, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'Seed of the holdout split.' },
  { name: 'stackMethod', type: 'string', default: 'auto', oneOf: ['auto', 'predictProba', 'decisionFunction', 'predict'], doc: 'Member output the meta-estimator learns from.' },
  { name: 'passthrough', type: 'boolean', default: false, doc: 'Append X to the meta-features.' },
  { name: 'refit', type: 'boolean', default: false, doc: 'Refit members on all rows afterwards.' },
  { name: 'nJobs', type: 'int', default: 0, doc: 'Members fitted at once; <= 0 means one per core.' },
];

/** Weighted mean of member outputs (probabilities or predictions), `rows x k`. */
function weighted(outputs: readonly Float64Array[], w: Float64Array): Float64Array {
  const out = new Float64Array(outputs[0]!.length);
  outputs.forEach((o, m) => {
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + w[m]! * o[i]!;
  });
  return out;
}

abstract class BaseBlending extends HeterogeneousEnsemble<BlendingOptions> {
  static readonly params: ParamTable = table;
  protected state: BlendState | undefined;
  protected abstract defaultBlender(): Estimator;

  /** A member's output for 'mean' / 'optimize': aligned probabilities (one-hot votes without predictProba), or predictions. */
  protected plainOutput(est: Estimator, X: MatrixInput, classes: LabelList | undefined): Float64Array {
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
    const members = this.validMembers();
    this.checkMemberKinds(members);
    const kept = members.filter(([, e]) => e !== 'drop') as [string, Estimator][];
    const m = toMatrix(X);
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs y`);
    const labels = toLabels(y, m.rows);
    const classes = this.estimatorType === 'classifier' ? classesFrom(labels, this.name) : undefined;
    const blender = p.blender ?? this.defaultBlender();
    if (blender !== 'mean' && blender !== 'optimize' && !isEstimatorLike(blender)) {
      throw new InvalidParameterError(`Expected an estimator, 'mean' or 'optimize' for ${this.name} parameter 'blender'`, 'blender');
    }
    const sw = weightsOf(opts.sampleWeight, m.rows);
    const seed = p.seed ?? undefined;
    const [train, hold] = classes
      ? new StratifiedShuffleSplit({ nSplits: 1, testSize: p.holdoutSize, seed }).split(m.rows, labels.values)[0]!
      : new ShuffleSplit({ nSplits: 1, testSize: p.holdoutSize, seed }).split(m.rows)[0]!;
    const fitAll = (rows: Int32Array) =>
      forEachMember(
        kept.length,
        p.nJobs,
        async (i) => [kept[i]![0], await onRows(rows, () => fitMember(kept[i]![1].clone(), takeRows(m, rows), takeLabels(labels, rows), { sampleWeight: takeWeights(sw, rows), signal: opts.signal }))] as FittedMember,
        opts.signal,
      );
    let fitted = await fitAll(train);
    const Xh = takeRows(m, hold);
    const yh = takeLabels(labels, hold);
    const state: BlendState = { members: fitted, methods: [], classes, nFeatures: m.cols, holdoutIndex: hold };
    if (blender === 'mean' || blender === 'optimize') {
      const outs = onRowsSync(hold, () => fitted.map(([, e]) => this.plainOutput(e, Xh, classes)));
      state.weights = blender === 'mean' ? new Float64Array(kept.length).fill(1 / kept.length) : this.#optimize(outs, yh, classes);
    } else {
      state.methods = resolveStackMethods(kept, p.stackMethod, classes !== undefined, this.name);
      const meta = concatMeta(
        onRowsSync(hold, () => fitted.map(([, e], i) => memberOutput(e, Xh, state.methods[i]!, classes))),
        state.methods,
        classes?.length ?? 0,
        p.passthrough ? Xh : undefined,
      );
      state.blender = await fitMember(blender.clone(), meta, yh, { sampleWeight: takeWeights(sw, hold), signal: opts.signal });
    }
    if (p.refit) {
      const all = Int32Array.from({ length: m.rows }, (_, i) => i);
      fitted = await fitAll(all);
      state.members = fitted;
    }
    this.state = state;
    this.markFitted();
    return this;
  }

  /** Non-negative weights summing to 1 minimising the holdout log loss (classifier) or mean squared error (regressor). */
  #optimize(outs: Float64Array[], y: Float64Array | string[], classes: LabelList | undefined): Float64Array {
    const M = outs.length;
    const n = y.length;
    if (classes) {
      const k = classes.length;
      const idx = encodeAgainst({ kind: typeof classes[0] === 'string' ? 'string' : 'number', values: y } as Labels, classes);
      // Only the probability of the true class matters: p[m][i].
      const p = outs.map((o) => Float64Array.from({ length: n }, (_, i) => o[i * k + idx[i]!]!));
      return minimizeOnSimplex(M, (w) => {
        const grad = new Float64Array(M);
        let value = 0;
        for (let i = 0; i < n; i++) {
          let q = 0;
          for (let a = 0; a < M; a++) q += w[a]! * p[a]![i]!;
          q = Math.max(q, 1e-15);
          value -= Math.log(q) / n;
          for (let a = 0; a < M; a++) grad[a] = grad[a]! - p[a]![i]! / q / n;
        }
        return { value, grad };
      });
    }
    const t = y as Float64Array;
    return minimizeOnSimplex(M, (w) => {
      const grad = new Float64Array(M);
      let value = 0;
      for (let i = 0; i < n; i++) {
        let r = -t[i]!;
        for (let a = 0; a < M; a++) r += w[a]! * outs[a]![i]!;
        value += (r * r) / n;
        for (let a = 0; a < M; a++) grad[a] = grad[a]! + (2 * r * outs[a]![i]!) / n;
      }
      return { value, grad };
    });
  }

  protected fitted(what: string): BlendState {
    this.assertFitted(what);
    return this.state!;
  }

  /** The blending weights per member ('mean' or 'optimize' blenders). */
  get weights(): Float64Array {
    const s = this.fitted('reading weights');
    if (!s.weights) throw new InvalidParameterError(`${this.name} uses a meta-estimator blender, which has no weights`, 'blender');
    return s.weights.slice();
  }

  /** Rows of the training X held out for the blender. */
  get holdoutIndex(): Int32Array {
    return this.fitted('reading holdoutIndex').holdoutIndex.slice();
  }

  /** The fitted members by name. */
  get namedEstimators(): Record<string, Estimator> {
    return Object.fromEntries(this.fitted('reading namedEstimators').members);
  }

  /** Meta-estimator blender: its input for X (member outputs side by side, then X with passthrough). */
  transform(X: MatrixInput): Matrix {
    const s = this.fitted('transform()');
    const m = toMatrix(X, { cols: s.nFeatures });
    if (!s.blender) return new Matrix(this.#combined(m), m.rows, s.classes?.length ?? 1);
    const outputs = s.members.map(([, e], i) => memberOutput(e, m, s.methods[i]!, s.classes));
    return concatMeta(outputs, s.methods, s.classes?.length ?? 0, (this.params_.passthrough ?? false) ? m : undefined);
  }

  #combined(m: MatrixLike): Float64Array {
    const s = this.state!;
    return weighted(s.members.map(([, e]) => this.plainOutput(e, m, s.classes)), s.weights!);
  }

  protected stateToJSON(): unknown {
    const s = this.state!;
    return {
      members: membersToJSON(s.members),
      methods: s.methods,
      blender: s.blender?.toJSON(),
      weights: s.weights ? Array.from(s.weights) : undefined,
      classes: s.classes,
      nFeatures: s.nFeatures,
      holdoutIndex: Array.from(s.holdoutIndex),
    };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || typeof s.nFeatures !== 'number') throw new ModelFormatError(`Invalid ${this.name} state`);
    this.state = {
      members: membersFromJSON(s.members, this.name),
      methods: (s.methods ?? []) as OutputMethod[],
      blender: s.blender ? (estimatorFromJSON(s.blender) as Estimator) : undefined,
      weights: Array.isArray(s.weights) ? Float64Array.from(s.weights as number[]) : undefined,
      classes: s.classes === undefined ? undefined : checkLabelList(s.classes, this.name),
      nFeatures: s.nFeatures,
      holdoutIndex: Int32Array.from((s.holdoutIndex ?? []) as number[]),
    };
  }

  predict(X: MatrixInput): Float64Array | string[] {
    const s = this.fitted('predict()');
    if (s.blender) return predictOf(s.blender, this.transform(X));
    const m = toMatrix(X, { cols: s.nFeatures });
    const c = this.#combined(m);
    if (!s.classes) return c;
    const k = s.classes.length;
    return labelsAt(s.classes, Int32Array.from({ length: m.rows }, (_, i) => argmax(c, i * k, k)));
  }
}

/** Blending of classifiers. */
export class BlendingClassifier extends BaseBlending implements Classifier {
  readonly estimatorType = 'classifier' as const;

  constructor(options: BlendingOptions = {}) {
    super(options);
  }

  protected defaultBlender(): Estimator {
    return new LogisticRegression();
  }

  /** Sorted labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /** The blender's probabilities, or the weighted mean of the members' probabilities. */
  predictProba(X: MatrixInput): Matrix {
    const s = this.fitted('predictProba()');
    if (s.blender) return alignColumns(probaOf(s.blender, this.transform(X)), classesOf(s.blender), s.classes!);
    return this.transform(X);
  }

  /** The meta-estimator blender's decision scores. */
  decisionFunction(X: MatrixInput): Matrix {
    const s = this.fitted('decisionFunction()');
    if (!s.blender) throw new InvalidParameterError(`${this.name} with a '${String(this.params_.blender)}' blender has no decisionFunction`, 'blender');
    return decisionOf(s.blender, this.transform(X));
  }
}

/** Blending of regressors. */
export class BlendingRegressor extends BaseBlending implements Regressor {
  readonly estimatorType = 'regressor' as const;

  constructor(options: BlendingOptions = {}) {
    super(options);
  }

  protected defaultBlender(): Estimator {
    return new Ridge();
  }

  override predict(X: MatrixInput): Float64Array {
    return super.predict(X) as Float64Array;
  }
}

registerEstimator('BlendingClassifier', BlendingClassifier as never);
registerEstimator('BlendingRegressor', BlendingRegressor as never);
