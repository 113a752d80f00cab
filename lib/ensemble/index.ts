/** Ensembles: voting, stacking, blending, bagging, ensemble selection and model fusion. */
export { VotingClassifier, VotingRegressor, type VotingOptions, type VotingClassifierOptions } from './voting.js';
export { StackingClassifier, StackingRegressor, type StackingOptions } from './stacking.js';
export { BlendingClassifier, BlendingRegressor, type BlendingOptions } from './blending.js';
export { BaggingClassifier, BaggingRegressor, type BaggingOptions } from './bagging.js';
export { EnsembleSelection, type EnsembleSelectionOptions } from './selection.js';
export { fuseLinear, fuseTrees, type LinearModel, type TreeModel } from './fusion.js';
export type { Member, NamedMembers } from './base.js';
export type { StackMethod } from './meta.js';
