/** Linear models: logistic regression, least squares and ridge, on the native kernels. */
export { LogisticRegression, type LogisticRegressionOptions } from './logistic_regression.js';
export { LinearRegression, Ridge, type LinearRegressionOptions, type RidgeOptions, type TargetInput } from './ridge.js';
export type { ClassWeight } from './weights.js';
