/** Neural networks: multi-layer perceptrons on the native GEMM kernels, and weight-space fusion. */
export { MLPClassifier, type MLPClassifierOptions } from './mlp_classifier.js';
export { MLPRegressor, type MLPRegressorOptions, type MLPTargetInput } from './mlp_regressor.js';
export { fuseWeights, type NeuralModel } from './fuse_weights.js';
export type { MLPOptions, MLPFitOptions, Activation, Solver, LearningRateSchedule } from './base.js';
