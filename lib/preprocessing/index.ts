/** Preprocessing: scalers, imputation and Pipeline. */
export { StandardScaler, type StandardScalerOptions } from './standard_scaler.js';
export { MinMaxScaler, type MinMaxScalerOptions } from './min_max_scaler.js';
export { SimpleImputer, type SimpleImputerOptions } from './simple_imputer.js';
export { Pipeline, makePipeline, type PipelineOptions, type PipelineStep } from './pipeline.js';
