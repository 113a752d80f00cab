/**
 * Stacked generalisation (scikit-learn's StackingClassifier / StackingRegressor): each member is
 * fitted on all rows, and its cross-validated outputs (`crossValPredict` on one shared set of folds)
 * train the final estimator. `cv: 'prefit'` uses the members as given and their outputs on the
 * training rows. A stack is an estimator like any other, so stacks nest.
 */
import { registerEstimator, estimatorFromJSON, type Classifier, type Estimator, type FitOptions, type Regressor } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError, ModelFormatError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { ParamTable } from '../core/params.js';
import { LogisticRegression } from '../linear/logistic_regression.js';
import { Ridge } from '../linear/ridge.js';
import { weightsOf, type LabelList } from '../metrics/labels.js';
import { alignColumns, classesOf, decisionOf, predictOf, probaOf, type OutputMethod } from '../metrics/outputs.js';
import { crossValOutputs, makeSplits, type CvInput } from '../model_selection/validation.js';
import { takeLabels, takeRows, takeWeights } from '../model_selection/subset.js';
import {
  HeterogeneousEnsemble,
  checkLabelList,
  classesFrom,
  fitMember,
  fitMemberSync,
  forEachMember,
  isEstimatorLike,
  membersFromJSON,
  membersToJSON,
  type FittedMember,
  type MembersOptions,
} from './base.js';
import { concatMeta, memberOutput, resolveStackMethods, type StackMethod } from './meta.js';
import { accuracyScore } from '../metrics/classification.js';

/** Options of the stacking ensembles. */
export interface StackingOptions extends MembersOptions {
  /** Learns from the members' outputs. Default: LogisticRegression() for classifiers, Ridge() for regressors. */
  finalEstimator?: Estimator | null;
  /**
   * Folds for the members' out-of-fold outputs: a count (StratifiedKFold for classifiers, KFold for
   * regressors, no shuffle; default 5), a splitter, explicit splits, or 'prefit' (members already
   * fitted; their outputs on the training rows are used).
   */
  cv?: CvInput | 'prefit';
  /** Classifiers: the member output stacked ('auto': predictProba, else decisionFunction, else predict, per member). */
  stackMethod?: StackMethod;
  /** Append the original features to the final estimator's input. Default false. */
  passthrough?: boolean;
  /** Fits at once (members, and folds within each); <= 0 or unset: one per core. */
  nJobs?: number;
}

interface StackState {
  members: FittedMember[];
  methods: OutputMethod[];
  final: Estimator;
  classes?: LabelList;
  nFeatures: number;
}

const table: ParamTable = [
  { name: 'estimators', type: 'any', default: undefined, doc: "[name, estimator] pairs; an estimator may be 'drop'." },
  { name: 'finalEstimator', type: 'any', default: null, nullable: true, doc: 'Learns from the members outputs (default LogisticRegression / Ridge).' },
  { name: 'cv', type: 'any', default: 5, doc: "Fold count, splitter, splits or 'prefit'." },
  { name: 'stackMethod', type: 'string', default: 'auto', oneOf: ['auto', 'predictProba', 'decisionFunction', 'predict'], doc: 'Member output stacked (classifiers).' },
  { name: 'passthrough', type: 'boolean', default: false, doc: 'Append X to the meta-features.' },
  { name: 'nJobs', type: 'int', default: 0, doc: 'Fits at once; <= 0 means one per core.' },
];

abstract class BaseStacking extends HeterogeneousEnsemble<StackingOptions> {
  static readonly params: ParamTable = table;
  protected state: StackState | undefined;

  protected abstract defaultFinal(): Estimator;

  #plan() {
    const p = this.resolved();
    const members = this.validMembers();
    this.checkMemberKinds(members);
    const kept = members.filter(([, e]) => e !== 'drop') as [string, Estimator][];
    const classifier = this.estimatorType === 'classifier';
    const methods = resolveStackMethods(kept, p.stackMethod, classifier, this.name);
    const final = p.finalEstimator ?? this.defaultFinal();
    if (!isEstimatorLike(final)) throw new InvalidParameterError(`Expected an estimator for ${this.name} parameter 'finalEstimator'`, 'finalEstimator');
    return { p, kept, methods, final };
  }

  #labels(m: MatrixLike, y: LabelInput | undefined) {
    if (y === undefined) throw new InvalidInputError(`${this.name}.fit needs ${this.estimatorType === 'classifier' ? 'labels' : 'targets'} y`);
    const labels = toLabels(y, m.rows);
    const classes = this.estimatorType === 'classifier' ? classesFrom(labels, this.name) : undefined;
    if (!classes && labels.kind !== 'number') throw new InvalidInputError(`Expected numeric targets in y for ${this.name}`);
    return { labels, classes };
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    const { p, kept, methods, final } = this.#plan();
    const m = toMatrix(X);
    const { labels, classes } = this.#labels(m, y);
    const sw = weightsOf(opts.sampleWeight, m.rows);
    let members: FittedMember[];
    let outputs: Matrix[];
    if (p.cv === 'prefit') {
      members = kept;
      outputs = kept.map(([, e], i) => memberOutput(e, m, methods[i]!, classes));
    } else {
      // One set of folds for every member, so the meta-features line up row by row.
      const splits = makeSplits(p.cv as CvInput, classes !== undefined, m, labels);
      const results = await forEachMember(
        kept.length,
        p.nJobs,
        async (i) => {
          const [name, est] = kept[i]!;
          const [full, oof] = await Promise.all([
            fitMember(est.clone(), m, labels.values, { sampleWeight: sw, signal: opts.signal }),
            crossValOutputs(est, m, labels, splits, methods[i]!, p.nJobs, sw, opts.signal, classes),
          ]);
          return { member: [name, full] as FittedMember, oof };
        },
        opts.signal,
      );
      members = results.map((r) => r.member);
      outputs = results.map((r) => r.oof);
    }
    const meta = concatMeta(outputs, methods, classes?.length ?? 0, p.passthrough ? m : undefined);
    const fittedFinal = await fitMember(final.clone(), meta, labels.values, { sampleWeight: sw, signal: opts.signal });
    this.state = { members, methods, final: fittedFinal, classes, nFeatures: m.cols };
    this.markFitted();
    return this;
  }

  /** Fits on the calling thread (members and final estimator need fitSync). */
  fitSync(X: MatrixInput, y?: LabelInput, opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const { p, kept, methods, final } = this.#plan();
    const m = toMatrix(X);
    const { labels, classes } = this.#labels(m, y);
    const sw = weightsOf(opts.sampleWeight, m.rows);
    let members: FittedMember[];
    let outputs: Matrix[];
    if (p.cv === 'prefit') {
      members = kept;
      outputs = kept.map(([, e], i) => memberOutput(e, m, methods[i]!, classes));
    } else {
      const splits = makeSplits(p.cv as CvInput, classes !== undefined, m, labels);
      members = kept.map(([name, est]) => [name, fitMemberSync(est.clone(), m, labels.values, { sampleWeight: sw }, this.name, name)] as FittedMember);
      outputs = kept.map(([name, est], i) => {
        const method = methods[i]!;
        let cols = 0;
        const parts = splits.map(([train, test]) => {
          const f = fitMemberSync(est.clone(), takeRows(m, train), takeLabels(labels, train), { sampleWeight: takeWeights(sw, train) }, this.name, name);
          const out = memberOutput(f, takeRows(m, test), method, classes);
          cols = out.cols;
          return out;
        });
        const result = new Float64Array(m.rows * cols);
        splits.forEach(([, test], f) => test.forEach((r, i) => result.set(parts[f]!.row(i), r * cols)));
        return new Matrix(result, m.rows, cols);
      });
    }
    const meta = concatMeta(outputs, methods, classes?.length ?? 0, p.passthrough ? m : undefined);
    const fittedFinal = fitMemberSync(final.clone(), meta, labels.values, { sampleWeight: sw }, this.name, 'finalEstimator');
    this.state = { members, methods, final: fittedFinal, classes, nFeatures: m.cols };
    this.markFitted();
    return this;
  }

  protected fitted(what: string): StackState {
    this.assertFitted(what);
    return this.state!;
  }

  /**
   * The meta-features of X: each fitted member's output (the method in `stackMethods`), side by
   * side, then X itself with passthrough. At fit the final estimator saw the same layout, built
   * from out-of-fold outputs.
   */
  transform(X: MatrixInput): Matrix {
    const s = this.fitted('transform()');
    const m = toMatrix(X, { cols: s.nFeatures });
    const outputs = s.members.map(([, e], i) => memberOutput(e, m, s.methods[i]!, s.classes));
    return concatMeta(outputs, s.methods, s.classes?.length ?? 0, (this.params_.passthrough ?? false) ? m : undefined);
  }

  /** The output method used per fitted member. */
  get stackMethods(): OutputMethod[] {
    return this.fitted('reading stackMethods').methods.slice();
  }

  /** The fitted members by name (fitted on all rows). */
  get namedEstimators(): Record<string, Estimator> {
    return Object.fromEntries(this.fitted('reading namedEstimators').members);
  }

  /** The fitted final estimator. */
  get finalEstimatorFitted(): Estimator {
    return this.fitted('reading finalEstimatorFitted').final;
  }

  predict(X: MatrixInput): Float64Array | string[] {
    return predictOf(this.fitted('predict()').final, this.transform(X));
  }

  protected stateToJSON(): unknown {
    const s = this.state!;
    return { members: membersToJSON(s.members), methods: s.methods, final: s.final.toJSON(), classes: s.classes, nFeatures: s.nFeatures };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object' || !Array.isArray(s.methods) || typeof s.nFeatures !== 'number') throw new ModelFormatError(`Invalid ${this.name} state`);
    const members = membersFromJSON(s.members, this.name);
    if (s.methods.length !== members.length) throw new ModelFormatError(`Invalid ${this.name} state: one method per member`);
    this.state = {
      members,
      methods: s.methods as OutputMethod[],
      final: estimatorFromJSON(s.final) as Estimator,
      classes: s.classes === undefined ? undefined : checkLabelList(s.classes, this.name),
      nFeatures: s.nFeatures,
    };
  }
}

/** Stacking of classifiers: the final classifier predicts from the members' (out-of-fold) outputs. */
export class StackingClassifier extends BaseStacking implements Classifier {
  readonly estimatorType = 'classifier' as const;

  constructor(options: StackingOptions = {}) {
    super(options);
  }

  protected defaultFinal(): Estimator {
    return new LogisticRegression();
  }

  /** Sorted labels seen at fit. */
  get classes(): number[] | string[] {
    return this.fitted('reading classes').classes!.slice() as number[] | string[];
  }

  /** The final estimator's probabilities, columns in `classes` order. */
  predictProba(X: MatrixInput): Matrix {
    const s = this.fitted('predictProba()');
    const f = s.final;
    return alignColumns(probaOf(f, this.transform(X)), classesOf(f), s.classes!);
  }

  /** The final estimator's decision scores. */
  decisionFunction(X: MatrixInput): Matrix {
    return decisionOf(this.fitted('decisionFunction()').final, this.transform(X));
  }

  /** Mean accuracy on (X, y). */
  score(X: MatrixInput, y: LabelInput): number {
    return accuracyScore(y, this.predict(X));
  }
}

/** Stacking of regressors: the final regressor predicts from the members' (out-of-fold) predictions. */
export class StackingRegressor extends BaseStacking implements Regressor {
  readonly estimatorType = 'regressor' as const;

  constructor(options: StackingOptions = {}) {
    super(options);
  }

  protected defaultFinal(): Estimator {
    return new Ridge();
  }

  override predict(X: MatrixInput): Float64Array {
    return super.predict(X) as Float64Array;
  }
}

registerEstimator('StackingClassifier', StackingClassifier as never);
registerEstimator('StackingRegressor', StackingRegressor as never);
