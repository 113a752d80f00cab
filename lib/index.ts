/**
 * ensemblekit: ensemble learning for Node.js on a native C++ core. This file is the table of
 * contents; each area lives in its own folder (DESIGN.md).
 */
export { buildInfo, setSimd, type BuildInfo } from './core/build_info.js';
export {
  EnsembleError,
  InvalidInputError,
  InvalidParameterError,
  NotFittedError,
  ModelFormatError,
  AbortError,
} from './core/errors.js';
export { Matrix, type MatrixLike } from './core/matrix.js';
export { toMatrix, toLabels, encodeClasses, type MatrixInput, type LabelInput, type Labels } from './core/input.js';
export { Dataset, type DatasetOptions } from './core/dataset.js';
export {
  BaseEstimator,
  registerEstimator,
  estimatorFromJSON,
  isClassifier,
  isEstimator,
  type Estimator,
  type Classifier,
  type Regressor,
  type Transformer,
  type FitOptions,
  type EstimatorJSON,
} from './core/estimator.js';
export { Random } from './core/random.js';
export type { JobOptions, ProgressCallback } from './native.js';
export * as linalg from './linalg/index.js';
export * as datasets from './datasets/index.js';
export {
  loadIris,
  loadBreastCancer,
  loadWine,
  loadDigits,
  loadDiabetes,
  makeClassification,
  makeRegression,
  makeFriedman1,
} from './datasets/index.js';
export {
  LogisticRegression,
  LinearRegression,
  Ridge,
  type LogisticRegressionOptions,
  type LinearRegressionOptions,
  type RidgeOptions,
  type TargetInput,
  type ClassWeight,
} from './linear/index.js';
export {
  StandardScaler,
  MinMaxScaler,
  SimpleImputer,
  Pipeline,
  makePipeline,
  type StandardScalerOptions,
  type MinMaxScalerOptions,
  type SimpleImputerOptions,
  type PipelineOptions,
  type PipelineStep,
} from './preprocessing/index.js';
export {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  type GradientBoostingOptions,
  type GradientBoostingClassifierOptions,
  type GradientBoostingRegressorOptions,
  type GradientBoostingFitOptions,
  type EvalSetInput,
  type ObjectiveFunction,
  type CustomMetric,
  type MetricName,
} from './tree/index.js';
export * as metrics from './metrics/index.js';
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
  rocAucScore,
  rocCurve,
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  r2Score,
  getScorer,
  makeScorer,
  scorerNames,
  type Scorer,
  type Scoring,
  type ScoringFunction,
} from './metrics/index.js';
export {
  KFold,
  StratifiedKFold,
  GroupKFold,
  RepeatedKFold,
  RepeatedStratifiedKFold,
  ShuffleSplit,
  StratifiedShuffleSplit,
  trainTestSplit,
  crossValScore,
  crossValPredict,
  crossValidate,
  GridSearchCV,
  RandomizedSearchCV,
  parameterGrid,
  uniform,
  loguniform,
  randint,
  type Split,
  type Splitter,
  type CvInput,
  type CrossValidateResult,
  type CvResults,
  type ParamGrid,
  type Distribution,
  type GridSearchCVOptions,
  type RandomizedSearchCVOptions,
  type TrainTestSplitResult,
} from './model_selection/index.js';
export {
  VotingClassifier,
  VotingRegressor,
  StackingClassifier,
  StackingRegressor,
  BlendingClassifier,
  BlendingRegressor,
  BaggingClassifier,
  BaggingRegressor,
  EnsembleSelection,
  fuseLinear,
  type VotingOptions,
  type VotingClassifierOptions,
  type StackingOptions,
  type BlendingOptions,
  type BaggingOptions,
  type EnsembleSelectionOptions,
  type LinearModel,
  type Member,
  type NamedMembers,
  type StackMethod,
} from './ensemble/index.js';
export {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type MaxFeatures,
  type TreeOptions,
  type ForestOptions,
  type TreeClassifierOptions,
  type TreeRegressorOptions,
  type DecisionTreeClassifierOptions,
  type DecisionTreeRegressorOptions,
  type RandomForestClassifierOptions,
  type RandomForestRegressorOptions,
  type ExtraTreesClassifierOptions,
  type ExtraTreesRegressorOptions,
} from './tree/index.js';
export {
  AdaBoostClassifier,
  AdaBoostRegressor,
  type AdaBoostClassifierOptions,
  type AdaBoostRegressorOptions,
  type AdaBoostFitOptions,
} from './tree/index.js';
export {
  importXGBoost,
  importLightGBM,
  saveModel,
  loadModel,
  modelToBuffer,
  modelFromBuffer,
  gradientBoostingFromBuffer,
  loadGradientBoosting,
  type ImportedModel,
} from './io/index.js';
export { readCSV, type ReadCSVOptions, type CSVData, type CategoryMapping } from './io/index.js';
export {
  MLPClassifier,
  MLPRegressor,
  fuseWeights,
  type MLPClassifierOptions,
  type MLPRegressorOptions,
  type MLPTargetInput,
  type MLPOptions,
  type MLPFitOptions,
  type NeuralModel,
} from './neural/index.js';
