/**
 * Scorers: what model selection and the ensembles call to rate a fitted estimator on (X, y), by
 * scikit-learn's scoring names ('accuracy', 'f1_macro', 'roc_auc', 'neg_log_loss', 'r2', ...) or a
 * function. Greater is always better: losses are negated ('neg_mean_squared_error').
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidParameterError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import type { Matrix } from '../core/matrix.js';
import { closestName } from '../core/errors.js';
import { accuracyScore, balancedAccuracyScore, logLoss, precisionRecallFscoreSupport, type AverageMode } from './classification.js';
import type { LabelList } from './labels.js';
import { classesOf, decisionOf, hasMethod, predictOf, probaOf } from './outputs.js';
import { rocAucScore } from './ranking.js';
import { meanAbsoluteError, meanSquaredError, r2Score, rootMeanSquaredError } from './regression.js';

/** The outputs a scorer reads: predictions, probabilities (with their class order), or decision scores. */
export interface ScorerOutputs {
  predict?: Float64Array | string[];
  proba?: Matrix;
  decision?: Matrix;
  classes?: LabelList;
}

/** A scoring rule: greater is better. */
export interface Scorer {
  /** The scoring name ('accuracy', ...), or the function's name. */
  readonly name: string;
  /** Which output it needs: 'predict', 'proba' (probabilities) or 'threshold' (decision scores, else probabilities). */
  readonly needs: 'predict' | 'proba' | 'threshold';
  /** Scores a fitted estimator on (X, y). */
  score(estimator: Estimator, X: MatrixInput, y: LabelInput, opts?: { sampleWeight?: ArrayLike<number> }): number;
  /** Scores outputs already computed (used by ensemble selection); throws when the needed output is missing. */
  fromOutputs(y: LabelInput, out: ScorerOutputs, opts?: { sampleWeight?: ArrayLike<number> }): number;
}

/** A user scoring function, as scikit-learn's callable scoring: `(estimator, X, y) => number`, greater is better. */
export type ScoringFunction = (estimator: Estimator, X: MatrixInput, y: LabelInput) => number;

/** A scoring name, a function or a Scorer. */
export type Scoring = string | ScoringFunction | Scorer;

type OutputMetric = (y: LabelInput, out: ScorerOutputs, sw: ArrayLike<number> | undefined) => number;

function need<K extends keyof ScorerOutputs>(out: ScorerOutputs, key: K, name: string): NonNullable<ScorerOutputs[K]> {
  const v = out[key];
  if (v === undefined) throw new InvalidParameterError(`Scorer '${name}' needs ${key} outputs`);
  return v as NonNullable<ScorerOutputs[K]>;
}

function column(m: Matrix, c: number): Float64Array {
  return m.column(c);
}

class BuiltinScorer implements Scorer {
  constructor(
    readonly name: string,
    readonly needs: 'predict' | 'proba' | 'threshold',
    private readonly metric: OutputMetric,
  ) {}

  score(estimator: Estimator, X: MatrixInput, y: LabelInput, opts: { sampleWeight?: ArrayLike<number> } = {}): number {
    const out: ScorerOutputs = {};
    if (this.needs === 'predict') {
      out.predict = predictOf(estimator, X);
    } else {
      out.classes = classesOf(estimator);
      // scikit-learn's threshold scorers prefer decision_function and fall back on predict_proba.
      if (this.needs === 'threshold' && hasMethod(estimator, 'decisionFunction')) out.decision = decisionOf(estimator, X);
      else out.proba = probaOf(estimator, X);
    }
    return this.metric(y, out, opts.sampleWeight);
  }

  fromOutputs(y: LabelInput, out: ScorerOutputs, opts: { sampleWeight?: ArrayLike<number> } = {}): number {
    return this.metric(y, out, opts.sampleWeight);
  }
}

function prf(which: 'precision' | 'recall' | 'fbeta', average: AverageMode): OutputMetric {
  return (y, out, sw) => precisionRecallFscoreSupport(y, need(out, 'predict', which), { average, sampleWeight: sw })[which] as number;
}

/** Binary: the score of classes[1] (decision column or probability column 1). */
function thresholdScores(out: ScorerOutputs, name: string): Float64Array | Matrix {
  if (out.decision) return out.decision.cols === 1 ? out.decision.column(0) : out.decision;
  const p = need(out, 'proba', name);
  return p.cols === 2 ? column(p, 1) : p;
}

const builtins: Record<string, () => Scorer> = {
  accuracy: () => new BuiltinScorer('accuracy', 'predict', (y, o, sw) => accuracyScore(y, need(o, 'predict', 'accuracy'), { sampleWeight: sw })),
  balanced_accuracy: () => new BuiltinScorer('balanced_accuracy', 'predict', (y, o, sw) => balancedAccuracyScore(y, need(o, 'predict', 'balanced_accuracy'), { sampleWeight: sw })),
  precision: () => new BuiltinScorer('precision', 'predict', prf('precision', 'binary')),
  recall: () => new BuiltinScorer('recall', 'predict', prf('recall', 'binary')),
  f1: () => new BuiltinScorer('f1', 'predict', prf('fbeta', 'binary')),
  roc_auc: () =>
    new BuiltinScorer('roc_auc', 'threshold', (y, o, sw) => {
      const s = thresholdScores(o, 'roc_auc');
      if (!(s instanceof Float64Array)) throw new InvalidParameterError("Scorer 'roc_auc' is for two classes; use 'roc_auc_ovr' for more");
      return rocAucScore(y, s, { sampleWeight: sw }) as number;
    }),
  roc_auc_ovr: () => new BuiltinScorer('roc_auc_ovr', 'proba', ovr('macro')),
  roc_auc_ovr_weighted: () => new BuiltinScorer('roc_auc_ovr_weighted', 'proba', ovr('weighted')),
  neg_log_loss: () =>
    new BuiltinScorer('neg_log_loss', 'proba', (y, o, sw) => -logLoss(y, need(o, 'proba', 'neg_log_loss'), { sampleWeight: sw, labels: o.classes })),
  neg_mean_squared_error: () => new BuiltinScorer('neg_mean_squared_error', 'predict', (y, o, sw) => -meanSquaredError(y, need(o, 'predict', 'mse'), { sampleWeight: sw })),
  neg_root_mean_squared_error: () => new BuiltinScorer('neg_root_mean_squared_error', 'predict', (y, o, sw) => -rootMeanSquaredError(y, need(o, 'predict', 'rmse'), { sampleWeight: sw })),
  neg_mean_absolute_error: () => new BuiltinScorer('neg_mean_absolute_error', 'predict', (y, o, sw) => -meanAbsoluteError(y, need(o, 'predict', 'mae'), { sampleWeight: sw })),
  r2: () => new BuiltinScorer('r2', 'predict', (y, o, sw) => r2Score(y, need(o, 'predict', 'r2'), { sampleWeight: sw })),
};
for (const avg of ['macro', 'micro', 'weighted'] as const) {
  builtins[`precision_${avg}`] = () => new BuiltinScorer(`precision_${avg}`, 'predict', prf('precision', avg));
  builtins[`recall_${avg}`] = () => new BuiltinScorer(`recall_${avg}`, 'predict', prf('recall', avg));
  builtins[`f1_${avg}`] = () => new BuiltinScorer(`f1_${avg}`, 'predict', prf('fbeta', avg));
}

function ovr(average: 'macro' | 'weighted'): OutputMetric {
  return (y, o, sw) => {
    const p = need(o, 'proba', 'roc_auc_ovr');
    if (p.cols === 2) return rocAucScore(y, p.column(1), { sampleWeight: sw }) as number;
    return rocAucScore(y, p, { multiClass: 'ovr', average, sampleWeight: sw, labels: o.classes }) as number;
  };
}

/** The scoring names {@link getScorer} knows. */
export function scorerNames(): string[] {
  return Object.keys(builtins).sort();
}

/**
 * A Scorer for a scoring name (scikit-learn's names), a function `(estimator, X, y) => number`, or
 * a Scorer (returned as is).
 */
export function getScorer(scoring: Scoring): Scorer {
  if (typeof scoring === 'string') {
    const make = builtins[scoring];
    if (!make) {
      const hint = closestName(scoring, Object.keys(builtins));
      throw new InvalidParameterError(`Unknown scoring '${scoring}'.${hint ? ` Did you mean '${hint}'?` : ` Known: ${scorerNames().join(', ')}.`}`, 'scoring');
    }
    return make();
  }
  if (typeof scoring === 'function') {
    const fn = scoring;
    return {
      name: fn.name || 'score',
      needs: 'predict',
      score: (est, X, y) => {
        const v = fn(est, X, y);
        if (typeof v !== 'number') throw new InvalidParameterError(`The scoring function returned ${typeof v}, expected a number`, 'scoring');
        return v;
      },
      fromOutputs: () => {
        throw new InvalidParameterError('A scoring function (estimator, X, y) cannot score precomputed outputs; use a scoring name', 'scoring');
      },
    };
  }
  if (scoring !== null && typeof scoring === 'object' && typeof scoring.score === 'function') return scoring;
  throw new InvalidParameterError(`Expected a scoring name, a function or a Scorer for scoring but received ${String(scoring)}`, 'scoring');
}

/** The default scorer of an estimator: accuracy for classifiers, R² for regressors (scikit-learn's `score`). */
export function defaultScorer(classifier: boolean): Scorer {
  return getScorer(classifier ? 'accuracy' : 'r2');
}

/**
 * Wraps a metric `(yTrue, yPred) => number` as a Scorer. `greaterIsBetter: false` negates it;
 * `needs: 'proba'` passes probabilities (the positive column for two classes) instead of predictions.
 */
export function makeScorer(
  metric: (yTrue: LabelInput, yPred: Float64Array | string[] | Matrix, sampleWeight?: ArrayLike<number>) => number,
  opts: { name?: string; greaterIsBetter?: boolean; needs?: 'predict' | 'proba' | 'threshold' } = {},
): Scorer {
  const sign = opts.greaterIsBetter === false ? -1 : 1;
  const needs = opts.needs ?? 'predict';
  return new BuiltinScorer(opts.name ?? (metric.name || 'custom'), needs, (y, o, sw) => {
    if (needs === 'predict') return sign * metric(y, need(o, 'predict', 'custom'), sw);
    if (needs === 'threshold') return sign * metric(y, thresholdScores(o, 'custom') as Float64Array, sw);
    const p = need(o, 'proba', 'custom');
    return sign * metric(y, p.cols === 2 ? p.column(1) : p, sw);
  });
}
