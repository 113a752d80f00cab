/** Metrics with scikit-learn's definitions, and scorers by name or function. */
export {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  logLoss,
  type AverageMode,
  type ConfusionMatrixOptions,
  type LogLossOptions,
  type PrfOptions,
  type PrfResult,
  type ProbaInput,
  type SampleWeightOption,
} from './classification.js';
export { rocAucScore, rocCurve, precisionRecallCurve, averagePrecisionScore, type RocAucOptions } from './ranking.js';
export { meanSquaredError, rootMeanSquaredError, meanAbsoluteError, r2Score } from './regression.js';
export { getScorer, makeScorer, scorerNames, defaultScorer, type Scorer, type Scoring, type ScoringFunction, type ScorerOutputs } from './scorer.js';
export type { LabelsLike, LabelList } from './labels.js';
