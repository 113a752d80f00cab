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
